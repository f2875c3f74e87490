"""Session files in the window: the recent-files list and the unsaved-changes flag."""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, QSettings, Signal

from hessianlens.session_file import SUFFIX
from hessianlens.ui.session import Session

RECENT_KEY = "recent_sessions"
MAX_RECENT = 8


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
    """Unsaved changes: the function, start point, methods, overlays, view options or the 1D
    page changed since the last save or open. Playback position, selection and the view are
    saved too but are not work to lose: panning and zooming are looking, and the view also
    changes by itself (equal aspect widens it to the plot's shape at start-up and on every
    resize), which would ask "save changes?" of a user who changed nothing."""

    changed = Signal(bool)

    def __init__(self, session: Session, parent: QObject | None = None):
        super().__init__(parent)
        self.dirty = False
        for signal in (session.function_changed, session.start_point_changed,
                       session.methods_changed,
                       session.overlays_changed, session.options_changed,
                       session.onestep_changed):
            signal.connect(self.mark)

    def mark(self, *_args) -> None:
        self.set_dirty(True)

    def set_dirty(self, dirty: bool) -> None:
        if dirty != self.dirty:
            self.dirty = dirty
            self.changed.emit(dirty)
