"""A measured sweep of learning rates: one rule from one start at N log-spaced rates at once.

Every row of the batch starts at the same point with its own rate (Batch.learning_rate), so
the whole sweep is one vectorised run (engine/batch_run.py), as the basins are over starts;
row i ends where ``trajectory.run`` with rate i ends, after the same number of steps with the
same status (f there can differ in its last bits: numpy's vector code for sin or cos over an
array may round differently from its scalar code). On a quadratic, gradient
descent converges for lr < 2/lambda_max and diverges above it, fastest near
2/(lambda_min + lambda_max); on other functions the sweep measures what the local rates
(engine/rates.py) only predict.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from hessianlens.engine import batch_run
from hessianlens.engine.objective import Objective
from hessianlens.engine.rules.base import LEARNING_RATE_BOUNDS
from hessianlens.engine.serialize import json_number
from hessianlens.engine.trajectory import CONVERGED, DIVERGED, MAX_STEPS, SINGULAR_HESSIAN

COMPLETE = "complete"
CANCELLED = "cancelled"
MAX_RATES = 10_000
_STATUS = {batch_run.CONVERGED: CONVERGED, batch_run.DIVERGED: DIVERGED,
           batch_run.MAX_STEPS: MAX_STEPS, batch_run.NO_STEP: SINGULAR_HESSIAN}


def log_rates(low: float, high: float, num: int) -> np.ndarray:
    """num rates spaced evenly in log from low to high (both included).

    Raises ValueError unless LEARNING_RATE_BOUNDS[0] <= low < high <= LEARNING_RATE_BOUNDS[1]
    and 2 <= num <= MAX_RATES.
    """
    lo, hi = LEARNING_RATE_BOUNDS
    if not (lo <= low < high <= hi):
        raise ValueError(f"the rates must run from low to high within {lo:g} and {hi:g}, "
                         f"not {low:g} to {high:g}")
    if isinstance(num, bool) or not isinstance(num, int) or not 2 <= num <= MAX_RATES:
        raise ValueError(f"the number of rates must be a whole number from 2 to {MAX_RATES}")
    return np.geomspace(low, high, num)


def check_sweepable(rule) -> None:
    """ValueError unless the rule has a learning rate it reads per row (Rule.per_row_rates)."""
    if "learning_rate" not in rule.values:
        raise ValueError(f"method '{rule.name}' has no learning rate to sweep")
    if not rule.per_row_rates:
        raise ValueError(f"method '{rule.name}' cannot take one learning rate per row, so it "
                         f"cannot be swept")


@dataclass(frozen=True)
class Sweep:
    """The outcome of one rule from one start at every rate, in the order of the rates.

    ``statuses`` are trajectory.run's (converged, max_steps, diverged, singular_hessian);
    ``steps`` the steps taken; ``f`` the value where each run ended (NaN if undefined).
    """

    method: str
    start: tuple[float, float]
    learning_rates: np.ndarray
    statuses: tuple[str, ...]
    steps: np.ndarray
    f: np.ndarray
    max_steps: int
    tol: float
    status: str
    message: str
    params: dict = field(default_factory=dict)  # the rule's other parameters

    @property
    def fastest(self) -> int | None:
        """The index of the rate that converged in the fewest steps (the smallest such rate
        on a tie), or None when none converged."""
        conv = [i for i, s in enumerate(self.statuses) if s == CONVERGED]
        return min(conv, key=lambda i: (self.steps[i], i)) if conv else None

    @property
    def summary(self) -> str:
        """In words: how many rates converged, the fastest, from where the runs diverge."""
        if self.status != COMPLETE:
            return self.message
        rates, statuses = self.learning_rates, self.statuses
        conv = sum(s == CONVERGED for s in statuses)
        words = [f"{conv} of {len(statuses)} rates converged within {self.max_steps} steps"]
        best = self.fastest
        if best is not None:
            words.append(f"fastest at lr {rates[best]:.4g} ({self.steps[best]} steps)")
        div = [i for i, s in enumerate(statuses) if s == DIVERGED]
        if div and all(s == DIVERGED for s in statuses[div[0]:]):
            words.append(f"diverged from lr {rates[div[0]]:.4g} up")
        elif div:
            words.append(f"{len(div)} rates diverged, the lowest {rates[div[0]]:.4g}")
        return "; ".join(words)

    def nearest(self, rate: float) -> int:
        """The index of the swept rate nearest ``rate`` in log scale."""
        return int(np.argmin(np.abs(np.log(self.learning_rates) - math.log(rate))))


def sweep_rates(objective: Objective, rule, start, learning_rates, max_steps: int = 1000,
                tol: float = 1e-6, bound: float = 1e8,
                progress: Callable[[int, int], None] | None = None,
                cancel: Callable[[], bool] | None = None) -> Sweep:
    """Run ``rule`` from ``start`` at every learning rate at once.

    Parameters
    ----------
    objective : Objective
    rule : Rule
        Its other parameters are used as they are; its learning rate is replaced by each of
        ``learning_rates`` (it must have ``per_row_rates``: ValueError otherwise).
    start : (x, y)
    learning_rates : 1-D array
        Positive rates (see :func:`log_rates`).
    max_steps, tol, bound :
        As for :func:`hessianlens.engine.trajectory.run`.
    progress : callable(done, total), optional
        Called after every step.
    cancel : callable() -> bool, optional
        Checked once per step; a cancelled sweep has status ``cancelled`` and no outcomes.

    Returns
    -------
    Sweep
        Never raises on numerical trouble.
    """
    check_sweepable(rule)
    rates = np.array(learning_rates, dtype=float).ravel()
    n = rates.size
    x0, y0 = (float(v) for v in start)
    ends = batch_run.run_batch(objective, rule, np.full(n, x0), np.full(n, y0), max_steps,
                               tol, bound, learning_rates=rates, progress=progress,
                               cancel=cancel)
    params = {k: v for k, v in rule.values.items() if k != "learning_rate"}

    def finish(status, message, statuses, steps, f):
        return Sweep(rule.name, (x0, y0), rates, statuses, steps, f, int(max_steps), float(tol),
                     status, message, params)

    if ends.cancelled_at is not None:
        return finish(CANCELLED, f"cancelled after {ends.cancelled_at} of {max_steps} steps",
                      (), np.zeros(0, dtype=np.int32), np.zeros(0))
    statuses = tuple(_STATUS[int(c)] for c in ends.code)
    f = np.where(np.isfinite(ends.f), ends.f, np.nan)
    return finish(COMPLETE, f"{n} rates from {x0:.6g}, {y0:.6g}", statuses, ends.steps.copy(), f)


def sweep_to_dict(sweep: Sweep, function_text: str) -> dict:
    """The JSON object of ``hessianlens sweep``: the run's settings and ``rates``, a list of
    {lr, status, steps, f} in the order of the rates."""
    return {
        "function": function_text,
        "method": sweep.method,
        "start": list(sweep.start),
        "params": dict(sweep.params),
        "max_steps": sweep.max_steps,
        "tol": sweep.tol,
        "status": sweep.status,
        "message": sweep.summary,
        "rates": [{"lr": float(lr), "status": s, "steps": int(k), "f": json_number(f)}
                  for lr, s, k, f in zip(sweep.learning_rates, sweep.statuses, sweep.steps,
                                         sweep.f)],
    }
