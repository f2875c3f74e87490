"""The inspector's numbers and words against the write-up's printed values."""

import numpy as np
import pytest

from hessianlens.engine import linalg2
from hessianlens.engine.explain import (CURVATURE_WORDS, comparison_words, flag_words, fmt_matrix,
                                        fmt_number, inspect_point, inspection_words,
                                        newton_words)
from hessianlens.engine.objective import objective_from_text
from hessianlens.engine.rules import make_rule
from hessianlens.engine.trajectory import run

EXAMPLE_1 = "x0**2 + x1**2"
EXAMPLE_2 = "x0**2 - x0*x1/2 + (x1/3)**2"
EXAMPLE_3 = "sin(x0)**2 + sin(10 + x1*x0/2) * cos(x0)"


def test_example_1_newton_step_is_minus_gradient_scaled():
    ins = inspect_point(objective_from_text(EXAMPLE_1), (-3, -3), 0.5)
    np.testing.assert_allclose(ins.grad, [-6, -6])
    np.testing.assert_allclose(ins.inverse, [[0.5, 0], [0, 0.5]])
    np.testing.assert_allclose(ins.newton_step, [3, 3])
    assert ins.f_after_newton == pytest.approx(0)
    assert ins.angle_degrees == pytest.approx(0, abs=1e-6)
    assert "the Newton step points the same way as -grad f: only the length differs" \
        in inspection_words(ins)


def test_example_2_inverse_and_newton_step():
    ins = inspect_point(objective_from_text(EXAMPLE_2), (-3, -3), 0.5)
    np.testing.assert_allclose(ins.grad, [-4.5, 0.833333], atol=1e-6)
    np.testing.assert_allclose(ins.hessian, [[2, -0.5], [-0.5, 0.222222]], atol=1e-6)
    np.testing.assert_allclose(ins.inverse, [[1.142857, 2.571429], [2.571429, 10.285714]],
                               atol=1e-6)
    np.testing.assert_allclose(ins.newton_step, [3, 3], atol=1e-12)
    assert ins.curvature == linalg2.POSITIVE_DEFINITE
    # Printed as the write-up prints it.
    assert fmt_matrix(ins.inverse) == "[1.142857, 2.571429]\n[2.571429, 10.285714]"
    # The negative gradient (4.5, -0.83) does not point at the minimum.
    assert 10 < ins.angle_degrees < 90
    words = inspection_words(ins)
    assert words[0] == "H is positive definite: Newton heads for a minimum"
    assert any("the steepest direction is not the best one here" in w for w in words)
    assert newton_words(ins).startswith("this Newton step goes downhill")


def test_example_3_newton_goes_uphill_towards_a_saddle():
    objective = objective_from_text(EXAMPLE_3)
    ins = inspect_point(objective, (3.1, 1.3), 0.5)
    np.testing.assert_allclose(ins.hessian, [[1.20250029, -1.007762], [-1.007762, -1.2574737]],
                               atol=1e-6)
    assert ins.det < 0
    assert ins.eigenvalues[0] < 0 < ins.eigenvalues[1]
    assert ins.curvature == linalg2.INDEFINITE
    assert ins.newton_ascent
    assert ins.f_after_newton > ins.f  # the Hessian step raises f
    assert ins.f_after_gradient < ins.f  # the gradient step (eta = 0.5) lowers it
    assert newton_words(ins).startswith("this Newton step goes uphill: H is indefinite")
    assert CURVATURE_WORDS[linalg2.INDEFINITE] in inspection_words(ins)

    # The trajectory's first Newton iterate carries the same verdict as its flags in words.
    first = run(objective, make_rule("newton"), (3.1, 1.3)).iterates[0]
    words = flag_words(first, "newton")
    assert words[0] == "this Newton step goes uphill: H is indefinite"
    assert "Newton heads for a saddle" in words[1]


def test_example_4_positive_definite_start_has_no_flags():
    first = run(objective_from_text(EXAMPLE_3), make_rule("newton"), (3.1, 2.2)).iterates[0]
    assert flag_words(first, "newton") == ()


def test_negative_definite_heads_for_a_maximum():
    ins = inspect_point(objective_from_text("-x**2 - y**2"), (1, 2), 0.1)
    assert CURVATURE_WORDS[ins.curvature] == "H is negative definite: Newton heads for a maximum"
    assert newton_words(ins).startswith("this Newton step goes uphill: H is negative definite")
    np.testing.assert_allclose(ins.x + ins.newton_step, [0, 0])  # lands on the maximum


def test_singular_hessian_has_no_newton_step():
    ins = inspect_point(objective_from_text("x + y"), (1, 1), 0.5)
    assert ins.inverse is None and ins.newton_step is None
    assert np.isnan(ins.f_after_newton)
    assert newton_words(ins) == "H is singular: no Newton step exists"
    np.testing.assert_allclose(ins.gradient_step, [-0.5, -0.5])
    assert ins.f_after_gradient == pytest.approx(1.0)


def test_stationary_point_and_overshooting_gradient_step():
    saddle = inspect_point(objective_from_text("x*y"), (0, 0), 0.5)
    assert "stationary point" in newton_words(saddle)
    overshoot = inspect_point(objective_from_text("x**2 + y**2"), (1, 0), 1.5)
    assert any("gradient step (lr 1.5) overshoots" in w for w in inspection_words(overshoot))


def test_gradient_descent_flags_name_the_method():
    # lr 1.5 on x^2 jumps from 1 to -2: downhill direction, higher f.
    first = run(objective_from_text("x**2 + y**2"), make_rule("gd", learning_rate=1.5), (1, 0)).iterates[0]
    assert flag_words(first, "gd") == ("this gradient descent step overshoots: it starts "
                                       "downhill but f rises",)


def test_numbers_and_comparison_in_words():
    assert fmt_number(0.0) == "0"
    assert fmt_number(1.0 / 7) == "0.142857"
    assert fmt_number(2.5e-9) == "2.500000e-09"
    cmp = objective_from_text(EXAMPLE_3).compare_at((3.1, 1.3))
    assert comparison_words(cmp).startswith("exact and numdifftools derivatives differ by at most")
