"""Basins of attraction over the visible range, computed off the GUI thread.

The layer colours every start of a grid by where a rule takes it (engine/basins.py), shaded
by the steps it needs, and outlines the basin boundaries of a second rule, so that "gradient
descent finds a minimum from here, Newton finds a saddle" shows at once. Requests are
debounced and numbered like the fields (field_worker.py): a superseded or cancelled job
stops at its next step and its result is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import SimpleNamespace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from hessianlens.engine.basins import (DIVERGED, NOT_CONVERGED, BasinMap, basin_image,
                                       compute_basins, outcome_colours)
from hessianlens.engine.fields import Rect
from hessianlens.engine.objective import Objective
from hessianlens.engine.explain import method_title
from hessianlens.engine.rules import make_rule
from hessianlens.ui.overlays import image_rect, swatch

DEBOUNCE_MS = 150
OPACITY = 150  # alpha of the basin colours over the f image (of 255)
LEGEND_POINTS = 5  # stationary points named in the legend; the rest are counted


@dataclass(frozen=True)
class BasinSettings:
    """What the panel chooses: the coloured rule, the outlined one (or ""), grid and K."""

    rule: str = "newton"
    compare: str = "gd"
    swapped: bool = False  # colour the compare rule, outline the first
    grid: int = 256
    max_steps: int = 50


@dataclass(frozen=True)
class BasinResult:
    generation: int
    objective: Objective
    maps: tuple[BasinMap, ...]  # the rule's map, then the compare rule's when there is one


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


def describe_start(basin_map: BasinMap, x: float, y: float) -> str | None:
    """'Newton reaches the saddle at (3.00, 0.91) in 5 steps' for the start nearest (x, y)."""
    found = basin_map.outcome_at(x, y)
    if found is None:
        return None
    outcome, k = found
    title = method_title(basin_map.method)
    steps = f"{k} step" if k == 1 else f"{k} steps"
    if outcome.kind == DIVERGED:
        return f"{title} diverges after {steps}"
    if outcome.kind == NOT_CONVERGED:
        if k < basin_map.max_steps:  # the rule had no step there (a singular Hessian)
            return f"{title} stops after {steps} (no step there)"
        return f"{title} does not converge in {steps}"
    if outcome.point is None:
        return f"{title} reaches a {outcome.kind} in {steps}"
    return f"{title} reaches the {outcome_name(outcome)} in {steps}"


def boundary_segments(m: BasinMap) -> tuple[np.ndarray, np.ndarray]:
    """Cell edges between neighbouring starts with different outcomes, as segment pairs for
    ``PlotDataItem(connect="pairs")``: the outlines of the basins."""
    xs, ys, lab = m.xs, m.ys, m.labels
    hx = (xs[1] - xs[0]) / 2 if xs.size > 1 else 0.5
    hy = (ys[1] - ys[0]) / 2 if ys.size > 1 else 0.5
    i, j = np.nonzero(lab[:, 1:] != lab[:, :-1])  # between (i, j) and (i, j + 1): vertical
    vx = np.repeat(xs[j] + hx, 2)
    vy = np.column_stack([ys[i] - hy, ys[i] + hy]).ravel()
    i, j = np.nonzero(lab[1:, :] != lab[:-1, :])  # between (i, j) and (i + 1, j): horizontal
    hxs = np.column_stack([xs[j] - hx, xs[j] + hx]).ravel()
    hys = np.repeat(ys[i] + hy, 2)
    return np.concatenate([vx, hxs]), np.concatenate([vy, hys])


# --- worker ---------------------------------------------------------------------------------
class _Signals(QObject):
    done = Signal(object)  # BasinResult
    progress = Signal(int, int, int)  # generation, done, total
    failed = Signal(int, str)


class _Job(QRunnable):
    def __init__(self, owner: "BasinWorker", generation: int, objective: Objective, rect: Rect,
                 rules, grid: int, max_steps: int):
        super().__init__()
        self.owner, self.generation, self.objective, self.rect = owner, generation, objective, rect
        self.rules, self.grid, self.max_steps = rules, grid, max_steps

    def _stale(self) -> bool:
        return self.generation != self.owner.generation

    def run(self):  # worker thread: never let an exception escape into Qt
        signals, total = self.owner.signals, self.max_steps * len(self.rules)
        maps = []
        try:
            for n, (rule, tol) in enumerate(self.rules):
                def progress(k, _total, n=n):
                    signals.progress.emit(self.generation, n * self.max_steps + k, total)
                m = compute_basins(self.objective, rule, self.rect, self.grid,
                                   max_steps=self.max_steps, tol=tol, progress=progress,
                                   cancel=self._stale)
                if self._stale():
                    return  # superseded or cancelled: the GUI has moved on
                maps.append(m)
        except Exception as exc:  # noqa: BLE001 - reported in the status bar, never raised
            signals.failed.emit(self.generation, f"could not compute the basins: {exc}")
            return
        signals.done.emit(BasinResult(self.generation, self.objective, tuple(maps)))


class BasinWorker(QObject):
    """One basin job at a time; a new request or cancel() makes the running one stop."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.generation = 0
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.signals = _Signals()

    def start(self, objective, rect, rules, grid, max_steps) -> int:
        self.generation += 1
        self.pool.start(_Job(self, self.generation, objective, rect, rules, grid, max_steps))
        return self.generation

    def cancel(self) -> None:
        self.generation += 1  # the running job sees it at its next step

    def wait(self, msecs: int = 10_000) -> bool:
        return self.pool.waitForDone(msecs)


# --- the layer ------------------------------------------------------------------------------
class BasinsLayer(QObject):
    """The basin image and outlines on the plane, their legend, hover text and recomputation."""

    enabled_changed = Signal(bool)
    settings_changed = Signal()
    running_changed = Signal(bool)
    progress = Signal(int, int)  # steps done, steps in all
    shown = Signal()  # a new basin map is on screen (or the overlay was cleared)
    message = Signal(str)

    def __init__(self, plot: pg.PlotItem, session, parent: QObject | None = None):
        super().__init__(parent)
        self.plot, self.session = plot, session
        self.settings = BasinSettings()
        self.enabled = False
        self.running = False
        self.maps: tuple[BasinMap, ...] = ()
        self.legend: list[tuple[object, str]] = []
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(-70)  # over the f image and the shadings, under the contours
        self.outline_pen = pg.mkPen(20, 20, 20, 220, width=1)
        self.outlines = pg.PlotDataItem(pen=self.outline_pen, connect="pairs")
        self.outlines.setZValue(-5)
        for item in (self.image, self.outlines):
            item.setVisible(False)
            plot.addItem(item)
        self.worker = BasinWorker(self)
        self.worker.signals.done.connect(self._deliver)
        self.worker.signals.progress.connect(self._progress)
        self.worker.signals.failed.connect(self._failed)
        self._key = None  # what the current (or last) request computes
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self._launch)
        for signal in (session.function_changed, session.view_changed, session.methods_changed):
            signal.connect(self.request)

    # --- state ----------------------------------------------------------------------------
    def set_enabled(self, on: bool) -> None:
        on = bool(on)
        if on == self.enabled:
            return
        self.enabled = on
        if on:
            self.request(now=True)
        else:
            self._stop()
            self._key = None  # switched on again: compute afresh
            self._show(())
        self.enabled_changed.emit(on)

    def configure(self, **changes) -> None:
        """Change the settings (BasinSettings fields) and recompute if they matter."""
        settings = replace(self.settings, **changes)
        if settings == self.settings:
            return
        only_swap = replace(settings, swapped=self.settings.swapped) == self.settings
        self.settings = settings
        self.settings_changed.emit()
        if only_swap and not self.running and self._key is not None:
            # The same two maps, the other one coloured: no recomputation.
            self._key = (*self._key[:-1], self._key[-1][::-1])
            self._show(self.maps[::-1])
        else:
            self.request(force=only_swap)

    def rule_names(self) -> tuple[str, ...]:
        """The coloured rule first, then the outlined one (if any)."""
        s = self.settings
        names = (s.rule,) if not s.compare or s.compare == s.rule else (s.rule, s.compare)
        return names[::-1] if s.swapped else names

    def _rules(self):
        """(rule, tol) per name, with the session's learning rate and tol for that method."""
        out = []
        for name in self.rule_names():
            m = self.session.methods.get(name)
            out.append((make_rule(name, **(m.params if m else {})), m.tol if m else 1e-6))
        return out

    # --- computing ------------------------------------------------------------------------
    def request(self, *_args, now: bool = False, force: bool = False) -> None:
        """Recompute for the current function, view and settings (after a pause unless now)."""
        if not self.enabled:
            return
        rules = self._rules()
        s = self.settings
        key = (self.session.objective, self.session.rect, s.grid, s.max_steps,
               tuple((r, tol) for r, tol in rules))
        if key == self._key and not force:
            return
        self._key = key
        self.worker.cancel()  # the running job (if any) stops at its next step
        self._set_running(True)
        self._timer.start(0 if now else DEBOUNCE_MS)

    def _launch(self) -> None:
        s = self.settings
        self.worker.start(self.session.objective, self.session.rect, self._rules(), s.grid,
                          s.max_steps)

    def cancel(self) -> None:
        """Stop the computation; the overlay stays empty until the next change or Recompute."""
        if not self.running:
            return
        self._stop()
        self._show(())
        self.message.emit("Basins of attraction: cancelled")

    def _stop(self) -> None:
        self._timer.stop()
        self.worker.cancel()
        self._set_running(False)

    def _set_running(self, on: bool) -> None:
        if on != self.running:
            self.running = on
            self.running_changed.emit(on)

    def _progress(self, generation: int, done: int, total: int) -> None:
        if generation == self.worker.generation and self.running:
            self.progress.emit(done, total)

    def _failed(self, generation: int, text: str) -> None:
        if generation == self.worker.generation:
            self._set_running(False)
            self._show(())
            self.message.emit(text)

    def _deliver(self, result: BasinResult) -> None:
        if result.generation != self.worker.generation or not self.enabled \
                or result.objective is not self.session.objective:
            return
        self._set_running(False)
        self._show(result.maps)

    # --- drawing --------------------------------------------------------------------------
    def _show(self, maps) -> None:
        self.maps = tuple(maps)
        visible = self.enabled and bool(self.maps)
        if visible:
            m = self.maps[0]
            rgba = np.empty((*m.labels.shape, 4), dtype=np.ubyte)
            rgba[..., :3] = basin_image(m)
            rgba[..., 3] = OPACITY
            self.image.setImage(rgba, autoLevels=False, levels=(0, 255))
            self.image.setRect(*image_rect(SimpleNamespace(rect=m.rect, shape=m.labels.shape)))
        if len(self.maps) == 2:
            self.outlines.setData(*boundary_segments(self.maps[1]))
        else:
            self.outlines.setData([], [])
        self.image.setVisible(visible)
        self.outlines.setVisible(visible and len(self.maps) == 2)
        self.legend = self._legend_entries()
        self.shown.emit()

    def _legend_entries(self) -> list[tuple[object, str]]:
        if not self.enabled or not self.maps:
            return []
        m = self.maps[0]
        entries = [(swatch(None, pg.mkPen(None)),
                    f"Basins of {method_title(m.method)} (darker: more steps)")]
        colours = outcome_colours(m.outcomes)
        # The largest basins by name; the legend must not hide the plane.
        listed = [o for o in m.outcomes if o.point is not None][:LEGEND_POINTS]
        listed += [o for o in m.outcomes if o.kind in (DIVERGED, NOT_CONVERGED)]
        for o in m.outcomes:
            if o in listed:
                entries.append((swatch(pg.mkColor(*colours[o.label])), outcome_name(o)))
        rest = len(m.outcomes) - len(listed)
        if rest:
            entries.append((swatch(None, pg.mkPen(None)),
                            f"... and {rest} more (hover to name them)"))
        if len(self.maps) == 2:
            other = self.maps[1]
            title = method_title(other.method)
            label = f"basin boundaries of {title}"
            if len(other.outcomes) == 1:  # no boundary to draw: say why the plane has none
                label = f"{title}: {outcome_name(other.outcomes[0])} everywhere"
            entries.append((swatch(None, self.outline_pen), label))
        return entries

    def describe(self, x: float, y: float) -> str:
        """'from here: Newton reaches ...; Gradient descent ...', or '' off the map."""
        if not self.enabled:
            return ""
        words = [w for w in (describe_start(m, x, y) for m in self.maps) if w]
        return "from here: " + "; ".join(words) if words else ""

    def shutdown(self) -> None:
        self._stop()
        self.worker.wait(5000)
