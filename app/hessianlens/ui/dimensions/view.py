"""The Dimensions tab: controls on the left; the log-log plots, the crossover words, the
numbers under the cursor and a table of every run on the right.

The engine (hessianlens.engine.ndim) runs and measures; this page starts sweeps in the
background, draws what arrives and exports it.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from hessianlens.engine.ndim.serialize import runs_to_csv
from hessianlens.engine.ndim.sweep import Sweep, SweepSettings, crossovers, seconds_text, title
from hessianlens.files import write_text_atomic
from hessianlens.ui.dimensions.controls import PROBLEM_TITLES, SweepControls
from hessianlens.ui.dimensions.job import SweepRunner
from hessianlens.ui.dimensions.plots import ScalingPlots, bytes_text

# While a sweep runs the plots are redrawn at most this often: a redraw holds the GIL that
# the measuring thread needs, and every millisecond of it lands in some run's wall time.
REDRAW_MS = 500

COLUMNS = ("n", "method", "status", "iterations", "time", "derivatives", "linear algebra",
           "f evals", "gradients", "Hessians", "H v products", "state")
COLUMN_TIPS = ("The dimension", "The method", "How the run ended",
               "Iterations to the tolerance (or until it stopped)",
               "Wall time of the run (median of up to 5 when under 50 ms)",
               "Time inside f, the gradient, the Hessian and Hessian-vector products",
               "The rest: factorisations, updates, line-search bookkeeping",
               "Evaluations of f", "Evaluations of the gradient",
               "Evaluations of the dense Hessian (n x n)",
               "Hessian-vector products (Newton-CG, the Cauchy rate)",
               "Memory the method keeps between iterations (B is n x n floats)")


def _guarded(method):
    """A slot that shows, never raises, an unexpected error: Qt's event loop must not see it."""

    @functools.wraps(method)
    def slot(self, *args):
        try:
            return method(self, *args)
        except Exception as exc:  # noqa: BLE001 (last line of defence of a Qt slot)
            self.controls.status.setText(f"internal error, please report: {exc!r}")
            return None

    return slot


def heading(s: SweepSettings) -> str:
    problem = PROBLEM_TITLES[s.problem]
    if s.problem == "quadratic":
        problem += f", \u03ba = {s.kappa:g}"
        if s.negatives:
            problem += f", {s.negatives} negative eigenvalues"
    threads = ("BLAS on 1 thread" if s.blas_threads == 1 else
               f"BLAS on {s.blas_threads} threads" if s.blas_threads else "BLAS as configured")
    return (f"{problem}: time and iterations to |grad f| \u2264 {s.tol:g} max(1, |grad f(x0)|)"
            f" ({threads})")


class DimensionsView(QWidget):
    """Is the Hessian worth it as n grows? Measured sweeps, drawn log-log."""

    sweep_shown = Signal()  # a finished sweep is on the plots

    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        if settings is None:
            from hessianlens.ui.settings import app_settings

            settings = app_settings()
        self.store = settings
        self.controls = SweepControls()
        self.controls.restore(settings)
        self.plots = ScalingPlots()
        self.hover = QLabel(" ")
        self.hover.setWordWrap(True)
        self.hover.setToolTip("The numbers of the point under the cursor")
        self.image_button = QPushButton("Export image\u2026")
        self.image_button.setToolTip("Save both plots and the crossover words as a figure: SVG, or "
                                     "PNG (the same figure, 2400 x 1520 pixels)")
        self.csv_button = QPushButton("Export CSV\u2026")
        self.csv_button.setToolTip("Save every run (n, method, status, iterations, times, "
                                   "evaluation counts, memory) as CSV, as `hessianlens scaling "
                                   "--format csv` prints it")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        for i, tip in enumerate(COLUMN_TIPS):
            self.table.horizontalHeaderItem(i).setToolTip(tip)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setToolTip("Every run of the sweep")
        self.runner = SweepRunner(self)
        self._redraw = QTimer(self, singleShot=True, interval=REDRAW_MS)
        self._redraw.timeout.connect(self._draw_partial)
        self.settings_running: SweepSettings | None = None
        self.partial: list = []
        self.sweep: Sweep | None = None

        scroll = QScrollArea()
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFixedWidth(self.controls.sizeHint().width() + 24)
        top = QWidget()
        box = QVBoxLayout(top)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.plots, 1)
        row = QHBoxLayout()
        row.addWidget(self.hover, 1)
        row.addWidget(self.image_button)
        row.addWidget(self.csv_button)
        box.addLayout(row)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(top)
        right.addWidget(self.table)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 1)
        right.setCollapsible(0, False)
        layout = QHBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(right, 1)

        self.controls.run_requested.connect(self.start)
        self.controls.cancel_requested.connect(self.cancel)
        self.runner.progress.connect(self._progress)
        self.runner.finished.connect(self._finished)
        self.runner.failed.connect(self._failed)
        self.runner.running_changed.connect(self.controls.set_running)
        self.plots.hovered.connect(lambda text: self.hover.setText(text or " "))
        self.image_button.clicked.connect(lambda: self.export_image())
        self.csv_button.clicked.connect(lambda: self.export_csv())

    # --- sweeps -------------------------------------------------------------------------------
    @_guarded
    def start(self, settings: SweepSettings | None = None) -> bool:
        """Run a sweep (the controls' settings by default) in the background."""
        settings = settings or self.controls.settings()
        try:
            settings = settings.validated()
        except ValueError as exc:
            self.controls.status.setText(str(exc))
            return False
        self.controls.save(self.store)
        self.settings_running = settings
        self.partial = []
        self.sweep = None
        self.table.setRowCount(0)
        self.plots.clear(heading(settings))
        self.controls.progress.setMaximum(len(settings.dims) * len(settings.methods))
        self.controls.status.setText("Starting\u2026")
        self.runner.start(settings)
        return True

    @_guarded
    def cancel(self) -> None:
        if not self.runner.running:
            return
        self.runner.cancel()
        self._redraw.stop()
        self.plots.show_runs(self.partial, crossovers(self.partial))
        s = self.settings_running
        self.sweep = Sweep(s, tuple(self.partial), crossovers(self.partial), cancelled=True)
        self.controls.status.setText(f"Cancelled after {len(self.partial)} of "
                                     f"{self.controls.progress.maximum()} runs; they stay on "
                                     f"the plots.")

    @_guarded
    def _progress(self, done: int, total: int, r) -> None:
        self.partial.append(r)
        self.controls.progress.setMaximum(total)
        self.controls.progress.setValue(done)
        self.controls.status.setText(f"{title(r.method)} at n = {r.n}: {r.status.replace('_', ' ')}"
                                     f" in {seconds_text(r.seconds)}")
        self._add_row(r)
        if not self._redraw.isActive():
            self._redraw.start()

    @_guarded
    def _draw_partial(self) -> None:
        if self.runner.running:
            self.plots.show_runs(self.partial, crossovers(self.partial))

    @_guarded
    def _finished(self, sweep: Sweep) -> None:
        self._redraw.stop()
        self.sweep = sweep
        self.partial = list(sweep.runs)
        self.plots.show_runs(sweep.runs, sweep.crossovers, heading(sweep.settings))
        failed = sum(not r.converged for r in sweep.runs)
        note = f"; {failed} runs did not reach the tolerance" if failed else ""
        self.controls.status.setText(f"{len(sweep.runs)} runs in {seconds_text(sweep.seconds)}"
                                     f"{note}.")
        self.sweep_shown.emit()

    def _failed(self, message: str) -> None:
        self.controls.status.setText(message)

    def _add_row(self, r) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        cells = (r.n, title(r.method), r.status.replace("_", " "), r.iterations,
                 seconds_text(r.seconds), seconds_text(r.derivative_seconds),
                 seconds_text(r.linalg_seconds), r.f_evals, r.grad_evals, r.hess_evals,
                 r.hessp_evals, bytes_text(r.state_bytes))
        for col, value in enumerate(cells):
            item = QTableWidgetItem(str(value))
            item.setToolTip(r.message)
            self.table.setItem(row, col, item)

    # --- export -------------------------------------------------------------------------------
    @_guarded
    def export_image(self, path: str | None = None) -> bool:
        """Both plots and the words as PNG or SVG (by the suffix); asks for a path if none."""
        if self.sweep is None:  # empty plots are no figure (as export_csv says too)
            self.controls.status.setText("Nothing to export yet: run a sweep first.")
            return False
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export image", "scaling.png",
                                                  "PNG image (*.png);;SVG image (*.svg)")
            if not path:
                return False
        try:
            self.plots.save_image(path)
        except OSError as exc:
            self.controls.status.setText(f"Could not write {path}: {exc.strerror or exc}")
            return False
        self.controls.status.setText(f"Saved {path}")
        return True

    @_guarded
    def export_csv(self, path: str | None = None) -> bool:
        """Every run of the last sweep as CSV; asks for a path if none."""
        if self.sweep is None:
            self.controls.status.setText("Nothing to export yet: run a sweep first.")
            return False
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export CSV", "scaling.csv",
                                                  "CSV (*.csv)")
            if not path:
                return False
        try:
            write_text_atomic(path, runs_to_csv(self.sweep))
        except OSError as exc:
            self.controls.status.setText(f"Could not write {path}: {exc.strerror or exc}")
            return False
        self.controls.status.setText(f"Saved {path}")
        return True

    def shutdown(self) -> None:
        """Stop a running sweep (the window is closing) and remember the settings."""
        self.runner.cancel()
        self.runner.wait()
        self.controls.save(self.store)
