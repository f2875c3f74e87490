"""One background job: the latest request wins.

Every request gets a generation number. A running job sees a newer request (or a cancel)
through its ticket and may stop early; a job that starts after a newer request does no work;
a result that arrives after a newer request is dropped. Requests may wait for a pause
(debounce). Progress comes back as (done, total); an exception in the work comes back as a
result with an error, never raised into Qt's event loop. The fields of the plane, the basins
and every later background computation use this one helper.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal


@dataclass(frozen=True)
class JobResult:
    """What a job returned (value), or why it failed (error, in words)."""

    generation: int
    value: object = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


class Ticket:
    """Handed to the work function: is this request still wanted, and how far it got."""

    def __init__(self, job: Job, generation: int):
        self._job, self.generation = job, generation

    def cancelled(self) -> bool:
        """True once a newer request or a cancel superseded this one."""
        return self.generation != self._job.generation

    def progress(self, done: int, total: int) -> None:
        self._job._signals.progress.emit(self.generation, int(done), int(total))

    def partial(self, value: object) -> None:
        """Hand a part of the result to the GUI thread before the work ends (a run of a
        sweep, drawn as soon as it is measured)."""
        self._job._signals.partial.emit(self.generation, value)


Work = Callable[[Ticket], object]


class _Signals(QObject):
    done = Signal(object)  # JobResult
    progress = Signal(int, int, int)  # generation, done, total
    partial = Signal(int, object)  # generation, a part of the result


class _Runnable(QRunnable):
    def __init__(self, ticket: Ticket, work: Work):
        super().__init__()
        self.ticket, self.work = ticket, work

    def run(self):  # worker thread: never let an exception escape into Qt
        ticket = self.ticket
        if ticket.cancelled():
            return  # a newer request exists
        try:
            result = JobResult(ticket.generation, self.work(ticket))
        except Exception as exc:  # noqa: BLE001 - reported as a result, never raised
            result = JobResult(ticket.generation, error=str(exc) or type(exc).__name__)
        if not ticket.cancelled():
            ticket._job._signals.done.emit(result)


class Job(QObject):
    """Runs work(ticket) on one worker thread; emits finished(JobResult) on the GUI thread
    for the latest request only."""

    finished = Signal(object)  # JobResult
    progress = Signal(int, int)  # done, total (of the latest request)
    partial = Signal(object)  # a part of the latest request's result (Ticket.partial)
    running_changed = Signal(bool)

    def __init__(self, debounce_ms: int = 0, parent: QObject | None = None):
        super().__init__(parent)
        self.generation = 0
        self.running = False
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)  # one at a time; newer requests supersede
        self._signals = _Signals()
        self._signals.done.connect(self._deliver)
        self._signals.progress.connect(self._progress)
        self._signals.partial.connect(self._partial)
        self._pending: Work | None = None
        self._timer = QTimer(self, singleShot=True, interval=debounce_ms)
        self._timer.timeout.connect(self._launch)

    def request(self, work: Work, now: bool = False, delay_ms: int | None = None) -> int:
        """Run work(ticket) after the debounce (now: at once); returns its generation.

        The running job, if any, sees its ticket cancelled at once.
        """
        self.generation += 1
        self._pending = work
        self._set_running(True)
        if now:
            self._timer.stop()
            self._launch()
        else:
            self._timer.start(self._timer.interval() if delay_ms is None else delay_ms)
        return self.generation

    def cancel(self) -> None:
        """Forget the pending request and tell the running job to stop; nothing is delivered."""
        self.generation += 1
        self._timer.stop()
        self._pending = None
        self._set_running(False)

    def busy(self) -> bool:
        """True while a request waits or a job runs (stale ones included)."""
        return self._timer.isActive() or self.pool.activeThreadCount() > 0

    def wait(self, msecs: int = 10_000) -> bool:
        """Block until the running job finished (tests, shutdown)."""
        return self.pool.waitForDone(msecs)

    def _launch(self) -> None:
        work, self._pending = self._pending, None
        if work is not None:
            self.pool.start(_Runnable(Ticket(self, self.generation), work))

    def _deliver(self, result: JobResult) -> None:
        if result.generation == self.generation:
            self._set_running(False)
            self.finished.emit(result)

    def _progress(self, generation: int, done: int, total: int) -> None:
        if generation == self.generation and self.running:
            self.progress.emit(done, total)

    def _partial(self, generation: int, value: object) -> None:
        if generation == self.generation and self.running:
            self.partial.emit(value)

    def _set_running(self, on: bool) -> None:
        if on != self.running:
            self.running = on
            self.running_changed.emit(on)
