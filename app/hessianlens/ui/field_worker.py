"""Fields of the visible range, computed off the GUI thread; stale results are dropped.

The view asks for fields after a debounce; every request gets a generation number, a job
that starts after a newer request skips its work, and a result that arrives after a newer
request is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from hessianlens.engine.fields import GridFields, Rect, compute_fields
from hessianlens.engine.objective import Objective
from hessianlens.ui.contours import contour_lines, robust_range
from hessianlens.ui.overlays import curvature_rgba

GRID = 512  # samples per axis of the fine fields (the image and its contours)
ARROWS = 24  # arrows per axis of the Newton field
CONTOUR_LEVELS = 20  # evenly spaced over the colour scale of f
# The Newton step counts as "zero" where it is shorter than this fraction of the view's
# smaller side: small rings round the stationary points (g = 0), where Newton stops.
ZERO_STEP_FRACTION = 0.02


@dataclass(frozen=True)
class FieldBundle:
    """Everything the plot draws from one grid: fields, contour levels and lines."""

    generation: int
    objective: Objective
    fields: GridFields
    coarse: GridFields  # the Newton-arrow grid
    f_range: tuple[float, float]  # the colour scale of f (robust: a pole does not wash it out)
    det_limit: float  # det H is coloured over [-det_limit, det_limit], centred on zero
    levels: np.ndarray
    f_lines: tuple[np.ndarray, np.ndarray]
    det_zero_lines: tuple[np.ndarray, np.ndarray]
    zero_step_lines: tuple[np.ndarray, np.ndarray]
    curvature_rgba: np.ndarray  # (ny, nx, 4) uint8: the curvature overlay's shading


def compute_bundle(objective: Objective, rect: Rect, generation: int = 0, grid: int = GRID,
                   arrows: int = ARROWS) -> FieldBundle:
    """The fields of rect and their contour lines (pure numpy; safe in a worker thread)."""
    fields = compute_fields(objective, rect, grid)
    coarse = compute_fields(objective, rect, arrows)
    lo, hi = robust_range(fields.f)
    levels = np.linspace(lo, hi, CONTOUR_LEVELS + 2)[1:-1]
    det_lo, det_hi = robust_range(fields.det, 2.0, 98.0)
    det_limit = max(abs(det_lo), abs(det_hi), 1e-12)
    eps = ZERO_STEP_FRACTION * min(rect.width, rect.height)
    # Every line from every other sample (and the last): a quarter of contourpy's time and
    # half the points to draw, with segments still about 2 pixels long at the view's usual size.
    ix, iy = _every_other(len(fields.xs)), _every_other(len(fields.ys))
    xs, ys = fields.xs[ix], fields.ys[iy]

    def half(a: np.ndarray) -> np.ndarray:
        return a[np.ix_(iy, ix)]

    return FieldBundle(generation, objective, fields, coarse, (lo, hi), det_limit, levels,
                       contour_lines(xs, ys, half(fields.f), levels),
                       contour_lines(xs, ys, half(fields.det), [0.0]),
                       contour_lines(xs, ys, half(fields.newton_length), [eps]),
                       curvature_rgba(fields.curvature))


def _every_other(n: int) -> np.ndarray:
    idx = np.arange(0, n, 2)
    return idx if idx[-1] == n - 1 else np.append(idx, n - 1)


class _Signals(QObject):
    done = Signal(object)  # FieldBundle
    failed = Signal(str)


class _Job(QRunnable):
    def __init__(self, owner: "FieldWorker", objective: Objective, rect: Rect, generation: int):
        super().__init__()
        self.owner, self.objective, self.rect, self.generation = owner, objective, rect, generation

    def run(self):  # worker thread: never let an exception escape into Qt
        if self.generation != self.owner.generation:
            return  # a newer request exists
        try:
            bundle = compute_bundle(self.objective, self.rect, self.generation, self.owner.grid)
        except Exception as exc:  # noqa: BLE001 - reported in the status bar, never raised
            self.owner.signals.failed.emit(f"could not compute the fields: {exc}")
            return
        self.owner.signals.done.emit(bundle)


class FieldWorker(QObject):
    """Debounced, cancellable field computation; emits ready(FieldBundle) on the GUI thread."""

    ready = Signal(object)
    failed = Signal(str)

    def __init__(self, debounce_ms: int = 60, grid: int = GRID, parent: QObject | None = None):
        super().__init__(parent)
        self.grid = grid
        self.generation = 0
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)  # one grid at a time; newer requests supersede
        self.signals = _Signals()
        self.signals.done.connect(self._deliver)
        self.signals.failed.connect(self.failed)
        self._pending: tuple[Objective, Rect] | None = None
        self._timer = QTimer(self, singleShot=True, interval=debounce_ms)
        self._timer.timeout.connect(self._launch)

    def request(self, objective: Objective, rect: Rect, now: bool = False) -> None:
        """Ask for the fields of rect; with now=False wait for a pause in requests first."""
        self._pending = (objective, rect)
        self.generation += 1
        if now:
            self._timer.stop()
            self._launch()
        else:
            self._timer.start()

    def _launch(self) -> None:
        if self._pending is None:
            return
        objective, rect = self._pending
        self._pending = None
        self.pool.start(_Job(self, objective, rect, self.generation))

    def _deliver(self, bundle: FieldBundle) -> None:
        if bundle.generation == self.generation:
            self.ready.emit(bundle)

    def busy(self) -> bool:
        return self._timer.isActive() or self.pool.activeThreadCount() > 0

    def wait(self, msecs: int = 10_000) -> bool:
        """Block until the running job finished (tests, shutdown)."""
        return self.pool.waitForDone(msecs)
