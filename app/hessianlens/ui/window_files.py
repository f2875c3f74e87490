"""The File menu's work: open and save sessions, recent files, exports, unsaved changes."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QProgressDialog

from hessianlens.session_file import SUFFIX, SessionFileError, load_session, save_session
from hessianlens.ui import animation, export, theme
from hessianlens.ui.export_dialog import SUFFIXES, ExportDialog, ExportOptions
from hessianlens.ui.session_io import (DirtyTracker, add_recent, read_recent, remove_recent,
                                       session_title, with_suffix)

SESSION_FILTER = f"Hessian Lens sessions (*{SUFFIX})"
Button = QMessageBox.StandardButton
# What writing a picture can raise (a full disk, a size the memory cannot hold, Pillow's
# complaints); reported in the status bar, never raised into Qt's event loop.
EXPORT_ERRORS = (OSError, ValueError, MemoryError)


def _reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


class WindowFiles(QObject):
    """Owns the File menu actions of a MainWindow and the current session file."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.path: str | None = None
        self.tracker = DirtyTracker(window.session, self)
        self.tracker.changed.connect(window.update_title)
        # Offscreen (tests, the export command) nobody could answer the question on quit.
        self.confirm_unsaved = QGuiApplication.platformName() != "offscreen"
        a = self._action
        self.open_action = a("Open session...", "Open a saved session (.hlens.json)",
                             self.open_session, QKeySequence.StandardKey.Open)
        self.save_action = a("Save session", "Save function, view, start point, methods, "
                             "overlays and step", self.save_session, QKeySequence.StandardKey.Save)
        self.save_as_action = a("Save session as...", "Save the session under a new name",
                                self.save_session_as, "Ctrl+Shift+S")
        self.export_image_action = a("Export image...", "Save the plane as shown (overlays, "
                                     "trajectories, legend, colour bars) as PNG or SVG",
                                     self.export_image, "Ctrl+E")
        self.export_trajectories_action = a(
            "Export trajectories...", "Save every method's iterates as CSV or JSON (the schema "
            "of 'hessianlens trace')", self.export_trajectories, "Ctrl+Shift+E")
        self.export_animation_action = a("Export animation...", "Save the step-by-step run as "
                                         "an animated GIF, numbered PNG files or (with ffmpeg) "
                                         "a video, one frame per step",
                                         self.export_animation)
        self.recent_menu = QMenu("Open &Recent", window)
        self.recent_menu.setToolTipsVisible(True)
        self.recent_menu.aboutToShow.connect(self.fill_recent)
        self.fill_recent()

    def _action(self, text, tip, slot, keys=None) -> QAction:
        act = QAction(text, self.window)
        act.setToolTip(tip)
        act.setStatusTip(theme.status_tip(tip))
        if keys is not None:
            act.setShortcut(QKeySequence(keys))
        act.triggered.connect(lambda _=False: slot())
        return act

    def actions(self) -> list[QAction | None]:
        """The File menu in order; None is a separator (the recent menu follows Open)."""
        return [self.open_action, self.recent_menu, self.save_action, self.save_as_action, None,
                self.export_image_action, self.export_trajectories_action,
                self.export_animation_action]

    # --- session files -----------------------------------------------------------------
    @property
    def modified(self) -> bool:
        return self.tracker.dirty

    def _ask_path(self, title: str, name: str, file_filter: str, save: bool) -> str | None:
        ask = QFileDialog.getSaveFileName if save else QFileDialog.getOpenFileName
        path, _ = ask(self.window, title, name, file_filter)
        return path or None

    def open_session(self, path: str | None = None) -> bool:
        """Load a session file; a bad file gets one message and changes nothing."""
        if not self.confirm_discard():
            return False
        path = path or self._ask_path("Open session", "", SESSION_FILTER, save=False)
        if not path:
            return False
        try:
            state = load_session(path)
        except SessionFileError as exc:
            self._refuse(f"Could not open {os.path.basename(path)}: {exc}")
            if not os.path.exists(path):
                remove_recent(self.window.settings, os.path.abspath(path))
            return False
        self.window.playback.set_playing(False)
        refused = []

        def applied(error) -> None:  # once the file's function is built (or refused)
            if error is not None:
                refused.append(error)
                self._refuse(f"Could not open {os.path.basename(path)}: {error.message}")
            else:
                self._set_path(path)
                self.window.show_message(f"Opened {path}")

        self.window.session.apply_state(state, then=applied)
        return not refused

    def _refuse(self, text: str) -> None:
        self.window.show_message(text, 15000)
        if self.confirm_unsaved:
            QMessageBox.warning(self.window, "Open session", text)

    def save_session(self, path: str | None = None) -> bool:
        return self.save_session_as(path or self.path)

    def save_session_as(self, path: str | None = None) -> bool:
        if not path:
            name = self.path or f"{self.window.session_name or 'session'}{SUFFIX}"
            path = self._ask_path("Save session", name, SESSION_FILTER, save=True)
            if not path:
                return False
            path = with_suffix(path)
        try:
            save_session(path, self.window.session.state)
        except (OSError, ValueError) as exc:
            self.window.show_message(f"Could not save {path}: {_reason(exc)}")
            return False
        self._set_path(path)
        self.window.show_message(f"Saved {path}")
        return True

    def _set_path(self, path: str) -> None:
        self.path = os.path.abspath(path)
        add_recent(self.window.settings, self.path)
        self.window.set_session_name(session_title(self.path))
        self.tracker.set_dirty(False)

    def forget_path(self) -> None:
        """A preset replaced the session: it is no longer the file's, and nothing is lost yet."""
        self.path = None
        self.tracker.set_dirty(False)

    def fill_recent(self) -> None:
        self.recent_menu.clear()
        paths = read_recent(self.window.settings)
        for p in paths:
            act = self.recent_menu.addAction(session_title(p))
            act.setToolTip(p)
            act.triggered.connect(lambda _=False, p=p: self.open_session(p))
        self.recent_menu.setEnabled(bool(paths))

    # --- unsaved changes -----------------------------------------------------------------
    def ask_unsaved(self) -> Button:
        return QMessageBox.question(
            self.window, "Unsaved changes", "The session has unsaved changes. Save them?",
            Button.Save | Button.Discard | Button.Cancel, Button.Save)

    def confirm_discard(self) -> bool:
        """True when the current session may be replaced or closed (saved or discarded)."""
        if not (self.modified and self.confirm_unsaved):
            return True
        answer = self.ask_unsaved()
        if answer == Button.Save:
            return self.save_session()
        return answer == Button.Discard

    # --- exports ---------------------------------------------------------------------------
    def _options(self, kind: str, factor: float) -> ExportOptions | None:
        dialog = ExportDialog(kind, export.default_size(self.window.plot_view, factor), self.window)
        return dialog.options() if dialog.exec() else None  # safe: Qt dialog loop

    def _target(self, options: ExportOptions, name: str) -> str | None:
        path = self._ask_path("Export", name + SUFFIXES[options.format], options.file_filter,
                              save=True)
        if path and not Path(path).suffix:
            path += SUFFIXES[options.format]
        return path

    def _show_plane(self):
        """The plane's tab in front: a hidden tab has no up-to-date layout to draw."""
        self.window.tabs.setCurrentWidget(self.window.plot_view)
        return self.window.plot_view

    def export_image(self, path: str | None = None, options: ExportOptions | None = None) -> bool:
        view = self._show_plane()
        options = options or self._options("image", 2.0)
        if options is None:
            return False
        path = path or self._target(options, "hessianlens")
        if not path:
            return False
        try:
            export.save_image(view, path, options.width, options.height, options.light,
                              options.format)
        except EXPORT_ERRORS as exc:
            self.window.show_message(f"Could not save {path}: {_reason(exc)}")
            return False
        self.window.show_message(f"Saved {path} ({options.width} \u00d7 {options.height})")
        return True

    def export_trajectories(self, path: str | None = None) -> bool:
        if not path:
            path = self._ask_path("Export trajectories", "trajectories.json",
                                  "JSON (*.json);;CSV (*.csv)", save=True)
        if not path:
            return False
        try:
            export.save_trajectories(self.window.session, path)
        except EXPORT_ERRORS as exc:
            self.window.show_message(f"Could not save {path}: {_reason(exc)}")
            return False
        self.window.show_message(f"Saved {path}")
        return True

    def export_animation(self, path: str | None = None, options: ExportOptions | None = None,
                         progress=None) -> bool:
        """One frame per playback step; a cancellable progress dialog unless progress is given."""
        options = options or self._options("animation", 1.0)
        if options is None:
            return False
        path = path or self._target(options, "hessianlens")
        if not path:
            return False
        self.window.playback.set_playing(False)
        view = self._show_plane()
        dialog = None
        if progress is None:
            dialog = QProgressDialog("Rendering frames...", "Cancel", 0,
                                     self.window.session.last_step + 1, self.window)
            dialog.setWindowModality(Qt.WindowModality.WindowModal)
            dialog.setMinimumDuration(300)

            def progress(done, total):
                dialog.setValue(done)  # processes events: the Cancel button works
                return not dialog.wasCanceled()
        try:
            n = animation.save_animation(view, path, options.width, options.height,
                                         options.light, progress, options.format,
                                         frame_ms=round(1000 / self.window.playback.speed.value()))
        except animation.ExportCancelled as exc:
            self.window.show_message(f"Export {exc}; no file written")
            return False
        except EXPORT_ERRORS as exc:
            self.window.show_message(f"Could not save {path}: {_reason(exc)}")
            return False
        finally:
            if dialog is not None:
                dialog.close()
        self.window.show_message(f"Saved {path} ({n} frames)")
        return True
