"""Fit view: the engine finds where a function is worth looking at; the window fits a typed
function whose stationary points are all off screen, and says why when it does not."""

import numpy as np
import pytest

from hessianlens.engine.colour_scale import log_colours
from hessianlens.engine.fields import Rect, compute_fields
from hessianlens.engine.objective import objective_from_text
from hessianlens.engine.region import interesting_region, needs_log_colour
from hessianlens.ui.presets import load_presets
from uihelpers import open_window, wait_for_function

EXAMPLE_3_VIEW = Rect(0.5, 5.5, -1.0, 4.5)
ROSENBROCK = "(1 - x)**2 + 100*(y - x**2)**2"
BEALE = "(1.5 - x + x*y)**2 + (2.25 - x + x*y**2)**2 + (2.625 - x + x*y**3)**2"


def region(text, view=EXAMPLE_3_VIEW, start=(3.1, 1.3)):
    return interesting_region(objective_from_text(text), view, start)


def inside(rect, x, y):
    return rect.xmin <= x <= rect.xmax and rect.ymin <= y <= rect.ymax


def test_the_saddle_off_screen_is_found_and_framed_with_the_start():
    r = region("x**2 - y**2")
    assert not r.shows_any(EXAMPLE_3_VIEW)
    (p,) = r.points
    assert p.kind == "saddle" and (p.x, p.y) == pytest.approx((0, 0), abs=1e-9)
    assert inside(r.rect, 0, 0) and inside(r.rect, 3.1, 1.3)
    assert "the saddle at (0, 0)" in r.message


def test_a_minimum_far_away_is_found():
    r = region("(x - 100)**2 + (y - 200)**2")
    assert [(p.kind, round(p.x), round(p.y)) for p in r.points] == [("minimum", 100, 200)]
    assert inside(r.rect, 100, 200) and inside(r.rect, 3.1, 1.3)


def test_the_nearest_stationary_points_are_kept():
    r = region("(x**2 + y - 11)**2 + (x + y**2 - 7)**2")  # Himmelblau, from (3.1, 1.3)
    assert r.points[0].kind == "minimum" and (r.points[0].x, r.points[0].y) == \
        pytest.approx((3, 2), abs=1e-6)
    assert len(r.found) == 9  # four minima, four saddles, a maximum
    assert all(inside(r.rect, p.x, p.y) for p in r.points)


def test_no_stationary_point_keeps_the_view_and_says_so():
    for text in ("x + y", "x**3 + y"):
        r = region(text)
        assert r.rect is None and r.points == ()
        assert "no stationary point" in r.message and "view is kept" in r.message


@pytest.mark.parametrize("name, log", [("Rosenbrock", True), ("Beale", True),
                                       ("Example 1: paraboloid", False), ("Booth", False),
                                       ("Example 3: wavy function, Newton heads for a saddle",
                                        False)])
def test_a_log_colour_scale_is_asked_for_where_the_valley_hides(name, log):
    p = next(p for p in load_presets() if p.name == name)
    assert needs_log_colour(objective_from_text(p.function), p.rect) == log
    assert p.log_colour == log  # the presets agree


def test_the_log_scale_shows_rosenbrocks_valley():
    fields = compute_fields(objective_from_text(ROSENBROCK), Rect(-2, 2, -1, 3), 128)
    lc = log_colours(fields.f, (0.0, 1.0))
    linear = (fields.f - np.nanmin(fields.f)) / (np.nanmax(fields.f) - np.nanmin(fields.f))
    # the median sample sits in the lowest tenth of a linear scale, mid-way on the log one
    assert np.nanmedian(linear) < 0.1 and 0.3 < np.nanmedian(lc.image) < 0.8
    assert np.all(np.diff(lc.levels) > 0) and lc.levels[0] < 5 < 1000 < lc.levels[-1]
    # the colour order is f's order
    order = np.argsort(fields.f.ravel())
    assert np.all(np.diff(lc.image.ravel()[order]) >= -1e-12)
    assert [label for _, label in lc.ticks][1:] == ["1", "10", "100", "1e+03"]
    assert lc.scale.values(lc.image[5, 7]) == pytest.approx(fields.f[5, 7])


# --- the window --------------------------------------------------------------------------
@pytest.fixture
def window(qtbot, tmp_path):
    return open_window(qtbot, tmp_path)


def type_function(qtbot, window, text):
    fitter = window.fitter
    with qtbot.waitSignal(fitter.fitted, timeout=20_000):
        window.editor.set_text(text)
    qtbot.wait(150)  # a fitted view reaches the plane


def test_a_typed_function_whose_saddle_is_off_screen_is_fitted(qtbot, window):
    session = window.session
    type_function(qtbot, window, "x**2 - y**2")
    assert session.function_text == "x**2 - y**2" and session.start == (3.1, 1.3)
    assert inside(session.rect, 0, 0) and inside(session.rect, 3.1, 1.3)
    assert "none was on screen" in window.statusBar().currentMessage()
    assert "saddle at (0, 0)" in window.statusBar().currentMessage()


def test_a_typed_function_with_its_minimum_on_screen_keeps_the_view(qtbot, window):
    session = window.session
    view = session.rect
    type_function(qtbot, window, ROSENBROCK)
    assert session.rect == view and not session.log_colour
    assert "Log colour scale" in window.statusBar().currentMessage()  # why not, and what to do


def test_no_stationary_point_is_said_in_the_status_bar(qtbot, window):
    view = window.session.rect
    type_function(qtbot, window, "x**3 + y")
    assert window.session.rect == view
    assert "no stationary point found" in window.statusBar().currentMessage()


def test_the_fit_view_command_fits_and_picks_the_colour_scale(qtbot, window):
    session = window.session
    type_function(qtbot, window, ROSENBROCK)
    assert window.fit_action.shortcut().toString() == "Ctrl+F"
    assert window.fit_action in window.findChild(type(window.addToolBar("x")),
                                                 "toolbar_overlays").actions()
    with qtbot.waitSignal(window.fitter.fitted, timeout=20_000):
        window.fit_action.trigger()
    qtbot.wait(150)
    assert inside(session.rect, 1, 1) and inside(session.rect, 3.1, 1.3)
    assert session.rect.width < 5  # closer than Example 3's view
    assert session.log_colour and window.log_action.isChecked()


def test_a_preset_is_never_refitted(qtbot, window):
    session = window.session
    session.load("x**2 + y**2", Rect(5, 6, 5, 6), (5.5, 5.5))  # as a preset or a file does
    wait_for_function(qtbot, session, "x**2 + y**2")
    qtbot.wait(300)
    assert session.rect.xmin >= 4 and session.rect.ymin >= 4
    assert not window.fitter.job.running


def test_the_log_colour_scale_on_the_plane(qtbot, window):
    session, view = window.session, window.plot_view
    session.load(ROSENBROCK, Rect(-2, 2, -1, 3), (-1.2, 1.0))
    wait_for_function(qtbot, session, ROSENBROCK)
    qtbot.waitUntil(lambda: view.bundle is not None and view.bundle.objective is session.objective,
                    timeout=20_000)
    assert np.array_equal(view.image.image, view.bundle.fields.f, equal_nan=True)  # linear
    with qtbot.waitSignal(view.fields_shown, timeout=20_000):
        window.log_action.trigger()
    payload = view.bundle.payloads["log_colours"]
    assert session.log_colour
    assert np.array_equal(view.image.image, payload.colours.image, equal_nan=True)
    assert view.bar.levels() == (0.0, 1.0)
    assert "log" in view.bar.axis.labelText
    assert np.array_equal(view.contours.getData()[0], payload.lines[0], equal_nan=True)
    window.log_action.trigger()  # back to linear: no new fields needed
    assert not session.log_colour
    # f itself (the colour bar's new label may have widened the view meanwhile: new fields)
    assert np.array_equal(view.image.image, view.bundle.fields.f, equal_nan=True)
    assert view.bar.axis.labelText == "f"


def test_no_stationary_point_names_the_searched_box_in_short_numbers():
    region = interesting_region(objective_from_text("x + y"), Rect(-0.3123, 6.531, -1.07, 4.52),
                                (3.1, 1.3))
    assert region.rect is None
    assert region.message == ("no stationary point found in [-10, 13.37] x [-10, 10.11]: "
                              "the view is kept")
