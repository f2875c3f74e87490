"""The surface of f in 3D: heights (clipped or log-scaled), hill shading, paths draped on it.

Scene coordinates: the view's longer side spans [-1, 1] (the plane's aspect is kept) and the
heights span [0, BOX_HEIGHT]. Everything here is numpy; the 3D view only draws it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hessianlens.engine.fields import Rect, grid_axes
from hessianlens.engine.objective import Objective

CLIP, LOG = "clip", "log"
HEIGHT_MODES = (CLIP, LOG)
BOX_HEIGHT = 1.0  # the tallest point, against a footprint 2 wide
# Clipped heights: the colour range of the plane (its robust percentiles) widened by this
# fraction on either side, and never past the data: a bounded function keeps its minima and
# maxima whole, and only poles and the steep walls of Rosenbrock or Beale are cut flat.
CLIP_MARGIN = 0.25
# Log heights: log10(1 + (f - f_min) / s) with s this fraction of the median's height above
# the minimum, so the valley floor keeps resolution while walls 10^5 high still fit.
LOG_SOFTNESS = 0.01
# A path is drawn this far (in scene units) above the surface it follows, so that it is not
# swallowed by the triangles between grid samples.
PATH_LIFT = 0.006
MAX_SAMPLES_PER_STEP = 64


@dataclass(frozen=True)
class HeightScale:
    """How f becomes a height in [0, 1]: clipped to [lo, hi], or log10(1 + (f - lo) / s)
    normalised by its value at hi."""

    mode: str
    lo: float
    hi: float
    softness: float = 1.0
    # Whether f on the grid goes below lo / above hi, so that the clip cuts it there.
    cut_low: bool = True
    cut_high: bool = True

    def heights(self, f) -> np.ndarray:
        """Heights in [0, 1] (NaN where f is not finite)."""
        f = np.asarray(f, dtype=float)
        with np.errstate(all="ignore"):
            g = np.clip(f, self.lo, self.hi) - self.lo
            g = np.where(np.isnan(f), np.nan, g)  # np.clip keeps NaN; inf clips to an end
            if self.mode == LOG:
                top = np.log10(1.0 + (self.hi - self.lo) / self.softness)
                return np.log10(1.0 + g / self.softness) / top
            return g / (self.hi - self.lo)

    def values(self, h) -> np.ndarray:
        """f at heights h in [0, 1]: the inverse of :meth:`heights`."""
        h = np.asarray(h, dtype=float)
        if self.mode == LOG:
            top = np.log10(1.0 + (self.hi - self.lo) / self.softness)
            return self.lo + self.softness * (10.0 ** (h * top) - 1.0)
        return self.lo + h * (self.hi - self.lo)

    def describe(self) -> str:
        """One line for the 3D view: what the height shows."""
        if self.mode == LOG:
            return (f"height log10(1 + (f - {self.lo:.4g}) / {self.softness:.3g}), "
                    f"f up to {self.hi:.4g}")
        span = f"[{self.lo:.4g}, {self.hi:.4g}]"
        if self.cut_low and self.cut_high:
            return f"height f clipped to {span}"
        if self.cut_low or self.cut_high:
            return f"height f on {span}, clipped {'below' if self.cut_low else 'above'}"
        return f"height f on {span}, its whole range here"


def height_scale(f: np.ndarray, colour_range: tuple[float, float], mode: str = CLIP
                 ) -> HeightScale:
    """The height scale of a grid of f.

    Parameters
    ----------
    f : array of f on the grid (non-finite samples are ignored).
    colour_range : the plane's robust colour range (ui.contours.robust_range) of the same f.
    mode : CLIP (the colour range widened by CLIP_MARGIN, within the data) or LOG (the whole
        finite range, log-scaled).
    """
    if mode not in HEIGHT_MODES:
        raise ValueError(f"unknown height mode {mode!r}; choose from {', '.join(HEIGHT_MODES)}")
    finite = f[np.isfinite(f)]
    if finite.size == 0:
        return HeightScale(mode, 0.0, 1.0)
    f_min, f_max = float(finite.min()), float(finite.max())
    if f_max <= f_min:  # a constant function: a flat sheet half-way up
        return HeightScale(CLIP, f_min - 0.5, f_min + 0.5, cut_low=False, cut_high=False)
    if mode == LOG:
        median_rise = float(np.median(finite)) - f_min
        softness = LOG_SOFTNESS * median_rise if median_rise > 0 else LOG_SOFTNESS * (f_max - f_min)
        return HeightScale(LOG, f_min, f_max, max(softness, np.finfo(float).tiny))
    lo, hi = colour_range
    margin = CLIP_MARGIN * (hi - lo)
    lo, hi = max(f_min, lo - margin), min(f_max, hi + margin)
    if hi <= lo:
        lo, hi = f_min, f_max
    return HeightScale(CLIP, lo, hi, cut_low=f_min < lo, cut_high=f_max > hi)


@dataclass(frozen=True)
class SceneFrame:
    """Plane coordinates to scene coordinates: the view's longer side spans [-1, 1]."""

    rect: Rect

    @property
    def half(self) -> float:
        return max(self.rect.width, self.rect.height) / 2

    def to_scene(self, x, y, h) -> np.ndarray:
        """(N, 3) float32 scene points of plane points (x, y) at heights h in [0, 1]."""
        r, s = self.rect, self.half
        cx, cy = (r.xmin + r.xmax) / 2, (r.ymin + r.ymax) / 2
        return np.column_stack([(np.asarray(x, dtype=float) - cx) / s,
                                (np.asarray(y, dtype=float) - cy) / s,
                                BOX_HEIGHT * np.asarray(h, dtype=float)]).astype(np.float32)

    def extent(self) -> tuple[float, float]:
        """Half-widths of the footprint in scene units (x, y)."""
        return self.rect.width / 2 / self.half, self.rect.height / 2 / self.half


@dataclass(frozen=True)
class SurfaceMesh:
    """The surface of f on an nx x ny grid, laid out for a mesh indexed [i_x, j_y].

    xs, ys: scene coordinates of the grid lines; z: heights (nx, ny) in scene units, with
    undefined f at the floor; shade: hill shading in [0, 1] (nx, ny); defined: finite f.
    """

    frame: SceneFrame
    scale: HeightScale
    xs: np.ndarray
    ys: np.ndarray
    z: np.ndarray
    shade: np.ndarray
    defined: np.ndarray


def surface_mesh(f: np.ndarray, rect: Rect, scale: HeightScale) -> SurfaceMesh:
    """The mesh of a row-major grid of f (ny, nx) over rect (as fields.compute_value gives)."""
    ny, nx = f.shape
    frame = SceneFrame(rect)
    xs, ys = grid_axes(rect, nx, ny)
    corner = frame.to_scene([xs[0], xs[-1]], [ys[0], ys[-1]], [0, 0])
    sx = np.linspace(corner[0, 0], corner[1, 0], nx, dtype=np.float32)
    sy = np.linspace(corner[0, 1], corner[1, 1], ny, dtype=np.float32)
    h = scale.heights(f).T  # (nx, ny): the mesh's x-major order
    defined = np.isfinite(h)
    z = np.where(defined, BOX_HEIGHT * h, 0.0).astype(np.float32)
    return SurfaceMesh(frame, scale, sx, sy, z, hillshade(z, sx, sy), defined)


def hillshade(z: np.ndarray, xs: np.ndarray, ys: np.ndarray, azimuth_deg: float = 315.0,
              altitude_deg: float = 45.0, ambient: float = 0.45) -> np.ndarray:
    """Lambertian shading of a height field z[i, j] at (xs[i], ys[j]): the cosine between the
    surface normal (-dz/dx, -dz/dy, 1) and a light at the given azimuth and altitude (Horn,
    "Hill shading and the reflectance map", Proc. IEEE 69(1), 1981), mixed with ambient light.
    Returns values in [ambient, 1]."""
    if z.shape[0] < 2 or z.shape[1] < 2:
        return np.ones(z.shape, dtype=np.float32)
    dzdx, dzdy = np.gradient(z.astype(float), xs.astype(float), ys.astype(float))
    az, alt = np.radians(azimuth_deg), np.radians(altitude_deg)
    light = np.array([np.cos(alt) * np.cos(az), np.cos(alt) * np.sin(az), np.sin(alt)])
    cos = (-dzdx * light[0] - dzdy * light[1] + light[2]) / np.sqrt(1 + dzdx**2 + dzdy**2)
    return (ambient + (1 - ambient) * np.clip(cos, 0.0, 1.0)).astype(np.float32)


def level_segments(x: np.ndarray, y: np.ndarray, level: float, frame: SceneFrame,
                   scale: HeightScale) -> np.ndarray:
    """A contour line of f at ``level`` laid on the surface: it lies at one height, the level's.

    x, y: the line's points in plane coordinates, pieces separated by NaN (contour_lines's
    form). Returns (2M, 3) float32 scene points, pairs of consecutive finite points.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) < 2:
        return np.zeros((0, 3), dtype=np.float32)
    h = float(scale.heights(level))
    pts = frame.to_scene(np.nan_to_num(x), np.nan_to_num(y), np.full(len(x), h))
    pts[:, 2] += PATH_LIFT / 2
    ok = np.isfinite(x) & np.isfinite(y)
    keep = ok[:-1] & ok[1:]
    return np.stack([pts[:-1][keep], pts[1:][keep]], axis=1).reshape(-1, 3)


@dataclass(frozen=True)
class DrapedPath:
    """A path of iterates laid on the surface.

    segments: (2M, 3) scene points, pairs of consecutive samples that lie in the view, in path
    order; segments_before[k]: how many pairs come before iterate k (the path up to iterate k
    is segments[: 2 * segments_before[k]]); iterates: (K, 3) scene points of the iterates;
    inside[k]: iterate k lies in the view with finite f.
    """

    segments: np.ndarray
    segments_before: np.ndarray
    iterates: np.ndarray
    inside: np.ndarray

    def up_to(self, k: int) -> np.ndarray:
        """Segment pairs of the path from the start to iterate k."""
        k = min(max(k, 0), len(self.segments_before) - 1)
        return self.segments[: 2 * int(self.segments_before[k])]


def drape_path(objective: Objective, points: np.ndarray, frame: SceneFrame, scale: HeightScale,
               cell: float) -> DrapedPath:
    """Lay the straight steps between iterates on the surface of f.

    Each step is sampled about once per grid cell (at most MAX_SAMPLES_PER_STEP times) and f is
    evaluated exactly at the samples, so a long Newton jump climbs over the hills it crosses
    instead of cutting through them. Samples outside the view or where f is not finite are
    left out with the segments that touch them.

    Parameters
    ----------
    points : (K, 2) iterates in plane coordinates.
    cell : the grid spacing in plane units (the surface's resolution).
    """
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    r = frame.rect
    xs, ys, owner = [pts[:1, 0]], [pts[:1, 1]], [np.zeros(1, dtype=int)]
    for k in range(1, len(pts)):
        a, b = pts[k - 1], pts[k]
        length = float(np.hypot(*(b - a)))
        n = int(np.clip(np.ceil(length / cell), 1, MAX_SAMPLES_PER_STEP)) \
            if np.isfinite(length) else 1
        t = np.arange(1, n + 1) / n
        xs.append(a[0] + t * (b[0] - a[0]))
        ys.append(a[1] + t * (b[1] - a[1]))
        owner.append(np.full(n, k))
    x, y, owner = np.concatenate(xs), np.concatenate(ys), np.concatenate(owner)
    with np.errstate(all="ignore"):
        h = scale.heights(objective.value(x, y))
        ok = (np.isfinite(h) & (x >= r.xmin) & (x <= r.xmax) & (y >= r.ymin) & (y <= r.ymax))
    scene = frame.to_scene(np.where(ok, x, 0), np.where(ok, y, 0), np.where(ok, h, 0))
    scene[:, 2] += PATH_LIFT
    keep = ok[:-1] & ok[1:]  # segment i joins sample i and i + 1
    pairs = np.stack([scene[:-1][keep], scene[1:][keep]], axis=1).reshape(-1, 3)
    # Pair i belongs to the step ending at owner[i + 1]; the path up to iterate k holds the
    # pairs of steps 1..k.
    kept_owner = owner[1:][keep]
    before = np.searchsorted(kept_owner, np.arange(len(pts)), side="right")
    own = np.searchsorted(owner, np.arange(len(pts)), side="right") - 1  # iterate k's sample
    return DrapedPath(pairs.astype(np.float32), before, scene[own], ok[own])
