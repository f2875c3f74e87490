"""Arrows of the Newton step -H^-1 grad f on a coarse grid, coloured by whether it goes
downhill, and the small rings where the step is about zero (the stationary points)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg

from hessianlens import colours
from hessianlens.engine.fields import NEWTON_ARROWS, GridFields, NewtonSteps, compute_fields
from hessianlens.ui.arrows import arrow_segments
from hessianlens.ui.contours import contour_half
from hessianlens.ui.overlays.base import OverlayLayer, swatch

ARROWS = NEWTON_ARROWS  # arrows per axis
# The Newton step counts as "zero" where it is shorter than this fraction of the view's
# smaller side: small rings round the stationary points (g = 0), where Newton stops.
ZERO_STEP_FRACTION = 0.02
DOWNHILL, UPHILL = colours.DOWNHILL, colours.UPHILL


@dataclass(frozen=True)
class Payload:
    coarse: GridFields  # the arrows' grid
    steps: NewtonSteps  # the Newton step at its points (computed here, off the GUI thread)
    zero_lines: tuple[np.ndarray, np.ndarray]  # |Newton step| = ZERO_STEP_FRACTION of the view


def prepare(objective, fields) -> Payload:
    rect = fields.rect
    eps = ZERO_STEP_FRACTION * min(rect.width, rect.height)
    coarse = compute_fields(objective, rect, ARROWS)
    return Payload(coarse, coarse.newton, contour_half(fields, fields.newton_length, [eps]))


class Layer(OverlayLayer):
    def __init__(self, spec, host):
        super().__init__(spec, host)
        # Thin pens: Qt draws thin antialiased lines about ten times faster than wide ones
        # (the arrows are cached: they are drawn again only when the view changes). Each
        # arrow and ring lies on a white casing, so it reads on every colour under it.
        casing = pg.mkPen(colours.CASING, width=2.5)
        self.casing = self._add(pg.PlotDataItem(pen=casing, connect="pairs"), 29)
        self.down = self._add(pg.PlotDataItem(pen=pg.mkPen(DOWNHILL, width=1),
                                              connect="pairs"), 30)
        self.up = self._add(pg.PlotDataItem(pen=pg.mkPen(UPHILL, width=1), connect="pairs"),
                            30)
        zpen = pg.mkPen(colours.STATIONARY, width=2)
        self.zero_casing = self._add(pg.PlotDataItem(pen=pg.mkPen(colours.CASING, width=4.5),
                                                     connect="finite"), 31)
        self.zero = self._add(pg.PlotDataItem(pen=zpen, connect="finite"), 32)
        self.legend = [(swatch(None, pg.mkPen(DOWNHILL, width=2)), "Newton step downhill"),
                       (swatch(None, pg.mkPen(UPHILL, width=2)), "Newton step uphill"),
                       (swatch(None, zpen), "Newton step ~ 0 (stationary point)")]
        self._coarse = None
        self._steps = None
        self._pixel = (1.0, 1.0)

    @property
    def normalized(self) -> bool:
        return bool(self.settings["normalized"])

    def apply_settings(self, settings: dict) -> None:
        changed = settings != self.settings
        super().apply_settings(settings)
        if changed:
            self._redraw()

    def update_fields(self, bundle) -> None:
        payload = bundle.payloads[self.spec.name]
        self._coarse, self._steps = payload.coarse, payload.steps
        self.zero.setData(*payload.zero_lines)
        self.zero_casing.setData(*payload.zero_lines)
        self._redraw()

    def update_view(self, pixel_size) -> None:
        self._pixel = pixel_size
        self._redraw()

    def _redraw(self) -> None:
        c, s = self._coarse, self._steps
        if c is None:
            return
        X, Y = np.meshgrid(c.xs, c.ys)
        dx, dy = s.dx, s.dy
        if self.normalized:
            # Every arrow 0.8 of a cell long: the direction field alone.
            cell = min(c.rect.width / max(len(c.xs) - 1, 1), c.rect.height / max(len(c.ys) - 1, 1))
            with np.errstate(all="ignore"):
                scale = 0.8 * cell / c.newton_length
        else:
            # True length: the tip is where a full Newton step lands; capped at the view's
            # diagonal so a near-singular H does not draw a line to infinity.
            cap = np.hypot(c.rect.width, c.rect.height)
            with np.errstate(all="ignore"):
                scale = np.minimum(1.0, cap / c.newton_length)
        dx, dy = dx * scale, dy * scale
        both = []
        for item, mask in ((self.down, s.descent), (self.up, ~s.descent)):
            segments = arrow_segments(X[mask], Y[mask], dx[mask], dy[mask], self._pixel,
                                      head_px=5)
            item.setData(*segments)
            both.append(segments)
        self.casing.setData(*(np.concatenate(parts) for parts in zip(*both)))
