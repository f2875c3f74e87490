"""Limits on what a typed function may cost, checked before sympy does the work.

The parser (hessianlens.engine.expression) asks these questions while it builds the sympy
tree, node by node, so that a short text that would cost minutes (9**9**9, 1e-99999999, a
tower of powers, sin nested 90 deep) is refused in milliseconds. Each check returns None
when the node is acceptable, else the message to show; the parser adds the place.
"""

from __future__ import annotations

import ast
import math
import re

import sympy as sp

from hessianlens.engine.errors import TOO_EXPENSIVE
from hessianlens.engine.tree import fold

MAX_LENGTH = 2000
MAX_DEPTH = 100
# The largest |constant| we agree to compute: beyond it a float64 is inf anyway.
MAX_LOG10 = 308.0
# Digits of an exact rational (numerator or denominator): Python refuses to print integers of
# more than 4,300 digits, and the numpy code and the derivatives' text print every constant.
MAX_DIGITS = 4000
# A constant whose imaginary part exceeds this fraction of its size is complex, not rounding.
COMPLEX_RTOL = 1e-9
# Predicted size (tree nodes) of a second derivative. Typed functions stay well below: the
# write-up's Example 3 predicts about 180, Beale 260, Goldstein-Price 590, a sum of 15 logistic
# losses 2,000. Measured here, sympy needs 10 to 80 us per predicted node (towers of powers the
# most): at this limit a build takes up to about 0.5 s. A tower of 60 powers predicts 450,000.
MAX_SECOND_DERIVATIVE_SIZE = 8_000

FLOAT_RANGE = "from about 5e-324 to 1e308 in size"
TOO_LARGE = f"this number is too large to compute (floats reach {FLOAT_RANGE})"
TOO_SMALL = f"this number is too small to compute (floats reach {FLOAT_RANGE})"
OUT_OF_RANGE = f"this number is too large or too small to compute (floats reach {FLOAT_RANGE})"
TOO_MANY_DIGITS = f"this number has too many digits to compute exactly (over {MAX_DIGITS:,})"
COMPLEX_MESSAGE = "this part is complex-valued (a root or log of a negative number?)"

_EXPONENTIAL = {"exp", "sinh", "cosh"}  # grow as e^|a|
_BITS_PER_DIGIT = math.log2(10)


# --- nesting ---------------------------------------------------------------------------------
_CHAINS = ({ast.Add, ast.Sub}, {ast.Mult, ast.Div})


def _same_chain(parent: ast.AST, child: ast.AST) -> bool:
    """child is the left operand of parent in one chain a + b - c or a * b / c."""
    return isinstance(parent, ast.BinOp) and isinstance(child, ast.BinOp) \
        and child is parent.left \
        and any(type(parent.op) in ops and type(child.op) in ops for ops in _CHAINS)


def deepest_node(root: ast.AST, limit: int | None = None) -> tuple[int, ast.AST]:
    """(depth, node) of the most deeply nested node, counting as a person reads nesting; with
    a limit, the first node found one level beyond it (the outermost part that is too deep).

    ``ast`` nests a flat sum x + x + ... + x one level per term (left-deep); a chain of + and -
    (or of * and /) is one level here, while sin(sin(x)), x**y**z and -(-x) nest for real.
    """
    best = (1, root)
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > best[0]:
            best = (depth, node)
            if limit is not None and depth > limit:
                break
        for child in ast.iter_child_nodes(node):
            # Operators and load contexts are no level of their own (and have no place).
            deeper = isinstance(child, ast.expr) and not _same_chain(node, child)
            stack.append((child, depth + 1 if deeper else depth))
    return best


def left_chain(node: ast.BinOp) -> tuple[ast.AST, list[ast.BinOp]]:
    """The first operand and the steps of the chain that node ends: a + b - c gives (a, [the
    BinOp a + b, the BinOp (a + b) - c]). Iterative: a chain may have a thousand terms."""
    steps = [node]
    while _same_chain(steps[-1], steps[-1].left):
        steps.append(steps[-1].left)
    steps.reverse()
    return steps[0].left, steps


# --- literals and constants ------------------------------------------------------------------
_DECIMAL = re.compile(r"[\d_]*\.?[\d_]*([eE][+-]?\d+)?")


def decimal_literal(value: float, src: str | None) -> sp.Expr | str:
    """A float literal as an exact rational (0.1 stays 1/10, so derivatives are exact), or the
    message refusing it. A literal beyond the float range is refused before sympy sees its
    digits: sympy would compute 10**99999999 for 1e-99999999."""
    if math.isinf(value):
        return TOO_LARGE
    if value == 0.0:
        if src and any(c in "123456789" for c in src.split("e")[0].split("E")[0]):
            return TOO_SMALL  # a nonzero literal that underflows to 0.0
        return sp.S.Zero
    if src and _DECIMAL.fullmatch(src):
        try:
            return sp.Rational(src.replace("_", ""))
        except (TypeError, ValueError):
            pass
    return sp.Float(value)


def integer_literal(value: int) -> sp.Expr | str:
    if value.bit_length() > 1024:
        return TOO_LARGE
    return sp.Integer(value)


def constant_problem(value: sp.Expr) -> str | None:
    """Why a constant node cannot be kept, or None. A tiny exact constant is kept (it
    becomes 0.0 in floats, as a float computation would underflow) unless its digits are too
    many to print. Checked numerically: a complex constant
    such as (-1)**pi carries no I for sympy to see, and building on it sends sympy's symbolic
    simplification (Abs, re, log of a complex power) into minutes of work."""
    if isinstance(value, sp.Rational):
        if _digits(value) > MAX_DIGITS:
            return TOO_MANY_DIGITS
        v, log10 = None, log10_abs(value)
    else:
        v = numeric(value)
        log10 = log10_of(v)
    if log10 > MAX_LOG10:
        return TOO_LARGE
    if v is not None and abs(v.imag) > COMPLEX_RTOL * max(1.0, abs(v.real)):
        return COMPLEX_MESSAGE
    return None


def coefficient_problem(expr: sp.Expr) -> str | None:
    """Why a non-constant node's numeric coefficients cannot be kept, or None: x*1e300*1e300
    makes a coefficient 1e600 that no constant node shows (sympy multiplies it into x, and
    distributes it over the terms of a sum). Constant factors of any form too: log(x, b) is
    log(x) / log(b), and for b = tanh(10**300) the factor 1/log(b) divides by a number that
    underflows to zero (sympy's own printer then raised ZeroDivisionError)."""
    for term in sp.Add.make_args(expr):
        for factor in sp.Mul.make_args(term):
            if isinstance(factor, (sp.Rational, sp.Float)) or (
                    factor.is_number and not isinstance(factor, sp.NumberSymbol)):
                problem = constant_problem(factor)
                if problem:
                    return problem
    return None


def number_problem(expr: sp.Expr) -> str | None:
    """Every number anywhere in expr, checked once the tree is complete (a safety net behind
    the node-by-node checks)."""
    for atom in expr.atoms(sp.Rational, sp.Float):
        problem = constant_problem(atom)
        if problem:
            return problem
    return None


def power_problem(base: sp.Expr, exponent: sp.Expr) -> str | None:
    """Why base**exponent must not be computed, or None.

    Estimates log10|c**exponent| for every constant factor c of the base before sympy computes
    it exactly: 9**9**9 has 369 million digits, and (2*x)**(9**9) or (sqrt(2)*x)**(9**9)
    distribute the power over the constant factor."""
    if not exponent.is_number:
        return None  # a symbolic exponent: sympy leaves the power unevaluated
    v = numeric(exponent)
    x = math.inf if v is None else abs(v)
    if x == 0:
        return None
    # sympy raises a fraction p/q to a/b exactly through p**a, q**a and roots, and to a
    # negative power through the complement b - a: (1 - 1/10**300)**(9**9) is near 1 but
    # has billions of digits.
    powers = max(abs(exponent.p), exponent.q) if isinstance(exponent, sp.Rational) else 0
    for factor in sp.Mul.make_args(base):
        if factor.free_symbols or factor in (0, 1, -1):
            continue  # 0**x and (+-1)**x are cheap
        b = log10_abs(factor)
        if not (math.isfinite(b) and math.isfinite(x)) or abs(x * b) > MAX_LOG10:
            return OUT_OF_RANGE
        digits = math.log10(abs(int(factor.p))) + math.log10(int(factor.q)) \
            if isinstance(factor, sp.Rational) else 0.0
        if digits and powers > MAX_DIGITS / digits:  # an int against a float: no overflow
            return TOO_MANY_DIGITS
    return None


def exponential_problem(name: str, argument: sp.Expr) -> str | None:
    """e^|Re a| beyond 1e308 is refused before sympy computes it: it rewrites
    exp(10**300*log(9)) as 9**(10**300), an integer of 10**300 digits."""
    if name not in _EXPONENTIAL or not argument.is_number:
        return None
    v = numeric(argument)
    if v is None or abs(v.real) > MAX_LOG10 * math.log(10):
        return OUT_OF_RANGE
    return None


def _digits(q: sp.Rational) -> int:
    bits = max(int(q.p).bit_length(), int(q.q).bit_length())
    return int(bits / _BITS_PER_DIGIT) + 1


def log10_abs(value: sp.Expr) -> float:
    """log10|value| of a constant without computing anything large; -inf for zero."""
    if isinstance(value, sp.Rational):  # Integer too
        if value == 0:
            return -math.inf
        return math.log10(abs(int(value.p))) - math.log10(int(value.q))  # exact for big ints
    return log10_of(numeric(value))  # a Float or a constant such as sqrt(2) or pi


def numeric(value: sp.Expr) -> complex | None:
    """A constant as a complex number (15 digits), None if it cannot be had (too large...).

    Numerically only: sympy's symbolic Abs or re of a constant such as log((-1)**pi) can
    take minutes."""
    try:
        return complex(value.evalf(15))
    except (TypeError, ValueError, OverflowError, ArithmeticError, RecursionError,
            NotImplementedError):
        return None


def log10_of(v: complex | None) -> float:
    """log10|v|; inf when v could not be had, -inf for zero."""
    if v is None:
        return math.inf
    a = abs(v)
    return math.log10(a) if 0 < a < math.inf else (math.inf if a else -math.inf)


# --- the cost of differentiating -------------------------------------------------------------
class DerivativeCost:
    """Predicted sizes (tree nodes, before simplification) of an expression's first and second
    derivatives with respect to one variable, by the sum, product and chain rules applied to
    sizes instead of expressions: linear in the tree, memoized across the nodes of one parse.

    A node is (s, d1, d2): its size and the sizes of its derivatives, 0 where a derivative
    vanishes. Products grow as (uv)'' = u''v + 2u'v' + uv''; a function f(u) as
    f''(u) u'^2 + f'(u) u'', which copies u into every level: a nest of depth n costs n^2 in
    the first derivative and n^3 in the second, and a tower of powers x**y**x... the same.
    """

    def __init__(self):
        self._memo: dict[sp.Basic, tuple[int, int, int]] = {}

    def sizes(self, expr: sp.Basic) -> tuple[int, int, int]:
        return fold(expr, self._memo, self._node)

    @staticmethod
    def _node(e: sp.Basic, ch: list[tuple[int, int, int]]) -> tuple[int, int, int]:
        if not ch:
            return (1, 1, 0) if e.is_Symbol else (1, 0, 0)
        s = 1 + sum(c[0] for c in ch)
        d1s = sum(c[1] for c in ch)
        d2s = sum(c[2] for c in ch)
        if not d1s:
            return s, 0, 0  # a constant
        if e.is_Add:
            return s, d1s + 1, d2s + 1
        if e.is_Mul:
            rest = [s - 1 - c[0] for c in ch]  # size of the other factors
            d1 = sum(c[1] + r + 1 for c, r in zip(ch, rest) if c[1])
            d2 = sum(c[2] + r + 1 for c, r in zip(ch, rest) if c[2])
            # 2 u_i' u_j' times the other factors, for every pair i < j of non-constant
            # factors: sum over pairs of (d1_i + d1_j + s - 1 - s_i - s_j + 3), in closed form.
            live = [c for c in ch if c[1]]
            m = len(live)
            d2 += (m - 1) * sum(c[1] - c[0] for c in live) + m * (m - 1) // 2 * (s + 2)
            return s, d1 + 1, d2 + 1
        if e.is_Pow and not ch[1][1]:  # u**c: c u**(c-1) u', c (c-1) u**(c-2) u'^2 + ...
            su, d1u, d2u = ch[0]
            return s, s + d1u + 3, 2 * s + 2 * d1u + d2u + 6
        # f(u, ...) and u**v = exp(v log u): the chain rule, one copy of the arguments in
        # f'(u), two in f''(u).
        return s, 2 * s + d1s + 2, 4 * s + 3 * d1s + d2s + 4

    def problem(self, expr: sp.Basic) -> str | None:
        """The refusal message if expr's second derivative is predicted too large, else None."""
        d2 = self.sizes(expr)[2]
        if d2 <= MAX_SECOND_DERIVATIVE_SIZE:
            return None
        return (f"{TOO_EXPENSIVE}: their formulas would grow to about {_round(d2)} terms (at "
                f"most {MAX_SECOND_DERIVATIVE_SIZE:,}). Simplify the underlined part: deeply "
                "nested functions, towers of powers and long products make derivatives grow "
                "fast")


def _round(n: int) -> str:
    digits = len(str(n))
    return f"{round(n, -(digits - 2)):,}" if digits > 2 else str(n)


# --- polynomial degree -----------------------------------------------------------------------
def polynomial_degree(expr: sp.Expr, w: sp.Symbol) -> int | None:
    """An upper bound on the degree of expr as a polynomial in w, without expanding it; None
    if expr is not visibly a polynomial in w. (w+1)**100 * ... * (w+8)**100 has degree 800:
    sympy's Poly would expand all of it (minutes) before any check on the result."""
    memo: dict[sp.Basic, int | None] = {}
    stack = [expr]
    while stack:
        e = stack[-1]
        if e in memo:
            stack.pop()
            continue
        pending = [a for a in e.args if a not in memo]
        if pending and (e.is_Add or e.is_Mul or e.is_Pow):
            stack.extend(pending)
            continue
        stack.pop()
        memo[e] = _degree_node(e, memo, w)
    return memo[expr]


def _degree_node(e: sp.Basic, memo, w) -> int | None:
    if e == w:
        return 1
    if w not in e.free_symbols:
        return 0
    if e.is_Add or e.is_Mul:
        parts = [memo[a] for a in e.args]
        if any(p is None for p in parts):
            return None
        return max(parts) if e.is_Add else sum(parts)
    if e.is_Pow and e.exp.is_Integer and int(e.exp) >= 0 and memo[e.base] is not None:
        return memo[e.base] * int(e.exp)
    return None
