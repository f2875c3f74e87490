"""A careless user on the window: spin boxes driven to their ends, the plane zoomed in past
what it can show and its start point dragged off it, pyqtgraph's right-click menus, a typed
text overtaken by a preset that is refused (pytest-qt, real events where they matter)."""

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QDoubleSpinBox, QSpinBox

from hessianlens.engine.fields import MIN_RELATIVE_SIDE, usable_range_error
from hessianlens.engine.rules import RULES
from uihelpers import data_to_viewport, open_window, settle, type_into


def test_every_number_a_parameter_box_accepts_at_its_ends_is_one_its_method_takes(
        qtbot, tmp_path):
    """Typing a number at or past either end of a parameter's box gives the method that
    value: Adam's beta2 box (range 0 to 0.99999, shown to 4 places) took '1', which the rule
    refuses, and the ValueError reached Qt's event loop."""
    window = open_window(qtbot, tmp_path)
    session, panel = window.session, window.methods_panel
    typed = 0
    for name in RULES:
        panel.select_method(name)
        for key, editor in panel.editors.items():
            box = editor.widget
            if not isinstance(box, (QSpinBox, QDoubleSpinBox)):
                continue
            low, high = editor.param.bounds
            for text in (f"{box.maximum():.12g}", "1" if high == 0.99999 else None,
                         f"{box.minimum():.12g}"):
                if text is None:
                    continue
                type_into(qtbot, box, text)
                typed += 1
                value = session.methods[name].params[key]
                assert low <= value <= high and value == editor.value(), (name, key, text)
    assert typed > 40
    panel.select_method("adam")
    type_into(qtbot, panel.editors["beta2"].widget, "0.99999")
    assert session.methods["adam"].params["beta2"] == 0.99999


def wheel(view, p: QPoint, notches: int) -> None:
    """Turn the mouse wheel over a viewport pixel (positive: away from the user, zoom in)."""
    viewport = view.graphics.viewport()
    ev = QWheelEvent(QPointF(p), QPointF(viewport.mapToGlobal(p)), QPoint(0, 0),
                     QPoint(0, 120 * notches), Qt.MouseButton.NoButton,
                     Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(viewport, ev)




@pytest.mark.parametrize("centre", [(1.0, 1.0), (3e5, -2e5)])
def test_zooming_in_stops_where_the_plane_can_still_be_drawn(qtbot, tmp_path, centre):
    """The wheel zooms in until a side is about 1e-9 of the coordinates and no further: the
    plane went on to a view the session refuses (fields.usable_range_error), kept its old
    fields stretched a thousandfold and drew nothing there."""
    window = open_window(qtbot, tmp_path)
    view, session = window.plot_view, window.session
    cx, cy = centre
    session.set_view(type(session.rect)(cx - 2, cx + 2, cy - 2, cy + 2))
    settle(qtbot, window)
    for _ in range(12):  # 12 x 10 notches: a factor 1.02^-1800, far past 1e-9
        wheel(view, data_to_viewport(view, cx, cy), 10)
        qtbot.wait(20)
    settle(qtbot, window)
    shown, kept = view.current_rect(), session.rect
    assert shown is not None and usable_range_error(
        shown.xmin, shown.xmax, shown.ymin, shown.ymax) is None
    scale = max(1.0, abs(cx), abs(cy))
    assert shown.width < 3 * MIN_RELATIVE_SIDE * scale  # it did zoom in all the way
    assert kept == shown  # the session has the view the plane shows ...
    qtbot.waitUntil(lambda: view.bundle.fields.rect == kept, timeout=20_000)  # ... and its f


def test_a_range_typed_into_the_planes_menu_past_the_limit_becomes_the_nearest_usable(
        qtbot, tmp_path):
    """Right-click > X axis lets one type a range: one too narrow for where it is becomes the
    narrowest usable one there, and the session follows."""
    window = open_window(qtbot, tmp_path)
    view, session = window.plot_view, window.session
    ctrl = view.vb.menu.ctrl[0]
    ctrl.minText.setText("1e11")
    ctrl.maxText.setText("100000000000.000001")
    ctrl.maxText.editingFinished.emit()
    settle(qtbot, window)
    shown = view.current_rect()
    assert shown is not None and shown.xmin <= 1e11 <= shown.xmax
    assert shown.width < 3 * MIN_RELATIVE_SIDE * 1e11
    assert session.rect == shown
    assert "Zoomed in as far as the plane goes" in window.statusBar().currentMessage()


def plot_items(window):
    import pyqtgraph as pg

    window.tabs.setCurrentWidget(window.onestep_page)
    window.onestep_view  # built on first show
    window.tabs.setCurrentWidget(window.dimensions_page)
    window.dimensions_page.ensure_built()
    window.tabs.setCurrentWidget(window.plot_view)
    return [item for g in window.findChildren(pg.GraphicsView) for item in g.scene().items()
            if isinstance(item, pg.PlotItem) and not isinstance(item, pg.ColorBarItem)]


def test_no_plot_offers_pyqtgraphs_transforms_or_exporters(qtbot, tmp_path):
    """Right-click on a plot offers the view's own entries only: pyqtgraph's Plot Options
    (a log x axis squeezed the plane into 1e-150..1e150; downsampling and alpha raised on its
    paths, dy/dx and FFT on the 1D page's curves) and its Export... (the SVG exporter raised)
    are gone."""
    window = open_window(qtbot, tmp_path)
    plots = plot_items(window)
    assert len(plots) >= 6  # the plane, convergence (3), the 1D page, the Dimensions (2)
    event = type("Event", (), {"acceptedItem": None})()
    for plot in plots:
        assert plot.getContextMenus(event) is None
        if plot.getViewBox().menuEnabled():  # a right-click shows a menu here
            assert plot.scene().getContextMenus(event) == []
    menu = window.plot_view.vb.getMenu(None)  # the view box's own: View All, the ranges
    assert any(a.text() == "View All" for a in menu.actions())


def test_the_start_marker_dragged_past_the_planes_edge_stays_on_it(qtbot, tmp_path):
    """Zoomed out to the whole plane (+-1e12), the marker dragged past its right edge stops
    there: the session refused the point with a ValueError that reached Qt's event loop, and
    the marker stayed where no path started."""
    from hessianlens.engine.fields import MAX_COORDINATE, Rect
    from uihelpers import drag

    window = open_window(qtbot, tmp_path)
    view, session = window.plot_view, window.session
    session.set_view(Rect(-MAX_COORDINATE, MAX_COORDINATE, -MAX_COORDINATE, MAX_COORDINATE))
    settle(qtbot, window)
    session.set_start((0.9 * MAX_COORDINATE, 0.0))
    p = data_to_viewport(view, *session.start)
    drag(view, [p, p + QPoint(20, 0), p + QPoint(80, 0), p + QPoint(160, 0)])
    assert session.start == (MAX_COORDINATE, 0.0)
    marker = view.marker.pos()
    assert (marker.x(), marker.y()) == session.start
    assert session.trajectories["gd"].iterates[0].x[0] == MAX_COORDINATE



def test_a_typed_text_a_preset_came_after_gives_way_to_the_function_shown(qtbot):
    """Typed, then a preset picked before the text was built, and the preset's function
    refused (its build took too long on a busy machine) or the one already shown: the
    editor kept showing the typed text, which nothing had applied, beside the plane's
    function and with no error."""
    from hessianlens.engine.errors import ExpressionError
    from hessianlens.engine.fields import Rect
    from hessianlens.ui.builds import LatestBuilder, build_in_process
    from hessianlens.ui.function_editor import FunctionEditor
    from hessianlens.ui.session import Session
    from test_ui_builds import HandBuild

    slow = "x**2 + 100*y**2"

    def make(text):
        if text == slow:
            raise ExpressionError("this function took too long to build", 0, 1, text)
        return build_in_process(text)

    builds = []
    session = Session.from_state(Session("x**2 + y**2", Rect(-2, 2, -2, 2), (1.0, 1.0)).state,
                                 builder=LatestBuilder(submit=lambda text, _kind, _budget: (
                                     builds.append(HandBuild(text, make)) or builds[-1])))
    builds.pop().finish()
    qtbot.waitUntil(lambda: session.objective is not None)
    editor = FunctionEditor(session)
    qtbot.addWidget(editor)
    editor.show()
    type_into_editor(qtbot, editor, "x**4 + y**2")
    assert session.requested_function == "x**4 + y**2"
    session.load(slow, Rect(-3, 3, -3, 3), (2.0, 2.0))  # the preset supersedes the text
    typed, preset = builds
    assert typed.cancelled
    preset.finish()  # refused
    qtbot.waitUntil(lambda: not session.pending_function())
    qtbot.wait(20)
    assert session.function_text == "x**2 + y**2"
    assert editor.text() == "x**2 + y**2" and editor.error.isHidden()
    # A preset with the function shown, picked while a typed text builds: the build is
    # given up and the editor showed the typed text beside the plane's function.
    type_into_editor(qtbot, editor, "x**4 + y**2")
    session.load("x**2 + y**2", Rect(-3, 3, -3, 3), (2.0, 2.0))
    assert builds[-1].cancelled and not session.pending_function()
    assert editor.text() == "x**2 + y**2" and session.rect == Rect(-3, 3, -3, 3)
    # A text being typed when another is refused is left alone.
    session.load(slow, Rect(-3, 3, -3, 3), (2.0, 2.0))
    editor.edit.setFocus()
    qtbot.keyClick(editor.edit, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor.edit, " + 1")
    builds[-1].finish()
    qtbot.waitUntil(lambda: not session.pending_function())
    assert editor.text() == "x**2 + y**2 + 1"


def type_into_editor(qtbot, editor, text):
    editor.edit.setFocus()
    editor.edit.selectAll()
    qtbot.keyClicks(editor.edit, text)
    qtbot.keyClick(editor.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
