"""The one-step rate along -grad f: eta = g.g / g.H.g (the Cauchy step without a radius)."""

from __future__ import annotations

import numpy as np

from hessianlens.engine.first_order import cauchy_rate, unit_scaled
from hessianlens.engine.rules.base import StatelessRule, Steps, backtrack, learning_rate


class OptimalRate(StatelessRule):
    """x <- x - eta grad f with the one-step rate eta = g.g / g.H.g along -grad f.

    eta minimises the quadratic model m(-eta g) = f - eta g.g + eta^2 g.H.g / 2: the 1D rate
    1/f'' of the second write-up along the gradient (the Cauchy step of Nocedal & Wright,
    eq. (4.12), without the trust radius). Where g.H.g <= 0 the model has no minimum along
    -g, so the rule falls back to ``learning_rate`` with backtracking (Alg. 3.1).
    """

    name = "optimal-lr"
    title = "Optimal learning rate"
    explanation = ("x <- x - eta grad f with eta = g.g / g.H.g, the rate that minimises the "
                   "quadratic model along -grad f")
    params = (learning_rate(0.1, "The fallback rate (with backtracking) where the curvature "
                                 "along -grad f, g.H.g, is not positive"),)

    per_row_rates = True

    def step(self, objective, b) -> Steps:
        gx, gy = b.gx, b.gy
        g = b.grad
        with np.errstate(all="ignore"):
            Hg = np.stack([b.hxx * gx + b.hxy * gy, b.hxy * gx + b.hyy * gy], axis=-1)
            gHg = np.einsum("...i,...i->...", g, Hg)
            u = unit_scaled(g)  # the rate from g scaled: no overflow where g.g or H g would
            Hu = np.stack([b.hxx * u[:, 0] + b.hxy * u[:, 1], b.hxy * u[:, 0] + b.hyy * u[:, 1]],
                          axis=-1)
        eta = cauchy_rate(u, Hu)  # NaN where g.H.g <= 0
        fell_back = np.isnan(eta)
        if np.any(fell_back):
            safe, _, _ = backtrack(objective, b, np.where(fell_back, -gx, np.nan),
                                   np.where(fell_back, -gy, np.nan), self.rates(b))
            eta = np.where(fell_back, safe, eta)
        return Steps(-eta * gx, -eta * gy, eta,
                     {"learning_rate": eta, "fell_back": fell_back, "gHg": gHg})
