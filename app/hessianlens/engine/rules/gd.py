"""Gradient descent: x <- x - lr grad f."""

from __future__ import annotations

import numpy as np

from hessianlens.engine.rules.base import StatelessRule, Steps, learning_rate


class GradientDescent(StatelessRule):
    """x <- x - lr * grad f."""

    name = "gd"
    title = "Gradient descent"
    explanation = "x <- x - lr grad f: a step of fixed scale down the steepest slope"
    params = (learning_rate(0.1, "Scale of each step: x <- x - lr grad f"),)
    per_row_rates = True

    def step(self, objective, b) -> Steps:
        lr = self.rates(b)
        return Steps(-lr * b.gx, -lr * b.gy, lr)

    def believed_hessian(self, iterate):
        # -lr g is Newton's step for the model with B = I / lr: the same curvature everywhere,
        # the last iterate (from which no step was taken) included.
        lr = iterate.learning_rate
        return np.eye(2) / lr if np.isfinite(lr) and lr > 0 else None
