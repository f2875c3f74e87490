"""One light look for every plot of the window: white ground, dark grey axes and text."""

from __future__ import annotations

import math
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
    """The bar's value axis styled, labelled and numbered in short. (pyqtgraph's
    ColorBarItem(label=...) labels the frame's other side: with a label set later on the
    value axis, f's bar showed two.)"""
    style_axis(bar.axis)
    bar.axis.setLabel(label)
    # pyqtgraph fixes a bar's axis at 45 pixels and drops every label wider than that: a bar
    # for f up to 6e6 ("200000", "1e+06") showed only "0". Short numbers keep both the
    # labels and the width (a bar as wide as its numbers moved the plot, and with equal
    # aspect the view, whenever a new function had longer ones).
    bar.axis.tickStrings = short_tick_strings


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


def short_tick_strings(values, scale: float, spacing: float) -> list[str]:
    """Tick labels of at most about five characters: as pyqtgraph writes them between 1e-3
    and 1e4, and beyond as 2e5, 2.5e-8 (the digits the tick spacing needs, no '+' and no
    leading zeros in the exponent)."""
    step = abs(spacing * scale)
    out = []
    for v in values:
        x = v * scale
        if x == 0:
            out.append("0")
        elif not 1e-3 <= abs(x) < 1e4:
            e = math.floor(math.log10(abs(x)))
            digits = max(0, e - math.floor(math.log10(step))) if step > 0 else 0
            m = round(x / 10.0**e, digits)
            if abs(m) >= 10:  # 9.99e4 rounded up to 10e4
                m, e = m / 10, e + 1
            out.append(f"{m:.{digits}f}".rstrip("0").rstrip(".") + f"e{e}")
        else:
            places = max(0, math.ceil(-math.log10(step))) if step > 0 else 0
            out.append(f"{x:.{places}f}")
    return out
