"""A function of one variable f(w): exact f' and f'' (sympy) and the zero of f' nearest w0.

LineFunction evaluates f, f' and f'' vectorized through the plane Objective; critical_point finds
the critical point w* (f'(w*) = 0) nearest a start point, by the companion matrix when f' is a
polynomial and by bracketing and bisection otherwise. The one-step learning rate built on them
lives in hessianlens.engine.onestep. Numeric trouble gives None or nan, never an exception.
"""

from __future__ import annotations

import math
import warnings
from contextlib import contextmanager
from functools import cached_property

import numpy as np

from hessianlens.engine.codegen import compile_source
from hessianlens.engine.expression import ParsedExpression
from hessianlens.engine.objective import Objective
from hessianlens.engine.overflow import overflows
from hessianlens.engine.product import LINE_KIND, MAX_POLY_DEGREE, BuildProduct, product_from_text

__all__ = ["MAX_POLY_DEGREE", "SEARCH_POINTS", "SEARCH_REACH", "LineFunction", "critical_point",
           "line_function"]

SEARCH_POINTS = 801  # grid points per search window (odd: w0 is one of them)
SEARCH_REACH = 1e4  # search |w - w0| <= SEARCH_REACH * max(1, |w0|)

class LineFunction:
    """f(w) with exact f' and f'' (sympy), vectorized through the plane Objective.

    Build it with :func:`hessianlens.engine.build.build_line_function` (a user's text: in a
    worker process with a time limit) or :func:`line_function` (in this process)."""

    def __init__(self, product: BuildProduct):
        if product.line is None:
            raise ValueError("not a line function's build product")
        self.product = product
        self.text = product.text
        # The plane Objective with an unused second variable: its x-derivatives are f', f''.
        self._objective = Objective(product)
        # Scalar f' for the loops (bisection, gradient descent): one compiled expression.
        self._df = compile_source(product.line.df_source)
        self.df_is_zero = product.line.df_is_zero  # f is constant
        self.d2f_is_zero = product.line.d2f_is_zero  # f is linear or constant

    # --- the sympy expressions, unpickled on first use ----------------------------------
    @property
    def w(self):
        return self._objective.symbols[0]

    @property
    def f_expr(self):
        return self._objective.f_expr

    @property
    def df_expr(self):
        return self._objective.grad_exprs[0]

    @property
    def d2f_expr(self):
        return self._objective.hessian_exprs[0]

    def value(self, w) -> np.ndarray:
        return self._objective.value(w, 0.0)

    def derivatives(self, w) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(f, f', f'') at w (an array), non-finite where undefined."""
        f, df, _, d2f, _, _ = self._objective.derivatives(w, 0.0)
        return f, df, d2f

    def at(self, w: float) -> tuple[float, float, float]:
        """(f, f', f'') at one point, as floats."""
        return tuple(float(v) for v in self.derivatives(float(w)))

    def df(self, w: float) -> float:
        """f'(w) for one point; call inside quiet(); nan where undefined."""
        try:
            v = complex(self._df(np.float64(w)))
        except (ArithmeticError, ValueError, TypeError):
            return math.nan
        return v.real if v.imag == 0 else math.nan

    @property
    def texts(self) -> tuple[str, str, str]:
        """f, f' and f'' with their actual coefficients."""
        return self.product.line.texts

    @cached_property
    def df_coefficients(self) -> np.ndarray | None:
        """Float coefficients of f' (highest power first) if f' is a polynomial of degree at
        most MAX_POLY_DEGREE, else None."""
        c = self.product.line.df_coefficients
        return None if c is None else np.array(c, dtype=float)

    def overflows_at(self, w: float) -> bool:
        """True if computing f, f' and f'' at w passes a value beyond the float range (before
        anything undefined): the reason a float evaluation there gave inf or nan. Bounded in
        time at any w (see hessianlens.engine.overflow)."""
        return overflows((self.f_expr, self.df_expr, self.d2f_expr), self.w, float(w))

    @property
    def is_quadratic(self) -> bool:
        """f' is a polynomial of degree at most 1 (f is quadratic, linear or constant)."""
        c = self.df_coefficients
        return c is not None and len(c) <= 2


def line_function(source) -> LineFunction:
    """A LineFunction from text (parsed with variable w, also x), a ParsedExpression, a build
    product or itself; text is built in this process, without a time limit.

    Raises
    ------
    ExpressionError
        If the text is not an acceptable function of w (only ExpressionError).
    """
    if isinstance(source, LineFunction):
        return source
    if isinstance(source, BuildProduct):
        return LineFunction(source)
    if isinstance(source, (str, ParsedExpression)):
        return LineFunction(product_from_text(source, LINE_KIND))
    raise TypeError(f"not a function of w: {source!r}")


@contextmanager
def quiet():
    """numpy errstate and warnings off: inf and nan are results here, not errors."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


# --- the critical point w* ------------------------------------------------------------------
def _bisect(fn: LineFunction, a: float, b: float, ga: float) -> float | None:
    """A zero of f' in [a, b] where f'(a) and f'(b) differ in sign."""
    for _ in range(200):
        m = 0.5 * (a + b)
        gm = fn.df(m)
        if m in (a, b) or not math.isfinite(gm):
            return m if math.isfinite(gm) else None
        if gm == 0:  # w**999 underflows to 0 on a whole interval: take its middle
            return 0.5 * (_zero_edge(fn, a, m) + _zero_edge(fn, b, m))
        a, b, ga = (m, b, gm) if (gm > 0) == (ga > 0) else (a, m, ga)
    return 0.5 * (a + b)


def _zero_edge(fn: LineFunction, nonzero: float, zero: float) -> float:
    """The end of the interval where f' = 0 exactly, between the two points."""
    for _ in range(200):
        m = 0.5 * (nonzero + zero)
        if m in (nonzero, zero):
            break
        nonzero, zero = (nonzero, m) if fn.df(m) == 0 else (m, zero)
    return zero


def _nearest_bracketed_zero(fn: LineFunction, w0: float) -> tuple[float | None, float]:
    """Nearest zero of f' to w0 by sign changes on widening grids; (zero or None, reach)."""
    radius, reach = 1.0, SEARCH_REACH * max(1.0, abs(w0))
    while True:
        ws = w0 + np.linspace(-radius, radius, SEARCH_POINTS)
        g = fn.derivatives(ws)[1]
        ok = np.isfinite(g[:-1]) & np.isfinite(g[1:])
        change = np.flatnonzero(ok & (np.sign(g[:-1]) * np.sign(g[1:]) < 0))
        # A grid point where f' = 0 counts if it is isolated: a run of zeros is underflow
        # (exp(w) far left), not a critical point.
        nz = np.isfinite(g) & (g != 0)
        iso = np.flatnonzero(g[1:-1] == 0) + 1
        found = [float(ws[i]) for i in iso if nz[i - 1] and nz[i + 1]]
        h = ws[1] - ws[0]
        if change.size:
            mid = ws[change] + h / 2
            order = np.argsort(np.abs(mid - w0))
            near = abs(mid[order[0]] - w0) + 2 * h
            for i in change[order]:
                if abs(ws[i] + h / 2 - w0) > near:
                    break
                z = _bisect(fn, ws[i], ws[i + 1], g[i])
                # A pole of f' (1/w**2 at 0) also changes sign: a true zero has a tiny f'.
                if z is not None and abs(fn.df(z)) <= 1e-6 * max(abs(g[i]), abs(g[i + 1])):
                    found.append(z)
        if found:
            return min(found, key=lambda z: abs(z - w0)) + 0.0, radius  # no -0.0
        if radius >= reach:
            return None, radius
        radius *= 4.0


def _nearest_polynomial_zero(fn: LineFunction, w0: float) -> float | None:
    c = fn.df_coefficients
    if len(c) == 2:  # f quadratic: f' = 2a w + b, w* = -b/(2a)
        return float(-c[1] / c[0]) + 0.0  # + 0.0: no -0.0
    roots = np.roots(c)
    real = roots[np.abs(roots.imag) <= 1e-5 * np.maximum(1.0, np.abs(roots.real))].real
    if real.size == 0:
        return None
    z = float(real[np.argmin(np.abs(real - w0))])
    # Polish with Newton on f' (a multiple zero is found only to ~eps**(1/k) by eigenvalues).
    for _ in range(3):
        _, g, h = fn.at(z)
        if not (math.isfinite(g) and math.isfinite(h)) or h == 0 or g == 0:
            break
        better = z - g / h
        if not math.isfinite(better) or abs(fn.df(better)) >= abs(g):
            break
        z = better
    return z + 0.0


def critical_point(source, w0: float) -> tuple[float | None, str]:
    """The zero of f' nearest w0 and how it was found (or why there is none).

    Polynomial f': real eigenvalues of the companion matrix (numpy.roots), polished by
    Newton; otherwise sign changes of f' on grids widening around w0, refined by bisection.
    """
    fn = line_function(source)
    with quiet():
        if fn.df_coefficients is not None:
            if len(fn.df_coefficients) <= 1:
                return None, "f' is constant: f has no isolated critical point"
            z = _nearest_polynomial_zero(fn, w0)
            return z, "" if z is not None else f"f' = {fn.texts[1]} has no real zero"
        z, radius = _nearest_bracketed_zero(fn, w0)
    if z is None:
        return None, f"f' does not change sign within {radius:.3g} of w0"
    return z, ""
