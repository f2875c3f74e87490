"""The plane first, then the panels: hold a widget's repaint while new fields compute, and run
the panels' refreshes once it has painted them."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

# While a new function's fields are being computed the plane keeps its last picture (old
# paths on old fields) instead of repainting new paths over old fields; if the fields take
# longer than this, the new paths are shown anyway. Callbacks that asked to wait (see
# RepaintGate.when_settled) run after the plane has painted, or after this long at most.
HOLD_REPAINT_MS = 250


class PaintSpy(QObject):
    """Calls back when the watched widget is about to paint."""

    def __init__(self, callback, parent: QObject):
        super().__init__(parent)
        self.callback = callback

    def eventFilter(self, _obj, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Paint:
            self.callback()
        return False


class RepaintGate(QObject):
    """Holds ``widget``'s repaint (hold/release) and defers callbacks until it painted."""

    def __init__(self, widget: QWidget, painted: QWidget | None = None,
                 hold_ms: int = HOLD_REPAINT_MS, parent: QObject | None = None):
        super().__init__(parent)
        self.widget = widget
        self._deferred: dict = {}  # callbacks waiting for the paint (ordered, no repeats)
        self._hold_timer = QTimer(self, singleShot=True, interval=hold_ms)
        self._hold_timer.timeout.connect(self.release)
        self._flush_timer = QTimer(self, singleShot=True, interval=hold_ms)
        self._flush_timer.timeout.connect(self._flush)
        self._spy = PaintSpy(self._painted, self)
        (painted or widget).installEventFilter(self._spy)

    def hold(self) -> None:
        """Keep the last picture until release() (or HOLD_REPAINT_MS at most)."""
        if not self.held():
            self.widget.setUpdatesEnabled(False)  # no frame of new paths on old fields
            self._hold_timer.start()

    def release(self, *_args) -> None:
        self._hold_timer.stop()
        if self.held():
            self.widget.setUpdatesEnabled(True)  # schedules a full repaint
        if self._deferred:
            self._flush_timer.start()  # at the latest; normally the paint comes first

    def held(self) -> bool:
        """True while the widget keeps its last picture."""
        return not self.widget.updatesEnabled()

    def when_settled(self, callback) -> None:
        """Call back now, or, while the repaint is held, once the widget has painted: the
        plane first, then the panels (the derivatives, the inspector, the convergence
        plot), so that they do not slow the field job down meanwhile."""
        if self.held() or self._flush_timer.isActive():
            self._deferred[callback] = None
        else:
            callback()

    def pending(self) -> bool:
        """True while callbacks wait for the paint."""
        return bool(self._deferred)

    def _painted(self) -> None:
        if self._deferred and not self.held():
            QTimer.singleShot(0, self._flush)  # once this paint is done

    def _flush(self) -> None:
        self._flush_timer.stop()
        callbacks, self._deferred = list(self._deferred), {}
        for callback in callbacks:
            callback()


def call_now(callback) -> None:
    """The default scheduler of the panels: no waiting (see RepaintGate.when_settled)."""
    callback()
