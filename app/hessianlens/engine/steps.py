"""Step rules: from the derivatives at an iterate, the displacement to the next one.

The two rules of the source write-up are the two ends of a trust-region dogleg (scipy's
``_trustregion_dogleg.py``): the gradient step is the Cauchy direction and the Newton step
is the full quasi-quadratic minimiser -H^-1 g (Nocedal & Wright, eqs. (2.14)-(2.15)).
The safeguarded rules answer the write-up's closing question, "what can be done when H is
not positive definite": line search, |H|, damping, and the one-step rate along -g.

Every rule computes its steps over whole arrays of points (:meth:`steps`); the one-point
:meth:`propose` used by the trajectory runner is that same code on arrays of length 1, so a
basin map and a single trajectory can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from hessianlens.engine import linalg2
from hessianlens.engine.objective import Objective, PointDerivatives

# Armijo constant and backtracking factor (Nocedal & Wright, Alg. 3.1 and the text after
# (3.4): c1 = 1e-4, rho = 1/2); after MAX_BACKTRACKS halvings the last trial step is taken.
ARMIJO_C = 1e-4
BACKTRACK_RHO = 0.5
MAX_BACKTRACKS = 50
# A direction p counts as descent when cos(angle(-g, p)) >= DESCENT_COS: bounded away from
# orthogonal, as Zoutendijk's theorem asks (Nocedal & Wright, Thm. 3.2 and eq. (3.12)).
DESCENT_COS = 1e-6
# Damping: beta of Nocedal & Wright Alg. 3.3 (Cholesky with added multiple of the identity),
# relative to the largest |eigenvalue|, with a floor for H = 0.
DAMPING_BETA = 1e-3
DAMPING_FLOOR = 1e-8
MAX_DAMPING_RAISES = 60


@dataclass(frozen=True)
class Proposal:
    """A rule's answer at one iterate: the step, or why there is none."""

    step: np.ndarray | None
    learning_rate: float
    info: dict = field(default_factory=dict)
    message: str = ""


@dataclass(frozen=True)
class Batch:
    """x, y, f, gradient and Hessian entries at many points: 1-D float arrays of one length."""

    x: np.ndarray
    y: np.ndarray
    f: np.ndarray
    gx: np.ndarray
    gy: np.ndarray
    hxx: np.ndarray
    hxy: np.ndarray
    hyy: np.ndarray

    @classmethod
    def from_point(cls, here: PointDerivatives) -> Batch:
        H = here.hessian
        vals = (here.x[0], here.x[1], here.f, here.grad[0], here.grad[1], H[0, 0], H[0, 1],
                H[1, 1])
        return cls(*np.array(vals, dtype=float)[:, None])  # eight length-1 rows


@dataclass(frozen=True)
class Steps:
    """A rule's steps at many points: dx, dy (NaN where the rule has none), the effective
    learning rate, and per-step numbers (name -> array) for the trajectory's info."""

    dx: np.ndarray
    dy: np.ndarray
    learning_rate: np.ndarray
    info: dict = field(default_factory=dict)

    @property
    def ok(self) -> np.ndarray:
        return np.isfinite(self.dx) & np.isfinite(self.dy)


def _scalar(v):
    """A numpy scalar as the Python bool, int or float that JSON and the table expect."""
    return np.asarray(v).item()


class ArrayRule:
    """Mixin: ``propose`` at one point is ``steps`` on arrays of length one."""

    no_step_message: ClassVar[str] = "this rule has no step here"

    def steps(self, objective: Objective, b: Batch) -> Steps:  # pragma: no cover - abstract
        raise NotImplementedError

    def propose(self, objective: Objective, here: PointDerivatives) -> Proposal:
        s = self.steps(objective, Batch.from_point(here))
        info = {k: _scalar(v[0]) for k, v in s.info.items()}
        lr = float(s.learning_rate[0])
        if not s.ok[0]:
            return Proposal(None, lr, info, self.no_step_message)
        return Proposal(np.array([s.dx[0], s.dy[0]]), lr, info)


def _full(b: Batch, value) -> np.ndarray:
    return np.full(b.x.shape, float(value))


def _newton_uv(a, b, c, gx, gy):
    """-(H^-1 g) by Cramer's rule (linalg2.solve); NaN where H is singular."""
    u, v = linalg2.solve(a, b, c, gx, gy)
    return -u, -v


def _is_descent(gx, gy, dx, dy) -> np.ndarray:
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


def backtrack(objective: Objective, b: Batch, px, py, alpha0: float):
    """Backtracking line search along p (Nocedal & Wright, Alg. 3.1).

    alpha = alpha0 rho^j for the least j with the Armijo condition; after MAX_BACKTRACKS
    halvings the last alpha is kept. Returns (alpha, number of halvings, condition met).
    """
    alpha = _full(b, alpha0)
    halvings = np.zeros(b.x.shape, dtype=int)
    todo = np.isfinite(px) & np.isfinite(py)
    met = np.zeros(b.x.shape, dtype=bool)
    for j in range(MAX_BACKTRACKS + 1):
        idx = np.flatnonzero(todo)
        if not idx.size:
            break
        a = alpha[idx]
        ok = armijo_ok(objective, b, a * px[idx], a * py[idx], idx)
        met[idx[ok]] = True
        todo[idx[ok]] = False
        if j == MAX_BACKTRACKS:
            break
        fail = idx[~ok]
        alpha[fail] *= BACKTRACK_RHO
        halvings[fail] += 1
    return alpha, halvings, met


@dataclass(frozen=True)
class GradientDescent(ArrayRule):
    """x <- x - lr * grad f."""

    learning_rate: float = 0.1
    name: ClassVar[str] = "gd"
    title: ClassVar[str] = "Gradient descent"

    def steps(self, objective: Objective, b: Batch) -> Steps:
        lr = self.learning_rate
        return Steps(-lr * b.gx, -lr * b.gy, _full(b, lr))


def newton_direction(H: np.ndarray, g: np.ndarray) -> np.ndarray | None:
    """The Newton step p = -H^-1 g, or None when H is singular."""
    p = np.array(_newton_uv(H[0, 0], H[0, 1], H[1, 1], g[0], g[1]), dtype=float)
    return p if np.all(np.isfinite(p)) else None


@dataclass(frozen=True)
class Newton(ArrayRule):
    """x <- x - lr * H^-1 grad f (the write-up's "Hessian step"; lr = 1 is the full step)."""

    learning_rate: float = 1.0
    name: ClassVar[str] = "newton"
    title: ClassVar[str] = "Newton"
    no_step_message: ClassVar[str] = ("the Hessian is singular here, so H^-1 grad f does not "
                                      "exist: Newton cannot take a step")

    def steps(self, objective: Objective, b: Batch) -> Steps:
        lr = self.learning_rate
        px, py = _newton_uv(b.hxx, b.hxy, b.hyy, b.gx, b.gy)
        return Steps(lr * px, lr * py, _full(b, lr))


@dataclass(frozen=True)
class NewtonLineSearch(ArrayRule):
    """Newton direction, or -grad f where it is not a descent direction, with backtracking.

    Nocedal & Wright, Alg. 3.1 (backtracking Armijo) on the direction of Sec. 3.4 (Newton's
    method with Hessian modification, here the simplest one: the steepest-descent fallback).
    ``learning_rate`` is the first trial step alpha0.
    """

    learning_rate: float = 1.0
    name: ClassVar[str] = "newton-linesearch"
    title: ClassVar[str] = "Newton + line search"

    def steps(self, objective: Objective, b: Batch) -> Steps:
        px, py = _newton_uv(b.hxx, b.hxy, b.hyy, b.gx, b.gy)
        fell_back = ~_is_descent(b.gx, b.gy, px, py)
        px, py = np.where(fell_back, -b.gx, px), np.where(fell_back, -b.gy, py)
        alpha, halvings, met = backtrack(objective, b, px, py, self.learning_rate)
        return Steps(alpha * px, alpha * py, alpha,
                     {"learning_rate": alpha, "fell_back": fell_back, "backtracks": halvings,
                      "armijo": met})


@dataclass(frozen=True)
class SaddleFree(ArrayRule):
    """x <- x - lr |H|^-1 grad f: saddle-free Newton (Dauphin et al. 2014, eq. (7)).

    |H| keeps H's eigenvectors and makes its eigenvalues positive, so the step goes downhill
    along negative-curvature directions instead of towards the saddle.
    """

    learning_rate: float = 1.0
    name: ClassVar[str] = "saddle-free"
    title: ClassVar[str] = "Saddle-free Newton"
    no_step_message: ClassVar[str] = ("|H| is singular here (an eigenvalue of H is zero), so "
                                      "|H|^-1 grad f does not exist")

    def steps(self, objective: Objective, b: Batch) -> Steps:
        lr = self.learning_rate
        a, c_, d = linalg2.absolute(b.hxx, b.hxy, b.hyy)
        px, py = _newton_uv(a, c_, d, b.gx, b.gy)
        low, _ = linalg2.eigenvalues(b.hxx, b.hxy, b.hyy)
        return Steps(lr * px, lr * py, _full(b, lr), {"flipped": ~(low >= 0)})


@dataclass(frozen=True)
class DampedNewton(ArrayRule):
    """x <- x - lr (H + lambda I)^-1 grad f, lambda raised until the step is acceptable.

    lambda starts at 0 where H is positive definite and just above -lambda_min(H) elsewhere
    (Nocedal & Wright, Alg. 3.3, with the exact 2x2 eigenvalue in place of Cholesky trials),
    then doubles until the step satisfies the Armijo condition, as Levenberg-Marquardt raises
    lambda until f decreases (Marquardt 1963). Large lambda tends to a short -grad f step.
    """

    learning_rate: float = 1.0
    name: ClassVar[str] = "damped-newton"
    title: ClassVar[str] = "Damped Newton"

    def steps(self, objective: Objective, b: Batch) -> Steps:
        lr = self.learning_rate
        low, high = linalg2.eigenvalues(b.hxx, b.hxy, b.hyy)
        with np.errstate(all="ignore"):
            beta = np.maximum(DAMPING_BETA * np.maximum(np.abs(low), np.abs(high)), DAMPING_FLOOR)
            lam = np.where(low > 0, 0.0, beta - low)
        dx, dy = np.full(b.x.shape, np.nan), np.full(b.x.shape, np.nan)
        raises = np.zeros(b.x.shape, dtype=int)
        todo = np.isfinite(lam)  # non-finite H: no step
        for j in range(MAX_DAMPING_RAISES + 1):
            idx = np.flatnonzero(todo)
            if not idx.size:
                break
            L = lam[idx]
            px, py = _newton_uv(b.hxx[idx] + L, b.hxy[idx], b.hyy[idx] + L, b.gx[idx], b.gy[idx])
            px, py = lr * px, lr * py
            # After MAX_DAMPING_RAISES doublings the last step is taken as it is.
            ok = (np.ones(idx.size, dtype=bool) if j == MAX_DAMPING_RAISES
                  else armijo_ok(objective, b, px, py, idx))
            dx[idx[ok]], dy[idx[ok]] = px[ok], py[ok]
            todo[idx[ok]] = False
            fail = idx[~ok]
            lam[fail] = np.maximum(2 * lam[fail], beta[fail])
            raises[fail] += 1
        return Steps(dx, dy, _full(b, lr), {"lambda": lam, "raises": raises})


@dataclass(frozen=True)
class OptimalRate(ArrayRule):
    """x <- x - eta grad f with the one-step rate eta = g.g / g.H.g along -grad f.

    eta minimises the quadratic model m(-eta g) = f - eta g.g + eta^2 g.H.g / 2: the 1D rate
    1/f'' of the second write-up along the gradient (the Cauchy step of Nocedal & Wright,
    eq. (4.12), without the trust radius). Where g.H.g <= 0 the model has no minimum along
    -g, so the rule falls back to ``learning_rate`` with backtracking (Alg. 3.1).
    """

    learning_rate: float = 0.1
    name: ClassVar[str] = "optimal-lr"
    title: ClassVar[str] = "Optimal learning rate"

    def steps(self, objective: Objective, b: Batch) -> Steps:
        gx, gy = b.gx, b.gy
        with np.errstate(all="ignore"):
            gHg = gx * gx * b.hxx + 2 * gx * gy * b.hxy + gy * gy * b.hyy
            eta = (gx * gx + gy * gy) / gHg
        fell_back = ~(np.isfinite(eta) & (gHg > 0))
        if np.any(fell_back):
            safe, _, _ = backtrack(objective, b, np.where(fell_back, -gx, np.nan),
                                   np.where(fell_back, -gy, np.nan), self.learning_rate)
            eta = np.where(fell_back, safe, eta)
        return Steps(-eta * gx, -eta * gy, eta,
                     {"learning_rate": eta, "fell_back": fell_back, "gHg": gHg})


RULES = {rule.name: rule for rule in (GradientDescent, Newton, NewtonLineSearch, SaddleFree,
                                      DampedNewton, OptimalRate)}


def make_rule(name: str, learning_rate: float | None = None):
    """A step rule by name (a key of RULES), with its default learning rate unless given.

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
