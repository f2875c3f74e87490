"""The window's bound on tracing: a change answers within about a second however many steps
the methods may take, and says where it stopped (pytest-qt)."""

from hessianlens.engine.trajectory import MAX_STEPS, TIME_LIMIT
from hessianlens.ui.trajectories import TRACE_SECONDS
from uihelpers import open_window


def test_a_huge_step_limit_is_traced_for_a_bounded_time_and_says_so(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    session = window.session
    assert session.trace_seconds == TRACE_SECONDS
    session.trace_seconds = 0.05  # the same bound, quicker to reach
    session.update_method("gd", learning_rate=1e-5, max_steps=100_000)
    gd = session.trajectories["gd"]
    assert gd.status == TIME_LIMIT and 0 < gd.steps_taken < 100_000
    assert session.trajectories["newton"].status != TIME_LIMIT  # Newton needs a few steps
    session.set_step(session.last_step)
    label = window.plot_view.legend.labels()[0]
    assert label.startswith("Gradient descent") and "out of time" in label
    message = window.statusBar().currentMessage()
    assert message.startswith("Stopped tracing (Gradient descent after ") and \
        "of 100000" in message and "hessianlens trace" in message
    session.update_method("gd", max_steps=100)  # within the bound again: no note
    assert session.trajectories["gd"].status == MAX_STEPS


def test_a_session_outside_the_window_traces_whole(qtbot):
    """The exports' and the command line's sessions have no bound: a picture or a file
    shows every step asked for, however long it takes."""
    from hessianlens.engine.fields import Rect
    from hessianlens.ui.session import Session

    session = Session("x**2 + 3*y**2", Rect(-2, 2, -2, 2), (1.0, 1.0))
    assert Session.trace_seconds is None
    session.update_method("gd", learning_rate=1e-6, max_steps=3000, tol=1e-12)
    gd = session.trajectories["gd"]
    assert gd.status == MAX_STEPS and gd.steps_taken == 3000
