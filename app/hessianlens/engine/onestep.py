"""The one-step learning rate in 1D: eta = 1/f''(w0), Newton's step in one variable.

For a quadratic f the Taylor expansion f'(w) = f'(w0) + f''(w0) (w - w0) is exact, so setting
f'(w*) = 0 gives w* = w0 - f'(w0)/f''(w0): the learning rate eta = 1/f''(w0) reaches the
extremum in one step (a minimum if f'' > 0, a maximum if f'' < 0). With higher-order terms the
step trusts a model that is no longer exact and misses. Numeric trouble becomes a status and a
message, never an exception; only unacceptable text raises ExpressionError (from the parser).

f and its derivatives, and the critical point w* the step aims at, come from
hessianlens.engine.linefunction.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from hessianlens.engine.linefunction import LineFunction, critical_point, line_function, quiet

OK = "ok"
NO_RATE = "no_rate"  # f''(w0) = 0 at this w0 (an inflection point)
LINEAR = "linear"  # f'' = 0 everywhere: linear or constant, no extremum
NO_CRITICAL_POINT = "no_critical_point"  # f' has no zero (near w0)
OVERFLOW = "overflow"  # a number beyond the float range
UNDEFINED = "undefined"  # f, f' or f'' is not defined at w0
CONVERGED = "converged"  # Newton steps: f'(w) = 0, the step is zero
REACHED, NEVER, NO_TARGET = "reached", "never", "no_target"  # gradient-descent comparison
MINIMUM, MAXIMUM, INFLECTION = "minimum", "maximum", "inflection"

GD_MAX_STEPS = 10_000
# A float cannot get closer than rounding: the target of the GD comparison is never tighter.
REL_FLOOR = 1e-12


def _fmt(v) -> str:
    return "none" if v is None else f"{v:.6g}"


def _finite(v) -> bool:
    return v is not None and math.isfinite(v)


# --- the kind of the critical point w* (found by linefunction.critical_point) -------------
def _kind(fn: LineFunction, w: float) -> str:
    f, _, d2f = fn.at(w)
    if d2f > 0:
        return MINIMUM
    if d2f < 0:
        return MAXIMUM
    # f''(w*) = 0 (w**4 at 0, w**3 at 0): compare f with its nearest neighbours that differ
    # from it (w**1000 is flat to the last bit within 0.1 of 0).
    for h in (1e-3, 1e-2, 0.1, 0.5):
        left, right = (float(v) for v in fn.value(w + np.array([-h, h]) * max(1.0, abs(w))))
        if left != f and right != f:
            break
    if left > f and right > f:
        return MINIMUM
    if left < f and right < f:
        return MAXIMUM
    return INFLECTION


# --- one step -------------------------------------------------------------------------------
@dataclass(frozen=True)
class OneStepResult:
    """One step w1 = w0 - f'(w0)/f''(w0) and the critical point w* it aims at."""

    function: str
    w0: float
    f_w0: float
    df_w0: float
    d2f_w0: float
    eta: float | None  # 1/f''(w0); None where it does not exist
    w1: float | None
    f_w1: float | None
    w_star: float | None
    f_w_star: float | None
    kind: str | None  # of w*: minimum, maximum or inflection
    miss: float | None  # |w1 - w*|
    status: str
    message: str

    def as_dict(self) -> dict:
        """JSON-ready: non-finite and absent numbers are None."""
        return {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                for k, v in asdict(self).items()}


def _newton_update(fn: LineFunction, w, f_w, df_w, d2f_w,
                   name: str = "w0") -> tuple[float | None, str, str]:
    """(w - w_next or None, status, message) of the Newton step from w (called name)."""
    if not (math.isfinite(df_w) and math.isfinite(d2f_w)):
        if fn.overflows_at(w):
            return None, OVERFLOW, (f"f' or f'' overflows at w = {_fmt(w)}: computing them "
                                    "passes a value beyond 1e308")
        if math.isinf(df_w) or math.isinf(d2f_w):
            return None, OVERFLOW, f"f' or f'' is infinite at w = {_fmt(w)} (a pole?)"
        return None, UNDEFINED, f"f, f' or f'' is not defined at w = {_fmt(w)}"
    if d2f_w == 0:
        return None, NO_RATE, (f"f''({name}) = 0: no one-step rate exists there (eta = 1/0): "
                               f"f is linear or constant, or {name} is an inflection point")
    # w - w_next = f'/f'' rather than eta * f': one rounding instead of two.
    step = df_w / d2f_w
    if not math.isfinite(step) or not math.isfinite(1.0 / d2f_w):
        return None, OVERFLOW, f"eta = 1/f''({name}) overflows (f'' is almost zero)"
    return step, OK, ""


def one_step(source, w0: float) -> OneStepResult:
    """eta = 1/f''(w0) and where it lands, for f given as text (variable w or x),
    ParsedExpression or LineFunction. Raises ExpressionError only for unacceptable text."""
    fn = line_function(source)
    w0 = float(w0)
    if not math.isfinite(w0):
        return OneStepResult(fn.text, w0, *[math.nan] * 3, *[None] * 8, UNDEFINED,
                             "w0 must be a finite number")
    with quiet():
        f0, g0, h0 = fn.at(w0)
        step, status, message = _newton_update(fn, w0, f0, g0, h0)
        eta = w1 = f1 = None
        if step is not None:
            eta, w1 = 1.0 / h0, w0 - step
            f1 = float(fn.value(w1))
        if fn.d2f_is_zero:
            status = LINEAR
            message = ("f is constant: every point is stationary; there is no extremum and no "
                       "one-step rate" if fn.df_is_zero else
                       "f is linear (f'' = 0 everywhere): there is no extremum and no one-step "
                       "rate")
        w_star, why = (None, "") if status == LINEAR else critical_point(fn, w0)
        f_star = kind = miss = None
        if w_star is not None:
            f_star, kind = float(fn.value(w_star)), _kind(fn, w_star)
            miss = abs(w1 - w_star) if w1 is not None else None
    if status == OK:
        status, message = _describe(fn, eta, w_star, kind, miss, why)
    elif status == NO_RATE and w_star is not None:
        message += f"; the nearest critical point is the {kind} w* = {_fmt(w_star)}"
    bad = [v for v in (f0, f1, f_star) if v is not None and not math.isfinite(v)]
    if status in (OK, NO_CRITICAL_POINT) and bad:
        inf = any(map(math.isinf, bad)) or fn.overflows_at(w0)
        status = OVERFLOW if inf else UNDEFINED
        message = ("f overflows (computing it passes a value beyond 1e308)" if inf else
                   "f is not defined") + \
            " at w0, w1 or w*; " + message
    return OneStepResult(fn.text, w0, f0, g0, h0, eta, w1, f1, w_star, f_star, kind, miss,
                         status, message)


def _describe(fn: LineFunction, eta, w_star, kind, miss, why) -> tuple[str, str]:
    aim = "a maximum (eta < 0)" if eta < 0 else "a minimum (eta > 0)"
    if w_star is None:
        return NO_CRITICAL_POINT, (f"no critical point near w0 ({why}): the step heads for "
                                   f"{aim} of the Taylor model that f does not have")
    if fn.is_quadratic:
        return OK, (f"f is quadratic, so the Taylor model at w0 is exact: one step with eta = "
                    f"{_fmt(eta)} lands on the {kind} w* = {_fmt(w_star)}")
    target = f"the {kind} w* = {_fmt(w_star)}"
    lands = f"lands on {target}" if miss == 0 else f"misses {target} by {_fmt(miss)}"
    text = (f"f is not quadratic: the step trusts the Taylor model at w0, heading for {aim}, "
            f"and {lands}")
    if (kind == MAXIMUM) != (eta < 0) or kind == INFLECTION:
        text += (f"; the nearest critical point is {'an' if kind == INFLECTION else 'a'} {kind}, "
                 "not what the model aims at")
    return OK, text


# --- further Newton steps and the gradient-descent comparison -------------------------------
@dataclass(frozen=True)
class NewtonPath:
    """Iterates w0, w1, ... of full Newton steps w <- w - f'(w)/f''(w)."""

    iterates: tuple[float, ...]
    values: tuple[float, ...]
    status: str  # OK (all steps taken), CONVERGED, NO_RATE, OVERFLOW or UNDEFINED
    message: str


def newton_steps(source, w0: float, steps: int) -> NewtonPath:
    """Take up to ``steps`` Newton steps from w0, stopping at trouble or a fixed point."""
    fn = line_function(source)
    ws, fs = [float(w0)], []
    status, message = OK, f"{steps} Newton steps taken"
    with quiet():
        for k in range(steps):
            f, g, h = fn.at(ws[-1])
            fs.append(f)
            step, status, message = _newton_update(fn, ws[-1], f, g, h, f"w{k}")
            if step is None:
                message = f"stopped at w{k}: {message}"
                break
            if step == 0:
                status, message = CONVERGED, f"f'(w{k}) = 0: w{k} is a critical point"
                break
            ws.append(ws[-1] - step)
            status, message = OK, f"{steps} Newton steps taken"
        if len(fs) < len(ws):
            fs.append(float(fn.value(ws[-1])))
    return NewtonPath(tuple(ws), tuple(fs), status, message)


@dataclass(frozen=True)
class GdComparison:
    """Gradient descent w <- w - lr f'(w) from w0 until it is as close to w* as one step."""

    learning_rate: float
    tolerance: float | None  # max(miss, REL_FLOOR scale); None without a target
    steps: int | None  # steps needed; None if never within max_steps
    iterates: tuple[float, ...]
    status: str  # REACHED, NEVER or NO_TARGET
    message: str


def gd_comparison(source, w0: float, learning_rate: float, max_steps: int = GD_MAX_STEPS,
                  result: OneStepResult | None = None) -> GdComparison:
    """How many gradient-descent steps from w0 get as close to w* as the one-step rate."""
    fn = line_function(source)
    result = result if result is not None else one_step(fn, w0)
    lr, w_star = float(learning_rate), result.w_star
    if w_star is None or not math.isfinite(lr) or not math.isfinite(result.w0):
        return GdComparison(lr, None, None, (float(w0),), NO_TARGET,
                            "no critical point w* to compare gradient descent with")
    floor = REL_FLOOR * max(1.0, abs(w_star), abs(result.w0))
    tol = max(result.miss, floor) if _finite(result.miss) else floor
    bound = 1e12 * max(1.0, abs(w_star), abs(result.w0))
    ws, why = [result.w0], f"not within {_fmt(tol)} of w* after {max_steps} steps"
    with quiet():
        for _ in range(max_steps):
            if abs(ws[-1] - w_star) <= tol:
                n = len(ws) - 1
                goal = ("as close to w* as the one step" if _finite(result.miss) else
                        "near w* (there is no one step to compare)")
                text = (f"w0 is already {goal}: gradient descent needs 0 steps" if n == 0 else
                        f"gradient descent with learning rate {_fmt(lr)} needs {n} "
                        f"step{'s' if n != 1 else ''} to get {goal}")
                return GdComparison(lr, tol, n, tuple(ws), REACHED,
                                    f"{text} (|w - w*| <= {_fmt(tol)})")
            w = ws[-1] - lr * fn.df(ws[-1])
            if not math.isfinite(w) or abs(w) > bound:
                why = f"it diverges (|w| > {_fmt(bound)} after {len(ws)} steps)"
                break
            if w == ws[-1]:
                why = f"it stops at w = {_fmt(w)}, where f' = 0 or the step rounds to zero"
                break
            ws.append(w)
    if result.kind == MAXIMUM and lr > 0:
        why += "; gradient descent walks downhill, away from a maximum (lr < 0 climbs)"
    return GdComparison(lr, tol, None, tuple(ws), NEVER,
                        f"gradient descent with learning rate {_fmt(lr)} never gets as close: "
                        + why)


# --- text of a w^2 + b w + c (+ d w^3) -------------------------------------------------------
def _coefficient_text(v: float) -> str:
    v = float(v)
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)


def polynomial_text(a: float, b: float, c: float, d: float = 0.0) -> str:
    """Text of d w**3 + a w**2 + b w + c, zero terms left out: (-1, -2, -3) -> -w**2 - 2*w - 3."""
    out = ""
    for coef, mono in ((d, "w**3"), (a, "w**2"), (b, "w"), (c, "")):
        if coef != 0:
            mag, sign = _coefficient_text(abs(coef)), "-" if coef < 0 else "+"
            body = mag if not mono else mono if mag == "1" else f"{mag}*{mono}"
            out += f" {sign} {body}" if out else sign + body
    return out.removeprefix("+") or "0"
