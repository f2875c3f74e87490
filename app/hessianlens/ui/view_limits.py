"""The plane's view box kept within the usable range (fields.usable_range_error): within
+-1e12, and zoomed in no further than a side of about 1e-9 of its coordinates.

Past that range the session refused the view, and the plane kept drawing the old fields
stretched a thousandfold (or nothing).
"""

from __future__ import annotations

import pyqtgraph as pg

from hessianlens.engine.fields import MAX_COORDINATE, Rect, nearest_usable_rect, shortest_side


class ViewLimits:
    """pyqtgraph's limits on a view box, following the view: its edges at +-MAX_COORDINATE
    and its shortest sides about the shortest usable ones where the view is."""

    def __init__(self, vb: pg.ViewBox):
        self.vb = vb
        # Beyond the usable range the axes lose their digits.
        vb.setLimits(xMin=-MAX_COORDINATE, xMax=MAX_COORDINATE, yMin=-MAX_COORDINATE,
                     yMax=MAX_COORDINATE)
        self.min_sides = (0.0, 0.0)

    def follow(self, rect: Rect) -> None:
        """The shortest sides for a view around rect: twice the shortest usable side (never
        more than rect's own), set again only when the view has moved so far that the limit
        is no longer between one and four times it: each new limit makes pyqtgraph lay the
        range out again."""
        sides = []
        for low, high, side, now in ((rect.xmin, rect.xmax, rect.width, self.min_sides[0]),
                                     (rect.ymin, rect.ymax, rect.height, self.min_sides[1])):
            shortest = shortest_side(0.5 * (low + high))
            sides.append(now if shortest <= now <= min(4 * shortest, side)
                         else min(2 * shortest, side))
        if tuple(sides) != self.min_sides:
            self.min_sides = tuple(sides)
            self.vb.setLimits(minXRange=sides[0], minYRange=sides[1])

    def restore_usable(self) -> bool:
        """Move a view past the usable range (a range typed into the view box's menu, far
        from the last one) to the nearest usable one; True if it was moved."""
        (x0, x1), (y0, y1) = self.vb.viewRange()
        rect = nearest_usable_rect(x0, x1, y0, y1)
        if rect is None:
            return False
        self.follow(rect)
        self.vb.setRange(xRange=(rect.xmin, rect.xmax), yRange=(rect.ymin, rect.ymax),
                         padding=0)
        return True
