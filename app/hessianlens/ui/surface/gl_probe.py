"""Can this process draw with OpenGL? Asked before any OpenGL widget is built.

Qt's offscreen platform makes no OpenGL widgets (and pyqtgraph's renderToArray crashes the
process there), so the 3D view checks first that a context can be created and made current,
and says why not in one line otherwise.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

# Platforms whose windows cannot hold a QOpenGLWidget (offscreen draws into images; with an X
# display it can make GLX contexts, but still no OpenGL widgets).
NO_GL_WIDGETS = ("offscreen", "minimal", "vnc", "linuxfb")
MIN_VERSION = (2, 1)  # pyqtgraph.opengl's shaders
GL_VERSION, GL_RENDERER = 0x1F02, 0x1F01


@dataclass(frozen=True)
class GLStatus:
    """Whether the 3D view can be drawn; reason says why not, or which OpenGL it found."""

    available: bool
    reason: str


def probe() -> GLStatus:
    """Create an OpenGL context on an offscreen surface and make it current (needs a
    QGuiApplication); never raises."""
    from PySide6.QtGui import QGuiApplication, QOffscreenSurface, QOpenGLContext

    app = QGuiApplication.instance()
    if app is None:
        return GLStatus(False, "no Qt application is running")
    platform = app.platformName()
    if platform in NO_GL_WIDGETS:
        return GLStatus(False, f"Qt's '{platform}' platform has no OpenGL windows (no display)")
    context = QOpenGLContext()
    if not context.create():
        return GLStatus(False, f"no OpenGL context could be created on the '{platform}' platform")
    surface = QOffscreenSurface()
    surface.setFormat(context.format())
    surface.create()
    try:
        if not surface.isValid() or not context.makeCurrent(surface):
            return GLStatus(False, "an OpenGL context was created but could not be made current")
        fmt = context.format()
        functions = context.functions()
        version = functions.glGetString(GL_VERSION) or f"{fmt.majorVersion()}.{fmt.minorVersion()}"
        renderer = functions.glGetString(GL_RENDERER) or "unknown renderer"
        context.doneCurrent()
    finally:
        surface.destroy()
    if (fmt.majorVersion(), fmt.minorVersion()) < MIN_VERSION:
        return GLStatus(False, f"OpenGL {MIN_VERSION[0]}.{MIN_VERSION[1]} is needed, found {version}")
    try:
        import OpenGL.GL  # noqa: F401 - PyOpenGL, which pyqtgraph.opengl draws with
    except ImportError as exc:
        return GLStatus(False, f"PyOpenGL could not be loaded ({exc})")
    return GLStatus(True, f"OpenGL {version}, {renderer}")


def share_gl_contexts() -> None:
    """Let every OpenGL context share its resources. pyqtgraph.opengl compiles each shader
    once per process; a second context (the 3D view re-created, another window, a test) can
    use those programs only if contexts share. Call before the QApplication is made."""
    from PySide6.QtCore import QCoreApplication, Qt

    if QCoreApplication.instance() is None:
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)


@functools.cache
def gl_status() -> GLStatus:
    """probe(), once per process."""
    return probe()


def gl_platform(environ=None) -> str:
    """The Qt platform to ask for when OpenGL is needed without a window on screen (export,
    benchmarks): the user's choice if it is not 'offscreen'; else the display there is, with
    'offscreen' after it, so that Qt falls back instead of aborting when the display cannot
    be reached (the probe then says so)."""
    env = os.environ if environ is None else environ
    chosen = env.get("QT_QPA_PLATFORM", "")
    if chosen and not chosen.startswith("offscreen"):
        return chosen
    options = [name for name, var in (("wayland", "WAYLAND_DISPLAY"), ("xcb", "DISPLAY"))
               if env.get(var)]
    return ";".join([*options, "offscreen"])
