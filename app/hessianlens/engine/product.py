"""Text -> everything an Objective or a LineFunction needs: the work of one function build.

``product_from_text`` parses the text, differentiates it and prints numpy code for it. It is
the part of a build that can take long (sympy cannot be interrupted inside a thread), so
hessianlens.engine.build runs it in a worker process with a time limit; the caller receives a
BuildProduct of plain data (strings, bytes, floats) and compiles the numpy code.

It is also the boundary between text and numbers: any exception other than our own becomes an
ExpressionError with a plain message, so no traceback ever reaches a user.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass

import numpy as np
import sympy as sp

from hessianlens.engine.calculus import DerivativeError, gradient_and_hessian
from hessianlens.engine.codegen import numpy_source
from hessianlens.engine.expression import (LINE, PLANE, ExpressionError, ParsedExpression,
                                           parse_expression)
from hessianlens.engine.guards import TOO_EXPENSIVE, polynomial_degree

PLANE_KIND = "plane"  # f(x, y): an Objective
LINE_KIND = "line"  # f(w): a LineFunction
KINDS = {PLANE_KIND: PLANE, LINE_KIND: LINE}
# Beyond this degree f' is searched numerically instead of by companion matrix (and sympy's
# Poly, which expands the product in full, is never asked).
MAX_POLY_DEGREE = 100

# The line function is evaluated as a plane function with an unused second variable: its
# x-derivatives are f' and f''.
UNUSED = sp.Symbol("_unused", real=True)


@dataclass(frozen=True)
class LineExtras:
    """What a LineFunction needs beyond the plane product."""

    df_source: str  # numpy code: w -> f'(w)
    texts: tuple[str, str, str]  # f, f', f'' as shown
    df_coefficients: tuple[float, ...] | None  # of f' (highest power first) if a polynomial
    df_is_zero: bool
    d2f_is_zero: bool


@dataclass(frozen=True)
class BuildProduct:
    """A built function as plain data: the numpy code of f with its gradient and Hessian, the
    derivatives as text, and the sympy expressions pickled (unpickled only when asked for)."""

    kind: str
    text: str
    all_source: str  # numpy code: (x, y) -> [f, fx, fy, fxx, fxy, fyy]
    f_source: str  # numpy code: (x, y) -> f
    gradient_text: tuple[str, str]
    hessian_text: tuple[str, str, str]  # fxx, fxy, fyy
    expressions: bytes  # pickle of (symbols, f, gradient, hessian)
    line: LineExtras | None = None

    def sympy_expressions(self):
        """(symbols, f, gradient, hessian) as sympy objects."""
        return pickle.loads(self.expressions)  # our own worker's output, never user bytes


def _display(expr: sp.Expr) -> str:
    # The parser keeps 0.1 as 1/10 (exact derivatives); show decimals the way they were typed.
    shown = expr.xreplace({q: sp.Float(q, 15) for q in expr.atoms(sp.Rational)
                           if not q.is_Integer})
    return sp.sstr(shown, full_prec=False)


def _coefficients(df: sp.Expr, w: sp.Symbol) -> tuple[float, ...] | None:
    degree = polynomial_degree(df, w)
    if degree is None or degree > MAX_POLY_DEGREE:
        return None
    try:
        c = np.array([float(v) for v in sp.Poly(df, w).all_coeffs()], dtype=float)
    except (TypeError, ValueError, OverflowError, sp.PolynomialError):
        return None
    return tuple(float(v) for v in c) if np.all(np.isfinite(c)) else None


def make_product(parsed: ParsedExpression, kind: str) -> BuildProduct:
    """Differentiate a parsed function and print its numpy code (see the module docstring)."""
    if kind == LINE_KIND:
        symbols = (parsed.symbols[0], UNUSED)
    else:
        symbols = parsed.symbols
    f = parsed.expr
    grad, hessian = gradient_and_hessian(f, symbols)
    all_source = numpy_source(symbols, [f, *grad, *hessian])
    f_source = numpy_source(symbols, f)
    line = None
    if kind == LINE_KIND:
        w = symbols[0]
        df, d2f = grad[0], hessian[0]
        line = LineExtras(numpy_source(w, df), tuple(_display(e) for e in (f, df, d2f)),
                          _coefficients(df, w), df == 0, d2f == 0)
    return BuildProduct(kind, parsed.text, all_source, f_source,
                        tuple(str(e) for e in grad), tuple(str(e) for e in hessian),
                        pickle.dumps((symbols, f, grad, hessian)), line)


def product_from_text(text, kind: str = PLANE_KIND) -> BuildProduct:
    """Parse, differentiate and print one function; only ExpressionError escapes.

    Raises
    ------
    ExpressionError
        For an unacceptable text, with the place to underline; for anything else that goes
        wrong on the way (sympy or Python limits), with a plain message.
    """
    spec = KINDS[kind]  # a wrong kind is a programming error: KeyError
    try:
        parsed = text if isinstance(text, ParsedExpression) else parse_expression(text, spec)
        return make_product(parsed, kind)
    except ExpressionError:
        raise
    except Exception as exc:  # the boundary: no other exception reaches a user
        shown = text.text if isinstance(text, ParsedExpression) else text
        raise as_expression_error(exc, shown if isinstance(shown, str) else "") from None


def as_expression_error(exc: BaseException, text: str) -> ExpressionError:
    """Our own error, with a plain message, for an exception raised while building text."""
    if isinstance(exc, RecursionError):
        message = "the expression is nested too deeply to work with"
    elif isinstance(exc, MemoryError):
        message = f"{TOO_EXPENSIVE} (they need too much memory)"
    elif isinstance(exc, DerivativeError):
        message = str(exc)
    elif isinstance(exc, (OverflowError, ValueError)) and "digits" in str(exc):
        message = "a number in this function has too many digits to compute"
    elif isinstance(exc, (OverflowError, ArithmeticError)):
        message = "a number in this function is too large or too small to compute"
    else:
        message = f"this function cannot be computed ({type(exc).__name__})"
    return ExpressionError(message, 0, max(1, len(text)), text)


def outcome_bytes(text, kind: str) -> bytes:
    """One build's outcome, pickled for the process that asked for it: ("ok", BuildProduct)
    or ("error", (message, offset, length, text)). Never raises."""
    try:
        return pickle.dumps(("ok", product_from_text(text, kind)))
    except ExpressionError as exc:
        error = exc
    except BaseException as exc:  # noqa: BLE001 - a worker must always answer (Ctrl+C too)
        error = as_expression_error(exc, text if isinstance(text, str) else "")
    try:
        return pickle.dumps(("error", (error.message, error.offset, error.length, error.text)))
    except MemoryError:
        return pickle.dumps(("error", (f"{TOO_EXPENSIVE} (they need too much memory)", 0, 1,
                                       "")))


def read_outcome(data: bytes) -> BuildProduct:
    """The BuildProduct in outcome_bytes' answer, or raises its ExpressionError."""
    status, value = pickle.loads(data)  # our own worker's answer, never user bytes
    if status == "ok":
        return value
    raise ExpressionError(*value)


def warm_up() -> None:
    """Two small builds, then a clear cache: sympy imports parts of itself on first use (the
    first sum imports sympy.tensor and with it sympy.combinatorics; the first lambdify,
    sympy.codegen) and fills its printers' tables, about 60 ms here. A process that forks
    builds runs this once first, so that every build starts warm; the cache is cleared so that
    no build depends on what these two left in it."""
    from sympy.core.cache import clear_cache

    product_from_text("sin(x)**2 + sin(10 + y*x/2)*cos(x) + abs(x - y)**3 + log(1 + x**2)"
                      " + sqrt(x**2 + 1) + atan2(y, x) + exp(-y) / (1 + y**2)", PLANE_KIND)
    product_from_text("-w**2 - 2*w - 3 + 0.5*w**3 + tanh(w)", LINE_KIND)
    clear_cache()
