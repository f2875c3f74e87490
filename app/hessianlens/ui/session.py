"""The window's state: a QObject over the Qt-free model (model.SessionState).

Every change goes through :meth:`Session.apply`: it builds the objective when the function
text changes, compares the old and the new state, announces each difference by its signal,
and re-traces the methods when the function, the start or the methods changed. The views
subscribe to the signals and never talk to each other.

A function text becomes an Objective in one place. A session with a ``builder`` (the
window's) builds it off the GUI thread (hessianlens.ui.builds, a worker process with a time
limit) and applies the state only once its objective is ready: meanwhile the old function
stays, other changes apply at once, a newer text supersedes the older one and a refused text
is reported by function_error. Without a builder (the command line, tests) ``build_function``
builds it at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from hessianlens.engine.errors import ExpressionError
from hessianlens.engine.fields import Rect
from hessianlens.engine.rules import make_rule
from hessianlens.engine.trajectory import Iterate, Trajectory, run
from hessianlens.model import (MethodConfig, OneStepState, SessionState, default_methods,
                               keep_unlisted, preset_methods)
from hessianlens.overlay_specs import OVERLAYS
from hessianlens.ui.builds import build_in_process
from hessianlens.ui.pending_function import PendingFunction, differences

if TYPE_CHECKING:
    from hessianlens.engine.objective import Objective
    from hessianlens.ui.builds import LatestBuilder

BuildFunction = Callable[[str], "Objective"]  # text -> Objective, or raises ExpressionError
Then = Callable[[ExpressionError | None], None]  # after a state is applied (None) or refused


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
    sweep_changed = Signal()  # the Sweep dock's settings
    building_changed = Signal(bool)  # a function text is being built (True) or no longer
    build_dropped = Signal()  # a text being built was given up (its state never applied)
    # At most this long to trace the methods after a change (None: no limit; the window's
    # bound on how long a click can keep it from answering), else runs end as time_limit.
    trace_seconds: float | None = None

    def __init__(self, function_text: str, rect: Rect, start: tuple[float, float],
                 methods=None, parent: QObject | None = None,
                 build_function: BuildFunction | None = None,
                 builder: LatestBuilder | None = None):
        methods = tuple(methods or default_methods())
        state = SessionState(function_text, rect, start, methods,
                             selected_method=methods[0].name if methods else "")
        self._init(state, parent, build_function, builder, at_end=True)  # paths shown whole

    @classmethod
    def from_state(cls, state: SessionState, parent: QObject | None = None,
                   build_function: BuildFunction | None = None,
                   builder: LatestBuilder | None = None) -> Session:
        """A session on a (validated) state. Without a builder its function is built at once
        (ExpressionError if it does not build); with one, in the background."""
        self = cls.__new__(cls)
        self._init(state, parent, build_function, builder)
        return self

    def _init(self, state: SessionState, parent, build_function, builder,
              at_end=False) -> None:
        super().__init__(parent)
        self.build_function: BuildFunction = build_function or build_in_process
        self._pending = PendingFunction(builder, self._built) if builder is not None else None
        self._methods = {m.name: m for m in state.methods}
        self.trajectories: dict[str, Trajectory] = {}
        if builder is not None:
            builder.setParent(self)
            # Until the first objective arrives the session has its state but no function.
            self.objective: Objective | None = None
            self._state = replace(state, step=0)
            self._request(state.function, {} if at_end else {"step": state.step},
                          exact_step=not at_end)
            return
        self.objective = self.build_function(state.function)
        self._state = replace(state, function=self.objective.text, step=0)
        self._retrace()
        self._state = replace(self._state, step=self.last_step if at_end
                              else self._clamp(state.step))

    # --- the one update path -------------------------------------------------------------
    @property
    def state(self) -> SessionState:
        """Everything a session file keeps (model.SessionState), as it is now."""
        return self._state

    def apply(self, state: SessionState, objective: Objective | None = None,
              exact_step: bool = False, then: Then | None = None) -> ExpressionError | None:
        """Make ``state`` the session's state and announce every difference.

        A new function text is built first. Without a builder: if it is refused, function_error
        is emitted, nothing changes and the error is returned. With one, the state waits for
        the build (None is returned); then(error or None) runs once it is applied or refused
        (not if a newer text supersedes it). With ``exact_step`` the step is the state's
        (clamped), else an unchanged step follows the new trajectories (the end stays the end).
        """
        old = self._state
        if objective is None and state.function != old.function:
            if self._pending is not None:
                self._request(state.function, differences(old, state), exact_step, then)
                return None
            try:
                objective = self.build_function(state.function)
            except ExpressionError as exc:
                self.function_error.emit(exc)
                if then is not None:
                    then(exc)
                return exc
        if objective is not None:
            self._drop_pending()  # an objective in hand wins over any build still running
        elif self._pending is not None:  # these changes overtake the waiting state's
            self._pending.overtaken(differences(old, state))
        self._apply_now(state, objective, exact_step)
        if then is not None:
            then(None)
        return None

    def _apply_now(self, state: SessionState, objective: Objective | None,
                   exact_step: bool) -> None:
        old = self._state
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
        for signal, part in ((self.onestep_changed, "onestep"), (self.sweep_changed, "sweep")):
            if getattr(state, part) != getattr(old, part):
                signal.emit()
        if new_function or state.start != old.start or state.methods != old.methods:
            self._retrace()
        step = (self.last_step if was_at_end else self._clamp(old.step)) if follow \
            else self._clamp(state.step)
        self._state = replace(self._state, step=step)
        if step != old.step:
            self.step_changed.emit(step)
        if state.selected_method != old.selected_method:
            self.selection_changed.emit()

    # --- building a function off the GUI thread --------------------------------------------
    def _request(self, text: str, changes: dict, exact_step: bool, then=None) -> None:
        self._pending.request(text, changes, exact_step, then)
        self.building_changed.emit(True)

    def _built(self, objective: Objective | None, error: ExpressionError | None) -> None:
        pending = self._pending.take()
        if pending is None:
            return
        self.building_changed.emit(False)
        if error is not None:
            self.function_error.emit(error)
            if self.objective is None and pending.text != self._state.function:
                # No function yet: go back to building the one the session started with.
                self._request(self._state.function, {}, False)
        else:
            changes = {k: v for k, v in pending.changes.items() if k != "function"}
            self._apply_now(replace(self._state, **changes), objective, pending.exact_step)
        for then in pending.then:
            then(error)

    def _drop_pending(self) -> None:
        if self._pending is not None and self._pending.cancel():
            self.building_changed.emit(False)
            self.build_dropped.emit()

    def pending_function(self) -> bool:
        """True while a function text is being built (its state waits for it)."""
        return self._pending is not None and self._pending.state is not None

    @property
    def requested_function(self) -> str:
        """The text being built, or else the current function's."""
        return self._pending.state.text if self.pending_function() else self.function_text

    def shutdown(self) -> None:
        """Stop a running build (the window is closing)."""
        self._drop_pending()

    def update(self, **changes) -> ExpressionError | None:
        """apply() with some fields of the state changed."""
        return self.apply(replace(self._state, **changes))

    def _retrace(self) -> None:
        methods = self.enabled_methods()  # trace_seconds shared out among them
        seconds = self.trace_seconds and self.trace_seconds / max(len(methods), 1)
        self.trajectories = {} if self.objective is None else {
            m.name: run(self.objective, make_rule(m.name, **m.params), self.start,
                        max_steps=m.max_steps, tol=m.tol, seconds=seconds) for m in methods}
        self.trajectories_changed.emit()

    def _clamp(self, k: int) -> int:
        return max(0, min(int(k), self.last_step))

    # --- reading the state -----------------------------------------------------------------
    @property
    def function_text(self) -> str:
        """The current function's text (before the first objective: the text being built)."""
        return self.objective.text if self.objective is not None else self._state.function

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
    def set_function(self, text: str, then: Then | None = None) -> ExpressionError | None:
        """Build and apply text; on error emit function_error, keep the old function (and
        return the error when building at once). The current function's own text stops a
        build that is still running."""
        if text == self._state.function and self.objective is not None:
            self._drop_pending()
            if then is not None:
                then(None)
            return None
        return self.apply(replace(self._state, function=text), then=then)

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
             params: dict[str, dict] | None = None, enabled=None,
             view_options: dict | None = None,
             then: Then | None = None) -> ExpressionError | None:
        """Apply several changes (a preset) at once; on a bad function change nothing.
        learning_rates, params, enabled and view_options as in model.preset_methods."""
        s = self._state
        if function_text == s.function and self.objective is not None:
            self._drop_pending()  # the current function, asked for: no other may follow
        return self.apply(replace(
            preset_methods(s, learning_rates, params, enabled, view_options),
            function=s.function if function_text is None else function_text,
            view=rect or s.view, start=s.start if start is None else tuple(start)), then=then)

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
    def apply_state(self, state: SessionState,
                    then: Then | None = None) -> ExpressionError | None:
        """Replace everything by a (validated) session file's state; on a function the parser
        refuses, change nothing and return the error. Methods the file does not list stay in
        the panel, switched off."""
        if state.function == self._state.function and self.objective is not None:
            self._drop_pending()
        return self.apply(keep_unlisted(state, self._state.methods), exact_step=True, then=then)
