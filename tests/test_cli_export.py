"""``hessianlens export`` through a subprocess: PNG, SVG, GIF, a session file, bad input."""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from hessianlens.engine.fields import Rect
from hessianlens.model import SessionState, default_methods
from hessianlens.session_file import save_session

FUNCTION = "x0**2 + x1**2"  # the write-up's paraboloid: Newton lands in one step


def export(*args, timeout=120):
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}  # the command sets it
    return subprocess.run([sys.executable, "-m", "hessianlens", "export", *args],
                          capture_output=True, text=True, timeout=timeout, env=env)


def common(out):
    return ["--function", FUNCTION, "--start", "-3,-3", "--grid", "40", "--steps", "6",
            "--lr", "gd=0.2", "--size", "300x200", "--out", str(out)]


def test_png_has_the_requested_size_and_the_method_colours(tmp_path):
    out = tmp_path / "plane.png"
    r = export(*common(out), "--overlays", "determinant,newton-field")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    with Image.open(out) as im:
        assert im.size == (300, 200)
        colours = {c for _, c in im.convert("RGB").getcolors(300 * 200)}

    def near(rgb):
        return any(max(abs(a - b) for a, b in zip(c, rgb)) < 30 for c in colours)

    assert near((0x1f, 0x77, 0xb4)) and near((0xd6, 0x27, 0x28))


def test_svg_and_gif(tmp_path):
    svg = tmp_path / "plane.svg"
    assert export(*common(svg), "--light").returncode == 0
    root = ET.parse(svg).getroot()
    assert any(g.get("stroke") == "#1f77b4" for g in root.iter())
    gif = tmp_path / "run.gif"
    r = export(*common(gif), "--methods", "gd,newton-linesearch")
    assert r.returncode == 0, r.stderr
    with Image.open(gif) as im:
        assert im.n_frames == 7  # steps 0..6 of gradient descent


def test_a_saved_session_renders(tmp_path):
    session = tmp_path / "s.hlens.json"
    save_session(session, SessionState("x**2 + 3*y**2", Rect(-2, 2, -2, 2), (1.0, 1.0),
                                       default_methods(), ("curvature",), 1, "gd"))
    out = tmp_path / "s.png"
    r = export("--session", str(session), "--grid", "32", "--size", "240x160", "--out", str(out))
    assert r.returncode == 0, r.stderr
    with Image.open(out) as im:
        assert im.size == (240, 160)


def test_the_first_method_named_is_the_selected_one(tmp_path):
    base = ("--function", "x**2 + 3*y**2", "--start", "1,1", "--overlays", "beliefs")
    assert export_state(*base, "--methods", "adam,newton").selected_method == "adam"
    assert export_state(*base, "--methods", "newton,adam").selected_method == "newton"
    assert export_state(*base).selected_method == "gd"  # the defaults, gd first
    path = tmp_path / "s.hlens.json"
    save_session(path, SessionState("x**2", Rect(-2, 2, -2, 2), (1.0, 1.0), default_methods(),
                                    selected_method="newton"))
    assert export_state("--session", str(path)).selected_method == "newton"
    assert export_state("--session", str(path), "--methods", "bfgs,newton"
                        ).selected_method == "bfgs"


@pytest.mark.parametrize("args, words", [
    (["--function", "x**2 + (3*y", "--start", "1,1"], "error in the function"),
    (["--function", "x**2", "--start", "1,1", "--overlays", "fog"], "unknown overlay"),
    (["--function", "x**2", "--start", "1,1", "--lr", "gd=-1"], "positive rate"),
    (["--function", "x**2", "--start", "1,1", "--lr", "bfgs=0.5", "--methods", "bfgs"],
     "--lr bfgs=0.5: method 'bfgs' has no learning rate; its parameters: line_search"),
    (["--session", "missing.hlens.json"], "cannot open"),
])
def test_bad_input_is_an_error_on_stderr_with_exit_code_2(tmp_path, args, words):
    out = tmp_path / "x.png"
    r = export(*args, "--out", str(out))
    assert r.returncode == 2 and words in r.stderr and r.stdout == ""
    assert not out.exists()


def export_state(*args):
    """The state `hessianlens export` would draw for these options (no picture made)."""
    from hessianlens.cli import build_parser
    from hessianlens.export_cli import build_state

    return build_state(build_parser().parse_args(["export", "--out", "x.png", *args]))


def test_export_params_per_method_or_for_every_drawn_method():
    base = ("--function", "x**2", "--start", "1,1")
    state = export_state(*base, "--param", "newton.learning_rate=0.5", "--lr", "gd=0.2")
    assert state.method("newton").params == {"learning_rate": 0.5}
    assert state.method("gd").learning_rate == 0.2
    state = export_state(*base, "--methods", "gd,damped-newton", "--param", "learning_rate=0.3")
    assert state.method("gd").learning_rate == state.method("damped-newton").learning_rate == 0.3
    assert state.method("newton").learning_rate == 1.0  # not drawn: left alone


@pytest.mark.parametrize("args, words", [
    (["--param", "newton.beta=1"], "method 'newton' has no parameter 'beta'; its parameters: "
                                   "learning_rate"),
    (["--param", "beta=1"], "none of the drawn methods (gd, newton) has a parameter 'beta'"),
    (["--param", "adagrad.learning_rate=1"], "unknown method 'adagrad'; choose from gd, newton"),
    (["--param", "gd.learning_rate=0"], "learning_rate must be a number from 1e-06 to 1000"),
])
def test_export_param_errors_name_the_valid_ones(args, words):
    from hessianlens.cli_args import CliError

    with pytest.raises(CliError) as info:
        export_state("--function", "x**2", "--start", "1,1", *args)
    assert words in str(info.value)


def test_the_basins_overlay_exports_with_the_sessions_settings(tmp_path):
    from dataclasses import replace

    import numpy as np

    state = SessionState("x**2 - y**2", Rect(-2, 2, -2, 2), (1.0, 0.5), default_methods(),
                         ("basins",), overlay_settings={"basins": {"grid": 32, "compare": ""}})
    pictures = []
    for name, s in (("with", state), ("without", replace(state, overlays=()))):
        session, out = tmp_path / f"{name}.hlens.json", tmp_path / f"{name}.png"
        save_session(session, s)
        r = export("--session", str(session), "--grid", "32", "--size", "240x160",
                   "--out", str(out))
        assert r.returncode == 0 and r.stderr == "", r.stderr
        with Image.open(out) as im:
            pictures.append(np.asarray(im.convert("RGB"), dtype=int))
    # The basin colours (Newton: the saddle from everywhere) lie over most of the plane.
    changed = np.any(np.abs(pictures[0] - pictures[1]) > 20, axis=2)
    assert changed.mean() > 0.5
