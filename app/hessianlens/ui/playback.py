"""Step-by-step animation: Step back, Step, Play/Pause, Reset and a speed, in lock step."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QSpinBox, QStyle, QWidget

from hessianlens.ui.session import Session
from hessianlens.ui.steady_label import SteadyLabel


class Playback(QObject):
    """Actions that move the session's lock-step index; Play advances on a timer.

    Each step is due at start + n / speed, and the timer is set for the next one when a step
    has been taken: at 60 steps/s a fixed interval of round(1000/60) = 17 ms gave 58.8 steps/s.
    A step that comes late does not make the next ones hurry: the schedule starts again from
    it, so every step is still shown.
    """

    def __init__(self, session: Session, parent: QWidget):
        super().__init__(parent)
        self.session = session
        style = parent.style()

        def action(text, icon, keys, tip, slot, checkable=False):
            a = QAction(style.standardIcon(icon), text, parent)
            a.setShortcut(QKeySequence(keys))
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            a.setToolTip(f"{tip} ({QKeySequence(keys).toString()})")
            a.setCheckable(checkable)
            (a.toggled if checkable else a.triggered).connect(slot)
            return a

        SP = QStyle.StandardPixmap
        self.reset_action = action("Reset", SP.SP_MediaSkipBackward, "Home",
                                   "Back to the start point", self.reset)
        self.back_action = action("Step back", SP.SP_MediaSeekBackward, "Left",
                                  "Undo the last step of every method", self.step_back)
        self.play_action = action("Play", SP.SP_MediaPlay, "Space",
                                  "Play or pause the animation of every enabled method",
                                  self.set_playing, checkable=True)
        self.step_action = action("Step", SP.SP_MediaSeekForward, "Right",
                                  "One step of every enabled method", self.step)
        self.speed = QSpinBox()
        self.speed.setRange(1, 60)
        self.speed.setValue(4)
        self.speed.setSuffix(" steps/s")
        self.speed.setToolTip("Animation speed")
        self.speed.valueChanged.connect(self._speed_changed)
        self.counter = QLabel()
        self.counter.setToolTip("Current step / steps until every method has finished")
        # The counter's place in a toolbar: its new text on every step made the toolbar, and
        # with it the whole main window, lay itself out again (see steady_label).
        self.counter_widget = SteadyLabel(self.counter)
        self.timer = QTimer(self, singleShot=True)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        self._playing = False
        self._period_s = 1.0
        self._due = 0.0  # when the next step is due (time.monotonic)
        self._shown_playing = None  # what the Play action shows (Play or Pause)
        self._speed_changed(self.speed.value())
        session.step_changed.connect(self._update)
        session.trajectories_changed.connect(self._update)
        self._update()

    @property
    def actions(self) -> list[QAction]:
        return [self.reset_action, self.back_action, self.play_action, self.step_action]

    @property
    def playing(self) -> bool:
        return self._playing

    def step(self) -> None:
        self.set_playing(False)
        self.session.step_forward()

    def step_back(self) -> None:
        self.set_playing(False)
        self.session.step_back()

    def reset(self) -> None:
        self.set_playing(False)
        self.session.reset()

    def set_playing(self, on: bool) -> None:
        if on and not self._playing:
            if self.session.at_end:
                self.session.reset()  # Play at the end replays from the start
            self._playing = True
            self._due = time.monotonic()
            self._schedule()
        elif not on:
            self._playing = False
            self.timer.stop()
        if self.play_action.isChecked() != bool(on):
            self.play_action.setChecked(bool(on))  # re-enters with the same value: no-op
        self._update()

    def toggle(self) -> None:
        self.set_playing(not self.playing)

    def _schedule(self) -> None:
        now = time.monotonic()
        self._due = max(self._due + self._period_s, now)  # late: from now, no catching up
        self.timer.start(max(0, round((self._due - now) * 1000)))

    def _tick(self) -> None:
        if not self._playing:
            return
        if self.session.at_end:
            self.set_playing(False)
            return
        self.session.step_forward()
        if self.session.at_end:
            self.set_playing(False)
        elif self._playing:
            self._schedule()

    def _speed_changed(self, steps_per_second: int) -> None:
        self._period_s = 1.0 / max(1, steps_per_second)

    def _update(self, *_args) -> None:
        s = self.session
        playing = self.playing
        if playing != self._shown_playing:  # a new icon every step cost 0.2 ms a frame
            self._shown_playing = playing
            self.play_action.setText("Pause" if playing else "Play")
            self.play_action.setIcon(self.parent().style().standardIcon(
                QStyle.StandardPixmap.SP_MediaPause if playing
                else QStyle.StandardPixmap.SP_MediaPlay))
        self.back_action.setEnabled(s.step > 0)
        self.reset_action.setEnabled(s.step > 0)
        self.step_action.setEnabled(not s.at_end)
        self.counter_widget.set_text(f" step {s.step} / {s.last_step} ")
