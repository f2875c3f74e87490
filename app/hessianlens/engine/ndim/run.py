"""Run a method on a problem to a tolerance and measure it: a frozen RunResult, never an
exception."""

from __future__ import annotations

import dataclasses
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields

import numpy as np

from hessianlens.engine.ndim.counting import CountedProblem
from hessianlens.engine.ndim.methods import METHODS

CONVERGED = "converged"
MAX_ITERATIONS = "max_iterations"
DIVERGED = "diverged"
CANCELLED = "cancelled"
NUMERICAL_ERROR = "numerical_error"
BOUND = 1e8  # diverged when an iterate leaves |x_i| <= BOUND
DEFAULT_TOL = 1e-6
DEFAULT_MAX_ITER = 20_000
# A run shorter than this is repeated (up to REPEATS times in all, within REPEATS times this
# long) and the median kept: single timings of a few milliseconds are mostly noise.
SHORT_RUN_SECONDS = 0.05
REPEATS = 5


@dataclass(frozen=True)
class RunResult:
    """One (problem, n, method) run: how it ended and what it cost."""

    problem: str
    n: int
    method: str
    status: str
    message: str
    iterations: int
    seconds: float
    derivative_seconds: float  # inside f, gradient, Hessian and Hessian-vector products
    linalg_seconds: float  # the rest: factorisations, updates, line-search bookkeeping
    f: float
    grad_norm: float
    f_evals: int
    grad_evals: int
    hess_evals: int
    hessp_evals: int
    state_floats: int  # floats the method keeps between iterations (x and g included)
    repeats: int = 1  # timed runs; seconds are their median
    x: np.ndarray | None = field(default=None, repr=False, compare=False)  # the last iterate

    @property
    def converged(self) -> bool:
        return self.status == CONVERGED

    @property
    def state_bytes(self) -> int:
        return 8 * self.state_floats

    def as_dict(self) -> dict:
        """The numbers as JSON-ready values (the last iterate left out)."""
        d = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "x"}
        for key in ("f", "grad_norm", "seconds", "derivative_seconds", "linalg_seconds"):
            d[key] = d[key] if math.isfinite(d[key]) else None
        d["state_bytes"] = self.state_bytes
        return d


def method_names() -> tuple[str, ...]:
    return tuple(METHODS)


def _count(k: int) -> str:
    return "1 iteration" if k == 1 else f"{k} iterations"


def _norm(v) -> float:
    return float(np.sqrt(v @ v))


def run_method(problem, method: str, tol: float = DEFAULT_TOL,
               max_iter: int = DEFAULT_MAX_ITER,
               cancel: Callable[[], bool] | None = None) -> RunResult:
    """Run one method from the problem's start until |grad f| <= tol max(1, |grad f(x0)|).

    Parameters
    ----------
    problem : a problem of :mod:`hessianlens.engine.ndim.problems`
    method : str
        A key of METHODS.
    tol : float
        Relative gradient tolerance (the start's gradient grows with n; a relative test
        asks the same of every n).
    max_iter : int
    cancel : callable, optional
        Checked every iteration; True stops the run with status ``cancelled``.

    Returns
    -------
    RunResult
        Numerical trouble ends the run with a status and a message, never an exception.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method '{method}': choose from {', '.join(METHODS)}")
    METHODS[method].prepare()
    P = CountedProblem(problem)
    k, x, f, g, state_floats, notes = 0, None, math.nan, None, 0, ""
    t0 = time.perf_counter()

    def done(status: str, message: str) -> RunResult:
        seconds = time.perf_counter() - t0
        c = P.counts
        words = f"{message}; {notes}" if notes else message
        gnorm = _norm(g) if g is not None and np.all(np.isfinite(g)) else math.nan
        last = np.array(x, dtype=float) if x is not None else None
        if last is not None:
            last.flags.writeable = False
        return RunResult(problem.name, problem.n, method, status, words, k, seconds,
                         c.seconds, max(seconds - c.seconds, 0.0), float(f), gnorm, c.f,
                         c.grad, c.hess, c.hessp, state_floats, x=last)

    with np.errstate(all="ignore"):
        try:
            x = np.array(problem.x0, dtype=float)
            f, g = P.f_grad(x)
            threshold = tol * max(1.0, _norm(g))
            m = METHODS[method](P, x, f, g)
            state_floats = m.state_floats
            while True:
                if not (math.isfinite(f) and np.all(np.isfinite(g))):
                    notes = m.notes()
                    return done(DIVERGED, f"diverged: f or its gradient is not finite after "
                                          f"{k} iterations")
                if np.max(np.abs(x)) > BOUND:
                    notes = m.notes()
                    return done(DIVERGED, f"diverged: |x_i| > {BOUND:g} after {k} iterations")
                gnorm = _norm(g)
                if gnorm <= threshold:
                    notes = m.notes()
                    where = ("the saddle point" if problem.stationary_kind == "saddle"
                             else "the minimum")
                    return done(CONVERGED, f"converged to {where} in {_count(k)}: |grad f| "
                                           f"= {gnorm:.3g} <= {threshold:.3g}")
                if k >= max_iter:
                    notes = m.notes()
                    return done(MAX_ITERATIONS, f"stopped after {max_iter} iterations: |grad f| "
                                                f"= {gnorm:.3g} is still above {threshold:.3g}")
                if cancel is not None and cancel():
                    return done(CANCELLED, f"cancelled after {k} iterations")
                st = m.step(x, f, g)
                if st.stop:
                    notes = m.notes()
                    return done(st.stop, f"stopped at iteration {k}: {st.message}")
                x, f, g = st.x, st.f, st.g
                k += 1
        except (ArithmeticError, MemoryError, ValueError, np.linalg.LinAlgError) as exc:
            return done(NUMERICAL_ERROR, f"numerical error at iteration {k}: {exc}")


def measure(problem, method: str, tol: float = DEFAULT_TOL, max_iter: int = DEFAULT_MAX_ITER,
            cancel: Callable[[], bool] | None = None) -> RunResult:
    """run_method, repeated when it is shorter than SHORT_RUN_SECONDS: the median run by
    time, with ``repeats`` set (the iterates and counts are the same every time)."""
    first = run_method(problem, method, tol, max_iter, cancel)
    if first.seconds >= SHORT_RUN_SECONDS or first.status == CANCELLED:
        return first
    runs = [first]
    while len(runs) < REPEATS and sum(r.seconds for r in runs) < SHORT_RUN_SECONDS * REPEATS:
        if cancel is not None and cancel():
            break
        runs.append(run_method(problem, method, tol, max_iter))
    median = statistics.median_low([r.seconds for r in runs])
    chosen = next(r for r in runs if r.seconds == median)
    return dataclasses.replace(chosen, repeats=len(runs))
