"""Adam: x <- x - lr m^ / (sqrt(v^) + eps) (Kingma & Ba 2015, Alg. 1)."""

from __future__ import annotations

import numpy as np

from hessianlens.engine.first_order import adam_step
from hessianlens.engine.params import Param
from hessianlens.engine.rules.adaptive import believed_diagonal, rates_info, rates_words
from hessianlens.engine.rules.base import Rule, Steps, learning_rate


class Adam(Rule):
    """Adam (Kingma & Ba 2015, Alg. 1): x <- x - lr m^ / (sqrt(v^) + eps), m and v running
    means of g and g^2 with bias correction, eps = 1e-8. ``info.rate_x``, ``rate_y``: the step
    size lr / (sqrt(v^) + eps) of each coordinate."""

    name = "adam"
    title = "Adam"
    explanation = ("x <- x - lr m / sqrt(v): m and v running means of grad f and its square, so "
                   "each coordinate moves about lr per step whatever the curvature")
    params = (learning_rate(0.1, "The step size: each coordinate moves about lr per step"),
              Param("beta1", 0.9, (0.0, 0.999), label="beta1", help="Decay of the running "
                    "mean of the gradient (momentum)"),
              Param("beta2", 0.999, (0.0, 0.99999), label="beta2", help="Decay of the running "
                    "mean of the squared gradient"))
    per_row_rates = True

    def init_state(self, objective, b):
        m = len(b)
        return {"m": np.zeros((m, 2)), "v": np.zeros((m, 2)), "t": np.zeros(m, dtype=int)}

    def steps(self, objective, b, state):
        t = state["t"] + 1
        lr = self.rates(b)
        d, m, v, rates = adam_step(b.grad, state["m"], state["v"], t, lr, self.beta1,
                                   self.beta2)
        return Steps(d[:, 0], d[:, 1], lr, rates_info(rates)), {"m": m, "v": v, "t": t}

    def believed_hessian(self, iterate):
        return believed_diagonal(iterate)

    def relation(self, iterate) -> str:
        return rates_words("Adam rescales by gradient magnitudes, not by curvature", iterate)
