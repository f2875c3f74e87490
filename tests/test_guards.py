"""Cost guards: nesting as people read it, literals beyond the float range, and the predicted
cost of the derivatives, refused before sympy does the work."""

import subprocess
import sys

import pytest
import sympy as sp

from hessianlens.engine import guards
from hessianlens.engine.expression import LINE, ExpressionError, parse_expression

x, y = sp.symbols("x y", real=True)
w = sp.Symbol("w", real=True)

TOWER_60 = "**".join(["x", "y"] * 30)
TOWER_98 = "**".join(["x", "y"] * 49)
SIN_90 = "sin(" * 90 + "x" + ")" * 90
ORDINARY = {
    "Example 3": "sin(x0)**2 + sin(10 + x1*x0/2)*cos(x0)",
    "Rosenbrock": "(1 - x)**2 + 100*(y - x**2)**2",
    "Himmelblau": "(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
    "Beale": "(1.5 - x + x*y)**2 + (2.25 - x + x*y**2)**2 + (2.625 - x + x*y**3)**2",
    "Goldstein-Price": "(1 + (x + y + 1)**2*(19 - 14*x + 3*x**2 - 14*y + 6*x*y + 3*y**2))"
                       "*(30 + (2*x - 3*y)**2*(18 - 32*x + 12*x**2 + 48*y - 36*x*y + 27*y**2))",
    "logistic loss": " + ".join(f"log(1 + exp(-({i % 3 - 1})*({0.1 * i}*x + {0.2 * i}*y)))"
                                for i in range(1, 16)),
}


def refusal(text, spec=None):
    with pytest.raises(ExpressionError) as info:
        parse_expression(text, spec) if spec else parse_expression(text)
    return info.value


# --- nesting ---------------------------------------------------------------------------------
@pytest.mark.parametrize("terms", [100, 900])
def test_a_flat_sum_is_not_deep(terms):
    text = "+".join(["x"] * terms)
    assert parse_expression(text).expr == terms * x
    assert parse_expression("-".join(["y"] * terms)).expr == (2 - terms) * y
    assert parse_expression("*".join(["x"] * terms)).expr == x**terms


def test_real_nesting_is_still_limited_and_underlined():
    err = refusal("(" + "sin(" * 120 + "x" + ")" * 120 + ")")
    assert "nested too deeply" in err.message
    assert err.text[err.offset:err.offset + 4] == "sin("


def test_depth_counts_a_chain_once_and_a_nest_per_level():
    import ast

    def depth(text):
        return guards.deepest_node(ast.parse(text, mode="eval").body)[0]

    assert depth("x + y - x + y") == depth("x + y") == depth("x * y / x * y") == 2
    assert depth("-(-(-x))") == 4
    assert depth("x**y**x") == 3 and depth("(x**y)**x") == 3
    assert depth("sin(x + y + x) * 2") == 4


# --- literals --------------------------------------------------------------------------------
@pytest.mark.parametrize("text, words", [
    ("1e-5000 + x", "too small"),
    ("1e-999999 + x", "too small"),
    ("1e-99999999 + x", "too small"),
    ("x*1e-400", "too small"),
    ("1e400 + x", "too large"),
    ("9" * 1500 + " + x", "too large"),
    ("x" + "*1e300" * 3, "too large"),  # a coefficient sympy multiplies into x
    ("(x + 1e300)*1e300*1e300", "too large"),  # ... and distributes over a sum
    ("x*(1 + 1e-300)**20", "too many digits"),  # exact: 6,000 digits
])
def test_numbers_beyond_the_float_range_or_printable_digits_are_refused(text, words):
    err = refusal(text)
    assert words in err.message
    assert "floats" in err.message or "digits" in err.message


def test_a_refused_literal_is_underlined():
    err = refusal("x + 1e-99999")
    assert (err.offset, err.length) == (4, 8)


def test_literals_inside_the_float_range_are_read_exactly():
    assert parse_expression("1e-320*x").expr == sp.Rational(1, 10**320) * x  # subnormal
    assert parse_expression("0e99999999 + x").expr == x
    assert parse_expression("0.1*x").expr == x / 10
    assert parse_expression("1e308*x").expr == sp.Integer(10)**308 * x


# --- the predicted cost of the derivatives ---------------------------------------------------
@pytest.mark.parametrize("name", ORDINARY)
def test_typed_functions_are_far_below_the_cost_limit(name):
    size = guards.DerivativeCost().sizes(parse_expression(ORDINARY[name]).expr)[2]
    assert 0 < size < guards.MAX_SECOND_DERIVATIVE_SIZE / 4


def test_the_predicted_size_grows_as_the_derivatives_do():
    cost = guards.DerivativeCost()
    assert cost.sizes(sp.Integer(3)) == (1, 0, 0)
    assert cost.sizes(x)[1:] == (1, 0)
    assert cost.sizes(x**2 + y)[2] > cost.sizes(x + y)[2]
    nests = [cost.sizes(sp.sin(sp.sin(x)) if n == 2 else _nest(n))[2] for n in (2, 8, 32)]
    assert nests[0] < nests[1] < nests[2]
    assert nests[2] / nests[1] > (32 / 8) ** 2  # a nest of depth n: about n**3


def _nest(n):
    e = x
    for _ in range(n):
        e = sp.sin(e)
    return e


def test_hostile_functions_are_refused_by_the_prediction():
    # In a subprocess with a time limit: sympy took 44 s, 216 s and 14 s on these.
    code = ("import sys, json\nfrom hessianlens.engine.expression import parse_expression, "
            "ExpressionError, LINE\nout = []\nfor t, line in json.loads(sys.argv[1]):\n"
            "    try:\n        parse_expression(t, LINE) if line else parse_expression(t)\n"
            "        out.append('accepted')\n    except ExpressionError as exc:\n"
            "        out.append(exc.message)\nprint(json.dumps(out))\n")
    import json

    cases = [(TOWER_60, False), (TOWER_98, False), (SIN_90, False),
             ("*".join(f"sin(x+{i}*y)" for i in range(30)), False),
             ("*".join(f"exp(w+{i})" for i in range(1, 40)) + "*" +
              "*".join(f"cos(w*{i})" for i in range(1, 30)), True)]
    done = subprocess.run([sys.executable, "-c", code, json.dumps(cases)], timeout=60,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for message in json.loads(done.stdout):
        assert message.startswith(guards.TOO_EXPENSIVE), message
        assert "Simplify the underlined part" in message


def test_the_refusal_underlines_the_part_that_is_too_expensive():
    err = refusal("x**2 + " + SIN_90)
    assert err.offset > len("x**2 + ")  # inside the nest, not the harmless sum
    assert err.text[err.offset:err.offset + 4] == "sin("


def test_polynomial_degree_without_expanding():
    product = sp.Mul(*[(w + i)**100 for i in range(1, 9)], evaluate=False)
    assert guards.polynomial_degree(product, w) == 800
    assert guards.polynomial_degree(3 * w**2 + w + 1, w) == 2
    assert guards.polynomial_degree(sp.sin(w) + w, w) is None
    assert guards.polynomial_degree(sp.Integer(7), w) == 0
    assert parse_expression("(w+1)**3", LINE).expr == (w + 1)**3  # not expanded by the parser
