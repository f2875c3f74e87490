"""Run a step rule from many starts at once, one row per start, until each row ends.

The loop runs over steps only: every step is one call of the rule's array code
(:meth:`Rule.steps`) on the rows still running, their state (and their own learning rates,
when the batch carries one per row) compacted with them. The tests and their order are the
single-trajectory runner's (engine/trajectory.py), so a row ends exactly where
``trajectory.run`` from its start ends. The basins (a grid of starts) and the sweep over
learning rates (one start, a rate per row) both run here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from hessianlens.engine.objective import Objective
from hessianlens.engine.rules.base import Batch, compact

# How each row ended (int8 codes): trajectory.run's statuses converged, diverged, max_steps
# and singular_hessian (the rule had no step).
ACTIVE, CONVERGED, DIVERGED, MAX_STEPS, NO_STEP = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class BatchEnds:
    """Where every row ended: its code, steps taken, last point, f and |grad f| there.

    ``cancelled_at`` is the step at which a cancel stopped the run (None when it ran to
    the end); the other arrays are then incomplete.
    """

    code: np.ndarray  # int8
    steps: np.ndarray  # int32
    x: np.ndarray
    y: np.ndarray
    f: np.ndarray
    grad_norm: np.ndarray
    cancelled_at: int | None = None


def run_batch(objective: Objective, rule, x0, y0, max_steps: int, tol: float,
              bound: float = 1e8, learning_rates=None,
              progress: Callable[[int, int], None] | None = None,
              cancel: Callable[[], bool] | None = None) -> BatchEnds:
    """Step ``rule`` from the starts (x0[i], y0[i]) until every row ends.

    Parameters
    ----------
    objective, rule : as for :func:`hessianlens.engine.trajectory.run`
    x0, y0 : 1-D arrays
        The starts, one per row.
    max_steps, tol, bound :
        As for :func:`~hessianlens.engine.trajectory.run`: at most max_steps steps; converged
        when |grad f| < tol; diverged outside |x|, |y| <= bound or at a non-finite value.
    learning_rates : 1-D array, optional
        One learning rate per row, for a rule with ``per_row_rates`` (see Rule.rates).
    progress : callable(done, total), optional
        Called after every step.
    cancel : callable() -> bool, optional
        Checked once per step; when it returns True the run stops (``cancelled_at``).
    """
    x = np.array(x0, dtype=float).ravel()
    y = np.array(y0, dtype=float).ravel()
    n = x.size
    code = np.full(n, ACTIVE, dtype=np.int8)
    taken = np.zeros(n, dtype=np.int32)
    end_x, end_y = x.copy(), y.copy()
    end_f, end_g = np.full(n, np.nan), np.full(n, np.nan)
    idx = np.arange(n)
    lr = None if learning_rates is None else np.array(learning_rates, dtype=float).ravel()
    rows = () if lr is None else (lr,)
    memory: dict = {}  # the rule's state, rows matching the active starts

    def settle(mask, c, k, f, g):
        if not mask.any():
            return
        where = idx[mask]
        code[where], taken[where] = c, k
        end_x[where], end_y[where] = x[mask], y[mask]
        end_f[where], end_g[where] = f[mask], g[mask]

    def ends(cancelled_at=None):
        return BatchEnds(code, taken, end_x, end_y, end_f, end_g, cancelled_at)

    for k in range(max_steps + 1):
        if cancel is not None and cancel():
            return ends(k)
        d = objective.derivatives(x, y)
        with np.errstate(all="ignore"):
            # The runner's tests, in its order: outside the bound or non-finite -> diverged,
            # then |grad f| < tol -> converged.
            bad = ~(np.isfinite(x) & np.isfinite(y)) | (np.maximum(np.abs(x), np.abs(y)) > bound)
            for a in d:
                bad |= ~np.isfinite(a)
            gnorm = np.hypot(d[1], d[2])
        conv = ~bad & (gnorm < tol)
        settle(bad, DIVERGED, k, d[0], gnorm)
        settle(conv, CONVERGED, k, d[0], gnorm)
        keep = ~(bad | conv)
        if k == max_steps:
            settle(keep, MAX_STEPS, k, d[0], gnorm)
            break
        kept, memory = compact(keep, (idx, x, y, gnorm, *d, *rows), memory)
        idx, x, y, gnorm, d, rows = *kept[:4], kept[4:10], kept[10:]
        batch = Batch(x, y, *d, learning_rate=rows[0] if rows else None)
        with np.errstate(over="ignore", invalid="ignore"):  # a huge step: diverged, below
            if k == 0:  # the runner makes the state at its first step too
                memory = rule.init_state(objective, batch)
            s, memory = rule.steps(objective, batch, memory)
            # No step because learning rate x |grad f| overflows: diverged, as the runner says.
            overflow = ~s.ok & ~np.isfinite(s.learning_rate * gnorm)
            settle(overflow, DIVERGED, k, d[0], gnorm)
            go = s.ok  # no step (a singular Hessian): the runner stops there too
            settle(~go & ~overflow, NO_STEP, k, d[0], gnorm)
            (idx, x, y, dx, dy, *rows), memory = compact(go, (idx, x, y, s.dx, s.dy, *rows),
                                                         memory)
            x, y = x + dx, y + dy
        if progress is not None:
            progress(k + 1, max_steps)
        if not idx.size:
            break
    return ends()
