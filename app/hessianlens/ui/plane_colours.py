"""What colours the plane: f's image, colour bar and contour lines on a linear or a log scale
(engine/colour_scale.py), or the overlay whose opaque image covers f; one colour bar, the one
of what is seen."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from hessianlens import colours
from hessianlens.ui.contours import prepare_log_colours
from hessianlens.ui import theme

LOG_COLOURS = "log_colours"  # the field worker's payload of f's log colour scale, while it is on


class PlaneColours:
    """The colouring of a PlotView (its image, bar, contours, overlays and worker)."""

    def __init__(self, view):
        self.view = view
        self.bar_shown = view.bar  # f's, or the bar of an overlay that covers f's colours
        self.top = None  # the overlay seen instead of f's colours

    # --- f on a linear or log scale --------------------------------------------------------
    def log_on(self) -> bool:
        return LOG_COLOURS in self.view.worker.prepares

    def _log_payload(self, bundle):
        return bundle.payloads.get(LOG_COLOURS) if self.view.session.log_colour else None

    def f_levels(self, bundle) -> np.ndarray:
        """The levels of f's contour lines in the colour scale shown."""
        log = self._log_payload(bundle)
        return bundle.levels if log is None else log.colours.levels

    def show_f(self, bundle) -> None:
        """f's colours, bar and contour lines, on the linear or the log scale."""
        v = self.view
        log = self._log_payload(bundle)
        if log is None:
            v.image.setImage(bundle.fields.f, autoLevels=False)
            v.bar.setLevels(bundle.f_range)
            v.bar.axis.setTicks(None)
            v.bar.axis.setLabel("f")
            v.contours.setData(*bundle.f_lines)
        else:
            v.image.setImage(log.colours.image, autoLevels=False)
            v.bar.setLevels((0.0, 1.0))
            v.bar.axis.setTicks([list(log.colours.ticks)])
            v.bar.axis.setLabel("f (log scale)")
            v.contours.setData(*log.lines)

    def scale_changed(self) -> None:
        """Linear or log colours: the worker makes the log scale with every grid while it is
        on; a grid made without it is asked for again."""
        v = self.view
        if v.session.log_colour:
            v.worker.prepares[LOG_COLOURS] = prepare_log_colours
        else:
            v.worker.prepares.pop(LOG_COLOURS, None)
        bundle = v.bundle
        if bundle is None:
            return
        if v.session.log_colour and LOG_COLOURS not in bundle.payloads:
            v.worker.request(v.session.objective, v.session.rect, now=True)
            return
        self.show_f(bundle)
        for layer in v.overlays.values():
            if "fields" in layer.spec.needs:
                layer.update_fields(bundle)

    # --- overlays that cover f -------------------------------------------------------------
    def covering_layer(self):
        """The overlay whose opaque image is seen instead of f's colours, or None."""
        return max((layer for layer in self.view.overlays.values() if layer.covering),
                   key=lambda layer: layer.z, default=None)

    def update_cover(self) -> None:
        """One colour bar, the one of what is seen: f's, or the covering overlay's (none for
        classes, which the legend names); f's contours dark on an overlay's colours."""
        v = self.view
        top = self.covering_layer()
        hidden = [layer.spec.title for layer in v.overlays.values()
                  if layer.covering and layer is not top]
        if hidden and top is not self.top:
            v.message.emit(f"{', '.join(hidden)}: under the {top.spec.title.lower()}, which "
                           f"covers the plane (switch it off to see "
                           f"{'them' if len(hidden) > 1 else 'it'})")
        self.top = top
        bar = v.bar if top is None else top.colour_bar
        if bar is not self.bar_shown:  # the one bar in the cell beside the plot
            if self.bar_shown is not None:
                v.graphics.ci.removeItem(self.bar_shown)
            if bar is not None:
                theme.align_colour_bar(bar, v.plot)
                v.graphics.ci.addItem(bar, 0, 1)
            self.bar_shown = bar
        pen = colours.CONTOUR_ON_F if top is None else colours.CONTOUR_ON_OVERLAY
        if v.contours.opts["pen"].color().getRgb() != pen:
            v.contours.setPen(pg.mkPen(pen, width=1))
