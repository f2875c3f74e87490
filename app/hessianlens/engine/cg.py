"""Conjugate gradients for the Newton-CG direction (Nocedal & Wright, Alg. 7.1), batched.

The Hessian is never formed: only products B d with the Hessian (``hessp``) are used, so a
Newton-CG step costs a few gradients' worth of work where Newton pays for the whole matrix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CGResult:
    """The direction p, the Hessian-vector products each solve used, and how it ended:
    ``converged`` (|r| < tol), ``negative_curvature`` (d^T B d <= 0 met: p = -g at the first
    iteration, the last iterate otherwise) or neither (max_iter reached)."""

    p: np.ndarray
    products: np.ndarray
    converged: np.ndarray
    negative_curvature: np.ndarray


def forcing_tolerance(g) -> np.ndarray:
    """eps_k = min(0.5, sqrt(|g|)) |g|: the residual CG must reach (N&W Alg. 7.1, after
    (7.3)), which makes Newton-CG converge superlinearly (N&W Thm. 7.2)."""
    norm = np.sqrt(np.einsum("...i,...i->...", g, g))
    return np.minimum(0.5, np.sqrt(norm)) * norm


def newton_cg_direction(hessp: Callable[[np.ndarray], np.ndarray], g, tol,
                        max_iter: int) -> CGResult:
    """Approximately solve B p = -g by CG from p = 0 (N&W Alg. 7.1, inner loop).

    Parameters
    ----------
    hessp : callable
        ``hessp(d)`` -> B d for d of shape (..., n) (the whole batch; a finished solve's d is
        zero).
    g : (..., n)
        The gradient.
    tol : (...)
        Stop when |r| < tol (r = B z + g, the residual).
    max_iter : int
        At most this many products per solve.
    """
    g = np.asarray(g, dtype=float)
    batch = g.shape[:-1]
    tol = np.broadcast_to(np.asarray(tol, dtype=float), batch)
    z = np.zeros_like(g)
    r = g.copy()
    d = -g
    rr = np.einsum("...i,...i->...", r, r)
    active = np.ones(batch, dtype=bool)
    converged = np.zeros(batch, dtype=bool)
    negative = np.zeros(batch, dtype=bool)
    products = np.zeros(batch, dtype=int)
    with np.errstate(all="ignore"):
        done_at_start = np.sqrt(rr) < tol
    converged |= done_at_start
    active &= ~done_at_start
    for j in range(max_iter):
        if not active.any():
            break
        d = np.where(active[..., None], d, 0.0)
        Bd = np.asarray(hessp(d), dtype=float)
        products += active
        with np.errstate(all="ignore"):
            dBd = np.einsum("...i,...i->...", d, Bd)
            bend = active & ~(dBd > 0)  # negative (or zero, or NaN) curvature along d
            # At the first iteration the answer is -g (z is still 0); later z itself.
            z = np.where((bend & (j == 0))[..., None], -g, z)
            negative |= bend
            active &= ~bend
            alpha = np.where(active, rr / dBd, 0.0)
            z = z + alpha[..., None] * d
            r = r + alpha[..., None] * Bd
            rr_new = np.einsum("...i,...i->...", r, r)
            reached = active & (np.sqrt(rr_new) < tol)
            converged |= reached
            active &= ~reached
            beta = np.where(active, rr_new / rr, 0.0)
            d = -r + beta[..., None] * d
            rr = np.where(active, rr_new, rr)
    return CGResult(z, products, converged, negative)
