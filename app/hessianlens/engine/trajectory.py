"""Run a step rule from a start point and record every iterate."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from hessianlens.engine import linalg2
from hessianlens.engine.objective import Objective, PointDerivatives

CONVERGED = "converged"
MAX_STEPS = "max_steps"
DIVERGED = "diverged"
SINGULAR_HESSIAN = "singular_hessian"
LINE_SEARCH_FAILED = "line_search_failed"
# The step no longer changes x (it is below the spacing of floating-point numbers there) and
# the rule's memory is as it was: every further step would be the same one.
STALLED = "stalled"
# The caller's time for the run ran out (run(..., seconds=...): the window's bound on how
# long a change may keep it from answering; the command line runs have none).
TIME_LIMIT = "time_limit"
STATUSES = (CONVERGED, MAX_STEPS, DIVERGED, SINGULAR_HESSIAN, LINE_SEARCH_FAILED, STALLED,
            TIME_LIMIT)
# Steps between two looks at the clock (a step costs 0.05-0.2 ms).
CLOCK_EVERY = 64
# How a run that ends because its rule has no step (Rule.no_step_status), or none that moves
# x, says so.
NO_STEP_WORDS = {SINGULAR_HESSIAN: "singular Hessian", LINE_SEARCH_FAILED: "line search failed",
                 STALLED: "stalled"}

# Flags of an iterate.
UPHILL = "uphill"  # f at the next iterate is higher than here
ASCENT_DIRECTION = "ascent_direction"  # g . p > 0: the step taken from here points uphill
INDEFINITE = "indefinite"
NEGATIVE_DEFINITE = "negative_definite"
SINGULAR = "singular"

END_KINDS = {
    linalg2.POSITIVE_DEFINITE: "minimum",
    linalg2.NEGATIVE_DEFINITE: "maximum",
    linalg2.INDEFINITE: "saddle",
    linalg2.SINGULAR: "degenerate",
    linalg2.UNDEFINED: "degenerate",
}

_CLASS_FLAGS = {
    linalg2.INDEFINITE: (INDEFINITE,),
    linalg2.NEGATIVE_DEFINITE: (NEGATIVE_DEFINITE,),
    linalg2.SINGULAR: (SINGULAR,),
}


def steps_text(n: int) -> str:
    """'1 step', '5 steps'."""
    return f"{n} step" if n == 1 else f"{n} steps"


def _frozen(a) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.flags.writeable = False
    return a


@dataclass(frozen=True)
class Iterate:
    """One point of a trajectory and the step taken from it."""

    k: int
    x: np.ndarray
    f: float
    grad: np.ndarray
    hessian: np.ndarray
    eigenvalues: np.ndarray  # (low, high)
    det: float
    step: np.ndarray | None  # displacement to the next iterate; None on the last
    learning_rate: float
    flags: tuple[str, ...]
    info: dict = field(default_factory=dict)  # rule-specific numbers for this step
    extra: dict = field(default_factory=dict)  # rule-specific fields (arrays) for this step

    @property
    def grad_norm(self) -> float:
        return float(np.hypot(*self.grad))

    @property
    def curvature(self) -> int:
        return linalg2.curvature_class(*self.eigenvalues)


@dataclass(frozen=True)
class Trajectory:
    """The iterates of one run (the start included), its status and a message."""

    method: str
    learning_rate: float
    status: str
    message: str
    iterates: tuple[Iterate, ...]
    params: dict = field(default_factory=dict)  # the rule's parameters
    # The last iterate as the rule sees it for a next step it was not asked to take (the run
    # converged or ran out of steps): its info and extra filled (BFGS's estimate B, Adam's
    # rates), its step None. None where the rule could not go on.
    beyond: Iterate | None = field(default=None, compare=False, repr=False)

    def as_seen(self, k: int) -> Iterate:
        """Iterate k with what the rule believed there: the recorded iterate, except the last,
        which is ``beyond`` when there is one."""
        if k == len(self.iterates) - 1 and self.beyond is not None:
            return self.beyond
        return self.iterates[k]

    def __len__(self) -> int:
        return len(self.iterates)

    @property
    def points(self) -> np.ndarray:
        """(n, 2) array of the iterates' positions."""
        return np.array([it.x for it in self.iterates], dtype=float).reshape(-1, 2)

    @property
    def values(self) -> np.ndarray:
        return np.array([it.f for it in self.iterates], dtype=float)

    @property
    def grad_norms(self) -> np.ndarray:
        return np.array([it.grad_norm for it in self.iterates], dtype=float)

    @property
    def steps_taken(self) -> int:
        return len(self.iterates) - 1

    @property
    def end_kind(self) -> str | None:
        """What a converged run found, from the Hessian there: "minimum", "maximum",
        "saddle" or "degenerate" (singular H: the second-order test says nothing); None
        unless converged."""
        if self.status != CONVERGED:
            return None
        return END_KINDS[self.iterates[-1].curvature]


def _iterate(k, here: PointDerivatives, step, lr, uphill, info, extra=None) -> Iterate:
    H = here.hessian
    # Python floats: linalg2's scalar path (the same numbers, without numpy's scalar costs).
    a, b, c = float(H[0, 0]), float(H[0, 1]), float(H[1, 1])
    low, high = linalg2.eigenvalues(a, b, c)
    det = float(linalg2.determinant(a, b, c))
    flags = list(_CLASS_FLAGS.get(linalg2.curvature_class(low, high), ()))
    if step is not None:
        if uphill:
            flags.insert(0, UPHILL)
        if float(np.dot(here.grad, step)) > 0:
            flags.insert(1 if uphill else 0, ASCENT_DIRECTION)
    return Iterate(k, _frozen(here.x), float(here.f), _frozen(here.grad), _frozen(H),
                   _frozen([low, high]), det, None if step is None else _frozen(step),
                   float(lr), tuple(flags), dict(info),
                   {k: _frozen(v) for k, v in (extra or {}).items()})


def _finite(d: PointDerivatives) -> bool:
    g, H = d.grad, d.hessian
    return all(math.isfinite(v) for v in (d.f, g[0], g[1], H[0, 0], H[0, 1], H[1, 0], H[1, 1]))


def _same_memory(before, after, counters) -> bool:
    """Is the rule's state after a step the one it had before (its event counters aside)?"""
    if after is None or before.keys() != after.keys():
        return False
    return all(np.array_equal(before[k], after[k]) for k in before if k not in counters)


def run(objective: Objective, rule, start, max_steps: int = 100, tol: float = 1e-6,
        bound: float = 1e8, seconds: float | None = None) -> Trajectory:
    """Iterate a step rule from a start point.

    Parameters
    ----------
    objective : Objective
    rule : Rule
        A step rule (see :mod:`hessianlens.engine.rules`); its state, if it keeps one, is
        made at the start and carried from step to step.
    start : (x, y)
    max_steps : int
        At most this many steps, so at most max_steps + 1 iterates.
    tol : float
        Converged when |grad f| < tol.
    bound : float
        Diverged when an iterate leaves the square |x|, |y| <= bound.
    seconds : float or None
        With a number, the run ends as ``time_limit`` once it has taken that long (looked at
        every CLOCK_EVERY steps, so it takes at least that many); None: no limit.

    Returns
    -------
    Trajectory
        Never raises on numerical trouble: it ends with status ``diverged``, or the rule's
        ``no_step_status`` (``singular_hessian``, ``line_search_failed``) where it has no step,
        and a message instead.
    """
    # A huge learning rate overflows the step, g . p and the next iterate: that is the outcome
    # "diverged", reported below, not a warning.
    with np.errstate(over="ignore", invalid="ignore"):
        return _run(objective, rule, start, max_steps, tol, bound,
                    None if seconds is None else time.monotonic() + seconds)


def _run(objective: Objective, rule, start, max_steps: int, tol: float, bound: float,
         deadline: float | None) -> Trajectory:
    lr = float(rule.learning_rate)
    iterates: list[Iterate] = []
    here = objective.at(start)
    k = 0
    state = None  # made by the rule at the first step, as compute_basins does

    def finish(status: str, message: str, info=None, extra=None) -> Trajectory:
        iterates.append(_iterate(k, here, None, lr, False, info or {}, extra))
        notes = rule.notes(state) if state is not None else ""
        if notes:
            message = f"{message}; {notes}"
        beyond = None
        # The rule could go on: what would it use?
        if status in (CONVERGED, MAX_STEPS, STALLED, TIME_LIMIT):
            proposal, _ = rule.step_at(objective, here, state)
            beyond = _iterate(k, here, None, proposal.learning_rate, False, proposal.info,
                              proposal.extra)
        return Trajectory(rule.name, lr, status, message, tuple(iterates), dict(rule.values),
                          beyond)

    while True:
        x0, x1 = float(here.x[0]), float(here.x[1])
        if not (math.isfinite(x0) and math.isfinite(x1)) or max(abs(x0), abs(x1)) > bound:
            return finish(DIVERGED, f"diverged: the iterate left the region |x|, |y| <= {bound:g} "
                                    f"at step {k}")
        if not _finite(here):
            return finish(DIVERGED, f"diverged: f or its derivatives are not finite at step {k}, "
                                    f"x = ({here.x[0]:.6g}, {here.x[1]:.6g})")
        gnorm = float(np.hypot(*here.grad))
        if gnorm < tol:
            H = here.hessian
            kind = END_KINDS[linalg2.curvature_class(*linalg2.eigenvalues(H[0, 0], H[0, 1],
                                                                           H[1, 1]))]
            where = "a degenerate stationary point" if kind == "degenerate" else f"a {kind}"
            return finish(CONVERGED, f"converged in {steps_text(k)} to {where}: |grad f| = "
                                     f"{gnorm:.3g} < {tol:g} at ({here.x[0]:.6g}, "
                                     f"{here.x[1]:.6g}), f = {here.f:.6g}")
        if k >= max_steps:
            return finish(MAX_STEPS, f"stopped after {steps_text(max_steps)}: |grad f| = "
                                     f"{gnorm:.3g} is still above {tol:g}")
        if deadline is not None and k and k % CLOCK_EVERY == 0 and time.monotonic() > deadline:
            return finish(TIME_LIMIT, f"stopped after {steps_text(k)} of {max_steps}: out of "
                                      f"time; |grad f| = {gnorm:.3g} is still above {tol:g}")
        before = state
        proposal, state = rule.step_at(objective, here, state)
        if proposal.step is None:
            if not np.isfinite(proposal.learning_rate * gnorm):
                return finish(DIVERGED, f"diverged: the step overflows at step {k} (learning "
                                        f"rate {proposal.learning_rate:g} times |grad f| = "
                                        f"{gnorm:.3g} is beyond 1e308)", info=proposal.info)
            status = rule.no_step_status
            return finish(status, f"{NO_STEP_WORDS.get(status, status)} at step {k}: "
                                  f"{proposal.message}", info=proposal.info, extra=proposal.extra)
        x_next = here.x + proposal.step
        if np.array_equal(x_next, here.x) and _same_memory(
                before or {}, state, rule.counters):
            # Deterministic rule, same point, same memory: the same step again, forever (a run
            # with a tolerance below the rounding of grad f spun here to its step limit; BFGS
            # spent 3 ms a step on a line search that found nothing, 5 minutes for 100,000).
            step_norm = float(np.hypot(*proposal.step))
            why = "the step is zero" if step_norm == 0 else (
                f"the step (length {step_norm:.3g}) is below the spacing of floating-point "
                "numbers")
            return finish(STALLED, f"stalled at step {k}: {why} at x = ({here.x[0]:.6g}, "
                                   f"{here.x[1]:.6g}), so x no longer changes; |grad f| = "
                                   f"{gnorm:.3g} is still above {tol:g}")
        nxt = objective.at(x_next)
        iterates.append(_iterate(k, here, proposal.step, proposal.learning_rate,
                                 bool(nxt.f > here.f), proposal.info, proposal.extra))
        here, k = nxt, k + 1
