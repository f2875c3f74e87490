"""Where a function is worth looking at: its stationary points near the start, and whether
f's colours need a log scale there.

The stationary points are found as the basins are (:func:`engine.basins.compute_basins`):
Newton's method, which converges to minima, saddles and maxima alike (Nocedal & Wright,
Theorem 3.5: quadratic convergence near any stationary point with H nonsingular), run from a
coarse grid of starts over the view and a square around the origin at once. The view to fit
holds the start and the stationary points nearest it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hessianlens.engine.basins import COMPLETE, compute_basins
from hessianlens.engine.fields import MAX_COORDINATE, Rect, grid_axes
from hessianlens.engine.objective import Objective
from hessianlens.engine.rules import make_rule

SEARCH_HALF_WIDTH = 10.0  # the search covers [-10, 10]^2 as well as (three times) the view
SEARCH_GRID = 24  # starts per side
SEARCH_STEPS = 40
NEAR_FACTOR = 2.5  # points within 2.5 times the nearest one's distance to the start are kept
MAX_POINTS = 9
MARGIN = 0.2  # of the fitted box's longer side, on every side
EDGE = 0.1  # a point this close to the view's edge (a fraction of its side) is not shown
MIN_ASPECT = 0.6  # the shorter side is at least this fraction of the longer
SAMPLES = 96  # per side, for f's range over the fitted view
# f's colours hide a valley when the median of f lies in the lowest tenth of the (robust)
# colour range: half the view is then one dark colour. Rosenbrock on [-2, 2] x [-1, 3]: 0.078,
# Beale on [-4.5, 4.5]^2: 0.004; a paraboloid: 0.36, Booth's quadratic: 0.12.
FLAT_MEDIAN = 0.1
# Stationary points Newton reaches this many search boxes away still count (a quadratic's
# minimum at (100, 200) is one Newton step from any start).
REACH = 10.0


@dataclass(frozen=True)
class StationaryPoint:
    kind: str  # minimum, saddle or maximum
    x: float
    y: float
    f: float


@dataclass(frozen=True)
class Region:
    """The view worth showing, the stationary points it was fitted to, f's spread there, and a
    sentence for the status bar. ``rect`` is None when no stationary point was found."""

    rect: Rect | None
    points: tuple[StationaryPoint, ...]  # nearest the start first
    found: tuple[StationaryPoint, ...]  # every one found in the search
    log_colour: bool  # a linear colour scale of f would hide the valley
    message: str

    def shows_any(self, view: Rect) -> bool:
        """True if the view holds one of the stationary points found, away from its edges
        (a point in a corner is hardly shown)."""
        mx, my = EDGE * view.width, EDGE * view.height
        return any(view.xmin + mx <= p.x <= view.xmax - mx
                   and view.ymin + my <= p.y <= view.ymax - my for p in self.found)


def _coord(v: float) -> str:
    return f"{round(v, 2) + 0.0:g}" if abs(v) < 1e4 else f"{v:.3g}"


def point_words(p: StationaryPoint) -> str:
    """'the minimum at (1, 1)'."""
    return f"the {p.kind} at ({_coord(p.x)}, {_coord(p.y)})"


def search_rect(view: Rect) -> Rect:
    """The view grown three times about its centre, joined with [-10, 10]^2."""
    cx, cy = (view.xmin + view.xmax) / 2, (view.ymin + view.ymax) / 2
    hw, hh = 1.5 * view.width, 1.5 * view.height
    h = SEARCH_HALF_WIDTH
    lim = MAX_COORDINATE / 2
    return Rect(max(min(cx - hw, -h), -lim), min(max(cx + hw, h), lim),
                max(min(cy - hh, -h), -lim), min(max(cy + hh, h), lim))


def stationary_points(objective: Objective, box: Rect, grid: int = SEARCH_GRID,
                      steps: int = SEARCH_STEPS) -> tuple[StationaryPoint, ...]:
    """The stationary points Newton reaches from a grid of starts over box (within REACH
    boxes of it)."""
    m = compute_basins(objective, make_rule("newton"), box, grid, max_steps=steps, tol=1e-8)
    if m.status != COMPLETE:
        return ()
    cx, cy = (box.xmin + box.xmax) / 2, (box.ymin + box.ymax) / 2
    out = []
    for o in m.outcomes:
        if o.point is None or o.kind not in ("minimum", "saddle", "maximum"):
            continue
        x, y = o.point
        if abs(x - cx) <= REACH * box.width and abs(y - cy) <= REACH * box.height:
            out.append(StationaryPoint(o.kind, float(x), float(y),
                                       float(o.value) if o.value is not None else np.nan))
    return tuple(out)


def _box(xs, ys) -> Rect:
    """The bounding box of the points, made no thinner than MIN_ASPECT and padded."""
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    scale = max(abs(v) for v in (x0, x1, y0, y1))
    side = max(x1 - x0, y1 - y0, 2.0 if scale < 10 else 0.2 * scale)
    w, h = max(x1 - x0, MIN_ASPECT * side), max(y1 - y0, MIN_ASPECT * side)
    pad = MARGIN * side
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return Rect(cx - w / 2 - pad, cx + w / 2 + pad, cy - h / 2 - pad, cy + h / 2 + pad)


def needs_log_colour(objective: Objective, rect: Rect, samples: int = SAMPLES) -> bool:
    """True when a linear colour scale of f over rect would paint half of it one colour: the
    median of f within FLAT_MEDIAN of the bottom of the 1st-99th percentile range."""
    xs, ys = grid_axes(rect, samples)
    with np.errstate(all="ignore"):
        f = objective.value(xs[None, :], ys[:, None])
    f = f[np.isfinite(f)]
    if f.size < 10:
        return False
    lo, hi = np.percentile(f, [1, 99])
    if not hi > lo:
        return False
    return float(np.median(f) - lo) < FLAT_MEDIAN * float(hi - lo)


def interesting_region(objective: Objective, view: Rect, start) -> Region:
    """The view to fit for a function: the start and the stationary points nearest it.

    Parameters
    ----------
    objective : the function.
    view : the view shown now (the search covers it, three times over, and [-10, 10]^2).
    start : (x, y), the start point the fitted view keeps in sight.

    Returns
    -------
    Region
        Never raises: a function without stationary points (x + y, x**3 + y) gives
        ``rect = None`` and a message saying so.
    """
    box = search_rect(view)
    found = stationary_points(objective, box)
    sx, sy = float(start[0]), float(start[1])
    if not found:
        return Region(None, (), (), False,
                      f"no stationary point found in [{_coord(box.xmin)}, {_coord(box.xmax)}] "
                      f"x [{_coord(box.ymin)}, {_coord(box.ymax)}]: the view is kept")
    dist = np.array([np.hypot(p.x - sx, p.y - sy) for p in found])
    order = np.argsort(dist, kind="stable")
    nearest = max(float(dist[order[0]]), 1e-12)
    keep = [found[i] for i in order if dist[i] <= NEAR_FACTOR * nearest][:MAX_POINTS]
    rect = _box([sx, *(p.x for p in keep)], [sy, *(p.y for p in keep)])
    words = ", ".join(point_words(p) for p in keep[:3])
    more = len(keep) - 3
    if more > 0:
        words += f" and {more} more stationary point{'s' if more > 1 else ''}"
    log = needs_log_colour(objective, rect)
    return Region(rect, tuple(keep), found, log,
                  f"{words}, with the start ({_coord(sx)}, {_coord(sy)})")
