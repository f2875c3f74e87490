"""Sessions in the window: the one it opens with, the recent-files list and the
unsaved-changes flag."""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, QSettings, Signal

from hessianlens.engine.errors import ExpressionError
from hessianlens.model import SessionState, default_methods
from hessianlens.session_file import SUFFIX
from hessianlens.ui import settings as stored
from hessianlens.ui.builds import LatestBuilder
from hessianlens.ui.presets import default_preset
from hessianlens.ui.session import Session

RECENT_KEY = "recent_sessions"
MAX_RECENT = 8


def default_state() -> SessionState:
    """The write-up's Example 3, as the window opens the first time."""
    p = default_preset()
    methods = default_methods()
    return SessionState(p.function, p.rect, p.start, methods,
                        selected_method=methods[0].name if methods else "")


def session_from_settings(s: QSettings, builder: LatestBuilder | None = None) -> Session:
    """The remembered state where it is valid, the write-up's Example 3 elsewhere. With a
    builder the function is built in the background (see open_default_if_refused
    for a remembered one that no longer builds)."""
    state = stored.read_state(s)
    if state is not None:
        try:
            return Session.from_state(state, builder=builder)
        except ExpressionError:  # remembered by a version whose parser was more lenient
            pass
    p = default_preset()
    session = Session(p.function, p.rect, p.start, default_methods(), builder=builder)
    session.load(params=p.method_params(), enabled=p.methods or None,
                 view_options=p.view_options,
                 then=lambda error: error is None and session.set_step(session.last_step))
    return session


def open_default_if_refused(session: Session, error: ExpressionError) -> None:
    """A remembered function that no longer builds: open on the default instead."""
    if session.objective is None and not session.pending_function() and \
            error.text == session.state.function:
        session.apply_state(default_state())


def with_suffix(path: str) -> str:
    """'talk' -> 'talk.hlens.json'; a name that already ends so is kept."""
    return path if path.lower().endswith(SUFFIX) else path + SUFFIX


def session_title(path: str) -> str:
    """The name shown in the title bar: the file name without .hlens.json."""
    name = os.path.basename(path)
    return name[: -len(SUFFIX)] if name.lower().endswith(SUFFIX) else name


def read_recent(s: QSettings) -> list[str]:
    value = s.value(RECENT_KEY)
    if isinstance(value, str):  # QSettings hands back a one-element list as a plain string
        value = [value]
    if not isinstance(value, (list, tuple)):
        return []
    return [v for v in value if isinstance(v, str) and v][:MAX_RECENT]


def add_recent(s: QSettings, path: str) -> list[str]:
    """Put path first (once) and keep the newest MAX_RECENT; returns the new list."""
    path = os.path.abspath(path)
    paths = [path, *(p for p in read_recent(s) if p != path)][:MAX_RECENT]
    s.setValue(RECENT_KEY, paths)
    s.sync()
    return paths


def remove_recent(s: QSettings, path: str) -> list[str]:
    paths = [p for p in read_recent(s) if p != path]
    s.setValue(RECENT_KEY, paths)
    s.sync()
    return paths


class DirtyTracker(QObject):
    """Unsaved changes: the function, start point, methods, overlays, view options, the 1D
    page or the sweep's settings changed since the last save or open. Playback position, selection and the view are
    saved too but are not work to lose: panning and zooming are looking, and the view also
    changes by itself (equal aspect widens it to the plot's shape at start-up and on every
    resize), which would ask "save changes?" of a user who changed nothing."""

    changed = Signal(bool)

    def __init__(self, session: Session, parent: QObject | None = None):
        super().__init__(parent)
        self.dirty = False
        # The first function of a window that builds in the background is not a change.
        self._had_function = session.objective is not None
        session.function_changed.connect(self._function_changed)
        for signal in (session.start_point_changed, session.methods_changed,
                       session.overlays_changed, session.options_changed,
                       session.onestep_changed, session.sweep_changed):
            signal.connect(self.mark)

    def mark(self, *_args) -> None:
        self.set_dirty(True)

    def _function_changed(self) -> None:
        if self._had_function:
            self.mark()
        self._had_function = True

    def set_dirty(self, dirty: bool) -> None:
        if dirty != self.dirty:
            self.dirty = dirty
            self.changed.emit(dirty)
