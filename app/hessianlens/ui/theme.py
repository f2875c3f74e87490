"""One light look for every plot of the window: white ground, dark grey axes and text."""

from __future__ import annotations

import re

import pyqtgraph as pg

BACKGROUND = "w"
AXIS_PEN = (110, 110, 110)
TEXT_PEN = (50, 50, 50)


def style_axis(axis: pg.AxisItem) -> None:
    """Dark grey on white; tick labels in the data's own units: pyqtgraph's automatic
    '(x1e+27)' scale beside unscaled ticks ('6e+28') read as two different numbers."""
    axis.setPen(pg.mkPen(AXIS_PEN))
    axis.setTextPen(pg.mkPen(TEXT_PEN))
    axis.enableAutoSIPrefix(False)


def style_plot(plot: pg.PlotItem) -> None:
    for name in ("left", "bottom", "right", "top"):
        style_axis(plot.getAxis(name))
    # Without pyqtgraph's right-click "Plot Options" (FFT, dy/dx, log axes, downsampling,
    # alpha...): they redraw the program's items as data they are not (a log x axis squeezed
    # the plane into 1e-150..1e150) or raise on them (downsampling and alpha on the paths,
    # dy/dx on the 1D page). The view box's own entries (View All, the ranges) stay.
    plot.setMenuEnabled(False, enableViewBoxMenu=None)


def without_stock_export(graphics: pg.GraphicsView) -> None:
    """No "Export..." in the plots' right-click menu: pyqtgraph's own exporters raised there
    (its SVG on the curves Qt 6 writes, its Matplotlib one without matplotlib). The window
    exports through File > Export image, and the Dimensions page through its buttons."""
    graphics.scene().contextMenu = []


def style_colour_bar(bar: pg.ColorBarItem, label: str) -> None:
    """The bar's value axis styled, labelled and sized to its numbers. (pyqtgraph's ColorBarItem(label=...) labels
    the frame's other side: with a label set later on the value axis, f's bar showed two.)"""
    style_axis(bar.axis)
    bar.axis.setLabel(label)
    # As wide as its numbers: pyqtgraph fixes a bar's axis at 45 pixels and drops every
    # label wider than that, so a bar for f up to 1e6 ("200000") showed only "0".
    bar.axis.setWidth(None)


def align_colour_bar(bar: pg.ColorBarItem, plot: pg.PlotItem) -> None:
    """The bar as tall as the plot's box beside it, not as the plot with its x axis and label
    below it (once per bar: its bottom margin takes the axis's height)."""
    if getattr(bar, "_aligned_to_plot", False):
        return
    left, top, right, bottom = bar.layout.getContentsMargins()
    bar.layout.setContentsMargins(left, top, right,
                                  bottom + plot.getAxis("bottom").maximumHeight())
    bar._aligned_to_plot = True


def status_tip(tip: str, limit: int = 160) -> str:
    """A tooltip in the few words a status bar line holds: without its parenthetical
    asides, up to its first semicolon, and cut at a word with an ellipsis if still longer
    (the whole tip stays the tooltip; Stability's and Believed H's ended mid-word)."""
    words = re.sub(r"\s*\([^()]*\)", "", tip).split("; ")[0].strip()
    if len(words) <= limit:
        return words
    return words[: words.rfind(" ", 0, limit)].rstrip(",;:") + "…"
