"""The learning rates the Hessian suggests at a point, and f along the two steps they scale.

With g the gradient and H the Hessian at x, and the quadratic model
m(x + s) = f + g.s + s.H.s / 2 (Nocedal & Wright, eq. (2.14)):

- ``cauchy`` = g.g / g.H.g minimises the model along -g (the Cauchy step of Nocedal & Wright,
  eq. (4.12), without the trust radius; the 1D rate 1/f'' of the second write-up along g);
- ``inverse_lambda_max`` = 1/lambda_max and ``stability_edge`` = 2/lambda_max: gradient descent
  on the quadratic multiplies the error along each eigenvector by 1 - lr lambda, so it
  diverges along the steepest one for lr > 2/lambda_max;
- ``best_quadratic`` = 2/(lambda_min + lambda_max) makes the two factors equal and opposite,
  the smallest contraction a fixed rate reaches on a positive definite quadratic, by
  (lambda_max - lambda_min)/(lambda_max + lambda_min) per step (Nesterov 2004, "Introductory
  Lectures on Convex Optimization", Thm. 2.1.15; Polyak 1987, "Introduction to
  Optimization", sec. 1.4);
- ``line_minimum`` minimises the true f(x - eta g) over eta > 0 and ``newton_line_minimum``
  the true f(x + t p) along the Newton step p = -H^-1 g (t = 1 is the full step): where
  they differ from the model's answers, f is not quadratic there.

Where a rate does not exist (H not positive definite, g.H.g <= 0, f falling without end) it
is None and the message says why; nothing here raises on numeric trouble.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from hessianlens.engine import linalg2
from hessianlens.engine.fields import MAX_COORDINATE
from hessianlens.engine.line_minimum import LineMinimum, minimise_along_ray
from hessianlens.engine.objective import Objective
from hessianlens.engine.rules.base import newton_direction

LINE_SAMPLES = 241  # samples of f along a step for the plots
KEYS = ("cauchy", "inverse_lambda_max", "best_quadratic", "stability_edge", "line_minimum",
        "newton_line_minimum", "gradient", "hessian", "eigenvalues", "message")
# The plots of f along a step reach past the largest rate they mark by this factor.
EXTENT_MARGIN = 1.15


def _num(v) -> float | None:
    return float(v) if v is not None and math.isfinite(v) else None


@dataclass(frozen=True)
class PointRates:
    """The candidate rates at a point, the two line minima, and what they mean in words."""

    point: tuple[float, float]
    f: float
    gradient: np.ndarray
    hessian: np.ndarray
    eigenvalues: tuple[float, float]  # (low, high)
    curvature: int  # linalg2 class code
    newton_step: np.ndarray | None  # p = -H^-1 g; None where H is singular
    cauchy: float | None
    inverse_lambda_max: float | None
    best_quadratic: float | None
    stability_edge: float | None
    line_minimum: LineMinimum  # along -g: t is the rate eta
    newton_line_minimum: LineMinimum  # along p: t scales the Newton step
    message: str

    @property
    def candidates(self) -> dict[str, float]:
        """The rates along -g that exist, by key (for markers)."""
        out = {k: getattr(self, k) for k in ("cauchy", "inverse_lambda_max", "best_quadratic",
                                             "stability_edge")}
        out["line_minimum"] = self.line_minimum.t
        return {k: v for k, v in out.items() if v is not None}

    def as_dict(self) -> dict:
        """Exactly the keys of ``hessianlens rates`` (KEYS); None for a rate that does not
        exist, a line minimum as {eta, f} or {t, f}."""
        lm, nm = self.line_minimum, self.newton_line_minimum
        return {
            "cauchy": self.cauchy,
            "inverse_lambda_max": self.inverse_lambda_max,
            "best_quadratic": self.best_quadratic,
            "stability_edge": self.stability_edge,
            "line_minimum": {"eta": lm.t, "f": _num(lm.f)} if lm.found else None,
            "newton_line_minimum": {"t": nm.t, "f": _num(nm.f)} if nm.found else None,
            "gradient": [_num(v) for v in self.gradient],
            "hessian": [[_num(v) for v in row] for row in self.hessian],
            "eigenvalues": [_num(v) for v in self.eigenvalues],
            "message": self.message,
        }


def _along(objective: Objective, x: np.ndarray, d: np.ndarray):
    """phi(t) = f(x + t d), and how far t may go before x + t d leaves the usable plane."""
    def phi(t: float) -> float:
        return objective.value_at(x + t * d)
    reach = float(np.max(np.abs(d)))
    return phi, (MAX_COORDINATE / reach if reach > 0 else math.inf)


def stability_edge(eig_high):
    """2/lambda_max where lambda_max > 0, NaN elsewhere: the rate above which gradient descent
    diverges on the local quadratic (scalars or whole grids of the larger eigenvalue)."""
    high = np.asarray(eig_high, dtype=float)
    with np.errstate(all="ignore"):
        edge = np.where(high > 0, 2.0 / high, np.nan)
    edge[~np.isfinite(edge)] = np.nan
    return edge if edge.ndim else float(edge)


def _fmt(v: float) -> str:
    return f"{v:.4g}"


def rates_at(objective: Objective, point) -> PointRates:
    """The candidate learning rates at a point, the true minima along -grad f and along the
    Newton step, and a message in words. Never raises on numeric trouble."""
    here = objective.at(point)
    x, f, g, H = here.x, float(here.f), here.grad, here.hessian
    low, high = (float(v) for v in linalg2.eigenvalues(H[0, 0], H[0, 1], H[1, 1]))
    cls = linalg2.curvature_class(low, high)
    none = LineMinimum(None, None)
    finite = math.isfinite(f) and np.all(np.isfinite(g)) and np.all(np.isfinite(H))
    if not finite:
        return PointRates((float(x[0]), float(x[1])), f, g, H, (low, high), cls, None, None,
                          None, None, None, none, none,
                          "f or its derivatives are not finite here: no rate exists")
    # g.g and g.H.g from g scaled by a power of two (exact): their ratio, the Cauchy rate,
    # is an ordinary number where the products overflow (f = 1e200 (x^2 + y^2) far out).
    k = int(linalg2.pow2_exponent(g[0], g[1]))
    u = np.ldexp(g, -k)
    uu, uHu = float(u @ u), float(u @ H @ u)
    with np.errstate(over="ignore"):
        gg, gHg = float(np.ldexp(uu, 2 * k)), float(np.ldexp(uHu, 2 * k))
    words: list[str] = []

    cauchy = uu / uHu if uHu > 0 and uu > 0 else None
    if cauchy is not None and not math.isfinite(cauchy):
        cauchy = None
    edge = _num(stability_edge(high))
    inverse = None if edge is None else edge / 2
    best = 2 / (low + high) if cls == linalg2.POSITIVE_DEFINITE else None

    if gg == 0:
        words.append("the gradient is zero: this is a stationary point, and every rate leaves "
                     "it where it is")
    elif cauchy is None:
        kind = "negative" if gHg < 0 else "no"
        words.append(f"{kind} curvature along -g: the model has no minimum in that direction "
                     f"(g.H.g = {_fmt(gHg)})")
    else:
        words.append(f"the quadratic model is lowest along -grad f at the Cauchy rate "
                     f"g.g/g.H.g = {_fmt(cauchy)}")
    if cls == linalg2.POSITIVE_DEFINITE:
        words.append(f"H is positive definite: on the model gradient descent converges for "
                     f"lr < 2/lambda_max = {_fmt(edge)}, fastest at 2/(lambda_min + lambda_max) "
                     f"= {_fmt(best)}")
    elif edge is not None:
        words.append(f"H is not positive definite (eigenvalues {_fmt(low)}, {_fmt(high)}): no "
                     f"fixed rate converges on the model; along the positive-curvature "
                     f"direction it stays stable for lr < 2/lambda_max = {_fmt(edge)}")
    else:
        words.append(f"H has no positive eigenvalue ({_fmt(low)}, {_fmt(high)}): no fixed rate "
                     f"is stable on the model")

    line = none
    if gg > 0:
        phi, reach = _along(objective, x, -g)
        guess = cauchy or inverse or 1 / float(np.ldexp(math.sqrt(uu), k))
        line = minimise_along_ray(phi, f, guess, reach, "lr")
        if line.found:
            words.append(f"the true f along -grad f is lowest at lr {_fmt(line.t)} "
                         f"(f = {_fmt(line.f)})")
        else:
            line = LineMinimum(None, None, f"along -grad f, {line.message}", line.evaluations)
            words.append(line.message)

    p = newton_direction(H, g)
    if p is None:
        newton = LineMinimum(None, None, "H is singular: no Newton step exists")
    elif not float(g @ p) < 0:
        newton = LineMinimum(None, None, "the Newton step does not go downhill (g.p >= 0): f "
                                         "does not fall along it from t = 0")
    else:
        phi, reach = _along(objective, x, p)
        newton = minimise_along_ray(phi, f, 1.0, reach)
        if newton.found:
            words.append(f"along the Newton step f is lowest at t = {_fmt(newton.t)} "
                         f"(f = {_fmt(newton.f)}; the model says t = 1)")
        else:
            newton = LineMinimum(None, None, f"along the Newton step, {newton.message}",
                                 newton.evaluations)
    if not newton.found and gg > 0:
        words.append(newton.message)
    message = "; ".join(words)
    return PointRates((float(x[0]), float(x[1])), f, g, H, (low, high), cls, p, cauchy, inverse,
                      best, edge, line, newton, message[:1].upper() + message[1:] + ".")


# --- f along a step, for the one-dimensional plots ---------------------------------------------
@dataclass(frozen=True)
class LineProfile:
    """f(x + t d) and the quadratic model f + t g.d + t^2 d.H.d / 2 at samples of t."""

    t: np.ndarray
    f: np.ndarray  # NaN where f is undefined or infinite
    model: np.ndarray


def line_profile(objective: Objective, rates: PointRates, direction: str, t_max: float,
                 n: int = LINE_SAMPLES) -> LineProfile | None:
    """f and its quadratic model along -grad f ("gradient": t is the rate eta) or along the
    Newton step ("newton": t = 1 is the full step), for t in [0, t_max]; None when that
    direction does not exist (zero gradient, singular H)."""
    g, H = rates.gradient, rates.hessian
    d = -g if direction == "gradient" else rates.newton_step
    if d is None or not np.all(np.isfinite(d)) or not np.any(d) or not t_max > 0:
        return None
    t = np.linspace(0.0, float(t_max), n)
    x = np.asarray(rates.point, dtype=float)
    with np.errstate(all="ignore"):
        f = objective.value(x[0] + t * d[0], x[1] + t * d[1])
        f[~np.isfinite(f)] = np.nan
        model = rates.f + t * float(g @ d) + 0.5 * t * t * float(d @ H @ d)
    return LineProfile(t, f, model)


def line_extent(values, least: float = 0.0) -> float:
    """How far a plot of f along a step reaches: past every positive value given (the rates
    it marks) by EXTENT_MARGIN, and at least ``least``."""
    finite = [float(v) for v in values if v is not None and math.isfinite(v) and v > 0]
    top = max(finite, default=0.0)
    return max(EXTENT_MARGIN * top, least) or 1.0


def gradient_extent(rates: PointRates, in_use: float | None = None) -> float:
    """The rate axis of the plot along -grad f: every candidate, the rate in use, and twice
    the Cauchy rate (where the model rises back to f: the steps that still descend)."""
    twice = 2 * rates.cauchy if rates.cauchy is not None else None
    return line_extent([*rates.candidates.values(), twice, in_use])


def newton_extent(rates: PointRates, in_use: float | None = None) -> float:
    """The t axis of the plot along the Newton step: at least t = 2 (twice the full step)."""
    return line_extent([rates.newton_line_minimum.t, in_use], least=2.0)
