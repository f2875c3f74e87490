"""Function builds off the GUI thread, for the window: the latest text wins.

A text is built by hessianlens.engine.build in a worker process with a time limit, so that
typing stays responsive whatever the text costs. The engine calls back from a helper thread;
this object hands the result to the GUI thread through a queued signal, and only for the
newest text: submitting a text cancels the build of the one before (its worker is killed).
Nothing here touches a widget from another thread.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal

from hessianlens.engine.build import DEFAULT_BUDGET_S, PLANE_KIND, BuildCancelled, LatestBuild
from hessianlens.engine.errors import ExpressionError

# fn(value, error): the built Objective (or LineFunction) and None, or None and the error.
Done = Callable[[object, ExpressionError | None], None]


def build_in_process(text: str):
    """An Objective built at once in this process, without a time limit (for texts we
    trust: a session without a builder, the command line's, tests)."""
    from hessianlens.engine.objective import objective_from_text

    return objective_from_text(text)


class LatestBuilder(QObject):
    """Builds one text at a time in the background; calls back on the GUI thread."""

    _finished = Signal(object)  # the engine's BuildHandle, emitted from its helper thread

    def __init__(self, kind: str = PLANE_KIND, budget_s: float = DEFAULT_BUDGET_S,
                 submit=None, parent: QObject | None = None):
        super().__init__(parent)
        self.kind, self.budget_s = kind, budget_s
        # The engine's latest-wins build; submit: (text, kind, budget_s) -> a handle like
        # engine.build.submit's (tests give a stand-in).
        self._latest = LatestBuild(kind, budget_s, start=submit)
        self._done: Done | None = None
        self.text: str | None = None  # the text being built
        # Always queued: the engine calls back from its helper thread, or from this thread
        # when the build has finished before submit() asked (a busy machine can pause this
        # thread that long). Delivered at once, the result would reach a caller that is still
        # being set up (a window not yet listening for errors).
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def submit(self, text: str, done: Done) -> None:
        """Build text; done(value, error) runs on this object's thread once it is built,
        unless another text is submitted (or cancel() is called) first."""
        self.text, self._done = text, done
        self._latest.submit(text).add_done_callback(self._post)  # cancels the one before

    def _post(self, handle) -> None:  # the engine's helper thread
        try:
            self._finished.emit(handle)
        except RuntimeError:  # this object is gone (the window closed): nobody waits
            pass

    def cancel(self) -> None:
        """Forget the running build (its worker process is killed); nothing is delivered."""
        self._done, self.text = None, None
        self._latest.cancel()

    def busy(self) -> bool:
        """True while a build is running."""
        return self._latest.current is not None

    def _deliver(self, handle) -> None:
        if handle is not self._latest.current:
            return  # superseded or cancelled
        done, self._latest.current, self._done, self.text = self._done, None, None, None
        try:
            value = handle.result(0)
        except BuildCancelled:
            return
        except ExpressionError as exc:
            done(None, exc)
            return
        done(value, None)
