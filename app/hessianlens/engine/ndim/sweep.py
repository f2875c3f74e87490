"""A sweep over n: every method on one problem at every dimension, and where Newton stops
winning (the crossover), in numbers and in words."""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from hessianlens.engine.ndim.methods import DEFAULT_METHODS, METHODS
from hessianlens.engine.ndim.problems import PROBLEMS, make_problem
from hessianlens.engine.ndim.run import (CANCELLED, DEFAULT_MAX_ITER, DEFAULT_TOL, RunResult,
                                         measure)

REFERENCE = "newton"


def log_dims(n_min: int = 2, n_max: int = 4096) -> tuple[int, ...]:
    """Powers of two from n_min to n_max (both rounded to powers of two, at least 2)."""
    lo = max(1, round(math.log2(max(n_min, 2))))
    hi = max(lo, round(math.log2(max(n_max, 2))))
    return tuple(2**k for k in range(lo, hi + 1))


@dataclass(frozen=True)
class SweepSettings:
    """What to run: the problem, its dimensions, the methods and the stopping rule."""

    problem: str = "quadratic"
    dims: tuple[int, ...] = (2, 16, 128, 1024)
    methods: tuple[str, ...] = DEFAULT_METHODS
    kappa: float = 100.0
    negatives: int = 0
    tol: float = DEFAULT_TOL
    max_iter: int = DEFAULT_MAX_ITER
    seed: int = 0
    # BLAS threads during the runs: 1 by default, so that times compare the methods, not how
    # a shared machine schedules BLAS threads (on 2 busy cores a 128 x 128 Cholesky measured
    # 0.27 ms on one thread and 85 ms on two); 0 leaves the library's own setting.
    blas_threads: int = 1

    def validated(self) -> SweepSettings:
        """The settings checked: ValueError with a message for the user otherwise. For the
        logistic regression the dimensions collapse to the data set's one n."""
        if self.problem not in PROBLEMS:
            raise ValueError(f"unknown problem '{self.problem}': choose from "
                             f"{', '.join(PROBLEMS)}")
        unknown = [m for m in self.methods if m not in METHODS]
        if unknown:
            raise ValueError(f"unknown method '{unknown[0]}': choose from {', '.join(METHODS)}")
        if not self.methods:
            raise ValueError("choose at least one method")
        if not self.dims:
            raise ValueError("choose at least one dimension n")
        if not (self.tol > 0 and math.isfinite(self.tol)):
            raise ValueError(f"the tolerance must be a positive number, not {self.tol:g}")
        if self.max_iter < 1:
            raise ValueError("the iteration limit must be at least 1")
        if self.blas_threads < 0:
            raise ValueError("the number of BLAS threads must be 0 (the library's choice) or "
                             "more")
        # make_problem checks n, kappa and negatives, with the user's numbers in its message:
        # in the order the user gave them, so that the first bad n is the one named.
        dims = tuple(dict.fromkeys(int(n) for n in self.dims))
        problems = [make_problem(self.problem, n, self.kappa, self.negatives, self.seed)
                    for n in dims]
        dims = tuple(sorted({p.n for p in problems}))
        methods = tuple(dict.fromkeys(self.methods))
        return SweepSettings(self.problem, dims, methods, self.kappa, self.negatives, self.tol,
                             self.max_iter, self.seed, self.blas_threads)


@dataclass(frozen=True)
class Crossover:
    """Newton against one other method over n."""

    method: str
    kind: str  # "always_faster", "never_faster", "crossover", "no_data"
    n_low: int | None = None  # the last n at which Newton was faster
    n_high: int | None = None  # the next n measured, at which it was not
    n_estimate: float | None = None  # where the log-log time curves cross, between the two
    seconds_estimate: float | None = None  # the time there (on both curves)
    text: str = ""


@dataclass(frozen=True)
class Sweep:
    settings: SweepSettings
    runs: tuple[RunResult, ...]
    crossovers: tuple[Crossover, ...] = field(default_factory=tuple)
    seconds: float = 0.0
    cancelled: bool = False


def title(method: str) -> str:
    return METHODS[method].title if method in METHODS else method


def seconds_text(t: float) -> str:
    """0.000085 -> '85 us', 0.012 -> '12 ms', 1.3 -> '1.3 s'."""
    if not math.isfinite(t):
        return "-"
    if t < 1e-3:
        return f"{t * 1e6:.3g} \u00b5s"
    if t < 1:
        return f"{t * 1e3:.3g} ms"
    return f"{t:.3g} s"


def _time(r: RunResult | None) -> float:
    """Time to tolerance: infinite where the run did not converge."""
    return r.seconds if r is not None and r.converged else math.inf


def crossovers(runs: Sequence[RunResult], reference: str = REFERENCE) -> tuple[Crossover, ...]:
    """For every method beside ``reference``: up to which n the reference reaches the
    tolerance faster, and where it stops doing so."""
    by = {(r.method, r.n): r for r in runs}
    methods = list(dict.fromkeys(r.method for r in runs if r.method != reference))
    out = []
    ref = title(reference)
    for m in methods:
        dims = sorted(n for (mm, n) in by if mm == m and (reference, n) in by)
        name = title(m)
        if not dims:
            out.append(Crossover(m, "no_data", text=f"{ref} and {name} have no n in common."))
            continue
        tr = [_time(by[(reference, n)]) for n in dims]
        tm = [_time(by[(m, n)]) for n in dims]
        wins = [a < b for a, b in zip(tr, tm)]
        top = (f"{ref} did not reach the tolerance" if not math.isfinite(tr[-1]) else
               f"{seconds_text(tr[-1])}; {name} did not reach the tolerance"
               if not math.isfinite(tm[-1]) else
               f"{seconds_text(tr[-1])} against {seconds_text(tm[-1])}")
        if len(dims) == 1:
            kind = "always_faster" if wins[0] else "never_faster"
            out.append(Crossover(m, kind, text=f"At n = {dims[0]}, {ref} is "
                                 f"{'faster' if wins[0] else 'slower'} than {name}: {top}."))
            continue
        span = f"n = {dims[0]} to {dims[-1]}; at n = {dims[-1]} {top}"
        if all(wins):
            out.append(Crossover(m, "always_faster", text=f"{ref} is faster than {name} at "
                                 f"every n measured ({span})."))
            continue
        if not any(wins):
            out.append(Crossover(m, "never_faster", text=f"{ref} is slower than {name} at "
                                 f"every n measured ({span})."))
            continue
        changes = [i for i in range(len(dims) - 1) if wins[i] and not wins[i + 1]]
        if not changes:  # it starts slower and later wins: report where it starts winning
            i = next(i for i in range(len(dims) - 1) if not wins[i] and wins[i + 1])
            out.append(Crossover(m, "crossover", dims[i + 1], dims[i], None,
                                 f"{ref} is slower than {name} up to n = {dims[i]} and "
                                 f"faster from n = {dims[i + 1]}."))
            continue
        i = changes[-1]
        lo, hi = dims[i], dims[i + 1]
        est = t_est = None
        if all(math.isfinite(t) and t > 0 for t in (tr[i], tm[i], tr[i + 1], tm[i + 1])):
            # log(t_ref / t_other) is linear in log n between the two: its zero is the crossing
            r0, r1 = math.log(tr[i] / tm[i]), math.log(tr[i + 1] / tm[i + 1])
            if r1 != r0:
                frac = -r0 / (r1 - r0)
                est = math.exp(math.log(lo) + (math.log(hi) - math.log(lo)) * frac)
                t_est = math.exp(math.log(tr[i]) + (math.log(tr[i + 1]) - math.log(tr[i])) * frac)
        about = f" (about n = {est:.0f})" if est is not None else ""
        at = (f"at n = {hi} it takes {seconds_text(tr[i + 1])} against "
              f"{seconds_text(tm[i + 1])}" if math.isfinite(tr[i + 1]) else
              f"at n = {hi} it does not reach the tolerance")
        more = "; the lead changes more than once" if sum(
            wins[j] != wins[j + 1] for j in range(len(dims) - 1)) > 1 else ""
        out.append(Crossover(m, "crossover", lo, hi, est, t_est,
                             f"{ref} stops beating {name} between n = {lo} and n = {hi}{about}: "
                             f"{at}{more}."))
    return tuple(out)


Progress = Callable[[int, int, RunResult], None]


def blas_threads(n: int):
    """A context that runs BLAS (numpy's and scipy's OpenBLAS, MKL, ...) on n threads, then
    restores it; n = 0 changes nothing."""
    if n <= 0:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=n, user_api="blas")


def run_sweep(settings: SweepSettings, progress: Progress | None = None,
              cancel: Callable[[], bool] | None = None) -> Sweep:
    """Every method at every n (settings.validated() first). One problem per n serves all
    methods, so its set-up is not timed. progress(done, total, result) after each run;
    cancel() is checked between and inside runs."""
    s = settings.validated()
    total = len(s.dims) * len(s.methods)
    runs: list[RunResult] = []
    for m in s.methods:  # load the libraries first: a thread limit reaches only loaded ones
        METHODS[m].prepare()
    t0 = time.perf_counter()
    with blas_threads(s.blas_threads):
        cancelled = _run_all(s, runs, total, progress, cancel)
    return Sweep(s, tuple(runs), crossovers(runs), time.perf_counter() - t0, cancelled)


def _run_all(s: SweepSettings, runs: list, total: int, progress, cancel) -> bool:
    """Every method at every n into runs; True when cancelled."""
    cancelled = False
    for n in s.dims:
        problem = make_problem(s.problem, n, s.kappa, s.negatives, s.seed)
        for m in s.methods:
            if cancel is not None and cancel():
                cancelled = True
                break
            r = measure(problem, m, s.tol, s.max_iter, cancel)
            if r.status == CANCELLED:
                cancelled = True
                break
            runs.append(r)
            if progress is not None:
                progress(len(runs), total, r)
        if cancelled:
            break
    return cancelled
