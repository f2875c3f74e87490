"""Closed-form algebra of symmetric 2x2 matrices [[a, b], [b, c]], over whole arrays.

One code path serves a single iterate (scalars) and a 512 x 512 grid (arrays), so the
trajectory and the overlays can never disagree about curvature.
"""

from __future__ import annotations

import math

import numpy as np

# Curvature classes of a symmetric 2x2 matrix.
POSITIVE_DEFINITE = 0
NEGATIVE_DEFINITE = 1
INDEFINITE = 2
SINGULAR = 3
UNDEFINED = -1  # non-finite entries

CURVATURE_NAMES = {
    POSITIVE_DEFINITE: "positive definite",
    NEGATIVE_DEFINITE: "negative definite",
    INDEFINITE: "indefinite",
    SINGULAR: "singular",
    UNDEFINED: "undefined",
}

# |lambda_min| <= SINGULAR_RTOL * |lambda_max| counts as singular: a solve would keep only a
# few correct digits.
SINGULAR_RTOL = 1e-12


def _scalars(*values) -> bool:
    return all(type(v) is float for v in values)


# The smallest normal float: a determinant below it (or infinite) lost its digits.
TINY = float(np.finfo(float).tiny)


def pow2_exponent(*values):
    """e with 2^(e-1) <= max |value| < 2^e (0 for zero or non-finite values): dividing by 2^e
    is exact, so scaled arithmetic rounds as the unscaled would, without over- or underflow."""
    with np.errstate(all="ignore"):
        top = np.maximum.reduce([np.abs(np.asarray(v, dtype=float)) for v in values])
        top = np.where(np.isfinite(top), top, 0.0)
    return np.frexp(top)[1]


def det_over(a, b, c, big):
    """det [[a, b], [b, c]] / big, with big of the size of the largest entry (the larger
    eigenvalue): the product a c - b^2 overflows for entries of 1e160 and underflows to zero
    for 1e-170, where the quotient is an ordinary number (H = 2e-200 I is not singular). There
    it is computed from the entries scaled by a power of two."""
    det = determinant(a, b, c)
    if _scalars(a, b, c):  # one iterate: no numpy scalars, no errstate (Python floats warn not)
        if abs(det) >= TINY and math.isfinite(det):
            return det / big
        e = math.frexp(max(abs(v) if math.isfinite(v) else 0.0 for v in (a, b, c)))[1]
        return math.ldexp(determinant(math.ldexp(a, -e), math.ldexp(b, -e),
                                      math.ldexp(c, -e)) / math.ldexp(big, -e), e)
    with np.errstate(all="ignore"):
        small = det / big
        lost = ~((np.abs(det) >= TINY) & np.isfinite(det))
        if np.any(lost):
            e = pow2_exponent(a, b, c)
            scaled = np.ldexp(determinant(*(np.ldexp(w, -e) for w in (a, b, c)))
                              / np.ldexp(big, -e), e)
            small = np.where(lost, scaled, small)
        return small


def scaled_solve(a, b, c, gx, gy):
    """Cramer's rule with H scaled by 2^-e and g by 2^-k: H^-1 g = 2^(k-e) H'^-1 g'."""
    e, k = pow2_exponent(a, b, c), pow2_exponent(gx, gy)
    a, b, c = (np.ldexp(w, -e) for w in (a, b, c))
    gx, gy = (np.ldexp(w, -k) for w in (gx, gy))
    det = determinant(a, b, c)
    return np.ldexp((c * gx - b * gy) / det, k - e), np.ldexp((a * gy - b * gx) / det, k - e)


def determinant(a, b, c):
    """det [[a, b], [b, c]] = a c - b^2."""
    if _scalars(a, b, c):  # one iterate: Python floats, the same IEEE arithmetic
        return a * c - b * b
    with np.errstate(all="ignore"):
        return a * c - b * b


def eigenvalues(a, b, c):
    """Eigenvalues (low, high) of [[a, b], [b, c]].

    lambda = (a + c)/2 -+ sqrt(((a - c)/2)^2 + b^2). The root of larger magnitude comes from
    this formula and the other from det H / that root (the product of the two), as the
    stable quadratic formula does (Press et al., Numerical Recipes, 3rd ed., section 5.6,
    eqs. (5.6.4)-(5.6.5)):
    mean - radius would cancel to 0 for H = [[9e29, -1e16], [-1e16, 200]], whose small
    eigenvalue is 66.7.
    """
    if _scalars(a, b, c):  # one iterate: math on Python floats, the same numbers as numpy's
        mean, d = 0.5 * (a + c), 0.5 * (a - c)
        square = d * d + b * b  # inf on overflow, NaN from NaN, as numpy's
        radius = math.sqrt(square) if square >= 0.0 else square
        if not math.isfinite(radius) or (square < TINY and (d != 0.0 or b != 0.0)):  # as below
            radius = math.hypot(d, b)
        big = mean + math.copysign(radius, mean)
        small = det_over(a, b, c, big) if big != 0.0 else math.nan
        if not math.isfinite(small):
            small = mean - math.copysign(radius, mean)
        if math.isnan(big) or math.isnan(small):  # numpy's minimum and maximum keep a NaN
            return math.nan, math.nan
        return min(big, small), max(big, small)
    with np.errstate(all="ignore"):
        mean = 0.5 * (a + c)
        d = 0.5 * (a - c)
        square = d * d + b * b
        radius = np.sqrt(square)
        # The squares overflowed, or underflowed below the normal floats (entries of 1e-160):
        # hypot is slower but safe.
        bad = ~np.isfinite(radius) | ((square < TINY) & ((d != 0.0) | (b != 0.0)))
        if np.any(bad):
            radius = np.where(bad, np.hypot(d, b), radius)
        big = mean + np.copysign(radius, mean)  # no cancellation: same signs
        small = det_over(a, b, c, big)
        lost = ~np.isfinite(small)  # big = 0 (H = 0) or non-finite entries
        if np.any(lost):
            small = np.where(lost, mean - np.copysign(radius, mean), small)
        low, high = np.minimum(big, small), np.maximum(big, small)
    if np.ndim(low) == 0:
        return float(low), float(high)
    return low, high


def singular_mask(low, high):
    """True where min |lambda| <= SINGULAR_RTOL * max |lambda| (both zero included)."""
    with np.errstate(all="ignore"):
        al, ah = np.abs(low), np.abs(high)
        return np.minimum(al, ah) <= SINGULAR_RTOL * np.maximum(al, ah)


def curvature_class(low, high):
    """Class code per point from the eigenvalues (low <= high); an int for scalars."""
    if _scalars(low, high) or (np.ndim(low) == 0 and np.ndim(high) == 0):
        # one iterate: 10x cheaper than arrays
        lo, hi = float(low), float(high)
        if not (math.isfinite(lo) and math.isfinite(hi)):
            return UNDEFINED
        if min(abs(lo), abs(hi)) <= SINGULAR_RTOL * max(abs(lo), abs(hi)):
            return SINGULAR
        return POSITIVE_DEFINITE if lo > 0 else NEGATIVE_DEFINITE if hi < 0 else INDEFINITE
    low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    cls = np.full(np.broadcast_shapes(low.shape, high.shape), INDEFINITE, dtype=np.int8)
    with np.errstate(all="ignore"):
        cls[low > 0] = POSITIVE_DEFINITE
        cls[high < 0] = NEGATIVE_DEFINITE
        cls[singular_mask(low, high)] = SINGULAR
        cls[~(np.isfinite(low) & np.isfinite(high))] = UNDEFINED
    return cls if cls.ndim else int(cls)


def solve(a, b, c, gx, gy, singular=None):
    """(u, v) = [[a, b], [b, c]]^-1 (gx, gy) by Cramer's rule; NaN where singular.

    ``singular`` may pass a precomputed :func:`singular_mask` to save the eigenvalues.
    """
    if singular is None:
        singular = singular_mask(*eigenvalues(a, b, c))
    with np.errstate(all="ignore"):
        det = determinant(a, b, c)
        u = (c * gx - b * gy) / det
        v = (a * gy - b * gx) / det
        lost = ~(np.isfinite(u) & np.isfinite(v) & (np.abs(det) >= TINY))
        if np.any(lost):  # a product over- or underflowed: the same numbers, scaled
            if np.ndim(u):
                u, v = np.array(u, dtype=float), np.array(v, dtype=float)
                i = np.broadcast_to(lost, u.shape)
                u[i], v[i] = scaled_solve(*(np.broadcast_to(w, u.shape)[i]
                                             for w in (a, b, c, gx, gy)))
            else:
                u, v = (float(w) for w in scaled_solve(a, b, c, gx, gy))
        if np.ndim(u):
            u[singular] = np.nan
            v[singular] = np.nan
        elif singular:
            u = v = np.nan
    return u, v


def absolute(a, b, c):
    """Entries (a', b', c') of |H|: H = [[a, b], [b, c]] with its eigenvalues made positive.

    |H| = Q |Lambda| Q^T (Dauphin et al. 2014, "Identifying and attacking the saddle point
    problem", eq. (7)). In 2D: where H is semidefinite |H| = +-H; where it is indefinite
    (l1 < 0 < l2) the spectral projectors give |H| = s H + t I with
    s = (l1 + l2) / (l2 - l1) and t = -2 l1 l2 / (l2 - l1), and l2 - l1 = |l1| + |l2| > 0.
    """
    low, high = eigenvalues(a, b, c)
    with np.errstate(all="ignore"):
        gap = high - low
        s = np.where(low >= 0, 1.0, np.where(high <= 0, -1.0, (low + high) / gap))
        t = np.where((low >= 0) | (high <= 0), 0.0, -2.0 * low * high / gap)
        out = (s * a + t, s * b, s * c + t)
    if np.ndim(out[0]) == 0:
        return tuple(float(v) for v in out)
    return out


def eigenvectors(a, b, c):
    """Unit eigenvectors of [[a, b], [b, c]] as (cos t, sin t), t = atan2(2b, a - c) / 2:
    (cos t, sin t) belongs to the high eigenvalue and (-sin t, cos t) to the low one (the
    rotation that diagonalises a symmetric 2x2 matrix, Golub & Van Loan, Sec. 8.5.2)."""
    with np.errstate(all="ignore"):
        t = 0.5 * np.arctan2(2.0 * b, a - c)
        return np.cos(t), np.sin(t)


def eigh(a, b, c):
    """The eigendecomposition of many symmetric 2x2 matrices in the layout of
    numpy.linalg.eigh: w (..., 2) ascending and Q (..., 2, 2) with the eigenvectors as
    columns, in closed form (numpy's batched eigh is about 20 times slower on 2x2 blocks)."""
    low, high = eigenvalues(a, b, c)
    cos, sin = eigenvectors(a, b, c)
    w = np.stack(np.broadcast_arrays(low, high), axis=-1)
    Q = np.stack([np.stack(np.broadcast_arrays(-sin, cos), axis=-1),
                  np.stack(np.broadcast_arrays(cos, sin), axis=-1)], axis=-1)
    return w, Q
