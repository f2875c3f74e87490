"""log10 |grad f| and f against iteration for every enabled method, and, for quasi-Newton
methods, how far their Hessian estimate is from the true H.

Linear convergence (gradient descent) is a straight slope of log10 |grad f|; quadratic
convergence (Newton near a minimum) doubles the number of correct digits per step, so the
curve bends down steeply. ||B_k - H|| / ||H|| (a third plot, shown while a method records an
estimate) falls as BFGS or SR1 learns the curvature from gradient differences.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from hessianlens.engine.beliefs import estimate_errors
from hessianlens.engine.explain import method_title
from hessianlens.ui import theme
from hessianlens.ui.legend import LegendBox
from hessianlens.ui.overlays.base import cache_drawing
from hessianlens.ui.repaint_gate import call_now

# A gradient of exactly zero has log10 = -inf: it is drawn one decade below the lowest finite
# value on the plot (or at ZERO_FLOOR when there is none), so the point stays visible.
ZERO_FLOOR = -16.0


def log_grad_norms(norms: np.ndarray) -> np.ndarray:
    """log10 |grad f| with NaN for non-finite norms and -inf for exact zeros."""
    norms = np.asarray(norms, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log10(norms)
    out[~np.isfinite(norms) | (norms < 0)] = np.nan
    return out


def finite_or_nan(values: np.ndarray) -> np.ndarray:
    out = np.array(values, dtype=float)
    out[~np.isfinite(out)] = np.nan
    return out


def set_finite(curve: pg.PlotDataItem, k: np.ndarray, y: np.ndarray) -> None:
    """The curve's data, or none when no value is finite (a run whose f is not finite at its
    start): pyqtgraph's ranging warns on an all-NaN curve, once per paint."""
    if np.isfinite(y).any():
        curve.setData(k, y)
    else:
        curve.setData([], [])


class AxisGroup:
    """Left axes of plots stacked in one column, kept as wide as the widest shown one.

    pyqtgraph links x ranges by pixels (ViewBox.linkedViewChanged): with a wider left axis the
    plot below had a narrower view box and so a shorter range, which cut iteration 0 off f's
    plot (its ticks "-0.5" outgrew log10 |grad f|'s "-6"). Equal widths give equal ranges.
    """

    def __init__(self):
        self.axes: list[SharedWidthAxis] = []

    def axis(self) -> SharedWidthAxis:
        axis = SharedWidthAxis(self)
        self.axes.append(axis)
        return axis

    def fit(self) -> None:
        shown = [a for a in self.axes if a.scene() is not None]
        width = max((a.natural for a in shown), default=0.0)
        for a in shown:
            if a.maximumWidth() != width or a.minimumWidth() != width:
                a.setMaximumWidth(width)
                a.setMinimumWidth(width)


class SharedWidthAxis(pg.AxisItem):
    """A left axis whose width its AxisGroup sets (its own need is ``natural``)."""

    def __init__(self, group: AxisGroup):
        self.group = None  # pyqtgraph's constructor sizes the axis before the group is set
        self.natural = 0.0
        super().__init__("left")
        self.group = group

    def _updateWidth(self):  # noqa: N802 (pyqtgraph override)
        super()._updateWidth()
        self.natural = self.maximumWidth()
        if self.group is not None:
            self.group.fit()


class StepLine(pg.InfiniteLine):
    """The line at the current step. When it moves, pyqtgraph's line asks its plot to fit the
    range again and repaints the whole plot for that; the fit happens at the start of the
    next paint (ViewBox.prepareForPaint), and the line's move repaints where it was and is,
    so this one only asks for the fit: a playback step repaints two strips, not both plots."""

    def informViewBoundsChanged(self):  # noqa: N802 (pyqtgraph override)
        view = self.getViewBox()
        if not hasattr(view, "_autoRangeNeedsUpdate"):  # another pyqtgraph: its own way
            super().informViewBoundsChanged()
        elif any(view.state["autoRange"]):  # as ViewBox.itemBoundsChanged, without update()
            view._autoRangeNeedsUpdate = True


class ConvergencePlot(QWidget):
    """Linked plots against iteration: log10 |grad f| above, f below, and ||B - H|| / ||H||
    under them while a method records a Hessian estimate."""

    def __init__(self, session, parent: QWidget | None = None, defer=call_now):
        super().__init__(parent)
        self.session = session
        self._defer = defer  # when to redraw after the trajectories change
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setToolTip("log10 |grad f| and f at every iterate; the dashed line is "
                                 "the current step. Click a point to select that iterate; "
                                 "drag the line to move playback.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics)

        self.graphics.setBackground(theme.BACKGROUND)
        theme.without_stock_export(self.graphics)
        # The key above the plots, never over a curve.
        # Method names only, never a changing status: no room kept for labels to grow.
        self.legend = LegendBox(text_size="8pt", slack=0)
        self.graphics.addItem(self.legend, row=0, col=0)
        self.axes = AxisGroup()
        self.grad_plot = self.graphics.addPlot(row=1, col=0, axisItems={"left": self.axes.axis()})
        self.grad_plot.setLabel("left", "log10 |grad f|")
        self.f_plot = self.graphics.addPlot(row=2, col=0, axisItems={"left": self.axes.axis()})
        self.f_plot.setLabel("left", "f")
        self.f_plot.setLabel("bottom", "iteration")
        self.f_plot.setXLink(self.grad_plot)
        # No grid: its lines cost three times the curves on every playback frame.

        # ||B_k - H|| / ||H||, in a third row while some method records an estimate.
        self.estimate_plot = pg.PlotItem(axisItems={"left": self.axes.axis()})
        for plot in (self.grad_plot, self.f_plot, self.estimate_plot):
            theme.style_plot(plot)
            # The first iteration, 0, sits on the axis's left end: pyqtgraph hides a label
            # reaching past the axis by even a pixel, and the axis began with no number.
            plot.getAxis("bottom").setStyle(hideOverlappingLabels=8)
        self.estimate_plot.setLabel("left", "||B - H|| / ||H||")
        self.estimate_plot.setLabel("bottom", "iteration")
        self.estimate_plot.setLogMode(False, True)
        self.estimate_plot.setXLink(self.grad_plot)
        self.estimate_plot.setToolTip("How far each quasi-Newton method's Hessian estimate B "
                                      "is from the true H at each iterate (relative Frobenius "
                                      "norm, log scale)")

        pen = pg.mkPen("#888", width=1, style=pg.QtCore.Qt.PenStyle.DashLine)
        self.step_lines = []
        for plot in (self.grad_plot, self.f_plot, self.estimate_plot):
            line = StepLine(angle=90, movable=True, pen=pen)
            line.setZValue(10)
            line.sigPositionChangeFinished.connect(self._line_moved)
            plot.addItem(line, ignoreBounds=True)
            self.step_lines.append(line)

        # method name -> (grad curve, f curve)
        self.curves: dict[str, tuple[pg.PlotDataItem, pg.PlotDataItem]] = {}
        self.estimate_curves: dict[str, pg.PlotDataItem] = {}
        self._styles: dict[str, str] = {}  # method name -> colour of the curves in place
        session.trajectories_changed.connect(self._curves_changed)
        session.methods_changed.connect(self._curves_changed)  # a colour may have changed
        session.step_changed.connect(self.update_step)
        self.update_curves()
        self._keep_rows_apart()

    def _curves_changed(self) -> None:
        self._defer(self.update_curves)

    def update_curves(self) -> None:
        """Redraw every enabled method's curves from the session's trajectories.

        Curves are kept and given new data (setData); they are only made or dropped when the
        set of methods or a colour changes, which keeps a drag of the start point cheap.
        """
        session = self.session
        styles = {name: self._style(name) for name in session.trajectories}
        if styles != self._styles:
            self._rebuild(styles)
        logs = {name: log_grad_norms(t.grad_norms) for name, t in session.trajectories.items()}
        lows = [float(np.min(v[np.isfinite(v)])) for v in logs.values() if np.isfinite(v).any()]
        floor = min(lows) - 1.0 if lows else ZERO_FLOOR
        for name, traj in session.trajectories.items():
            k = np.arange(len(traj), dtype=float)
            log_g = logs[name]
            log_g[np.isneginf(log_g)] = floor
            grad_curve, f_curve = self.curves[name]
            set_finite(grad_curve, k, log_g)
            set_finite(f_curve, k, finite_or_nan(traj.values))
        self.update_estimates()
        self.update_step(session.step)
        # Fit the axes now rather than when the plots paint: pyqtgraph re-ranges a view (and
        # moves the step lines with it) in its paint, which then needs a second paint.
        for plot in (self.grad_plot, self.f_plot):
            plot.vb.prepareForPaint()

    def update_estimates(self) -> None:
        """One curve of ||B_k - H|| / ||H|| per method whose trace records an estimate."""
        errors = {}
        for name, traj in self.session.trajectories.items():
            e = estimate_errors(traj)
            if np.any(e > 0):  # positive only: the plot is logarithmic
                errors[name] = e
        for name in list(self.estimate_curves):
            if name not in errors or self.estimate_curves[name].opts["pen"].color() != \
                    pg.mkColor(self._style(name)):
                self.estimate_plot.removeItem(self.estimate_curves.pop(name))
        for name, e in errors.items():
            curve = self.estimate_curves.get(name)
            if curve is None:
                colour = self._style(name)
                curve = self.estimate_curves[name] = self.estimate_plot.plot(
                    pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=5, symbolBrush=colour,
                    symbolPen=None, connect="finite")
            e = np.where(e > 0, e, np.nan)
            curve.setData(np.arange(e.size, dtype=float), e)
        shown = self.estimate_plot.scene() is not None
        if errors and not shown:
            # Its own row below f: row 2 holds f (two items in one cell are drawn over
            # each other).
            self.graphics.addItem(self.estimate_plot, row=3, col=0)
            self.f_plot.setLabel("bottom", "")
        elif not errors and shown:
            self.graphics.removeItem(self.estimate_plot)
            self.f_plot.setLabel("bottom", "iteration")
        else:
            return
        self.axes.fit()
        self._keep_rows_apart()

    def _keep_rows_apart(self) -> None:
        """The view never shorter than its rows' least heights: squeezed below them, the
        scene's grid would lay the plots over each other."""
        self.graphics.ci.layout.invalidate()
        least = self.graphics.ci.effectiveSizeHint(Qt.SizeHint.MinimumSize).height()
        self.graphics.setMinimumHeight(math.ceil(least) + 2 * self.graphics.frameWidth())

    def _style(self, name: str) -> str:
        config = self.session.methods.get(name)
        return config.colour if config is not None else "#888888"

    def _rebuild(self, styles: dict[str, str]) -> None:
        """Make one curve per method and plot, in the method's colour, with a legend entry."""
        for grad_curve, f_curve in self.curves.values():
            self.grad_plot.removeItem(grad_curve)
            self.f_plot.removeItem(f_curve)
        self.curves = {}
        for name, colour in styles.items():
            style = dict(pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=5,
                         symbolBrush=colour, symbolPen=None, connect="finite")
            grad_curve = self.grad_plot.plot(**style)
            f_curve = self.f_plot.plot(**style)
            for curve in (grad_curve, f_curve):
                # Kept as pixmaps: a playback frame moves the step lines over them.
                cache_drawing(curve)
                curve.scatter.setCacheMode(curve.scatter.CacheMode.DeviceCoordinateCache)
                curve.sigPointsClicked.connect(
                    lambda _item, points, _ev, name=name: self._points_clicked(name, points))
            self.curves[name] = (grad_curve, f_curve)
        self.legend.set_entries([(grad, method_title(name)) for name, (grad, _) in
                                 self.curves.items()])
        self._styles = styles

    def update_step(self, step: int | None = None) -> None:
        k = self.session.step if step is None else step
        for line in self.step_lines:
            line.blockSignals(True)
            line.setValue(k)
            line.blockSignals(False)

    def _line_moved(self, line) -> None:
        self.session.set_step(int(round(line.value())))
        self.update_step()  # snap the line to the (clamped) integer step

    def _points_clicked(self, name: str, points) -> None:
        if len(points):
            self.session.select(name, int(round(points[0].pos().x())))
