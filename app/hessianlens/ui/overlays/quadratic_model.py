"""The local quadratic model at the selected iterate, on f's contour levels."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from hessianlens.engine.fields import quadratic_model
from hessianlens.ui.contours import EMPTY, contour_lines
from hessianlens.ui.overlays.base import SelectionLayer, set_pen, swatch

GRID = 64  # the model is a quadratic: a coarse grid draws its conics smoothly


class Layer(SelectionLayer):
    """m(x) = f_k + g_k . (x - x_k) + 1/2 (x - x_k)^T H_k (x - x_k), on f's contour levels,
    so that where the coloured model lines follow the white lines of f the model is good."""

    def __init__(self, spec, host):
        super().__init__(spec, host)
        # Solid lines: Qt draws long antialiased dashed paths many times slower. A plain curve
        # item: new data every step costs a fifth of a PlotDataItem's.
        self.lines = self._add(pg.PlotCurveItem(pen=pg.mkPen("k", width=1), connect="finite"),
                               20, cache=False)
        self.centre = self._add(pg.ScatterPlotItem(symbol="+", size=14,
                                                   pen=pg.mkPen("w", width=2)), 21,
                                cache=False)  # at the iterate: it moves every step
        # The key's sample takes the selected method's colour, as the lines do.
        self.sample = swatch(None, pg.mkPen("#444", width=1.5))
        self.legend = [(self.sample, "quadratic model at the selected iterate")]
        self._shown = None  # (iterate, bundle, colour, levels) drawn last

    def update_selection(self, bundle) -> None:
        if not self.visible:
            self._shown = None  # drawn when switched on
            return
        session = self.session
        it = session.selected_iterate()
        method = session.methods.get(session.selected_method)
        colour = method.colour if method is not None else "w"
        levels = None if bundle is None else self.host.f_levels(bundle)
        if self._shown is not None and self._shown[0] is it and self._shown[1] is bundle \
                and self._shown[2] == colour and self._shown[3] is levels:
            return  # the same iterate on the same grid and levels: nothing to redraw
        self._shown = (it, bundle, colour, levels)
        if it is None or bundle is None or not np.all(np.isfinite(it.hessian)):
            self.lines.setData(*EMPTY)
            self.centre.setData([], [])
            return
        set_pen(self.lines, colour, 1.5)
        if self.sample.opts["pen"].color() != pg.mkColor(colour):
            self.sample.setPen(pg.mkPen(colour, width=1.5))
            self.changed.emit()  # the key redraws its sample
        xs, ys, m = quadratic_model(it.x, it.f, it.grad, it.hessian, bundle.fields.rect, GRID)
        self.lines.setData(*contour_lines(xs, ys, m, levels))
        self.centre.setData([it.x[0]], [it.x[1]])
