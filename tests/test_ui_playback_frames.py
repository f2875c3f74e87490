"""What a playback frame does: a dock behind a tab does no work on a step (pytest-qt;
assertions on plot data and state)."""

import pytest

from uihelpers import open_window, settle


@pytest.fixture
def window(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path)
    w.resize(1600, 1000)
    qtbot.waitUntil(lambda: w.width() >= 1500, timeout=5_000)
    settle(qtbot, w)
    return w


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
