"""The words and operators a typed function may use, and the messages for the rest."""

from __future__ import annotations

import ast
import re

import sympy as sp


def _function_table():
    one = {
        "sin": sp.sin, "cos": sp.cos, "tan": sp.tan,
        "arcsin": sp.asin, "asin": sp.asin,
        "arccos": sp.acos, "acos": sp.acos,
        "arctan": sp.atan, "atan": sp.atan,
        "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh,
        "exp": sp.exp, "sqrt": sp.sqrt, "abs": sp.Abs, "fabs": sp.Abs, "absolute": sp.Abs,
        "log10": lambda a: sp.log(a, 10), "log2": lambda a: sp.log(a, 2),
    }
    table = {name: (fn, (1,)) for name, fn in one.items()}
    table["log"] = (sp.log, (1, 2))  # math.log(x, base)
    table["arctan2"] = table["atan2"] = (sp.atan2, (2,))
    return table


FUNCTIONS = _function_table()
CONSTANTS = {"pi": sp.pi, "e": sp.E}

_BINOPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}
_OP_SYMBOLS = {
    ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
    ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^",
}
_FORBIDDEN = {
    ast.Lambda: "lambdas are not allowed",
    ast.ListComp: "comprehensions are not allowed", ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed", ast.GeneratorExp: "comprehensions are not allowed",
    ast.Compare: "comparisons are not allowed", ast.BoolOp: "and/or are not allowed",
    ast.IfExp: "if-expressions are not allowed", ast.NamedExpr: "assignments are not allowed",
    ast.Starred: "* unpacking is not allowed", ast.JoinedStr: "strings are not allowed",
    ast.List: "lists are not allowed", ast.Tuple: "tuples are not allowed",
    ast.Dict: "dicts are not allowed", ast.Set: "sets are not allowed",
    ast.Await: "await is not allowed", ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed", ast.Slice: "slices are not allowed",
}

# A number glued to a name or a bracket, as in ``2x`` or ``3(x+1)``. The exponent group is
# atomic so that ``1e5`` is not read as ``1`` followed by ``e5``.
_IMPLICIT_PRODUCT = re.compile(r"(?<![\w.])((?>\d+\.?\d*|\.\d+)(?>[eE][+-]?\d+)?)([A-Za-z_(])")


def _transform(text: str) -> tuple[str, list[int]]:
    """Replace ``^`` by ``**``; return the new text and, per new character, its offset in text."""
    out, where = [], []
    for i, ch in enumerate(text):
        if ch == "^":
            out.append("**")
            where += [i, i]
        else:
            out.append(ch)
            where.append(i)
    where.append(len(text))
    return "".join(out), where
