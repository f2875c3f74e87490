"""RMSProp: x <- x - lr g / (sqrt(v) + eps) (Tieleman & Hinton 2012)."""

from __future__ import annotations

import numpy as np

from hessianlens.engine.first_order import rmsprop_step
from hessianlens.engine.params import Param
from hessianlens.engine.rules.adaptive import believed_diagonal, rates_info, rates_words
from hessianlens.engine.rules.base import Rule, Steps, learning_rate


class RMSProp(Rule):
    """RMSProp (Tieleman & Hinton 2012): x <- x - lr g / (sqrt(v) + eps), v a running mean of
    g^2 with decay rho, eps = 1e-8. ``info.rate_x``, ``rate_y``: each coordinate's step size."""

    name = "rmsprop"
    title = "RMSProp"
    explanation = ("x <- x - lr grad f / sqrt(v): v a running mean of the squared gradient, "
                   "so each coordinate's step is scaled by its gradient's size")
    params = (learning_rate(0.05, "The step size before the division by sqrt(v)"),
              Param("rho", 0.9, (0.0, 0.9999), label="Decay (rho)", short="rho",
                    help="Decay of the running mean of the squared gradient"))
    per_row_rates = True

    def init_state(self, objective, b):
        return {"v": np.zeros((len(b), 2))}

    def steps(self, objective, b, state):
        lr = self.rates(b)
        d, v, rates = rmsprop_step(b.grad, state["v"], lr, self.rho)
        return Steps(d[:, 0], d[:, 1], lr, rates_info(rates)), {"v": v}

    def believed_hessian(self, iterate):
        return believed_diagonal(iterate)

    def relation(self, iterate) -> str:
        return rates_words("RMSProp divides by the root mean square of the gradient, not by "
                           "curvature", iterate)
