"""A bottom-up fold over an expression tree without recursion.

A typed function can nest thousands deep (a guard measures such nests before sympy differentiates
them), so the walk keeps its own stack instead of Python's. Shared subtrees are met once: the
memo maps each node to its value, and a node is combined only when all its arguments have one.
"""

from __future__ import annotations

from typing import Callable, TypeVar

import sympy as sp

V = TypeVar("V")


def fold(expr: sp.Basic, memo: dict, combine: Callable[[sp.Basic, list], V]) -> V:
    """memo[expr] = combine(expr, [memo[a] for a in expr.args]), children first."""
    stack = [expr]
    while stack:  # iterative post-order over the shared tree
        e = stack[-1]
        if e in memo:
            stack.pop()
            continue
        pending = [a for a in e.args if a not in memo]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        memo[e] = combine(e, [memo[a] for a in e.args])
    return memo[expr]
