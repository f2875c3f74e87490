"""Seeded generator of typed functions for the build fuzz test: ordinary, odd and hostile.

Not a test module (no test_ prefix): tests/test_build_fuzz.py imports it, and its batches run
it in subprocesses.
"""

from __future__ import annotations

import random

PLANE_LEAVES = ["x", "y", "x0", "x1", "x[0]", "x[1]"]
LINE_LEAVES = ["w", "x", "w0"]
NUMBERS = ["0", "1", "2", "0.5", "3.25", "10", "1e-3", "1e300", "1e-300", "1e-320", "1e-5000",
           "1e400", "9**9", "10**300", "2**0.5", "pi", "e", "-1", "0.1", "1e-999999",
           "123456789012345678901234567890", "7" * 400]
UNARY = ["sin", "cos", "tan", "exp", "log", "sqrt", "abs", "arctan", "np.tanh", "math.log10",
         "log2", "asin", "acos", "sinh", "cosh", "np.abs", "-", "+"]
BINARY = ["+", "-", "*", "/", "**", "^"]
TOKENS = ["x", "y", "w", "1", "2.5", "e", "pi", "+", "-", "*", "/", "**", "^", "(", ")", ",",
          ".", "sin", "np.", "log", "sqrt", "abs", "atan2", " ", "\n", "def f(x): return ",
          "lambda", "z", "'s'", "[", "]", "=", "//", "1j", "9**9**9", "__import__", "exec",
          ":", "#", "1e-99999999", "x[0]", "x[2]"]


def _tree(rng: random.Random, leaves, depth: int) -> str:
    if depth <= 0 or rng.random() < 0.25:
        return rng.choice(leaves) if rng.random() < 0.6 else rng.choice(NUMBERS)
    r = rng.random()
    if r < 0.35:
        return f"{rng.choice(UNARY)}({_tree(rng, leaves, depth - 1)})"
    if r < 0.9:
        return (f"({_tree(rng, leaves, depth - 1)}){rng.choice(BINARY)}"
                f"({_tree(rng, leaves, depth - 1)})")
    name = rng.choice(["atan2", "arctan2", "log"])
    return f"{name}({_tree(rng, leaves, depth - 1)}, {_tree(rng, leaves, depth - 1)})"


def _hostile(rng: random.Random, leaves) -> str:
    v = rng.choice(leaves)
    n = rng.randint(10, 99)
    kind = rng.randrange(9)
    if kind == 0:  # a tower of powers
        return "**".join(rng.choice(leaves) for _ in range(n))
    if kind == 1:  # a nest of functions
        f = rng.choice(["sin", "cos", "exp", "log", "sqrt", "tanh", "abs"])
        return f"{f}(" * n + v + ")" * n
    if kind == 2:  # a long product of distinct factors
        return "*".join(f"{rng.choice(['sin', 'cos', 'exp'])}({v}+{i})" for i in range(n))
    if kind == 3:  # a flat sum
        return "+".join(v for _ in range(rng.randint(50, 600)))
    if kind == 4:  # a huge exponent under abs or log
        inner = rng.choice(["log", "sin", "sqrt"])
        return f"abs({inner}({v})**({rng.choice(['9**9', '10**6', '2**40'])}))"
    if kind == 5:  # a product of high powers
        return "*".join(f"({v}+{i})**{rng.randint(20, 120)}" for i in range(1, rng.randint(3, 10)))
    if kind == 6:  # extreme literals
        return f"{rng.choice(NUMBERS)}*{v} + {rng.choice(NUMBERS)}"
    if kind == 7:  # a growing coefficient
        return v + f"*{rng.choice(['1e300', '1e-300', '9**9'])}" * rng.randint(2, 40)
    return "(" * n + v + ")" * n


def texts(seed: int, count: int, line: bool) -> list[str]:
    """count texts for f(w) (line) or f(x, y)."""
    rng = random.Random(seed)
    leaves = LINE_LEAVES if line else PLANE_LEAVES
    out = []
    for _ in range(count):
        r = rng.random()
        if r < 0.55:
            out.append(_tree(rng, leaves, rng.randint(1, 5)))
        elif r < 0.8:
            out.append(_hostile(rng, leaves))
        else:
            out.append("".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 25))))
    return out


def run_batch(kind: str, seed: int, count: int, method: str) -> list:
    """Build every text of one batch with the default budget; one row per text:
    [outcome, seconds, detail], outcome "accepted", "refused" or "failed"."""
    import time

    import numpy as np

    from hessianlens.engine import build
    from hessianlens.engine.expression import ExpressionError

    build.configure(method)
    if method == "pool":
        build.start_worker(background=False)
    line = kind == build.LINE_KIND
    rows = []
    for text in texts(seed, count, line):
        t0 = time.monotonic()
        try:
            fn = build.build(text, kind)
            values = fn.at(0.7) if line else fn.at((0.7, -0.3)).hessian
            np.asarray(values, dtype=float)  # the numbers come back, finite or not
            row = ["accepted", ""]
        except ExpressionError as exc:
            row = ["refused", exc.message] if exc.message else ["failed", "empty message"]
        except Exception as exc:  # noqa: BLE001 - what the test looks for
            row = ["failed", f"{type(exc).__name__}: {exc}"]
        rows.append([row[0], time.monotonic() - t0, f"{row[1][:200]} | {text[:200]}"])
    build.shutdown()
    return rows


if __name__ == "__main__":
    import json
    import sys

    kind, seed, count, method = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    print(json.dumps(run_batch(kind, seed, count, method)))
