"""Does a function overflow at a point, or is it undefined there? Decided in bounded time.

When numpy returns inf or nan for f, f' or f'' at w, the one-step page says whether the float
range was exceeded (a value beyond 1e308) or the function is not defined there (a log of a
negative number, a pole). Asking sympy's arbitrary-precision evalf took minutes or recursed
without end: sin(exp(w)) at w = 1e6 needs pi to 1.4 million bits to reduce exp(1e6), and at
w = 1e300 the reduction cannot be done at all.

Here the expression tree is evaluated at 64 bits with mpmath, and evaluation stops at the first
value beyond 1e308: every function is then applied to arguments no larger than 1e308, for which
mpmath's argument reduction costs at most about a thousand bits. The answer is "overflow" when
some value on the way exceeds the float range, which is exactly why the float evaluation gave
inf or nan.
"""

from __future__ import annotations

import threading

import mpmath
import sympy as sp

from .tree import fold

LIMIT = 1e308

_ctx = mpmath.MPContext()
_ctx.prec = 64
_lock = threading.Lock()  # one context, one evaluation at a time


class _Overflow(Exception):
    pass


class _Undefined(Exception):
    pass


_FUNCTIONS = {
    sp.sin: _ctx.sin, sp.cos: _ctx.cos, sp.tan: _ctx.tan,
    sp.asin: _ctx.asin, sp.acos: _ctx.acos, sp.atan: _ctx.atan,
    sp.sinh: _ctx.sinh, sp.cosh: _ctx.cosh, sp.tanh: _ctx.tanh,
    sp.exp: _ctx.exp, sp.log: _ctx.log, sp.Abs: abs, sp.sign: _ctx.sign,
    sp.atan2: _ctx.atan2,
}


def _checked(v):
    if isinstance(v, _ctx.mpc):
        if v.imag != 0:
            raise _Undefined
        v = v.real
    if not _ctx.isfinite(v):
        raise _Undefined
    if abs(v) > LIMIT:
        raise _Overflow
    return v


def _node(e: sp.Basic, args: list, w):
    if e.is_Symbol:
        return w
    if e.is_Rational:
        return _ctx.mpf(int(e.p)) / int(e.q)
    if e.is_Float:
        return _ctx.make_mpf(e._mpf_)
    if e is sp.pi:
        return +_ctx.pi
    if e is sp.E:
        return +_ctx.e
    if e.is_Add:
        return _ctx.fsum(args)
    if e.is_Mul:
        return _ctx.fprod(args)
    if e.is_Pow:
        base, exponent = args
        if e.exp.is_Integer:
            if base == 0 and exponent < 0:
                raise _Undefined  # a pole
            return base ** int(e.exp)
        if base < 0:
            raise _Undefined  # a real power of a negative number
        return _ctx.power(base, exponent)
    fn = _FUNCTIONS.get(e.func)
    if fn is None:
        raise _Undefined  # a function we do not evaluate here: no claim of overflow
    return fn(*args)


def _evaluate(expr: sp.Expr, w, memo: dict) -> None:
    def combine(e, args):
        try:
            return _checked(_node(e, args, w))
        except (ZeroDivisionError, ValueError, TypeError):
            raise _Undefined from None

    fold(expr, memo, combine)


def overflows(exprs, symbol: sp.Symbol, w: float) -> bool:
    """True if evaluating exprs (in order) at symbol = w passes a value beyond 1e308 before
    meeting anything undefined (a complex value, a pole); False otherwise."""
    with _lock:
        memo = {symbol: _checked(_ctx.mpf(w))} if abs(w) <= LIMIT else None
        if memo is None:
            return True
        try:
            for e in exprs:
                _evaluate(e, memo[symbol], memo)
        except _Overflow:
            return True
        except _Undefined:
            return False
    return False
