"""Python's cyclic garbage collection, on the GUI thread only.

Python collects in whichever thread happens to allocate when a generation's count passes its
threshold (gc.get_threshold). The window's worker threads allocate too (fields, basins, sweeps,
the inspector's numdifftools comparison), and a collection there destroys every garbage cycle
that holds a Qt object (a closed window, a replaced plot item) on that thread, while Qt objects
must be destroyed on the thread they live in. Seen here: a worker thread importing numdifftools
collected a closed window's widgets and deadlocked with the GUI thread on Qt's mutex of signal
connections. So automatic collection is switched off and a timer on the GUI thread collects:
the young generation every tick, the older ones when their thresholds say so, as the automatic
collector would (the approach of pyqtgraph's GarbageCollector).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class GuiThreadCollector(QObject):
    """Collects garbage on the thread it lives in (the GUI thread) every INTERVAL_MS, for as
    long as it lives; stop() gives collection back to Python."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)

    def check(self) -> None:
        """Collect the young generation (cheap; a cycle dropped since the last tick goes at
        once) and, as the automatic collector would, an older one whose count (collections
        of the generation below it since its own last one) passed its threshold."""
        oldest = 0
        counts = gc.get_count()
        for generation in (1, 2):
            if 0 < self.threshold[generation] < counts[generation]:
                oldest = generation
            else:
                break
        gc.collect(oldest)

    def freeze_start_up(self) -> None:
        """Collect once, then leave every object alive now out of later collections
        (gc.freeze): the window's own long-lived objects. A full collection of a started
        window scanned them all, 92 ms measured; after this, under a millisecond."""
        gc.collect()
        gc.freeze()

    def stop(self) -> None:
        self.timer.stop()
        gc.enable()


def collect_on_gui_thread(app: QObject) -> GuiThreadCollector:
    """Collect garbage on the GUI thread of ``app`` (the QApplication) from now on."""
    collector = GuiThreadCollector(app)
    app.gui_thread_collector = collector  # noqa: B010 - lives as long as the application
    return collector
