"""The curvature the selected method believes in at its selected iterate, against the true H.

Draws what engine.beliefs.picture returns: the level set through the iterate of the true
quadratic model (thick white) and of the method's own model (its colour), the trust radius
with the model's minimiser inside it and the Cauchy point, the dogleg path, and for Adam and
RMSProp the steps of their per-coordinate rates against Newton's 1/H_ii and 1/|lambda|.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QPen

from hessianlens.engine.beliefs import picture
from hessianlens.engine.explain import method_title
from hessianlens.engine.rules import RULES
from hessianlens.engine.rules.quasi import percent
from hessianlens.ui.overlays.base import SelectionLayer, set_pen, swatch

# Above the paths (trajectories.Z_PATH = 50 and up): the selected iterate's picture is what the
# user is looking at; below the start marker (100).
Z = 94
# Solid lines throughout: the curves are drawn as short segments, on which Qt restarts a dash
# pattern every few pixels, so a dashed pen looks solid anyway. The true model is white and
# thicker than f's contour lines, on a dark casing that keeps it legible on light colours and
# in the white key.
TRUE_PEN = pg.mkPen("w", width=3)
TRUE_CASING = pg.mkPen(40, 40, 40, 220, width=5)
OUTLINE = pg.mkPen(30, 30, 30, 230, width=1.2)
RATE_STYLES = {  # label in the picture -> (legend words, colour, symbol)
    "rates": ("step at its per-coordinate rates", None, "o"),
    "1/H_ii": ("step at 1/H_ii per coordinate", "#ffffff", "t"),
    "1/|lambda|": ("step at 1/|lambda| along H's eigenvectors", "#202020", "s"),
}


def _holds(item) -> bool:
    data = item.data["x"] if isinstance(item, pg.ScatterPlotItem) else item.xData
    return data is not None and len(data) > 0


class Layer(SelectionLayer):
    """Redrawn whenever the selected method or iterate, or the grid, changes."""

    def __init__(self, spec, host):
        super().__init__(spec, host)
        # Lines are plain curve items: a pyqtgraph PlotDataItem costs five times as much to
        # give new data, and these change on every playback step.
        self.true_curve = self._add(pg.PlotCurveItem(pen=TRUE_PEN, shadowPen=TRUE_CASING,
                                                     connect="finite"), Z, cache=False)
        self.believed_curve = self._add(pg.PlotCurveItem(connect="finite"), Z + 1, cache=False)
        self.circle = self._add(pg.PlotCurveItem(connect="finite"), Z + 1, cache=False)
        self.path = self._add(pg.PlotDataItem(connect="finite", symbol="o", symbolSize=5),
                              Z + 2, cache=False)
        self.rate_lines = {k: self._add(pg.PlotDataItem(connect="pairs", symbolSize=9),
                                        Z + 2, cache=False) for k in RATE_STYLES}
        self.minimiser = self._add(pg.ScatterPlotItem(symbol="star", size=20,
                                                      pen=pg.mkPen("w", width=1.2)),
                                   Z + 3, cache=False)
        self.cauchy = self._add(pg.ScatterPlotItem(symbol="d", size=12, pen=OUTLINE,
                                                   brush=pg.mkBrush("w")), Z + 3, cache=False)
        self.centres = self._add(pg.ScatterPlotItem(symbol="+", size=13), Z + 3, cache=False)
        # The centres' pens by colour: pyqtgraph renders a marker again for every new pen.
        self._centre_pens: dict = {}
        # One legend sample per part, kept, so that playback only changes the words.
        self.samples = {
            "true": pg.PlotDataItem([0, 1], [0, 0], pen=TRUE_PEN, shadowPen=TRUE_CASING),
            "believed": swatch(None, pg.mkPen("w", width=2.5)),
            "radius": swatch(None, pg.mkPen("w", width=1.5)),
            "minimiser": pg.PlotDataItem([0], [0], pen=None, symbol="star", symbolSize=12,
                                         symbolPen=pg.mkPen("w", width=1)),
            "cauchy": pg.PlotDataItem([0], [0], pen=None, symbol="d", symbolSize=10,
                                      symbolBrush="w", symbolPen=OUTLINE),
            "dogleg": swatch(None, pg.mkPen("w", width=1.5)),
            # As drawn: a line with its marker, on a dark casing (the white one is for the
            # dark plane; on the white key it was a blank).
            **{k: pg.PlotDataItem([0, 1], [0, 0], pen=pg.mkPen("w", width=2.5),
                                  shadowPen=pg.mkPen(60, 60, 60, width=4), symbol=symbol,
                                  symbolSize=7, symbolBrush="w", symbolPen=OUTLINE)
               for k, (_, _, symbol) in RATE_STYLES.items()},
        }
        self.picture = None  # the engine's Picture on screen
        self._shown = None  # (iterate, bundle, colour, view) drawn last

    def update_selection(self, bundle) -> None:
        if not self.visible:
            self._shown = None  # drawn when switched on
            return
        session = self.session
        name = session.selected_method
        it = session.selected_iterate()
        traj = session.trajectories.get(name)
        if it is not None and traj is not None:
            it = traj.as_seen(it.k)  # the last iterate: the B the rule would use next
        config = session.methods.get(name)
        colour = config.colour if config is not None else "#ffffff"
        view = session.rect
        shown = self._shown
        if shown is not None and shown[0] is it and shown[1] is bundle \
                and shown[2:] == (colour, view):
            return  # the same iterate on the same grid: nothing to redraw
        self._shown = (it, bundle, colour, view)
        self.picture = None
        rule_class = RULES.get(name)
        legend, drawn = [], set()
        if it is not None and config is not None and rule_class is not None \
                and np.all(np.isfinite(it.hessian)):
            pic = picture(rule_class(**config.params), it, float(np.hypot(view.width,
                                                                          view.height)))
            self.picture = pic
            legend = self._draw(pic, method_title(name), colour, drawn)
        # Empty the parts this picture has not drawn (each item is given data once: a method
        # draws two or three of them, and emptying them first cost a setData apiece).
        for item in self.items:
            if item not in drawn and _holds(item):
                item.setData([], [])
        if [item for item, _ in legend] != [item for item, _ in self.legend]:
            self.legend = legend
            self.changed.emit()  # a different set of entries: the plane rebuilds its legend
        else:
            self.legend = legend

    def _entry(self, part: str, words: str, colour: str | None = None):
        item = self.samples[part]
        if colour is not None:
            colour = pg.mkColor(colour)
            if part == "minimiser" or part in RATE_STYLES:
                if pg.mkBrush(item.opts["symbolBrush"]).color() != colour:
                    item.setSymbolBrush(colour)
            if part != "minimiser" and pg.mkPen(item.opts["pen"]).color() != colour:
                pen = pg.mkPen(item.opts["pen"])
                pen.setColor(colour)
                item.setPen(pen)
        return item, words

    def _draw(self, pic, title: str, colour: str, drawn: set) -> list:
        """Give each part of the picture its data (noting the items in drawn); the legend."""

        def curve(item, xy) -> None:
            if xy is not None and len(xy[0]):
                item.setData(*xy)
                drawn.add(item)

        def spots(item, pos, **style) -> None:
            item.setData(pos=np.asarray(pos, dtype=float).reshape(-1, 2), **style)
            drawn.add(item)

        legend = []
        curve(self.true_curve, (pic.true_model.xs, pic.true_model.ys))
        centres, pens = [], []
        if pic.true_model.xs.size:
            legend.append(self._entry("true", f"true H's model through the iterate "
                                              f"({pic.true_model.kind}, + its centre)"))
        if pic.true_model.centre is not None:
            centres.append(pic.true_model.centre)
            pens.append(self._centre_pen("w"))
        if pic.believed_model is not None:
            set_pen(self.believed_curve, colour, 2.5)
            curve(self.believed_curve, (pic.believed_model.xs, pic.believed_model.ys))
            notes = []
            if pic.estimate_error is not None:
                notes.append(f"B off by {percent(pic.estimate_error)} of H")
            if not pic.believed_model.xs.size:
                notes.append("B has a flat direction: no level set to draw")
            words = f"model of {title}" + (f" ({'; '.join(notes)})" if notes else "")
            legend.append(self._entry("believed", words, colour))
            if pic.believed_model.centre is not None:
                centres.append(pic.believed_model.centre)
                pens.append(self._centre_pen(colour))
        if centres:
            spots(self.centres, centres, pen=pens)
        if pic.circle is not None:
            # Lighter and thinner than the model's curve, which is often about as large.
            lighter = pg.mkColor(colour).lighter(150)
            set_pen(self.circle, lighter, 1.5)
            curve(self.circle, pic.circle)
            legend.append(self._entry("radius", f"trust radius {pic.radius:.3g}",
                                      lighter.name()))
        if pic.minimiser is not None:
            spots(self.minimiser, [pic.minimiser], brush=pg.mkBrush(colour))
            legend.append(self._entry("minimiser", "model minimiser in the radius", colour))
        if pic.cauchy is not None:
            spots(self.cauchy, [pic.cauchy])
            legend.append(self._entry("cauchy", "Cauchy point"))
        if pic.dogleg is not None:
            self.path.setPen(pg.mkPen(colour, width=1.5))
            self.path.setSymbolBrush(colour)
            self.path.setSymbolPen(OUTLINE)
            curve(self.path, pic.dogleg)
            legend.append(self._entry("dogleg", "dogleg path to the Newton point", colour))
        for key, end in (pic.rate_steps or {}).items():
            words, line_colour, symbol = RATE_STYLES[key]
            line_colour = line_colour or colour
            item = self.rate_lines[key]
            item.setPen(pg.mkPen(line_colour, width=2.5))
            item.setSymbol(symbol)
            item.setSymbolBrush(line_colour)
            item.setSymbolPen(OUTLINE)
            curve(item, ([pic.x[0], end[0]], [pic.x[1], end[1]]))
            legend.append(self._entry(key, words, line_colour))
        return legend

    def _centre_pen(self, colour) -> QPen:
        pen = self._centre_pens.get(colour)
        if pen is None:
            pen = self._centre_pens[colour] = pg.mkPen(colour, width=2)
        return pen
