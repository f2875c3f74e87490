"""SVG path data from QPainterPaths and point arrays, in device coordinates.

Coordinates are written with two decimals (device pixels). Geometry reaching outside the
box (the page and a margin around it, ui/svg_device.py) is clipped to it: renderers with
fixed-point rasterizers, such as cairo under librsvg, overflow near 8e6.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QPainterPath, QTransform
from pyqtgraph.functions import ndarray_from_qpolygonf

# Paths with more elements than this are flattened in C++ (long polylines: contours, paths,
# arrow fields); shorter ones (markers, symbols) keep their Bezier curves.
EXACT_ELEMENTS = 400

Element = QPainterPath.ElementType


def num(v: float) -> str:
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def apply_transform(t: QTransform, xy: np.ndarray) -> np.ndarray:
    x, y = xy[:, 0], xy[:, 1]
    return np.column_stack((t.m11() * x + t.m21() * y + t.dx(),
                            t.m12() * x + t.m22() * y + t.dy()))


def clip_segments(a: np.ndarray, b: np.ndarray, box) -> tuple[np.ndarray, np.ndarray]:
    """Liang-Barsky: the parts of segments a -> b inside box = (x0, y0, x1, y1)."""
    d = b - a
    t0, t1 = np.zeros(len(a)), np.ones(len(a))
    with np.errstate(divide="ignore", invalid="ignore"):
        for p, q in ((-d[:, 0], a[:, 0] - box[0]), (d[:, 0], box[2] - a[:, 0]),
                     (-d[:, 1], a[:, 1] - box[1]), (d[:, 1], box[3] - a[:, 1])):
            r = q / p
            t0 = np.where(p < 0, np.maximum(t0, r), t0)
            t1 = np.where(p > 0, np.minimum(t1, r), t1)
            t1 = np.where((p == 0) & (q < 0), -1.0, t1)  # parallel to and outside this edge
    keep = (t0 <= t1) & np.isfinite(t0) & np.isfinite(t1)
    return (a + t0[:, None] * d)[keep], (a + t1[:, None] * d)[keep]


def clip_polygon(pts: np.ndarray, box) -> np.ndarray:
    """Sutherland-Hodgman: a filled polygon cut to box = (x0, y0, x1, y1)."""
    for axis, bound, keep_below in ((0, box[0], False), (0, box[2], True),
                                    (1, box[1], False), (1, box[3], True)):
        if not len(pts):
            break
        inside = pts[:, axis] <= bound if keep_below else pts[:, axis] >= bound
        out = []
        for i in range(len(pts)):
            cur, prev = pts[i], pts[i - 1]
            if inside[i] != inside[i - 1]:
                t = (bound - prev[axis]) / (cur[axis] - prev[axis])
                out.append(prev + t * (cur - prev))
            if inside[i]:
                out.append(cur)
        pts = np.array(out).reshape(-1, 2)
    return pts


class PathData:
    """Path data for a page whose drawing must stay inside box = (x0, y0, x1, y1)."""

    def __init__(self, box: tuple[float, float, float, float]):
        self.box = box

    def far(self, xy: np.ndarray) -> bool:
        b = self.box
        return bool(np.any((xy[:, 0] < b[0]) | (xy[:, 0] > b[2]) | (xy[:, 1] < b[1])
                           | (xy[:, 1] > b[3])))

    def polyline(self, xy: np.ndarray, closed: bool, filled: bool) -> str:
        xy = xy[np.all(np.isfinite(xy), axis=1)]
        if len(xy) < 2:
            return ""
        if not self.far(xy):
            pts = xy.tolist()
            d = "M" + " L".join(f"{num(x)},{num(y)}" for x, y in pts)
            return d + ("Z" if closed or (filled and len(pts) > 2) else "")
        if filled:
            return self.polyline(clip_polygon(xy, self.box), True, False)
        # A stroke reaching far off the page: keep the runs of near segments as they are,
        # cut the others to the margin one by one.
        a, b = xy[:-1], xy[1:]
        near = ~(self._outside(a) | self._outside(b))
        parts = []
        start = None
        for i, ok in enumerate(np.append(near, False)):
            if ok and start is None:
                start = i
            elif not ok and start is not None:
                parts.append(self.polyline(xy[start:i + 1], False, False))
                start = None
        ca, cb = clip_segments(a[~near], b[~near], self.box)
        parts += [f"M{num(p[0])},{num(p[1])} L{num(q[0])},{num(q[1])}"
                  for p, q in zip(ca.tolist(), cb.tolist())]
        return " ".join(parts)

    def _outside(self, p: np.ndarray) -> np.ndarray:
        b = self.box
        return (p[:, 0] < b[0]) | (p[:, 0] > b[2]) | (p[:, 1] < b[1]) | (p[:, 1] > b[3])

    def path(self, path: QPainterPath, t: QTransform, exact: bool = False,
                filled: bool = False) -> str:
        n = path.elementCount()
        if n > EXACT_ELEMENTS and not exact:
            return " ".join(filter(None, (
                self.polyline(ndarray_from_qpolygonf(poly).copy(), False, filled)
                for poly in path.toSubpathPolygons(t))))
        elements = [path.elementAt(i) for i in range(n)]
        points = np.array([(e.x, e.y) for e in elements], dtype=float).reshape(-1, 2)
        xy = apply_transform(t, points)
        if not exact and (self.far(xy) or not np.all(np.isfinite(xy))):
            return " ".join(filter(None, (
                self.polyline(ndarray_from_qpolygonf(poly).copy(), False, filled)
                for poly in path.toSubpathPolygons(t))))
        out, start = [], 0
        for i, e in enumerate(elements):
            x, y = num(xy[i, 0]), num(xy[i, 1])
            if e.type == Element.MoveToElement:
                if i and np.allclose(xy[i - 1], xy[start]) and i - start > 2:
                    out.append("Z")
                out.append(f"M{x},{y}")
                start = i
            elif e.type == Element.LineToElement:
                out.append(f"L{x},{y}")
            elif e.type == Element.CurveToElement:
                out.append(f"C{x},{y}")
            else:  # CurveToDataElement: the curve's next control or end point
                out.append(f" {x},{y}")
        if n and np.allclose(xy[-1], xy[start]) and n - start > 2:
            out.append("Z")
        return "".join(out)
