"""Newton with a backtracking line search and a steepest-descent fallback."""

from __future__ import annotations

import numpy as np

from hessianlens.engine.rules.base import (StatelessRule, Steps, backtrack, is_descent,
                                           learning_rate, newton_uv)


class NewtonLineSearch(StatelessRule):
    """Newton direction, or -grad f where it is not a descent direction, with backtracking.

    Nocedal & Wright, Alg. 3.1 (backtracking Armijo) on the direction of Sec. 3.4 (Newton's
    method with Hessian modification, here the simplest one: the steepest-descent fallback).
    ``learning_rate`` is the first trial step alpha0.
    """

    name = "newton-linesearch"
    title = "Newton + line search"
    explanation = ("Newton's direction (or -grad f where it points uphill), shortened by "
                   "halving until f falls enough (Armijo)")
    params = (learning_rate(1.0, "The first trial step alpha0 of the backtracking line "
                                 "search along the direction"),)

    per_row_rates = True

    def step(self, objective, b) -> Steps:
        px, py = newton_uv(b.hxx, b.hxy, b.hyy, b.gx, b.gy)
        fell_back = ~is_descent(b.gx, b.gy, px, py)
        px, py = np.where(fell_back, -b.gx, px), np.where(fell_back, -b.gy, py)
        alpha, halvings, met = backtrack(objective, b, px, py, self.rates(b))
        return Steps(alpha * px, alpha * py, alpha,
                     {"learning_rate": alpha, "fell_back": fell_back, "backtracks": halvings,
                      "armijo": met})
