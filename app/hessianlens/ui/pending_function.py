"""The state a session keeps waiting while its new function is built off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields

from hessianlens.model import SessionState


@dataclass
class PendingState:
    """A function text being built and the other fields of the state that change with it
    (dropped one by one as later changes overtake them); then-callbacks to run after."""

    text: str
    changes: dict
    exact_step: bool
    then: list = field(default_factory=list)


def differences(old: SessionState, new: SessionState) -> dict:
    """The fields of new that differ from old, by name."""
    return {f.name: getattr(new, f.name) for f in fields(SessionState)
            if getattr(new, f.name) != getattr(old, f.name)}


class PendingFunction:
    """At most one state waiting for its function: a newer text supersedes it (its build is
    cancelled), the same text joins it; built(objective, error) is called on the GUI thread
    with the waiting state already taken off (see :meth:`take`)."""

    def __init__(self, builder, built: Callable):
        self.builder = builder  # a ui.builds.LatestBuilder
        self._built = built
        self.state: PendingState | None = None

    def request(self, text: str, changes: dict, exact_step: bool, then=None) -> None:
        state = self.state
        if state is not None and state.text == text:  # already being built: join it
            state.changes.update(changes)
            state.exact_step = state.exact_step or exact_step
        else:
            state = self.state = PendingState(text, dict(changes), exact_step)
            self.builder.submit(text, self._built)
        if then is not None:
            state.then.append(then)

    def overtaken(self, changes: dict) -> None:
        """These fields were just applied: the waiting state no longer changes them."""
        if self.state is not None:
            for name in changes:
                self.state.changes.pop(name, None)

    def take(self) -> PendingState | None:
        state, self.state = self.state, None
        return state

    def cancel(self) -> bool:
        """Forget the waiting state and stop its build; True if there was one."""
        if self.state is None:
            return False
        self.state = None
        self.builder.cancel()
        return True
