"""The grid's one-pass 2x2 algebra gives linalg2's numbers bit for bit, and the Newton step
computed on first use (or on the arrows' coarse grid) is the full grid's."""

import itertools

import numpy as np
import pytest

from hessianlens.engine import linalg2
from hessianlens.engine.fields import NEWTON_ARROWS, Rect, compute_fields
from hessianlens.engine import hessian_grid as hessian_grid_module
from hessianlens.engine.hessian_grid import hessian_grid, nan_if_inf
from hessianlens.engine.objective import objective_from_text

EXAMPLE3 = "sin(x0)**2 + sin(10 + x1*x0/2) * cos(x0)"
# Entries that take every branch: zeros of both signs, subnormals, squares that underflow
# or overflow (hypot), products that overflow (det = inf, so small falls back), NaN and inf.
ENTRIES = [0.0, -0.0, 1.0, -2.5, 3.0, 1e-13, -1e-170, 5e-324, 1e154, -1e200, 1e300,
           np.nan, np.inf, -np.inf]


def same_bits(x, y) -> bool:
    """Equal shapes, NaN at the same places and every other value bit for bit (-0.0 is not
    0.0)."""
    x, y = np.asarray(x), np.asarray(y)
    if x.shape != y.shape or x.dtype != y.dtype:
        return False
    if x.dtype != np.float64:
        return bool(np.array_equal(x, y))
    nx, ny = np.isnan(x), np.isnan(y)
    return bool(np.array_equal(nx, ny)) and np.array_equal(x[~nx].view(np.uint64),
                                                           y[~ny].view(np.uint64))


def linalg2_fields(a, b, c, gx, gy):
    """The fields as linalg2's functions give them, one after the other."""
    det = nan_if_inf(linalg2.determinant(a, b, c))
    low, high = (nan_if_inf(e) for e in linalg2.eigenvalues(a, b, c))
    curvature = linalg2.curvature_class(low, high)
    u, v = linalg2.solve(a, b, c, gx, gy, singular=curvature == linalg2.SINGULAR)
    dx, dy = nan_if_inf(-u), nan_if_inf(-v)
    with np.errstate(all="ignore"):
        length = nan_if_inf(np.sqrt(dx * dx + dy * dy))
    return det, low, high, curvature, length


@pytest.mark.parametrize("block", [None, 1000])  # one block; five, the last one short
def test_the_one_pass_algebra_gives_linalg2s_numbers_bit_for_bit(block, monkeypatch):
    if block:
        monkeypatch.setattr(hessian_grid_module, "BLOCK", block)
    a, b, c = (np.array(v) for v in zip(*itertools.product(ENTRIES, repeat=3)))
    rng = np.random.default_rng(3)
    gx, gy = rng.normal(size=a.size), rng.normal(size=a.size) * 1e5
    gx[::7] = np.nan
    gy[::11] = 1e300
    # And a batch of ordinary matrices, some near singular (|low| ~ 1e-12 |high|).
    m = rng.normal(size=(3, 2000))
    m[2, :500] = m[1, :500] ** 2 / m[0, :500] * (1 + rng.normal(size=500) * 1e-12)
    a, b, c = (np.concatenate([v, w]) for v, w in zip((a, b, c), m))
    gx, gy = (np.concatenate([g, rng.normal(size=2000)]) for g in (gx, gy))
    a, b, c, gx, gy = (v.reshape(4, -1) for v in (a, b, c, gx, gy))
    inputs = [v.copy() for v in (a, b, c, gx, gy)]
    got = hessian_grid(a, b, c, gx, gy)
    expected = linalg2_fields(a, b, c, gx, gy)
    for name, want in zip(("det", "eig_low", "eig_high", "curvature", "newton_length"), expected):
        assert same_bits(getattr(got, name), want), name
    assert all(same_bits(x, y) for x, y in zip(inputs, (a, b, c, gx, gy)))  # only read
    # Every class occurs, and both of linalg2.eigenvalues' fallbacks were taken.
    assert set(np.unique(got.curvature)) == {linalg2.POSITIVE_DEFINITE, linalg2.NEGATIVE_DEFINITE,
                                             linalg2.INDEFINITE, linalg2.SINGULAR,
                                             linalg2.UNDEFINED}
    with np.errstate(all="ignore"):
        assert not np.isfinite(np.sqrt(0.25 * (a - c) ** 2 + b * b)[np.isfinite(a + b + c)]).all()
        assert np.isinf(a * c - b * b)[np.isfinite(got.eig_low)].any()


@pytest.mark.parametrize("text", [EXAMPLE3, "x**3 + y**2", "log(x) + 1/(y - 0.5)", "x + y"])
def test_the_newton_step_computed_on_first_use_is_the_eager_one(text):
    F = compute_fields(objective_from_text(text), Rect(-2, 3, -1, 2), 41, 29)
    u, v = linalg2.solve(F.hxx, F.hxy, F.hyy, F.gx, F.gy,
                         singular=F.curvature == linalg2.SINGULAR)
    dx, dy = nan_if_inf(-u), nan_if_inf(-v)
    assert same_bits(F.newton_dx, dx) and same_bits(F.newton_dy, dy)
    with np.errstate(invalid="ignore"):
        assert np.array_equal(F.newton_descent, F.gx * dx + F.gy * dy < 0)
        assert same_bits(F.newton_length, nan_if_inf(np.sqrt(dx * dx + dy * dy)))
    assert F.newton is F.newton  # computed once


def test_the_arrows_coarse_grid_has_the_full_grids_newton_steps_at_its_points():
    # 24 integer coordinates per axis and a fine grid with a half step: the coarse points are
    # every other fine point, exactly.
    n = NEWTON_ARROWS
    rect = Rect(-12, -12 + n - 1, -5, -5 + n - 1)
    obj = objective_from_text(EXAMPLE3)
    coarse, fine = compute_fields(obj, rect, n), compute_fields(obj, rect, 2 * n - 1)
    assert same_bits(coarse.xs, fine.xs[::2]) and same_bits(coarse.ys, fine.ys[::2])
    for name in ("newton_dx", "newton_dy", "newton_descent", "newton_length", "curvature"):
        assert same_bits(getattr(coarse, name), getattr(fine, name)[::2, ::2]), name
    assert coarse.newton_descent.any() and not coarse.newton_descent.all()
