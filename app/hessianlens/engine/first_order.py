"""First-order rates the Hessian can set: the Cauchy rate and Polyak's heavy ball, batched."""

from __future__ import annotations

import numpy as np


def cauchy_rate(g, Hg) -> np.ndarray:
    """eta = g.g / g.H.g: the exact minimiser of the quadratic model along -g (the Cauchy
    step of Nocedal & Wright, eq. (4.12), without the trust radius). NaN where g.H.g <= 0,
    where the model has no minimum along -g."""
    with np.errstate(all="ignore"):
        gHg = np.einsum("...i,...i->...", g, Hg)
        eta = np.einsum("...i,...i->...", g, g) / gHg
    return np.where(np.isfinite(eta) & (gHg > 0), eta, np.nan)


def polyak_rates(mu, L) -> tuple[np.ndarray, np.ndarray]:
    """Heavy-ball learning rate and momentum tuned to a spectrum in [mu, L], 0 < mu <= L:
    lr = 4 / (sqrt(L) + sqrt(mu))^2, beta = ((sqrt(L) - sqrt(mu)) / (sqrt(L) + sqrt(mu)))^2
    (Polyak 1964), which contract a quadratic's error by about 1 - 2/sqrt(kappa) per step.
    NaN where 0 < mu <= L fails."""
    mu, L = np.asarray(mu, dtype=float), np.asarray(L, dtype=float)
    valid = (mu > 0) & (L >= mu) & np.isfinite(L)
    with np.errstate(all="ignore"):
        a, b = np.sqrt(L), np.sqrt(mu)
        lr = np.where(valid, 4.0 / (a + b) ** 2, np.nan)
        beta = np.where(valid, ((a - b) / (a + b)) ** 2, np.nan)
    return lr, beta


def heavy_ball_step(g, previous_step, lr, beta) -> np.ndarray:
    """The heavy-ball displacement x_{k+1} - x_k = -lr g + beta (x_k - x_{k-1}) (Polyak 1964);
    g and previous_step (..., n), lr and beta scalars or (...)."""
    lr, beta = np.asarray(lr, dtype=float), np.asarray(beta, dtype=float)
    return -lr[..., None] * g + beta[..., None] * previous_step
