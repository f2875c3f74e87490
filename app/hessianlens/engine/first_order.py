"""First-order rules and the rates the Hessian can set, batched over leading axes: the Cauchy
rate, Polyak's heavy ball, Nesterov's accelerated gradient, Adam and RMSProp."""

from __future__ import annotations

import numpy as np

from hessianlens.engine.linalg2 import pow2_exponent


def unit_scaled(g) -> np.ndarray:
    """g divided by a power of two, its largest component in [0.5, 1) (per row of a batch):
    exact, so g.g / g.H g, which does not depend on the size of g, rounds as from g itself,
    and g.g and H g do not overflow for f = 1e160 (x^2 + y^2)."""
    g = np.asarray(g, dtype=float)
    return np.ldexp(g, -pow2_exponent(g[..., 0], g[..., 1])[..., None])


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


def nesterov_rates(mu, L) -> tuple[np.ndarray, np.ndarray]:
    """Nesterov's accelerated gradient tuned to a spectrum in [mu, L], 0 < mu <= L:
    lr = 1 / L, beta = (sqrt(L) - sqrt(mu)) / (sqrt(L) + sqrt(mu)) (Nesterov 2004,
    "Introductory Lectures on Convex Optimization", Sec. 2.2.1, constant step scheme III),
    which contract by about 1 - 1/sqrt(kappa) per step. (Polyak's heavy-ball pair is not
    safe here: with it the lookahead step diverges on a quadratic with kappa = 100.)
    NaN where 0 < mu <= L fails."""
    mu, L = np.asarray(mu, dtype=float), np.asarray(L, dtype=float)
    valid = (mu > 0) & (L >= mu) & np.isfinite(L)
    with np.errstate(all="ignore"):
        a, b = np.sqrt(L), np.sqrt(mu)
        lr = np.where(valid, 1.0 / L, np.nan)
        beta = np.where(valid, (a - b) / (a + b), np.nan)
    return lr, beta


def nesterov_step(g, velocity, lr, beta) -> tuple[np.ndarray, np.ndarray]:
    """One step of Nesterov's accelerated gradient, x_{k+1} = y_k - lr grad f(y_k),
    y_{k+1} = x_{k+1} + beta (x_{k+1} - x_k), written for the lookahead points y (where the
    gradient is taken, so the iterates are the y_k): with u_k = x_k - x_{k-1},

        u_{k+1} = beta u_k - lr g(y_k),    y_{k+1} - y_k = beta u_{k+1} - lr g(y_k)

    (Nesterov 1983 in the momentum form of Sutskever et al. 2013, v <- beta v - lr g(x +
    beta v), x <- x + v, rewritten for the lookahead points y = x + beta v as Bengio et al.
    2013 do). Returns the displacement of y and the new u."""
    lr, beta = np.asarray(lr, dtype=float)[..., None], np.asarray(beta, dtype=float)[..., None]
    u = beta * velocity - lr * g
    return beta * u - lr * g, u


# The epsilon of Adam and RMSProp: Kingma & Ba 2015, Alg. 1's default.
ADAPTIVE_EPS = 1e-8


def adam_step(g, m, v, t, lr, beta1, beta2, eps: float = ADAPTIVE_EPS):
    """One Adam step (Kingma & Ba 2015, Alg. 1): m <- b1 m + (1 - b1) g, v <- b2 v + (1 - b2)
    g^2, the bias-corrected m^ = m / (1 - b1^t), v^ = v / (1 - b2^t), and the displacement
    -lr m^ / (sqrt(v^) + eps), t the step's number from 1.

    lr is one number or one per batch element. Returns (displacement, m, v, rates): ``rates``
    = lr / (sqrt(v^) + eps), the step size each coordinate's (averaged) gradient is multiplied
    by.
    """
    g = np.asarray(g, dtype=float)
    t = np.asarray(t, dtype=float)[..., None]
    lr = np.asarray(lr, dtype=float)[..., None]
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    with np.errstate(all="ignore"):
        m_hat = m / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        rates = lr / (np.sqrt(v_hat) + eps)
    return -rates * m_hat, m, v, rates


def rmsprop_step(g, v, lr, rho, eps: float = ADAPTIVE_EPS):
    """One RMSProp step (Tieleman & Hinton 2012, Lecture 6.5): v <- rho v + (1 - rho) g^2 and
    the displacement -lr g / (sqrt(v) + eps). Returns (displacement, v, rates) with
    ``rates`` = lr / (sqrt(v) + eps) per coordinate."""
    g = np.asarray(g, dtype=float)
    lr = np.asarray(lr, dtype=float)[..., None]
    v = rho * v + (1 - rho) * g * g
    with np.errstate(all="ignore"):
        rates = lr / (np.sqrt(v) + eps)
    return -rates * g, v, rates
