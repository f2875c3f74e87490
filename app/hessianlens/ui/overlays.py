"""The four overlays of the plane: det H, Newton step field, curvature classes, quadratic model.

Each overlay owns its graphics items, shows or hides them together, redraws from a
FieldBundle (field_worker.py) and names itself in the legend.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from hessianlens.engine import linalg2
from hessianlens.engine.fields import quadratic_model
from hessianlens.ui.arrows import arrow_segments
from hessianlens.ui.contours import EMPTY, contour_lines

TITLES = {
    "determinant": "Hessian determinant",
    "newton_field": "Newton step field",
    "curvature": "Curvature classes",
    "quadratic_model": "Local quadratic model",
}
TIPS = {
    "determinant": "Colour the plane by det H (blue < 0 < red) and draw the curve det H = 0",
    "newton_field": "Arrows of the Newton step -H^-1 grad f on a coarse grid: green where it goes "
                    "downhill, magenta where it goes uphill",
    "curvature": "Shade where H is positive definite (green), indefinite (grey) and negative "
                 "definite (red)",
    "quadratic_model": "Contours of the second-order Taylor model of f at the selected iterate",
}
DOWNHILL, UPHILL = "#2ca02c", "#e377c2"
# RGBA per curvature code + 1 (UNDEFINED = -1 comes first).
CURVATURE_COLOURS = {
    linalg2.UNDEFINED: (0, 0, 0, 0),
    linalg2.POSITIVE_DEFINITE: (60, 200, 80, 110),
    linalg2.NEGATIVE_DEFINITE: (230, 60, 50, 120),
    linalg2.INDEFINITE: (235, 235, 235, 90),
    linalg2.SINGULAR: (0, 0, 0, 0),
}
CURVATURE_LUT = np.array([CURVATURE_COLOURS[c] for c in range(-1, 4)], dtype=np.ubyte)


def curvature_rgba(codes: np.ndarray) -> np.ndarray:
    """The shading of the curvature classes: RGBA per sample (made in the field worker, so
    the GUI thread only hands it to the image)."""
    return np.take(CURVATURE_LUT, codes.astype(np.intp) + 1, axis=0)


def cache_drawing(item) -> None:
    """Keep the item's rendering in a pixmap until its data or the zoom changes: the layers
    that do not move during an animation then cost a blit per frame instead of a redraw."""
    target = getattr(item, "curve", item)  # a PlotDataItem draws through its curve
    target.setCacheMode(target.CacheMode.DeviceCoordinateCache)


def swatch(colour, label_pen=None) -> pg.PlotDataItem:
    """A legend sample: a filled square, or a line when label_pen is given."""
    if label_pen is not None:
        return pg.PlotDataItem([0, 1], [0, 0], pen=label_pen)
    return pg.PlotDataItem([0], [0], pen=None, symbol="s", symbolSize=10, symbolBrush=colour,
                           symbolPen=pg.mkPen(60, 60, 60))


def image_rect(fields):
    """The image rectangle of a grid sampled at its edges: half a cell wider on every side."""
    r = fields.rect
    ny, nx = fields.shape
    hx, hy = r.width / max(nx - 1, 1) / 2, r.height / max(ny - 1, 1) / 2
    return r.xmin - hx, r.ymin - hy, r.width + 2 * hx, r.height + 2 * hy


class Overlay:
    """Base: a named group of items, hidden until switched on."""

    name = ""

    def __init__(self, plot: pg.PlotItem):
        self.plot = plot
        self.items: list = []
        self.legend: list[tuple[pg.PlotDataItem, str]] = []
        self.visible = False

    def _add(self, item, z: float):
        item.setZValue(z)
        cache_drawing(item)
        item.setVisible(False)
        self.plot.addItem(item)
        self.items.append(item)
        return item

    def set_visible(self, on: bool) -> None:
        self.visible = bool(on)
        for item in self.items:
            item.setVisible(self.visible)

    def update_fields(self, bundle) -> None:
        """Redraw from new fields."""

    def update_view(self, pixel_size) -> None:
        """Redraw what depends on the zoom (arrowheads)."""

    def update_selection(self, session, bundle) -> None:
        """Redraw what depends on the selected iterate."""


class DeterminantOverlay(Overlay):
    name = "determinant"

    def __init__(self, plot, colour_bar_parent: pg.GraphicsLayout):
        super().__init__(plot)
        self.image = self._add(pg.ImageItem(axisOrder="row-major"), -90)
        self.image.setOpacity(0.85)
        pen = pg.mkPen("k", width=2.5)
        self.zero = self._add(pg.PlotDataItem(pen=pen, connect="finite"), 10)
        self.bar = pg.ColorBarItem(colorMap=pg.colormap.get("CET-D1"), interactive=False,
                                   label="det H", values=(-1, 1))
        self.bar.setImageItem(self.image)
        colour_bar_parent.addItem(self.bar, 0, 2)
        self.bar.setVisible(False)
        self.items.append(self.bar)
        self.legend = [(swatch(None, pen), "det H = 0")]

    def update_fields(self, bundle) -> None:
        # Symmetric limits centre the diverging map on zero: white is det H = 0.
        self.image.setImage(bundle.fields.det, autoLevels=False)
        self.image.setRect(*image_rect(bundle.fields))
        self.bar.setLevels((-bundle.det_limit, bundle.det_limit))
        self.zero.setData(*bundle.det_zero_lines)


class NewtonFieldOverlay(Overlay):
    name = "newton_field"

    def __init__(self, plot):
        super().__init__(plot)
        self.normalized = True
        # 1-pixel pens: Qt draws thin antialiased lines about ten times faster than wide ones.
        self.down = self._add(pg.PlotDataItem(pen=pg.mkPen(DOWNHILL, width=1), connect="pairs"), 30)
        self.up = self._add(pg.PlotDataItem(pen=pg.mkPen(UPHILL, width=1), connect="pairs"), 30)
        zpen = pg.mkPen("#ffd700", width=2.5)
        self.zero = self._add(pg.PlotDataItem(pen=zpen, connect="finite"), 31)
        self.legend = [(swatch(None, pg.mkPen(DOWNHILL, width=2)), "Newton step downhill"),
                       (swatch(None, pg.mkPen(UPHILL, width=2)), "Newton step uphill"),
                       (swatch(None, zpen), "Newton step ~ 0 (stationary point)")]
        self._coarse = None
        self._pixel = (1.0, 1.0)

    def set_normalized(self, on: bool) -> None:
        if bool(on) == self.normalized:
            return
        self.normalized = bool(on)
        self._redraw()

    def update_fields(self, bundle) -> None:
        self._coarse = bundle.coarse
        self.zero.setData(*bundle.zero_step_lines)
        self._redraw()

    def update_view(self, pixel_size) -> None:
        self._pixel = pixel_size
        self._redraw()

    def _redraw(self) -> None:
        c = self._coarse
        if c is None:
            return
        X, Y = np.meshgrid(c.xs, c.ys)
        dx, dy = c.newton_dx, c.newton_dy
        if self.normalized:
            # Every arrow 0.8 of a cell long: the direction field alone.
            cell = min(c.rect.width / max(len(c.xs) - 1, 1), c.rect.height / max(len(c.ys) - 1, 1))
            with np.errstate(all="ignore"):
                scale = 0.8 * cell / c.newton_length
            dx, dy = dx * scale, dy * scale
        else:
            # True length: the tip is where a full Newton step lands; capped at the view's
            # diagonal so a near-singular H does not draw a line to infinity.
            cap = np.hypot(c.rect.width, c.rect.height)
            with np.errstate(all="ignore"):
                scale = np.minimum(1.0, cap / c.newton_length)
            dx, dy = dx * scale, dy * scale
        for item, mask in ((self.down, c.newton_descent), (self.up, ~c.newton_descent)):
            item.setData(*arrow_segments(X[mask], Y[mask], dx[mask], dy[mask], self._pixel,
                                         head_px=5))


class CurvatureOverlay(Overlay):
    name = "curvature"

    def __init__(self, plot):
        super().__init__(plot)
        self.image = self._add(pg.ImageItem(axisOrder="row-major"), -80)
        self.legend = [(swatch(pg.mkColor(*CURVATURE_COLOURS[c][:3])), linalg2.CURVATURE_NAMES[c])
                       for c in (linalg2.POSITIVE_DEFINITE, linalg2.INDEFINITE,
                                 linalg2.NEGATIVE_DEFINITE)]

    def update_fields(self, bundle) -> None:
        self.image.setImage(bundle.curvature_rgba, autoLevels=False, levels=(0, 255))
        self.image.setRect(*image_rect(bundle.fields))


class QuadraticModelOverlay(Overlay):
    """m(x) = f_k + g_k . (x - x_k) + 1/2 (x - x_k)^T H_k (x - x_k), on f's contour levels,
    so that where the coloured model lines follow the white lines of f the model is good."""

    name = "quadratic_model"
    GRID = 64  # the model is a quadratic: a coarse grid draws its conics smoothly

    def __init__(self, plot):
        super().__init__(plot)
        # Solid lines: Qt draws long antialiased dashed paths many times slower.
        self.lines = self._add(pg.PlotDataItem(pen=pg.mkPen("k", width=1), connect="finite"), 20)
        self.lines.curve.setCacheMode(self.lines.curve.CacheMode.NoCache)  # redrawn every step
        self.centre = self._add(pg.ScatterPlotItem(symbol="+", size=14, pen=pg.mkPen("w", width=2)), 21)
        self.legend = [(swatch(None, pg.mkPen("#444", width=1)), "quadratic model at the selected iterate")]

    def update_selection(self, session, bundle) -> None:
        if not self.visible:
            self._shown = None  # drawn when switched on
            return
        it = session.selected_iterate()
        colour = session.methods[session.selected_method].colour \
            if session.selected_method in session.methods else "w"
        shown = getattr(self, "_shown", None)  # (iterate, bundle, colour) drawn last
        if shown is not None and shown[0] is it and shown[1] is bundle and shown[2] == colour:
            return  # the same iterate on the same grid: nothing to redraw
        self._shown = (it, bundle, colour)
        if it is None or bundle is None or not np.all(np.isfinite(it.hessian)):
            self.lines.setData(*EMPTY)
            self.centre.setData([], [])
            return
        self.lines.setPen(pg.mkPen(pg.mkColor(colour).lighter(140), width=1))
        xs, ys, m = quadratic_model(it.x, it.f, it.grad, it.hessian, bundle.fields.rect,
                                    self.GRID)
        self.lines.setData(*contour_lines(xs, ys, m, bundle.levels))
        self.centre.setData([it.x[0]], [it.x[1]])


def make_overlays(plot: pg.PlotItem, layout: pg.GraphicsLayout) -> dict[str, Overlay]:
    overlays = (DeterminantOverlay(plot, layout), NewtonFieldOverlay(plot), CurvatureOverlay(plot),
                QuadraticModelOverlay(plot))
    return {o.name: o for o in overlays}
