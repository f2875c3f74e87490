"""What every overlay's drawing shares: a group of items on the plane, hidden until switched on.

The file contract of an overlay module (named by its OverlaySpec.module):
- ``Layer``: an :class:`OverlayLayer` subclass, made once per plane as ``Layer(spec, host)``
  (host: the plane, with ``plot``, ``graphics`` and ``session``);
- ``prepare(objective, fields) -> payload`` when its spec needs "payload": pure numpy, run
  by the fields job off the GUI thread; the payload reaches ``Layer.update_fields`` as
  ``bundle.payloads[spec.name]``.
"""

from __future__ import annotations

import importlib

import pyqtgraph as pg
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QPen

from hessianlens.ui.still_stack import mark_still


def cache_drawing(item) -> None:
    """Keep the item's rendering in a pixmap until its data or the zoom changes: the layers
    that do not move during an animation then cost a blit per frame instead of a redraw."""
    target = getattr(item, "curve", item)  # a PlotDataItem draws through its curve
    target.setCacheMode(target.CacheMode.DeviceCoordinateCache)


def set_pen(item, colour, width: float) -> None:
    """Give a line item a pen of this colour and width unless its pen is one: a new pen makes
    the item draw again, and a playback step would give the same one every time."""
    pen = item.opts["pen"]
    if not isinstance(pen, QPen) or pen.color() != pg.mkColor(colour) or \
            pen.widthF() != width:
        item.setPen(pg.mkPen(colour, width=width))


def swatch(colour, label_pen=None) -> pg.PlotDataItem:
    """A legend sample: a filled square, or a line when label_pen is given."""
    if label_pen is not None:
        return pg.PlotDataItem([0, 1], [0, 0], pen=label_pen)
    return pg.PlotDataItem([0], [0], pen=None, symbol="s", symbolSize=10, symbolBrush=colour,
                           symbolPen=pg.mkPen(60, 60, 60))


def image_rect(rect, shape):
    """The image rectangle of a grid sampled at its edges: half a cell wider on every side."""
    ny, nx = shape
    hx, hy = rect.width / max(nx - 1, 1) / 2, rect.height / max(ny - 1, 1) / 2
    return rect.xmin - hx, rect.ymin - hy, rect.width + 2 * hx, rect.height + 2 * hy


class OverlayLayer(QObject):
    """Base of an overlay's drawing. The plane calls the hooks its spec needs."""

    changed = Signal()  # the legend entries changed by themselves (a new basin map, say)
    message = Signal(str)  # a problem for the status bar
    job = None  # a jobs.Job when the overlay computes on its own: the window shows its progress
    # An opaque image over the whole plane hides f's colours: while the layer covers it the
    # plane hides f's colour bar (showing the layer's colour_bar, if any, in its place) and
    # darkens f's contour lines. Of several, the one with the highest z is seen.
    covers_f = False
    z = 0.0
    colour_bar = None

    def __init__(self, spec, host):
        super().__init__(host)
        self.spec, self.host = spec, host
        self.plot, self.session = host.plot, host.session
        self.items: list = []
        self.legend: list[tuple[pg.PlotDataItem, str]] = []
        # Entries naming the colours of a covering image: in the key only while it is seen.
        self.fill_legend: list[tuple[pg.PlotDataItem, str]] = []
        # Items of its entries the key leaves out first when it is short of room (a long list).
        self.legend_optional: set = set()
        self.visible = False
        self.settings = spec.resolve({})

    def _add(self, item, z: float, cache: bool = True):
        """Put item on the plane at z, hidden; cache: a still layer (kept as a pixmap and
        drawn with its neighbours from one, see still_stack), else redrawn as it changes."""
        item.setZValue(z)
        if cache:
            cache_drawing(item)
            mark_still(item)
        item.setVisible(False)
        self.plot.addItem(item)
        self.items.append(item)
        return item

    @property
    def covering(self) -> bool:
        """True while the layer's image hides f's colours (see covers_f)."""
        return self.covers_f and self.visible

    def set_visible(self, on: bool) -> None:
        self.visible = bool(on)
        for item in self.items:
            item.setVisible(self.visible)

    def apply_settings(self, settings: dict) -> None:
        """The session's settings of this overlay (every one, validated)."""
        self.settings = dict(settings)

    def update_fields(self, bundle) -> None:
        """Redraw from a new grid (needs "payload" or "fields")."""

    def update_view(self, pixel_size) -> None:
        """Redraw what depends on the zoom (needs "zoom")."""

    def update_selection(self, bundle) -> None:
        """Redraw what depends on the selected iterate (needs "selection")."""

    def describe(self, x: float, y: float) -> str:
        """Words about the point under the cursor for the status bar ('' for none)."""
        return ""

    def busy(self) -> bool:
        return self.job is not None and self.job.running

    def cancel(self) -> None:
        """Stop the overlay's own job (the Cancel button in the status bar)."""
        if self.job is not None:
            self.job.cancel()

    def shutdown(self) -> None:
        """Stop the overlay's own job, if any, before the plane goes away."""
        if self.job is not None:
            self.job.cancel()
            self.job.wait(5000)


class SelectionLayer(OverlayLayer):
    """A layer drawn for the selected iterate: redrawn when switched on and on a new grid as
    on a new selection."""

    def set_visible(self, on: bool) -> None:
        super().set_visible(on)
        if on:
            self.update_selection(self.host.bundle)

    def update_fields(self, bundle) -> None:
        self.update_selection(bundle)


def module_of(spec):
    """The overlay's module (spec.module), imported on first use."""
    return importlib.import_module(spec.module)
