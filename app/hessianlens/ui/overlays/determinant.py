"""det H as a diverging colour image centred on zero, with the curve det H = 0."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg

from hessianlens.ui.contours import contour_half, robust_range
from hessianlens.ui.overlays.base import OverlayLayer, image_rect, swatch


@dataclass(frozen=True)
class Payload:
    limit: float  # det H is coloured over [-limit, limit], centred on zero
    zero_lines: tuple[np.ndarray, np.ndarray]  # the curve det H = 0


def prepare(objective, fields) -> Payload:
    lo, hi = robust_range(fields.det, 2.0, 98.0)
    return Payload(max(abs(lo), abs(hi), 1e-12), contour_half(fields, fields.det, [0.0]))


class Layer(OverlayLayer):
    def __init__(self, spec, host):
        super().__init__(spec, host)
        self.image = self._add(pg.ImageItem(axisOrder="row-major"), -90)
        self.image.setOpacity(0.85)
        pen = pg.mkPen("k", width=2.5)
        self.zero = self._add(pg.PlotDataItem(pen=pen, connect="finite"), 10)
        self.bar = pg.ColorBarItem(colorMap=pg.colormap.get("CET-D1"), interactive=False,
                                   label="det H", values=(-1, 1))
        self.bar.setImageItem(self.image)
        host.graphics.ci.addItem(self.bar, 0, 2)
        self.bar.setVisible(False)
        self.items.append(self.bar)
        self.legend = [(swatch(None, pen), "det H = 0")]

    def update_fields(self, bundle) -> None:
        payload, fields = bundle.payloads[self.spec.name], bundle.fields
        # Symmetric limits centre the diverging map on zero: white is det H = 0.
        self.image.setImage(fields.det, autoLevels=False)
        self.image.setRect(*image_rect(fields.rect, fields.shape))
        self.bar.setLevels((-payload.limit, payload.limit))
        self.zero.setData(*payload.zero_lines)
