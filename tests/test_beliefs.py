"""What a method believes about curvature, as curves and points (engine.beliefs)."""

import numpy as np
import pytest

from hessianlens.engine.beliefs import (ELLIPSE, HYPERBOLA, LINES, NONE, estimate_errors,
                                        model_level_set, picture)
from hessianlens.engine.objective import objective_from_text
from hessianlens.engine.rules import make_rule
from hessianlens.engine.trajectory import run

EXAMPLE3 = "sin(x0)**2 + sin(10 + x1*x0/2) * cos(x0)"


def model_change(ls, x, g, B):
    ok = np.isfinite(ls.xs)
    p = np.stack([ls.xs[ok] - x[0], ls.ys[ok] - x[1]], axis=-1)
    return p @ g + 0.5 * np.einsum("ni,ij,nj->n", p, B, p), p


@pytest.mark.parametrize("B, kind", [
    (np.array([[2.0, 0.5], [0.5, 1.0]]), ELLIPSE),
    (np.array([[-2.0, 0.5], [0.5, -1.0]]), ELLIPSE),  # a maximum's model: still an ellipse
    (np.array([[1.2025, -1.0078], [-1.0078, -1.2575]]), HYPERBOLA),  # Example 3's start
    (np.array([[1.0, 0.0], [0.0, -4.0]]), HYPERBOLA),
])
def test_the_level_set_passes_through_the_iterate_and_is_centred_on_the_stationary_point(B,
                                                                                        kind):
    x, g = np.array([3.1, 1.3]), np.array([-0.6145, -1.3192])
    ls = model_level_set(x, g, B, extent=10.0)
    assert ls.kind == kind
    m, p = model_change(ls, x, g, B)
    assert np.abs(m).max() < 1e-9 * max(1.0, (p ** 2).sum(axis=1).max())
    np.testing.assert_allclose(ls.centre, x - np.linalg.solve(B, g))
    # The curve goes through the iterate itself (the model's value there is f).
    assert np.min(np.hypot(*p.T)) < 0.05 * np.max(np.hypot(*p.T))
    if kind == HYPERBOLA:
        assert np.isnan(ls.xs).sum() == 1  # two branches
        assert np.max(np.hypot(ls.xs[np.isfinite(ls.xs)] - ls.centre[0],
                               ls.ys[np.isfinite(ls.ys)] - ls.centre[1])) >= 10.0


def test_degenerate_models_draw_asymptotes_or_nothing():
    x = np.zeros(2)
    saddle = model_level_set(x, np.zeros(2), np.diag([1.0, -1.0]), extent=2.0)
    assert saddle.kind == LINES
    ok = np.isfinite(saddle.xs)
    np.testing.assert_allclose(np.abs(saddle.xs[ok]), np.abs(saddle.ys[ok]))  # y = +-x
    assert model_level_set(x, np.ones(2), np.diag([1.0, 0.0]), 2.0).kind == NONE  # singular
    assert model_level_set(x, np.zeros(2), np.eye(2), 2.0).xs.size == 0  # g = 0 at a minimum
    assert model_level_set(x, np.array([np.nan, 0]), np.eye(2), 2.0).kind == NONE


def test_the_picture_of_a_trust_region_step_is_the_step_within_its_circle():
    objective = objective_from_text(EXAMPLE3)
    for name in ("trust-region", "dogleg", "sr1"):
        rule = make_rule(name)
        traj = run(objective, rule, (3.1, 1.3), max_steps=4)
        for it in traj.iterates[:-1]:
            pic = picture(rule, it, 7.0)
            np.testing.assert_allclose(pic.minimiser, it.x + it.step, rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(np.hypot(pic.circle[0] - it.x[0], pic.circle[1] - it.x[1]),
                                       it.info["radius"])
            assert np.hypot(*(pic.cauchy - it.x)) <= it.info["radius"] * (1 + 1e-12)
            assert (pic.believed is None) == (name != "sr1")
        if name == "dogleg":
            pic = picture(rule, traj.iterates[1], 7.0)  # H positive definite there
            xs, ys = pic.dogleg
            assert len(xs) == 3 and (xs[0], ys[0]) == tuple(traj.iterates[1].x)


def test_the_picture_of_bfgs_compares_its_estimate_with_h():
    objective = objective_from_text(EXAMPLE3)
    rule = make_rule("bfgs")
    traj = run(objective, rule, (3.1, 1.3))
    errors = estimate_errors(traj)
    assert np.isnan(errors[-1]) and errors[0] == pytest.approx(
        np.linalg.norm(np.eye(2) - traj.iterates[0].hessian) / np.linalg.norm(
            traj.iterates[0].hessian))
    pic = picture(rule, traj.iterates[3], 7.0)
    assert pic.estimate_error == pytest.approx(errors[3])
    assert pic.believed_model.kind == ELLIPSE  # BFGS's B is positive definite
    np.testing.assert_allclose(pic.believed_model.centre,
                               traj.iterates[3].x - np.linalg.solve(pic.believed,
                                                                    traj.iterates[3].grad))
    # Gradient descent believes in I / lr: a circle through the iterate around x - lr g.
    gd = make_rule("gd", learning_rate=0.5)
    it = run(objective, gd, (3.1, 1.3), max_steps=2).iterates[0]
    pic = picture(gd, it, 7.0)
    np.testing.assert_allclose(pic.believed_model.centre, it.x - 0.5 * it.grad)
    radii = np.hypot(pic.believed_model.xs - pic.believed_model.centre[0],
                     pic.believed_model.ys - pic.believed_model.centre[1])
    np.testing.assert_allclose(radii, 0.5 * np.hypot(*it.grad))


def test_adams_picture_sets_its_rates_against_newtons_step_sizes():
    objective = objective_from_text("3*x**2 + x*y + y**2")
    rule = make_rule("adam")
    it = run(objective, rule, (1.0, 1.0), max_steps=3).iterates[1]
    steps = picture(rule, it, 5.0).rate_steps
    rates = np.array([it.info["rate_x"], it.info["rate_y"]])
    np.testing.assert_allclose(steps["rates"], it.x - rates * it.grad)
    np.testing.assert_allclose(steps["1/H_ii"], it.x - it.grad / np.diag(it.hessian))
    # H is positive definite: the 1/|lambda| step is the Newton step, to the minimum (0, 0).
    np.testing.assert_allclose(steps["1/|lambda|"], [0, 0], atol=1e-12)


def test_estimate_errors_read_as_percentages_with_two_digits():
    from hessianlens.engine.rules.quasi import percent

    assert [percent(v) for v in (2.1, 0.63, 0.031, 0.0022, 2e-5, 0.0)] == \
        ["210%", "63%", "3.1%", "0.22%", "0.002%", "0%"]


@pytest.mark.parametrize("name, params", [("gd", {"learning_rate": 0.5}),
                                          ("momentum", {"learning_rate": 0.1, "beta": 0.5,
                                                        "tune": "none"})])
def test_the_last_iterate_shows_the_model_the_method_would_step_with(name, params):
    """No step is taken from the last iterate (the window opens there, at step 100/100), yet
    a fixed rate's model I / lr holds there as everywhere."""
    rule = make_rule(name, **params)
    traj = run(objective_from_text(EXAMPLE3), rule, (3.1, 1.3), max_steps=100)
    last = traj.iterates[-1]
    assert last.step is None
    pic = picture(rule, last, 7.0)
    assert pic.believed_model is not None and pic.believed_model.kind == ELLIPSE
    np.testing.assert_allclose(pic.believed, np.eye(2) / params["learning_rate"])
    np.testing.assert_allclose(pic.believed_model.centre,
                               last.x - params["learning_rate"] * last.grad)


@pytest.mark.parametrize("name, field", [("bfgs", "hessian_estimate"), ("sr1", "hessian_estimate"),
                                         ("adam", "rate_x"), ("rmsprop", "rate_y")])
def test_the_last_iterate_holds_what_the_rule_would_step_with_next(name, field):
    """A run that stops after N steps keeps, at its last iterate, the estimate (or rates) the
    rule would use for step N + 1: exactly what a run allowed one more step records there."""
    rule, objective = make_rule(name), objective_from_text(EXAMPLE3)
    short = run(objective, rule, (3.1, 1.3), max_steps=4)
    longer = run(objective, rule, (3.1, 1.3), max_steps=5)
    last = short.as_seen(4)
    assert short.iterates[4].step is None and last.step is None
    recorded = longer.iterates[4]
    if field == "hessian_estimate":
        np.testing.assert_array_equal(last.extra[field], recorded.extra[field])
    else:
        assert last.info[field] == recorded.info[field]
    assert picture(rule, last, 7.0).believed is not None
    assert short.as_seen(2) is short.iterates[2]  # earlier iterates are as recorded
