"""Legends sit beside the data, never over it, and a click on one acts on nothing (pytest-qt)."""

import pytest
from PySide6.QtCore import Qt

from hessianlens.overlay_specs import OVERLAYS
from uihelpers import open_window

FIELD_OVERLAYS = [name for name, spec in OVERLAYS.items() if spec.needs]


@pytest.fixture
def window(qtbot, tmp_path):
    return open_window(qtbot, tmp_path)


def scene_rect(item):
    return item.mapRectToScene(item.boundingRect())


def click_scene_point(qtbot, graphics, point):
    qtbot.mouseClick(graphics.viewport(), Qt.MouseButton.LeftButton,
                     pos=graphics.mapFromScene(point))


def parts(legend):
    """Every sample and label a LegendBox shows (and its line counting the rest)."""
    return [p for _, sample, label in legend.entries for p in (sample, label)
            if p.isVisible()] + ([legend.more_label] if legend.hidden else [])


def test_the_plane_key_is_outside_the_plot_with_every_overlay_on(qtbot, window):
    view = window.plot_view
    for name in FIELD_OVERLAYS:
        window.session.set_overlay(name, True)
    for size in ((1500, 950), (1000, 640)):
        window.resize(*size)
        qtbot.waitUntil(lambda: view.legend.labels() == [
            label for _, label in view.legend_entries()], timeout=5_000)
        # The columns are laid out on a later turn of the event loop, and the plot's layout
        # after them: on a loaded machine that takes more than one turn.
        def laid_out():
            shown = view.graphics.mapToScene(view.graphics.viewport().rect()).boundingRect()
            return all(shown.contains(scene_rect(p).center()) for p in parts(view.legend))

        qtbot.wait(50)
        qtbot.waitUntil(laid_out, timeout=5_000)
        # At most about a third of the plane; what does not fit is counted, not cut off.
        assert view.legend.size().height() <= 0.36 * view.graphics.height()
        assert len(parts(view.legend)) == 2 * (len(view.legend.entries) - view.legend.hidden) \
            + (1 if view.legend.hidden else 0)
        if view.legend.hidden:  # the line counting them lists them when pointed at
            left_out = [t for t in view.legend.labels() if t not in view.legend.shown_labels()]
            assert len(left_out) == view.legend.hidden
            assert view.legend.more_label.toolTip().split("\n") == left_out
        plot = scene_rect(view.vb)
        shown = view.graphics.mapToScene(view.graphics.viewport().rect()).boundingRect()
        assert len(view.legend.entries) >= 9
        for part in parts(view.legend):
            r = scene_rect(part)
            assert not r.intersects(plot), part
            assert shown.contains(r.center()), "a legend entry is cut off"


def test_the_key_uses_columns_when_there_is_room(qtbot, window):
    view = window.plot_view
    for name in FIELD_OVERLAYS:
        window.session.set_overlay(name, True)
    window.resize(1500, 950)
    qtbot.waitUntil(lambda: view.legend.columns >= 2, timeout=5_000)
    rows = -(-len(view.legend.entries) // view.legend.columns)
    qtbot.waitUntil(lambda: view.legend.size().height() <= 30 * rows, timeout=5_000)
    assert view.legend.size().height() < scene_rect(view.vb).height() / 3


def test_clicks_on_the_plane_key_never_move_the_start_or_hide_a_path(qtbot, window):
    view, session = window.plot_view, window.session
    for name in FIELD_OVERLAYS:
        window.session.set_overlay(name, True)
    qtbot.wait(50)
    start, step = session.start, session.step
    for part in parts(view.legend):
        click_scene_point(qtbot, view.graphics, scene_rect(part).center())
        assert session.start == start and session.step == step
    assert all(item.isVisible() for p in view.trajectories.paths.values() for item in p.items)
    assert all(item.isVisible() for layer in view.overlays.values() if layer.visible
               for item, _ in layer.legend if hasattr(item, "isVisible"))


def test_the_key_stays_put_while_playing(qtbot, window):
    view, session = window.plot_view, window.session
    session.reset()
    qtbot.wait(50)
    labels_before = [label for _, _, label in view.legend.entries]
    plot_before, key_before = scene_rect(view.vb), view.legend.size()
    for _ in range(6):
        session.step_forward()
    assert [label for _, _, label in view.legend.entries] == labels_before  # not rebuilt
    assert "step 6" in view.legend.labels()[0]
    qtbot.wait(50)
    assert scene_rect(view.vb) == plot_before and view.legend.size() == key_before


def test_the_convergence_key_is_above_the_curves_and_inert(qtbot, window):
    conv, session = window.convergence, window.session
    qtbot.waitUntil(lambda: len(conv.legend.entries) == 2, timeout=10_000)
    assert conv.legend.labels() == ["Gradient descent", "Newton"]
    curves = [scene_rect(p.getViewBox()) for p in (conv.grad_plot, conv.f_plot)]
    step = session.step
    for part in parts(conv.legend):
        r = scene_rect(part)
        assert not any(r.intersects(c) for c in curves)
        click_scene_point(qtbot, conv.graphics, r.center())
    assert session.step == step
    assert all(c.isVisible() for pair in conv.curves.values() for c in pair)


def test_the_convergence_dock_is_light_like_the_rest(window):
    conv = window.convergence
    assert conv.graphics.backgroundBrush().color().lightness() == 255
    for plot in (conv.grad_plot, conv.f_plot, conv.estimate_plot):
        axis = plot.getAxis("left")
        assert axis.textPen().color().lightness() < 100  # dark text on white


def test_the_iteration_axis_numbers_its_first_iteration(qtbot, window):
    from PySide6.QtGui import QImage, QPainter

    conv = window.convergence
    window.docks["convergence"].show()
    window.docks["convergence"].raise_()
    qtbot.waitUntil(lambda: conv.f_plot.getAxis("bottom").width() > 50, timeout=5_000)
    conv.f_plot.setXRange(0, 20, padding=0)
    axis = conv.f_plot.getAxis("bottom")
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    assert "0" in [text for _, _, text in texts]


def test_the_one_step_key_is_under_its_plot(qtbot, window):
    page = window.onestep_view
    window.tabs.setCurrentWidget(page)
    qtbot.wait(50)
    plot = page.plot
    box = scene_rect(plot.vb)
    markers = [scene_rect(m) for m in plot.markers.values()]
    for part in parts(plot.legend):
        r = scene_rect(part)
        assert not r.intersects(box)
        assert not any(r.intersects(m) for m in markers)
    assert "tangent at w0" in plot.legend.labels()


def test_a_start_where_f_is_not_finite_is_not_called_diverged(qtbot, window):
    from uihelpers import wait_for_function

    session = window.session
    session.load("log(x) + y**2", start=(-1.0, 0.5))  # log of a negative number: NaN
    wait_for_function(qtbot, session, "log(x) + y**2")
    qtbot.waitUntil(lambda: bool(session.trajectories), timeout=5_000)
    session.set_step(session.last_step)
    qtbot.waitUntil(lambda: all("cannot start here" in label
                                for label in window.plot_view.legend.labels()[:1]),
                    timeout=5_000)
    first = window.plot_view.legend.labels()[0]
    assert first.endswith(": cannot start here") and "diverged" not in first
