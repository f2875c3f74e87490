"""The inspector's numbers and words against the write-up's printed values."""

import numpy as np
import pytest

from hessianlens.engine import linalg2
from hessianlens.engine.explain import (CURVATURE_WORDS, comparison_words, flag_words, fmt_matrix,
                                        fmt_number, inspect_point, inspection_words,
                                        newton_words, direction_words, story)
from hessianlens.engine.objective import objective_from_text
from hessianlens.engine.rules import make_rule
from hessianlens.engine.trajectory import run
from hessianlens.ui.presets import load_presets

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
    assert "the Newton step points along -grad f: only the length differs" \
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
    assert newton_words(ins).startswith("the full Newton step goes downhill")


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
    assert newton_words(ins).startswith("the full Newton step goes uphill: H is indefinite")
    assert CURVATURE_WORDS[linalg2.INDEFINITE] in inspection_words(ins)

    # The trajectory's first Newton iterate carries the same verdict as its flags in words.
    first = run(objective, make_rule("newton"), (3.1, 1.3)).iterates[0]
    assert flag_words(first, "newton") == ("this Newton step goes uphill: H is indefinite",)


def test_example_4_positive_definite_start_has_no_flags():
    first = run(objective_from_text(EXAMPLE_3), make_rule("newton"), (3.1, 2.2)).iterates[0]
    assert flag_words(first, "newton") == ()


def test_negative_definite_heads_for_a_maximum():
    ins = inspect_point(objective_from_text("-x**2 - y**2"), (1, 2), 0.1)
    assert CURVATURE_WORDS[ins.curvature] == "H is negative definite: Newton heads for a maximum"
    assert newton_words(ins).startswith("the full Newton step goes uphill: H is negative definite")
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


def _preset_iterate(preset_name, method, k=-1, lr=None):
    """A preset's trace of one method (its own parameters) and its k-th iterate."""
    preset = next(p for p in load_presets() if p.name.startswith(preset_name))
    objective = objective_from_text(preset.function)
    params = preset.method_params()
    rule = make_rule(method, **params.get(method, {}))
    it = run(objective, rule, tuple(preset.start)).iterates[k]
    gd_lr = params.get("gd", {}).get("learning_rate", 1.0)
    return objective, it, inspect_point(objective, it.x, gd_lr)


def test_example_4_newton_step_that_points_uphill_but_lowers_f_says_both():
    # Gradient descent's iterate 100: g . p > 0 at an indefinite H, yet f(x + p) < f(x).
    _, it, ins = _preset_iterate("Example 4", "gd", 100)
    assert ins.newton_ascent and ins.f_after_newton < ins.f
    words = newton_words(ins)
    assert words.startswith("the full Newton step points uphill (grad f . p > 0: H is indefinite) "
                            "yet f falls from -0.000181 to -0.137925")
    assert "goes uphill" not in words


@pytest.mark.parametrize("preset", ["Himmelblau", "Six-hump camel", "Logistic"])
def test_a_newton_step_along_minus_gradient_is_not_said_to_turn(preset):
    # Gradient descent's last iterate, near the minimum: H^-1 g is parallel to g to < 0.05°.
    _, _, ins = _preset_iterate(preset, "gd")
    assert ins.angle_degrees < 0.05
    words = inspection_words(ins)
    assert "the Newton step points along -grad f: only the length differs" in words
    assert not any("steepest direction is not the best" in w for w in words)


def test_direction_words_follow_the_angle():
    # Parallel vectors are exactly 0 degrees apart (arccos gave 1.2e-6 on Example 1).
    assert inspect_point(objective_from_text(EXAMPLE_1), (-3, -3)).angle_degrees == 0
    # x^2 + 1.1 y^2 at (1, 1): -g = (-2, -2.2), p = (-1, -1), about 2.7 degrees apart.
    near = inspect_point(objective_from_text("x**2 + 1.1*y**2"), (1, 1))
    assert 2 < near.angle_degrees < 5
    assert direction_words(near).startswith("the Newton step is within 2.7° of -grad f")
    assert "turns" in direction_words(inspect_point(objective_from_text(EXAMPLE_2), (-3, -3)))


@pytest.mark.parametrize("preset, method, k", [("Example 3", "gd", 5), ("Example 3", "newton", 0),
                                               ("Relatives", "newton", 0),
                                               ("Example 4", "gd", 100)])
def test_the_inspector_says_each_sentence_once(preset, method, k):
    _, it, ins = _preset_iterate(preset, method, k)
    told = story(ins, it, method)
    assert ins.curvature == linalg2.INDEFINITE
    sentences = (told.curvature, *told.flags, *told.words)
    assert len(set(sentences)) == len(sentences)
    assert told.curvature == CURVATURE_WORDS[linalg2.INDEFINITE]
    assert told.curvature not in told.flags
    # One verdict on the full Newton step: in the flags where it is the step taken (the
    # Relatives preset's Newton has lr 1), in the words otherwise.
    said = [s for s in sentences if s.startswith("the full Newton step")]
    assert said == [newton_words(ins)]
    assert (said[0] in told.flags) == (preset == "Relatives")


def test_a_step_flagged_uphill_whose_f_falls_says_both():
    # Full Newton from Example 4's gradient-descent iterate 100: g . p > 0, yet f falls.
    objective, gd_end, _ = _preset_iterate("Example 4", "gd", 100)
    first = run(objective, make_rule("newton"), tuple(gd_end.x)).iterates[0]
    assert "ascent_direction" in first.flags and "uphill" not in first.flags
    assert flag_words(first, "newton") == (
        "this Newton step points uphill (grad f . step > 0: H is indefinite) yet f falls: f "
        "first rises along the step, then falls below its start further out",)
    # The step taken is the full Newton step: the flag carries its numbers, said once.
    ins = inspect_point(objective, first.x, 0.5)
    told = story(ins, first, "newton")
    assert told.flags == (newton_words(ins),)
    assert "yet f falls from -0.000181 to -0.137925" in told.flags[0]
    assert not any(w.startswith("the full Newton step") for w in told.words)


@pytest.mark.parametrize("start, words", [
    # Six-hump camel's minimum: a gradient step of lr 0.01 changes f in the ninth decimal.
    ((0.0898, -0.7126), "f falls by "),
    ((0.0898420131, -0.7126564030), None),  # at the minimum to ten digits: "stays" or "by"
])
def test_a_change_below_six_decimals_is_said_as_its_size_not_as_two_equal_numbers(start, words):
    camel = "(4 - 2.1*x**2 + x**4/3)*x**2 + x*y + (-4 + 4*y**2)*y**2"
    ins = inspect_point(objective_from_text(camel), start, 0.01)
    said = " | ".join(inspection_words(ins))
    before = fmt_number(ins.f)
    assert f"from {before} to {before}" not in said
    if words is not None:
        assert words in said and f", from {before}" in said


def test_a_step_from_where_f_is_not_finite_neither_falls_nor_goes_downhill():
    # f = 1/x is inf at x = 0; a step of -lr * grad f = +inf "lands" at f = 1.
    ins = inspect_point(objective_from_text("1/x + y**2"), (0.0, 1.0), 0.1)
    said = " | ".join(inspection_words(ins))
    assert "f is inf here: a gradient step from this point means nothing" in said
    assert "downhill" not in said and "from inf" not in said


@pytest.mark.parametrize("method, rate", [("gd", "lr 0.5"), (None, "lr 0.5"),
                                          ("bfgs", "gradient descent's lr 0.5"),
                                          ("adam", "gradient descent's lr 0.5"),
                                          ("momentum", "gradient descent's lr 0.5"),
                                          ("trust-region", "gradient descent's lr 0.5")])
def test_the_gradient_step_says_whose_rate_it_is(method, rate):
    # Example 3's start: the inspector's gradient step always takes gradient descent's lr; with
    # BFGS or Adam selected a bare "lr 0.5" read as that method's own rate.
    ins = inspect_point(objective_from_text(EXAMPLE_3), (3.1, 1.3), 0.5, "gd")
    said = [w for w in story(ins, None, method).words if "gradient step" in w]
    assert len(said) == 1 and said[0].startswith(f"the gradient step ({rate}) ")
    # A rate no method owns (no gradient descent in the session) is a bare one.
    bare = inspect_point(objective_from_text(EXAMPLE_3), (3.1, 1.3), 1.0)
    assert f"({'lr 1' if method is None else 'bare lr 1'})" in \
        " ".join(inspection_words(bare, method))
