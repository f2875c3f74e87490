"""What a playback frame does: the arrowheads come from one computation per run and zoom, and
a dock behind a tab does no work on a step (pytest-qt; assertions on plot data and state)."""

import numpy as np
import pytest

from hessianlens.ui.arrows import arrow_segments, arrows_kept, first_arrows
from uihelpers import open_window, settle


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
