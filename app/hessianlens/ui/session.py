"""The window's state: function, view, start point, methods, trajectories, playback step.

A QObject that owns the state and asks the engine for every number; the views subscribe to
its signals and never talk to each other.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from hessianlens.engine.explain import method_title  # noqa: F401 - re-exported for views
from hessianlens.engine.expression import ExpressionError
from hessianlens.engine.fields import Rect
from hessianlens.engine.objective import Objective, objective_from_text
from hessianlens.engine.rules import RULES, make_rule
from hessianlens.engine.trajectory import Iterate, Trajectory, run
from hessianlens.session_file import OVERLAYS, MethodConfig, SessionState  # noqa: F401

# Colours of the methods, in RULES order (matplotlib's tab10, which reads well on viridis).
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
           "#17becf", "#bcbd22", "#7f7f7f")
_OPENING_RATES = {"gd": 0.5, "newton": 1.0}  # the write-up's Example 3


def default_methods() -> tuple[MethodConfig, ...]:
    """One MethodConfig per rule of RULES: gd (lr 0.5) and newton (lr 1) enabled, others off."""
    out = []
    for i, name in enumerate(RULES):
        lr = _OPENING_RATES.get(name, make_rule(name).learning_rate)
        out.append(MethodConfig(name, name in _OPENING_RATES, float(lr), 100, 1e-6,
                                PALETTE[i % len(PALETTE)]))
    return tuple(out)


class Session(QObject):
    """Current state of the window; every change is announced by a signal."""

    function_changed = Signal()  # a new valid function (objective) is in place
    function_error = Signal(object)  # ExpressionError for rejected text; the old function stays
    view_changed = Signal()  # rect changed
    start_point_changed = Signal()
    methods_changed = Signal()
    trajectories_changed = Signal()  # new trajectories (function, start or methods changed)
    step_changed = Signal(int)  # the lock-step playback index
    overlays_changed = Signal()
    selection_changed = Signal()  # the selected method or iterate changed

    def __init__(self, function_text: str, rect: Rect, start: tuple[float, float],
                 methods=None, parent: QObject | None = None):
        super().__init__(parent)
        self.objective: Objective = objective_from_text(function_text)
        self.rect = rect
        self.start = (float(start[0]), float(start[1]))
        self.methods: dict[str, MethodConfig] = {m.name: m for m in (methods or default_methods())}
        self.overlays: set[str] = set()
        self.trajectories: dict[str, Trajectory] = {}
        self.step = 0
        self.selected_method = next(iter(self.methods), "")
        self._retrace()

    # --- function ----------------------------------------------------------------------
    @property
    def function_text(self) -> str:
        return self.objective.text

    def set_function(self, text: str) -> ExpressionError | None:
        """Parse and apply text; on error emit function_error, keep the old function, return it."""
        try:
            objective = objective_from_text(text)
        except ExpressionError as exc:
            self.function_error.emit(exc)
            return exc
        self.set_objective(objective)
        return None

    def set_objective(self, objective: Objective) -> None:
        """Apply an already-built objective (built off the GUI thread, say)."""
        self.objective = objective
        self.function_changed.emit()
        self._retrace()

    # --- view, start, methods ------------------------------------------------------------
    def set_view(self, rect: Rect) -> None:
        if rect != self.rect:
            self.rect = rect
            self.view_changed.emit()

    def set_start(self, point) -> None:
        p = (float(point[0]), float(point[1]))
        if p != self.start:
            self.start = p
            self.start_point_changed.emit()
            self._retrace()

    def set_method(self, config: MethodConfig) -> None:
        if self.methods.get(config.name) != config:
            self.methods[config.name] = config
            self.methods_changed.emit()
            self._retrace()

    def update_method(self, name: str, **changes) -> None:
        self.set_method(replace(self.methods[name], **changes))

    def load(self, function_text: str | None = None, rect: Rect | None = None, start=None,
             learning_rates: dict[str, float] | None = None) -> ExpressionError | None:
        """Apply several changes (a preset) with one retrace; on a bad function change nothing."""
        if function_text is not None and function_text != self.objective.text:
            try:
                objective = objective_from_text(function_text)
            except ExpressionError as exc:
                self.function_error.emit(exc)
                return exc
            self.objective = objective
            self.function_changed.emit()
        if rect is not None:
            self.set_view(rect)
        if start is not None:
            p = (float(start[0]), float(start[1]))
            if p != self.start:
                self.start = p
                self.start_point_changed.emit()
        changed = False
        for name, lr in (learning_rates or {}).items():
            if name in self.methods and self.methods[name].learning_rate != float(lr):
                self.methods[name] = replace(self.methods[name], learning_rate=float(lr))
                changed = True
        if changed:
            self.methods_changed.emit()
        self._retrace()
        return None

    def enabled_methods(self) -> list[MethodConfig]:
        return [m for m in self.methods.values() if m.enabled]

    def _retrace(self) -> None:
        # Playback at the end stays at the end, so new paths are shown whole (the opening
        # screen, a click); playback mid-way keeps its step.
        was_at_end = self.step >= self.last_step
        self.trajectories = {
            m.name: run(self.objective, make_rule(m.name, learning_rate=m.learning_rate), self.start,
                        max_steps=m.max_steps, tol=m.tol)
            for m in self.enabled_methods()
        }
        self.trajectories_changed.emit()
        self.set_step(self.last_step if was_at_end else min(self.step, self.last_step))

    # --- playback ----------------------------------------------------------------------
    @property
    def last_step(self) -> int:
        """The step at which every enabled trajectory has finished."""
        return max((t.steps_taken for t in self.trajectories.values()), default=0)

    def set_step(self, k: int) -> None:
        k = max(0, min(int(k), self.last_step))
        if k != self.step:
            self.step = k
            self.step_changed.emit(k)

    def step_forward(self) -> None:
        self.set_step(self.step + 1)

    def step_back(self) -> None:
        self.set_step(self.step - 1)

    def reset(self) -> None:
        self.set_step(0)

    @property
    def at_end(self) -> bool:
        return self.step >= self.last_step

    def shown_iterates(self, name: str) -> tuple[Iterate, ...]:
        """The iterates of a method visible at the current step (all up to it)."""
        traj = self.trajectories.get(name)
        return () if traj is None else traj.iterates[: self.step + 1]

    def current_iterate(self, name: str) -> Iterate | None:
        shown = self.shown_iterates(name)
        return shown[-1] if shown else None

    def is_finished(self, name: str) -> bool:
        traj = self.trajectories.get(name)
        return traj is not None and self.step >= traj.steps_taken

    # --- overlays and selection ----------------------------------------------------------
    def set_overlay(self, name: str, on: bool) -> None:
        if name not in OVERLAYS:
            raise ValueError(f"unknown overlay {name!r}")
        if (name in self.overlays) != bool(on):
            self.overlays = (self.overlays | {name}) if on else (self.overlays - {name})
            self.overlays_changed.emit()

    def select(self, method: str, k: int | None = None) -> None:
        """Select a method and, optionally, move playback to its iterate k."""
        changed = method != self.selected_method
        self.selected_method = method
        if k is not None:
            self.set_step(k)
        if changed or k is not None:
            self.selection_changed.emit()

    def selected_iterate(self) -> Iterate | None:
        return self.current_iterate(self.selected_method)

    # --- session files -------------------------------------------------------------------
    def to_state(self) -> SessionState:
        """Everything a session file keeps (session_file.SessionState)."""
        return SessionState(self.function_text, self.rect, self.start,
                            tuple(self.methods.values()),
                            tuple(o for o in OVERLAYS if o in self.overlays), self.step,
                            self.selected_method)

    def apply_state(self, state: SessionState) -> ExpressionError | None:
        """Replace everything by a (validated) session file's state with one retrace; on a
        function the parser refuses, change nothing and return the error."""
        try:
            objective = objective_from_text(state.function)
        except ExpressionError as exc:
            self.function_error.emit(exc)
            return exc
        if objective.text != self.objective.text:
            self.objective = objective
            self.function_changed.emit()
        self.set_view(state.view)
        if tuple(state.start) != self.start:
            self.start = (float(state.start[0]), float(state.start[1]))
            self.start_point_changed.emit()
        # Methods the file does not list stay in the panel, switched off.
        methods = {**{n: replace(m, enabled=False) for n, m in self.methods.items()},
                   **{m.name: m for m in state.methods}}
        if methods != self.methods:
            self.methods = methods
            self.methods_changed.emit()
        self._retrace()
        self.set_step(state.step)
        for name in OVERLAYS:
            self.set_overlay(name, name in state.overlays)
        self.select(state.selected_method or next(iter(self.methods), ""))
        return None


def call_now(callback) -> None:
    """The default scheduler of the panels: no waiting (see PlotView.when_settled)."""
    callback()
