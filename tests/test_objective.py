"""Derivatives: the write-up's printed numbers (Examples 1 to 3) with both backends."""

import numpy as np
import pytest

from hessianlens.engine.objective import objective_from_text

EXAMPLE1 = "x0**2 + x1**2"
EXAMPLE2 = "x0**2 - x0*x1/2 + (x1/3)**2"
EXAMPLE3 = "sin(x0)**2 + sin(10 + x1*x0/2) * cos(x0)"


@pytest.mark.parametrize("backend", ["at", "numerical_at"])
@pytest.mark.parametrize("text, grad, hessian, hessian_inv", [
    (EXAMPLE1, [-6, -6], [[2, 0], [0, 2]], [[0.5, 0], [0, 0.5]]),
    (EXAMPLE2, [-4.5, 0.8333333], [[2, -0.5], [-0.5, 0.2222222]],
     [[1.142857, 2.571429], [2.571429, 10.285714]]),
])
def test_write_up_examples_1_and_2(backend, text, grad, hessian, hessian_inv):
    d = getattr(objective_from_text(text), backend)((-3, -3))
    np.testing.assert_allclose(d.grad, grad, atol=1e-6)
    np.testing.assert_allclose(d.hessian, hessian, atol=1e-6)
    np.testing.assert_allclose(np.linalg.inv(d.hessian), hessian_inv, atol=1e-5)
    np.testing.assert_allclose(-np.linalg.solve(d.hessian, d.grad), [3, 3], atol=1e-5)


def test_write_up_example_3_hessian_to_six_decimals():
    H = objective_from_text(EXAMPLE3).at((3.1, 1.3)).hessian
    np.testing.assert_allclose(H, [[1.20250029, -1.007762], [-1.007762, -1.2574737]], atol=5e-7)
    assert np.linalg.det(H) < 0  # indefinite: Newton heads for a saddle


def test_exact_and_numdifftools_agree_and_report_their_difference():
    cmp = objective_from_text(EXAMPLE3).compare_at((3.1, 1.3))
    np.testing.assert_allclose(cmp.numerical.hessian, cmp.exact.hessian, atol=1e-6)
    assert 0 <= cmp.max_difference < 1e-6
    assert cmp.max_difference == max(cmp.max_grad_difference, cmp.max_hessian_difference)


def test_vectorized_and_constant_entries_broadcast():
    obj = objective_from_text("x**2 + 3*y**2 + x*y")
    X, Y = np.meshgrid(np.linspace(-1, 1, 7), np.linspace(-2, 2, 5))
    f, gx, gy, hxx, hxy, hyy = obj.derivatives(X, Y)
    for a in (f, gx, gy, hxx, hxy, hyy):
        assert a.shape == (5, 7) and a.dtype == np.float64
    np.testing.assert_allclose(gx, 2 * X + Y)
    assert np.all(hxx == 2) and np.all(hxy == 1) and np.all(hyy == 6)


def test_evaluation_does_not_modify_or_alias_the_input():
    X = np.array([[1.0, np.inf]])
    f = objective_from_text("x").value(X, 0.0)
    f[0, 0] = 99
    assert X[0, 0] == 1.0


def test_non_finite_values_come_back_as_nan_or_inf_without_warnings():
    obj = objective_from_text("log(x) + 1/y")
    f, gx, gy, *_ = obj.derivatives(np.array([-1.0, 1.0, 2.0]), np.array([1.0, 0.0, 1.0]))
    assert np.isnan(f[0]) and not np.isfinite(f[1]) and f[2] == pytest.approx(np.log(2) + 1)


def test_abs_has_a_derivative_almost_everywhere():
    d = objective_from_text("abs(x) + y**2").at((-2, 1))
    np.testing.assert_allclose(d.grad, [-1, 2])
    np.testing.assert_allclose(d.hessian, [[0, 0], [0, 2]])


def test_symbolic_gradient_and_hessian_as_text_and_latex():
    obj = objective_from_text("x**2*y")
    assert obj.gradient_text == ("2*x*y", "x**2")
    assert obj.hessian_text == (("2*y", "2*x"), ("2*x", "0"))
    assert obj.latex["hessian"] == r"\begin{pmatrix} 2 y & 2 x \\ 2 x & 0 \end{pmatrix}"


def test_entries_are_distinct_arrays_even_when_cse_shares_them():
    f, gx, gy, hxx, hxy, hyy = objective_from_text("exp(x) + y").derivatives(np.zeros(3), np.zeros(3))
    gx[0] = 7
    assert hxx[0] == 1 and f[0] == 1


def test_point_evaluation_matches_the_grid_and_never_raises():
    obj = objective_from_text("x**(1/3) + 1/y + log(x)")
    for point in [(-8.0, 1.0), (8.0, 0.0), (1.0, 2.0)]:
        d = obj.at(point)
        f, gx, gy, hxx, hxy, hyy = obj.derivatives(*point)
        np.testing.assert_array_equal(np.isnan([d.f]), np.isnan([f]))
        if np.isfinite(f):
            assert d.f == pytest.approx(float(f)) and d.grad[0] == pytest.approx(float(gx))
    assert np.isnan(obj.at((-8.0, 1.0)).grad).all()  # f undefined: so are its derivatives
