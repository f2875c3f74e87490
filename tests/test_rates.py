"""The rates at a point: hand-computed values on quadratics, the write-ups' numbers, nulls
with messages where a rate does not exist; and the bracketing + Brent line minimiser."""

import math

import numpy as np
import pytest

from hessianlens.engine.line_minimum import minimise_along_ray
from hessianlens.engine.objective import objective_from_text
from hessianlens.engine.onestep import one_step
from hessianlens.engine.rates import (KEYS, gradient_extent, line_profile, newton_extent,
                                      rates_at)

EXAMPLE2 = "x0**2 - x0*x1/2 + (x1/3)**2"
EXAMPLE3 = "sin(x0)**2 + sin(10 + x1*x0/2)*cos(x0)"


def at(text, point):
    return rates_at(objective_from_text(text), point)


# --- the line minimiser ---------------------------------------------------------------------
@pytest.mark.parametrize("t1", [1e-4, 0.3, 50.0])
def test_brent_finds_the_vertex_of_a_parabola_from_any_first_step(t1):
    # phi = 1 - 2t + 3t^2: phi' = 0 at t = 1/3, phi = 2/3 there.
    r = minimise_along_ray(lambda t: 1 - 2 * t + 3 * t * t, 1.0, t1)
    assert r.t == pytest.approx(1 / 3, rel=1e-7) and r.f == pytest.approx(2 / 3, rel=1e-14)
    assert r.evaluations < 40


def test_brent_stops_at_the_first_minimum_along_the_ray():
    r = minimise_along_ray(math.cos, 1.0, 0.1)
    assert r.t == pytest.approx(math.pi, rel=1e-8) and r.f == pytest.approx(-1.0)


def test_no_minimum_is_a_message_not_an_exception():
    falling = minimise_along_ray(lambda t: 1 - t, 1.0, 1.0)
    assert falling.t is None and "keeps falling" in falling.message
    rising = minimise_along_ray(lambda t: 1 + t, 1.0, 1.0)
    assert rising.t is None and "does not fall" in rising.message


def test_an_undefined_f_is_a_wall():
    # phi = log(2 - t) - t falls until it is undefined at t = 2: the minimiser is at the wall.
    def phi(t):
        return math.log(2 - t) - t if t < 2 else math.nan

    r = minimise_along_ray(phi, math.log(2), 0.5)
    assert r.t == pytest.approx(2, rel=1e-6) and r.t < 2


# --- every key on a quadratic, by hand --------------------------------------------------------
def test_every_key_on_an_axis_aligned_quadratic():
    # f = x^2 + 10 y^2 at (1, 1): g = (2, 20), H = diag(2, 20).
    r = at("x**2 + 10*y**2", (1, 1))
    d = r.as_dict()
    assert tuple(d) == KEYS
    gg, gHg = 2 * 2 + 20 * 20, 2 * 2 * 2 + 20 * 20 * 20  # 404, 8008
    assert d["cauchy"] == pytest.approx(gg / gHg, rel=1e-15)
    assert d["inverse_lambda_max"] == 1 / 20
    assert d["best_quadratic"] == pytest.approx(2 / 22, rel=1e-15)
    assert d["stability_edge"] == 2 / 20
    # On a quadratic the true line minimum is the model's: the Cauchy rate, and t = 1.
    eta = d["line_minimum"]["eta"]
    assert eta == pytest.approx(gg / gHg, rel=1e-7)
    assert d["line_minimum"]["f"] == pytest.approx(11 - gg * gg / (2 * gHg), rel=1e-12)
    assert d["newton_line_minimum"]["t"] == pytest.approx(1, rel=1e-7)
    assert d["newton_line_minimum"]["f"] == pytest.approx(0, abs=1e-12)
    assert d["gradient"] == [2, 20] and d["hessian"] == [[2, 0], [0, 20]]
    assert d["eigenvalues"] == [2, 20]
    assert "positive definite" in d["message"]


def test_every_key_on_the_write_ups_squished_paraboloid():
    # Example 2 at (-3, -3): g = (-4.5, 5/6), H = [[2, -1/2], [-1/2, 2/9]].
    r = at(EXAMPLE2, (-3, -3))
    g = np.array([-4.5, 5 / 6])
    H = np.array([[2, -0.5], [-0.5, 2 / 9]])
    gg = 4.5 ** 2 + (5 / 6) ** 2
    gHg = 2 * 4.5 ** 2 + 2 * (-0.5) * (-4.5) * (5 / 6) + (2 / 9) * (5 / 6) ** 2
    trace, det = 2 + 2 / 9, 2 * 2 / 9 - 0.25
    high = trace / 2 + math.sqrt(trace ** 2 / 4 - det)
    low = trace / 2 - math.sqrt(trace ** 2 / 4 - det)
    assert r.gradient == pytest.approx(g) and r.hessian == pytest.approx(H)
    assert r.eigenvalues == pytest.approx((low, high))
    assert r.cauchy == pytest.approx(gg / gHg, rel=1e-12)  # 0.471676
    assert r.cauchy == pytest.approx(0.471676, abs=1e-6)
    assert r.inverse_lambda_max == pytest.approx(1 / high, rel=1e-12)
    assert r.stability_edge == pytest.approx(2 / high, rel=1e-12)
    assert r.best_quadratic == pytest.approx(2 / trace, rel=1e-12) == pytest.approx(0.9)
    assert r.line_minimum.t == pytest.approx(r.cauchy, rel=1e-7)
    # The write-up: the Newton step (3, 3) reaches the minimum in one step.
    assert r.newton_step == pytest.approx([3, 3])
    assert r.newton_line_minimum.t == pytest.approx(1, rel=1e-7)
    assert r.newton_line_minimum.f == pytest.approx(0, abs=1e-12)


def test_on_a_quadratic_the_model_is_f_along_both_lines():
    objective = objective_from_text(EXAMPLE2)
    r = rates_at(objective, (-3, -3))
    for direction, extent in (("gradient", gradient_extent(r, 0.5)), ("newton", newton_extent(r))):
        line = line_profile(objective, r, direction, extent)
        assert line.t[0] == 0 and line.t[-1] == extent
        assert line.model == pytest.approx(line.f, rel=1e-12, abs=1e-12)
    assert gradient_extent(r, 0.5) == pytest.approx(1.15 * 2 * r.cauchy)  # past the rates
    assert gradient_extent(r, 3.0) == pytest.approx(1.15 * 3.0)  # and the rate in use
    assert newton_extent(r) == 2.0


# --- the write-ups ----------------------------------------------------------------------------
def test_example3_start_is_indefinite_nulls_with_messages_and_the_half_step_raises_f():
    objective = objective_from_text(EXAMPLE3)
    r = rates_at(objective, (3.1, 1.3))
    d = r.as_dict()
    assert sum(d["hessian"], []) == pytest.approx([1.20250029, -1.007762, -1.007762, -1.2574737])
    assert d["best_quadratic"] is None and d["cauchy"] is None
    assert d["newton_line_minimum"] is None
    assert "negative curvature along -g: the model has no minimum in that direction" \
        in d["message"].lower()
    assert "does not go downhill" in d["message"]
    # 2/lambda_max still bounds the rate along the positive-curvature direction.
    assert d["stability_edge"] == pytest.approx(2 / 1.5626240642, rel=1e-9)
    # The true f still falls along -grad f, so the line minimum exists.
    assert d["line_minimum"]["eta"] > 0 and d["line_minimum"]["f"] < 0.5251311154
    # Along the Newton step the write-up's half step (t = 0.5) raises f from 0.525 to 0.97.
    line = line_profile(objective, r, "newton", 2.0, n=201)
    assert line.f[0] == pytest.approx(0.5251311154)
    assert line.t[50] == 0.5 and line.f[50] == pytest.approx(0.9685, abs=1e-4)
    # The model is stationary at t = 1 (a saddle's), where f is 0.964, not lower.
    assert line.model[100] == pytest.approx(0.5251311154 + r.gradient @ r.newton_step / 2)
    assert line.f[100] == pytest.approx(0.96398, abs=1e-4)


def test_inside_the_positive_region_the_true_minimum_misses_the_models():
    # Example 4's start (3.1, 2.2): H is positive definite, but f is not quadratic.
    r = at(EXAMPLE3, (3.1, 2.2))
    assert r.best_quadratic is not None and r.cauchy is not None
    assert r.line_minimum.t != pytest.approx(r.cauchy, rel=1e-3)
    assert r.newton_line_minimum.t != pytest.approx(1, rel=1e-3)
    assert r.newton_line_minimum.f < r.f


def test_source2_in_one_variable_the_cauchy_rate_is_one_over_f2():
    # f(x) = 3x^2 + 2x + 1 (+ y^2, so that H is not singular) at x = 1: f'' = 6.
    r = at("3*x**2 + 2*x + 1 + y**2", (1, 0))
    assert r.cauchy == pytest.approx(1 / 6, rel=1e-15)
    assert r.cauchy == pytest.approx(one_step("3*w**2 + 2*w + 1", 1.0).eta, rel=1e-15)
    assert r.line_minimum.t == pytest.approx(1 / 6, rel=1e-7)


def test_source2_worked_example_the_newton_step_lands_on_the_maximum():
    # f(w) = -w^2 - 2w - 3 from w0 = 3: eta = 1/f'' = -0.5 lands on w* = -1, f = -2.
    objective = objective_from_text("-x**2 - 2*x - 3 + y**2")
    r = rates_at(objective, (3, 0))
    assert r.newton_step == pytest.approx([-4, 0])  # = -f'(3)/f''(3) = -(-8)/(-2)
    line = line_profile(objective, r, "newton", 2.0, n=201)
    assert line.t[100] == 1.0 and line.f[100] == pytest.approx(-2.0)
    assert r.cauchy is None and "negative curvature" in r.message.lower()
    assert r.newton_line_minimum.t is None  # it climbs to the maximum


# --- nulls, never exceptions --------------------------------------------------------------
def test_a_saddle_gives_nulls_and_says_why():
    r = at("x**2 - y**2", (1, 1))
    d = r.as_dict()
    assert d["best_quadratic"] is None and d["cauchy"] is None
    assert d["line_minimum"] is None and d["newton_line_minimum"] is None
    assert "keeps falling" in d["message"] and "no minimum" in d["message"]


def test_a_stationary_point_has_no_line_and_says_so():
    r = at("x**2 + y**2", (0, 0))
    assert r.cauchy is None and r.line_minimum.t is None
    assert r.stability_edge == 1.0 and r.best_quadratic == 0.5
    assert "stationary point" in r.message
    assert line_profile(objective_from_text("x**2 + y**2"), r, "gradient", 1.0) is None


@pytest.mark.parametrize("text,point", [("log(x)", (-1, 0)), ("1/x", (0, 0)),
                                        ("sqrt(x) + y", (-2, 1))])
def test_an_undefined_point_gives_nulls_and_a_message(text, point):
    d = at(text, point).as_dict()
    assert all(d[k] is None for k in KEYS[:6])
    assert "not finite" in d["message"]


def test_a_singular_hessian_has_no_newton_line():
    r = at("3*x**2 + 2*x + 1", (1, 0))  # H = diag(6, 0)
    assert r.newton_step is None and r.newton_line_minimum.t is None
    assert r.best_quadratic is None and r.cauchy == pytest.approx(1 / 6)
    assert "singular" in r.message
