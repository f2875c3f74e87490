"""The plane preset "Logistic regression (breast cancer data)": the text is what the engine
generates, it parses, and it is the real model's loss to the accuracy its note states."""

import numpy as np
import pytest

from hessianlens.engine.expression import MAX_LENGTH
from hessianlens.engine.ndim.plane_preset import (VIEW, gauss_quadrature,
                                                  logistic_plane_function)
from hessianlens.engine.ndim.problems import LOGISTIC_L2, load_wdbc
from hessianlens.engine.objective import objective_from_text
from hessianlens.engine.rules import make_rule
from hessianlens.engine.trajectory import run
from hessianlens.resources import read_json

NAME = "Logistic regression (breast cancer data)"


@pytest.fixture(scope="module")
def plane():
    return logistic_plane_function()


@pytest.fixture(scope="module")
def preset():
    return next(p for p in read_json("presets.json")["presets"] if p["name"] == NAME)


def test_the_stored_preset_is_the_generated_text_and_its_note_quotes_the_numbers(plane, preset):
    assert preset["function"] == plane.text  # regenerate with logistic_plane_function()
    assert len(plane.text) <= MAX_LENGTH
    assert preset["view"] == list(VIEW)
    a, b = plane.minimum
    ea, eb = plane.exact_minimum
    for words in (f"({a:.3f}, {b:.3f})", f"({ea:.3f}, {eb:.3f})", f"{plane.max_error:.3f}",
                  f"{plane.rows} tumours", f"{plane.nodes}-point Gaussian quadrature", "IRLS"):
        assert words in preset["note"]


def test_the_text_is_the_exact_loss_to_within_the_stated_error(plane):
    d = load_wdbc()
    z = d.standardized()[:, d.feature_names.index(plane.feature)]
    s = np.where(d.labels == 1.0, 1.0, -1.0)
    objective = objective_from_text(plane.text)
    rng = np.random.default_rng(3)
    xs, ys = rng.uniform(VIEW[0], VIEW[1], 200), rng.uniform(VIEW[2], VIEW[3], 200)
    exact = np.array([np.mean(np.logaddexp(0.0, -s * (z * x + y))) + 0.5 * LOGISTIC_L2 *
                      (x * x + y * y) for x, y in zip(xs, ys)])
    err = np.abs(objective.value(xs, ys) - exact)
    assert err.max() <= plane.max_error + 1e-9
    assert plane.max_error < 0.01 * (plane.f_range[1] - plane.f_range[0])
    assert np.allclose(plane.minimum, plane.exact_minimum, atol=5e-3)


def test_newton_is_irls_and_reaches_the_minimum_in_a_few_steps_where_gd_crawls(plane, preset):
    objective = objective_from_text(plane.text)
    start = tuple(preset["start"])
    newton = run(objective, make_rule("newton"), start, max_steps=50)
    gd = run(objective, make_rule("gd", learning_rate=preset["learning_rates"]["gd"]), start, max_steps=500)
    assert newton.status == gd.status == "converged"
    assert newton.end_kind == "minimum"
    assert np.allclose(newton.points[-1], plane.minimum, atol=1e-5)
    assert newton.steps_taken <= 6 < 50 < gd.steps_taken
    a, b = plane.minimum
    assert VIEW[0] < a < VIEW[1] and VIEW[2] < b < VIEW[3]  # the minimum is in the view


def test_gauss_quadrature_is_exact_for_polynomials_up_to_degree_2k_minus_1():
    t = np.random.default_rng(0).standard_normal(300) ** 3
    nodes, weights = gauss_quadrature(t, 5)
    assert weights.sum() == pytest.approx(1.0)
    for p in range(10):
        assert nodes ** p @ weights == pytest.approx(np.mean(t ** p), rel=1e-8, abs=1e-10)
    assert not nodes ** 10 @ weights == pytest.approx(np.mean(t ** 10), rel=1e-8)
