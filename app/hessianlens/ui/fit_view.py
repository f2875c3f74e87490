"""'Fit view': show where a function is worth looking at (engine/region.py finds it).

The command fits the view to the start and the stationary points nearest it, and puts f's
colours on a log scale where a linear one would hide the valley. A typed function (one that
comes without a view or start of its own, unlike a preset or a session file) is fitted by
itself when none of its stationary points is on screen; when it is not, the status bar says
why. The search runs off the GUI thread (a jobs.Job): the window never waits for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence

from hessianlens.engine.fields import Rect
from hessianlens.engine.objective import Objective
from hessianlens.engine.region import Region, interesting_region
from hessianlens.ui.jobs import Job, JobResult
from hessianlens.ui.session import Session


@dataclass(frozen=True)
class _Search:
    objective: Objective
    view: Rect
    typed: bool  # asked for by a typed function, not by the command
    region: Region | None = None


class ViewFitter(QObject):
    """The Fit view action, and the fit after a typed function."""

    message = Signal(str)  # for the status bar
    fitted = Signal()  # a search finished (and the view was fitted, or the reason said)

    def __init__(self, session: Session, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.action = QAction("Fit view", self)
        self.action.setShortcut(QKeySequence("Ctrl+F"))
        tip = ("Show the start and the stationary points nearest it, with f's colours on a log "
               "scale where a linear one would hide the valley")
        self.action.setToolTip(tip)
        self.action.setStatusTip(tip)
        self.action.triggered.connect(self.fit)
        self.job = Job(0, self)
        self.job.finished.connect(self._deliver)
        self._seen = (session.rect, session.start)  # as of the previous change
        # A window builds its first function in the background: that one arrives with the
        # view it was saved with, which is the user's, not a typed function's old view.
        self._had_function = session.objective is not None
        session.function_changed.connect(self._function_changed)
        session.view_changed.connect(self._note)
        session.start_point_changed.connect(self._note)

    def _note(self) -> None:
        self._seen = (self.session.rect, self.session.start)

    def _function_changed(self) -> None:
        # Session.apply announces the new function before the view and the start: a function
        # that came with neither (typed in the editor) still sees the old ones.
        typed = self._had_function and (self.session.rect, self.session.start) == self._seen
        self._had_function = True
        self._note()
        if typed:
            self._search(typed=True)

    def fit(self) -> None:
        """Fit the view to the current function (the command)."""
        self._search(typed=False)

    def _search(self, typed: bool) -> None:
        s = self.session
        objective, view, start = s.objective, s.rect, s.start
        self.job.request(lambda _ticket: _Search(objective, view, typed,
                                                 interesting_region(objective, view, start)),
                         now=True)

    def _deliver(self, result: JobResult) -> None:
        s = self.session
        if not result.ok:
            self.message.emit(f"Fit view: {result.error}")
            self.fitted.emit()
            return
        search: _Search = result.value
        region = search.region
        if search.objective is not s.objective or (search.typed and s.rect != search.view):
            return  # the function or the view changed meanwhile
        if region.rect is None:
            self.message.emit(f"Fit view: {region.message}")
        elif search.typed and region.shows_any(s.rect):
            if region.log_colour and not s.log_colour:
                self.message.emit("f's valley is one dark colour on a linear scale: "
                                  "View > Log colour scale (Ctrl+L) shows it")
        else:
            s.update(view=region.rect, log_colour=s.log_colour or region.log_colour)
            why = "none was on screen: " if search.typed else ""
            scale = "; f's colours on a log scale" if region.log_colour else ""
            self.message.emit(f"Fit view ({why}{region.message}){scale}")
        self.fitted.emit()

    def shutdown(self) -> None:
        self.job.cancel()
        self.job.wait(5000)
