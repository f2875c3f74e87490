"""Quasi-Newton formulas, batched over leading axes: BFGS and SR1 updates and the L-BFGS
two-loop.

Shapes: a matrix is (..., n, n), a vector (..., n), a scalar per batch element (...). A pair
(s, y) = (x_{k+1} - x_k, grad f_{k+1} - grad f_k) enters a BFGS update only where the curvature
condition y.s > 0 holds (Nocedal & Wright, eq. (6.7)), an SR1 update only where its denominator
is safe (6.26); elsewhere the update is skipped and the matrix returned unchanged, and the
``updated`` mask says which were updated.
"""

from __future__ import annotations

import numpy as np

# A pair counts as having positive curvature when y.s > CURVATURE_EPS |s| |y| (the usual
# guard against a near-zero y.s blowing up rho = 1 / y.s).
CURVATURE_EPS = 1e-10


def _dot(a, b) -> np.ndarray:
    # A product with ones: many times faster than einsum or np.sum for the short vectors of
    # the plane's rules, and BLAS for long ones.
    a = np.asarray(a, dtype=float)
    return (a * b) @ np.ones(a.shape[-1])


def _matvec(M, v) -> np.ndarray:
    return np.einsum("...ij,...j->...i", M, v)


def _outer(a, b) -> np.ndarray:
    return a[..., :, None] * b[..., None, :]


def curvature_ok(s, y, eps: float = CURVATURE_EPS) -> np.ndarray:
    """y.s > eps |s| |y|, finite: the pair may enter a BFGS update (N&W (6.7))."""
    with np.errstate(all="ignore"):
        ys = _dot(y, s)
        return np.isfinite(ys) & (ys > eps * np.sqrt(_dot(s, s) * _dot(y, y)))


def inverse_scale(s, y) -> np.ndarray:
    """gamma = s.y / y.y: the scaled identity gamma I that starts BFGS (N&W (6.20)) and the
    initial matrix H_k^0 of the L-BFGS two-loop (N&W (7.20))."""
    with np.errstate(all="ignore"):
        return _dot(s, y) / _dot(y, y)


def bfgs_update(B, s, y, eps: float = CURVATURE_EPS):
    """BFGS update of the Hessian approximation B (N&W (6.19)):
    B+ = B - (B s)(B s)^T / (s^T B s) + y y^T / (y^T s).

    Returns (B+, updated). Skipped (B unchanged) where y.s fails :func:`curvature_ok` or
    s^T B s <= 0.
    """
    B, s, y = (np.asarray(a, dtype=float) for a in (B, s, y))
    with np.errstate(all="ignore"):
        Bs = _matvec(B, s)
        sBs = _dot(s, Bs)
        ys = _dot(y, s)
        ok = curvature_ok(s, y, eps) & np.isfinite(sBs) & (sBs > 0)
        new = B - _outer(Bs, Bs) / sBs[..., None, None] + _outer(y, y) / ys[..., None, None]
    return np.where(ok[..., None, None], new, B), ok


def bfgs_inverse_correction(Hy, s, y, eps: float = CURVATURE_EPS):
    """The inverse BFGS update (N&W (6.17)), H+ = (I - rho s y^T) H (I - rho y s^T) + rho s s^T
    with rho = 1 / y.s, written as the symmetric rank-2 update H+ = H + u s^T + s u^T, where

        u = (rho^2 y^T H y + rho) / 2 s - rho H y.

    Takes H y (so that a caller storing H its own way, e.g. one triangle for BLAS syr2, needs
    only a matrix-vector product). Returns (u, updated); u = 0 where the pair is skipped.
    """
    Hy, s, y = (np.asarray(a, dtype=float) for a in (Hy, s, y))
    ok = curvature_ok(s, y, eps)
    with np.errstate(all="ignore"):
        rho = np.where(ok, 1.0 / _dot(y, s), 0.0)
        c = 0.5 * (rho * rho * _dot(y, Hy) + rho)
        u = c[..., None] * s - rho[..., None] * Hy
    return np.where(ok[..., None], u, 0.0), ok


def bfgs_inverse_update(H, s, y, eps: float = CURVATURE_EPS):
    """Inverse BFGS update of H ~ (Hessian)^-1 (N&W (6.17)); returns (H+, updated)."""
    H = np.asarray(H, dtype=float)
    u, ok = bfgs_inverse_correction(_matvec(H, y), s, y, eps)
    s = np.asarray(s, dtype=float)
    return H + _outer(u, s) + _outer(s, u), ok


def two_loop(g, S, Y, gamma):
    """r = H_k g by the L-BFGS two-loop recursion (N&W Alg. 7.4); the direction is -r.

    Parameters
    ----------
    g : (..., n)
    S, Y : (..., m, n)
        The stored pairs, oldest first. A pair failing :func:`curvature_ok` (an empty slot of
        zeros, say) gets rho = 0, which makes both loops skip it.
    gamma : (...)
        H_k^0 = gamma I (N&W (7.20)); 1 when no pair is stored yet.
    """
    g, S, Y = (np.asarray(a, dtype=float) for a in (g, S, Y))
    ok = curvature_ok(S, Y)
    with np.errstate(all="ignore"):
        rho = np.where(ok, 1.0 / _dot(Y, S), 0.0)
    m = S.shape[-2]
    a = np.zeros(S.shape[:-1])
    q = g.copy()
    for i in range(m - 1, -1, -1):
        a[..., i] = rho[..., i] * _dot(S[..., i, :], q)
        q -= a[..., i, None] * Y[..., i, :]
    r = np.asarray(gamma, dtype=float)[..., None] * q
    for i in range(m):
        b = rho[..., i] * _dot(Y[..., i, :], r)
        r += (a[..., i] - b)[..., None] * S[..., i, :]
    return r


# The skip rule of SR1 (N&W (6.26)): r, "a small number, say r = 1e-8".
SR1_SKIP = 1e-8


def sr1_update(B, s, y, r: float = SR1_SKIP):
    """Symmetric-rank-one update of B (N&W (6.24)): B+ = B + (y - B s)(y - B s)^T /
    ((y - B s)^T s).

    Returns (B+, updated). Skipped (B unchanged) unless |s^T (y - B s)| >= r |s| |y - B s|
    (N&W (6.26)), which keeps the denominator away from zero; B+ may be indefinite, which
    SR1 is used for (inside a trust region, N&W Alg. 6.2).
    """
    B, s, y = (np.asarray(a, dtype=float) for a in (B, s, y))
    with np.errstate(all="ignore"):
        d = y - _matvec(B, s)
        ds = _dot(d, s)
        ok = np.isfinite(ds) & (np.abs(ds) >= r * np.sqrt(_dot(s, s) * _dot(d, d))) & (ds != 0)
        new = B + _outer(d, d) / ds[..., None, None]
    return np.where(ok[..., None, None], new, B), ok


def estimate_error(B, H) -> np.ndarray:
    """||B - H||_F / ||H||_F over leading axes: how far a quasi-Newton estimate is from the true
    Hessian (NaN where H = 0 or either is not finite)."""
    B, H = np.asarray(B, dtype=float), np.asarray(H, dtype=float)
    with np.errstate(all="ignore"):
        err = np.sqrt(np.sum((B - H) ** 2, axis=(-2, -1)) / np.sum(H * H, axis=(-2, -1)))
    return np.where(np.isfinite(err), err, np.nan)
