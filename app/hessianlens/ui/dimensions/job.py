"""A sweep over n run off the GUI thread, with progress and cancel (latest request wins).

Self-contained on purpose: the same shape as the field and basin workers (a QThreadPool of
one thread, a generation number that a newer request or cancel() advances, stale results
dropped), small enough to move onto a shared job helper later.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from hessianlens.engine.ndim.sweep import SweepSettings, run_sweep


class _Signals(QObject):
    progress = Signal(int, int, int, object)  # generation, runs done, runs in all, RunResult
    done = Signal(int, object)  # generation, Sweep
    failed = Signal(int, str)


class _Job(QRunnable):
    def __init__(self, owner: "SweepRunner", generation: int, settings: SweepSettings):
        super().__init__()
        self.owner, self.generation, self.settings = owner, generation, settings

    def _stale(self) -> bool:
        return self.generation != self.owner.generation

    def run(self):  # worker thread: never let an exception escape into Qt
        signals = self.owner.signals
        if self._stale():
            return
        try:
            sweep = run_sweep(self.settings, lambda done, total, r: signals.progress.emit(
                self.generation, done, total, r), cancel=self._stale)
        except Exception as exc:  # noqa: BLE001 - shown in the tab, never raised
            signals.failed.emit(self.generation, f"the sweep failed: {exc}")
            return
        signals.done.emit(self.generation, sweep)


class SweepRunner(QObject):
    """start(settings) runs a sweep in the background; signals arrive on the GUI thread."""

    progress = Signal(int, int, object)  # runs done, runs in all, the RunResult just finished
    finished = Signal(object)  # Sweep
    failed = Signal(str)
    running_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.generation = 0
        self.running = False
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.signals = _Signals()
        self.signals.progress.connect(self._progress)
        self.signals.done.connect(self._done)
        self.signals.failed.connect(self._failed)

    def start(self, settings: SweepSettings) -> int:
        self.generation += 1
        self.pool.start(_Job(self, self.generation, settings))
        self._set_running(True)
        return self.generation

    def cancel(self) -> None:
        """The running sweep stops at its next iteration; its result is dropped."""
        self.generation += 1
        self._set_running(False)

    def wait(self, msecs: int = 30_000) -> bool:
        return self.pool.waitForDone(msecs)

    def _set_running(self, on: bool) -> None:
        if on != self.running:
            self.running = on
            self.running_changed.emit(on)

    def _progress(self, generation: int, done: int, total: int, result) -> None:
        if generation == self.generation:
            self.progress.emit(done, total, result)

    def _done(self, generation: int, sweep) -> None:
        if generation == self.generation:
            self._set_running(False)
            self.finished.emit(sweep)

    def _failed(self, generation: int, message: str) -> None:
        if generation == self.generation:
            self._set_running(False)
            self.failed.emit(message)
