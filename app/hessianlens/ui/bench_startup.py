"""``hessianlens bench --only startup``: a cold start as a user sees it, and ``--version``.

Each run launches the program as a new process (no arguments: the window, on fresh settings
in a temporary home) and times, from just before the launch, until the main window has
painted for the first time and until the plane has painted the function's fields. The child
reports the times itself: it runs this file's :func:`probe_main`, which wraps
``QMainWindow.show`` to watch the window's paints and then starts the program exactly as the
``hessianlens`` command does. Monotonic clock times are shared by every process on Linux.

This file imports only the standard library and Qt, so that it can also be loaded by path into
an older version of the program (``python`` names that version's interpreter).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

T0_VARIABLE = "HESSIANLENS_BENCH_T0"  # the parent's monotonic time just before the launch
PREFIX = "HESSIANLENS_STARTUP "
TIMEOUT_S = 60
# The child: load this file by path (it need not be part of the program it measures).
BOOT = ("import importlib.util, sys\n"
        "spec = importlib.util.spec_from_file_location('hessianlens_bench_startup', sys.argv[1])\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "module.probe_main()\n")


def spread(values) -> dict:
    values = list(values)
    if not values:
        return {"min": None, "median": None, "max": None, "n": 0}
    return {"min": round(min(values), 1), "median": round(statistics.median(values), 1),
            "max": round(max(values), 1), "n": len(values)}


# --- in the child ----------------------------------------------------------------------------
def probe_main() -> None:
    """Start the program as ``hessianlens`` does, reporting its first paints on stdout."""
    from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    t0 = float(os.environ[T0_VARIABLE])
    marks: dict = {}

    def ms() -> float:
        return (time.monotonic() - t0) * 1000

    def report() -> None:
        if "first_paint_ms" in marks and "plane_ms" in marks and "reported" not in marks:
            marks["reported"] = True
            print(PREFIX + json.dumps({k: v for k, v in marks.items() if k != "reported"}),
                  flush=True)
            QTimer.singleShot(0, QApplication.instance().quit)

    class Watch(QObject):
        def __init__(self, window):
            super().__init__()
            self.window = window
            view = getattr(window, "plot_view", None)
            self.viewport = view.graphics.viewport() if view is not None else None

        def eventFilter(self, obj, event):  # noqa: N802 (Qt override)
            if event.type() != QEvent.Type.Paint:
                return False
            if obj is self.window and "window_paint_ms" not in marks:
                marks["window_paint_ms"] = ms()

                def painted():  # after this turn of the event loop: every child painted
                    marks["first_paint_ms"] = ms()
                    report()

                QTimer.singleShot(0, painted)
            elif obj is self.viewport and "plane_ms" not in marks:
                obj.removeEventFilter(self)  # deliver it here, and note when it ended
                try:
                    QCoreApplication.sendEvent(obj, event)
                finally:
                    obj.installEventFilter(self)
                if self.window.plot_view.bundle is not None:
                    marks["plane_ms"] = ms()
                    report()
                return True
            return False

    show = QMainWindow.show

    def watched_show(window):
        marks["show_ms"] = ms()
        watch = Watch(window)
        window._startup_watch = watch
        window.installEventFilter(watch)
        if watch.viewport is not None:
            watch.viewport.installEventFilter(watch)
        show(window)

    QMainWindow.show = watched_show
    QTimer.singleShot(TIMEOUT_S * 1000, lambda: QApplication.instance().quit())
    import runpy

    sys.argv = ["hessianlens"]  # as the command starts it: python -m hessianlens
    runpy.run_module("hessianlens", run_name="__main__", alter_sys=True)


# --- in the parent -------------------------------------------------------------------------
def launch_once(python: str = sys.executable, platform: str = "offscreen",
                display: str | None = None) -> dict:
    """One cold start: {"first_paint_ms", "plane_ms", "show_ms", ...} or {"error": why}."""
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, QT_QPA_PLATFORM=platform, HOME=home, XDG_CONFIG_HOME=home,
                   XDG_CACHE_HOME=home)
        if display:
            env["DISPLAY"] = display
            env.pop("WAYLAND_DISPLAY", None)
        env[T0_VARIABLE] = repr(time.monotonic())
        try:
            out = subprocess.run([python, "-c", BOOT, os.path.abspath(__file__)], env=env,
                                 capture_output=True, text=True, timeout=TIMEOUT_S + 30)
        except subprocess.TimeoutExpired:
            return {"error": "the window did not paint in time"}
    line = next((s for s in out.stdout.splitlines() if s.startswith(PREFIX)), None)
    if line is None:
        return {"error": f"no report (exit {out.returncode}): {out.stderr.strip()[-300:]}"}
    return json.loads(line[len(PREFIX):])


def version_once(command: list[str]) -> float:
    t = time.monotonic()
    subprocess.run([*command, "--version"], capture_output=True, timeout=60, check=True)
    return (time.monotonic() - t) * 1000


def version_command(python: str = sys.executable) -> list[str]:
    """The ``hessianlens`` script beside python (as a user types it), else ``python -m``."""
    script = os.path.join(os.path.dirname(python), "hessianlens")
    return [script] if os.path.exists(script) else [python, "-m", "hessianlens"]


def startup_samples(runs: int = 5, python: str = sys.executable,
                    display: str | None = None) -> dict:
    """Raw times: cold starts on the offscreen platform (and on xcb with display), and
    ``--version``, in turn."""
    out: dict = {"offscreen": [], "xcb": [], "version_ms": [], "errors": []}
    command = version_command(python)
    for _ in range(runs):
        for platform in ("offscreen", "xcb") if display else ("offscreen",):
            r = launch_once(python, platform, display)
            if "error" in r:
                out["errors"].append(f"{platform}: {r['error']}")
            else:
                out[platform].append(r)
        out["version_ms"].append(version_once(command))
    return out


def summary(samples: dict) -> dict:
    out: dict = {}
    for platform in ("offscreen", "xcb"):
        runs = samples[platform]
        if runs:
            out[f"cold_start_{platform}_ms"] = spread(r["first_paint_ms"] for r in runs)
            out[f"cold_start_{platform}_plane_ms"] = spread(r["plane_ms"] for r in runs)
    if "cold_start_offscreen_ms" in out:
        out["cold_start_ms"] = out["cold_start_offscreen_ms"]
    out["version_ms"] = spread(samples["version_ms"])
    out["errors"] = samples["errors"]
    out["what"] = ("from just before the launch until the main window has painted for the "
                   "first time (cold_start) and until the plane has painted the function "
                   "(plane); fresh settings; the operating system's file cache is warm")
    out["targets_ms"] = {"cold_start": 1500, "version": 300}
    return out


def start_xvfb():
    """(Xvfb process, display) or (None, None) when Xvfb is not installed or does not start."""
    exe = shutil.which("Xvfb")
    if exe is None:
        return None, None
    r, w = os.pipe()
    proc = subprocess.Popen([exe, "-displayfd", str(w), "-screen", "0", "1920x1080x24",
                             "-nolisten", "tcp"], pass_fds=(w,), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    os.close(w)
    number = b""
    deadline = time.monotonic() + 15
    while not number.endswith(b"\n") and time.monotonic() < deadline:
        import select

        ready, _, _ = select.select([r], [], [], 1)
        chunk = os.read(r, 16) if ready else b""
        if ready and not chunk:
            break
        number += chunk
    os.close(r)
    if not number.strip().isdigit():
        proc.kill()
        proc.wait()
        return None, None
    return proc, f":{number.strip().decode()}"


def startup_benchmarks(runs: int = 5, python: str = sys.executable) -> dict:
    """The startup section of ``hessianlens bench``."""
    if getattr(sys, "frozen", False):
        return {"skipped": "the bundled program cannot run a measuring script: time it from "
                           "a checkout"}
    proc, display = start_xvfb()
    try:
        out = summary(startup_samples(runs, python, display))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(10)
    if display is None:
        out["xcb"] = "not measured: Xvfb is not installed"
    return out
