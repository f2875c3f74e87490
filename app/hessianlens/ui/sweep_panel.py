"""The sweep dock: one method from the start point at N log-spaced learning rates, steps to
tolerance (or "diverged") against the rate, with the rates the Hessian suggests at the start
as vertical lines. Computed off the GUI thread (a jobs.Job: progress and Cancel in the status
bar); clicking the plot gives the method the swept rate nearest the click.
"""

from __future__ import annotations

import math
from html import escape

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QPushButton, QSpinBox, QWidget

from hessianlens.engine.explain import method_title
from hessianlens.engine.rates import rates_at
from hessianlens.engine.rules import make_rule
from hessianlens.engine.rules.base import LEARNING_RATE_BOUNDS
from hessianlens.engine.sweep import MAX_RATES, log_rates, sweep_rates
from hessianlens.engine.trajectory import CONVERGED, DIVERGED
from hessianlens.page_states import SweepState, sweepable
from hessianlens.ui.jobs import Job, JobResult
from hessianlens.ui import theme
from hessianlens.ui.param_editors import ScientificSpinBox
from hessianlens.ui.rate_markers import (RATES, CompactGraphics, candidate_line, in_use_line,
                                         place, scrolled_column, set_learning_rate)

DEBOUNCE_MS = 250
PROGRESS_UPDATES = 50  # progress reports per sweep, at most
DIVERGED_COLOUR, STOPPED_COLOUR = "#d62728", "#999999"


def run_sweep(objective, rule, start, rates, max_steps, tol, ticket):
    """The sweep in the worker, reporting progress now and then; None once cancelled."""
    every = max(1, max_steps // PROGRESS_UPDATES)

    def progress(done, total):
        if done % every == 0 or done == total:
            ticket.progress(done, total)
    result = sweep_rates(objective, rule, start, rates, max_steps, tol, progress=progress,
                         cancel=ticket.cancelled)
    return None if ticket.cancelled() else result


class SweepPanel(QWidget):
    """Sweeps a method's learning rate from the session's start; recomputes on change."""

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.sweep = None  # the last engine.sweep.Sweep shown
        self.active = True  # False while its dock is a hidden tab (set_active)
        self._key = None  # what the current (or last) request computes

        self.method = QComboBox()
        self.method.setToolTip("The method whose learning rate is swept (its other "
                               "parameters and tolerance come from the Methods dock)")
        self.method.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.method.setMinimumContentsLength(12)
        for name in sweepable():
            self.method.addItem(method_title(name), name)
        self.low, self.high = ScientificSpinBox(), ScientificSpinBox()
        for spin, tip in ((self.low, "The lowest rate of the sweep"),
                          (self.high, "The highest rate of the sweep")):
            spin.setRange(*LEARNING_RATE_BOUNDS)
            spin.setToolTip(f"{tip} (the arrows multiply or divide by 10)")
        self.num = QSpinBox()
        self.num.setRange(2, MAX_RATES)
        self.num.setToolTip("How many rates, spaced evenly in log between the two")
        self.num.setSuffix(" rates")
        self.steps = QSpinBox()
        self.steps.setRange(1, 100_000)
        self.steps.setToolTip("Each rate runs at most this many steps; a run still above the "
                              "tolerance then is 'not converged'")
        self.steps.setSuffix(" steps")
        for spin in (self.low, self.high, self.num, self.steps):
            spin.setKeyboardTracking(False)
        self._show_settings()  # the session's (a session file and the last run keep them)
        self.run_button = QPushButton("Run")
        self.run_button.setToolTip("Sweep again now (after a cancel, say)")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setToolTip("How many rates converged, the fastest, where divergence begins")

        self.graphics = CompactGraphics(130)
        self.graphics.setToolTip("Steps to tolerance against the learning rate (log scale); "
                                 "red crosses: diverged, grey: not converged. Click to give the "
                                 "method the swept rate nearest the click.")
        self.plot = self.graphics.addPlot()
        self.plot.setLabel("bottom", "learning rate")
        self.plot.setLabel("left", "steps")
        self.plot.getAxis("bottom").setLogMode(True)  # the data is log10(rate)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        theme.style_plot(self.plot)  # dark axes and words, as every other plot
        self.converged = self.plot.plot(pen=None, symbol="o", symbolSize=4, symbolPen=None)
        self.stopped = self.plot.plot(pen=None, symbol="o", symbolSize=4, symbolPen=None,
                                      symbolBrush=STOPPED_COLOUR)
        self.diverged = self.plot.plot(pen=None, symbol="x", symbolSize=6, symbolPen=None,
                                       symbolBrush=DIVERGED_COLOUR)
        self.markers = {key: candidate_line(key) for key in RATES}
        for line in self.markers.values():
            self.plot.addItem(line, ignoreBounds=True)
        self.current = in_use_line("#000", "The rate the method uses now: click the plot or "
                                           "drag this line to change it")
        self.current.sigPositionChangeFinished.connect(
            lambda ln: self.set_rate(10 ** float(ln.value())))
        self.plot.addItem(self.current, ignoreBounds=True)
        self.plot.scene().sigMouseClicked.connect(self._clicked)

        # Three rows, narrow enough for the narrowest dock: method and Run; the rates from -
        # to; how many and the steps.
        form = QGridLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(4)
        form.addWidget(self.method, 0, 0, 1, 2)
        form.addWidget(self.run_button, 0, 2)
        form.addWidget(self.low, 1, 0)
        form.addWidget(QLabel("to"), 1, 1)
        form.addWidget(self.high, 1, 2)
        form.addWidget(self.num, 2, 0)
        form.addWidget(self.steps, 2, 1, 1, 2)
        form.setColumnStretch(0, 1)
        form.setColumnStretch(2, 1)
        scrolled_column(self, form, self.graphics, self.summary, stretch=self.graphics)

        self.job = Job(DEBOUNCE_MS, self)
        self.job.finished.connect(self._deliver)
        self.method.currentIndexChanged.connect(lambda _i: self._settings_edited())
        for spin in (self.low, self.high, self.num, self.steps):
            spin.valueChanged.connect(lambda _v: self._settings_edited())
        session.sweep_changed.connect(self._show_settings)
        self.run_button.clicked.connect(lambda: self.request(now=True, force=True))
        for signal in (session.function_changed, session.start_point_changed,
                       session.methods_changed):
            signal.connect(self.request)
        session.function_changed.connect(self._mark_rates)
        session.start_point_changed.connect(self._mark_rates)
        session.methods_changed.connect(self._place_current)
        self._mark_rates()
        self._place_current()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override): a compact dock by default
        return QSize(320, 360)

    @property
    def method_name(self) -> str:
        return self.method.currentData() or ""

    # --- the settings, kept in the session -------------------------------------------------
    def _show_settings(self) -> None:
        """The widgets from the session's sweep settings (at start, and when a session file
        or an undo replaces them), without echoing them back."""
        sweep = self.session.state.sweep
        widgets = (self.method, self.low, self.high, self.num, self.steps)
        for w in widgets:
            w.blockSignals(True)
        try:
            self.method.setCurrentIndex(max(0, self.method.findData(sweep.method)))
            self.low.setValue(sweep.low)
            self.high.setValue(sweep.high)
            self.num.setValue(sweep.num)
            self.steps.setValue(sweep.steps)
        finally:
            for w in widgets:
                w.blockSignals(False)
        self.request()

    def _settings_edited(self) -> None:
        """An edit in the dock: into the session (sweep_changed then sweeps again)."""
        try:
            sweep = SweepState(self.method_name, self.low.value(), self.high.value(),
                               self.num.value(), self.steps.value())
        except ValueError:  # no sweepable method (cannot happen with the built-in rules)
            return
        if sweep != self.session.state.sweep:
            self.session.update(sweep=sweep)

    # --- computing --------------------------------------------------------------------------
    def request(self, *_args, now: bool = False, force: bool = False) -> None:
        """Sweep again for the current function, start and settings, if any of them changed
        (after a pause unless now); nothing while the dock is hidden."""
        if not self.shown() and not force:
            return
        name, session = self.method_name, self.session
        if session.objective is None:  # the first function is being built: it will follow
            return
        config = session.methods.get(name)
        low, high = self.low.value(), self.high.value()
        if config is None or not low < high:
            self.summary.setText("Choose a lowest rate below the highest" if config
                                 else "No method to sweep")
            return
        params = {k: v for k, v in config.params.items() if k != "learning_rate"}
        key = (session.objective, session.start, name, tuple(params.items()), config.tol,
               low, high, self.num.value(), self.steps.value())
        if key == self._key and not force:
            return
        self._key = key
        objective, start, tol, steps = session.objective, session.start, config.tol, \
            self.steps.value()
        rule = make_rule(name, **params)
        rates = log_rates(low, high, self.num.value())
        self.job.request(lambda ticket: run_sweep(objective, rule, start, rates, steps, tol,
                                                  ticket), now=now)

    def cancel(self) -> None:
        """Stop the sweep (the Cancel button in the status bar); Run starts it again."""
        if self.job.running:
            self.job.cancel()
            self._key = None
            self.summary.setText("Sweep cancelled: press Run to sweep again")

    def shutdown(self) -> None:
        """Stop a running sweep and wait for it before the window goes away."""
        self.job.cancel()
        self.job.wait(5000)

    def shown(self) -> bool:
        return self.active and self.isVisible()

    def set_active(self, on: bool) -> None:
        """Its dock came to the front (sweep if anything changed) or went behind a tab."""
        self.active = bool(on)
        if on:
            self.request()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self.request()

    def _deliver(self, result: JobResult) -> None:
        if not result.ok:
            self.summary.setText(f"Could not sweep: {result.error}")
            return
        if result.value is not None:
            self.show_sweep(result.value)

    # --- drawing ----------------------------------------------------------------------------
    def show_sweep(self, sweep) -> None:
        self.sweep = sweep
        x = np.log10(sweep.learning_rates)
        status = np.array(sweep.statuses)
        steps = sweep.steps.astype(float)
        top = sweep.max_steps * 1.08  # diverged runs are drawn above every step count
        conv, div = status == CONVERGED, status == DIVERGED
        config = self.session.methods.get(sweep.method)
        self.converged.setSymbolBrush(config.colour if config else "#1f77b4")
        self.converged.setData(x[conv], steps[conv])
        self.stopped.setData(x[~conv & ~div], steps[~conv & ~div])
        self.diverged.setData(x[div], np.full(int(div.sum()), top))
        self.plot.setXRange(float(x[0]), float(x[-1]), padding=0.02)
        self.plot.setYRange(0, top, padding=0.05)
        colour = config.colour if config else "#1f77b4"
        # Each mark kept with its words (no break inside a key entry): in a 280-pixel dock the
        # cross ended one line and "diverged" began the next.
        self.summary.setText(
            f"<span style='color:{colour}'>\u25cf</span>&nbsp;steps&nbsp;to&nbsp;tolerance "
            f"&nbsp; <span style='color:{STOPPED_COLOUR}'>\u25cf</span>&nbsp;not&nbsp;converged "
            f"&nbsp; <span style='color:{DIVERGED_COLOUR}'>\u00d7</span>&nbsp;diverged<br>"
            f"{escape(method_title(sweep.method))}: {escape(sweep.summary)}")
        self._place_current()

    def _mark_rates(self, *_args) -> None:
        """The rates the Hessian suggests at the start, as vertical lines."""
        if self.session.objective is None:  # none yet: function_changed calls again
            return
        r = rates_at(self.session.objective, self.session.start)
        for key, line in self.markers.items():
            value = r.line_minimum.t if key == "line_minimum" else getattr(r, key)
            place(line, value, log=True)

    def _place_current(self, *_args) -> None:
        config = self.session.methods.get(self.method_name)
        if config is not None:
            self.current.setPen(pg.mkPen(config.colour, width=2.5))
            if not self.current.moving:
                place(self.current, config.learning_rate, log=True)

    # --- the user sets a rate ---------------------------------------------------------------
    def set_rate(self, rate: float) -> None:
        """Give the method the swept rate nearest ``rate`` (the rate itself before a sweep)."""
        if self.sweep is not None and self.sweep.method == self.method_name:
            rate = float(self.sweep.learning_rates[self.sweep.nearest(rate)])
        set_learning_rate(self.session, self.method_name, rate)
        self._place_current()

    def _clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or event.isAccepted():
            return
        vb = self.plot.getViewBox()
        if not vb.sceneBoundingRect().contains(event.scenePos()):
            return
        x = vb.mapSceneToView(event.scenePos()).x()
        if math.isfinite(x):
            self.set_rate(10 ** x)
