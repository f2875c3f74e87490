"""Basins of attraction: every start of a grid at once, classified by where it ends."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from basins_checks import assert_basins_agree_with_trajectories
from hessianlens.engine.basins import (
    CANCELLED, COMPLETE, DIVERGED, MAXIMUM, MINIMUM, NOT_CONVERGED, SADDLE, basin_image,
    compute_basins, outcome_colours, stationary_kind)
from hessianlens.engine.fields import Rect
from hessianlens.engine.objective import objective_from_text
from hessianlens.engine.rules import RULES, make_rule

EXAMPLE3 = "sin(x0)**2 + sin(10 + x1*x0/2) * cos(x0)"
HIMMELBLAU = "(x**2 + y - 11)**2 + (x + y**2 - 7)**2"
HIMMELBLAU_MINIMA = [(3.0, 2.0), (-2.805118, 3.131313), (-3.779310, -3.283186),
                     (3.584428, -1.848126)]
SQUARE = Rect(-2, 2, -2, 2)  # an even grid over it has no start exactly on an axis


def basins(text, method, rect=SQUARE, n=64, lr=None, **kw):
    return compute_basins(objective_from_text(text), make_rule(method, **({} if lr is None else {"learning_rate": lr})), rect, n, **kw)


def test_newton_on_a_paraboloid_reaches_the_minimum_in_one_step_from_everywhere():
    bm = basins("x**2 + y**2", "newton")
    assert bm.status == COMPLETE and bm.labels.shape == (64, 64)
    (only,) = bm.outcomes
    assert only.kind == MINIMUM and only.point == pytest.approx((0, 0), abs=1e-12)
    assert only.fraction == 1 and only.mean_steps == 1
    assert np.all(bm.steps == 1) and np.all(bm.labels == 0)


def test_raw_newton_sends_every_start_to_the_saddle_and_saddle_free_none():
    newton = basins("x**2 - y**2", "newton")
    (only,) = newton.outcomes
    assert only.kind == SADDLE and only.fraction == 1
    assert only.point == pytest.approx((0, 0), abs=1e-12)

    free = basins("x**2 - y**2", "saddle-free", max_steps=50)
    assert free.outcomes and all(o.kind in (DIVERGED, NOT_CONVERGED) for o in free.outcomes)
    assert sum(o.fraction for o in free.outcomes) == pytest.approx(1)


def test_gradient_descent_on_himmelblau_finds_exactly_its_four_minima():
    bm = basins(HIMMELBLAU, "gd", Rect(-5, 5, -5, 5), n=128, lr=0.01, max_steps=500)
    minima = [o for o in bm.outcomes if o.kind == MINIMUM]
    assert len(minima) == 4
    found = sorted(minima, key=lambda o: o.point)
    for o, expected in zip(found, sorted(HIMMELBLAU_MINIMA)):
        assert o.point == pytest.approx(expected, abs=1e-4)
        assert o.value == pytest.approx(0, abs=1e-9)
    # The four basins cover the grid except for a thin boundary between them.
    assert sum(o.fraction for o in minima) >= 0.98
    assert all(o.fraction > 0.2 for o in minima)
    assert not any(o.kind in (SADDLE, MAXIMUM) and o.fraction > 0.01 for o in bm.outcomes)


@pytest.mark.parametrize("name", sorted(RULES))
def test_vectorized_basins_agree_with_the_single_trajectory_runner(name):
    objective = objective_from_text(EXAMPLE3)
    rule = make_rule(name, **({"learning_rate": 0.5} if name == "gd" else {}))
    assert_basins_agree_with_trajectories(objective, rule, n=40, samples=25, seed=7)


def test_outcomes_partition_the_grid():
    bm = basins(EXAMPLE3, "newton", Rect(-4, 4, -4, 4), n=48)
    assert sum(o.count for o in bm.outcomes) == 48 * 48
    assert sum(o.fraction for o in bm.outcomes) == pytest.approx(1)
    for o in bm.outcomes:
        assert np.count_nonzero(bm.labels == o.label) == o.count
        assert np.mean(bm.steps[bm.labels == o.label]) == pytest.approx(o.mean_steps)


def test_outcome_at_names_where_a_start_goes():
    bm = basins("x**2 - y**2", "newton")
    outcome, steps = bm.outcome_at(1.0, -0.5)
    assert outcome.kind == SADDLE and steps == 1
    assert bm.outcome_at(5.0, 0.0) is None


def test_kind_of_degenerate_stationary_points_comes_from_the_neighbourhood():
    assert list(stationary_kind(objective_from_text("x**4 + y**4"), 0, 0, 0.01)) == [MINIMUM]
    assert list(stationary_kind(objective_from_text("-x**4 - y**2"), 0, 0, 0.01)) == [MAXIMUM]
    assert list(stationary_kind(objective_from_text("x**3 - 3*x*y**2"), 0, 0, 0.01)) == [SADDLE]


def test_progress_is_reported_per_step_and_cancel_stops_the_run():
    seen = []
    bm = basins("x**2 + 3*y**2", "gd", lr=0.1, max_steps=20, tol=0.0,
                progress=lambda done, total: seen.append((done, total)))
    assert seen == [(k, 20) for k in range(1, 21)] and bm.status == COMPLETE

    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 3

    bm = basins("x**2 + 3*y**2", "gd", lr=0.1, max_steps=20, cancel=cancel)
    assert bm.status == CANCELLED and bm.outcomes == () and np.all(bm.labels == -1)
    assert len(calls) == 4 and "cancelled" in bm.message


def test_the_image_uses_one_colour_per_outcome():
    bm = basins("x**2 - y**2", "saddle-free", n=300, max_steps=10)
    rgb = basin_image(bm, shade=False)
    palette = outcome_colours(bm.outcomes)
    assert {tuple(c) for c in rgb.reshape(-1, 3)} <= {tuple(c) for c in palette}


def hl(*args):
    return subprocess.run([sys.executable, "-m", "hessianlens", "basins", *args],
                          capture_output=True, text=True, timeout=120)


def test_cli_lists_the_outcomes_as_json_and_writes_a_png(tmp_path):
    out = tmp_path / "b.png"
    done = hl("--function", "x**2 - y**2", "--method", "newton", "--range", "-2,2,-1,1",
              "--grid", "32", "--steps", "10", "--format", "json", "--out", str(out))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["method"] == "newton" and data["grid"] == [32, 32]
    assert data["range"] == [-2, 2, -1, 1]
    assert data["outcomes"] == [{"kind": "saddle", "point": [0.0, 0.0], "value": 0.0,
                                 "count": 1024, "fraction": 1.0, "mean_steps": 1.0}]
    with Image.open(out) as im:
        assert im.width > 512  # the map inside axes, with its key beside it


def test_cli_errors_go_to_stderr_with_exit_code_2(tmp_path):
    done = hl("--function", "x**2 +", "--method", "newton")
    assert done.returncode == 2 and "error in the function" in done.stderr and not done.stdout
    done = hl("--function", "x", "--method", "newton", "--range", "1,0,0,1")
    assert done.returncode == 2 and "rectangle" in done.stderr
    done = hl("--function", "x", "--method", "newton", "--grid", "8",
              "--out", str(tmp_path / "missing" / "b.png"))
    assert done.returncode == 2 and "cannot write" in done.stderr


def test_cli_refuses_an_out_that_is_not_png(tmp_path):
    """The figure is a PNG: a .svg or .jpg name is refused before any work, no file left."""
    for name in ("b.svg", "b.jpg", "b"):
        done = hl("--function", "x**2", "--method", "newton", "--grid", "8",
                  "--out", str(tmp_path / name))
        assert done.returncode == 2 and ".png" in done.stderr and not done.stdout, done.stderr
    assert os.listdir(tmp_path) == []
    done = hl("--function", "x**2", "--method", "newton", "--grid", "8",
              "--out", str(tmp_path / "B.PNG"))
    assert done.returncode == 0, done.stderr
