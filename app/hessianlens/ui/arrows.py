"""Arrow geometry in data coordinates with heads of a fixed size on screen."""

from __future__ import annotations

import numpy as np

HEAD_ANGLE = np.deg2rad(25.0)  # half-angle of an arrowhead


def arrow_segments(x0, y0, dx, dy, pixel_size, head_px: float = 8.0, shafts: bool = True,
                   head_at: float = 1.0, min_px: float = 0.0):
    """Line segments (x, y) for ``connect="pairs"``: the shafts (x0, y0) -> (x0 + dx, y0 + dy)
    and two barbs at the fraction ``head_at`` along each shaft.

    pixel_size is (sx, sy), data units per screen pixel, so the heads keep their size and
    angle on screen whatever the zoom and aspect. Arrows shorter than min_px on screen and
    non-finite arrows are left out.
    """
    x0, y0, dx, dy = (np.asarray(a, dtype=float).ravel() for a in (x0, y0, dx, dy))
    sx, sy = _pixel(pixel_size)
    keep = arrows_kept(x0, y0, dx, dy, pixel_size, min_px)
    with np.errstate(all="ignore"):
        u, v = dx / sx, dy / sy  # the arrow in pixels
        length = np.hypot(u, v)
        x0, y0, dx, dy, u, v, length = (a[keep] for a in (x0, y0, dx, dy, u, v, length))
        hx, hy = x0 + head_at * dx, y0 + head_at * dy  # the tip of the head
        head = np.minimum(head_px, 0.5 * length)
        ang = np.arctan2(v, u)
        barbs = []
        for side in (1.0, -1.0):
            a = ang + np.pi - side * HEAD_ANGLE
            barbs.append((hx, hy, hx + head * np.cos(a) * sx, hy + head * np.sin(a) * sy))
    segs = [(x0, y0, x0 + dx, y0 + dy)] if shafts else []
    segs += barbs
    if not len(x0):
        return np.empty(0), np.empty(0)
    # Interleave start and end points: [s0, e0, s1, e1, ...] per group.
    xs = np.concatenate([np.column_stack((a, c)).ravel() for a, _, c, _ in segs])
    ys = np.concatenate([np.column_stack((b, d)).ravel() for _, b, _, d in segs])
    return xs, ys


def _pixel(pixel_size) -> tuple[float, float]:
    sx, sy = (float(v) if v and np.isfinite(v) and v > 0 else 1.0 for v in pixel_size)
    return sx, sy


def arrows_kept(x0, y0, dx, dy, pixel_size, min_px: float = 0.0) -> np.ndarray:
    """The mask of the arrows arrow_segments draws: finite, and longer than min_px on screen."""
    x0, y0, dx, dy = (np.asarray(a, dtype=float).ravel() for a in (x0, y0, dx, dy))
    sx, sy = _pixel(pixel_size)
    with np.errstate(all="ignore"):
        length = np.hypot(dx / sx, dy / sy)
        return np.isfinite(length) & (length > max(min_px, 1e-9)) & np.isfinite(x0) & \
            np.isfinite(y0)


def first_arrows(xs, ys, kept, n: int):
    """Of the segments arrow_segments made for some arrows (kept: arrows_kept of the same
    arrows), those of only the first n arrows: the same as arrow_segments on those n."""
    m = int(np.count_nonzero(kept))
    c = int(np.count_nonzero(kept[:n]))
    if m == 0 or c == 0:
        return np.empty(0), np.empty(0)
    groups = len(xs) // (2 * m)  # shafts and barbs, each a run of m segments
    return xs.reshape(groups, m, 2)[:, :c].ravel(), ys.reshape(groups, m, 2)[:, :c].ravel()
