"""The basins-of-attraction overlay: toggle, colours, legend, hover, compare, cancel (pytest-qt)."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from hessianlens.engine.fields import Rect
from uihelpers import data_to_viewport, open_window, settle, wait_for_function

GRID = 48


@pytest.fixture
def window(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path)
    w.session.update_method("newton", learning_rate=1.0)  # full Newton (the window opens at 0.5)
    w.overlay_panels["basins"].grid.setValue(GRID)
    w.overlay_panels["basins"].compare.setCurrentIndex(w.overlay_panels["basins"].compare.findData(""))
    return w


def show_basins(qtbot, window):
    """Switch the overlay on from the toolbar action and wait for the map."""
    layer = window.plot_view.overlays["basins"]
    with qtbot.waitSignal(layer.shown, timeout=20_000):
        window.overlay_actions["basins"].trigger()
    qtbot.waitUntil(lambda: not layer.running and bool(layer.maps), timeout=20_000)
    return layer


def set_function(qtbot, window, text, rect=Rect(-2, 2, -2, 2)):
    layer = window.plot_view.overlays["basins"]
    window.session.load(text, rect)
    wait_for_function(qtbot, window.session, text)
    qtbot.waitUntil(lambda: not layer.running and bool(layer.maps)
                    and layer.maps[0].rect == window.session.rect, timeout=20_000)
    return layer


def labels(window):
    return [label for _, label in window.plot_view.legend_entries()]


def test_toggle_shows_and_hides_the_basins(qtbot, window):
    layer = show_basins(qtbot, window)
    assert layer.image.isVisible()
    assert layer.maps[0].labels.shape == (GRID, GRID)
    assert layer.maps[0].rect == window.session.rect
    assert any(label.startswith("Basins of Newton") for label in labels(window))
    assert window.overlay_panels["basins"].show_box.isChecked()
    window.overlay_actions["basins"].trigger()
    assert not layer.image.isVisible() and not layer.outlines.isVisible()
    assert not any("Basins" in label for label in labels(window))
    assert not window.overlay_panels["basins"].show_box.isChecked()


def test_paraboloid_newton_paints_one_colour_the_minimum(qtbot, window):
    show_basins(qtbot, window)
    layer = set_function(qtbot, window, "x**2 + y**2")
    (outcome,) = layer.maps[0].outcomes
    assert outcome.kind == "minimum" and outcome.point == pytest.approx((0, 0), abs=1e-9)
    rgb = layer.image.image[..., :3].reshape(-1, 3)
    assert len(np.unique(rgb, axis=0)) == 1  # one outcome, one step from everywhere
    assert "minimum at (0.00, 0.00)" in labels(window)


def test_saddle_newton_legend_names_the_saddle(qtbot, window):
    show_basins(qtbot, window)
    set_function(qtbot, window, "x**2 - y**2")
    assert "saddle at (0.00, 0.00)" in labels(window)


def test_hover_says_where_the_rule_goes_from_here(qtbot, window):
    show_basins(qtbot, window)
    set_function(qtbot, window, "x**2 - y**2")
    view = window.plot_view
    qtbot.mouseMove(view.graphics.viewport(), data_to_viewport(view, 1.0, 0.5))
    qtbot.waitUntil(lambda: "from here" in window.cursor_label.text(), timeout=5000)
    assert "from here: Newton reaches the saddle at (0.00, 0.00) in 1 step" \
        in window.cursor_label.text()


def test_compare_outlines_the_second_rule_and_hover_names_both(qtbot, window):
    layer = show_basins(qtbot, window)
    # Two minima at (+-1, 0) and a saddle between: Newton finds the saddle from near x = 0,
    # gradient descent (lr 0.1) one of the minima.
    window.session.update_method("gd", learning_rate=0.1)
    set_function(qtbot, window, "(x**2 - 1)**2 + y**2")
    panel = window.overlay_panels["basins"]
    panel.steps.setValue(200)
    panel.compare.setCurrentIndex(panel.compare.findData("gd"))
    qtbot.waitUntil(lambda: not layer.running and len(layer.maps) == 2, timeout=20_000)
    assert layer.outlines.isVisible() and len(layer.outlines.getData()[0]) > 0
    assert "basin boundaries of Gradient descent" in labels(window)
    text = layer.describe(0.2, 0.5)
    assert "Newton reaches the saddle at (0.00, 0.00)" in text
    assert "Gradient descent reaches the minimum at (1.00, 0.00)" in text
    panel.swapped.setChecked(True)  # colour gradient descent, outline Newton
    assert [m.method for m in layer.maps] == ["gd", "newton"]
    assert any(label.startswith("Basins of Gradient descent") for label in labels(window))
    assert "saddle at (0.00, 0.00)" not in labels(window)


def test_cancel_leaves_no_overlay_and_no_exception(qtbot, window):
    layer = window.plot_view.overlays["basins"]
    window.overlay_panels["basins"].grid.setValue(512)
    window.overlay_panels["basins"].steps.setValue(1000)
    window.overlay_actions["basins"].trigger()
    assert layer.running and window.job_progress["basins"].cancel.isVisible()
    qtbot.waitUntil(lambda: window.job_progress["basins"].bar.value() > 0, timeout=20_000)  # it reports
    qtbot.mouseClick(window.job_progress["basins"].cancel, Qt.MouseButton.LeftButton)
    assert not layer.running and not window.job_progress["basins"].bar.isVisible()
    layer.job.wait()
    qtbot.wait(100)  # any late result or progress of the cancelled job is dropped
    assert not layer.image.isVisible() and layer.maps == ()
    assert not any("Basins" in label for label in labels(window))


def test_changing_the_function_recomputes(qtbot, window):
    show_basins(qtbot, window)
    layer = set_function(qtbot, window, "x**2 + y**2")
    first = layer.maps[0]
    layer = set_function(qtbot, window, "x**2 - y**2")
    assert layer.maps[0] is not first
    assert [o.kind for o in layer.maps[0].outcomes] == ["saddle"]


def test_learning_rate_change_recomputes_with_the_session_rate(qtbot, window):
    layer = show_basins(qtbot, window)
    set_function(qtbot, window, "x**2 + y**2")
    window.session.update_method("newton", learning_rate=0.5)
    qtbot.waitUntil(lambda: not layer.running and layer.maps[0].learning_rate == 0.5,
                    timeout=20_000)
    # Half a Newton step halves the distance: more than one step everywhere.
    assert layer.maps[0].steps.min() > 1


def test_switching_off_and_on_again_shows_the_map_again(qtbot, window):
    layer = show_basins(qtbot, window)
    window.overlay_actions["basins"].trigger()
    assert layer.maps == ()
    show_basins(qtbot, window)
    assert layer.image.isVisible() and layer.maps[0].rect == window.session.rect


def test_panning_recomputes_for_the_visible_range(qtbot, window):
    layer = show_basins(qtbot, window)
    settle(qtbot, window)  # the key grew: the equal aspect widened the view
    before = window.session.rect
    window.plot_view.vb.translateBy(x=1.0, y=0.0)
    qtbot.waitUntil(lambda: not layer.running and bool(layer.maps)
                    and layer.maps[0].rect == window.session.rect
                    and layer.maps[0].rect.xmin > before.xmin + 0.5, timeout=20_000)
    r = window.session.rect
    xs = layer.maps[0].xs
    assert xs[0] == pytest.approx(r.xmin) and xs[-1] == pytest.approx(r.xmax)


def test_a_rule_that_converges_nowhere_says_what_to_change(qtbot, window):
    # The opening state: gradient descent at the write-up's lr 0.5 rattles in Example 3's
    # wells and converges from no start within K steps.
    window.overlay_panels["basins"].rule.setCurrentIndex(window.overlay_panels["basins"].rule.findData("gd"))
    layer = show_basins(qtbot, window)
    qtbot.waitUntil(lambda: not layer.running and layer.maps[0].method == "gd", timeout=20_000)
    assert {o.kind for o in layer.maps[0].outcomes} == {"not_converged"}
    text = window.overlay_panels["basins"].summary.text()
    assert "No start converges within K = " in text and "lr 0.5" in text
    set_function(qtbot, window, "x**2 + y**2")  # gradient descent converges here
    assert "No start converges" not in window.overlay_panels["basins"].summary.text()
