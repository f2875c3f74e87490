"""The one-step plot: f, its tangent and quadratic Taylor model at w0, markers, Newton and GD."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from hessianlens.engine.linefunction import LineFunction
from hessianlens.engine.onestep import GdComparison, NewtonPath, OneStepResult
from hessianlens.ui import theme
from hessianlens.ui.legend import LegendBox

SAMPLES = 600
GD_DRAWN = 60  # gradient-descent iterates drawn (the count may run to thousands)
MIN_HALF_WIDTH = 2.0
MAX_SHOWN = 1e300  # beyond it a view range (max - min, padding) overflows

COLOURS = {"f": "#1f77b4", "tangent": "#7f7f7f", "model": "#ff7f0e", "w0": "#2ca02c",
           "w1": "#d62728", "w_star": "#9467bd", "newton": "#d62728", "gd": "#17becf"}


def _finite(*values) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(v)]


def fit_range(result: OneStepResult, extra=()) -> tuple[float, float]:
    """An x range holding w0, w1, w* (and extra points), with a margin."""
    xs = [x for x in _finite(result.w0, result.w1, result.w_star, *extra) if abs(x) <= MAX_SHOWN]
    if not xs:
        return -MIN_HALF_WIDTH, MIN_HALF_WIDTH
    lo, hi = min(xs), max(xs)
    mid, half = (lo + hi) / 2, max((hi - lo) / 2 * 1.3, MIN_HALF_WIDTH, 1e-6 * abs(lo + hi))
    return mid - half, mid + half


class OneStepPlot(QWidget):
    """Draws one OneStepResult; the vertical w0 line can be dragged."""

    w0_dragged = Signal(float)  # while the line moves
    w0_released = Signal(float)  # when the drag ends

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground(theme.BACKGROUND)
        theme.without_stock_export(self.graphics)
        self.graphics.setToolTip("f (blue), its tangent at w0 (grey), the quadratic Taylor "
                                 "model at w0 (orange)\nwhose extremum the step jumps to; drag "
                                 "the green line to move w0")
        self.plot = self.graphics.addPlot(row=0, col=0)
        self.vb = self.plot.getViewBox()
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setLabel("bottom", "w")
        self.plot.setLabel("left", "f(w)")
        theme.style_plot(self.plot)
        # The key under the plot: the markers never land on its words.
        self.legend = LegendBox()
        self.graphics.addItem(self.legend, row=1, col=0)
        pen = pg.mkPen
        self.curve = self.plot.plot(pen=pen(COLOURS["f"], width=2))
        self.tangent = self.plot.plot(pen=pen(COLOURS["tangent"], width=1.5,
                                              style=Qt.PenStyle.DashLine))
        self.model = self.plot.plot(pen=pen(COLOURS["model"], width=1.5))
        dotted = Qt.PenStyle.DotLine
        self.newton = self.plot.plot(pen=pen(COLOURS["newton"], width=1, style=dotted),
                                     symbol="x", symbolSize=9, symbolPen=COLOURS["newton"])
        self.gd = self.plot.plot(pen=pen(COLOURS["gd"], width=1), symbol="o", symbolSize=5,
                                 symbolBrush=COLOURS["gd"], symbolPen=None)
        # From the model's extremum down (or up) to f at w1: where the step trusted the model.
        self.drop = self.plot.plot(pen=pen(COLOURS["model"], width=1, style=dotted))
        # Dashes and dots as drawn in the key: segmented lines (configure_pyqtgraph) restart
        # the pattern at every sample, which draws a dashed line solid.
        for item in (self.tangent, self.newton, self.drop):
            item.curve.setSegmentedLineMode("off")
        self.markers = {}
        for key, symbol in (("w0", "o"), ("w1", "t"), ("w_star", "star")):
            self.markers[key] = self.plot.plot(pen=None, symbol=symbol, symbolSize=13,
                                               symbolBrush=COLOURS[key], symbolPen="k")
            self.markers[key].setZValue(10)
        self.legend.set_entries([
            (self.curve, "f(w)"), (self.tangent, "tangent at w0"),
            (self.model, "Taylor model at w0"), (self.newton, "Newton steps"),
            (self.gd, "gradient descent"), (self.markers["w0"], "w0"),
            (self.markers["w1"], "w1 (one step)"), (self.markers["w_star"], "w*")])
        self.w0_line = pg.InfiniteLine(angle=90, movable=True,
                                       pen=pen(COLOURS["w0"], width=2),
                                       hoverPen=pen(COLOURS["w0"], width=4),
                                       label="w0", labelOpts={"position": 0.95, "color": "k"})
        self.w0_line.setToolTip("Drag to move the start point w0")
        self.plot.addItem(self.w0_line)
        self.w0_line.sigDragged.connect(lambda line: self.w0_dragged.emit(float(line.value())))
        self.w0_line.sigPositionChangeFinished.connect(
            lambda line: self.w0_released.emit(float(line.value())))
        self.vb.sigXRangeChanged.connect(self._resample)
        self._fitting = False
        self.function: LineFunction | None = None
        self.result: OneStepResult | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics)

    @property
    def dragging(self) -> bool:
        return bool(self.w0_line.moving)

    def show_result(self, function: LineFunction, result: OneStepResult, newton: NewtonPath,
                    gd: GdComparison, fit: bool = True) -> None:
        """Draw everything; fit the view to w0, w1, w* and the Newton iterates if asked."""
        self.function, self.result = function, result
        if not self.dragging:
            self.w0_line.blockSignals(True)
            self.w0_line.setValue(result.w0)
            self.w0_line.blockSignals(False)
        for key in self.markers:
            w = getattr(result, key)
            f = result.f_w0 if key == "w0" else getattr(result, f"f_{key}")
            ok = bool(_finite(w)) and bool(_finite(f))
            self.markers[key].setData([w] if ok else [], [f] if ok else [])
        self._set_path(self.newton, newton.iterates, newton.values)
        gd_ws = np.array(gd.iterates[:GD_DRAWN], dtype=float)
        self._set_path(self.gd, gd_ws, function.value(gd_ws) if gd_ws.size else [])
        if fit:
            self.fit(newton.iterates)
        self._resample()

    @staticmethod
    def _set_path(item, ws, fs) -> None:
        ws, fs = np.asarray(ws, dtype=float), np.asarray(fs, dtype=float)
        keep = np.isfinite(ws) & np.isfinite(fs) if ws.size else np.zeros(0, bool)
        item.setData(ws[keep], fs[keep])

    def fit(self, extra=()) -> None:
        """Show w0, w1, w* (and extra points) and the range of f between them."""
        if self.result is None:
            return
        lo, hi = fit_range(self.result, extra)
        ws = np.linspace(lo, hi, SAMPLES)
        fs = self.function.value(ws)
        ys = np.concatenate([fs[np.isfinite(fs)], _finite(self.result.f_w0, self.result.f_w1,
                                                            self.result.f_w_star)])
        ys = ys[np.abs(ys) <= MAX_SHOWN]  # a view range must stay a finite float span
        self._fitting = True  # one resample by the caller, not one per axis
        if ys.size:
            y0, y1 = float(ys.min()), float(ys.max())
            pad = max((y1 - y0) * 0.08, 1e-9 * max(1.0, abs(y0)), 1e-12)
            self.plot.setRange(xRange=(lo, hi), yRange=(y0 - pad, y1 + pad), padding=0)
        else:
            self.plot.setRange(xRange=(lo, hi), padding=0)
        self._fitting = False

    def _resample(self, *_args) -> None:
        """Sample f, the tangent and the Taylor model over the visible w range."""
        r, fn = self.result, self.function
        if r is None or fn is None or self._fitting:
            return
        (lo, hi), (ylo, yhi) = self.vb.viewRange()
        ws = np.linspace(lo, hi, SAMPLES)
        mid, span = (ylo + yhi) / 2, max(yhi - ylo, 1e-12)

        def clipped(ys):
            # nan far outside the view (and for inf): huge values never reach the painter.
            with np.errstate(all="ignore"):
                return np.where(np.abs(ys - mid) <= 20 * span, ys, np.nan)

        self.curve.setData(ws, clipped(fn.value(ws)))
        if not all(map(math.isfinite, (r.f_w0, r.df_w0, r.d2f_w0))):
            for item in (self.tangent, self.model, self.drop):
                item.setData([], [])
            return
        # Tangent f(w0) + f'(w0)(w - w0); model: the tangent + f''(w0)/2 (w - w0)^2.
        dw = ws - r.w0
        with np.errstate(all="ignore"):
            tangent = r.f_w0 + r.df_w0 * dw
            model = tangent + 0.5 * r.d2f_w0 * dw**2
        self.tangent.setData(ws, clipped(tangent))
        self.model.setData(ws, clipped(model))
        if len(_finite(r.w1, r.f_w1)) == 2:
            top = r.f_w0 + 0.5 * r.df_w0 * (r.w1 - r.w0)  # the model at w1: f - f'^2/(2 f'')
            self.drop.setData([r.w1, r.w1], clipped(np.array([top, r.f_w1])))
        else:
            self.drop.setData([], [])
