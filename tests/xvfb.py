"""A virtual X display with OpenGL (Xvfb + Mesa) for the tests that need a real GL context."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys

PROBE = ("from PySide6.QtWidgets import QApplication\n"
         "app = QApplication([])\n"
         "from hessianlens.ui.surface.gl_probe import probe\n"
         "s = probe()\n"
         "print('GL', s.available, s.reason)\n")


class Xvfb:
    """Xvfb on a free display number (-displayfd), GLX on; stop() ends it."""

    def __init__(self, size: str = "1600x1000x24"):
        self.proc = None
        self.display = None
        self.why_not = ""
        exe = shutil.which("Xvfb")
        if exe is None:
            self.why_not = "Xvfb is not installed (apt-get install xvfb libgl1-mesa-dri)"
            return
        r, w = os.pipe()
        self.proc = subprocess.Popen([exe, "-displayfd", str(w), "-screen", "0", size,
                                      "+extension", "GLX", "-nolisten", "tcp"],
                                     pass_fds=(w,), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        os.close(w)
        number = b""
        while not number.endswith(b"\n"):
            ready, _, _ = select.select([r], [], [], 15)
            chunk = os.read(r, 16) if ready else b""
            if not chunk:
                break
            number += chunk
        os.close(r)
        if not number.strip().isdigit():
            self.stop()
            self.why_not = "Xvfb did not start"
            return
        self.display = f":{number.strip().decode()}"

    def env(self, **extra) -> dict:
        """The environment of a child that draws on this display with Qt's xcb platform."""
        env = dict(os.environ, DISPLAY=self.display, QT_QPA_PLATFORM="xcb", **extra)
        env.pop("WAYLAND_DISPLAY", None)
        return env

    def gl_reason(self) -> str:
        """'' if a Qt OpenGL context can be made on this display, else why not."""
        out = subprocess.run([sys.executable, "-c", PROBE], env=self.env(), capture_output=True,
                             text=True, timeout=120)
        line = next((s for s in out.stdout.splitlines() if s.startswith("GL ")), "")
        if line.startswith("GL True"):
            return ""
        return line[3:].partition(" ")[2] or f"the OpenGL probe failed: {out.stderr[-400:]}"

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.proc = None
