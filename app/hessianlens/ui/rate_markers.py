"""The candidate rates' names, colours and meanings, and their vertical markers on a plot: one
table read by the rates dock and the sweep dock alike."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QLayout, QScrollArea, QVBoxLayout, QWidget

# key of engine.rates.PointRates.candidates -> (short label, colour, what it means)
RATES = {
    "cauchy": ("Cauchy", "#2ca02c",
               "g.g / g.H.g: minimises the quadratic model along -grad f (the one-step rate "
               "1/f'' of the 1D write-up, laid along the gradient)"),
    "inverse_lambda_max": ("1/\u03bbmax", "#17becf",
                           "1/lambda_max: lands the steepest eigen-direction of the model "
                           "exactly on its minimum"),
    "best_quadratic": ("2/(\u03bbmin+\u03bbmax)", "#9467bd",
                       "2/(lambda_min + lambda_max): the best fixed rate on a positive "
                       "definite quadratic (the slowest and the steepest direction contract "
                       "alike)"),
    "stability_edge": ("2/\u03bbmax edge", "#d62728",
                       "2/lambda_max: above it gradient descent diverges on the quadratic "
                       "model"),
    "line_minimum": ("Line minimum", "#ff7f0e",
                     "The rate that minimises the true f along -grad f (bracketing, then "
                     "Brent's method)"),
}


def candidate_line(key: str, angle: int = 90) -> pg.InfiniteLine:
    """A fixed, dashed vertical marker in the rate's colour, with its meaning as tooltip."""
    label, colour, tip = RATES[key]
    line = pg.InfiniteLine(angle=angle, movable=False,
                           pen=pg.mkPen(colour, width=1.5, style=Qt.PenStyle.DashLine))
    line.setToolTip(f"{label}: {tip}")
    line.setZValue(5)
    return line


def in_use_line(colour: str, tip: str) -> pg.InfiniteLine:
    """A solid, draggable marker for the rate a method uses now."""
    line = pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen(colour, width=2.5),
                           hoverPen=pg.mkPen(colour, width=4))
    line.setToolTip(tip)
    line.setZValue(10)
    return line


def place(line: pg.InfiniteLine, value: float | None, log: bool = False) -> None:
    """Show the marker at value (log10 of it on a log axis), or hide it when there is none."""
    ok = value is not None and math.isfinite(value) and (value > 0 or not log)
    line.setVisible(ok)
    if ok:
        line.blockSignals(True)
        line.setValue(math.log10(value) if log else value)
        line.blockSignals(False)


def set_learning_rate(session, method: str, value: float) -> bool:
    """Set a method's learning rate through the session, kept within the parameter's bounds;
    False when the session has no such method or the value is no rate."""
    from hessianlens.engine.rules.base import LEARNING_RATE_BOUNDS

    config = session.methods.get(method)
    if config is None or "learning_rate" not in config.params or not math.isfinite(value):
        return False
    low, high = LEARNING_RATE_BOUNDS
    rate = min(max(float(value), low), high)
    if rate != config.learning_rate:
        session.update_method(method, learning_rate=rate)
    return True


def scrolled_column(owner: QWidget, *parts, stretch=None) -> None:
    """owner's content: the parts (widgets or layouts) in a column, in a frameless scroll area
    so that a dock may be shorter than all of it; the ``stretch`` part takes the spare height."""
    inner = QWidget()
    column = QVBoxLayout(inner)
    column.setContentsMargins(4, 4, 4, 4)
    for part in parts:
        if isinstance(part, QLayout):
            column.addLayout(part)
        else:
            column.addWidget(part, 1 if part is stretch else 0)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(inner)
    layout = QVBoxLayout(owner)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(scroll)


class CompactGraphics(pg.GraphicsLayoutWidget):
    """A white GraphicsLayoutWidget that asks for no more than its minimum height: in a
    scroll area (which lays its content out at the preferred heights) the plots then take
    the room left by the controls instead of 480 pixels."""

    def __init__(self, least_height: int):
        super().__init__()
        self.setBackground("w")
        self.setMinimumHeight(least_height)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(300, self.minimumHeight())
