"""Functions are built off the GUI thread: the window keeps responding, the newest text wins,
an error keeps the old function (pytest-qt; the real worker processes, and a hand-driven
build where the order of events must be exact)."""

import threading
import time

import pytest
from PySide6.QtCore import QThread, QTimer, Qt
from PySide6.QtWidgets import QApplication

from hessianlens.engine.build import LINE_KIND, BuildCancelled
from hessianlens.engine.errors import ExpressionError
from hessianlens.engine.fields import Rect
from hessianlens.ui.builds import LatestBuilder, build_in_process
from hessianlens.ui.session import Session
from uihelpers import temp_settings, wait_for_function

# About a second of sympy's work here (each factor multiplies the Hessian's terms), accepted
# by the cost guards; the tests give it a generous budget so that a slow machine agrees.
SLOW = "*".join(f"sin({i}*x + y)" for i in range(1, 13))
SLOW_1D = "*".join(f"sin({i}*w + 1)" for i in range(1, 12))
BUDGET_S = 30.0


@pytest.fixture
def window(qtbot, tmp_path):
    from hessianlens.ui.main_window import MainWindow
    from hessianlens.ui.session_io import default_state

    session = Session.from_state(default_state(), builder=LatestBuilder(budget_s=BUDGET_S))
    w = MainWindow(session=session, settings=temp_settings(tmp_path))
    qtbot.addWidget(w)
    w.show()
    wait_for_function(qtbot, session)
    qtbot.waitUntil(lambda: w.plot_view.bundle is not None, timeout=20_000)
    return w


def apply_typed(qtbot, editor, text):
    editor.edit.setFocus()
    editor.edit.selectAll()
    qtbot.keyClicks(editor.edit, text)
    qtbot.keyClick(editor.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def ticks_while(qtbot, busy, msecs: int) -> list[tuple[float, bool]]:
    """Run the event loop for msecs with a 10 ms timer: (time, busy()) at every tick."""
    ticks = []
    timer = QTimer(interval=10)
    timer.timeout.connect(lambda: ticks.append((time.monotonic(), busy())))
    timer.start()
    qtbot.wait(msecs)
    timer.stop()
    return ticks


def test_an_expensive_function_builds_while_typing_goes_on_and_the_newest_text_wins(
        qtbot, window):
    session, editor = window.session, window.editor
    before = session.function_text
    apply_typed(qtbot, editor, SLOW)
    # Ctrl+Enter came back at once: the text is being built elsewhere, the old function stays.
    assert session.pending_function() and session.requested_function == SLOW
    assert session.function_text == before
    ticks = ticks_while(qtbot, session.pending_function, 300)
    busy = [t for t, pending in ticks if pending]
    assert len(busy) >= 5  # the event loop kept turning while the build ran
    assert max(b - a for a, b in zip(busy, busy[1:])) < 0.25
    # The user types on: every key lands in the editor while the build runs ...
    editor.edit.selectAll()
    qtbot.keyClicks(editor.edit, "x**2 + 3*y**2")
    assert editor.text() == "x**2 + 3*y**2" and session.requested_function == SLOW
    # ... and the newer text, once applied, supersedes the expensive one for good.
    qtbot.keyClick(editor.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_for_function(qtbot, session, "x**2 + 3*y**2")
    qtbot.wait(1500)  # long enough for the first build to have ended, had it not been stopped
    assert session.function_text == "x**2 + 3*y**2" and not session.pending_function()
    qtbot.waitUntil(lambda: "6*y" in editor.derivatives.text(), timeout=5_000)


def test_a_refused_text_keeps_the_old_function_and_shows_why(qtbot, window):
    session, editor, view = window.session, window.editor, window.plot_view
    before, bundle = session.function_text, view.bundle
    with qtbot.waitSignal(session.function_error, timeout=20_000) as error:
        apply_typed(qtbot, editor, "sin(x) + log(")
    assert isinstance(error.args[0], ExpressionError)
    assert session.function_text == before and view.bundle is bundle
    assert editor.error.isVisible() and "column" in editor.error.text()
    assert "Not a function" in window.statusBar().currentMessage()


def test_the_one_step_page_builds_off_the_gui_thread_and_the_newest_text_wins(qtbot, window):
    page = window.onestep_view
    page.builder.budget_s = BUDGET_S
    qtbot.waitUntil(lambda: page.function is not None, timeout=20_000)
    first = page.numbers["f"].text()
    page.set_function_text(SLOW_1D)
    assert page.building() and page.numbers["f"].text() == first  # came back at once
    busy = [t for t, b in ticks_while(qtbot, page.building, 200) if b]
    assert len(busy) >= 5
    page.controls.text.setText("w**4 - w")  # typed before the expensive one is done
    qtbot.waitUntil(lambda: not page.building(), timeout=20_000)
    qtbot.wait(1500)
    assert page.numbers["f"].text() == "w**4 - w" and page.function.text == "w**4 - w"
    page.controls.text.setText("w +* 2")
    qtbot.waitUntil(lambda: "column" in page.controls.error.text(), timeout=20_000)
    assert page.function.text == "w**4 - w" and page.numbers["f"].text() == "w**4 - w"


# --- the session's rules, with builds finished by hand (in any order, from other threads) --
class HandBuild:
    """A build the test finishes itself, calling back from another thread as the engine's
    helper thread does."""

    def __init__(self, text, make=build_in_process):
        self.text, self.make, self.cancelled, self._callbacks = text, make, False, []
        self._value = self._error = None

    def add_done_callback(self, fn):
        self._callbacks.append(fn)

    def cancel(self):
        self.cancelled = True

    def result(self, timeout=None):
        if self.cancelled:
            raise BuildCancelled("cancelled")
        if self._error is not None:
            raise self._error
        return self._value

    def finish(self):
        try:
            self._value = self.make(self.text)
        except ExpressionError as exc:
            self._error = exc
        thread = threading.Thread(target=lambda: [fn(self) for fn in self._callbacks])
        thread.start()
        thread.join()


@pytest.fixture
def hand(qtbot):
    builds = []

    def submit(text, _kind, _budget):
        builds.append(HandBuild(text))
        return builds[-1]

    session = Session.from_state(Session("x**2 + y**2", Rect(-2, 2, -2, 2), (1.0, 1.0)).state,
                                 builder=LatestBuilder(submit=submit))
    builds.pop().finish()
    qtbot.waitUntil(lambda: session.objective is not None)
    return session, builds


def test_a_newer_text_wins_whatever_order_the_builds_end_in(qtbot, hand):
    session, builds = hand
    session.set_function("x**2 + 2*y**2")
    session.set_function("x**2 + 3*y**2")
    older, newer = builds
    assert older.cancelled and not newer.cancelled
    newer.finish()
    qtbot.waitUntil(lambda: session.function_text == "x**2 + 3*y**2")
    older.cancelled = False  # even an older build that ends after all is ignored
    older.finish()
    qtbot.wait(50)
    assert session.function_text == "x**2 + 3*y**2" and not session.pending_function()


def test_changes_made_while_a_function_builds_apply_at_once_and_stay(qtbot, hand):
    session, builds = hand
    changed = []
    session.function_changed.connect(lambda: changed.append(QThread.currentThread()))
    session.load("(x - 1)**2 + y**2", Rect(-3, 3, -3, 3), (2.0, 2.0))  # a preset: all or none
    assert session.rect == Rect(-2, 2, -2, 2) and session.start == (1.0, 1.0)
    session.set_start((0.5, -0.5))  # the user clicks meanwhile: applied now, with the old f
    assert session.start == (0.5, -0.5) and session.function_text == "x**2 + y**2"
    builds[-1].finish()
    qtbot.waitUntil(lambda: session.function_text == "(x - 1)**2 + y**2")
    # The preset's view came with its function; the click made meanwhile was not undone.
    assert session.rect == Rect(-3, 3, -3, 3) and session.start == (0.5, -0.5)
    assert session.trajectories["newton"].points[0].tolist() == [0.5, -0.5]
    assert changed == [QApplication.instance().thread()]  # on the GUI thread


def test_a_refused_build_keeps_everything_and_says_so(qtbot, hand):
    session, builds = hand
    outcomes = []
    session.load("x**2 + * y", Rect(-3, 3, -3, 3), then=outcomes.append)
    with qtbot.waitSignal(session.function_error) as error:
        builds[-1].finish()
    assert "x**2 + * y" == error.args[0].text and outcomes == [error.args[0]]
    assert session.function_text == "x**2 + y**2" and session.rect == Rect(-2, 2, -2, 2)


def test_typing_the_current_function_back_stops_the_build(qtbot, hand):
    session, builds = hand
    session.set_function("x**4 + y**2")
    session.set_function("x**2 + y**2")  # back to what is shown
    assert builds[-1].cancelled and not session.pending_function()
    assert session.function_text == "x**2 + y**2"


def test_the_one_step_page_shows_its_function_once_built(qtbot):
    from hessianlens.engine.linefunction import line_function
    from hessianlens.ui.onestep_view import OneStepView

    builds = []

    def submit(text, kind, _budget):
        assert kind == LINE_KIND
        builds.append(HandBuild(text, line_function))
        return builds[-1]

    page = OneStepView(builder=LatestBuilder(LINE_KIND, submit=submit))
    qtbot.addWidget(page)
    assert page.function is None and page.numbers["eta"].text() == ""  # nothing yet
    builds[-1].finish()
    qtbot.waitUntil(lambda: page.numbers["eta"].text() == "-0.5")
    assert page.numbers["w_star"].text() == "-1" and not page.building()


def test_a_build_done_before_anyone_listens_is_delivered_when_the_loop_turns(qtbot):
    class Finished(HandBuild):
        """Already built when submit() asks, as a busy machine can make it: the engine then
        calls back at once, from the caller's thread."""

        def __init__(self, text):
            super().__init__(text)
            self._error = ExpressionError("not a function", 0, 1, text)

        def add_done_callback(self, fn):
            fn(self)

    results = []
    builder = LatestBuilder(submit=lambda text, _kind, _budget: Finished(text))
    builder.submit("import os", lambda value, error: results.append(error))
    assert results == []  # not inside submit(): its caller may not be listening yet
    qtbot.waitUntil(lambda: len(results) == 1)
    assert results[0].text == "import os" and not builder.busy()
