"""Hostile input, third round: runs that stall below the rounding of x, functions of extreme
scale (1e160, 1e-200) whose Hessian products over- or underflow, writes through a symbolic
link, session files as editors save them or as people break them, a logarithm's base that
rounds to one."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from hessianlens.engine import linalg2
from hessianlens.engine.objective import objective_from_text
from hessianlens.engine.rates import rates_at
from hessianlens.engine.rules import make_rule
from hessianlens.engine.trajectory import CONVERGED, MAX_STEPS, run
from hessianlens.files import write_text_atomic

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


@pytest.mark.parametrize("scale", ["1e160", "1e-200"])
@pytest.mark.parametrize("method", ["newton", "saddle-free", "damped-newton"])
def test_newton_on_a_quadratic_of_extreme_scale_takes_its_one_step(scale, method):
    # 1e160: det H = 1.2e321 overflowed, Cramer's rule gave NaN: "singular Hessian at step 0".
    # 1e-200: det H underflowed to 0: the minimum read as "a degenerate stationary point".
    t = run(objective_from_text(f"{scale}*(x**2 + 3*y**2)"), make_rule(method), (1.0, 1.0),
            tol=1e-300)
    assert t.status == CONVERGED and t.end_kind == "minimum" and t.steps_taken == 1
    assert np.allclose(t.points[-1], 0.0, atol=1e-12)


@pytest.mark.parametrize("exponent", [-170, -160, -100, 0, 100, 154, 160, 200])
def test_eigenvalues_and_solve_of_scaled_matrices_match_the_unscaled_ones(exponent):
    s = 10.0 ** exponent
    a, b, c, gx, gy = 4.0, -1.5, 2.25, 3.0, -7.0
    want_low, want_high = np.linalg.eigvalsh([[a, b], [b, c]])
    want_u = np.linalg.solve([[a, b], [b, c]], [gx, gy])
    for wrap in (float, lambda v: np.array([v])):
        low, high = linalg2.eigenvalues(wrap(a * s), wrap(b * s), wrap(c * s))
        assert np.allclose(np.ravel([low, high]), [want_low * s, want_high * s], rtol=1e-13,
                           atol=0)
        assert linalg2.curvature_class(low, high) == linalg2.POSITIVE_DEFINITE
    for wrap in (np.float64, lambda v: np.array([v])):
        u, v = linalg2.solve(*(wrap(w * s) for w in (a, b, c, gx, gy)))
        assert np.allclose(np.ravel([u, v]), want_u, rtol=1e-13, atol=0)


def test_rates_of_a_steep_quadratic_name_its_cauchy_rate_without_overflow_warnings():
    # g.g = 8e420 overflowed: a RuntimeWarning, and "no curvature along -g (g.H.g = inf)"
    # where H = 2e200 I; the Newton step came out "H is singular".
    r = rates_at(objective_from_text("1e200*x**2 + 1e200*y**2"), (1e10, 1e10))
    assert r.cauchy == pytest.approx(5e-201, rel=1e-12)
    assert "Cauchy rate" in r.message and "singular" not in r.message


@pytest.mark.parametrize("scale", ["1e160", "1e-200"])
def test_dogleg_and_the_cauchy_rate_do_not_depend_on_the_scale_of_f(scale):
    # |g| = sqrt(g.g) overflowed (1e160) or underflowed (1e-200): dogleg's step along -g was 0
    # and the run sat at the start; optimal-lr's g.H.g overflowed and it fell back to
    # backtracking.
    t = run(objective_from_text(f"{scale}*(x**2 + 3*y**2)"), make_rule("dogleg"), (1.0, 1.0),
            tol=1e-300)
    assert t.status == CONVERGED and t.end_kind == "minimum"
    plain = run(objective_from_text("x**2 + 3*y**2"), make_rule("optimal-lr"), (1.0, 1.0),
                max_steps=5)
    scaled = run(objective_from_text(f"{scale}*(x**2 + 3*y**2)"), make_rule("optimal-lr"),
                 (1.0, 1.0), max_steps=5, tol=1e-300)
    assert np.allclose(scaled.points, plain.points, rtol=1e-12, atol=0)


def test_the_curvature_overlay_agrees_with_the_run_on_a_tiny_scaled_quadratic():
    from hessianlens.engine.hessian_grid import hessian_grid

    # f = 1e-200 (x^2 + 3 y^2): H = diag(2e-200, 6e-200) everywhere, positive definite; its
    # determinant underflowed to 0 and the whole plane was shaded "singular".
    a, b, c = (np.full((4, 4), v) for v in (2e-200, 0.0, 6e-200))
    g = np.full((4, 4), 2e-200)
    grid = hessian_grid(a, b, c, g, g)
    assert np.all(grid.curvature == linalg2.POSITIVE_DEFINITE)
    assert np.allclose(grid.newton_length, np.hypot(1.0, 1 / 3), rtol=1e-13)


def test_writing_through_a_symbolic_link_replaces_the_file_it_names(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    real = shared / "figure.svg"
    real.write_text("old")
    link = tmp_path / "figure.svg"
    link.symlink_to(real)
    write_text_atomic(link, "<svg/>")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "<svg/>"
    dangling = tmp_path / "later.svg"
    dangling.symlink_to(shared / "later.svg")
    write_text_atomic(dangling, "new")
    assert dangling.is_symlink() and (shared / "later.svg").read_text() == "new"
    assert sorted(p.name for p in shared.iterdir()) == ["figure.svg", "later.svg"]


def session_bytes() -> bytes:
    from hessianlens.engine.fields import Rect
    from hessianlens.model import SessionState, default_methods

    state = SessionState("x**2 + 3*y**2", Rect(-4, 4, -4, 4), (1.0, 1.0), default_methods())
    return json.dumps(state.to_dict()).encode()


def test_a_session_file_saved_by_an_editor_with_a_byte_order_mark_opens(tmp_path):
    # Refused as "not valid JSON (Unexpected UTF-8 BOM); it may be truncated".
    from hessianlens.session_file import SessionFileError, load_session

    path = tmp_path / "notepad.hlens.json"
    path.write_bytes(b"\xef\xbb\xbf" + session_bytes())
    assert load_session(path).function == "x**2 + 3*y**2"
    path.write_bytes(session_bytes().decode().encode("utf-16"))
    with pytest.raises(SessionFileError, match="not text"):
        load_session(path)


@pytest.mark.parametrize("mangle, words", [
    # The last "version" counted: "methods[0] lacks learning_rate", about a version 1 file.
    (lambda t: t.replace('"version": 2', '"version": 2, "version": 1'),
     "names 'version' twice"),
    (lambda t: t + "\n\n garbage", "Extra data: line 3, column 2)"),
    (lambda t: " \n", "(it is empty)"),
    (lambda t: t[: len(t) // 2], "may be truncated"),
])
def test_a_malformed_session_file_says_what_is_wrong_and_where(tmp_path, mangle, words):
    from hessianlens.session_file import SessionFileError, load_session

    path = tmp_path / "bad.hlens.json"
    path.write_text(mangle(session_bytes().decode()))
    with pytest.raises(SessionFileError) as info:
        load_session(path)
    assert words in str(info.value)
    if "garbage" in path.read_text():
        assert "truncated" not in str(info.value)


@pytest.mark.parametrize("tol", [1e-300, 1e6])
def test_a_session_tolerance_the_methods_panel_cannot_show_is_refused(tmp_path, tol):
    # The panel showed 1e-15 (or 1) while the runs used the file's 1e-300 (or 1e6).
    from hessianlens.model import TOL_RANGE
    from hessianlens.session_file import SessionFileError, load_session

    data = json.loads(session_bytes())
    data["methods"][0]["tol"] = tol
    path = tmp_path / "tol.hlens.json"
    path.write_text(json.dumps(data))
    with pytest.raises(SessionFileError, match=r"methods\[0\]\.tol must be from 1e-15 to 1"):
        load_session(path)
    data["methods"][0]["tol"] = TOL_RANGE[0]
    path.write_text(json.dumps(data))
    assert load_session(path).methods[0].tol == TOL_RANGE[0]


def test_a_logarithm_to_a_base_that_rounds_to_one_is_refused_by_the_parser():
    # log(x, tanh(10**300)) = log(x) / log(b) with log(b) underflowing to 0: accepted by the
    # parser (a session file's check), and sympy's printer then raised ZeroDivisionError.
    from hessianlens.engine.expression import ExpressionError, parse_expression

    with pytest.raises(ExpressionError, match="too large"):
        parse_expression("(x)+(log(x, np.tanh(10**300)))")
    assert str(parse_expression("x/log(2) + sin(1)*y + log(x, 3)").expr)


@pytest.mark.parametrize("command", [
    ["basins", "--function", "x**2 + y**2", "--method", "newton", "--grid", "8"],
    ["export", "--function", "x**2 + y**2", "--start", "1,1", "--grid", "16", "--size",
     "64x64"],
])
def test_an_out_that_names_a_folder_is_refused_before_any_work(tmp_path, command):
    # 'a.png/' was written as a.png; an existing folder named d.png failed only after the
    # whole map or picture was computed, with "Is a directory".
    (tmp_path / "d.png").mkdir()
    for out, words in (("a.png/", "that is a folder"), ("d.png", "that is a folder"),
                       ("nope/a.png", "no such folder nope")):
        proc = subprocess.run([sys.executable, "-m", "hessianlens", *command, "--out", out],
                              capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert proc.returncode == 2 and words in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.png"]
