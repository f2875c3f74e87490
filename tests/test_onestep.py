"""The one-step learning rate in 1D (the second write-up: eta = 1/f''(w0)) and its command line."""

import json
import math
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hessianlens.engine import onestep as ons
from hessianlens.engine.expression import ExpressionError
from hessianlens.engine.linefunction import line_function
from hessianlens.engine.onestep import gd_comparison, newton_steps, one_step, polynomial_text

WORKED = "-w**2 - 2*w - 3"


# --- the worked example ---------------------------------------------------------------------
def test_worked_example_derivatives_are_written_out():
    assert line_function(WORKED).texts == ("-w**2 - 2*w - 3", "-2*w - 2", "-2")


@pytest.mark.parametrize("w0", [-7.5, -1.0, 0.0, 3.0, 12.25])
def test_worked_example_lands_on_the_maximum_in_one_step(w0):
    r = one_step(WORKED, w0)
    assert r.status == ons.OK
    assert r.eta == -0.5
    assert r.d2f_w0 == -2
    assert r.df_w0 == -2 * w0 - 2
    assert r.f_w0 == -w0**2 - 2 * w0 - 3
    assert r.w1 == pytest.approx(-1.0, abs=1e-12)
    assert r.w_star == -1.0 and r.f_w_star == -2.0
    assert r.f_w1 == pytest.approx(-2.0)
    assert r.kind == ons.MAXIMUM
    assert r.miss == pytest.approx(0.0, abs=1e-12)
    assert "maximum" in r.message


def test_x_is_accepted_as_the_variable_and_caret_text_too():
    assert one_step("-x^2 - 2*x - 3", 5).w1 == -1.0


def test_polynomial_text_builds_the_worked_example():
    assert polynomial_text(-1, -2, -3) == WORKED
    assert polynomial_text(1.5, 0, -1e-5, 0.25) == "0.25*w**3 + 1.5*w**2 - 1e-05"
    assert polynomial_text(0, 0, 0) == "0"
    assert one_step(polynomial_text(-1, -2, -3), 2).w_star == -1.0


# --- quadratics: exactly one step -----------------------------------------------------------
coef = st.floats(-50, 50).filter(lambda v: abs(v) > 1e-3)


@settings(max_examples=60, deadline=None)
@given(a=coef, b=st.floats(-50, 50), c=st.floats(-50, 50), w0=st.floats(-100, 100))
def test_any_quadratic_reaches_w_star_in_one_step(a, b, c, w0):
    r = one_step(polynomial_text(a, b, c), w0)
    assert r.status == ons.OK
    w_star = -b / (2 * a)
    assert r.w_star == pytest.approx(w_star, rel=1e-9, abs=1e-9)
    assert r.w1 == pytest.approx(w_star, rel=1e-9, abs=1e-9 * max(1, abs(w0)))
    assert r.kind == (ons.MINIMUM if a > 0 else ons.MAXIMUM)
    assert (r.eta > 0) == (a > 0)


def test_cubic_term_makes_the_step_miss_more_as_d_grows():
    misses = [one_step(polynomial_text(1, 0, 0, d), 2.0).miss for d in (0, 0.05, 0.1, 0.2, 0.4)]
    assert misses[0] == 0
    assert all(m1 < m2 for m1, m2 in zip(misses, misses[1:]))


def test_non_quadratic_reports_its_miss():
    r = one_step("w**2 + 0.5*w**3", 2)
    assert (r.eta, r.w1, r.w_star, r.kind, r.miss) == (0.125, 0.75, 0.0, ons.MINIMUM, 0.75)
    assert "not quadratic" in r.message


def test_non_polynomial_critical_point_is_found_numerically():
    r = one_step("sin(w)", 1.0)
    assert r.w_star == pytest.approx(math.pi / 2, abs=1e-10)
    assert r.kind == ons.MAXIMUM and r.eta < 0
    assert one_step("w + 1/w", 3).w_star == pytest.approx(1.0)
    # A pole of f' changes sign too but is no critical point.
    assert one_step("1/w**2 + w**2", 0.3).w_star == pytest.approx(1.0)


# --- edge cases: a status and words, never an exception -------------------------------------
@pytest.mark.parametrize("text, w0, status, words", [
    ("w**3 + 2*w", 0.0, ons.NO_RATE, "inflection"),
    ("3*w + 1", 2.0, ons.LINEAR, "linear"),
    ("7", 2.0, ons.LINEAR, "constant"),
    (polynomial_text(0, 2, 1, 0), 1.0, ons.LINEAR, "no extremum"),
    ("w**3 + w", 1.0, ons.NO_CRITICAL_POINT, "no critical point"),
    ("exp(w)", 0.0, ons.NO_CRITICAL_POINT, "no critical point near w0"),
    ("1e300*w**2", 1e10, ons.OVERFLOW, "overflows"),
    ("1e308*w**3", 2.0, ons.OVERFLOW, "overflows"),
    ("w**2", 1e200, ons.OVERFLOW, "overflows"),
    ("log(w)", -1.0, ons.UNDEFINED, "not defined"),
    ("sqrt(w)", -1.0, ons.UNDEFINED, "not defined"),
])
def test_edge_cases_give_their_message(text, w0, status, words):
    r = one_step(text, w0)
    assert r.status == status
    assert words in r.message
    json.dumps(r.as_dict(), allow_nan=False)  # JSON null for non-finite values


def test_no_rate_leaves_eta_and_w1_absent():
    r = one_step("w**3", 0.0)
    assert (r.eta, r.w1, r.miss) == (None, None, None)
    assert r.w_star == 0.0 and r.kind == ons.INFLECTION


def test_degenerate_extremum_is_classified_by_its_neighbours():
    assert one_step("w**4", 1.0).kind == ons.MINIMUM
    assert one_step("-w**4", 1.0).kind == ons.MAXIMUM


def test_underflow_is_no_critical_point_and_a_flat_minimum_is_still_a_minimum():
    # f' = 1000 w**999 is exactly 0.0 in floats on a whole interval around 0.
    r = one_step("w**1000", 1.01)
    assert r.w_star == 0.0 and r.kind == ons.MINIMUM
    assert one_step("-w**1000", 1.01).kind == ons.MAXIMUM


def test_a_pole_at_w0_is_reported():
    r = one_step("1/w", 0.0)
    assert r.status == ons.OVERFLOW and "pole" in r.message and r.eta is None


def test_bad_text_raises_expression_error_only():
    with pytest.raises(ExpressionError):
        one_step("w +", 1.0)
    with pytest.raises(ExpressionError):
        one_step("y**2", 1.0)  # y is no variable of a line


# --- further Newton steps and gradient descent ----------------------------------------------
def test_newton_steps_converge_on_the_cubic_and_stop_on_a_quadratic():
    path = newton_steps("w**2 + 0.5*w**3", 2.0, 6)
    assert path.iterates[:2] == (2.0, 0.75)
    assert len(path.iterates) == 7 and len(path.values) == 7
    assert abs(path.iterates[-1]) < 1e-10
    done = newton_steps(WORKED, 3.0, 5)
    assert done.iterates == (3.0, -1.0) and done.status == ons.CONVERGED


def test_newton_steps_stop_at_trouble_with_a_message():
    path = newton_steps("w*log(w)", 2.0, 5)
    assert path.status == ons.UNDEFINED and "not defined" in path.message
    assert newton_steps("w**3", 0.0, 3).status == ons.NO_RATE


def test_gradient_descent_needs_many_steps_where_one_step_suffices():
    cmp = gd_comparison("w**2", 3.0, 0.1)
    assert cmp.status == ons.REACHED
    # |w_k| = 3 * 0.8**k must fall below the float floor 1e-12 * 3
    assert cmp.steps == math.ceil(math.log(1e-12) / math.log(0.8))
    assert cmp.iterates[1] == pytest.approx(2.4)


def test_gradient_descent_on_the_cubic_matches_the_miss_quickly():
    cmp = gd_comparison("w**2 + 0.5*w**3", 2.0, 0.1)
    assert cmp.status == ons.REACHED and cmp.steps == 2 and cmp.tolerance == 0.75


def test_gradient_descent_never_reaches_a_maximum():
    cmp = gd_comparison(WORKED, 3.0, 0.1)
    assert cmp.status == ons.NEVER and cmp.steps is None
    assert "away from a maximum" in cmp.message
    assert gd_comparison(WORKED, 3.0, -0.1).status == ons.REACHED  # ascent climbs to it


def test_gradient_descent_needs_no_step_when_w0_beats_the_one_step():
    cmp = gd_comparison("w**150 - w**2", 0.5, 0.1)  # the step jumps to 0, w* is near 0.97
    assert cmp.status == ons.REACHED and cmp.steps == 0 and "0 steps" in cmp.message


def test_gradient_descent_step_cap_and_missing_target():
    assert gd_comparison("w**2", 3.0, 1e-6, max_steps=50).status == ons.NEVER
    assert gd_comparison("3*w", 1.0, 0.1).status == ons.NO_TARGET


# --- command line ---------------------------------------------------------------------------
def _cli(*args):
    return subprocess.run([sys.executable, "-m", "hessianlens", "onestep", *args],
                          capture_output=True, text=True, timeout=120)


def test_cli_prints_the_worked_example_as_json():
    out = _cli("--function", WORKED, "--w0", "3")
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert {k: d[k] for k in ("eta", "w0", "f_w0", "df_w0", "d2f_w0", "w1", "f_w1", "w_star",
                              "f_w_star", "kind", "miss")} == {
        "eta": -0.5, "w0": 3.0, "f_w0": -18.0, "df_w0": -8.0, "d2f_w0": -2.0, "w1": -1.0,
        "f_w1": -2.0, "w_star": -1.0, "f_w_star": -2.0, "kind": "maximum", "miss": 0.0}


def test_cli_text_format_and_null_for_absent_values():
    out = _cli("--function", "w**3", "--w0", "0", "--format", "text")
    assert out.returncode == 0
    assert "eta: none" in out.stdout and "status: no_rate" in out.stdout
    d = json.loads(_cli("--function", "w**3", "--w0", "0").stdout)
    assert d["eta"] is None and d["w1"] is None


def test_cli_error_goes_to_stderr_with_exit_code_2():
    out = _cli("--function", "-w^2 - 2w - 3", "--w0", "3")
    assert out.returncode == 2 and out.stdout == ""
    assert "did you mean 2*w?" in out.stderr and "^" in out.stderr
    assert _cli("--function", "w**2", "--w0", "inf").returncode == 2
