"""Each enabled method's path so far, with arrowheads, its current iterate and its legend line."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from hessianlens.engine.trajectory import (CONVERGED, DIVERGED, MAX_STEPS, NO_STEP_WORDS,
                                           TIME_LIMIT, steps_text)
from hessianlens.ui.arrows import arrow_segments, arrows_kept, first_arrows
from hessianlens.engine.explain import method_summary, method_title
from hessianlens.ui.session import Session

STATUS_WORDS = {CONVERGED: "converged", DIVERGED: "diverged", MAX_STEPS: "step limit",
                TIME_LIMIT: "out of time", **NO_STEP_WORDS}
# The window traces its methods for at most this long after a change (shared among them): at
# 0.05-0.2 ms a step, thousands of steps each, and a click still answers at once.
TRACE_SECONDS = 1.0
Z_PATH = 50
# A path is drawn in two parts, its line and its dots alike: the steps up to the last multiple
# of STILL_STEPS, kept as pixmaps, and the few since. A playback frame then strokes at most
# STILL_STEPS segments and stamps at most STILL_STEPS dots instead of the whole path: Newton
# cycling across the view drew 100 long antialiased segments, 5 ms, in every frame, and
# handing 100 dots to their scatter item again cost 0.3 ms a method.
STILL_STEPS = 16
DOT = dict(symbol="o", size=6)


def _dots() -> pg.ScatterPlotItem:
    return pg.ScatterPlotItem(**DOT)


class MethodPath:
    """The items of one method: path with clickable iterates, arrowheads, current marker."""

    def __init__(self, plot: pg.PlotItem, session: Session, name: str):
        self.name = name
        self.session = session
        # The key's sample (line and dot); the plot draws the line and dots in parts.
        self.sample = pg.PlotDataItem([0, 1], [0, 0], symbol=DOT["symbol"],
                                      symbolSize=DOT["size"])
        self.still = pg.PlotCurveItem(connect="finite")
        self.live = pg.PlotCurveItem(connect="finite")
        self.still_dots, self.live_dots = _dots(), _dots()
        for item in (self.still, self.still_dots):
            item.setCacheMode(item.CacheMode.DeviceCoordinateCache)
        self.still_dots.sigClicked.connect(lambda _item, points, _ev=None:
                                           self._clicked(points, 0))
        self.live_dots.sigClicked.connect(lambda _item, points, _ev=None:
                                          self._clicked(points, self._cut + 1))
        self.heads = pg.PlotCurveItem(connect="pairs")
        self.current = pg.ScatterPlotItem(size=13, symbol="o")
        for item in self.items:
            plot.addItem(item)
        self.set_z(Z_PATH)
        self.points = np.empty((0, 2))
        self._drawn = None  # (trajectory, number of iterates) on screen
        self._still = None  # (trajectory, number of iterates) in the still part
        self._cut = 0  # the last iterate in the still part
        self._all = None  # (trajectory, all its iterates' positions)
        self._heads = None  # (trajectory, pixel size, xs, ys, kept): every step's heads
        self._heads_shown = None  # (heads of that computation, number of steps) on screen

    @property
    def items(self) -> tuple:
        return (self.still, self.live, self.still_dots, self.live_dots, self.heads,
                self.current)

    def set_z(self, z: float) -> None:
        """The line under the dots, then the arrowheads and the current iterate."""
        for item, dz in ((self.still, -0.5), (self.live, -0.5), (self.still_dots, 0),
                         (self.live_dots, 0), (self.heads, 1), (self.current, 2)):
            item.setZValue(z + dz)

    def remove(self, plot: pg.PlotItem) -> None:
        for item in self.items:
            plot.removeItem(item)

    def set_style(self, colour: str) -> None:
        if getattr(self, "colour", None) == colour:
            return
        self.colour = colour
        pen, dot_pen, brush = pg.mkPen(colour, width=2), pg.mkPen("w", width=0.5), \
            pg.mkBrush(colour)
        self.sample.setPen(pen)
        self.sample.setSymbolBrush(brush)
        self.sample.setSymbolPen(dot_pen)
        for line in (self.still, self.live, self.heads):
            line.setPen(pen)
        for dots in (self.still_dots, self.live_dots):
            dots.setPen(dot_pen)
            dots.setBrush(brush)
        self.current.setPen(pg.mkPen("w", width=2))
        self.current.setBrush(brush)

    def update(self, pixel_size) -> None:
        shown = self.session.shown_iterates(self.name)
        traj = self.session.trajectories.get(self.name)
        if self._drawn is not None and self._drawn[0] is traj and self._drawn[1] == len(shown):
            return  # the same iterates are on screen already
        self._drawn = (traj, len(shown))
        if self._all is None or self._all[0] is not traj:
            self._all = (traj, np.empty((0, 2)) if traj is None else traj.points)
        pts = self._all[1][:len(shown)]
        self.points = pts
        cut = (max(len(pts) - 1, 0) // STILL_STEPS) * STILL_STEPS  # the last still iterate
        if self._still is None or self._still[0] is not traj or self._still[1] != cut:
            self._still = (traj, cut)
            self.still.setData(pts[:cut + 1, 0], pts[:cut + 1, 1])
            self.still_dots.setData(pts[:cut + 1, 0], pts[:cut + 1, 1])
        self._cut = cut
        self.live.setData(pts[cut:, 0], pts[cut:, 1])
        self.live_dots.setData(pts[cut + 1:, 0], pts[cut + 1:, 1])
        if len(pts):
            self.current.setData([pts[-1, 0]], [pts[-1, 1]])
        else:
            self.current.setData([], [])
        self.update_heads(pixel_size)

    def drawn_points(self) -> np.ndarray:
        """The iterates the plot shows as dots, in order (as given to the items)."""
        parts = [np.column_stack([d.data["x"], d.data["y"]])
                 for d in (self.still_dots, self.live_dots)]
        return np.concatenate(parts).astype(float)

    def update_heads(self, pixel_size) -> None:
        p = self.points
        # The heads of every step of the run, once per run and zoom: a playback frame takes
        # those of the steps shown.
        traj = self._all[0] if self._all is not None else None
        px = tuple(pixel_size)
        if self._heads is None or self._heads[0] is not traj or self._heads[1] != px:
            self._heads = (traj, px, *step_heads(self._all[1] if traj is not None else p, px))
        shown = (self._heads, max(len(p) - 1, 0))
        if self._heads_shown is not None and self._heads_shown[0] is shown[0] and \
                self._heads_shown[1] == shown[1]:
            return
        self._heads_shown = shown
        if len(p) < 2:
            self.heads.setData([], [])
        else:
            self.heads.setData(*first_arrows(*self._heads[2:], len(p) - 1))

    def _clicked(self, points, offset: int) -> None:
        if len(points):
            self.session.select(self.name, offset + int(points[0].index()))

    def legend_label(self) -> str:
        return method_label(self.session, self.name)

    def widest_label(self) -> str:
        return widest_label(self.session, self.name)


def step_heads(p, pixel_size):
    """The arrowheads of the steps between the points p, and which steps have one: heads at
    60% along each step, left out for steps under 14 pixels (they would only smudge a
    rattling sequence). See arrows.first_arrows for those of the first n steps."""
    d = np.diff(p, axis=0)
    args = (p[:-1, 0], p[:-1, 1], d[:, 0], d[:, 1], pixel_size)
    return (*arrow_segments(*args, head_px=9, shafts=False, head_at=0.6, min_px=14),
            arrows_kept(*args, min_px=14))


# The longest status a legend line usually ends with (its width is kept for every method; a
# longer one, "converged to a degenerate", widens its column when it comes).
WIDEST_STATUS = "converged to a maximum"


def widest_label(session: Session, name: str) -> str:
    """A method's legend line with the longest status it could show: the key keeps its width,
    so its columns (and the plot's shape) stay put while playing or dragging the start."""
    cfg = session.methods[name]
    return f"{_method_heading(name, cfg.params)}: {WIDEST_STATUS}, {steps_text(cfg.max_steps)}"


def _method_heading(name: str, params) -> str:
    summary = method_summary(name, params)
    return f"{method_title(name)} ({summary})" if summary else method_title(name)


def method_label(session: Session, name: str) -> str:
    """A method's legend line: title, its parameters in short, and its status once finished
    (or its step)."""
    text = _method_heading(name, session.methods[name].params)
    traj = session.trajectories.get(name)
    if traj is not None and session.is_finished(name):
        if traj.status == DIVERGED and traj.steps_taken == 0:
            # f not finite at the start (or the start outside the region): nothing diverged,
            # the method never began; the status bar says why
            return text + ": cannot start here"
        status = STATUS_WORDS.get(traj.status, traj.status)
        if traj.end_kind:  # "converged to a saddle": the flag the write-up asks for
            status += f" to a {traj.end_kind}"
        text += f": {status}, {steps_text(traj.steps_taken)}"
    else:
        text += f": step {min(session.step, traj.steps_taken if traj else 0)}"
    return text


def out_of_time_note(session: Session) -> str:
    """What the status bar says when some method's trace ran out of the window's time."""
    short = {n: t for n, t in session.trajectories.items() if t.status == TIME_LIMIT}
    if not short:
        return ""
    runs = ", ".join(f"{method_title(n)} after {steps_text(t.steps_taken)} of "
                     f"{session.methods[n].max_steps}" for n, t in short.items())
    return (f"Stopped tracing ({runs}): the window traces for at most {TRACE_SECONDS:g} s "
            f"after a change. Lower Max steps, or run `hessianlens trace` for the whole run.")


class TrajectoryLayer:
    """Keeps one MethodPath per enabled method in step with the session."""

    def __init__(self, plot: pg.PlotItem, session: Session):
        self.plot = plot
        self.session = session
        self.paths: dict[str, MethodPath] = {}
        self.pixel_size = (1.0, 1.0)

    def rebuild(self) -> None:
        """New trajectories (function, start or methods changed)."""
        wanted = [m.name for m in self.session.enabled_methods()]
        for name in list(self.paths):
            if name not in wanted:
                self.paths.pop(name).remove(self.plot)
        for i, name in enumerate(wanted):
            path = self.paths.get(name) or self.paths.setdefault(
                name, MethodPath(self.plot, self.session, name))
            path.set_style(self.session.methods[name].colour)
            path.set_z(Z_PATH + 3 * i)
        # The key lists them as the Methods dock and the convergence key do, not in the order
        # they were switched on.
        self.paths = {name: self.paths[name] for name in wanted}
        self.update()

    def update(self) -> None:
        """The step changed: redraw every path up to it."""
        for path in self.paths.values():
            path.update(self.pixel_size)

    def update_view(self, pixel_size) -> None:
        self.pixel_size = pixel_size
        for path in self.paths.values():
            path.update_heads(pixel_size)
