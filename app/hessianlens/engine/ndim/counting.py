"""A problem wrapper that counts evaluations and times them (the "derivatives" share of a run)."""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass
class Counts:
    """Evaluations of f, the gradient, the (dense) Hessian and Hessian-vector products."""

    f: int = 0
    grad: int = 0
    hess: int = 0
    hessp: int = 0
    seconds: float = 0.0  # wall time spent inside the problem's functions


class CountedProblem:
    """The problem's f, grad, f_grad, hess and hessp, each call counted and timed."""

    def __init__(self, problem):
        self.problem = problem
        self.n = problem.n
        self.counts = Counts()

    def _timed(self, fn, *args):
        t0 = time.perf_counter()
        try:
            return fn(*args)
        finally:
            self.counts.seconds += time.perf_counter() - t0

    def f(self, x) -> float:
        self.counts.f += 1
        return self._timed(self.problem.f, x)

    def grad(self, x):
        self.counts.grad += 1
        return self._timed(self.problem.grad, x)

    def f_grad(self, x):
        self.counts.f += 1
        self.counts.grad += 1
        return self._timed(self.problem.f_grad, x)

    def hess(self, x):
        self.counts.hess += 1
        return self._timed(self.problem.hess, x)

    def hessp(self, x, v):
        self.counts.hessp += 1
        return self._timed(self.problem.hessp, x, v)
