"""A sweep over n run off the GUI thread on the shared job helper (ui/jobs.py): progress with
each run as it is measured, cancel, the latest request wins."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from hessianlens.engine.ndim.sweep import SweepSettings, run_sweep
from hessianlens.ui.jobs import Job, JobResult


class SweepRunner(QObject):
    """start(settings) runs a sweep in the background; signals arrive on the GUI thread."""

    progress = Signal(int, int, object)  # runs done, runs in all, the RunResult just finished
    finished = Signal(object)  # Sweep
    failed = Signal(str)
    running_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.job = Job(parent=self)
        self.job.finished.connect(self._finished)
        self.job.partial.connect(lambda run: self.progress.emit(*run))
        self.job.running_changed.connect(self.running_changed)

    @property
    def running(self) -> bool:
        return self.job.running

    def start(self, settings: SweepSettings) -> int:
        def work(ticket):
            return run_sweep(settings, lambda done, total, r: ticket.partial((done, total, r)),
                             cancel=ticket.cancelled)
        return self.job.request(work, now=True)

    def cancel(self) -> None:
        """The running sweep stops at its next iteration; its result is dropped."""
        self.job.cancel()

    def wait(self, msecs: int = 30_000) -> bool:
        return self.job.wait(msecs)

    def _finished(self, result: JobResult) -> None:
        if result.ok:
            self.finished.emit(result.value)
        else:
            self.failed.emit(f"the sweep failed: {result.error}")
