"""Newton's relatives as step rules: BFGS, SR1, trust region, dogleg, heavy ball, Nesterov, Adam
and RMSProp, checked against their textbook properties and against Newton and gradient descent."""

import numpy as np
import pytest

from basins_checks import assert_basins_agree_with_trajectories
from hessianlens.engine import linalg2
from hessianlens.engine.fields import Rect, grid_axes
from hessianlens.engine.objective import objective_from_text
from hessianlens.engine.rules import make_rule
from hessianlens.engine.rules.base import Batch
from hessianlens.engine.serialize import trajectory_to_dict
from hessianlens.engine.trajectory import CONVERGED, MAX_STEPS, run

EXAMPLE3 = "sin(x0)**2 + sin(10 + x1*x0/2) * cos(x0)"
ROSENBROCK = "(1 - x)**2 + 100*(y - x**2)**2"
SQUISHED = "x0**2 - x0*x1/2 + (x1/3)**2"  # the write-up's Example 2, a convex quadratic
RELATIVES = ("bfgs", "sr1", "trust-region", "dogleg", "momentum", "nesterov", "adam", "rmsprop")


def secant_residuals(traj):
    """|B_{k+1} s_k - y_k| / |y_k| at every update the trace records."""
    out = []
    its = traj.iterates
    for before, after in zip(its, its[1:]):
        if not after.info.get("updates", 0) > before.info.get("updates", 0):
            continue  # skipped, or the first step
        B = after.extra["hessian_estimate"]
        s, y = before.step, after.grad - before.grad
        out.append(np.linalg.norm(B @ s - y) / np.linalg.norm(y))
    return np.array(out)


@pytest.mark.parametrize("function, start", [(ROSENBROCK, (-1.2, 1.0)), (EXAMPLE3, (3.1, 1.3)),
                                             ("(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
                                              (-0.5, 0.5))])
def test_bfgs_estimate_satisfies_the_secant_equation_at_every_update(function, start):
    traj = run(objective_from_text(function), make_rule("bfgs"), start, max_steps=100)
    residuals = secant_residuals(traj)
    assert residuals.size >= 5
    assert residuals.max() < 1e-10


def test_bfgs_reaches_rosenbrocks_minimum_from_the_classic_start():
    traj = run(objective_from_text(ROSENBROCK), make_rule("bfgs"), (-1.2, 1.0))
    assert traj.status == CONVERGED and traj.end_kind == "minimum"
    np.testing.assert_allclose(traj.points[-1], [1, 1], atol=1e-6)
    # Every step met the strong Wolfe conditions and updated B (y.s > 0 follows from them).
    assert all(it.info["wolfe"] for it in traj.iterates[:-1])
    assert not any(it.info["skipped"] for it in traj.iterates[:-1])
    # Superlinear, not quadratic: more steps than Newton, far fewer than gradient descent.
    newton = run(objective_from_text(ROSENBROCK), make_rule("newton"), (-1.2, 1.0))
    assert newton.steps_taken < traj.steps_taken < 60


@pytest.mark.parametrize("function", [SQUISHED, "3*x**2 + 2*x*y + y**2 - 4*x + y"])
def test_bfgs_with_exact_line_search_ends_in_two_steps_on_a_quadratic_with_b_equal_to_h(function):
    objective = objective_from_text(function)
    rule = make_rule("bfgs", line_search="exact")
    traj = run(objective, rule, (-3.0, -3.0))
    assert traj.status == CONVERGED and traj.steps_taken <= 2
    # One more call at the second iterate makes (and records) B_2 from the pair (s_1, y_1).
    longer = run(objective, rule, (-3.0, -3.0), max_steps=3, tol=0.0)
    B2 = longer.iterates[2].extra["hessian_estimate"]
    H = longer.iterates[2].hessian
    np.testing.assert_allclose(B2, H, rtol=1e-8, atol=1e-8 * np.abs(H).max())


def test_bfgs_skips_an_update_without_positive_curvature_and_says_so():
    objective = objective_from_text("x**2 + y**2")
    rule = make_rule("bfgs")
    here = objective.at((1.0, 1.0))
    b = Batch.from_point(here)
    state = rule.init_state(objective, b)
    # As if the last step went from (2, 2) to (1, 1) while the gradient grew: y.s < 0.
    state = {**state, "started": np.array([True]), "s": np.array([[-1.0, -1.0]]),
             "g": np.array([[1.0, 1.0]])}
    steps, after = rule.steps(objective, b, state)
    assert steps.info["skipped"][0] and after["updates"][0] == 0
    np.testing.assert_array_equal(steps.extra["hessian_estimate"][0], np.eye(2))
    assert rule.notes(after) == ("1 BFGS update skipped (y.s <= 0: negative curvature along "
                                 "the step)")


def test_bfgs_trace_records_the_estimate_it_used_at_every_step():
    traj = run(objective_from_text(EXAMPLE3), make_rule("bfgs"), (3.1, 1.3))
    d = trajectory_to_dict(traj, EXAMPLE3)
    first, second = d["steps"][0], d["steps"][1]
    assert first["hessian_estimate"] == [[1.0, 0.0], [0.0, 1.0]]  # B0 = I
    assert np.array(second["hessian_estimate"]).shape == (2, 2)
    assert {"learning_rate", "skipped", "updates", "wolfe"} <= set(second["info"])
    assert "hessian_estimate" not in d["steps"][-1]  # no step from the last iterate


def test_sr1_estimate_can_be_indefinite_and_meets_the_secant_equation():
    objective = objective_from_text(EXAMPLE3)
    traj = run(objective, make_rule("sr1"), (3.1, 1.3))
    assert traj.status == CONVERGED and traj.end_kind == "minimum"
    residuals = secant_residuals(traj)
    assert residuals.size >= 3 and residuals.max() < 1e-10
    assert all(np.linalg.norm(it.step) <= it.info["radius"] * (1 + 1e-12)
               for it in traj.iterates[:-1])
    # On the saddle-shaped monkey saddle x^3 - 3 x y^2 the estimate follows an indefinite H.
    monkey = run(objective_from_text("x**3 - 3*x*y**2"), make_rule("sr1"), (1.0, 0.5),
                 max_steps=6)
    lows = [np.linalg.eigvalsh(it.extra["hessian_estimate"])[0] for it in monkey.iterates[1:-1]]
    assert min(lows) < 0


def grid_batch(objective, rect, n):
    xs, ys = grid_axes(rect, n, n)
    X, Y = np.meshgrid(xs, ys)
    x, y = X.ravel(), Y.ravel()
    return Batch(x, y, *objective.derivatives(x, y))


@pytest.mark.parametrize("name", ["trust-region", "dogleg", "sr1"])
@pytest.mark.parametrize("radius", [0.05, 1.0, 5.0])
def test_a_trust_region_step_is_never_longer_than_its_radius(name, radius):
    objective = objective_from_text(EXAMPLE3)
    rule = make_rule(name, radius=radius)
    b = grid_batch(objective, Rect(-4, 4, -4, 4), 48)
    state = rule.init_state(objective, b)
    for _ in range(8):
        s, state = rule.steps(objective, b, state)
        length = np.hypot(s.dx, s.dy)
        assert np.all(length <= s.info["radius"] * (1 + 1e-12))
        assert np.all(state["radius"] <= rule.max_radius)
        ok = s.ok
        x, y = b.x[ok] + s.dx[ok], b.y[ok] + s.dy[ok]
        b = Batch(x, y, *objective.derivatives(x, y))
        state = {k: v[ok] for k, v in state.items()}
    # Every accepted step decreased f (rho > eta > 0).
    traj = run(objective, rule, (3.1, 1.3))
    assert not any("uphill" in it.flags for it in traj.iterates)


@pytest.mark.parametrize("function, start, minima", [
    (EXAMPLE3, (3.1, 1.3), [(np.pi, 2.6338)]),
    ("x**2 - y**2 + y**4/4", (0.5, 0.1), [(0, np.sqrt(2)), (0, -np.sqrt(2))]),
])
def test_trust_region_goes_to_a_minimum_where_newton_reaches_the_saddle(function, start,
                                                                         minima):
    objective = objective_from_text(function)
    newton = run(objective, make_rule("newton"), start)
    assert newton.status == CONVERGED and newton.end_kind == "saddle"
    for name in ("trust-region", "dogleg", "sr1"):
        traj = run(objective, make_rule(name), start)
        assert traj.status == CONVERGED and traj.end_kind == "minimum", name
        assert min(np.hypot(*(traj.points[-1] - m)) for m in minima) < 1e-4
    # At the saddle-shaped start the trust-region step is H + lambda I's, lambda > -lambda_min.
    first = run(objective, make_rule("trust-region"), start, max_steps=1).iterates[0]
    if first.eigenvalues[0] < 0:
        assert first.info["lambda"] > -first.eigenvalues[0]


def quadratic(kappa=100.0, angle=0.4):
    """0.5 x^T A x with eigenvalues 1 and kappa along axes turned by angle."""
    c, s = np.cos(angle), np.sin(angle)
    Q = np.array([[c, -s], [s, c]])
    A = Q @ np.diag([1.0, kappa]) @ Q.T
    a, b, c = (float(v) for v in (A[0, 0], A[0, 1], A[1, 1]))
    return (f"0.5*({a!r}*x**2 + 2*({b!r})*x*y + {c!r}*y**2)",
            np.linalg.eigvalsh(A))


def test_heavy_ball_tuned_from_h_needs_five_times_fewer_steps_than_the_best_fixed_rate_gd():
    text, (low, high) = quadratic(100.0)
    objective = objective_from_text(text)
    gd = run(objective, make_rule("gd", learning_rate=2 / (low + high)), (1.0, 1.0),
             max_steps=20_000)
    ball = run(objective, make_rule("momentum", tune="hessian"), (1.0, 1.0), max_steps=20_000)
    nesterov = run(objective, make_rule("nesterov", tune="hessian"), (1.0, 1.0),
                   max_steps=20_000)
    assert gd.status == ball.status == nesterov.status == CONVERGED
    assert 5 * ball.steps_taken <= gd.steps_taken
    assert nesterov.steps_taken < gd.steps_taken / 3
    first = ball.iterates[0]
    assert first.info["tuned"]
    assert first.learning_rate == pytest.approx(4 / (np.sqrt(high) + np.sqrt(low)) ** 2)
    assert first.info["beta"] == pytest.approx(
        ((np.sqrt(high) - np.sqrt(low)) / (np.sqrt(high) + np.sqrt(low))) ** 2)
    assert "Polyak" in make_rule("momentum", tune="hessian").relation(first)


def test_tuning_from_an_indefinite_h_is_refused_with_a_message():
    objective = objective_from_text(EXAMPLE3)
    for name, who in (("momentum", "Polyak"), ("nesterov", "Nesterov")):
        rule = make_rule(name, tune="hessian", learning_rate=0.1, beta=0.5)
        traj = run(objective, rule, (3.1, 1.3))  # H indefinite there
        assert not traj.iterates[0].info["tuned"]
        assert traj.iterates[0].learning_rate == 0.1 and traj.iterates[0].info["beta"] == 0.5
        assert (f"tune=hessian: H at the start is not positive definite (eigenvalues -1.618, "
                f"1.563), so {who}'s rates do not exist: lr 0.1 and beta 0.5 are used as set"
                in traj.message)
    untuned = run(objective, make_rule("momentum"), (3.1, 1.3))
    assert "tune" not in untuned.message


def test_adam_and_rmsprop_record_their_per_coordinate_step_sizes():
    objective = objective_from_text(EXAMPLE3)
    for name in ("adam", "rmsprop"):
        traj = run(objective, make_rule(name), (3.1, 1.3), max_steps=5)
        for it, nxt in zip(traj.iterates, traj.iterates[1:]):
            rates = np.array([it.info["rate_x"], it.info["rate_y"]])
            assert np.all(rates > 0)
            if name == "rmsprop":  # the step is exactly -rates * g
                np.testing.assert_allclose(it.step, -rates * it.grad, rtol=1e-12)
            B = make_rule(name).believed_hessian(it)
            np.testing.assert_allclose(B, np.diag(1 / rates))
        assert "not by curvature" in make_rule(name).relation(traj.iterates[1])


def test_the_defaults_reach_example_3s_minimum_and_the_relatives_differ_from_newton():
    objective = objective_from_text(EXAMPLE3)
    ends = {name: run(objective, make_rule(name), (3.1, 1.3)) for name in RELATIVES}
    for name in ("bfgs", "sr1", "trust-region", "dogleg", "momentum", "nesterov"):
        assert ends[name].status == CONVERGED and ends[name].end_kind == "minimum", name
        np.testing.assert_allclose(ends[name].points[-1], [np.pi, 2.6338], atol=1e-3)
    # Adam and RMSProp approach the minimum but, at a fixed rate, do not settle within 100
    # steps to |grad f| < 1e-6 (RMSProp hovers about lr away from it).
    for name in ("adam", "rmsprop"):
        assert ends[name].status == MAX_STEPS
        assert np.hypot(*(ends[name].points[-1] - [np.pi, 2.6338])) < 0.05


@pytest.mark.parametrize("name, params", [
    ("bfgs", {"line_search": "exact"}), ("sr1", {"radius": 0.3}),
    ("trust-region", {"radius": 0.2, "max_radius": 1.0}), ("dogleg", {"radius": 3.0}),
    ("momentum", {"tune": "hessian"}), ("nesterov", {"tune": "hessian", "beta": 0.8}),
    ("adam", {"beta1": 0.5, "learning_rate": 0.3}), ("rmsprop", {"rho": 0.5}),
])
def test_basins_agree_start_by_start_with_trajectories_for_changed_parameters(name, params):
    objective = objective_from_text(EXAMPLE3)
    rule = make_rule(name, **params)
    assert_basins_agree_with_trajectories(objective, rule, n=24, samples=20, seed=11)


def test_relations_say_how_each_relative_uses_curvature():
    objective = objective_from_text(EXAMPLE3)
    words = {}
    for name in RELATIVES:
        traj = run(objective, make_rule(name), (3.1, 1.3), max_steps=3)
        words[name] = make_rule(name).relation(traj.iterates[1])
    assert words["bfgs"].startswith("BFGS builds H from gradient differences: after 1 update "
                                    "its estimate is ")
    assert "of the true H" in words["bfgs"]
    assert words["trust-region"].startswith("trust region = Newton restricted to a radius")
    assert "radius" in words["dogleg"] and "rho" in words["dogleg"]
    assert words["momentum"].startswith("heavy ball uses no curvature")
    assert words["adam"].startswith("Adam rescales by gradient magnitudes, not by curvature")
    assert "1/|lambda|" in words["rmsprop"]
    assert make_rule("newton").relation(traj.iterates[0]) == ""
    # The trust region at the indefinite start: H shifted, and downhill anyway.
    first = run(objective, make_rule("trust-region"), (3.1, 1.3), max_steps=1).iterates[0]
    assert "H + " in make_rule("trust-region").relation(first)
    assert "goes downhill although H is indefinite" in make_rule("trust-region").relation(first)
    low, _ = linalg2.eigenvalues(*first.hessian[0], first.hessian[1, 1])
    assert low < 0


@pytest.mark.parametrize("name", ["sr1", "trust-region", "dogleg", "bfgs"])
def test_a_run_kept_going_at_the_minimum_stays_there(name):
    # tol 0: every step after convergence is at f's rounding floor, where rho is noise; a
    # trust-region step must not leave the minimum on it (SR1's B turns indefinite there).
    objective = objective_from_text(EXAMPLE3)
    traj = run(objective, make_rule(name), (3.1, 1.3), max_steps=100, tol=0.0)
    # Or it stops as stalled: x and the rule's memory no longer change, so it never would.
    assert (traj.status, traj.steps_taken) == (MAX_STEPS, 100) or traj.status == "stalled"
    after = traj.points[10:]
    assert np.max(np.hypot(after[:, 0] - np.pi, after[:, 1] - 2.6338)) < 1e-3


def test_the_relatives_parameters_survive_a_session_file_round_trip():
    import json

    from hessianlens.model import SessionState, default_methods, state_from_dict

    changed = {"bfgs": {"line_search": "exact"}, "sr1": {"radius": 0.25},
               "trust-region": {"max_radius": 3.0}, "dogleg": {"radius": 2.0},
               "momentum": {"tune": "hessian", "beta": 0.8},
               "nesterov": {"learning_rate": 0.02}, "adam": {"beta2": 0.99},
               "rmsprop": {"rho": 0.5}}
    methods = tuple(m.changed(**changed.get(m.name, {})) for m in default_methods())
    state = SessionState(EXAMPLE3, Rect(0.5, 5.5, -1, 4.5), (3.1, 1.3), methods)
    again = state_from_dict(json.loads(json.dumps(state.to_dict())))
    assert again == state
    assert again.method("momentum").params == {"learning_rate": 0.1, "beta": 0.8,
                                               "tune": "hessian"}
    bad = state.to_dict()
    bad["methods"][10]["params"]["tune"] = "polyak"
    with pytest.raises(ValueError, match="tune must be one of: 'none', 'hessian'"):
        state_from_dict(bad)
