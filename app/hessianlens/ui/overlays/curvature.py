"""Shading of the curvature classes: positive definite, indefinite, negative definite."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from hessianlens import colours
from hessianlens.engine import linalg2
from hessianlens.ui.overlays.base import OverlayLayer, image_rect, swatch

# RGBA per curvature code, opaque where a class is defined: the plane shows exactly the
# legend's colours (a translucent shading blended green and red into viridis' teal and orange).
CURVATURE_COLOURS = {
    linalg2.UNDEFINED: (0, 0, 0, 0),
    linalg2.POSITIVE_DEFINITE: (*colours.rgb(colours.POSITIVE_DEFINITE), 255),
    linalg2.NEGATIVE_DEFINITE: (*colours.rgb(colours.NEGATIVE_DEFINITE), 255),
    linalg2.INDEFINITE: (*colours.rgb(colours.INDEFINITE), 255),
    linalg2.SINGULAR: (0, 0, 0, 0),
}
CURVATURE_LUT = np.array([CURVATURE_COLOURS[c] for c in range(-1, 4)], dtype=np.ubyte)


def prepare(objective, fields) -> np.ndarray:
    """The shading, RGBA per sample (made in the field worker, so the GUI thread only hands it
    to the image; np.take is twice as fast as fancy indexing here)."""
    return np.take(CURVATURE_LUT, fields.curvature.astype(np.intp) + 1, axis=0)


class Layer(OverlayLayer):
    covers_f = True
    z = -80

    def __init__(self, spec, host):
        super().__init__(spec, host)
        self.image = self._add(pg.ImageItem(axisOrder="row-major"), self.z)
        self.fill_legend = [(swatch(pg.mkColor(*CURVATURE_COLOURS[c][:3])),
                             f"H {linalg2.CURVATURE_NAMES[c]}")
                            for c in (linalg2.POSITIVE_DEFINITE, linalg2.INDEFINITE,
                                      linalg2.NEGATIVE_DEFINITE)]

    def update_fields(self, bundle) -> None:
        fields = bundle.fields
        self.image.setImage(bundle.payloads[self.spec.name], autoLevels=False, levels=(0, 255))
        self.image.setRect(*image_rect(fields.rect, fields.shape))
