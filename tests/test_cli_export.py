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


@pytest.mark.parametrize("args, words", [
    (["--function", "x**2 + (3*y", "--start", "1,1"], "error in the function"),
    (["--function", "x**2", "--start", "1,1", "--overlays", "fog"], "unknown overlay"),
    (["--function", "x**2", "--start", "1,1", "--lr", "gd=-1"], "positive rate"),
    (["--session", "missing.hlens.json"], "cannot open"),
])
def test_bad_input_is_an_error_on_stderr_with_exit_code_2(tmp_path, args, words):
    out = tmp_path / "x.png"
    r = export(*args, "--out", str(out))
    assert r.returncode == 2 and words in r.stderr and r.stdout == ""
    assert not out.exists()
