"""The minimiser of a function of one variable along a ray t > 0: bracketing, then Brent.

phi(t) = f(x + t d) is bracketed by stepping out from t = 0 (shrinking the first trial step
until phi falls below phi(0), then growing it by the golden ratio until phi rises again), and
the bracket is narrowed by Brent's method: parabolic interpolation through the best three
points, golden-section steps where the parabola is not to be trusted (Brent 1973,
"Algorithms for Minimization without Derivatives", ch. 5, procedure localmin). Written here
rather than taken from scipy.optimize: that package, with the sparse and spatial packages it
imports, would add about 25 MB to the bundled application for these 100 lines.

Numeric trouble is an answer with a message, never an exception: a NaN or infinite phi is
treated as +inf (a wall), and a phi that keeps falling as far as the bracket may grow has no
minimiser.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

GOLDEN = (1 + math.sqrt(5)) / 2  # the bracket grows by this factor (Brent 1973, ch. 5)
CGOLD = (3 - math.sqrt(5)) / 2  # the golden-section fraction, 0.381966
XTOL = 1.5e-8  # relative tolerance on t: about sqrt(machine epsilon) (Brent 1973, ch. 5.4)
MAX_SHRINKS = 80  # the first trial step may be halved this often (2^-80 of it)
MAX_GROWTHS = 120  # and the bracket may grow GOLDEN^120 ~ 1e25 times past it
MAX_ITERATIONS = 200


@dataclass(frozen=True)
class LineMinimum:
    """The minimiser t of phi along the ray and phi there, or None with the reason."""

    t: float | None
    f: float | None
    message: str = ""
    evaluations: int = 0

    @property
    def found(self) -> bool:
        return self.t is not None


def _wall(v: float) -> float:
    """phi as a float, with NaN (undefined) and overflow read as +inf: a wall to stay out of."""
    try:
        v = float(v)
    except (TypeError, ValueError, OverflowError):
        return math.inf
    return math.inf if math.isnan(v) else v


def minimise_along_ray(phi: Callable[[float], float], f0: float, t1: float,
                       t_max: float = math.inf, name: str = "t") -> LineMinimum:
    """A minimiser of phi over t > 0 for a phi that falls from t = 0 (a descent direction).

    Parameters
    ----------
    phi : callable(t) -> float
        The function along the ray, phi(0) = f0.
    f0 : float
        phi(0).
    t1 : float
        The first trial step (positive): the quadratic model's minimiser is a good guess.
    t_max : float
        No minimiser is searched beyond it (where x + t d leaves the usable plane).
    name : str
        What t is called in the messages ("t", "lr").

    Returns
    -------
    LineMinimum
        The minimiser of the bracket found first from t = 0 (a local minimiser of phi, the
        lowest one whenever phi falls to it without rising on the way), or t None with a
        message when phi does not fall from t = 0 or keeps falling up to t_max.
    """
    count = 0

    def value(t: float) -> float:
        nonlocal count
        count += 1
        return _wall(phi(t))

    f0 = _wall(f0)
    if not (math.isfinite(f0) and math.isfinite(t1) and t1 > 0):
        return LineMinimum(None, None, "f is not finite at the point", count)
    # Shrink: b with phi(b) < phi(0); the last rejected step is the bracket's far end c.
    b, c = min(t1, t_max), math.inf
    fb = value(b)
    shrinks = 0
    while not fb < f0:
        if shrinks == MAX_SHRINKS:
            return LineMinimum(None, None, "f does not fall from the point (it is flat or "
                                           "rises at every step tried)", count)
        c = b
        b /= 2
        fb = value(b)
        shrinks += 1
    a = 0.0
    # Grow: while phi keeps falling, step out by the golden ratio.
    growths = 0
    while not math.isfinite(c):
        trial = b + GOLDEN * (b - a)
        if trial > t_max or growths == MAX_GROWTHS or fb == -math.inf:
            return LineMinimum(None, None, f"f keeps falling as far as {name} = {b:.3g}: no "
                                           f"minimum along the line", count)
        ft = value(trial)
        growths += 1
        if ft >= fb:
            c = trial
        else:
            a, b, fb = b, trial, ft
    t, ft = brent(value, a, b, c, fb)
    return LineMinimum(t, ft, "", count)


def brent(phi: Callable[[float], float], a: float, b: float, c: float, fb: float,
          xtol: float = XTOL) -> tuple[float, float]:
    """Brent's localmin on the bracket a < b < c (phi(b) below phi(a) and phi(c)).

    Parabolic interpolation through the three best points so far (x, w, v), where the
    parabola's vertex falls inside the bracket and the step is less than half the one
    before last; a golden-section step otherwise (Brent 1973, ch. 5). Returns (t, phi(t)).
    phi must already read NaN as +inf.
    """
    lo, hi = a, c
    x = w = v = b
    fx = fw = fv = fb
    d = e = 0.0
    for _ in range(MAX_ITERATIONS):
        m = 0.5 * (lo + hi)
        tol1 = xtol * abs(x) + 1e-300
        tol2 = 2 * tol1
        if abs(x - m) <= tol2 - 0.5 * (hi - lo):
            break
        golden = True
        if abs(e) > tol1:
            # The parabola through (x, fx), (w, fw), (v, fv): its vertex is x + p / q.
            r = (x - w) * (fx - fv)
            q = (x - v) * (fx - fw)
            p = (x - v) * q - (x - w) * r
            q = 2 * (q - r)
            if q > 0:
                p = -p
            q = abs(q)
            e_before, e = e, d
            if math.isfinite(p) and math.isfinite(q) and abs(p) < abs(0.5 * q * e_before) \
                    and q * (lo - x) < p < q * (hi - x):
                d = p / q
                u = x + d
                if u - lo < tol2 or hi - u < tol2:
                    d = math.copysign(tol1, m - x)
                golden = False
        if golden:
            e = (hi - x) if x < m else (lo - x)
            d = CGOLD * e
        u = x + (d if abs(d) >= tol1 else math.copysign(tol1, d))
        fu = phi(u)
        if fu <= fx:
            if u >= x:
                lo = x
            else:
                hi = x
            v, fv, w, fw, x, fx = w, fw, x, fx, u, fu
        else:
            if u < x:
                lo = u
            else:
                hi = u
            if fu <= fw or w == x:
                v, fv, w, fw = w, fw, u, fu
            elif fu <= fv or v == x or v == w:
                v, fv = u, fu
    return x, fx
