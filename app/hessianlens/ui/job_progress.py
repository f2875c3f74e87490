"""A progress bar and a Cancel button for a background job, shown while it runs."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QToolButton, QWidget


class JobProgress(QWidget):
    """Follows a jobs.Job: visible while it runs, its progress in the bar; Cancel calls cancel."""

    def __init__(self, job, cancel, what: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(160)
        self.bar.setFormat(f"{what} %p%")
        self.cancel = QToolButton()
        self.cancel.setText("Cancel")
        self.cancel.setToolTip(f"Stop computing the {what}")
        self.cancel.clicked.connect(cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel)
        job.progress.connect(self._progress)
        job.running_changed.connect(self._running)
        self._running(job.running)

    def _progress(self, done: int, total: int) -> None:
        self.bar.setMaximum(total)
        self.bar.setValue(done)

    def _running(self, on: bool) -> None:
        self.bar.setValue(0)
        self.setVisible(on)
