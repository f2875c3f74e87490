"""Log-log plots of time to tolerance and iterations against n, one curve per method, with
Newton's crossovers marked and stated in words; hover names the numbers; PNG and SVG export."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QByteArray, QPointF, Signal
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QVBoxLayout, QWidget

from hessianlens.engine.ndim.run import RunResult
from hessianlens.engine.ndim.figure import HEIGHT, WIDTH, colour, sweep_svg
from hessianlens.engine.ndim.sweep import Crossover, seconds_text, title
from hessianlens.files import atomic_path, write_text_atomic
from hessianlens.ui import theme

HOVER_PIXELS = 12  # a point this close to the cursor is described
PNG_SCALE = 2  # the PNG is the SVG figure drawn at twice its size


def bytes_text(b: int) -> str:
    """1234 -> '1.2 kB', 134217728 -> '134 MB'."""
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if b >= size:
            return f"{b / size:.3g} {unit}"
    return f"{b} B"


def run_text(r: RunResult) -> str:
    """Everything measured about one run, in a line or two."""
    its = "1 iteration" if r.iterations == 1 else f"{r.iterations} iterations"
    how = (f"converged in {its}" if r.converged else
           f"{r.status.replace('_', ' ')} after {its}")
    return (f"{title(r.method)}, n = {r.n}: {how}, {seconds_text(r.seconds)} (derivatives "
            f"{seconds_text(r.derivative_seconds)}, linear algebra "
            f"{seconds_text(r.linalg_seconds)}); {r.f_evals} f, {r.grad_evals} gradients, "
            f"{r.hess_evals} Hessians, {r.hessp_evals} Hessian-vector products; state "
            f"{bytes_text(r.state_bytes)}; f = {r.f:.6g}")


class ScalingPlots(QWidget):
    """The two plots and the crossover words in one scene (so that an export holds all)."""

    hovered = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground(theme.BACKGROUND)  # the window's light look, as exported
        theme.without_stock_export(self.graphics)
        self.graphics.setToolTip("Time to tolerance (left) and iterations (right) against n, "
                                 "log-log; stars mark where Newton stops being fastest. Hover "
                                 "a point for its numbers.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics)
        self.heading = self.graphics.addLabel("Run a sweep to measure the methods against n",
                                              row=0, col=0, colspan=2, color=theme.TEXT_PEN)
        # The legend in its own row above the plots, so that it never hides a curve.
        self.legend = pg.LegendItem(colCount=4, labelTextColor=theme.TEXT_PEN)
        self.graphics.addItem(self.legend, row=1, col=0, colspan=2)
        self.time_plot = self.graphics.addPlot(row=2, col=0)
        self.iter_plot = self.graphics.addPlot(row=2, col=1)
        for plot, label in ((self.time_plot, "seconds to tolerance"),
                            (self.iter_plot, "iterations to tolerance")):
            theme.style_plot(plot)
            plot.setLogMode(x=True, y=True)
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setLabel("bottom", "n")
            plot.setLabel("left", label)
        self.iter_plot.setXLink(self.time_plot)
        # Before the first sweep: the range a full sweep covers (log10 units).
        self.time_plot.setRange(xRange=(math.log10(2), math.log10(4096)), yRange=(-4, 1))
        self.iter_plot.setYRange(0, 4)
        self.words = self.graphics.addLabel("", row=3, col=0, colspan=2, justify="left",
                                            color=theme.TEXT_PEN)
        self.time_curves: dict[str, pg.PlotDataItem] = {}
        self.iter_curves: dict[str, pg.PlotDataItem] = {}
        self.failed_items: list[tuple[pg.PlotItem, pg.PlotDataItem]] = []
        self.stars = pg.PlotDataItem(pen=None, symbol="star", symbolSize=18,
                                    symbolPen=pg.mkPen(theme.TEXT_PEN))
        self.stars.setZValue(10)
        self.time_plot.addItem(self.stars)
        self.runs: tuple[RunResult, ...] = ()
        self.crossovers: tuple[Crossover, ...] = ()
        self.graphics.scene().sigMouseMoved.connect(self._mouse_moved)

    # --- data -------------------------------------------------------------------------------
    def clear(self, heading: str = "") -> None:
        self.show_runs((), (), heading)

    def show_runs(self, runs, crossovers=(), heading: str = "") -> None:
        """Draw the runs (converged ones on the curves, the others as crosses) and the
        crossovers (stars, and the words under the plots)."""
        self.runs, self.crossovers = tuple(runs), tuple(crossovers)
        if self.runs:
            for plot in (self.time_plot, self.iter_plot):
                plot.enableAutoRange()
        if heading:
            self.heading.setText(heading)
        methods = list(dict.fromkeys(r.method for r in self.runs))
        for plot, curves in ((self.time_plot, self.time_curves),
                             (self.iter_plot, self.iter_curves)):
            for m in [m for m in curves if m not in methods]:
                item = curves.pop(m)
                if plot is self.time_plot:
                    self.legend.removeItem(item)
                plot.removeItem(item)
        for plot, item in self.failed_items:
            plot.removeItem(item)
        self.failed_items = []
        for m in methods:
            ok = [r for r in self.runs if r.method == m and r.converged]
            n = np.array([r.n for r in ok], dtype=float)
            self._curve(self.time_plot, self.time_curves, m, n,
                        np.array([r.seconds for r in ok], dtype=float))
            iters = np.array([max(r.iterations, 1) for r in ok], dtype=float)
            self._curve(self.iter_plot, self.iter_curves, m, n, iters)
            bad = [r for r in self.runs if r.method == m and not r.converged]
            if bad:
                self._crosses(m, bad)
        self._n_ticks(sorted({r.n for r in self.runs}))
        stars = [c for c in self.crossovers if c.n_estimate and c.seconds_estimate]
        self.stars.setData([c.n_estimate for c in stars], [c.seconds_estimate for c in stars],
                           symbolBrush=[pg.mkBrush(colour(c.method)) for c in stars])
        self.words.setText(self.words_html())

    def _n_ticks(self, dims) -> None:
        """n labelled at the measured dimensions (every other one past eight), not at
        pyqtgraph's log-axis minor ticks, which crowd into each other on a narrow plot."""
        ticks = None
        if dims:
            shown = dims[:: 1 if len(dims) <= 8 else 2]
            ticks = [[(math.log10(n), str(n)) for n in shown], []]
        for plot in (self.time_plot, self.iter_plot):
            plot.getAxis("bottom").setTicks(ticks)
        self._decade_ticks(self.time_plot, [r.seconds for r in self.runs], seconds_text)
        self._decade_ticks(self.iter_plot, [max(r.iterations, 1) for r in self.runs],
                           lambda v: f"{v:g}")

    @staticmethod
    def _decade_ticks(plot, values, text) -> None:
        """Labels at the powers of ten only (with units), for the same reason."""
        logs = [math.log10(v) for v in values if v > 0 and math.isfinite(v)]
        ticks = None
        if logs:
            ks = range(math.floor(min(logs)), math.ceil(max(logs)) + 1)
            ticks = [[(float(k), text(10.0 ** k)) for k in ks], []]
        plot.getAxis("left").setTicks(ticks)

    def _curve(self, plot, curves, m, x, y) -> None:
        if m not in curves:
            c = colour(m)
            curves[m] = plot.plot(pen=pg.mkPen(c, width=2), symbol="o", symbolSize=7,
                                  symbolBrush=c, symbolPen=None)
            if plot is self.time_plot:
                self.legend.addItem(curves[m], title(m))
        curves[m].setData(x, y)

    def _crosses(self, m, bad) -> None:
        n = [r.n for r in bad]
        for plot, ys in ((self.time_plot, [r.seconds for r in bad]),
                         (self.iter_plot, [max(r.iterations, 1) for r in bad])):
            item = pg.PlotDataItem(n, ys, pen=None, symbol="x", symbolSize=11,
                                   symbolBrush=colour(m), symbolPen=pg.mkPen(colour(m), width=2))
            plot.addItem(item)
            self.failed_items.append((plot, item))

    def words_html(self) -> str:
        lines = [f'<span style="color:{colour(c.method)}">&#9733;</span> {c.text}'
                 for c in self.crossovers]
        if any(not r.converged for r in self.runs):
            lines.append("\u00d7 marks a run that stopped without reaching the tolerance "
                         "(hover it for why).")
        return "<br>".join(lines)

    # --- hover ------------------------------------------------------------------------------
    def describe_at(self, scene_pos: QPointF) -> str | None:
        """The run (or crossover) drawn nearest the scene position, within HOVER_PIXELS."""
        best, best_d = None, HOVER_PIXELS
        for plot, value in ((self.time_plot, lambda r: r.seconds),
                            (self.iter_plot, lambda r: max(r.iterations, 1))):
            if not plot.sceneBoundingRect().contains(scene_pos):
                continue
            vb = plot.getViewBox()
            points = [(run_text(r), r.n, value(r)) for r in self.runs]
            if plot is self.time_plot:
                points += [(c.text, c.n_estimate, c.seconds_estimate) for c in self.crossovers
                           if c.n_estimate and c.seconds_estimate]
            for text, x, y in points:
                if not (x > 0 and y > 0):
                    continue
                p = vb.mapViewToScene(QPointF(math.log10(x), math.log10(y)))
                d = math.hypot(p.x() - scene_pos.x(), p.y() - scene_pos.y())
                if d < best_d:
                    best, best_d = text, d
        return best

    def _mouse_moved(self, scene_pos) -> None:
        text = self.describe_at(scene_pos)
        self.hovered.emit(text or "")

    # --- export -------------------------------------------------------------------------------
    def svg(self) -> str:
        """The figure of what is shown: the engine's plain SVG (the same in every viewer)."""
        return sweep_svg(self.runs, self.crossovers, self.heading.text)

    def save_image(self, path) -> None:
        """The figure as SVG for a .svg path, else as PNG (the SVG drawn at PNG_SCALE times
        its size), written atomically."""
        text = self.svg()
        if Path(path).suffix.lower() == ".svg":
            write_text_atomic(path, text)
            return
        image = QImage(PNG_SCALE * WIDTH, PNG_SCALE * HEIGHT, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            QSvgRenderer(QByteArray(text.encode("utf-8"))).render(painter)
        finally:
            painter.end()
        with atomic_path(path) as tmp:
            if not image.save(os.fspath(tmp), "PNG"):
                raise OSError(f"could not write the PNG image {os.fspath(path)}")
