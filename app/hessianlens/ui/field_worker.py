"""Fields of the visible range, computed off the GUI thread (one jobs.Job: stale results are
dropped).

The worker computes f and its derivatives on the grid, the plane's colour scale and
contours, and then calls the prepare function each overlay registered for its payload (the
det H = 0 curve, the Newton arrows, the curvature shading...): it knows no overlay itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QObject, Signal

from hessianlens.engine.fields import GridFields, Rect, compute_fields
from hessianlens.engine.objective import Objective
from hessianlens.ui.contours import contour_half, robust_range
from hessianlens.ui.jobs import Job, JobResult

GRID = 512  # samples per axis of the fine fields (the image and its contours)
CONTOUR_LEVELS = 20  # evenly spaced over the colour scale of f

Prepare = Callable[[Objective, GridFields], object]  # pure numpy: runs in the worker thread


@dataclass(frozen=True)
class FieldBundle:
    """Everything the plot draws from one grid: fields, the colour scale and contours of f,
    and each overlay's payload (name -> what its prepare returned)."""

    generation: int
    objective: Objective
    fields: GridFields
    f_range: tuple[float, float]  # the colour scale of f (robust: a pole does not wash it out)
    levels: np.ndarray
    f_lines: tuple[np.ndarray, np.ndarray]
    payloads: dict = field(default_factory=dict)


def compute_bundle(objective: Objective, rect: Rect, generation: int = 0, grid: int = GRID,
                   prepares: dict[str, Prepare] | None = None) -> FieldBundle:
    """The fields of rect, the contours of f and the overlays' payloads (pure numpy; safe in
    a worker thread)."""
    fields = compute_fields(objective, rect, grid)
    lo, hi = robust_range(fields.f)
    levels = np.linspace(lo, hi, CONTOUR_LEVELS + 2)[1:-1]
    payloads = {name: prepare(objective, fields) for name, prepare in (prepares or {}).items()}
    return FieldBundle(generation, objective, fields, (lo, hi), levels,
                       contour_half(fields, fields.f, levels), payloads)


class FieldWorker(QObject):
    """Debounced, cancellable field computation; emits ready(FieldBundle) on the GUI thread."""

    ready = Signal(object)
    failed = Signal(str)

    def __init__(self, debounce_ms: int = 60, grid: int = GRID, parent: QObject | None = None):
        super().__init__(parent)
        self.grid = grid
        self.prepares: dict[str, Prepare] = {}  # each overlay's, registered by the plane
        self.job = Job(debounce_ms, self)
        self.job.finished.connect(self._finished)

    @property
    def generation(self) -> int:
        return self.job.generation

    def request(self, objective: Objective, rect: Rect, now: bool = False) -> None:
        """Ask for the fields of rect; with now=False wait for a pause in requests first."""
        grid, prepares = self.grid, dict(self.prepares)
        # compute_bundle is looked up when the job runs (a test replaces it).
        self.job.request(lambda ticket: compute_bundle(objective, rect, ticket.generation, grid,
                                                       prepares), now=now)

    def _finished(self, result: JobResult) -> None:
        if result.ok:
            self.ready.emit(result.value)
        else:
            self.failed.emit(f"could not compute the fields: {result.error}")

    def busy(self) -> bool:
        return self.job.busy()

    def wait(self, msecs: int = 10_000) -> bool:
        """Block until the running job finished (tests, shutdown)."""
        return self.job.wait(msecs)
