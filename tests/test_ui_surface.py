"""The Surface (3D) tab where no OpenGL is needed: the surface job, the tab on Qt's offscreen
platform (no OpenGL: one line, nothing crashes), the window's tab and menus, start-up.

The OpenGL side runs under Xvfb in test_surface_xvfb.py."""

import os
import subprocess
import sys

import numpy as np
import pytest

from hessianlens.engine.fields import Rect, compute_value
from hessianlens.engine.objective import objective_from_text
from hessianlens.engine.surface import LOG
from hessianlens.ui.contours import robust_range
from hessianlens.ui.session import Session
from hessianlens.ui.surface.gl_probe import gl_platform, gl_status
from hessianlens.ui.surface.surface_view import SurfacePage
from hessianlens.ui.surface.surface_worker import (COLOUR_CURVATURE, CURVATURE_RGB, VIRIDIS,
                                                   SurfaceRequest, SurfaceWorker,
                                                   compute_surface)

EXAMPLE3 = "sin(x0)**2 + sin(10 + x1*x0/2) * cos(x0)"
VIEW3 = Rect(0.5, 5.5, -1.0, 4.5)


def vertex(bundle, x, y):
    """Mesh indices (i_x, j_y) of the grid point nearest (x, y)."""
    r, n = bundle.request.rect, bundle.request.grid
    return (round((x - r.xmin) / r.width * (n - 1)), round((y - r.ymin) / r.height * (n - 1)))


def test_the_surface_is_coloured_like_the_plane():
    objective = objective_from_text(EXAMPLE3)
    bundle = compute_surface(SurfaceRequest(objective, VIEW3, 64))
    f = compute_value(objective, VIEW3, 64)
    assert bundle.f_range == robust_range(f)  # the plane's colour scale
    assert bundle.colours.shape == (64, 64, 4) and bundle.colours.dtype == np.uint8
    assert bundle.mesh.z.shape == (64, 64)
    # At the minimum (pi, 2.63) the colour is viridis' darkest, dimmed by the shading at most.
    i, j = vertex(bundle, np.pi, 2.634)
    rgb = bundle.colours[i, j, :3].astype(float)
    assert np.allclose(rgb / bundle.mesh.shade[i, j], VIRIDIS[0], atol=3)
    assert len(bundle.contours) > 0 and len(bundle.contours) % 2 == 0


def test_curvature_colours_name_the_minimum_and_the_saddle():
    objective = objective_from_text(EXAMPLE3)
    bundle = compute_surface(SurfaceRequest(objective, VIEW3, 101, colour_mode=COLOUR_CURVATURE))
    shade = bundle.mesh.shade

    def base(x, y):
        i, j = vertex(bundle, x, y)
        return bundle.colours[i, j, :3] / shade[i, j]

    assert np.allclose(base(np.pi, 2.634), CURVATURE_RGB[1], atol=3)  # positive definite
    assert np.allclose(base(np.pi, 0.634), CURVATURE_RGB[3], atol=3)  # indefinite: the saddle


def test_log_heights_on_request():
    objective = objective_from_text("(1 - x)**2 + 100*(y - x**2)**2")
    bundle = compute_surface(SurfaceRequest(objective, Rect(-2, 2, -1, 3), 64, height_mode=LOG))
    assert bundle.mesh.scale.mode == LOG
    assert "log10" in bundle.mesh.scale.describe()


def test_only_the_latest_request_is_delivered(qtbot):
    worker = SurfaceWorker(debounce_ms=0)
    got = []
    worker.ready.connect(got.append)
    a, b = objective_from_text("x**2"), objective_from_text("y**2")
    worker.request(SurfaceRequest(a, VIEW3, 32), now=True)
    worker.request(SurfaceRequest(b, VIEW3, 32), now=True)
    worker.wait()
    qtbot.waitUntil(lambda: not worker.busy())
    qtbot.wait(50)
    assert [bundle.objective for bundle in got] == [b]


def test_gl_platform_prefers_a_display_and_falls_back_to_offscreen():
    assert gl_platform({}) == "offscreen"
    assert gl_platform({"DISPLAY": ":1", "QT_QPA_PLATFORM": "offscreen"}) == "xcb;offscreen"
    assert gl_platform({"DISPLAY": ":1", "WAYLAND_DISPLAY": "w"}) == "wayland;xcb;offscreen"
    assert gl_platform({"QT_QPA_PLATFORM": "eglfs"}) == "eglfs"


def test_offscreen_the_tab_says_why_in_one_line_and_nothing_breaks(qtbot):
    assert not gl_status().available  # tests run on Qt's offscreen platform
    session = Session(EXAMPLE3, VIEW3, (3.1, 1.3))
    page = SurfacePage(session)
    qtbot.addWidget(page)
    messages = []
    page.message.connect(messages.append)
    page.show()
    qtbot.waitExposed(page)
    assert page.scene is None
    text = page.notice.text()
    assert text.startswith("The 3D view is not available here:") and "offscreen" in text
    assert "\n" not in text and page.notice.isVisible()
    assert not page.reset_camera_action.isEnabled() and not page.export_action.isEnabled()
    session.set_function("x**2 + y**2")
    session.set_start((1.0, 1.0))
    session.set_view(Rect(-2, 2, -2, 2))
    session.step_back()
    page.reset_camera()
    assert page.export_png("never.png") is False and "no surface" in messages[-1]
    assert not os.path.exists("never.png")
    assert not page.worker.busy()  # nothing computed for a view nobody can see


def test_the_window_has_the_tab_and_keeps_the_docks_on_it(qtbot, tmp_path):
    from uihelpers import open_window

    window = open_window(qtbot, tmp_path)
    tabs = window.tabs
    titles = [tabs.tabText(i) for i in range(tabs.count())]
    assert "Surface (3D)" in titles
    tabs.setCurrentIndex(titles.index("Surface (3D)"))
    qtbot.waitUntil(lambda: window.surface_page.isVisible())
    assert "not available" in window.surface_page.notice.text()
    assert window.docks["methods"].isVisible() and window.docks["inspector"].isVisible()
    menus = {a.text(): a for m in window.menuBar().actions() for a in m.menu().actions()}
    assert menus["Reset camera"] is window.surface_page.reset_camera_action
    assert menus["Export 3D view..."] is window.surface_page.export_action
    assert not menus["Reset camera"].isEnabled()
    window.playback.step_action.trigger()  # playback on the tab: nothing to draw, no error
    tabs.setCurrentIndex(0)


STARTUP = """
import sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from PySide6.QtCore import QSettings
from hessianlens.ui.main_window import MainWindow
w = MainWindow(settings=QSettings(sys.argv[1], QSettings.Format.IniFormat))
w.show()
app.processEvents()
print("LOADED", sorted(m for m in ("OpenGL", "pyqtgraph.opengl") if m in sys.modules))
w.close()
app.processEvents()
del w
"""


def test_start_up_does_not_import_opengl(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", STARTUP, str(tmp_path / "s.ini")], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "LOADED []" in out.stdout
