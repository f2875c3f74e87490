"""|u| has a derivative almost everywhere: d|u| = sign(u) du, d sign(u) = 0 away from u = 0.

sympy left an unevaluated Derivative(sign(...)) in the Hessian of abs(log(x)) and the like,
which numpy could not print (issue 18, section 3). The exact derivatives must agree with
numdifftools wherever u != 0.
"""

import numdifftools as nd
import numpy as np
import pytest
import sympy as sp

from hessianlens.engine.linefunction import line_function
from hessianlens.engine.objective import objective_from_text


@pytest.mark.parametrize("text, points", [
    ("abs(log(x))", [(0.3, 0.0), (0.7, 1.0), (2.5, -1.0)]),  # kink at x = 1
    ("abs(sqrt(x))", [(0.5, 0.0), (3.0, 2.0)]),
    ("abs(x**pi)", [(0.5, 0.0), (1.7, 1.0)]),
    ("abs(acos(y))*x", [(1.5, -0.5), (-2.0, 0.3), (0.7, 0.9)]),
    ("abs(sin(x))*y + abs(x - y)**3", [(1.0, 2.0), (-1.0, 0.5), (4.0, -1.0)]),
    ("abs(abs(x - 1) - y)", [(0.0, 2.0), (3.0, 0.5)]),
])
def test_exact_derivatives_of_abs_agree_with_numdifftools_away_from_the_kinks(text, points):
    obj = objective_from_text(text)
    for e in (*obj.grad_exprs, *obj.hessian_exprs):
        assert not e.has(sp.Derivative)
    assert "Derivative" not in "".join(obj.gradient_text + sum(obj.hessian_text, ()))
    for p in points:
        cmp = obj.compare_at(p)
        scale = 1 + np.max(np.abs(cmp.exact.hessian))
        assert np.all(np.isfinite(cmp.exact.hessian)), (p, cmp.exact)
        np.testing.assert_allclose(cmp.exact.grad, cmp.numerical.grad, atol=1e-6 * scale)
        np.testing.assert_allclose(cmp.exact.hessian, cmp.numerical.hessian, atol=1e-5 * scale)


def test_abs_of_a_huge_power_differentiates_without_expanding_it():
    # sympy expanded re(log(x)**(9**9)) for minutes; d|u| = sign(u) du does not.
    obj = objective_from_text("abs(log(x)**(9**9))")
    assert "sign" in obj.gradient_text[0]
    d = obj.at((np.e, 0.0))  # log(x) = 1: |u| = 1, d|u|/dx = 9**9 / e
    assert d.f == pytest.approx(1.0) and d.grad[0] == pytest.approx(9**9 / np.e)


@pytest.mark.parametrize("w", [0.4, 2.0, 5.0])
def test_one_dimensional_abs_agrees_with_numdifftools(w):
    fn = line_function("abs(log(w))")
    f, df, d2f = fn.at(w)
    assert df == pytest.approx(float(nd.Derivative(lambda v: float(fn.value(v)))(w)), rel=1e-6)
    assert d2f == pytest.approx(float(nd.Derivative(lambda v: float(fn.value(v)), n=2)(w)),
                                rel=1e-5)
    assert "Derivative" not in "".join(fn.texts)


def test_the_derivative_of_a_sign_is_zero_and_the_kink_itself_stays_finite():
    obj = objective_from_text("abs(x) + abs(y)**2")
    d = obj.at((-2.0, 3.0))
    np.testing.assert_allclose(d.grad, [-1.0, 6.0])
    np.testing.assert_allclose(d.hessian, [[0.0, 0.0], [0.0, 2.0]])
    at_kink = obj.at((0.0, 0.0))  # sign(0) = 0: a subgradient, not a NaN
    assert np.all(np.isfinite(at_kink.grad)) and np.all(np.isfinite(at_kink.hessian))
