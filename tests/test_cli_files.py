"""Files and output of the commands under a full disk, limits on the work, progress, Ctrl+C.

Each case runs the command line in a subprocess, as a user would, with a timeout, and
asserts: the exit code, our own message and no traceback, the old file intact.
"""

import os
import pty
import resource
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

EXAMPLE3 = ["--function", "sin(x0)**2 + sin(10 + x1*x0/2)*cos(x0)", "--start", "3.1,1.3"]


def run(*args, limit=None, stdout=subprocess.PIPE, timeout=120, cwd=None):
    """`hessianlens ARGS` with an optional file-size limit (bytes): a full disk, in effect."""
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}

    def preexec():
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run([sys.executable, "-m", "hessianlens", *args], stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=timeout, env=env,
                          preexec_fn=preexec, cwd=cwd)


def assert_refused(r, words):
    assert r.returncode == 2, r.stderr
    assert words in r.stderr and "Traceback" not in r.stderr


def leftovers(folder):
    return [p.name for p in folder.iterdir() if p.name.endswith(".part")]


def previous_picture(path):
    """A valid picture of the path's kind, larger than the 8 KB limit used below."""
    if path.suffix == ".svg":
        rects = "".join(f'<rect x="{k}" y="{k}" width="9" height="9"/>' for k in range(400))
        path.write_text(f'<svg xmlns="http://www.w3.org/2000/svg">{rects}</svg>')
    else:
        noise = np.random.default_rng(0).integers(0, 255, (100, 100, 3), dtype=np.uint8)
        Image.fromarray(noise).save(path)
    assert path.stat().st_size > 8192
    return path.read_bytes()


@pytest.mark.parametrize("suffix", [".svg", ".png", ".gif"])
def test_a_full_disk_never_replaces_the_previous_picture(tmp_path, suffix):
    out = tmp_path / f"plane{suffix}"
    before = previous_picture(out)
    r = run("export", *EXAMPLE3, "--steps", "6", "--grid", "64", "--size", "400x300",
            "--out", str(out), limit=8192)
    assert_refused(r, f"cannot write {out}")
    assert out.read_bytes() == before and leftovers(tmp_path) == []


def test_a_full_disk_never_replaces_the_previous_basin_map(tmp_path):
    out = tmp_path / "basins.png"
    args = ["basins", "--function", "sin(x0)**2 + sin(10 + x1*x0/2)*cos(x0)", "--method",
            "newton", "--grid", "200", "--steps", "20", "--out", str(out)]
    assert run(*args).returncode == 0
    before = out.read_bytes()
    r = run(*args[:-1], str(out), "--range", "-3,3,-3,3", limit=len(before) // 2)
    assert_refused(r, f"cannot write {out}")
    assert out.read_bytes() == before and leftovers(tmp_path) == []


def test_a_full_disk_never_replaces_a_session_file(tmp_path):
    code = (
        "import sys\n"
        "from hessianlens.engine.fields import Rect\n"
        "from hessianlens.session_file import SessionState, save_session\n"
        "from hessianlens.ui.session import default_methods\n"
        "s = SessionState(sys.argv[2], Rect(-2, 2, -2, 2), (1.0, 1.0), default_methods())\n"
        "try:\n"
        "    save_session(sys.argv[1], s)\n"
        "except OSError as exc:\n"
        "    print(type(exc).__name__, exc)\n")
    path = tmp_path / "s.hlens.json"
    subprocess.run([sys.executable, "-c", code, str(path), "x**2 + y**2"], check=True,
                   timeout=60)
    before = path.read_bytes()
    long_function = " + ".join(f"{k}*x**2" for k in range(1, 200))

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (len(before) + 100, len(before) + 100))

    r = subprocess.run([sys.executable, "-c", code, str(path), long_function],
                       capture_output=True, text=True, timeout=60, preexec_fn=limit)
    assert r.stdout.startswith("OSError") and "File too large" in r.stdout, r.stdout + r.stderr
    assert path.read_bytes() == before and leftovers(tmp_path) == []


@pytest.mark.parametrize("how", ["file-size limit", "/dev/full"])
def test_printed_data_that_cannot_be_written_is_an_error_not_exit_0(tmp_path, how):
    args = ["trace", *EXAMPLE3, "--method", "gd", "--lr", "0.5", "--steps", "100"]
    if how == "/dev/full":
        with open("/dev/full", "w") as full:
            r = run(*args, stdout=full)
    else:
        with open(tmp_path / "trace.json", "w") as fh:
            r = run(*args, stdout=fh, limit=8192)
    assert_refused(r, "cannot write the output")
    assert "Exception ignored" not in r.stderr


def test_the_export_layout_is_bounded_for_extreme_aspect_ratios(tmp_path):
    out = tmp_path / "strip.png"
    r = subprocess.run(["/usr/bin/time", "-f", "%M", sys.executable, "-m", "hessianlens",
                        "export", *EXAMPLE3, "--grid", "32", "--size", "8000x16",
                        "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    peak_kb = int(r.stderr.strip().splitlines()[-1])
    assert peak_kb < 700_000  # laid out at 275,000 x 550 px it took 1.9 GB
    with Image.open(out) as im:
        assert im.size == (8000, 16)


def test_too_large_animations_and_basin_runs_are_refused_before_any_work(tmp_path):
    start = time.monotonic()
    r = run("export", *EXAMPLE3, "--methods", "gd", "--lr", "gd=0.5", "--steps", "2000",
            "--size", "8000x8000", "--out", str(tmp_path / "big.gif"))
    assert_refused(r, "over the limit")
    assert "--steps" in r.stderr and "--size" in r.stderr
    r = run("basins", "--function", "x**2 - y**2", "--method", "gd", "--grid", "2048",
            "--steps", "100000")
    assert_refused(r, "over the limit")
    assert "at most 476 with --grid 2048" in r.stderr and "--grid" in r.stderr
    assert time.monotonic() - start < 60 and list(tmp_path.iterdir()) == []


def run_in_terminal(args, timeout=120, interrupt_at=None):
    """Run with stderr on a pseudo-terminal; return (exit code, what the terminal showed).

    With interrupt_at, send Ctrl+C (SIGINT) once that text has been shown.
    """
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    proc = subprocess.Popen([sys.executable, "-m", "hessianlens", *args],
                            stdout=subprocess.DEVNULL, stderr=slave, env=env)
    os.close(slave)
    shown = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
        if interrupt_at is not None and interrupt_at.encode() in shown:
            proc.send_signal(signal.SIGINT)
            interrupt_at = None
    os.close(master)
    return proc.wait(timeout=10), shown.decode("utf-8", "replace")


def test_long_commands_show_progress_on_a_terminal_and_nothing_in_a_pipe(tmp_path):
    gif = tmp_path / "run.gif"
    args = ["export", *EXAMPLE3, "--steps", "10", "--grid", "32", "--size", "200x150",
            "--out", str(gif)]
    code, shown = run_in_terminal(args)
    assert code == 0
    assert "11/11 frames 100%" in shown
    assert "\r\x1b[K" in shown  # the bar is cleared at the end
    r = run(*args)
    assert r.returncode == 0 and r.stderr == ""
    code, shown = run_in_terminal(["basins", "--function", "x**2 - y**2", "--method", "gd",
                                   "--grid", "64", "--steps", "40"])
    assert code == 0 and "steps" in shown and "%" in shown


@pytest.mark.parametrize("command", ["basins", "export"])
def test_ctrl_c_stops_a_long_command_cleanly(tmp_path, command):
    out = tmp_path / ("b.png" if command == "basins" else "run.gif")
    out.write_bytes(b"previous")
    if command == "basins":  # minutes of work: 1024^2 starts x 1900 steps
        args = ["basins", "--function", "sin(x0)**2 + sin(10 + x1*x0/2)*cos(x0)", "--method",
                "gd", "--lr", "0.001", "--tol", "1e-12", "--grid", "1024", "--steps", "1900",
                "--out", str(out)]
    else:
        args = ["export", *EXAMPLE3, "--steps", "100", "--size", "1600x1100", "--out", str(out)]
    # Ctrl+C once the progress bar shows the job under way (not during Python's start-up).
    code, shown = run_in_terminal(args, interrupt_at="%")
    assert code == 130, shown
    assert "interrupted" in shown and "Traceback" not in shown
    assert out.read_bytes() == b"previous" and leftovers(tmp_path) == []


@pytest.mark.parametrize("command", ["basins", "export"])
def test_every_command_writes_files_with_the_same_modes(tmp_path, command):
    """New files follow the umask; a replaced file keeps its mode (basins once made 0600)."""
    args = (["basins", "--function", "x**2 - y**2", "--method", "gd", "--grid", "16",
             "--steps", "5"] if command == "basins" else
            ["export", *EXAMPLE3, "--steps", "2", "--grid", "16", "--size", "100x80"])
    fresh, kept = tmp_path / "fresh.png", tmp_path / "kept.png"
    kept.write_bytes(b"old")
    kept.chmod(0o644)
    umask = os.umask(0o027)
    try:
        for out in (fresh, kept):
            assert run(*args, "--out", str(out)).returncode == 0
    finally:
        os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o640
    assert kept.stat().st_mode & 0o777 == 0o644 and kept.read_bytes() != b"old"
