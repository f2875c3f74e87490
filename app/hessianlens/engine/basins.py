"""Basins of attraction: run a step rule from every point of a grid at once, classify the ends.

Each start ends at a stationary point (converged: |grad f| < tol), diverged (left the square
|x|, |y| <= bound or met a non-finite value), or not converged (K steps used up, or the rule
had no step: a singular Hessian). The starts run together in engine/batch_run.py, exactly the
code the single-trajectory runner uses, so the two agree start by start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from hessianlens import colours
from hessianlens.engine import batch_run, linalg2
from hessianlens.engine.batch_run import BatchEnds, run_batch
from hessianlens.engine.fields import Rect, grid_axes
from hessianlens.engine.objective import Objective
from hessianlens.engine.serialize import json_number

MINIMUM = "minimum"
SADDLE = "saddle"
MAXIMUM = "maximum"
DIVERGED = "diverged"
NOT_CONVERGED = "not_converged"
KINDS = (MINIMUM, SADDLE, MAXIMUM, DIVERGED, NOT_CONVERGED)

COMPLETE = "complete"
CANCELLED = "cancelled"

# End points closer than CLUSTER_RTOL * (diagonal of the range) are one stationary point.
CLUSTER_RTOL = 1e-3
# At most this many stationary points are listed; converged starts beyond them (a valley of
# minima, a constant function) are pooled per kind in an outcome without a point.
MAX_STATIONARY = 64

# Starts x steps one run may take: about 1.3e7 start-steps a second were measured on
# Example 3 (2 cores), so this is minutes; 2048^2 starts x 100,000 steps would be hours.
MAX_WORK = 2_000_000_000


@dataclass(frozen=True)
class Outcome:
    """Where a set of starts ends: kind, point (None when not one point), share of the grid."""

    label: int
    kind: str
    point: tuple[float, float] | None
    value: float | None  # f at the point
    count: int
    fraction: float
    mean_steps: float


@dataclass(frozen=True)
class BasinMap:
    """Outcome of every start of a grid; arrays are row-major (ny, nx): a[i, j] is the start
    (xs[j], ys[i]). labels index ``outcomes`` (-1 everywhere when cancelled)."""

    method: str
    learning_rate: float
    rect: Rect
    xs: np.ndarray
    ys: np.ndarray
    max_steps: int
    tol: float
    labels: np.ndarray  # int16
    steps: np.ndarray  # int32: steps taken from each start
    outcomes: tuple[Outcome, ...]
    status: str
    message: str
    params: dict = field(default_factory=dict)  # the rule's parameters

    def outcome_at(self, x: float, y: float) -> tuple[Outcome, int] | None:
        """The outcome and step count of the grid start nearest (x, y), or None."""
        if self.status != COMPLETE or not (self.rect.xmin <= x <= self.rect.xmax
                                           and self.rect.ymin <= y <= self.rect.ymax):
            return None
        j = int(np.argmin(np.abs(self.xs - x)))
        i = int(np.argmin(np.abs(self.ys - y)))
        return self.outcomes[self.labels[i, j]], int(self.steps[i, j])


def stationary_kind(objective: Objective, x, y, radius: float) -> np.ndarray:
    """Kind (MINIMUM, SADDLE or MAXIMUM) of stationary points, from the Hessian's eigenvalues.

    Where H is singular the second-order test says nothing, so f is compared on a ring of
    the given radius: all higher (or equal) is a minimum, all lower a maximum, else a saddle.
    """
    x, y = np.atleast_1d(np.asarray(x, float)), np.atleast_1d(np.asarray(y, float))
    f, _, _, hxx, hxy, hyy = objective.derivatives(x, y)
    cls = linalg2.curvature_class(*linalg2.eigenvalues(hxx, hxy, hyy))
    kinds = np.where(cls == linalg2.POSITIVE_DEFINITE, MINIMUM,
                     np.where(cls == linalg2.NEGATIVE_DEFINITE, MAXIMUM, SADDLE)).astype(object)
    flat = np.flatnonzero((cls == linalg2.SINGULAR) | (cls == linalg2.UNDEFINED))
    if flat.size:
        angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
        ring = objective.value(x[flat, None] + radius * np.cos(angles),
                               y[flat, None] + radius * np.sin(angles))
        with np.errstate(all="ignore"):
            diff = ring - f[flat, None]
        kinds[flat] = np.where(np.all(diff >= 0, axis=1), MINIMUM,
                               np.where(np.all(diff <= 0, axis=1), MAXIMUM, SADDLE))
    return kinds


def _cluster(ex, ey, gnorm, radius):
    """Greedy clustering of converged end points: label per point, representative indices.

    End points are first binned into cells of side ``radius`` (so a continuum of end points
    costs one pass per cell, not per point); the most populated unassigned cell then takes
    every unassigned cell whose mean lies within 2 radius, up to MAX_STATIONARY clusters.
    Unclustered points get -1. The representative is the member with the smallest |grad f|.
    """
    keys = np.stack([np.floor(ex / radius), np.floor(ey / radius)], axis=1)
    _, cell, counts = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
    cell = cell.ravel()
    cx = np.bincount(cell, ex) / counts
    cy = np.bincount(cell, ey) / counts
    cell_label = np.full(counts.size, -1)
    n_clusters = 0
    for seed in np.argsort(-counts, kind="stable"):
        if n_clusters >= MAX_STATIONARY:
            break
        if cell_label[seed] >= 0:
            continue
        near = (np.hypot(cx - cx[seed], cy - cy[seed]) <= 2 * radius) & (cell_label < 0)
        cell_label[near] = n_clusters
        n_clusters += 1
    label = cell_label[cell]
    reps = []
    order = np.lexsort((gnorm, label))  # by label, then |grad f|
    first = np.flatnonzero(np.r_[True, np.diff(label[order]) != 0])
    for i in first:
        if label[order[i]] >= 0:
            reps.append(order[i])
    return label, np.array(reps, dtype=int)


def compute_basins(objective: Objective, rule, rect: Rect, nx: int = 256, ny: int | None = None,
                   max_steps: int = 50, tol: float = 1e-6, bound: float = 1e8,
                   progress: Callable[[int, int], None] | None = None,
                   cancel: Callable[[], bool] | None = None) -> BasinMap:
    """Run ``rule`` from every point of an nx x ny grid over rect, all starts at once.

    Parameters
    ----------
    objective, rule : as for :func:`hessianlens.engine.trajectory.run`
    rect : Rect
    nx, ny : int
        Grid size (ny = nx by default).
    max_steps, tol, bound : float
        As for :func:`~hessianlens.engine.trajectory.run`: at most max_steps steps; converged
        when |grad f| < tol; diverged outside |x|, |y| <= bound.
    progress : callable(done, total), optional
        Called after every step.
    cancel : callable() -> bool, optional
        Checked once per step; when it returns True the result has status ``cancelled``.

    Returns
    -------
    BasinMap
        Never raises on numerical trouble.
    """
    xs, ys = grid_axes(rect, nx, ny)
    X, Y = np.meshgrid(xs, ys)
    shape = X.shape
    n = X.size
    lr = float(rule.learning_rate)
    ends = run_batch(objective, rule, X.ravel(), Y.ravel(), max_steps, tol, bound,
                     progress=progress, cancel=cancel)

    def finish(status, message, labels, outcomes):
        return BasinMap(rule.name, lr, rect, xs, ys, int(max_steps), float(tol),
                        labels.reshape(shape), ends.steps.reshape(shape), tuple(outcomes),
                        status, message, dict(rule.values))

    if ends.cancelled_at is not None:
        return finish(CANCELLED, f"cancelled after {ends.cancelled_at} of {max_steps} steps",
                      np.full(n, -1, dtype=np.int16), ())
    labels, outcomes = _classify(objective, rect, ends)
    return finish(COMPLETE, f"{n} starts, at most {max_steps} steps each", labels, outcomes)


def _classify(objective, rect, ends: BatchEnds):
    """Label every start with an outcome; stationary points first, by share of the grid."""
    state, taken, end_x, end_y, end_g = ends.code, ends.steps, ends.x, ends.y, ends.grad_norm
    n = state.size
    radius = CLUSTER_RTOL * float(np.hypot(rect.width, rect.height))
    labels = np.full(n, -1, dtype=np.int64)
    groups = []  # (kind, point, member indices)
    conv = np.flatnonzero(state == batch_run.CONVERGED)
    if conv.size:
        cl, reps = _cluster(end_x[conv], end_y[conv], end_g[conv], radius)
        kinds = stationary_kind(objective, end_x[conv][reps], end_y[conv][reps], radius)
        for c, r in enumerate(reps):
            groups.append((kinds[c], (float(end_x[conv][r]), float(end_y[conv][r])),
                           conv[cl == c]))
        rest = conv[cl < 0]
        if rest.size:  # beyond MAX_STATIONARY: pooled per kind, without a point
            rest_kinds = stationary_kind(objective, end_x[rest], end_y[rest], radius)
            for kind in (MINIMUM, SADDLE, MAXIMUM):
                groups.append((kind, None, rest[rest_kinds == kind]))
    groups.sort(key=lambda g: (g[1] is None, -g[2].size))
    groups.append((DIVERGED, None, np.flatnonzero(state == batch_run.DIVERGED)))
    # K steps used up, or the rule had no step (a singular Hessian)
    groups.append((NOT_CONVERGED, None, np.flatnonzero((state == batch_run.MAX_STEPS)
                                                       | (state == batch_run.NO_STEP))))
    outcomes = []
    for kind, point, members in groups:
        if not members.size:
            continue
        label = len(outcomes)
        labels[members] = label
        value = None
        if point is not None:
            v = objective.value_at(point)
            value = v if np.isfinite(v) else None
        outcomes.append(Outcome(label, str(kind), point, value, int(members.size),
                                members.size / n, float(np.mean(taken[members]))))
    return labels.astype(np.int16 if len(outcomes) < 2 ** 15 else np.int32), outcomes


# --- export ----------------------------------------------------------------------------
# Fixed palettes per kind: minima green, saddles purple, maxima tan (hessianlens.colours).
KIND_COLOURS = {
    MINIMUM: tuple(colours.rgb(c) for c in colours.MINIMA),
    SADDLE: tuple(colours.rgb(c) for c in colours.SADDLES),
    MAXIMUM: tuple(colours.rgb(c) for c in colours.MAXIMA),
    DIVERGED: (colours.rgb(colours.DIVERGED),),
    NOT_CONVERGED: (colours.rgb(colours.NOT_CONVERGED),),
}


def _coord(v: float) -> str:
    v = round(float(v), 2) + 0.0  # + 0.0 turns -0.0 into 0.0
    return f"{v:.2f}" if abs(v) < 1e4 else f"{v:.3g}"


def outcome_name(outcome) -> str:
    """'minimum at (3.14, 2.63)', 'diverged', 'not converged', 'saddle (several points)'."""
    if outcome.kind == NOT_CONVERGED:
        return "not converged"
    if outcome.kind == DIVERGED:
        return "diverged"
    if outcome.point is None:
        return f"{outcome.kind} (several points)"
    return f"{outcome.kind} at ({_coord(outcome.point[0])}, {_coord(outcome.point[1])})"


def share_text(fraction: float) -> str:
    """'16%'; '<1%' and '>99%' for shares that rounding would make 0% or 100% although some
    starts, or not all, are there."""
    text = f"{fraction:.0%}"
    if text == "0%" and fraction > 0:
        return "<1%"
    if text == "100%" and fraction < 1:
        return ">99%"
    return text


def outcome_colours(outcomes) -> np.ndarray:
    """(len(outcomes), 3) uint8 RGB: the n-th outcome of a kind takes that kind's n-th colour."""
    seen = dict.fromkeys(KIND_COLOURS, 0)
    out = np.zeros((len(outcomes), 3), dtype=np.uint8)
    for i, o in enumerate(outcomes):
        palette = KIND_COLOURS[o.kind]
        out[i] = palette[seen[o.kind] % len(palette)]
        seen[o.kind] += 1
    return out


def basin_image(basin_map: BasinMap, shade: bool = True) -> np.ndarray:
    """(ny, nx, 3) uint8 RGB of the labels, row 0 at ymin; with shade, starts that need more
    steps are darker (down to half brightness at max_steps)."""
    if basin_map.status != COMPLETE:
        return np.zeros((*basin_map.labels.shape, 3), dtype=np.uint8)
    rgb = outcome_colours(basin_map.outcomes)[basin_map.labels].astype(float)
    if shade and basin_map.max_steps > 0:
        rgb *= 1 - 0.5 * np.clip(basin_map.steps / basin_map.max_steps, 0, 1)[..., None]
    return np.round(rgb).astype(np.uint8)


def basins_to_dict(basin_map: BasinMap, function_text: str) -> dict:
    """The JSON object of ``hessianlens basins``."""
    r = basin_map.rect
    return {
        "function": function_text,
        "method": basin_map.method,
        "lr": json_number(basin_map.learning_rate),
        "params": dict(basin_map.params),
        "range": [r.xmin, r.xmax, r.ymin, r.ymax],
        "grid": [int(basin_map.xs.size), int(basin_map.ys.size)],
        "max_steps": basin_map.max_steps,
        "tol": basin_map.tol,
        "status": basin_map.status,
        "outcomes": [{"kind": o.kind, "point": None if o.point is None else list(o.point),
                      "value": json_number(o.value), "count": o.count, "fraction": o.fraction,
                      "mean_steps": o.mean_steps} for o in basin_map.outcomes],
    }
