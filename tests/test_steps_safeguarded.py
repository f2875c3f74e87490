"""Safeguarded Newton variants: newton-linesearch, saddle-free, damped-newton, optimal-lr."""

from functools import cache

import numpy as np
import pytest

from hessianlens.engine import linalg2
from hessianlens.engine.objective import objective_from_text
from hessianlens.engine.serialize import trajectory_to_dict
from hessianlens.engine.rules import RULES, make_rule
from hessianlens.engine.trajectory import CONVERGED, run

SAFEGUARDED = ("newton-linesearch", "saddle-free", "damped-newton", "optimal-lr")
ROSENBROCK = "(1-x)**2 + 100*(y-x**2)**2"
SADDLE = "x**2 - y**2"


@cache
def rosenbrock_run(name):
    return run(objective_from_text(ROSENBROCK), make_rule(name), (-1.2, 1.0), max_steps=30_000)


def test_the_new_rules_are_registered_with_titles():
    for name in SAFEGUARDED:
        rule = make_rule(name)
        assert name in RULES and rule.name == name and rule.title
        assert make_rule(name, learning_rate=0.25).learning_rate == 0.25


def test_absolute_hessian_matches_the_eigendecomposition():
    rng = np.random.default_rng(0)
    for a, b, c in rng.normal(size=(200, 3)) * 5:
        w, Q = np.linalg.eigh([[a, b], [b, c]])
        expected = Q @ np.diag(np.abs(w)) @ Q.T
        got = linalg2.absolute(a, b, c)
        assert got == pytest.approx((expected[0, 0], expected[0, 1], expected[1, 1]), abs=1e-9)
    # Over arrays too, with the semidefinite cases left as +-H.
    aa, bb, cc = linalg2.absolute(np.array([2.0, -2.0]), np.array([0.0, 0.0]),
                                  np.array([3.0, -3.0]))
    assert aa.tolist() == [2, 2] and cc.tolist() == [3, 3]


def test_on_a_saddle_raw_newton_jumps_to_it_and_saddle_free_moves_away():
    objective = objective_from_text(SADDLE)
    newton = run(objective, make_rule("newton"), (1.0, 0.5), max_steps=5)
    assert newton.status == CONVERGED and newton.steps_taken == 1
    assert newton.points[-1] == pytest.approx([0, 0], abs=1e-12)

    free = run(objective, make_rule("saddle-free"), (1.0, 0.5), max_steps=5)
    # |H| = 2 I: the step is -g/2 = (-x, +y): x reaches 0, y doubles, f goes down.
    assert free.points[1] == pytest.approx([0.0, 1.0])
    distances = np.hypot(*free.points.T)
    assert np.all(np.diff(distances[1:]) > 0)
    assert np.all(np.diff(free.values) < 0)
    assert free.iterates[0].info["flipped"] is True


@pytest.mark.parametrize("name, steps_needed", [
    # Steps each rule needed from (-1.2, 1) to |grad f| < 1e-6 when this test was written.
    ("newton-linesearch", 21), ("saddle-free", 6), ("damped-newton", 20),
    ("optimal-lr", 12734),  # steepest descent zigzags down the curved valley
])
def test_every_safeguarded_rule_solves_rosenbrock(name, steps_needed):
    traj = rosenbrock_run(name)
    assert traj.status == CONVERGED, traj.message
    assert traj.points[-1] == pytest.approx([1, 1], abs=1e-5)
    assert traj.steps_taken <= 2 * steps_needed


def test_newton_type_rules_beat_the_optimal_gradient_rate_on_rosenbrock():
    taken = {name: rosenbrock_run(name).steps_taken for name in SAFEGUARDED}
    assert max(taken["newton-linesearch"], taken["saddle-free"], taken["damped-newton"]) * 100 \
        < taken["optimal-lr"]


def test_line_search_falls_back_to_the_gradient_when_newton_points_uphill():
    objective = objective_from_text(SADDLE)
    here = objective.at((0.5, 1.0))  # Newton step (-0.5, -1): g.p = +1.5, uphill
    proposal = make_rule("newton-linesearch").propose(objective, here)
    assert proposal.info["fell_back"] is True
    cos = -np.dot(proposal.step, here.grad) / np.hypot(*proposal.step) / np.hypot(*here.grad)
    assert cos == pytest.approx(1.0)
    assert objective.at(here.x + proposal.step).f < here.f
    assert proposal.learning_rate == proposal.info["learning_rate"]


def test_line_search_backtracks_until_armijo_holds():
    objective = objective_from_text(ROSENBROCK)
    traj = run(objective, make_rule("newton-linesearch"), (-1.2, 1.0), max_steps=100)
    infos = [it.info for it in traj.iterates[:-1]]
    assert any(i["backtracks"] > 0 for i in infos)  # the full Newton step overshoots somewhere
    for it, info in zip(traj.iterates, infos):
        assert info["armijo"] is True
        assert info["learning_rate"] == pytest.approx(0.5 ** info["backtracks"])
        assert objective.value(*(it.x + it.step)) < it.f  # every step goes down


def test_damped_newton_is_plain_newton_where_h_is_positive_definite():
    objective = objective_from_text("x0**2 - x0*x1/2 + (x1/3)**2")
    proposal = make_rule("damped-newton").propose(objective, objective.at((-3, -3)))
    assert proposal.info["lambda"] == 0
    assert proposal.step == pytest.approx([3, 3])


def test_damped_newton_lambda_makes_h_positive_definite_where_it_is_indefinite():
    objective = objective_from_text("sin(x0)**2 + sin(10 + x1*x0/2) * cos(x0)")
    here = objective.at((3.1, 1.3))  # the write-up's indefinite start (det H < 0)
    proposal = make_rule("damped-newton").propose(objective, here)
    low, _ = linalg2.eigenvalues(here.hessian[0, 0], here.hessian[0, 1], here.hessian[1, 1])
    assert low < 0 and proposal.info["lambda"] > -low
    assert objective.at(here.x + proposal.step).f < here.f  # raw Newton raises f here
    assert objective.at(here.x + make_rule("newton").propose(objective, here).step).f > here.f


def test_optimal_rate_is_one_over_the_curvature_along_the_gradient():
    objective = objective_from_text("x0**2 + x1**2")
    proposal = make_rule("optimal-lr").propose(objective, objective.at((-3, -3)))
    assert proposal.learning_rate == pytest.approx(0.5)  # g.g / g.H.g = 72 / 144
    assert proposal.step == pytest.approx([3, 3]) and proposal.info["fell_back"] is False
    # 1D check of the second write-up on an elongated quadratic: g.H.g is recorded.
    objective = objective_from_text("x**2 + 10*y**2")
    here = objective.at((1, 1))
    proposal = make_rule("optimal-lr").propose(objective, here)
    g, H = here.grad, here.hessian
    assert proposal.info["gHg"] == pytest.approx(g @ H @ g)
    assert proposal.learning_rate == pytest.approx((g @ g) / (g @ H @ g))


def test_optimal_rate_falls_back_where_the_curvature_along_g_is_negative():
    objective = objective_from_text(SADDLE)
    proposal = make_rule("optimal-lr", learning_rate=0.1).propose(objective, objective.at((0, 1)))
    assert proposal.info["fell_back"] is True and proposal.info["gHg"] < 0
    assert proposal.learning_rate == pytest.approx(0.1)
    assert proposal.step == pytest.approx([0, 0.2])


def test_per_step_numbers_reach_the_trace_json():
    objective = objective_from_text(ROSENBROCK)
    traj = run(objective, make_rule("damped-newton"), (-1.2, 1.0), max_steps=3)
    steps = trajectory_to_dict(traj, ROSENBROCK)["steps"]
    assert {"lambda", "raises"} <= set(steps[0]["info"])
    assert isinstance(steps[0]["info"]["lambda"], float)


def test_gd_and_newton_record_no_info_as_before():
    objective = objective_from_text(ROSENBROCK)
    for name in ("gd", "newton"):
        traj = run(objective, make_rule(name), (-1.2, 1.0), max_steps=3)
        assert all(it.info == {} for it in traj.iterates)


def test_saddle_free_stops_with_a_message_where_h_is_singular():
    objective = objective_from_text("x**2 + y")  # H = diag(2, 0): |H| is singular
    proposal = make_rule("saddle-free").propose(objective, objective.at((1, 1)))
    assert proposal.step is None and "singular" in proposal.message
