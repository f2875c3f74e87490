"""Nesterov's accelerated gradient, its iterates the lookahead points (Nesterov 1983)."""

from __future__ import annotations

from hessianlens.engine.first_order import nesterov_rates, nesterov_step
from hessianlens.engine.rules.base import Rule, Steps
from hessianlens.engine.rules.momentum import (HeavyBall, momentum_params, newton_rates_words,
                                               tuned_state, tuning_notes)


class Nesterov(Rule):
    """x_{k+1} = y_k - lr grad f(y_k), y_{k+1} = x_{k+1} + beta (x_{k+1} - x_k): momentum whose
    gradient is taken where the momentum is about to carry the point (first_order.nesterov_step).

    With tune=hessian, lr = 1/L and beta = (sqrt(L) - sqrt(mu)) / (sqrt(L) + sqrt(mu)) from the
    eigenvalues mu <= L of H at the start (Nesterov 2004, constant step scheme III), which
    contract by about 1 - 1/sqrt(kappa) per step. Polyak's heavy-ball pair is not used: with
    it this lookahead step diverges on an ill-conditioned quadratic.
    """

    name = "nesterov"
    title = "Nesterov momentum"
    explanation = ("momentum with the gradient taken at the point the momentum leads to; "
                   "tune=hessian sets lr = 1/L and beta from H at the start")
    params = momentum_params(0.1, 0.5, "Nesterov's choice (1/L and "
                                       "(sqrt L - sqrt mu)/(sqrt L + sqrt mu))")
    per_row_rates = True

    def init_state(self, objective, b):
        return tuned_state(self, b, nesterov_rates)

    def steps(self, objective, b, state):
        d, u = nesterov_step(b.grad, state["velocity"], state["lr"], state["beta"])
        return (Steps(d[:, 0], d[:, 1], state["lr"].copy(),
                      {"learning_rate": state["lr"], "beta": state["beta"],
                       "tuned": state["tuned"]}),
                {**state, "velocity": u})

    def notes(self, state) -> str:
        return tuning_notes(self, state, "Nesterov")

    believed_hessian = HeavyBall.believed_hessian

    def relation(self, iterate) -> str:
        lr, beta = iterate.learning_rate, iterate.info.get("beta", float("nan"))
        if iterate.info.get("tuned"):
            return (f"Nesterov with (lr, beta) = ({lr:.3g}, {beta:.3g}) = (1/L, (sqrt L - sqrt "
                    f"mu)/(sqrt L + sqrt mu)) from H at the start; {newton_rates_words(iterate)}")
        return (f"Nesterov momentum uses no curvature: lr {lr:.3g} stands for 1/lambda in "
                f"every direction, beta {beta:.3g}; {newton_rates_words(iterate)}")
