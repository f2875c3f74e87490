"""The rates dock: at the selected iterate, the learning rates the Hessian suggests, and f along
-grad f and along the Newton step against the quadratic model, with a marker per rate.

The second write-up's one-dimensional picture (f against its Taylor model, eta = 1/f'') laid
along the two-dimensional step: where the model's minimum and the true one part, f is not
quadratic there. Dragging the solid marker of gradient descent (or of Newton) sets that
method's learning rate; clicking a rate in the table gives it to the method.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QToolButton, QWidget

from hessianlens.engine.explain import method_title
from hessianlens.engine.rates import (gradient_extent, line_profile, newton_extent, rates_at)
from hessianlens.ui import theme
from hessianlens.ui.rate_markers import (RATES, CompactGraphics, candidate_line, in_use_line,
                                         place, scrolled_column, set_learning_rate)
from hessianlens.ui.repaint_gate import call_now

GD, NEWTON = "gd", "newton"  # the methods whose rates the two plots show and set
NEWTON_ROW = ("Newton t", "#8c564b",
              "The t that minimises the true f along the Newton step p = -H^-1 grad f (t = 1 "
              "is the full step, where the model is stationary)")
PLOT_HEIGHT = 120  # the plots' least height (the dock scrolls below it)
WIDE = 1.6  # side by side when the plots' area is this much wider than tall


class SideBySide(CompactGraphics):
    """Its plots side by side in a wide area, one above the other in a tall one."""

    def __init__(self):
        super().__init__(PLOT_HEIGHT)
        self.plots: list[pg.PlotItem] = []
        self.wide: bool | None = None

    def arrange(self) -> None:
        wide = self.width() > WIDE * self.height()
        if wide == self.wide:
            return
        self.wide = wide
        layout = self.ci
        for plot in self.plots:
            if plot in layout.items:
                layout.removeItem(plot)
        for i, plot in enumerate(self.plots):
            layout.addItem(plot, *((0, i) if wide else (i, 0)))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if hasattr(self, "wide"):  # not while GraphicsLayoutWidget.__init__ runs
            self.arrange()


class RateTable(QWidget):
    """Rows of (swatch, name, value), laid out two to a line where they fit side by side and
    one to a line otherwise; it asks for no more width than one to a line needs."""

    def __init__(self):
        super().__init__()
        self.rows: list[tuple[QWidget, QWidget, QWidget]] = []
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setVerticalSpacing(0)
        self.columns = 0

    def add_row(self, *widgets: QWidget) -> None:
        self.rows.append(widgets)
        self.columns = 0
        self.arrange()

    def _width(self, columns: int) -> int:
        """The least width of the rows laid out ``columns`` to a line."""
        widest = [0] * (3 * columns)
        for i, row in enumerate(self.rows):
            for j, widget in enumerate(row):
                col = 3 * (i % columns) + j
                widest[col] = max(widest[col], widget.sizeHint().width())
        return sum(widest) + (3 * columns - 1) * max(self.grid.horizontalSpacing(), 0)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(self._width(1), super().minimumSizeHint().height())

    def arrange(self) -> None:
        """Two to a line if they fit in the width now, else one (again after new values)."""
        columns = 2 if self.width() >= self._width(2) else 1
        if columns == self.columns:
            return
        self.columns = columns
        for row in self.rows:
            for widget in row:
                self.grid.removeWidget(widget)
        for col in range(6):
            self.grid.setColumnStretch(col, 0)
        for i, row in enumerate(self.rows):
            line, side = divmod(i, columns)
            for j, widget in enumerate(row):
                align = Qt.AlignmentFlag.AlignLeft if j == 2 else Qt.AlignmentFlag(0)
                self.grid.addWidget(widget, line, 3 * side + j, align)
        for side in range(columns):
            self.grid.setColumnStretch(3 * side + 2, 1)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self.arrange()


def swatch_label(colour: str) -> QLabel:
    pixmap = QPixmap(10, 10)
    pixmap.fill(QColor(colour))
    label = QLabel()
    label.setPixmap(pixmap)
    return label


def _number(v: float | None) -> str:
    return "none" if v is None else f"{v:.4g}"


class RatesPanel(QWidget):
    """Follows session.selected_iterate() (the start when no method is enabled)."""

    def __init__(self, session, parent: QWidget | None = None, defer=call_now):
        super().__init__(parent)
        self.session = session
        self._defer = defer
        self.rates = None  # engine.rates.PointRates at the shown point
        self._stale = True  # the point changed while the dock was hidden or a marker dragged
        self.active = True  # False while its dock is a hidden tab (set_active)

        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setToolTip("The point whose rates are shown: the selected method's "
                                "current iterate")
        # Two rates per row where the dock is wide enough, one where it is not: name and
        # value, the value a button that gives the rate away.
        self.table = table = RateTable()
        self.buttons: dict[str, QToolButton] = {}
        rows = [(key, *RATES[key]) for key in RATES] + [("newton_line_minimum", *NEWTON_ROW)]
        for key, label, colour, tip in rows:
            name = QLabel(label)
            name.setToolTip(tip)
            button = QToolButton()
            button.setAutoRaise(True)
            button.clicked.connect(lambda _=False, k=key: self.use_rate(k))
            table.add_row(swatch_label(colour), name, button)
            self.buttons[key] = button
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setToolTip("What the rates mean here, and why a missing one is missing")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        small = self.message.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.message.setFont(small)

        self.graphics = SideBySide()
        self.graphics.setToolTip("f along each step, -grad f and the Newton step p = -H^-1 "
                                 "grad f (dark), against the quadratic model (dashed). Drag a "
                                 "solid marker to set that method's rate.")
        self.gradient_plot = self._plot("lr along -grad f", "f(x - lr g)")
        # Short enough for half of a 280-pixel dock ("t along the Newton step" lost its end).
        self.newton_plot = self._plot("t along p", "f(x + t p)")
        self.graphics.arrange()
        self.curves = {}  # (plot name, "f" | "model") -> PlotDataItem
        for name, plot in (("gradient", self.gradient_plot), ("newton", self.newton_plot)):
            self.curves[name, "f"] = plot.plot(pen=pg.mkPen("#222", width=2), connect="finite")
            self.curves[name, "model"] = plot.plot(
                pen=pg.mkPen("#777", width=1.5, style=Qt.PenStyle.DashLine), connect="finite")
            # Dashed as the tooltip says: segmented lines restart the dash pattern at every
            # sample and drew the model solid (as the one-step plot's tangent).
            self.curves[name, "model"].curve.setSegmentedLineMode("off")
        self.markers = {key: candidate_line(key) for key in RATES}
        for line in self.markers.values():
            self.gradient_plot.addItem(line, ignoreBounds=True)
        self.full_step = pg.InfiniteLine(pos=1.0, angle=90, pen=pg.mkPen(
            "#777", width=1, style=Qt.PenStyle.DotLine))
        self.full_step.setToolTip("t = 1: the full Newton step, where the model is stationary")
        self.newton_minimum = pg.InfiniteLine(angle=90, pen=pg.mkPen(
            NEWTON_ROW[1], width=1.5, style=Qt.PenStyle.DashLine))
        self.newton_minimum.setToolTip(f"{NEWTON_ROW[0]}: {NEWTON_ROW[2]}")
        for line in (self.full_step, self.newton_minimum):
            self.newton_plot.addItem(line, ignoreBounds=True)
        self.in_use = {}  # method -> its draggable marker
        for method, plot in ((GD, self.gradient_plot), (NEWTON, self.newton_plot)):
            line = in_use_line("#000", f"The learning rate {method_title(method)} uses: drag "
                                       f"it to change it")
            line.sigPositionChanged.connect(lambda ln, m=method: self._dragged(m, ln))
            line.sigPositionChangeFinished.connect(lambda _ln: self._schedule())
            plot.addItem(line, ignoreBounds=True)
            self.in_use[method] = line

        scrolled_column(self, self.heading, table, self.graphics, self.message,
                        stretch=self.graphics)

        self._timer = QTimer(self, singleShot=True, interval=0)  # folds signals into one
        self._timer.timeout.connect(self.refresh)
        for signal in (session.function_changed, session.trajectories_changed,
                       session.selection_changed, session.methods_changed):
            signal.connect(self._schedule)
        session.step_changed.connect(self._step_changed)
        self.refresh()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override): a compact dock by default
        return QSize(320, 360)

    def _plot(self, x: str, y: str) -> pg.PlotItem:
        plot = pg.PlotItem()
        self.graphics.plots.append(plot)
        plot.setLabel("bottom", x)
        plot.setLabel("left", y)
        theme.style_plot(plot)  # dark axes and words: pyqtgraph's light grey was faint on white
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        return plot

    # --- following the session -----------------------------------------------------------
    def _schedule(self, *_args) -> None:
        self._defer(self._timer.start)

    def _step_changed(self, *_args) -> None:
        """A playback step moves the shown point; behind a tab the dock only notes it (the
        rates in use, whose markers always follow, do not change with the step)."""
        if self.active and self.isVisible():
            self._schedule()
        else:
            self._stale = True

    def dragging(self) -> bool:
        return any(line.moving for line in self.in_use.values())

    def set_active(self, on: bool) -> None:
        """Its dock came to the front (catch up) or went behind a tab."""
        self.active = bool(on)
        if on and self._stale:
            self._schedule()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if self._stale:
            self._schedule()

    def point(self) -> tuple[tuple[float, float], str]:
        """The shown point and words for it: the selected iterate, else the start."""
        session = self.session
        it = session.selected_iterate()
        if it is None:
            return session.start, "At the start"
        return (float(it.x[0]), float(it.x[1])), (f"{method_title(session.selected_method)}, "
                                                  f"iterate {it.k}")

    def refresh(self) -> None:
        """Recompute the rates and lines at the point (postponed while a marker is dragged or
        the dock is hidden); the markers of the rates in use always follow."""
        self._timer.stop()
        hidden = not (self.active and self.isVisible())
        if self.dragging() or hidden and self.rates is not None:
            self._stale = True
            self._place_in_use()
            return
        session = self.session
        if session.objective is None:  # the first function is being built: it will follow
            self._stale = True
            return
        self._stale = False
        point, where = self.point()
        self.rates = r = rates_at(session.objective, point)
        self.heading.setText(f"<b>{where}</b> ({point[0]:.4g}, {point[1]:.4g})")
        self.heading.setToolTip(f"The point whose rates are shown: x = ({point[0]:.6g}, "
                                f"{point[1]:.6g}), f = {r.f:.6g}")
        values = {**{k: getattr(r, k) for k in ("cauchy", "inverse_lambda_max",
                                                 "best_quadratic", "stability_edge")},
                  "line_minimum": r.line_minimum.t, "newton_line_minimum":
                  r.newton_line_minimum.t}
        for key, button in self.buttons.items():
            v = values[key]
            target = NEWTON if key == "newton_line_minimum" else GD
            button.setText(_number(v))
            button.setEnabled(v is not None and target in session.methods)
            f_there = {"line_minimum": r.line_minimum.f,
                       "newton_line_minimum": r.newton_line_minimum.f}.get(key)
            there = f" (f there: {f_there:.6g})" if f_there is not None else ""
            button.setToolTip(f"{v:.6g}{there}: click to give {method_title(target)} this "
                              f"learning rate" if v is not None
                              else "Does not exist here: see the words below the plots")
        self.table.arrange()  # the values' widths changed
        self.message.setText(r.message)
        for key, line in self.markers.items():
            place(line, values[key])
        place(self.newton_minimum, r.newton_line_minimum.t)
        self._draw_lines()

    def _rate(self, method: str) -> float | None:
        config = self.session.methods.get(method)
        return None if config is None else config.learning_rate

    def _draw_lines(self) -> None:
        r, objective = self.rates, self.session.objective
        for name, plot, extent in (
                ("gradient", self.gradient_plot, gradient_extent(r, self._rate(GD))),
                ("newton", self.newton_plot, newton_extent(r, self._rate(NEWTON)))):
            line = line_profile(objective, r, name, extent)
            f_curve, model_curve = self.curves[name, "f"], self.curves[name, "model"]
            if line is None:
                f_curve.setData([], [])
                model_curve.setData([], [])
                continue
            f_curve.setData(line.t, line.f)
            model_curve.setData(line.t, line.model)
            plot.setXRange(0, extent, padding=0.02)
            finite = line.f[np.isfinite(line.f)]
            if finite.size:  # the model may run off: the range follows f
                lo, hi = float(finite.min()), float(finite.max())
                pad = 0.15 * (hi - lo) or 0.5 * max(abs(hi), 1.0)
                plot.setYRange(lo - pad, hi + pad, padding=0)
        self._place_in_use()

    def _place_in_use(self) -> None:
        for method, line in self.in_use.items():
            config = self.session.methods.get(method)
            line.setPen(pg.mkPen(config.colour if config else "#000", width=2.5))
            if not line.moving:
                place(line, self._rate(method))

    # --- the user sets a rate --------------------------------------------------------------
    def _dragged(self, method: str, line) -> None:
        if line.moving:  # moved by the user, not by place()
            set_learning_rate(self.session, method, float(line.value()))

    def use_rate(self, key: str) -> None:
        """Give the rate of that row to gradient descent (the Newton row's t to Newton)."""
        if self.rates is None:
            return
        r = self.rates
        value = {"line_minimum": r.line_minimum.t,
                 "newton_line_minimum": r.newton_line_minimum.t}.get(key, getattr(r, key, None))
        if value is not None and math.isfinite(value):
            set_learning_rate(self.session, NEWTON if key == "newton_line_minimum" else GD,
                              value)
