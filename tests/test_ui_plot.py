"""The plane: click and drag the start point, overlays on and off, function errors (pytest-qt)."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from hessianlens.ui.field_worker import compute_bundle
from hessianlens.overlay_specs import OVERLAYS

# The overlays drawn from the fields job (the basins have a job and tests of their own).
FIELD_OVERLAYS = [name for name, spec in OVERLAYS.items() if spec.needs]
from uihelpers import (data_to_viewport, drag, open_window, temp_settings, viewport_to_data,
                       wait_for_function)


@pytest.fixture
def window(qtbot, tmp_path):
    return open_window(qtbot, tmp_path)


def test_opening_state_is_the_write_up_example_3(window):
    s = window.session
    assert s.function_text == "sin(x0)**2 + sin(10 + x1*x0/2) * cos(x0)"
    assert s.start == (3.1, 1.3)
    # The write-up's learning rates (its Newton step is printed at lr 0.5), equal aspect.
    assert {m.name: m.learning_rate for m in s.enabled_methods()} == {"gd": 0.5, "newton": 0.5}
    assert s.equal_aspect and not s.log_colour
    # Newton heads for the saddle at (3.14, 0.63); both paths are drawn whole.
    newton = window.plot_view.trajectories.paths["newton"].drawn_points()
    assert len(newton) == len(s.trajectories["newton"].iterates)
    assert abs(newton[-1, 0] - np.pi) < 1e-3 and 0.5 < newton[-1, 1] < 1.0


def test_click_sets_the_start_at_the_clicked_data_coordinates(qtbot, window):
    view = window.plot_view
    p = data_to_viewport(view, 2.0, 3.5)
    qtbot.mouseClick(view.graphics.viewport(), Qt.MouseButton.LeftButton, pos=p)
    x, y = viewport_to_data(view, p)
    sx, sy = view.vb.viewPixelSize()
    assert window.session.start == pytest.approx((x, y))
    assert abs(window.session.start[0] - 2.0) <= sx and abs(window.session.start[1] - 3.5) <= sy
    for name, path in view.trajectories.paths.items():
        px, py = path.drawn_points().T
        assert (px[0], py[0]) == pytest.approx(window.session.start)


def test_dragging_the_start_marker_retraces_while_dragging(qtbot, window):
    view, session = window.plot_view, window.session
    start = data_to_viewport(view, *session.start)
    waypoints = [start + QPoint(dx, -dx // 2) for dx in range(0, 61, 10)]
    retraced = []
    session.trajectories_changed.connect(lambda: retraced.append(session.start))
    drag(view, waypoints)
    assert len(retraced) >= len(waypoints) - 1  # live, at every move, not only on release
    end = viewport_to_data(view, waypoints[-1])
    assert session.start == pytest.approx(end, abs=2 * max(view.vb.viewPixelSize()))
    px, py = view.trajectories.paths["gd"].drawn_points().T
    assert (px[0], py[0]) == pytest.approx(session.start)


def test_invalid_function_shows_the_message_and_keeps_the_plot(qtbot, window):
    editor, view = window.editor, window.plot_view
    before_text, before_image = window.session.function_text, view.image.image.copy()
    editor.edit.setPlainText("sin(x0) + * 2")
    with qtbot.waitSignal(window.session.function_error, timeout=20_000):
        qtbot.keyClick(editor.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert editor.error.isVisible()
    assert "column" in editor.error.text()
    start, end = editor.underlined()
    assert end > start and "*" in editor.text()[start:end + 1]
    assert window.session.function_text == before_text
    assert np.array_equal(view.image.image, before_image, equal_nan=True)


def test_valid_function_applies_after_a_pause_in_typing(qtbot, window):
    editor = window.editor
    with qtbot.waitSignal(window.plot_view.fields_shown, timeout=20_000):
        editor.edit.setPlainText("x**2 + 3*y**2")
    assert window.session.function_text == "x**2 + 3*y**2"
    assert not editor.error.isVisible()
    # The derivatives follow once the plane has painted the new function.
    qtbot.waitUntil(lambda: "6*y" in editor.derivatives.text(), timeout=5_000)


def test_the_plane_keeps_its_picture_until_the_new_fields_then_the_panels_follow(qtbot, window):
    view, session = window.plot_view, window.session
    old_paths = {name: t.points.copy() for name, t in session.trajectories.items()}
    with qtbot.waitSignal(view.fields_shown, timeout=20_000):
        with qtbot.waitSignal(session.function_changed, timeout=20_000):
            session.set_function("x**2 + 3*y**2")  # built off the GUI thread
        # New paths are traced as soon as the function is in place, but the plane does not
        # paint them over the old function's fields, and the panels wait for the plane.
        assert any(not np.array_equal(t.points, old_paths[name])
                   for name, t in session.trajectories.items())
        assert view.gate.held()
        assert "6*y" not in window.editor.derivatives.text()
        assert view.gate.pending()
    assert not view.gate.held()
    qtbot.waitUntil(lambda: not view.gate.pending(), timeout=5_000)
    assert "6*y" in window.editor.derivatives.text()
    newton = session.trajectories["newton"]
    qtbot.waitUntil(lambda: window.inspector.iterate is session.selected_iterate(), timeout=5_000)
    grad_curve, _ = window.convergence.curves["newton"]
    assert len(grad_curve.getData()[0]) == len(newton)


def test_the_panels_follow_even_when_the_fields_fail(qtbot, window, monkeypatch):
    import hessianlens.ui.field_worker as field_worker

    def broken(*_args, **_kwargs):
        raise MemoryError("no room for the grid")

    monkeypatch.setattr(field_worker, "compute_bundle", broken)
    view = window.plot_view
    with qtbot.waitSignal(view.message, timeout=20_000) as message:
        window.session.set_function("x**2 + 5*y**2")
    assert "no room for the grid" in message.args[0]
    assert not view.gate.held()
    qtbot.waitUntil(lambda: "10*y" in window.editor.derivatives.text(), timeout=5_000)


def test_a_hidden_plane_holds_nothing(qtbot, tmp_path):
    from hessianlens.ui.main_window import MainWindow

    window = MainWindow(settings=temp_settings(tmp_path))  # never shown
    qtbot.addWidget(window)
    window.session.set_function("x**2 + 7*y**2")
    wait_for_function(qtbot, window.session, "x**2 + 7*y**2")
    assert not window.plot_view.gate.held()
    assert "14*y" in window.editor.derivatives.text()
    window.plot_view.worker.wait()


@pytest.mark.parametrize("name", OVERLAYS)
def test_each_overlay_toggle_shows_and_hides_its_items(qtbot, window, name):
    overlay = window.plot_view.overlays[name]
    action = window.overlay_actions[name]
    assert not any(item.isVisible() for item in overlay.items)
    action.trigger()
    assert name in window.session.overlays
    assert all(item.isVisible() for item in overlay.items)
    labels = [label for _, label in window.plot_view.legend_entries()]
    assert all(label in labels for _, label in overlay.legend)
    action.trigger()
    assert not any(item.isVisible() for item in overlay.items)


def test_overlays_draw_the_engine_fields(qtbot, window):
    for name in FIELD_OVERLAYS:
        window.overlay_actions[name].trigger()
    view = window.plot_view
    det = view.overlays["determinant"]
    assert np.array_equal(det.image.image, view.bundle.fields.det, equal_nan=True)
    lo, hi = det.colour_bar.levels()
    assert lo == pytest.approx(-hi)  # centred on zero
    x, y = det.zero.getData()
    assert len(x) > 10  # the det H = 0 curve of Example 3
    down, up = view.overlays["newton_field"].down.getData(), view.overlays["newton_field"].up.getData()
    assert len(down[0]) and len(up[0])
    quad = view.overlays["quadratic_model"]
    assert len(quad.lines.getData()[0]) > 0


def test_contours_come_from_the_fields(window):
    view = window.plot_view
    bundle = compute_bundle(window.session.objective, window.session.rect, grid=64)
    assert len(bundle.f_lines[0]) > 0
    x, y = view.contours.getData()
    finite = np.isfinite(x)
    r = window.session.rect
    assert finite.any() and r.xmin - 1e-9 <= x[finite].min() and x[finite].max() <= r.xmax + 1e-9


def test_clicking_an_iterate_selects_it(qtbot, window):
    view, session = window.plot_view, window.session
    it = session.trajectories["newton"].iterates[2]
    session.select("gd")
    qtbot.mouseClick(view.graphics.viewport(), Qt.MouseButton.LeftButton,
                     pos=data_to_viewport(view, *it.x))
    assert session.selected_method == "newton" and session.step == 2
    assert session.start == (3.1, 1.3)  # the click went to the iterate, not to the plane


def test_pan_recomputes_the_fields_for_the_visible_range(qtbot, window):
    view = window.plot_view
    before = window.session.rect
    with qtbot.waitSignal(view.fields_shown, timeout=20_000):
        view.vb.translateBy(x=1.0, y=0.0)
    rect = window.session.rect
    assert view.bundle.fields.rect == rect
    assert rect.xmin == pytest.approx(before.xmin + 1.0)


def test_status_bar_describes_the_point_under_the_cursor(qtbot, window):
    view = window.plot_view
    qtbot.mouseMove(view.graphics.viewport(), data_to_viewport(view, 3.1, 1.3))
    qtbot.waitUntil(lambda: "det H" in window.cursor_label.text(), timeout=5000)
    assert "indefinite" in window.cursor_label.text()


def test_a_superseded_field_request_is_dropped(qtbot, window):
    from hessianlens.engine.fields import Rect

    view, objective = window.plot_view, window.session.objective
    shown = []
    view.worker.ready.connect(lambda bundle: shown.append(bundle.fields.rect))
    old, new = Rect(0, 1, 0, 1), Rect(1, 2, 1, 2)
    view.worker.request(objective, old, now=True)
    view.worker.request(objective, new, now=True)
    qtbot.waitUntil(lambda: new in shown, timeout=20_000)
    view.worker.wait()
    qtbot.wait(50)
    assert old not in shown


def test_a_function_that_overflows_on_part_of_the_view_says_where_it_is_white(qtbot, window):
    with qtbot.waitSignal(window.plot_view.message, timeout=20_000,
                          check_params_cb=lambda text: "not finite" in text):
        window.session.set_function("x**x**x**x")
    assert "% of the view" in window.statusBar().currentMessage()


def test_the_colour_bar_is_as_tall_as_the_plots_box(qtbot, window):
    """Not as tall as the plot with its x axis and label under it."""
    from uihelpers import settle

    view = window.plot_view
    for size, overlay in (((1366, 768), None), ((1600, 1000), None),
                          ((1366, 768), "determinant"), ((1600, 1000), "stability")):
        if overlay is not None:  # an overlay that covers the plane shows its own bar there
            window.session.set_overlay(overlay, True)
            qtbot.waitUntil(lambda: view.colours.bar_shown is view.overlays[overlay].colour_bar,
                            timeout=20_000)
        window.resize(*size)
        settle(qtbot, window)
        box = view.vb.sceneBoundingRect()
        bar = view.colours.bar_shown.getViewBox().sceneBoundingRect()
        assert abs(bar.top() - box.top()) <= 2 and abs(bar.bottom() - box.bottom()) <= 2, \
            (size, overlay, box, bar)
