"""The Surface (3D) tab with real OpenGL (Mesa under Xvfb, Qt's xcb platform).

These tests need an OpenGL context, which Qt's offscreen platform (the rest of the suite's)
cannot make: test_surface_xvfb.py starts Xvfb and runs this file in a subprocess with
HESSIANLENS_GL_TESTS=1, DISPLAY set and QT_QPA_PLATFORM=xcb.
"""

import os

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

pytestmark = pytest.mark.skipif(
    os.environ.get("HESSIANLENS_GL_TESTS") != "1",
    reason="needs an OpenGL context: test_surface_xvfb.py runs these under Xvfb")

if os.environ.get("HESSIANLENS_GL_TESTS") == "1":
    from hessianlens.ui.surface.gl_probe import share_gl_contexts

    share_gl_contexts()  # as the app does: every test's view uses the same shaders

from hessianlens.engine.fields import Rect  # noqa: E402
from hessianlens.engine.surface import LOG  # noqa: E402
from hessianlens.ui.session import Session  # noqa: E402

EXAMPLE3 = "sin(x0)**2 + sin(10 + x1*x0/2) * cos(x0)"
VIEW3 = Rect(0.5, 5.5, -1.0, 4.5)


@pytest.fixture
def session():
    return Session(EXAMPLE3, VIEW3, (3.1, 1.3))


def show_page(qtbot, session):
    from hessianlens.ui.surface.surface_view import SurfacePage

    page = SurfacePage(session)
    page.resize(900, 700)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.surface_shown, timeout=30_000):
        page.show()
    qtbot.waitUntil(lambda: page.scene.view.isValid(), timeout=10_000)
    return page


def new_surface(qtbot, page, change):
    with qtbot.waitSignal(page.surface_shown, timeout=30_000):
        change()
    return page.scene.bundle


def line_points(page, name):
    items = page.scene.methods[name]
    return items.line.pos if items.line.visible() else np.zeros((0, 3))


def current_point(page, name):
    items = page.scene.methods[name]
    return items.current.pos[0] if items.current.visible() else None


def test_opengl_is_found_and_the_surface_is_built(qtbot, session):
    from hessianlens.ui.surface.gl_probe import gl_status

    status = gl_status()
    assert status.available and status.reason.startswith("OpenGL")
    page = show_page(qtbot, session)
    assert page.scene.surface._z.shape == (256, 256)  # the default grid
    assert page.reset_camera_action.isEnabled() and page.export_action.isEnabled()
    assert set(page.scene.methods) == {"gd", "newton"}
    assert page.scene.contours.visible() and len(page.scene.contours.pos) > 0


def test_newtons_path_climbs_to_the_saddle(qtbot, session):
    page = show_page(qtbot, session)
    newton = page.scene.methods["newton"].path
    assert session.trajectories["newton"].end_kind == "saddle"
    start = page.scene.start.pos[0]
    end = current_point(page, "newton")  # playback is at the end
    assert np.allclose(newton.iterates[0], start)
    assert end[2] > start[2] + 0.1  # higher on the surface than where it started
    assert "converged to a saddle" in page.legend.text()


def test_a_playback_step_moves_the_paths_not_the_surface(qtbot, session):
    page = show_page(qtbot, session)
    scene = page.scene
    uploads, z = scene.mesh_uploads, scene.surface._z
    session.reset()
    assert len(line_points(page, "newton")) == 0
    assert np.allclose(current_point(page, "newton"), scene.start.pos[0])
    lengths = []
    for k in range(1, 4):
        with qtbot.waitSignal(scene.view.frameSwapped, timeout=5000):
            session.step_forward()
        lengths.append(len(line_points(page, "newton")))
        path = scene.methods["newton"].path
        assert np.allclose(current_point(page, "newton"), path.iterates[k])
        assert np.allclose(line_points(page, "newton")[-1], path.iterates[k])
    assert lengths[0] > 0 and lengths == sorted(lengths)
    session.step_back()
    assert len(line_points(page, "newton")) == lengths[1]
    assert scene.mesh_uploads == uploads and scene.surface._z is z  # no new surface
    assert "step 2" in page.legend.text()


def test_dragging_the_start_on_the_plane_moves_it_on_the_surface(qtbot, session):
    from hessianlens.ui.plot_view import PlotView
    from uihelpers import data_to_viewport, drag

    plane = PlotView(session)
    plane.resize(700, 600)
    qtbot.addWidget(plane)
    with qtbot.waitSignal(plane.fields_shown, timeout=20_000):
        plane.show()
    page = show_page(qtbot, session)
    before = page.scene.start.pos[0].copy()
    uploads = page.scene.mesh_uploads
    a, b = data_to_viewport(plane, 3.1, 1.3), data_to_viewport(plane, 3.1, 2.2)
    drag(plane, [a, QPoint((a.x() + b.x()) // 2, (a.y() + b.y()) // 2), b])
    assert session.start[1] == pytest.approx(2.2, abs=0.05)
    after = page.scene.start.pos[0]
    assert after[1] > before[1]  # further along y in the scene
    newton = page.scene.methods["newton"].path
    assert np.allclose(newton.iterates[0], after)
    assert session.trajectories["newton"].end_kind == "minimum"  # Example 4's start
    assert page.scene.mesh_uploads == uploads  # the same surface, new paths


def test_function_view_colour_height_and_grid_make_a_new_surface(qtbot, session):
    from hessianlens.ui.surface.surface_worker import COLOUR_CURVATURE

    page = show_page(qtbot, session)
    first = page.scene.bundle
    bundle = new_surface(qtbot, page, lambda: session.set_function("x**2 + y**2"))
    assert bundle.objective is session.objective and not np.array_equal(bundle.mesh.z,
                                                                         first.mesh.z)
    bundle = new_surface(qtbot, page, lambda: session.set_view(Rect(-2, 2, -1, 1)))
    assert bundle.request.rect == Rect(-2, 2, -1, 1)
    assert page.scene.surface._y.max() == pytest.approx(0.5)  # the view's aspect kept
    bundle = new_surface(qtbot, page, lambda: page.colour_box.setCurrentIndex(1))
    assert bundle.request.colour_mode == COLOUR_CURVATURE
    bundle = new_surface(qtbot, page, lambda: page.height_box.setCurrentIndex(1))
    assert bundle.mesh.scale.mode == LOG and "log10" in page.legend.text()
    bundle = new_surface(qtbot, page, lambda: page.grid_box.setCurrentIndex(0))
    assert page.scene.surface._z.shape == (128, 128)


def _mouse(widget, kind, p: QPoint, button=Qt.MouseButton.LeftButton):
    held = Qt.MouseButton.NoButton if kind == QMouseEvent.Type.MouseButtonRelease else button
    ev = QMouseEvent(kind, QPointF(p), QPointF(widget.mapToGlobal(p)),
                     Qt.MouseButton.NoButton if kind == QMouseEvent.Type.MouseMove else button,
                     held, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, ev)


def test_the_mouse_rotates_and_reset_camera_restores_the_view(qtbot, session):
    page = show_page(qtbot, session)
    view, home = page.scene.view, page.scene.camera()
    _mouse(view, QMouseEvent.Type.MouseButtonPress, QPoint(300, 300))
    for x in range(310, 420, 10):
        _mouse(view, QMouseEvent.Type.MouseMove, QPoint(x, 280))
    _mouse(view, QMouseEvent.Type.MouseButtonRelease, QPoint(420, 280))
    turned = page.scene.camera()
    assert turned["azimuth"] != home["azimuth"] and turned["elevation"] != home["elevation"]
    page.reset_camera_action.trigger()
    assert page.scene.camera() == home


def test_the_window_exports_the_3d_view_as_png(qtbot, tmp_path):
    from uihelpers import open_window

    window = open_window(qtbot, tmp_path)
    page = window.surface_page
    assert not page.reset_camera_action.isEnabled()
    with qtbot.waitSignal(page.surface_shown, timeout=30_000):
        window.tabs.setCurrentWidget(page)
    qtbot.waitUntil(lambda: page.scene.view.isValid(), timeout=10_000)
    assert page.reset_camera_action.isEnabled() and page.export_action.isEnabled()
    out = tmp_path / "surface.png"
    assert page.export_png(str(out), (480, 360))
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".surface")) == []
    with Image.open(out) as im:
        assert im.size == (480, 360)
        rgb = np.asarray(im.convert("RGB")).reshape(-1, 3).astype(int)

    def share(colour, tol=40):
        return np.mean(np.abs(rgb - colour).max(axis=1) < tol)

    assert share((255, 255, 255), 3) < 0.9  # a surface, not a blank picture
    assert share((0xd6, 0x27, 0x28)) > 0 and share((0x1f, 0x77, 0xb4)) > 0  # both methods
    window.tabs.setCurrentIndex(0)
    assert not page.reset_camera_action.isEnabled() and not page.export_action.isEnabled()
