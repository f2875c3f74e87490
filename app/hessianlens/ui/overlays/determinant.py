"""det H as a diverging colour image centred on zero, with the curve det H = 0."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg

from hessianlens import colours
from hessianlens.ui import theme
from hessianlens.ui.contours import contour_half, robust_range
from hessianlens.ui.overlays.base import OverlayLayer, image_rect, swatch


@dataclass(frozen=True)
class Payload:
    limit: float  # det H is coloured over [-limit, limit], centred on zero
    zero_lines: tuple[np.ndarray, np.ndarray]  # the curve det H = 0


def prepare(objective, fields) -> Payload:
    lo, hi = robust_range(fields.det, 2.0, 98.0)
    return Payload(max(abs(lo), abs(hi), 1e-12), contour_half(fields, fields.det, [0.0]))


def colour_map() -> pg.ColorMap:
    """Purple (det H < 0) through near-white (0) to green (det H > 0): colours.DIVERGING."""
    stops = np.linspace(0.0, 1.0, len(colours.DIVERGING))
    return pg.ColorMap(stops, [colours.rgb(c) for c in colours.DIVERGING])


class Layer(OverlayLayer):
    covers_f = True
    z = -90

    def __init__(self, spec, host):
        super().__init__(spec, host)
        self.image = self._add(pg.ImageItem(axisOrder="row-major"), self.z)
        pen = pg.mkPen("k", width=2.5)
        self.zero = self._add(pg.PlotDataItem(pen=pen, connect="finite"), 10)
        self.colour_bar = pg.ColorBarItem(colorMap=colour_map(), interactive=False,
                                          values=(-1, 1))
        self.colour_bar.setImageItem(self.image)
        theme.style_colour_bar(self.colour_bar, "det H")  # the plane puts it in f's place
        self.legend = [(swatch(None, pen), "det H = 0")]
        self.fill_legend = [(swatch(colours.DIVERGING[1]), "det H < 0 (H indefinite)"),
                            (swatch(colours.DIVERGING[-2]), "det H > 0 (H definite)")]

    def update_fields(self, bundle) -> None:
        payload, fields = bundle.payloads[self.spec.name], bundle.fields
        # Symmetric limits centre the diverging map on zero: white is det H = 0.
        self.image.setImage(fields.det, autoLevels=False)
        self.image.setRect(*image_rect(fields.rect, fields.shape))
        self.colour_bar.setLevels((-payload.limit, payload.limit))
        self.zero.setData(*payload.zero_lines)
