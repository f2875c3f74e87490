"""Step rules and the runner: known answers, statuses and flags."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hessianlens.engine import trajectory as tr
from hessianlens.engine.objective import objective_from_text
from hessianlens.engine.rules import make_rule
from hessianlens.engine.trajectory import run

EXAMPLE3 = "sin(x0)**2 + sin(10 + x1*x0/2) * cos(x0)"


def test_newton_reaches_the_minimum_of_example_1_and_2_in_one_step():
    for text in ("x0**2 + x1**2", "x0**2 - x0*x1/2 + (x1/3)**2"):
        t = run(objective_from_text(text), make_rule("newton"), (-3, -3))
        assert t.status == tr.CONVERGED and t.steps_taken == 1
        np.testing.assert_allclose(t.points[1], [0, 0], atol=1e-12)


def test_example_2_negative_gradient_does_not_point_at_the_minimum():
    t = run(objective_from_text("x0**2 - x0*x1/2 + (x1/3)**2"), make_rule("gd", learning_rate=0.1), (-3, -3))
    first = t.iterates[0]
    np.testing.assert_allclose(first.step / first.learning_rate, [4.5, -0.8333333], atol=1e-6)
    cos = np.dot(first.step, [3, 3]) / np.linalg.norm(first.step) / np.linalg.norm([3, 3])
    assert cos < 0.8


@settings(max_examples=200, deadline=None)
@given(st.floats(0.1, 10), st.floats(0.1, 10), st.floats(-0.99, 0.99),
       st.floats(-5, 5), st.floats(-5, 5), st.floats(-5, 5), st.floats(-5, 5))
def test_newton_solves_any_positive_definite_quadratic_in_one_step(a, c, rho, cx, cy, sx, sy):
    b = rho * np.sqrt(a * c)  # |b| < sqrt(ac): positive definite
    text = f"{a}*(x-({cx}))**2 + 2*{b}*(x-({cx}))*(y-({cy})) + {c}*(y-({cy}))**2"
    t = run(objective_from_text(text), make_rule("newton"), (sx, sy), tol=1e-7)
    assert t.status == tr.CONVERGED and t.steps_taken <= 1
    if t.steps_taken == 1:  # (a start within tol of the centre has converged where it is)
        np.testing.assert_allclose(t.points[-1], [cx, cy], atol=1e-7)


def test_gradient_descent_above_two_over_lambda_max_diverges():
    # lambda_max = 2 * 3 = 6: lr > 1/3 makes |1 - lr * lambda| > 1 along y.
    t = run(objective_from_text("x**2 + 3*y**2"), make_rule("gd", learning_rate=0.5), (1, 1), max_steps=500)
    assert t.status == tr.DIVERGED and "diverged" in t.message
    below = run(objective_from_text("x**2 + 3*y**2"), make_rule("gd", learning_rate=0.3), (1, 1), max_steps=500)
    assert below.status == tr.CONVERGED


@pytest.mark.parametrize("text, start", [("x + y", (0.3, -2)), ("x**3 + y**2", (0, 1))])
def test_singular_hessian_with_nonzero_gradient(text, start):
    t = run(objective_from_text(text), make_rule("newton"), start)
    assert t.status == tr.SINGULAR_HESSIAN
    assert "singular" in t.message and t.iterates[-1].step is None
    assert tr.SINGULAR in t.iterates[-1].flags


def test_example_3_newton_goes_uphill_from_the_write_up_start():
    obj = objective_from_text(EXAMPLE3)
    newton = run(obj, make_rule("newton"), (3.1, 1.3))
    first = newton.iterates[0]
    assert {tr.UPHILL, tr.ASCENT_DIRECTION, tr.INDEFINITE} <= set(first.flags)
    assert first.det < 0 and first.eigenvalues[0] < 0 < first.eigenvalues[1]
    # It converges, but to a stationary point that is not a minimum (f = 1, where the well's
    # bottom has f = -1).
    assert newton.status == tr.CONVERGED and newton.values[-1] > 0.99


def test_example_4_newton_from_inside_the_positive_definite_region_finds_the_minimum():
    obj = objective_from_text(EXAMPLE3)
    newton = run(obj, make_rule("newton"), (3.1, 2.2))
    gd = run(obj, make_rule("gd", learning_rate=0.5), (3.1, 2.2))
    assert newton.status == tr.CONVERGED
    np.testing.assert_allclose(newton.points[-1], [np.pi, 2.6338], atol=1e-4)
    assert newton.values[-1] == pytest.approx(-1)
    assert newton.steps_taken < gd.steps_taken  # Newton needs fewer steps than GD here


def test_every_iterate_records_the_write_up_numbers():
    t = run(objective_from_text("x**2 + 3*y**2"), make_rule("gd", learning_rate=0.1), (1, 1), max_steps=5)
    assert t.status == tr.MAX_STEPS and len(t) == 6
    for k, it in enumerate(t.iterates):
        assert it.k == k and it.learning_rate == 0.1
        np.testing.assert_allclose(it.hessian, [[2, 0], [0, 6]])
        np.testing.assert_allclose(it.eigenvalues, [2, 6])
        assert it.det == pytest.approx(12)
        if k < 5:
            np.testing.assert_allclose(t.iterates[k + 1].x, it.x + it.step)
            np.testing.assert_allclose(it.step, -0.1 * it.grad)
    assert t.iterates[-1].step is None


def test_non_finite_start_is_diverged_not_an_exception():
    t = run(objective_from_text("log(x) + y**2"), make_rule("newton"), (-1, 0))
    assert t.status == tr.DIVERGED and "not finite" in t.message


def test_negative_definite_flag_and_newton_climbs_to_the_maximum():
    t = run(objective_from_text("-(x**2) - y**2"), make_rule("newton"), (1, 2))
    assert tr.NEGATIVE_DEFINITE in t.iterates[0].flags and tr.UPHILL in t.iterates[0].flags
    np.testing.assert_allclose(t.points[-1], [0, 0], atol=1e-12)


def test_unknown_method_is_a_value_error():
    with pytest.raises(ValueError, match="unknown method"):
        make_rule("adagrad")


@pytest.mark.parametrize("start, kind", [((3.1, 1.3), "saddle"), ((3.1, 2.2), "minimum"),
                                         ((2.05, 1.17), "maximum")])
def test_a_converged_run_says_what_it_found(start, kind):
    t = run(objective_from_text(EXAMPLE3), make_rule("newton"), start)
    assert t.status == tr.CONVERGED and t.end_kind == kind
    assert f"to a {kind}" in t.message


def test_end_kind_is_none_unless_converged():
    t = run(objective_from_text("x**2 + y**2"), make_rule("gd", learning_rate=0.1), (1, 1), max_steps=2)
    assert t.end_kind is None


def test_a_run_given_seconds_ends_out_of_time_and_none_runs_to_its_step_limit():
    f, rule = objective_from_text(EXAMPLE3), make_rule("gd", learning_rate=1e-5)
    short = run(f, rule, (3.1, 1.3), max_steps=5000, tol=1e-12, seconds=0.0)
    assert short.status == tr.TIME_LIMIT and short.steps_taken == tr.CLOCK_EVERY
    assert "out of time" in short.message and "of 5000" in short.message
    assert short.beyond is not None  # it could go on: the step it would take next
    whole = run(f, rule, (3.1, 1.3), max_steps=5000, tol=1e-12)
    assert whole.status == tr.MAX_STEPS and whole.steps_taken == 5000
    np.testing.assert_array_equal(whole.points[: short.steps_taken + 1], short.points)
    assert run(f, rule, (3.1, 1.3), max_steps=5000, tol=1e-12, seconds=60).steps_taken == 5000
