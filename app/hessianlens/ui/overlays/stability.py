"""The stability map: 2/lambda_max over the plane, hatched where H is not positive definite,
with the curve where it equals the gradient-descent rate in use.

Gradient descent at rate lr multiplies the error along each eigenvector of the local
quadratic by 1 - lr lambda: where lr < 2/lambda_max the local step is stable, beyond it the
steepest direction blows up. The colours diverge at the rate in use: green where it is
stable, tan where it is not, white on the curve between (the overlays' hues, colours.py: no
method's colour). Where H is not positive definite
the quadratic has no minimum to be stable at, hence the hatching.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg

from hessianlens import colours
from hessianlens.engine import linalg2
from hessianlens.engine.rates import stability_edge
from hessianlens.ui import theme
from hessianlens.ui.contours import EMPTY, contour_half, robust_range
from hessianlens.ui.overlays.base import OverlayLayer, image_rect, swatch

METHOD = "gd"  # whose rate the curve follows
HATCH_PERIOD, HATCH_WIDTH = 12, 3  # diagonal stripes, in grid samples
HATCH_RGBA = (30, 30, 30, 110)
NO_EDGE_RGBA = (215, 215, 215, 235)  # lambda_max <= 0: no rate is stable on the model
CURVE_COLOUR = "#202020"


def stable_colours() -> pg.ColorMap:
    """Tan (low 2/lambda_max: the rate is too large) - white - green (stable)."""
    stops = colours.STABILITY
    return pg.ColorMap(np.linspace(0.0, 1.0, len(stops)), [colours.rgb(c) for c in stops])


@dataclass(frozen=True)
class Payload:
    edge: np.ndarray  # 2/lambda_max, NaN where lambda_max <= 0 or undefined
    log_edge: np.ndarray  # its log10, the coloured image
    span: tuple[float, float]  # the robust range of log_edge
    hatch: np.ndarray  # RGBA: stripes where H is not positive definite, grey without edge


def prepare(objective, fields) -> Payload:
    edge = stability_edge(fields.eig_high)
    with np.errstate(all="ignore"):
        log_edge = np.log10(edge)
    lo, hi = robust_range(log_edge, 2.0, 98.0)
    ny, nx = edge.shape
    i, j = np.ogrid[:ny, :nx]
    stripes = (i + j) % HATCH_PERIOD < HATCH_WIDTH
    cls = fields.curvature
    hatched = stripes & (cls != linalg2.POSITIVE_DEFINITE) & (cls != linalg2.UNDEFINED)
    hatch = np.zeros((ny, nx, 4), dtype=np.ubyte)
    hatch[np.isnan(edge) & (cls != linalg2.UNDEFINED)] = NO_EDGE_RGBA
    hatch[hatched] = HATCH_RGBA
    return Payload(edge, log_edge, (lo, hi), hatch)


def centred_levels(span: tuple[float, float], lr: float) -> tuple[float, float]:
    """A colour scale of log10 (2/lambda_max) symmetric about log10 lr, covering span."""
    mid = np.log10(lr)
    half = max(abs(span[0] - mid), abs(span[1] - mid), 0.05)
    return float(mid - half), float(mid + half)


def gd_rate(session) -> float | None:
    m = session.methods.get(METHOD)
    return None if m is None else m.learning_rate


class Layer(OverlayLayer):
    covers_f = True  # the plane shows this bar in f's place
    z = -75

    def __init__(self, spec, host):
        super().__init__(spec, host)
        self.image = self._add(pg.ImageItem(axisOrder="row-major"), self.z)
        self.hatch = self._add(pg.ImageItem(axisOrder="row-major"), -74)
        self.curve_pen = pg.mkPen(CURVE_COLOUR, width=2)
        self.curve = self._add(pg.PlotDataItem(pen=self.curve_pen, connect="finite"), 12)
        self.bar = pg.ColorBarItem(colorMap=stable_colours(), interactive=False, values=(-1, 1))
        self.bar.setImageItem(self.image)
        theme.style_colour_bar(self.bar, "log10 (2/lambda_max)")
        self.colour_bar = self.bar
        self.bundle = None
        self._rate = None  # the rate the curve is drawn for
        self.legend = self._legend()
        self.session.methods_changed.connect(self._rate_changed)

    def _legend(self) -> list:
        lr = gd_rate(self.session)
        words = (f"2/lambda_max = gradient descent's lr {lr:g} (green: stable)"
                 if lr is not None else "2/lambda_max")
        return [(swatch(None, self.curve_pen), words),
                (swatch(pg.mkColor(*HATCH_RGBA[:3])), "hatched: H not positive definite")]

    def update_fields(self, bundle) -> None:
        self.bundle = bundle
        payload, fields = bundle.payloads[self.spec.name], bundle.fields
        self.image.setImage(payload.log_edge, autoLevels=False)
        self.image.setRect(*image_rect(fields.rect, fields.shape))
        self.hatch.setImage(payload.hatch, autoLevels=False, levels=(0, 255))
        self.hatch.setRect(*image_rect(fields.rect, fields.shape))
        self._draw_curve()

    def _rate_changed(self) -> None:
        if gd_rate(self.session) != self._rate:
            self._draw_curve()
            self.legend = self._legend()
            self.changed.emit()

    def _draw_curve(self) -> None:
        """The curve 2/lambda_max = lr of gradient descent on the grid of the last fields, and
        the colour scale centred on that rate."""
        self._rate = lr = gd_rate(self.session)
        if self.bundle is None or lr is None:
            self.curve.setData(*EMPTY)
            return
        payload = self.bundle.payloads[self.spec.name]
        self.curve.setData(*contour_half(self.bundle.fields, payload.edge, [lr]))
        self.bar.setLevels(centred_levels(payload.span, lr))

    def describe(self, x: float, y: float) -> str:
        if not self.visible:
            return ""
        d = self.session.objective.at((x, y))
        H = d.hessian
        low, high = linalg2.eigenvalues(H[0, 0], H[0, 1], H[1, 1])
        edge = stability_edge(high)
        if not np.isfinite(edge):
            return "2/lambda_max: none (no positive curvature)"
        lr = gd_rate(self.session)
        if low <= 0:
            verdict = " (H is not positive definite: no fixed rate converges here)"
        elif lr is None:
            verdict = ""
        else:
            side = "below: stable" if lr < edge else "above: unstable"
            verdict = f" (gradient descent's {lr:g} is {side})"
        return f"2/lambda_max = {edge:.4g}{verdict}"
