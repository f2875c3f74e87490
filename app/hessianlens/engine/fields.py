"""Grid fields for the overlays: f, det H, eigenvalues, curvature class, Newton field."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from hessianlens.engine import linalg2
from hessianlens.engine.hessian_grid import hessian_grid, nan_if_inf

if TYPE_CHECKING:
    from hessianlens.engine.objective import Objective

# The largest usable plane: beyond |coordinate| = 1e12 a 512-sample grid, its contours and
# the plot's axes lose their digits (and at 1e308 the widths overflow); a side shorter than
# 1e-9 of its coordinates leaves too few distinct floats between the samples.
MAX_COORDINATE = 1e12
MIN_RELATIVE_SIDE = 1e-9
# Arrows per axis of the Newton field overlay: its own coarse grid over the view, the one
# grid on which the window draws the Newton step itself (the fine grid gives its length).
NEWTON_ARROWS = 24


def usable_range_error(xmin: float, xmax: float, ymin: float, ymax: float) -> str | None:
    """Why these bounds are not a usable view, or None: the one check of the window's view,
    the session files and the command line's --range."""
    vals = (xmin, xmax, ymin, ymax)
    if not all(np.isfinite(vals)) or xmax <= xmin or ymax <= ymin:
        return (f"not a rectangle: x in [{xmin}, {xmax}], y in [{ymin}, {ymax}] (it needs "
                f"xmin < xmax and ymin < ymax)")
    if max(abs(v) for v in vals) > MAX_COORDINATE:
        return (f"the range is too large: every coordinate must lie within "
                f"-{MAX_COORDINATE:g} and {MAX_COORDINATE:g}")
    for low, high, axis in ((xmin, xmax, "x"), (ymin, ymax, "y")):
        if high - low < MIN_RELATIVE_SIDE * max(1.0, abs(low), abs(high)):
            return (f"the range is too small: its {axis} side must be at least "
                    f"{MIN_RELATIVE_SIDE:g} times its largest |{axis}| (or {MIN_RELATIVE_SIDE:g})")
    return None


def within_plane(x: float, y: float) -> tuple[float, float] | None:
    """(x, y) with each coordinate clipped to +-MAX_COORDINATE (a start point dragged past
    the plane's edge stays on it); None if either is not a finite number."""
    if not (np.isfinite(x) and np.isfinite(y)):
        return None
    return (float(min(max(x, -MAX_COORDINATE), MAX_COORDINATE)),
            float(min(max(y, -MAX_COORDINATE), MAX_COORDINATE)))


def shortest_side(centre: float) -> float:
    """A little more than the shortest usable side of a view centred at this coordinate:
    side >= m max(1, |centre| + side/2) with m = MIN_RELATIVE_SIDE, plus 1% for rounding
    and for a view that moves by a side or so."""
    return 1.01 * MIN_RELATIVE_SIDE * max(1.0, abs(centre)) / (1 - MIN_RELATIVE_SIDE)


def nearest_usable_rect(xmin: float, xmax: float, ymin: float, ymax: float) -> Rect | None:
    """The usable Rect nearest these finite bounds: each side too short widened about its
    centre to the shortest usable one, the whole moved within +-MAX_COORDINATE (a view
    zoomed or panned past the limits goes back to them). None for non-finite bounds."""
    if not all(np.isfinite((xmin, xmax, ymin, ymax))):
        return None
    sides = []
    for low, high in ((xmin, xmax), (ymin, ymax)):
        low, high = min(low, high), max(low, high)
        side = min(high - low, 2 * MAX_COORDINATE)
        centre = min(max(0.5 * (low + high), -MAX_COORDINATE), MAX_COORDINATE)
        side = max(side, shortest_side(centre))
        centre = min(max(centre, -MAX_COORDINATE + side / 2), MAX_COORDINATE - side / 2)
        sides += [max(centre - side / 2, -MAX_COORDINATE), min(centre + side / 2,
                                                               MAX_COORDINATE)]
    return Rect(*sides)


@dataclass(frozen=True)
class Rect:
    """A rectangle of the plane: [xmin, xmax] x [ymin, ymax], within the usable range
    (ValueError otherwise, saying why)."""

    xmin: float
    xmax: float
    ymin: float
    ymax: float

    def __post_init__(self):
        error = usable_range_error(self.xmin, self.xmax, self.ymin, self.ymax)
        if error:
            raise ValueError(error)

    @property
    def width(self) -> float:
        return self.xmax - self.xmin

    @property
    def height(self) -> float:
        return self.ymax - self.ymin


@dataclass(frozen=True)
class NewtonSteps:
    """The Newton step -H^-1 grad f at grid points, and whether it points downhill."""

    dx: np.ndarray
    dy: np.ndarray
    descent: np.ndarray  # bool: g . p < 0


@dataclass(frozen=True)
class GridFields:
    """Fields sampled on a grid; 2D arrays are row-major, shape (ny, nx): a[i, j] is at
    (xs[j], ys[i]). Non-finite values are NaN (curvature: UNDEFINED)."""

    rect: Rect
    xs: np.ndarray
    ys: np.ndarray
    f: np.ndarray
    gx: np.ndarray
    gy: np.ndarray
    hxx: np.ndarray
    hxy: np.ndarray
    hyy: np.ndarray
    det: np.ndarray
    eig_low: np.ndarray
    eig_high: np.ndarray
    curvature: np.ndarray  # int8 class codes of linalg2
    newton_length: np.ndarray  # |H^-1 grad f|

    @property
    def shape(self) -> tuple[int, int]:
        return self.f.shape

    @cached_property
    def newton(self) -> NewtonSteps:
        """The Newton step at every point, computed on first use: the window draws its
        arrows from a coarse grid of their own, and only its length from this grid."""
        u, v = linalg2.solve(self.hxx, self.hxy, self.hyy, self.gx, self.gy,
                             singular=self.curvature == linalg2.SINGULAR)
        dx, dy = nan_if_inf(-u), nan_if_inf(-v)
        with np.errstate(all="ignore"):
            descent = (self.gx * dx + self.gy * dy) < 0
        return NewtonSteps(dx, dy, descent)

    @property
    def newton_dx(self) -> np.ndarray:
        return self.newton.dx

    @property
    def newton_dy(self) -> np.ndarray:
        return self.newton.dy

    @property
    def newton_descent(self) -> np.ndarray:
        return self.newton.descent


def grid_axes(rect: Rect, nx: int, ny: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Sample coordinates: nx points over [xmin, xmax] and ny over [ymin, ymax]."""
    ny = nx if ny is None else ny
    return np.linspace(rect.xmin, rect.xmax, nx), np.linspace(rect.ymin, rect.ymax, ny)


def grid_points(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x as a row and y as a column: they broadcast to the (ny, nx) grid, and every part of a
    formula that depends on x alone (sin(x), x**2 ...) is computed once per column, not once
    per sample (the fields of Example 3 in 60% of the time, a polynomial's in a fifth)."""
    return xs[np.newaxis, :], ys[:, np.newaxis]


def _points(xs: np.ndarray, ys: np.ndarray, broadcast: bool) -> tuple[np.ndarray, np.ndarray]:
    return grid_points(xs, ys) if broadcast else tuple(np.meshgrid(xs, ys))


def compute_value(objective: Objective, rect: Rect, nx: int, ny: int | None = None,
                  broadcast: bool = True) -> np.ndarray:
    """f alone on the grid (ny, nx), non-finite as NaN. broadcast=False evaluates every
    sample in full (same numbers, slower: the benchmark's like-for-like unit)."""
    return nan_if_inf(objective.value(*_points(*grid_axes(rect, nx, ny), broadcast)))


def compute_fields(objective: Objective, rect: Rect, nx: int, ny: int | None = None,
                   broadcast: bool = True) -> GridFields:
    """Every overlay field on an nx x ny grid over rect, with closed-form 2x2 algebra (the
    Newton step itself on first use of ``newton``).

    Never raises on numerical trouble: non-finite values become NaN. broadcast=False: as in
    compute_value.
    """
    xs, ys = grid_axes(rect, nx, ny)
    f, gx, gy, hxx, hxy, hyy = (nan_if_inf(a) for a in
                                objective.derivatives(*_points(xs, ys, broadcast)))
    # Where f itself is undefined (log of a negative number), so are its derivatives, even
    # when their formulas happen to evaluate (d2/dx2 log x = -1/x^2 at x = -1).
    undefined = np.isnan(f)
    if undefined.any():
        for a in (gx, gy, hxx, hxy, hyy):
            a[undefined] = np.nan
    h = hessian_grid(hxx, hxy, hyy, gx, gy)
    return GridFields(rect, xs, ys, f, gx, gy, hxx, hxy, hyy, h.det, h.eig_low, h.eig_high,
                      h.curvature, h.newton_length)


def quadratic_model(center, f: float, grad, hessian, rect: Rect, n: int
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The second-order Taylor model of f at ``center`` on an n x n grid over rect.

    m(x) = f + g . (x - c) + 1/2 (x - c)^T H (x - c): the quadratic a Newton step minimises
    (or maximises, or saddles) exactly. Returns (xs, ys, m) with m row-major (n, n).
    """
    xs, ys = grid_axes(rect, n)
    X, Y = np.meshgrid(xs - center[0], ys - center[1])
    (a, b), (_, c) = hessian
    with np.errstate(all="ignore"):
        m = f + grad[0] * X + grad[1] * Y + 0.5 * (a * X * X + 2 * b * X * Y + c * Y * Y)
    return xs, ys, m


def not_finite_note(f: np.ndarray) -> str | None:
    """Words for the part of a grid where f is not finite (it overflows, or is undefined
    there: log of a negative number, 0/0), or None where f is finite everywhere."""
    bad = ~np.isfinite(f)
    if not bad.any():
        return None
    share = bad.mean()
    part = "all" if share == 1.0 else (f"{share:.0%}" if share >= 0.01 else "less than 1%")
    return (f"f is not finite (it overflows or is undefined) on {part} of the view: those "
            f"points are left white")
