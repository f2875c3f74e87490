"""Exact gradient and Hessian of a validated sympy expression, |u| included.

sympy differentiates Abs(u) for real u only: for u = log(x), sqrt(x), x**pi or acos(y), whose
reality it cannot prove (they are complex for some real x), it writes d|u| through re(u) and
im(u), which expands powers (|log(x)**(9**9)| ran for minutes) and leaves unevaluated
Derivative objects that numpy cannot print. Our variables are real and so is every value we
evaluate (a complex value is NaN), so |u| is differentiated as a real function: d|u| = sign(u)
du and d sign(u) = 0, both true wherever u != 0, that is almost everywhere (sign's derivative
is a Dirac delta at the kink, which no sample ever meets).
"""

from __future__ import annotations

import sympy as sp


class RealAbs(sp.Function):
    """|u| for real u: d|u|/dv = sign(u) du/dv wherever u != 0."""

    nargs = 1

    def fdiff(self, argindex=1):
        return RealSign(self.args[0])


class RealSign(sp.Function):
    """sign(u) for real u: derivative 0 wherever u != 0."""

    nargs = 1

    def fdiff(self, argindex=1):
        return sp.S.Zero


class DerivativeError(ValueError):
    """sympy left a derivative it could not work out."""


def _to_real(expr: sp.Expr) -> sp.Expr:
    return expr.replace(lambda e: isinstance(e, sp.Abs), lambda e: RealAbs(e.args[0]))


def _from_real(expr: sp.Expr) -> sp.Expr:
    # evaluate=False: Abs and sign of an expression sympy cannot prove real would again send
    # it into re/im (see above); the printed numpy code is the same.
    expr = expr.replace(lambda e: isinstance(e, RealAbs), lambda e: sp.Abs(e.args[0],
                                                                           evaluate=False))
    expr = expr.replace(lambda e: isinstance(e, RealSign), lambda e: sp.sign(e.args[0],
                                                                             evaluate=False))
    # d sign(u) = 2 DiracDelta(u) du where sympy knows u is real: zero almost everywhere.
    return expr.replace(sp.DiracDelta, lambda *args: sp.S.Zero)


def gradient_and_hessian(expr: sp.Expr, symbols: tuple[sp.Symbol, ...]
                         ) -> tuple[tuple[sp.Expr, ...], tuple[sp.Expr, ...]]:
    """(gradient, upper triangle of the Hessian row by row) of expr in symbols.

    For (x, y): ((fx, fy), (fxx, fxy, fyy)); for (w,): ((f',), (f'',)).

    Raises
    ------
    DerivativeError
        If a derivative stays unevaluated (a function sympy cannot differentiate).
    """
    # Without |u| there is nothing to replace: three passes over every derivative saved.
    real = expr.has(sp.Abs)
    f = _to_real(expr) if real else expr
    grad = [sp.diff(f, v) for v in symbols]
    hessian = [sp.diff(grad[i], symbols[j])
               for i in range(len(symbols)) for j in range(i, len(symbols))]
    back = _from_real if real else (lambda e: e)
    out = tuple(back(e) for e in grad), tuple(back(e) for e in hessian)
    for e in (*out[0], *out[1]):
        if e.has(sp.Derivative, sp.Subs):
            raise DerivativeError("a derivative of this function cannot be worked out exactly")
    return out
