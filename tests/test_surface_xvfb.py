"""The Surface (3D) tab with real OpenGL: Xvfb (with GLX, Mesa) is started here and the GL
tests, the command line's surface export and the surface benchmark run in subprocesses on it.
Skipped, with the reason, where Xvfb or an OpenGL context is not available."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from xvfb import Xvfb

TESTS = Path(__file__).resolve().parent
EXAMPLE3 = "sin(x0)**2 + sin(10 + x1*x0/2)*cos(x0)"


@pytest.fixture(scope="module")
def xvfb():
    server = Xvfb()
    if server.display is None:
        pytest.skip(server.why_not)
    try:
        reason = server.gl_reason()
        if reason:
            pytest.skip(f"no OpenGL context on Xvfb: {reason}")
        yield server
    finally:
        server.stop()


def run(args, env, timeout=600):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env)


def test_the_gl_window_tests_pass_under_xvfb(xvfb, tmp_path):
    out = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs",
               str(TESTS / "test_ui_surface_gl.py")],
              xvfb.env(HESSIANLENS_GL_TESTS="1", HOME=str(tmp_path)))
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-3000:]
    summary = out.stdout.strip().splitlines()[-1]
    assert "passed" in summary and "skipped" not in summary and "failed" not in summary, summary


def export(env, *args):
    return run([sys.executable, "-m", "hessianlens", "export", "--view", "surface", *args], env,
               timeout=180)


def test_export_surface_writes_the_png_at_the_requested_size(xvfb, tmp_path):
    out = tmp_path / "surface.png"
    env = xvfb.env()
    env.pop("QT_QPA_PLATFORM")  # the command chooses: the display, offscreen as a fallback
    r = export(env, "--function", EXAMPLE3, "--start", "3.1,1.3", "--range", "0.5,5.5,-1,4.5",
               "--grid", "96", "--size", "500x400", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(out)
    with Image.open(out) as im:
        assert im.size == (500, 400)
        colours = {c for _, c in im.convert("RGB").getcolors(500 * 400)}
    assert any(max(abs(a - b) for a, b in zip(c, (0xd6, 0x27, 0x28))) < 40 for c in colours)
    assert [p.name for p in tmp_path.iterdir()] == ["surface.png"]  # no temporary left
    bad = export(env, "--function", "x**2", "--start", "1,1", "--out", str(tmp_path / "s.svg"))
    assert bad.returncode == 2 and "PNG only" in bad.stderr


def test_export_surface_without_a_display_exits_2_with_the_reason(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    r = export(env, "--function", "x**2 + y**2", "--start", "1,1", "--out",
               str(tmp_path / "s.png"))
    assert r.returncode == 2
    assert "no OpenGL context can be made here" in r.stderr and "xvfb-run" in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "s.png").exists()


def test_bench_measures_the_surface_frames(xvfb):
    r = run([sys.executable, "-m", "hessianlens", "bench", "--only", "surface"], xvfb.env())
    assert r.returncode == 0, r.stderr
    surface = json.loads(r.stdout)["surface"]
    assert "skipped" not in surface, surface
    assert surface["runs"] == 3 and surface["grid"] == "256x256"
    for key in ("first_frame_ms", "step_frame_ms", "start_moved_frame_ms"):
        assert 0 < surface[key]["min"] <= surface[key]["median"] <= surface[key]["max"]
    assert surface["step_new_surfaces"] == 0 and surface["step_still_redraws"] == 0


def test_bench_says_why_the_surface_is_skipped_offscreen():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    r = run([sys.executable, "-m", "hessianlens", "bench", "--only", "surface"], env)
    assert r.returncode == 0, r.stderr
    assert "offscreen" in json.loads(r.stdout)["surface"]["skipped"]
