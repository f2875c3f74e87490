"""Basins of attraction over the visible range, computed off the GUI thread.

The layer colours every start of a grid by where a rule takes it (engine/basins.py), shaded
by the steps it needs, and outlines the basin boundaries of a second rule, so that "gradient
descent finds a minimum from here, Newton finds a saddle" shows at once. Its settings (the
rules, grid and K) are the session's; the computation is a jobs.Job of its own: a
superseded or cancelled run stops at its next step and its result is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal

from hessianlens.engine.basins import (DIVERGED, NOT_CONVERGED, BasinMap, basin_image,
                                       compute_basins, outcome_colours, outcome_name)
from hessianlens.engine.explain import method_title
from hessianlens.engine.objective import Objective
from hessianlens.engine.rules import make_rule
from hessianlens.engine.trajectory import steps_text
from hessianlens.ui.jobs import Job, JobResult
from hessianlens.ui.overlays.base import OverlayLayer, image_rect, swatch
from hessianlens.ui.still_stack import mark_still

DEBOUNCE_MS = 150
OPACITY = 255  # opaque: the plane shows the key's colours (f's contours stay on top)
LEGEND_POINTS = 5  # stationary points named in the legend; the rest are counted


@dataclass(frozen=True)
class BasinResult:
    generation: int
    objective: Objective
    maps: tuple[BasinMap, ...]  # the rule's map, then the compare rule's when there is one


def describe_start(basin_map: BasinMap, x: float, y: float) -> str | None:
    """'Newton reaches the saddle at (3.00, 0.91) in 5 steps' for the start nearest (x, y)."""
    found = basin_map.outcome_at(x, y)
    if found is None:
        return None
    outcome, k = found
    title = method_title(basin_map.method)
    steps = steps_text(k)
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


def compute_maps(objective, rect, rules, grid: int, max_steps: int, ticket) -> BasinResult:
    """The basin map of every (rule, tol), one after the other, reporting progress over all
    of them and stopping early when the ticket is cancelled (then returning None)."""
    total = max_steps * len(rules)
    maps = []
    for n, (rule, tol) in enumerate(rules):
        def progress(k, _total, n=n):
            ticket.progress(n * max_steps + k, total)
        m = compute_basins(objective, rule, rect, grid, max_steps=max_steps, tol=tol,
                           progress=progress, cancel=ticket.cancelled)
        if ticket.cancelled():
            return None  # superseded or cancelled: the GUI has moved on
        maps.append(m)
    return BasinResult(ticket.generation, objective, tuple(maps))


class Layer(OverlayLayer):
    """The basin image and outlines on the plane, their legend, hover text and recomputation."""

    covers_f = True
    z = -70

    shown = Signal()  # a new basin map is on screen (or the overlay was cleared)

    def __init__(self, spec, host):
        super().__init__(spec, host)
        self.maps: tuple[BasinMap, ...] = ()
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(self.z)  # over the f image and the shadings, under the contours
        self.outline_pen = pg.mkPen(20, 20, 20, 220, width=1)
        self.outlines = pg.PlotDataItem(pen=self.outline_pen, connect="pairs")
        self.outlines.setZValue(-5)
        for item in (self.image, self.outlines):
            item.setVisible(False)
            mark_still(item)  # changes with a new map, not while the paths play
            self.plot.addItem(item)
        self.job = Job(DEBOUNCE_MS, self)
        self.job.finished.connect(self._deliver)
        self._key = None  # what the current (or last) request computes
        session = self.session
        for signal in (session.function_changed, session.view_changed, session.methods_changed):
            signal.connect(self.request)

    @property
    def enabled(self) -> bool:
        return self.visible

    @property
    def running(self) -> bool:
        return self.job.running

    @property
    def covering(self) -> bool:
        return self.visible and bool(self.maps)

    # --- state ----------------------------------------------------------------------------
    def set_visible(self, on: bool) -> None:
        on = bool(on)
        if on == self.visible:
            return
        self.visible = on
        if on:
            self.request(now=True)
        else:
            self.job.cancel()
            self._key = None  # switched on again: compute afresh
            self._show(())

    def apply_settings(self, settings: dict) -> None:
        """New settings from the session: recompute if they matter; a swap alone swaps."""
        old = self.settings
        if settings == old:
            return
        super().apply_settings(settings)
        only_swap = {**settings, "swapped": old["swapped"]} == old
        if only_swap and not self.running and self._key is not None and self.visible:
            # The same two maps, the other one coloured: no recomputation.
            self._key = (*self._key[:-1], self._key[-1][::-1])
            self._show(self.maps[::-1])
        else:
            self.request(force=only_swap)

    def rule_names(self) -> tuple[str, ...]:
        """The coloured rule first, then the outlined one (if any)."""
        s = self.settings
        names = (s["rule"],) if not s["compare"] or s["compare"] == s["rule"] \
            else (s["rule"], s["compare"])
        return names[::-1] if s["swapped"] else names

    def _rules(self):
        """(rule, tol) per name, with the session's parameters and tol for that method."""
        out = []
        for name in self.rule_names():
            m = self.session.methods.get(name)
            out.append((make_rule(name, **(m.params if m else {})), m.tol if m else 1e-6))
        return out

    # --- computing ------------------------------------------------------------------------
    def request(self, *_args, now: bool = False, force: bool = False) -> None:
        """Recompute for the current function, view and settings (after a pause unless now)."""
        if not self.visible or self.session.objective is None:
            return
        rules = self._rules()
        s, session = self.settings, self.session
        key = (session.objective, session.rect, s["grid"], s["max_steps"], tuple(rules))
        if key == self._key and not force:
            return
        self._key = key
        objective, rect, grid, max_steps = session.objective, session.rect, s["grid"], \
            s["max_steps"]
        self.job.request(lambda ticket: compute_maps(objective, rect, rules, grid, max_steps,
                                                     ticket), now=now)

    def cancel(self) -> None:
        """Stop the computation; the overlay stays empty until the next change or Recompute."""
        if not self.running:
            return
        self.job.cancel()
        self._show(())
        self.message.emit("Basins of attraction: cancelled")

    def _deliver(self, result: JobResult) -> None:
        if not result.ok:
            self._show(())
            self.message.emit(f"could not compute the basins: {result.error}")
            return
        if result.value is None or not self.visible \
                or result.value.objective is not self.session.objective:
            return
        self._show(result.value.maps)

    # --- drawing --------------------------------------------------------------------------
    def _show(self, maps) -> None:
        self.maps = tuple(maps)
        visible = self.visible and bool(self.maps)
        if visible:
            m = self.maps[0]
            rgba = np.empty((*m.labels.shape, 4), dtype=np.ubyte)
            rgba[..., :3] = basin_image(m)
            rgba[..., 3] = OPACITY
            self.image.setImage(rgba, autoLevels=False, levels=(0, 255))
            self.image.setRect(*image_rect(m.rect, m.labels.shape))
        if len(self.maps) == 2:
            self.outlines.setData(*boundary_segments(self.maps[1]))
        else:
            self.outlines.setData([], [])
        self.image.setVisible(visible)
        self.outlines.setVisible(visible and len(self.maps) == 2)
        self.legend = self._legend_entries()
        self.changed.emit()
        self.shown.emit()

    def _legend_entries(self) -> list[tuple[object, str]]:
        if not self.visible or not self.maps:
            return []
        m = self.maps[0]
        entries = [(swatch(None, pg.mkPen(None)),
                    f"Basins of {method_title(m.method)} (darker: more steps)")]
        colours = outcome_colours(m.outcomes)
        # The largest basins by name; the legend must not hide the plane.
        listed = [o for o in m.outcomes if o.point is not None][:LEGEND_POINTS]
        listed += [o for o in m.outcomes if o.kind in (DIVERGED, NOT_CONVERGED)]
        named = [(swatch(pg.mkColor(*colours[o.label])), outcome_name(o))
                 for o in m.outcomes if o in listed]
        rest = len(m.outcomes) - len(listed)
        if rest:
            named.append((swatch(None, pg.mkPen(None)), f"... and {rest} more outcomes"))
        # The outcomes are what a key short of room leaves out first (its own count says so).
        self.legend_optional = {item for item, _ in named}
        entries += named
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
        if not self.visible:
            return ""
        words = [w for w in (describe_start(m, x, y) for m in self.maps) if w]
        return "from here: " + "; ".join(words) if words else ""

