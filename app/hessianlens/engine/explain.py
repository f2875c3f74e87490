"""Plain words and the write-up's numbers about one point or iterate (no Qt).

The source write-up prints, at a point: x, f, grad f, H, H^-1, the Newton step -H^-1 grad f
and where it lands. :func:`inspect_point` gathers exactly those numbers (and the gradient step
beside them); the ``*_words`` functions say what they mean ("the full Newton step goes
uphill: H is indefinite").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hessianlens.engine import linalg2
from hessianlens.engine.objective import DerivativeComparison, Objective
from hessianlens.engine.rules import RULES
from hessianlens.engine.rules.base import newton_direction
from hessianlens.engine.trajectory import (ASCENT_DIRECTION, INDEFINITE, NEGATIVE_DEFINITE,
                                           SINGULAR, UPHILL, Iterate)

# What the curvature class means for the Newton step: -H^-1 g jumps to the stationary point of
# the local quadratic model, whose kind is set by the signs of the eigenvalues of H.
CURVATURE_WORDS = {
    linalg2.POSITIVE_DEFINITE: "H is positive definite: Newton heads for a minimum",
    linalg2.NEGATIVE_DEFINITE: "H is negative definite: Newton heads for a maximum",
    linalg2.INDEFINITE: "H is indefinite (one positive, one negative eigenvalue): "
                        "Newton heads for a saddle",
    linalg2.SINGULAR: "H is singular: no Newton step exists",
    linalg2.UNDEFINED: "H is not finite here: no Newton step exists",
}

_FLAG_CLASSES = {INDEFINITE: linalg2.INDEFINITE, NEGATIVE_DEFINITE: linalg2.NEGATIVE_DEFINITE,
                 SINGULAR: linalg2.SINGULAR}

# Below this angle (in degrees) between the Newton step and -grad f the two point the same
# way as printed ("0.0°"); below TURN_DEGREES the Newton step only rescales -grad f, and only
# from there on does it turn enough to say the steepest direction is not the best one.
PARALLEL_DEGREES = 0.05
TURN_DEGREES = 5.0
# The first write-up prints its Newton step scaled by its learning rate 0.5 (Example 3 at
# (3.1, 1.3): (-0.11, -0.44), f 0.97, where the full step -H^-1 grad f is (-0.22, -0.87)).
WRITE_UP_NEWTON_RATE = 0.5
# A change of f within this many machine epsilons of |f| is rounding, not a rise or a fall.
ROUNDING_ULPS = 4


def fmt_number(v: float) -> str:
    """Six decimals as the write-up prints them; scientific outside [1e-4, 1e6)."""
    v = float(v)
    if v == 0:
        return "0"
    if not np.isfinite(v):
        return str(v)
    if 1e-4 <= abs(v) < 1e6:
        return f"{v:.6f}"
    return f"{v:.6e}"


def fmt_vector(v) -> str:
    if v is None:
        return "none"
    return "(" + ", ".join(fmt_number(a) for a in np.ravel(v)) + ")"


def fmt_matrix(m) -> str:
    """A 2x2 matrix as two bracketed rows, one per line."""
    if m is None:
        return "none"
    return "\n".join("[" + ", ".join(fmt_number(a) for a in row) + "]"
                     for row in np.asarray(m, dtype=float))


def method_title(name: str) -> str:
    """The registered rule's title ("Newton + line search"); the name itself if unknown."""
    rule = RULES.get(name)
    return rule.title if rule is not None else name


def method_explanation(name: str) -> str:
    """The registered rule's one-line explanation ("" if unknown)."""
    rule = RULES.get(name)
    return rule.explanation if rule is not None else ""


def method_summary(name: str, params) -> str:
    """A method's parameters in a few words for a legend ("lr 0.5")."""
    rule = RULES.get(name)
    return rule.summary(params) if rule is not None else ""


def _step_subject(method: str | None) -> str:
    if not method:
        return "the step taken from here"
    title = method_title(method)
    # "this gradient descent step", but "this Newton step": a proper name keeps its capital.
    if not title.startswith("Newton"):
        title = title[:1].lower() + title[1:]
    return f"this {title} step"


@dataclass(frozen=True)
class PointInspection:
    """The write-up's numbers at one point. Missing quantities are None (steps) or NaN."""

    x: np.ndarray
    f: float
    grad: np.ndarray
    grad_norm: float
    hessian: np.ndarray
    inverse: np.ndarray | None  # H^-1; None where H is singular
    eigenvalues: np.ndarray  # (low, high)
    det: float
    curvature: int  # a linalg2 class code
    newton_step: np.ndarray | None  # -H^-1 grad f
    f_after_newton: float
    gradient_step: np.ndarray  # -lr * grad f
    learning_rate: float
    f_after_gradient: float
    angle_degrees: float  # between the Newton step and -grad f; NaN if either is zero/missing
    half_newton_step: np.ndarray | None = None  # WRITE_UP_NEWTON_RATE * the Newton step
    f_after_half_newton: float = float("nan")
    rate_owner: str | None = None  # the method whose learning rate the gradient step uses

    @property
    def curvature_name(self) -> str:
        return linalg2.CURVATURE_NAMES[self.curvature]

    @property
    def newton_ascent(self) -> bool:
        """grad f . p > 0: the Newton step points uphill."""
        return self.newton_step is not None and float(np.dot(self.grad, self.newton_step)) > 0


def inspect_point(objective: Objective, x, learning_rate: float = 1.0,
                  rate_owner: str | None = None) -> PointInspection:
    """The numbers the write-up prints at point x, with a gradient step of the given lr
    (rate_owner: the method it belongs to, "gd"; None for a bare rate such as 1).

    Never raises: a singular H gives ``inverse = newton_step = None`` and NaN where a
    number needs them.
    """
    here = objective.at(x)
    g, H = here.grad, here.hessian
    a, b, c = H[0, 0], H[0, 1], H[1, 1]
    low, high = linalg2.eigenvalues(a, b, c)
    curvature = linalg2.curvature_class(low, high)
    # H^-1 column by column: H^-1 e_1 and H^-1 e_2 (NaN where singular).
    columns = [linalg2.solve(a, b, c, *e) for e in ((1.0, 0.0), (0.0, 1.0))]
    inverse = np.array(columns, dtype=float).T
    if not np.all(np.isfinite(inverse)):
        inverse = None
    p = newton_direction(H, g) if curvature != linalg2.UNDEFINED else None
    lr = float(learning_rate)
    s = -lr * g
    f_newton = _value(objective, here.x, p)
    f_gradient = _value(objective, here.x, s)
    half = None if p is None else WRITE_UP_NEWTON_RATE * p
    return PointInspection(here.x, here.f, g, float(np.hypot(*g)), H, inverse,
                           np.array([low, high], dtype=float), float(linalg2.determinant(a, b, c)),
                           int(curvature), p, f_newton, s, lr, f_gradient, _angle(p, -g),
                           half, _value(objective, here.x, half), rate_owner)


def _value(objective: Objective, x, step) -> float:
    if step is None:
        return float("nan")
    return objective.value_at(x + step)


def _angle(u, v) -> float:
    """Angle in degrees between two vectors; NaN if either is missing or zero."""
    if u is None:
        return float("nan")
    nu, nv = float(np.hypot(*u)), float(np.hypot(*v))
    if not (nu > 0 and nv > 0 and np.isfinite(nu) and np.isfinite(nv)):
        return float("nan")
    # atan2(|u x v|, u . v): exact near 0 and 180 degrees, where arccos of the cosine loses
    # half its digits (parallel vectors came out 1.2e-6 degrees apart).
    cross = float(u[0] * v[1] - u[1] * v[0])
    return float(np.degrees(np.arctan2(abs(cross), float(np.dot(u, v)))))


def _rounding_only(before: float, after: float) -> bool:
    """f changed by no more than the rounding of f itself (a few units in its last place): at
    a converged point a step of 1e-8 moves f by 1e-16 either way, which says nothing about
    the step (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., section 2.1)."""
    return bool(np.isfinite(before) and np.isfinite(after) and
                abs(after - before) <= ROUNDING_ULPS * np.finfo(float).eps *
                max(abs(before), abs(after)))


def _change(before: float, after: float) -> str:
    """How f changes over a step, in words that never contradict the numbers they print."""
    was, now = fmt_number(before), fmt_number(after)
    if not (np.isfinite(before) and np.isfinite(after)):
        return f"f goes from {was} to {now}"
    if after == before:
        return f"f stays at {was}"
    verb = "rises" if after > before else "falls"
    if was == now:  # a change below six decimals: "falls from -1.031628 to -1.031628" said
        return f"f {verb} by {fmt_number(abs(after - before))}, from {was}"  # nothing
    return f"f {verb} from {was} to {now}"


def curvature_words(ins: PointInspection) -> str:
    """The curvature class in words; a numerically singular H (det H far from 0, but the
    eigenvalues more than 1/SINGULAR_RTOL apart, as far out on a diverged path) says so."""
    if ins.curvature == linalg2.SINGULAR and np.isfinite(ins.det) and ins.det != 0:
        low, high = ins.eigenvalues
        ratio = max(abs(low), abs(high)) / min(abs(low), abs(high))
        return (f"H is numerically singular: its eigenvalues {fmt_number(low)} and "
                f"{fmt_number(high)} differ by a factor of {ratio:.2g} (over "
                f"{1 / linalg2.SINGULAR_RTOL:.0g}), so solving H p = -grad f keeps no correct "
                f"digit; det H = {fmt_number(ins.det)} is large only because H is: no Newton "
                f"step is taken")
    return CURVATURE_WORDS[ins.curvature]


def newton_words(ins: PointInspection) -> str:
    """What the full Newton step -H^-1 grad f from this point does (the method's own step
    may be shorter: see flag_words)."""
    if ins.newton_step is None:
        if ins.curvature == linalg2.SINGULAR:
            return curvature_words(ins)
        return CURVATURE_WORDS[ins.curvature if ins.curvature == linalg2.UNDEFINED
                               else linalg2.SINGULAR]
    if ins.grad_norm == 0:
        return "grad f = 0: this is a stationary point, the Newton step is zero"
    change = _change(ins.f, ins.f_after_newton)
    if _rounding_only(ins.f, ins.f_after_newton):
        return f"the full Newton step changes f by rounding only ({change})"
    if ins.newton_ascent:
        # g . p = -g^T H^-1 g > 0 is impossible for a positive definite H.
        slope = f"points uphill (grad f . p > 0: H is {ins.curvature_name})"
        if not np.isfinite(ins.f_after_newton):
            return f"the full Newton step {slope} and lands where f is not finite"
        if ins.f_after_newton > ins.f:
            return f"the full Newton step goes uphill: H is {ins.curvature_name} ({change})"
        # f rises along p at first (its slope g . p is positive) but is lower at x + p.
        return f"the full Newton step {slope} yet {change}: f first rises along the step, then " \
               f"falls below its start further out (f is far from quadratic here)"
    if not np.isfinite(ins.f_after_newton):
        return "the full Newton step lands where f is not finite"
    if ins.f_after_newton > ins.f:
        return f"the full Newton step starts downhill but overshoots: {change} (f is far from " \
               f"quadratic here)"
    return f"the full Newton step goes downhill: {change}"


def rate_words(ins: PointInspection, method: str | None = None) -> str:
    """The gradient step's learning rate, "lr 0.5"; said as "gradient descent's lr 0.5" when
    the method inspected is another one, whose own step (BFGS', Adam's) is not this step."""
    lr = f"lr {ins.learning_rate:g}"
    if method is None or method == ins.rate_owner:
        return lr
    if ins.rate_owner is None:
        return f"bare {lr}"
    owner = method_title(ins.rate_owner)
    return f"{owner[:1].lower()}{owner[1:]}'s {lr}"


def gradient_words(ins: PointInspection, method: str | None = None) -> str:
    """What the gradient step -lr grad f from this point does (method: the one inspected,
    so that the rate is said to be another method's when it is)."""
    lr = rate_words(ins, method)
    if not np.isfinite(ins.f):
        return f"f is {fmt_number(ins.f)} here: a gradient step from this point means nothing"
    if ins.grad_norm == 0:
        return "grad f = 0: the gradient step is zero"
    if not np.isfinite(ins.f_after_gradient):
        return f"the gradient step ({lr}) lands where f is not finite"
    if _rounding_only(ins.f, ins.f_after_gradient):
        return f"the gradient step ({lr}) changes f by rounding only " \
               f"({_change(ins.f, ins.f_after_gradient)})"
    if ins.f_after_gradient > ins.f:
        return f"the gradient step ({lr}) overshoots: {_change(ins.f, ins.f_after_gradient)} " \
               f"(the learning rate is too large for the curvature here)"
    return f"the gradient step ({lr}) goes downhill: {_change(ins.f, ins.f_after_gradient)}"


def direction_words(ins: PointInspection) -> str:
    """How the Newton direction compares with the steepest-descent direction -grad f."""
    angle = ins.angle_degrees
    if not np.isfinite(angle):
        return ""
    if angle < PARALLEL_DEGREES:
        return "the Newton step points along -grad f: only the length differs"
    if angle < TURN_DEGREES:
        return f"the Newton step is within {angle:.1f}° of -grad f: nearly the steepest " \
               f"direction, with another length"
    if angle < 90:
        return f"the Newton step turns {angle:.1f}° away from -grad f: the steepest direction " \
               f"is not the best one here"
    return f"the Newton step is {angle:.1f}° away from -grad f"


def inspection_words(ins: PointInspection, method: str | None = None) -> tuple[str, ...]:
    """Every sentence about a point: curvature, Newton step, its direction, gradient step
    (method: the one inspected, see gradient_words)."""
    words = [curvature_words(ins), newton_words(ins), direction_words(ins),
             gradient_words(ins, method)]
    return tuple(dict.fromkeys(w for w in words if w))  # drop blanks and repeats, keep order


def flag_words(iterate: Iterate, method: str | None = None) -> tuple[str, ...]:
    """What went wrong with the step a trajectory took from this iterate, in words (empty
    when nothing did). The curvature class is not repeated here: curvature_words says it."""
    subject = _step_subject(method)
    flags = iterate.flags
    bad_curvature = [f for f in flags if f in (INDEFINITE, NEGATIVE_DEFINITE)]
    name = linalg2.CURVATURE_NAMES[_FLAG_CLASSES[bad_curvature[0]]] if bad_curvature else ""
    if ASCENT_DIRECTION in flags:
        # The slope g . step and the change of f are both said when they disagree.
        if UPHILL in flags:
            return (f"{subject} goes uphill: H is {name}" if name
                    else f"{subject} goes uphill (grad f . step > 0, and f rises)",)
        slope = f"grad f . step > 0: H is {name}" if name else "grad f . step > 0"
        return (f"{subject} points uphill ({slope}) yet f falls: f first rises along the "
                f"step, then falls below its start further out",)
    if UPHILL in flags:
        return (f"{subject} overshoots: it starts downhill but f rises",)
    return ()


@dataclass(frozen=True)
class Story:
    """The inspector's sentences at an iterate, each said once: the curvature class, what
    went wrong with the step the method took (flags), and the rest in words."""

    curvature: str
    flags: tuple[str, ...]
    words: tuple[str, ...]


def story(ins: PointInspection, iterate: Iterate | None = None,
          method: str | None = None) -> Story:
    """Every sentence about a point and the step taken from it, none repeated. Where the
    step taken is the full Newton step, its flag is newton_words (the same verdict, with the
    numbers) and the words do not say it again."""
    curvature = curvature_words(ins)
    flags = flag_words(iterate, method) if iterate is not None else ()
    newton = newton_words(ins)
    step = None if iterate is None else iterate.step
    if flags and step is not None and ins.newton_step is not None \
            and np.allclose(step, ins.newton_step, rtol=1e-9, atol=1e-12):
        flags = (newton, *flags[1:])
    words = tuple(w for w in inspection_words(ins, method) if w != curvature and w not in flags)
    return Story(curvature, flags, words)


def relation_words(rule, trajectory, k: int) -> str:
    """'Title: how its step relates to the Newton step' at iterate k of a trajectory (its last
    step's words at the end, where no step is taken); "" for a rule that has none."""
    if not trajectory.iterates:
        return ""
    k = max(0, min(int(k), len(trajectory.iterates) - 1))
    words = rule.relation(trajectory.as_seen(k))  # the last: what it would step with next
    if not words and k > 0 and k == len(trajectory.iterates) - 1:
        words = rule.relation(trajectory.iterates[k - 1])
        if words:
            words += f" (its last step, from iterate {k - 1})"
    return f"{rule.title}: {words}" if words else ""


def comparison_words(cmp: DerivativeComparison) -> str:
    """Exact against numdifftools derivatives, in one sentence."""
    d = cmp.max_difference
    if not np.isfinite(d):
        return "numdifftools could not differentiate f here"
    return f"exact and numdifftools derivatives differ by at most {d:.2g}"
