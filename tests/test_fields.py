"""Grid fields agree with pointwise derivatives and never raise on bad values."""

import numpy as np
import pytest

from hessianlens.engine import linalg2
from hessianlens.engine.fields import (MAX_COORDINATE, MIN_RELATIVE_SIDE, Rect, compute_fields,
                                       compute_value, nearest_usable_rect, within_plane)
from hessianlens.engine.objective import objective_from_text
from hessianlens.engine.rules.base import newton_direction

EXAMPLE3 = "sin(x0)**2 + sin(10 + x1*x0/2) * cos(x0)"


def test_fields_agree_with_the_pointwise_engine():
    obj = objective_from_text(EXAMPLE3)
    F = compute_fields(obj, Rect(-4, 4, -3, 3), 41, 31)
    assert F.f.shape == (31, 41)
    rng = np.random.default_rng(1)
    for i, j in zip(rng.integers(0, 31, 20), rng.integers(0, 41, 20)):
        d = obj.at((F.xs[j], F.ys[i]))
        assert F.f[i, j] == pytest.approx(d.f)
        assert F.det[i, j] == pytest.approx(np.linalg.det(d.hessian), abs=1e-9)
        np.testing.assert_allclose([F.eig_low[i, j], F.eig_high[i, j]],
                                   np.linalg.eigvalsh(d.hessian), atol=1e-9)
        p = newton_direction(d.hessian, d.grad)
        if p is not None:
            np.testing.assert_allclose([F.newton_dx[i, j], F.newton_dy[i, j]], p, rtol=1e-7)
            assert F.newton_length[i, j] == pytest.approx(np.hypot(*p))
            assert F.newton_descent[i, j] == (np.dot(d.grad, p) < 0)


@pytest.mark.parametrize("text", [
    EXAMPLE3,
    "sin(x) + 2",  # no y at all: f, gx and hxx vary along x only, the rest is constant
    "exp(y) * 3",  # no x at all
    "x**2 + 3*y**2",  # a constant Hessian
    "x",  # f is the input itself
    "log(x) + x*y",  # undefined for x < 0
])
def test_fields_on_the_broadcast_grid_equal_every_sample_evaluated(text):
    # The grid is evaluated as an x row against a y column; every field must be the full,
    # writable (ny, nx) array that evaluating each sample of a meshgrid gives.
    obj = objective_from_text(text)
    F = compute_fields(obj, Rect(-2, 3, -1, 2), 23, 17)
    X, Y = np.meshgrid(F.xs, F.ys)
    f, gx, gy, hxx, hxy, hyy = obj.derivatives(X, Y)
    for name, expected in (("f", f), ("gx", gx), ("gy", gy), ("hxx", hxx), ("hxy", hxy),
                           ("hyy", hyy)):
        got = getattr(F, name)
        assert got.shape == (17, 23) and got.flags.writeable and got.flags.c_contiguous, name
        expected = np.where(np.isfinite(expected) & ~np.isnan(f), expected, np.nan)
        np.testing.assert_array_equal(got, expected, err_msg=name)
    np.testing.assert_array_equal(compute_value(obj, F.rect, 23, 17),
                                  np.where(np.isfinite(f), f, np.nan))
    every = compute_fields(obj, F.rect, 23, 17, broadcast=False)
    for name in ("det", "eig_low", "eig_high", "curvature", "newton_dx", "newton_dy",
                 "newton_length", "newton_descent"):
        np.testing.assert_array_equal(getattr(F, name), getattr(every, name), err_msg=name)


@pytest.mark.parametrize("text, code", [
    ("x**2 + y**2", linalg2.POSITIVE_DEFINITE),
    ("-x**2 - 2*y**2", linalg2.NEGATIVE_DEFINITE),
    ("x**2 - y**2", linalg2.INDEFINITE),
    ("x + y", linalg2.SINGULAR),
])
def test_curvature_classes(text, code):
    F = compute_fields(objective_from_text(text), Rect(-1, 1, -1, 1), 9)
    assert np.all(F.curvature == code)


def test_example_3_positive_determinant_region_is_smaller_than_the_valley():
    F = compute_fields(objective_from_text(EXAMPLE3), Rect(2, 4.2, 0, 4), 200)
    pd = F.curvature == linalg2.POSITIVE_DEFINITE
    valley = F.f < 0
    assert pd.any() and (pd & valley).sum() < valley.sum()


def test_bad_values_become_nan_without_raising_or_warning():
    F = compute_fields(objective_from_text("log(x) + 1/(y - 0.5)"), Rect(-1, 1, -1, 1), 5)
    assert np.isnan(F.f[:, 0]).all()  # log of a negative number
    assert np.isnan(F.det[:, 0]).all()
    assert (F.curvature[:, 0] == linalg2.UNDEFINED).all()
    for name in ("f", "det", "eig_low", "eig_high", "newton_dx", "newton_length"):
        assert not np.isinf(getattr(F, name)).any()
    assert np.isnan(compute_value(objective_from_text("exp(exp(x*100))"), Rect(5, 6, 0, 1), 3)).all()


def test_singular_points_have_no_newton_step():
    F = compute_fields(objective_from_text("x**3 + y**2"), Rect(-1, 1, -1, 1), 5)  # x = 0 column
    assert np.isnan(F.newton_dx[:, 2]).all()
    assert (F.curvature[:, 2] == linalg2.SINGULAR).all()


def test_a_rect_must_be_a_rectangle():
    with pytest.raises(ValueError):
        Rect(1, 1, 0, 1)
    with pytest.raises(ValueError):
        Rect(0, float("nan"), 0, 1)


def test_a_rect_too_narrow_to_sample_or_too_wide_for_floats_is_refused():
    with pytest.raises(ValueError, match="too small"):
        Rect(0, 5e-324, 0, 5e-324)  # one minimum was reported as four, with warnings
    with pytest.raises(ValueError, match="too small"):
        Rect(1e6, 1e6 + 1e-5, 0, 1)  # 1e-11 of its size
    with pytest.raises(ValueError, match="too large"):
        Rect(-1e308, 1e308, 0, 1)
    assert Rect(1e6, 1e6 + 1e-2, -1e-3, 1e-3).width == pytest.approx(1e-2)


@pytest.mark.parametrize("bounds", [
    (1 - 5e-13, 1 + 5e-13, 1 - 5e-13, 1 + 5e-13),  # zoomed in a thousand times too far
    (1e11, 1e11 + 1e-6, -2.0, 2.0),  # far out, one side too short
    (1e12 - 1, 1e12, 0.0, 1e-20),  # at the edge
    (-3e12, 5e12, -7.0, -7.0),  # too wide, and a side of zero
    (5e11, 5e11, -1e12, -1e12)])
def test_the_nearest_usable_rect_keeps_the_centre_and_widens_only_what_is_too_short(bounds):
    xmin, xmax, ymin, ymax = bounds
    rect = nearest_usable_rect(*bounds)  # a Rect: usable, or it would have raised
    for low, high, new_low, new_high in ((xmin, xmax, rect.xmin, rect.xmax),
                                         (ymin, ymax, rect.ymin, rect.ymax)):
        centre = min(max((low + high) / 2, -MAX_COORDINATE), MAX_COORDINATE)
        side = new_high - new_low
        if high - low >= 2 * MAX_COORDINATE:
            assert (new_low, new_high) == (-MAX_COORDINATE, MAX_COORDINATE)
        elif side > high - low:  # widened just enough, about its centre unless at an edge
            assert side < 1.1 * MIN_RELATIVE_SIDE * max(1.0, abs(centre))
            assert new_low <= centre <= new_high
        else:
            assert (new_low, new_high) == (low, high)


def test_a_usable_rect_is_its_own_nearest_and_no_number_has_none():
    assert nearest_usable_rect(0.0, 1.0, 2.0, 3.0) == Rect(0.0, 1.0, 2.0, 3.0)
    assert nearest_usable_rect(0.0, float("nan"), 0.0, 1.0) is None
    assert nearest_usable_rect(0.0, float("inf"), 0.0, 1.0) is None


def test_a_point_past_the_plane_is_moved_onto_its_edge():
    assert within_plane(2e12, -3.5) == (MAX_COORDINATE, -3.5)
    assert within_plane(-1e300, 1e13) == (-MAX_COORDINATE, MAX_COORDINATE)
    assert within_plane(0.25, -0.5) == (0.25, -0.5)
    assert within_plane(float("nan"), 0.0) is None and within_plane(0.0, float("-inf")) is None


def test_quadratic_model_is_exact_for_a_quadratic_and_matches_f_to_second_order():
    from hessianlens.engine.fields import quadratic_model

    quad = objective_from_text("x**2 - 3*x*y + 2*y**2 + x - 7")
    d = quad.at((0.5, -1.0))
    xs, ys, m = quadratic_model(d.x, d.f, d.grad, d.hessian, Rect(-2, 2, -1, 3), 9)
    X, Y = np.meshgrid(xs, ys)
    np.testing.assert_allclose(m, quad.value(X, Y), atol=1e-12)
    wavy = objective_from_text(EXAMPLE3)
    d = wavy.at((3.1, 1.3))
    h = 1e-3
    xs, ys, m = quadratic_model(d.x, d.f, d.grad, d.hessian, Rect(3.1 - h, 3.1 + h, 1.3 - h, 1.3 + h), 3)
    X, Y = np.meshgrid(xs, ys)
    assert np.max(np.abs(m - wavy.value(X, Y))) < 1e-8  # error O(h^3)


VALUES = [0.0, -0.0, 1.0, -1.0, 1e-13, -1e-13, 1e-300, 5.0, -5.0, np.inf, -np.inf, np.nan]


def test_curvature_class_of_one_point_agrees_with_the_array_path():
    lows, highs = np.meshgrid(VALUES, VALUES)
    grid = linalg2.curvature_class(lows, highs)
    for i, hi in enumerate(VALUES):
        for j, lo in enumerate(VALUES):
            if not lo > hi:  # eigenvalues come ordered
                assert linalg2.curvature_class(lo, hi) == grid[i, j], (lo, hi)


def test_the_part_where_f_is_not_finite_is_said_in_words():
    from hessianlens.engine.fields import not_finite_note

    assert not_finite_note(np.ones((4, 4))) is None
    f = np.ones((10, 10))
    f[:, 4:] = np.inf
    f[0, 0] = np.nan
    assert "on 61% of the view" in not_finite_note(f)
    assert "on all of the view" in not_finite_note(np.full((3, 3), np.nan))
    g = np.ones((200, 200))
    g[0, 0] = -np.inf
    assert "less than 1%" in not_finite_note(g)
