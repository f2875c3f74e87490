"""The window's state: a QObject over the Qt-free model (model.SessionState).

Every change goes through :meth:`Session.apply`: it builds the objective when the function
text changes (through the one ``build_function`` the session was given), compares the old and
the new state, announces each difference by its signal, and re-traces the methods when the
function, the start or the methods changed. The views subscribe to the signals and never
talk to each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from hessianlens.engine.expression import ExpressionError
from hessianlens.engine.fields import Rect
from hessianlens.engine.objective import Objective, objective_from_text
from hessianlens.engine.rules import make_rule
from hessianlens.engine.trajectory import Iterate, Trajectory, run
from hessianlens.model import MethodConfig, OneStepState, SessionState, default_methods
from hessianlens.overlay_specs import OVERLAYS

BuildFunction = Callable[[str], Objective]  # text -> Objective, or raises ExpressionError


class Session(QObject):
    """Current state of the window; every change is announced by a signal."""

    function_changed = Signal()  # a new valid function (objective) is in place
    function_error = Signal(object)  # ExpressionError for rejected text; the old function stays
    view_changed = Signal()  # rect changed
    start_point_changed = Signal()
    methods_changed = Signal()
    trajectories_changed = Signal()  # new trajectories (function, start or methods changed)
    step_changed = Signal(int)  # the lock-step playback index
    overlays_changed = Signal()  # an overlay switched on or off, or its settings changed
    selection_changed = Signal()  # the selected method or iterate changed
    options_changed = Signal()  # view options (equal aspect, log colour scale)
    onestep_changed = Signal()  # the one-step page's state

    def __init__(self, function_text: str, rect: Rect, start: tuple[float, float],
                 methods=None, parent: QObject | None = None,
                 build_function: BuildFunction | None = None):
        methods = tuple(methods or default_methods())
        state = SessionState(function_text, rect, start, methods,
                             selected_method=methods[0].name if methods else "")
        self._init(state, parent, build_function, at_end=True)  # the paths shown whole

    @classmethod
    def from_state(cls, state: SessionState, parent: QObject | None = None,
                   build_function: BuildFunction | None = None) -> Session:
        """A session on a (validated) state; ExpressionError if its function does not build."""
        self = cls.__new__(cls)
        self._init(state, parent, build_function)
        return self

    def _init(self, state: SessionState, parent, build_function, at_end=False) -> None:
        super().__init__(parent)
        # The one place a function text becomes an Objective (a later version builds it
        # off the GUI thread, with a time limit: it swaps this function).
        self.build_function: BuildFunction = build_function or objective_from_text
        self.objective: Objective = self.build_function(state.function)
        self._state = replace(state, function=self.objective.text, step=0)
        self._methods = {m.name: m for m in state.methods}
        self.trajectories: dict[str, Trajectory] = {}
        self._retrace()
        self._state = replace(self._state, step=self.last_step if at_end
                              else self._clamp(state.step))

    # --- the one update path -------------------------------------------------------------
    @property
    def state(self) -> SessionState:
        """Everything a session file keeps (model.SessionState), as it is now."""
        return self._state

    def apply(self, state: SessionState, objective: Objective | None = None,
              exact_step: bool = False) -> ExpressionError | None:
        """Make ``state`` the session's state and announce every difference.

        A new function text is built first; if it is refused, function_error is emitted,
        nothing changes and the error is returned. With ``exact_step`` the step is the
        state's (clamped to the trajectories); otherwise a step left unchanged follows the
        new trajectories: at the end it stays at the end, mid-way it is kept.
        """
        old = self._state
        if objective is None and state.function != old.function:
            try:
                objective = self.build_function(state.function)
            except ExpressionError as exc:
                self.function_error.emit(exc)
                return exc
        new_function = objective is not None
        if new_function:
            self.objective = objective
            state = replace(state, function=objective.text)
        was_at_end = old.step >= self.last_step
        follow = not exact_step and state.step == old.step
        self._state = state
        self._methods = {m.name: m for m in state.methods}
        if new_function:
            self.function_changed.emit()
        if state.view != old.view:
            self.view_changed.emit()
        if state.start != old.start:
            self.start_point_changed.emit()
        if state.methods != old.methods:
            self.methods_changed.emit()
        if (state.overlays, state.overlay_settings) != (old.overlays, old.overlay_settings):
            self.overlays_changed.emit()
        if (state.equal_aspect, state.log_colour) != (old.equal_aspect, old.log_colour):
            self.options_changed.emit()
        if state.onestep != old.onestep:
            self.onestep_changed.emit()
        if new_function or state.start != old.start or state.methods != old.methods:
            self._retrace()
        step = (self.last_step if was_at_end else self._clamp(old.step)) if follow \
            else self._clamp(state.step)
        self._state = replace(self._state, step=step)
        if step != old.step:
            self.step_changed.emit(step)
        if state.selected_method != old.selected_method:
            self.selection_changed.emit()
        return None

    def update(self, **changes) -> ExpressionError | None:
        """apply() with some fields of the state changed."""
        return self.apply(replace(self._state, **changes))

    def _retrace(self) -> None:
        self.trajectories = {
            m.name: run(self.objective, make_rule(m.name, **m.params), self.start,
                        max_steps=m.max_steps, tol=m.tol)
            for m in self.enabled_methods()
        }
        self.trajectories_changed.emit()

    def _clamp(self, k: int) -> int:
        return max(0, min(int(k), self.last_step))

    # --- reading the state -----------------------------------------------------------------
    @property
    def function_text(self) -> str:
        return self.objective.text

    @property
    def rect(self) -> Rect:
        return self._state.view

    @property
    def start(self) -> tuple[float, float]:
        return self._state.start

    @property
    def methods(self) -> dict[str, MethodConfig]:
        """name -> MethodConfig, in panel order (a copy: change methods with set_method)."""
        return dict(self._methods)

    @property
    def overlays(self) -> frozenset[str]:
        return frozenset(self._state.overlays)

    def overlay_settings(self, name: str) -> dict:
        return self._state.settings_of(name)

    @property
    def step(self) -> int:
        return self._state.step

    @property
    def selected_method(self) -> str:
        return self._state.selected_method

    @property
    def equal_aspect(self) -> bool:
        return self._state.equal_aspect

    @property
    def log_colour(self) -> bool:
        return self._state.log_colour

    @property
    def onestep(self) -> OneStepState:
        return self._state.onestep

    def enabled_methods(self) -> list[MethodConfig]:
        return [m for m in self._state.methods if m.enabled]

    # --- function, view, start, methods --------------------------------------------------
    def set_function(self, text: str) -> ExpressionError | None:
        """Parse and apply text; on error emit function_error, keep the old function, return it."""
        return self.update(function=text)

    def set_objective(self, objective: Objective) -> None:
        """Apply an already-built objective (built off the GUI thread, say)."""
        self.apply(replace(self._state, function=objective.text), objective=objective)

    def set_view(self, rect: Rect) -> None:
        self.update(view=rect)

    def set_start(self, point) -> None:
        self.update(start=(float(point[0]), float(point[1])))

    def set_method(self, config: MethodConfig) -> None:
        self.update(methods=tuple(config if m.name == config.name else m
                                  for m in self._state.methods))

    def update_method(self, name: str, **changes) -> None:
        """Change a method's fields or parameters: update_method("gd", learning_rate=0.1)."""
        self.set_method(self._methods[name].changed(**changes))

    def load(self, function_text: str | None = None, rect: Rect | None = None, start=None,
             learning_rates: dict[str, float] | None = None,
             params: dict[str, dict] | None = None,
             enabled=None, view_options: dict | None = None) -> ExpressionError | None:
        """Apply several changes (a preset) at once; on a bad function change nothing.

        ``params`` maps a method to parameter changes (``learning_rates`` to its learning
        rate); ``enabled``, when given, names the methods switched on (the others go off, and
        the first named is selected if the selected one went off); ``view_options``:
        equal_aspect and log_colour, if given.
        """
        s = self._state
        changes = {m: {"learning_rate": float(lr)} for m, lr in (learning_rates or {}).items()}
        for m, values in (params or {}).items():
            changes[m] = {**changes.get(m, {}), **values}
        on = None if enabled is None else [str(m) for m in enabled]
        methods = tuple(m.changed(**changes.get(m.name, {}),
                                  **({} if on is None else {"enabled": m.name in on}))
                        for m in s.methods)
        selected = s.selected_method
        if on and selected not in on and on[0] in self._methods:
            selected = on[0]
        options = {k: bool(v) for k, v in (view_options or {}).items()
                   if k in ("equal_aspect", "log_colour")}
        return self.apply(replace(
            s, function=s.function if function_text is None else function_text,
            view=rect or s.view, start=s.start if start is None else tuple(start),
            methods=methods, selected_method=selected, **options))

    # --- playback ----------------------------------------------------------------------
    @property
    def last_step(self) -> int:
        """The step at which every enabled trajectory has finished."""
        return max((t.steps_taken for t in self.trajectories.values()), default=0)

    def set_step(self, k: int) -> None:
        self.apply(replace(self._state, step=self._clamp(k)), exact_step=True)

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

    # --- overlays, options, selection ------------------------------------------------------
    def set_overlay(self, name: str, on: bool) -> None:
        if name not in OVERLAYS:
            raise ValueError(f"unknown overlay {name!r}")
        on_now = set(self._state.overlays)
        self.update(overlays=tuple(on_now | {name} if on else on_now - {name}))

    def configure_overlay(self, name: str, **changes) -> None:
        """Change an overlay's settings (ValueError for an unknown or invalid one)."""
        settings = {**self._state.overlay_settings, name: {**self.overlay_settings(name),
                                                            **changes}}
        self.update(overlay_settings=settings)

    def set_equal_aspect(self, on: bool) -> None:
        self.update(equal_aspect=bool(on))

    def set_log_colour(self, on: bool) -> None:
        self.update(log_colour=bool(on))

    def set_onestep(self, onestep: OneStepState) -> None:
        self.update(onestep=onestep)

    def select(self, method: str, k: int | None = None) -> None:
        """Select a method and, optionally, move playback to its iterate k."""
        same = method == self.selected_method
        step = self.step if k is None else self._clamp(k)
        self.apply(replace(self._state, selected_method=method, step=step), exact_step=True)
        if same and k is not None:
            self.selection_changed.emit()

    def selected_iterate(self) -> Iterate | None:
        return self.current_iterate(self.selected_method)

    # --- session files -------------------------------------------------------------------
    def to_state(self) -> SessionState:
        """Everything a session file keeps."""
        return self._state

    def apply_state(self, state: SessionState) -> ExpressionError | None:
        """Replace everything by a (validated) session file's state; on a function the parser
        refuses, change nothing and return the error. Methods the file does not list stay in
        the panel, switched off."""
        listed = {m.name: m for m in state.methods}
        methods = tuple(listed.pop(m.name, replace(m, enabled=False))
                        for m in self._state.methods) + tuple(listed.values())
        selected = state.selected_method or (methods[0].name if methods else "")
        return self.apply(replace(state, methods=methods, selected_method=selected),
                          exact_step=True)


def call_now(callback) -> None:
    """The default scheduler of the panels: no waiting (see RepaintGate.when_settled)."""
    callback()
