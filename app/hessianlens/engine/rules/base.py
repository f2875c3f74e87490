"""What every step rule shares: the batch of points it steps from, its answer, its parameters,
its state, and the line-search and Newton helpers.

A rule computes its steps over whole arrays of points, one start per row; the one-point
:meth:`Rule.step_at` used by the trajectory runner is the same code on arrays of length 1,
so a basin map and a single trajectory can never disagree. A rule with memory (momentum,
a quasi-Newton matrix, a trust radius) keeps it in a state: a dict of arrays with the starts
on axis 0, made by :meth:`Rule.init_state` and passed from step to step, so the basins
computation carries and compacts it with the points (the shape of scipy's
``HessianUpdateStrategy``: ``initialize``, then ``update`` after every step).

Imports no sympy and no Qt: the command line lists the rules without loading either.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from hessianlens.engine import linalg2, linesearch
from hessianlens.engine.params import Param, resolve

if TYPE_CHECKING:
    from hessianlens.engine.objective import Objective, PointDerivatives
    from hessianlens.engine.trajectory import Iterate

State = dict  # name -> np.ndarray with the starts on axis 0

# Armijo constant and backtracking factor (Nocedal & Wright, Alg. 3.1 and the text after
# (3.4): c1 = 1e-4, rho = 1/2); after MAX_BACKTRACKS halvings the last trial step is taken.
ARMIJO_C = 1e-4
BACKTRACK_RHO = 0.5
MAX_BACKTRACKS = 50
# A direction p counts as descent when cos(angle(-g, p)) >= DESCENT_COS: bounded away from
# orthogonal, as Zoutendijk's theorem asks (Nocedal & Wright, Thm. 3.2 and eq. (3.12)).
DESCENT_COS = 1e-6
LEARNING_RATE_BOUNDS = (1e-6, 1e3)


def learning_rate(default: float, help: str) -> Param:
    """The learning-rate parameter most rules have (a step scale; positive, log scale)."""
    return Param("learning_rate", default, LEARNING_RATE_BOUNDS, log=True, help=help,
                 label="Learning rate", short="lr")


@dataclass(frozen=True)
class Proposal:
    """A rule's answer at one iterate: the step, or why there is none."""

    step: np.ndarray | None
    learning_rate: float
    info: dict = field(default_factory=dict)
    message: str = ""
    extra: dict = field(default_factory=dict)  # per-step fields for the trace (arrays)


@dataclass(frozen=True)
class Batch:
    """x, y, f, gradient and Hessian entries at many points: 1-D float arrays of one length.

    ``learning_rate``, when given, is one rate per row: a sweep over rates runs every row
    from the same start at its own rate, and a rule that reads its rate through
    :meth:`Rule.rates` takes it from here instead of from its parameter.
    """

    x: np.ndarray
    y: np.ndarray
    f: np.ndarray
    gx: np.ndarray
    gy: np.ndarray
    hxx: np.ndarray
    hxy: np.ndarray
    hyy: np.ndarray
    learning_rate: np.ndarray | None = None

    @classmethod
    def from_point(cls, here: PointDerivatives) -> Batch:
        H = here.hessian
        vals = (here.x[0], here.x[1], here.f, here.grad[0], here.grad[1], H[0, 0], H[0, 1],
                H[1, 1])
        return cls(*np.array(vals, dtype=float)[:, None])  # eight length-1 rows

    def __len__(self) -> int:
        return self.x.shape[0]

    @property
    def grad(self) -> np.ndarray:
        """(m, 2): the gradients as vectors, for the batched formulas."""
        return np.stack([self.gx, self.gy], axis=-1)

    @property
    def hessian(self) -> np.ndarray:
        """(m, 2, 2): the Hessians as matrices."""
        return matrices(self.hxx, self.hxy, self.hyy)


@dataclass(frozen=True)
class Steps:
    """A rule's steps at many points.

    dx, dy are NaN where the rule has none; ``learning_rate`` is the effective rate per
    point; ``info`` (name -> array) holds per-step numbers that go to each iterate's
    ``info``; ``extra`` (name -> array with the points on axis 0, e.g. a (m, 2, 2)
    ``hessian_estimate``) holds per-step fields that go to the top level of each iterate.
    """

    dx: np.ndarray
    dy: np.ndarray
    learning_rate: np.ndarray
    info: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> np.ndarray:
        return np.isfinite(self.dx) & np.isfinite(self.dy)


def scalar(v):
    """A numpy scalar as the Python bool, int or float that JSON and the table expect."""
    return np.asarray(v).item()


def compact(keep: np.ndarray, arrays: tuple, state: State) -> tuple[tuple, State]:
    """The rows of the points and of the state where keep is True (a start drops out of a
    batch together with its state)."""
    if keep.all():
        return arrays, state
    return tuple(a[keep] for a in arrays), {k: v[keep] for k, v in state.items()}


class Rule:
    """A step rule: from the derivatives at many points (and its state), the next steps.

    Subclasses declare ``name`` (the command line's and the files' key), ``title``, a
    one-line ``explanation`` and ``params``, and implement :meth:`steps` (or, without
    memory, :meth:`StatelessRule.step`). Every row of a batch is one start: a rule must
    treat the rows independently. ``Rule(**values)`` validates the parameters; an unknown
    name or a value out of range is a ValueError naming the valid ones.
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    explanation: ClassVar[str] = ""
    params: ClassVar[tuple[Param, ...]] = ()
    no_step_message: ClassVar[str] = "this rule has no step here"
    no_step_status: ClassVar[str] = "singular_hessian"  # a trajectory status (trajectory.py)
    # True when the rule reads its learning rate through rates(batch) only: then a batch may
    # carry one rate per row, and the rule can be swept over rates (engine/sweep.py).
    per_row_rates: ClassVar[bool] = False
    # Entries of the state that only count events for the run's message (BFGS's skipped
    # updates) and never change a step: a run whose point and other state stay the same
    # has stalled (trajectory.run).
    counters: ClassVar[tuple[str, ...]] = ()

    def __init__(self, **values):
        self.values = MappingProxyType(resolve(self.params, values, f"method '{self.name}'"))

    def __getattr__(self, name: str):
        values = self.__dict__.get("values")
        if values is not None and name in values:
            return values[name]
        raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")

    @property
    def learning_rate(self) -> float:
        """The learning-rate parameter, or NaN for a rule without one."""
        return float(self.values.get("learning_rate", math.nan))

    def rates(self, b: Batch) -> np.ndarray:
        """The learning rate of every row: the batch's own when it carries one (a sweep over
        rates), this rule's parameter otherwise. A rule that reads its rate only here sets
        ``per_row_rates``; row i then computes exactly what a rule made with row i's rate
        computes."""
        if b.learning_rate is not None:
            return b.learning_rate
        return full(b, self.learning_rate)

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and dict(other.values) == dict(self.values)

    def __hash__(self) -> int:
        return hash((type(self), tuple(self.values.items())))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"{type(self).__name__}({args})"

    @classmethod
    def summary(cls, values) -> str:
        """The parameters in a few words for a legend: 'lr 0.5', 'beta 0.9, lr 0.1'."""
        parts = []
        for p in cls.params:
            v = values.get(p.name, p.default)
            parts.append(f"{p.abbreviation} {v:g}" if isinstance(v, float)
                         else f"{p.abbreviation} {v}")
        return ", ".join(parts)

    # --- the state contract ------------------------------------------------------------
    def init_state(self, objective: Objective, batch: Batch) -> State:
        """The state before the first step from the batch's points ({} without memory)."""
        return {}

    def steps(self, objective: Objective, batch: Batch, state: State) -> tuple[Steps, State]:
        """The steps from every point of the batch, and the state after them."""
        raise NotImplementedError

    # --- one point ----------------------------------------------------------------------
    def step_at(self, objective: Objective, here: PointDerivatives,
                state: State | None = None) -> tuple[Proposal, State]:
        """:meth:`steps` at one point (state None: a fresh state there)."""
        b = Batch.from_point(here)
        if state is None:
            state = self.init_state(objective, b)
        s, state = self.steps(objective, b, state)
        info = {k: scalar(v[0]) for k, v in s.info.items()}
        extra = {k: np.array(v[0], dtype=float) for k, v in s.extra.items()}
        lr = float(s.learning_rate[0])
        if not s.ok[0]:
            return Proposal(None, lr, info, self.no_step_message, extra), state
        return Proposal(np.array([s.dx[0], s.dy[0]]), lr, info, "", extra), state

    def propose(self, objective: Objective, here: PointDerivatives,
                state: State | None = None) -> Proposal:
        """The step at one point, from a fresh state unless one is given."""
        return self.step_at(objective, here, state)[0]

    def notes(self, state: State) -> str:
        """Words for a run's message from its (one-row) state after the last step: updates
        skipped, a tuning that could not be done; "" for nothing to say."""
        return ""

    # --- what the rule believes about curvature ------------------------------------------
    def believed_hessian(self, iterate: Iterate) -> np.ndarray | None:
        """The 2x2 matrix of the quadratic model this rule's step assumed at a recorded
        iterate, when it is not the true Hessian (a quasi-Newton estimate, I / lr for a
        fixed learning rate); None for a rule that uses the true H or no model at all."""
        return None

    def trust_radius(self, iterate: Iterate) -> float | None:
        """The trust radius of a recorded iterate's step; None for a rule without one."""
        return None

    def trust_step(self, iterate: Iterate) -> np.ndarray | None:
        """The minimiser of the rule's model within the trust radius at a recorded iterate
        (its subproblem solved again); None for a rule without a radius."""
        return None

    def trust_path(self, iterate: Iterate) -> np.ndarray | None:
        """(k, 2) displacements of the path the rule's step is taken on (the dogleg), or
        None."""
        return None

    def relation(self, iterate: Iterate) -> str:
        """One line on how this rule's step at a recorded iterate relates to the Newton step
        -H^-1 grad f, with its numbers ("" for a rule that has nothing to add)."""
        return ""


class StatelessRule(Rule):
    """A rule without memory: implement :meth:`step` alone."""

    def step(self, objective: Objective, batch: Batch) -> Steps:
        raise NotImplementedError

    def steps(self, objective: Objective, batch: Batch, state: State) -> tuple[Steps, State]:
        return self.step(objective, batch), state


# --- helpers of the rules ---------------------------------------------------------------------
def full(b: Batch, value) -> np.ndarray:
    return np.full(b.x.shape, float(value))


def matrices(a, b, c) -> np.ndarray:
    """(..., 2, 2) symmetric matrices [[a, b], [b, c]] from their entries."""
    a, b, c = np.broadcast_arrays(a, b, c)
    return np.stack([np.stack([a, b], axis=-1), np.stack([b, c], axis=-1)], axis=-1)


def newton_uv(a, b, c, gx, gy):
    """-(H^-1 g) by Cramer's rule (linalg2.solve); NaN where H is singular."""
    u, v = linalg2.solve(a, b, c, gx, gy)
    return -u, -v


def newton_direction(H: np.ndarray, g: np.ndarray) -> np.ndarray | None:
    """The Newton step p = -H^-1 g (Nocedal & Wright, eq. (2.15)), or None when H is singular."""
    p = np.array(newton_uv(H[0, 0], H[0, 1], H[1, 1], g[0], g[1]), dtype=float)
    return p if np.all(np.isfinite(p)) else None


def is_descent(gx, gy, dx, dy) -> np.ndarray:
    """g.p <= -DESCENT_COS |g| |p|, finite (Nocedal & Wright, eq. (3.12))."""
    with np.errstate(all="ignore"):
        slope = gx * dx + gy * dy
        return np.isfinite(slope) & (slope <= -DESCENT_COS * np.hypot(gx, gy) * np.hypot(dx, dy))


def armijo_ok(objective: Objective, b: Batch, dx, dy, idx=None) -> np.ndarray:
    """Sufficient decrease f(x + p) <= f(x) + c1 g.p (Nocedal & Wright, eq. (3.4)) at the
    points idx (all by default); False where f(x + p) is not finite."""
    idx = slice(None) if idx is None else idx
    with np.errstate(all="ignore"):
        fn = objective.value(b.x[idx] + dx, b.y[idx] + dy)
        slope = b.gx[idx] * dx + b.gy[idx] * dy
        return fn <= b.f[idx] + ARMIJO_C * slope


def backtrack(objective: Objective, b: Batch, px, py, alpha0):
    """Backtracking line search along p (Nocedal & Wright, Alg. 3.1: linesearch.backtracking).

    alpha = alpha0 rho^j for the least j with the Armijo condition; after MAX_BACKTRACKS
    halvings the last alpha is kept. alpha0 is one number or one per point. Returns (alpha,
    number of halvings, condition met); where p is not finite, alpha0, no halvings and not
    met.
    """
    alpha = np.array(np.broadcast_to(np.asarray(alpha0, dtype=float), b.x.shape))
    halvings = np.zeros(b.x.shape, dtype=int)
    met = np.zeros(b.x.shape, dtype=bool)
    rows = np.flatnonzero(np.isfinite(px) & np.isfinite(py))
    if rows.size:
        x, y, px, py = b.x[rows], b.y[rows], px[rows], py[rows]
        with np.errstate(all="ignore"):
            slope = b.gx[rows] * px + b.gy[rows] * py

        def value(a, idx):
            return objective.value(x[idx] + a * px[idx], y[idx] + a * py[idx])

        a, _, ok, evaluations = linesearch.backtracking(
            value, b.f[rows], slope, alpha[rows], c1=ARMIJO_C, rho=BACKTRACK_RHO,
            max_halvings=MAX_BACKTRACKS)
        alpha[rows], met[rows], halvings[rows] = a, ok, evaluations - 1
    return alpha, halvings, met
