"""What a playback frame does: the arrowheads come from one computation per run and zoom, a
dock behind a tab does no work on a step, a path is drawn in a still and a live part, and the
parts that change on every step (key, counter, inspector) look as if drawn afresh (pytest-qt;
assertions on plot data and state)."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from hessianlens.ui.arrows import arrow_segments, arrows_kept, first_arrows
from hessianlens.ui.steady_label import SteadyLabel
from hessianlens.ui.trajectories import STILL_STEPS
from uihelpers import data_to_viewport, open_window, settle, wait_for_function


def prefix_heads(p, pixel_size, **kw):
    d = np.diff(p, axis=0)
    return arrow_segments(p[:-1, 0], p[:-1, 1], d[:, 0], d[:, 1], pixel_size, **kw)


@pytest.mark.parametrize("kw", [dict(head_px=9, shafts=False, head_at=0.6, min_px=14),
                                dict(head_px=8, shafts=True, min_px=1)])
def test_the_first_n_arrows_are_those_drawn_for_n_arrows_alone(kw):
    rng = np.random.default_rng(3)
    p = rng.normal(size=(60, 2))
    p[10] = np.nan  # a non-finite iterate: its two steps have no head
    p[20:25] = p[20] + 1e-4 * rng.normal(size=(5, 2))  # steps too short for a head
    d = np.diff(p, axis=0)
    args = (p[:-1, 0], p[:-1, 1], d[:, 0], d[:, 1], (0.01, 0.02))
    xs, ys = arrow_segments(*args, **kw)
    kept = arrows_kept(*args, min_px=kw["min_px"])
    assert 0 < kept.sum() < len(kept)
    for n in range(len(p)):
        want = prefix_heads(p[:n + 1], (0.01, 0.02), **kw)
        got = first_arrows(xs, ys, kept, n)
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])


@pytest.fixture
def window(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path)
    w.resize(1600, 1000)
    qtbot.waitUntil(lambda: w.width() >= 1500, timeout=5_000)
    settle(qtbot, w)
    return w


def test_every_step_shows_the_heads_of_the_steps_shown(qtbot, window):
    session, view = window.session, window.plot_view
    session.reset()
    for k in range(session.last_step + 1):
        session.set_step(k)
        for name, path in view.trajectories.paths.items():
            p = session.trajectories[name].points[:k + 1]
            want = prefix_heads(p, view.trajectories.pixel_size, head_px=9, shafts=False,
                                head_at=0.6, min_px=14) if len(p) > 1 else ([], [])
            x, y = path.heads.xData, path.heads.yData
            x = np.asarray([] if x is None else x)
            y = np.asarray([] if y is None else y)
            assert np.array_equal(x, want[0]) and np.array_equal(y, want[1]), (name, k)


def test_the_rates_dock_behind_a_tab_does_no_work_on_a_step(qtbot, window):
    panel, session = window.rates_panel, window.session
    assert not (panel.active and panel.isVisible())  # behind the inspector's neighbours
    session.reset()
    qtbot.wait(50)
    shown = panel.rates
    for _ in range(3):
        session.step_forward()
        assert not panel._timer.isActive()  # nothing scheduled for the hidden dock
    qtbot.wait(50)
    assert panel.rates is shown
    # In front again, it shows the rates at the iterate of the current step.
    dock = window.docks["rates"]
    dock.show()
    dock.raise_()
    it = session.selected_iterate()
    qtbot.waitUntil(lambda: panel.rates is not None and panel.rates is not shown
                    and panel.rates.point == pytest.approx(tuple(it.x)), timeout=5_000)


# --- what a playback frame redraws, and what it leaves alone --------------------------------

def load(window, function, rect, start, rates):
    from hessianlens.engine.fields import Rect

    window.session.load(function, Rect(*rect), start, rates)
    wait_for_function(window.qtbot, window.session, function)


@pytest.fixture
def slope(qtbot, window):
    """Gradient descent down a plane: the same step every time, iterates far apart on screen
    for all its steps."""
    window.qtbot = qtbot
    load(window, "x + 2*y", (-4.0, 4.0, -4.0, 4.0), (3.5, 3.5), {"gd": 0.05, "newton": 1.0})
    settle(qtbot, window)
    return window


def test_the_path_shows_every_iterate_up_to_the_step_in_a_still_and_a_live_part(slope):
    session, view = slope.session, slope.plot_view
    path = view.trajectories.paths["gd"]
    assert session.trajectories["gd"].steps_taken > 2 * STILL_STEPS + 3
    for k in range(2 * STILL_STEPS + 4):
        session.set_step(k)
        shown = session.trajectories["gd"].points[:k + 1]
        assert np.array_equal(path.drawn_points(), shown)
        cut = (k // STILL_STEPS) * STILL_STEPS  # the still part ends on a multiple of it
        assert len(path.still_dots.data) == cut + 1 and len(path.live_dots.data) == k - cut
        assert np.array_equal(path.still.xData, shown[:cut + 1, 0])
        assert np.array_equal(path.live.xData, shown[cut:, 0])
        (spot,) = path.current.data  # the current iterate's marker
        assert (spot["x"], spot["y"]) == tuple(shown[-1])
    assert path.still_dots.cacheMode() == path.still_dots.CacheMode.DeviceCoordinateCache


def test_clicking_an_iterate_in_either_part_selects_it(qtbot, slope):
    session, view = slope.session, slope.plot_view
    session.select("newton")
    session.set_step(STILL_STEPS + 4)
    pts = session.trajectories["gd"].points[:STILL_STEPS + 5]
    pixels = np.array([[p.x(), p.y()] for p in (data_to_viewport(view, *xy) for xy in pts)])
    for k in (3, STILL_STEPS + 2):  # one in the still part, one in the live part
        others = np.delete(pixels, k, axis=0)
        assert np.min(np.hypot(*(others - pixels[k]).T)) > 8  # alone under the cursor
        session.set_step(STILL_STEPS + 4)
        session.select("newton")
        qtbot.mouseClick(view.graphics.viewport(), Qt.MouseButton.LeftButton,
                         pos=data_to_viewport(view, *pts[k]))
        assert session.selected_method == "gd" and session.step == k


def test_a_key_labels_new_words_are_drawn_as_a_new_label_draws_them(qtbot):
    import html

    import pyqtgraph as pg

    from hessianlens.ui.legend import LegendBox, set_words

    box = LegendBox(text_size="9pt")
    item = pg.PlotDataItem([0, 1], [0, 0])
    box.set_entries([(item, "Newton (lr 1): step 3")])
    (_, _, label), = box.entries
    height = label.height()
    for words in ("Newton (lr 1): step 12", "det H < 0 & <b>not bold</b>", "step 13"):
        set_words(label, words)
        fresh = pg.LabelItem(html.escape(words, quote=False), color="k", size="9pt")
        assert label.item.toHtml() == fresh.item.toHtml()
        assert label.item.boundingRect() == fresh.item.boundingRect()
        assert label.height() == height
    box.set_entries([(item, "Newton (lr 1): step 14")])
    assert box.labels() == ["Newton (lr 1): step 14"]


def test_the_step_counter_shows_every_step_whole(qtbot, window):
    counter, session = window.playback.counter, window.session
    holder = window.playback.counter_widget
    session.reset()
    for k in range(session.last_step + 1):
        session.set_step(k)
        assert counter.text() == f" step {k} / {session.last_step} "
        # Laid out anew, once the toolbar has heard of a wider text (not cut).
        qtbot.waitUntil(lambda: counter.width() >= counter.sizeHint().width(), timeout=2_000)
        assert holder.size() == counter.size()


def test_the_inspector_is_laid_out_as_afresh_after_every_step(qtbot, window):
    from PySide6.QtCore import QPoint

    inspector, session = window.inspector, window.session
    holders = [*inspector.findChildren(SteadyLabel)]
    assert len(holders) == len(inspector.values) + 1  # every value and the heading

    def places():
        return {name: (value.mapTo(inspector, QPoint(0, 0)), value.size())
                for name, value in [*inspector.values.items(), ("heading", inspector.heading)]
                if value.isVisible()}

    session.reset()
    for k in range(0, session.last_step + 1, 3):
        session.set_step(k)
        qtbot.waitUntil(lambda: inspector.iterate is session.selected_iterate())
        # the numdifftools rows arrive from a worker and may wrap to two lines: measure
        # once they are in
        qtbot.waitUntil(lambda: not inspector.busy(), timeout=10000)
        qtbot.wait(20)
        shown = places()
        for holder in holders:  # the layout hears of every size again
            holder.updateGeometry()
        qtbot.wait(20)
        assert places() == shown, k
