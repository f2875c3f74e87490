"""Step rules: from the derivatives at an iterate, the displacement to the next one.

The two rules of the source write-up are the two ends of a trust-region dogleg (scipy's
``_trustregion_dogleg.py``): the gradient step is the Cauchy direction and the Newton step
is the full quasi-quadratic minimiser -H^-1 g (Nocedal & Wright, eqs. (2.14)-(2.15)).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from hessianlens.engine import linalg2
from hessianlens.engine.objective import Objective, PointDerivatives


@dataclass(frozen=True)
class Proposal:
    """A rule's answer at one iterate: the step, or why there is none."""

    step: np.ndarray | None
    learning_rate: float
    info: dict = field(default_factory=dict)
    message: str = ""


@dataclass(frozen=True)
class GradientDescent:
    """x <- x - lr * grad f."""

    learning_rate: float = 0.1
    name: ClassVar[str] = "gd"
    title: ClassVar[str] = "Gradient descent"

    def propose(self, objective: Objective, here: PointDerivatives) -> Proposal:
        return Proposal(-self.learning_rate * here.grad, self.learning_rate)


def newton_direction(H: np.ndarray, g: np.ndarray) -> np.ndarray | None:
    """The Newton step p = -H^-1 g, or None when H is singular."""
    u, v = linalg2.solve(H[0, 0], H[0, 1], H[1, 1], g[0], g[1])
    p = -np.array([u, v], dtype=float)
    return p if np.all(np.isfinite(p)) else None


@dataclass(frozen=True)
class Newton:
    """x <- x - lr * H^-1 grad f (the write-up's "Hessian step"; lr = 1 is the full step)."""

    learning_rate: float = 1.0
    name: ClassVar[str] = "newton"
    title: ClassVar[str] = "Newton"

    def propose(self, objective: Objective, here: PointDerivatives) -> Proposal:
        p = newton_direction(here.hessian, here.grad)
        if p is None:
            return Proposal(None, self.learning_rate,
                            message="the Hessian is singular here, so H^-1 grad f does not "
                                    "exist: Newton cannot take a step")
        return Proposal(self.learning_rate * p, self.learning_rate)


RULES = {rule.name: rule for rule in (GradientDescent, Newton)}


def make_rule(name: str, learning_rate: float | None = None):
    """A step rule by name ("gd", "newton"), with its default learning rate unless given.

    Raises
    ------
    ValueError
        For an unknown name.
    """
    try:
        cls = RULES[name]
    except KeyError:
        raise ValueError(f"unknown method '{name}': choose from {', '.join(RULES)}") from None
    return cls() if learning_rate is None else cls(learning_rate=float(learning_rate))
