"""The 2x2 algebra of the grid fields in one go: det H, the eigenvalues, the curvature class
and the length of the Newton step at every point of a grid, each sub-result computed once.

Bit for bit the numbers of linalg2's determinant, eigenvalues, curvature_class and solve (a
test compares them on hostile matrices), with fewer passes over the grid. Those functions
serve one iterate as well as a grid, so each computes what it needs afresh (the determinant
three times in a row) and allocates a new array for every operation. Over a 512 x 512 grid
every operation is a pass over 2 MB and the passes are the cost: here the sub-results are
shared, the temporaries are written in place (numpy's ``out=``) and the curvature classes
come from int8 arithmetic on the masks instead of a masked assignment per class."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hessianlens.engine.linalg2 import (INDEFINITE, SINGULAR, SINGULAR_RTOL, TINY, UNDEFINED,
                                        det_over, scaled_solve)

# Points per block (128 rows of a 512 x 512 grid): the block's four scratch arrays are reused
# from block to block and stay in the cache between passes. Measured here on 512 x 512: 2.9 ms
# for the whole algebra against 3.4-4.4 ms in one block; blocks of 32,768 points or fewer pay
# more in numpy's per-call cost than they save.
BLOCK = 1 << 16


@dataclass(frozen=True)
class HessianGrid:
    """Fields of H = [[a, b], [b, c]] and g over a grid; non-finite values are NaN."""

    det: np.ndarray
    eig_low: np.ndarray
    eig_high: np.ndarray
    curvature: np.ndarray  # int8 class codes of linalg2
    newton_length: np.ndarray  # |H^-1 g|, NaN where H is singular


def _all_finite(a: np.ndarray) -> bool:
    return bool(np.isfinite(a).all())


def nan_if_inf(a: np.ndarray) -> np.ndarray:
    """a with its infinities made NaN, in place."""
    if not _all_finite(a):
        a[~np.isfinite(a)] = np.nan
    return a


def hessian_grid(a, b, c, gx, gy) -> HessianGrid:
    """det H, eigenvalues (low <= high), curvature class and |Newton step| over a grid.

    a, b, c (the entries of H) and gx, gy (the gradient) are float arrays of one shape; they
    are only read. Every operation follows linalg2's, in the same order, so the rounding is
    the same.
    """
    shape = np.shape(a)
    flat = [np.ravel(v) for v in (a, b, c, gx, gy)]  # views of contiguous arrays
    n = flat[0].size
    out = [np.empty(n) for _ in range(4)] + [np.empty(n, dtype=np.int8)]
    scratch = [np.empty(min(n, BLOCK)) for _ in range(4)]
    with np.errstate(all="ignore"):
        for i in range(0, n, BLOCK):
            j = min(i + BLOCK, n)
            _block(*(v[i:j] for v in flat), *(v[i:j] for v in out),
                   scratch=[t[:j - i] for t in scratch])
    det, low, high, length, curvature = (v.reshape(shape) for v in out)
    return HessianGrid(det, low, high, curvature, length)


def _block(a, b, c, gx, gy, det, low, high, length, cls, scratch) -> None:
    """The fields of one block of points, written into det, low, high, length and cls."""
    bb, mean, radius, small = scratch
    np.multiply(b, b, out=bb)
    np.multiply(a, c, out=det)
    det -= bb  # a c - b^2, kept with its infinities for the solve below
    # Eigenvalues as linalg2.eigenvalues (Press et al., Numerical Recipes, 3rd ed.,
    # eqs. (5.6.4)-(5.6.5)): big = mean + sign(mean) radius, small = det / big.
    np.add(a, c, out=mean)
    mean *= 0.5
    np.subtract(a, c, out=radius)
    radius *= 0.5  # d = (a - c)/2
    radius *= radius
    radius += bb
    # The squares underflowed below the normal floats (entries of 1e-160), as linalg2.
    tiny = radius < TINY
    np.sqrt(radius, out=radius)
    if tiny.any():
        tiny &= (0.5 * (a - c) != 0.0) | (b != 0.0)
    if not _all_finite(radius) or tiny.any():  # the squares overflowed: hypot is slower but safe
        bad = ~np.isfinite(radius) | tiny
        radius[bad] = np.hypot(0.5 * (a[bad] - c[bad]), b[bad])
    big = np.copysign(radius, mean, out=bb)
    big += mean  # no cancellation: same signs
    np.divide(det, big, out=small)
    lost = ~(np.abs(det) >= TINY)
    lost |= np.isinf(det)
    if lost.any():  # a c - b^2 over- or underflowed: linalg2.det_over's scaled quotient
        small[lost] = det_over(a[lost], b[lost], c[lost], big[lost])
    if not _all_finite(small):  # big = 0 (H = 0) or non-finite entries
        lost = ~np.isfinite(small)
        small[lost] = mean[lost] - np.copysign(radius[lost], mean[lost])
    np.minimum(big, small, out=low)
    np.maximum(big, small, out=high)
    finite = _all_finite(low) and _all_finite(high)
    if not finite:
        nan_if_inf(low)
        nan_if_inf(high)
    _curvature(low, high, finite, cls, scratch=(small, mean, radius))
    _newton_length(a, b, c, gx, gy, det, cls == SINGULAR, length, scratch=(small, mean))
    nan_if_inf(det)


def _curvature(low, high, finite: bool, cls, scratch) -> None:
    """linalg2.curvature_class of ordered eigenvalues (finite: all of them are) into cls, by
    int8 arithmetic on the masks (a masked assignment per class costs a pass of its own)."""
    al, ah, top = scratch
    # INDEFINITE - 2 [low > 0] - [high < 0]: 0 positive definite, 1 negative definite,
    # 2 indefinite (low <= high, so both masks never hold at one point).
    positive = np.greater(low, 0).view(np.int8)
    np.add(positive, positive, out=cls)
    cls += np.less(high, 0).view(np.int8)
    np.subtract(INDEFINITE, cls, out=cls)
    # Singular as linalg2.singular_mask: min |lambda| <= SINGULAR_RTOL max |lambda|.
    np.abs(low, out=al)
    np.abs(high, out=ah)
    np.maximum(al, ah, out=top)
    top *= SINGULAR_RTOL
    np.minimum(al, ah, out=al)
    singular = np.less_equal(al, top).view(np.int8)
    cls += singular * (SINGULAR - cls)
    if not finite:
        cls[~(np.isfinite(low) & np.isfinite(high))] = UNDEFINED


def _newton_length(a, b, c, gx, gy, det, singular, length, scratch) -> None:
    """|H^-1 g| into length, by Cramer's rule as linalg2.solve: NaN where singular or not
    finite."""
    u, v, t = length, *scratch
    np.multiply(c, gx, out=u)
    u -= np.multiply(b, gy, out=t)
    u /= det  # (c gx - b gy) / det
    np.multiply(a, gy, out=v)
    v -= np.multiply(b, gx, out=t)
    v /= det  # (a gy - b gx) / det
    lost = ~(np.isfinite(u) & np.isfinite(v) & (np.abs(det) >= TINY))
    if lost.any():  # as linalg2.solve: the same numbers, scaled
        u[lost], v[lost] = scaled_solve(a[lost], b[lost], c[lost], gx[lost], gy[lost])
    if singular.any():
        u[singular] = np.nan
        v[singular] = np.nan
    u *= u
    v *= v
    u += v
    nan_if_inf(np.sqrt(u, out=u))
