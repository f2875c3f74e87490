"""Heavy ball: x <- x - lr grad f + beta (x - x_prev) (Polyak 1964)."""

from __future__ import annotations

import numpy as np

from hessianlens.engine import linalg2
from hessianlens.engine.first_order import heavy_ball_step, polyak_rates
from hessianlens.engine.params import CHOICE, Param
from hessianlens.engine.rules.base import Rule, Steps, full, learning_rate

TUNES = ("none", "hessian")


def momentum_params(lr: float, beta: float, tuning: str) -> tuple[Param, ...]:
    return (learning_rate(lr, "Scale of the gradient in each step"),
            Param("beta", beta, (0.0, 0.999), label="Momentum (beta)", short="beta",
                  help="The share of the last step that each step keeps"),
            Param("tune", "none", kind=CHOICE, choices=TUNES, label="Tune from H",
                  help=f"hessian: lr and beta from the eigenvalues of H at the start by "
                       f"{tuning} (where H there is positive definite); none: as set"))


def tuned_state(rule, b, rates) -> dict:
    """lr and beta per start, from H's eigenvalues there by ``rates(mu, L)`` when tune=hessian
    and H is positive definite, as set otherwise; the eigenvalues are kept for the words."""
    m = len(b)
    low, high = linalg2.eigenvalues(b.hxx, b.hxy, b.hyy)
    lr, beta = np.array(rule.rates(b), dtype=float), full(b, rule.beta)
    tuned = np.zeros(m, dtype=bool)
    if rule.tune == "hessian":
        t_lr, t_beta = rates(low, high)
        tuned = np.isfinite(t_lr) & np.isfinite(t_beta)
        lr, beta = np.where(tuned, t_lr, lr), np.where(tuned, t_beta, beta)
    return {"velocity": np.zeros((m, 2)), "lr": lr, "beta": beta, "tuned": tuned,
            "start_low": np.asarray(low, dtype=float), "start_high": np.asarray(high, dtype=float)}


def tuning_notes(rule, state, who: str) -> str:
    """The message when tune=hessian could not be done: H at the start not positive definite."""
    if rule.tune != "hessian" or bool(state["tuned"][0]):
        return ""
    low, high = float(state["start_low"][0]), float(state["start_high"][0])
    return (f"tune=hessian: H at the start is not positive definite (eigenvalues {low:.4g}, "
            f"{high:.4g}), so {who}'s rates do not exist: lr {float(state['lr'][0]):g} and "
            f"beta {rule.beta:g} are used as set")


def newton_rates_words(iterate) -> str:
    """Newton's step sizes 1/|lambda| along H's eigenvectors at an iterate."""
    with np.errstate(divide="ignore"):
        inv = 1.0 / np.abs(iterate.eigenvalues)
    return f"Newton's 1/|lambda| here: ({inv[0]:.3g}, {inv[1]:.3g})"


class HeavyBall(Rule):
    """x_{k+1} = x_k - lr grad f(x_k) + beta (x_k - x_{k-1}) (Polyak 1964).

    With tune=hessian, lr = 4 / (sqrt(L) + sqrt(mu))^2 and beta = ((sqrt(L) - sqrt(mu)) /
    (sqrt(L) + sqrt(mu)))^2 from the eigenvalues mu <= L of H at the start: Polyak's optimal
    fixed pair for a quadratic with that spectrum (error shrinking by about 1 - 2/sqrt(kappa)
    per step). Where H at the start is not positive definite there is no such pair: lr and
    beta stay as set, and the run's message says so.
    """

    name = "momentum"
    title = "Heavy ball (momentum)"
    explanation = ("x <- x - lr grad f + beta (x - x_prev): gradient descent that keeps part of "
                   "its last step; tune=hessian sets lr and beta from H at the start (Polyak)")
    params = momentum_params(0.1, 0.5, "Polyak's optimal choice")
    per_row_rates = True

    def init_state(self, objective, b):
        return tuned_state(self, b, polyak_rates)

    def steps(self, objective, b, state):
        d = heavy_ball_step(b.grad, state["velocity"], state["lr"], state["beta"])
        return (Steps(d[:, 0], d[:, 1], state["lr"].copy(),
                      {"learning_rate": state["lr"], "beta": state["beta"],
                       "tuned": state["tuned"]}),
                {**state, "velocity": d})

    def notes(self, state) -> str:
        return tuning_notes(self, state, "Polyak")

    def believed_hessian(self, iterate):
        lr = iterate.info.get("learning_rate")  # the gradient part of a step is -lr g
        if lr is None and self.values.get("tune") == "none":
            lr = self.learning_rate  # the last iterate: no step recorded, the rate is fixed
        return None if lr is None else np.eye(2) / lr

    def relation(self, iterate) -> str:
        lr, beta = iterate.learning_rate, iterate.info.get("beta", np.nan)
        if iterate.info.get("tuned"):
            return (f"heavy ball with Polyak's (lr, beta) = ({lr:.3g}, {beta:.3g}), set from H "
                    f"at the start, is the best fixed momentum for that curvature; "
                    f"{newton_rates_words(iterate)}")
        return (f"heavy ball uses no curvature: lr {lr:.3g} stands for 1/lambda in every "
                f"direction, beta {beta:.3g} smooths the zigzag; {newton_rates_words(iterate)}")
