"""Hostile input, third round: runs that stall below the rounding of x, functions of extreme
scale (1e160, 1e-200) whose Hessian products over- or underflow, writes through a symbolic
link, session files as editors save them or as people break them, a logarithm's base that
rounds to one."""

import json
import subprocess
import sys

import numpy as np

from hessianlens.engine.objective import objective_from_text
from hessianlens.engine.rules import make_rule
from hessianlens.engine.trajectory import MAX_STEPS, run


# f at a minimum near (1.54, pi) with f about -976: its gradient cannot get below about 1e-13
# (the rounding of f's derivatives there), so a tolerance of 1e-15 is never met.
ROUNDING_FLOOR = "1000*(sin(x)*cos(y) + x**2/100)"


def test_bfgs_below_the_rounding_of_grad_f_stops_as_stalled_not_at_its_step_limit():
    # It spun to its step limit at the same x with a 24-evaluation line search per step:
    # 3 ms a step, 5 minutes for the 100,000 steps the Methods panel allows.
    t = run(objective_from_text(ROUNDING_FLOOR), make_rule("bfgs"), (1.0, 1.0),
            max_steps=2000, tol=1e-15)
    assert t.status == "stalled" and t.steps_taken < 50
    assert "no longer changes" in t.message and "still above 1e-15" in t.message
    assert np.array_equal(t.iterates[-1].x, t.iterates[-2].x + t.iterates[-2].step)


def test_a_rule_without_memory_stalls_at_its_first_step_that_does_not_move_x():
    # The step 0.1 * 2e-30 is below the spacing of floats at x = 1: x + p == x, forever.
    t = run(objective_from_text("1e-30*(x**2 + y**2)"), make_rule("gd", learning_rate=0.1),
            (1.0, 1.0), max_steps=500, tol=1e-40)
    assert t.status == "stalled" and t.steps_taken == 0
    assert tuple(t.points[-1]) == (1.0, 1.0)
    assert "below the spacing of floating-point numbers" in t.message


def test_heavy_ball_whose_velocity_still_grows_is_not_stopped_while_x_stands_still():
    # The first steps (1e-17) do not move x = 1, but the velocity grows toward 1e-14 and then
    # does: the state changed, so the run is not stalled.
    t = run(objective_from_text("1e-17*x**2/2 + y**2"),
            make_rule("momentum", learning_rate=1.0, beta=0.999), (1.0, 0.0),
            max_steps=3000, tol=1e-30)
    assert tuple(t.points[1]) == (1.0, 0.0)
    assert t.status == MAX_STEPS and t.points[-1][0] < 1.0


def test_trace_with_the_largest_step_limit_and_a_tolerance_below_rounding_ends_quickly():
    proc = subprocess.run([sys.executable, "-m", "hessianlens", "trace", "--function",
                           ROUNDING_FLOOR, "--start", "1,1", "--method", "bfgs", "--steps",
                           "100000", "--tol", "1e-15"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    out = json.loads(proc.stdout)
    assert out["status"] == "stalled" and len(out["steps"]) < 50
