"""What a build sends back: plain data (strings, bytes, floats), in a module without sympy.

The build worker (hessianlens.engine.product) makes a BuildProduct; the window receives it,
unpickles it and compiles its numpy code without ever importing sympy, which saves the
window a third of a second at start-up. The sympy expressions inside stay pickled until asked
for (the 1D page's overflow check, LaTeX).
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass

from hessianlens.engine.errors import TOO_EXPENSIVE, DerivativeError, ExpressionError

PLANE_KIND = "plane"  # f(x, y): an Objective
LINE_KIND = "line"  # f(w): a LineFunction
KIND_NAMES = (PLANE_KIND, LINE_KIND)


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


def read_outcome(data: bytes) -> BuildProduct:
    """The BuildProduct in product.outcome_bytes' answer, or raises its ExpressionError."""
    status, value = pickle.loads(data)  # our own worker's answer, never user bytes
    if status == "ok":
        return value
    raise ExpressionError(*value)
