"""The function editor: multi-line text, applied on Ctrl+Enter or after a pause in typing."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QColor, QFontDatabase, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (QFrame, QLabel, QPlainTextEdit, QScrollArea, QTextEdit,
                               QVBoxLayout, QWidget)

from hessianlens.engine.errors import ExpressionError
from hessianlens.ui.repaint_gate import call_now
from hessianlens.ui.session import Session

PAUSE_MS = 700  # apply after this long without typing


def derivatives_text(objective) -> str:
    """The symbolic gradient and Hessian, one entry a line."""
    gx, gy = objective.gradient_text
    (hxx, hxy), (_, hyy) = objective.hessian_text
    return (f"df/dx = {gx}\ndf/dy = {gy}\n"
            f"d2f/dx2 = {hxx}\nd2f/dxdy = {hxy}\nd2f/dy2 = {hyy}")


class FunctionEditor(QWidget):
    """Edits the session's function; invalid text is underlined and explained, and the
    session keeps the last valid function meanwhile."""

    def __init__(self, session: Session, parent: QWidget | None = None, defer=call_now):
        super().__init__(parent)
        self.session = session
        self._defer = defer  # when to show a new function's derivatives
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.edit = QPlainTextEdit(session.function_text)
        self.edit.setFont(mono)
        self.edit.setTabChangesFocus(True)
        self.edit.setToolTip("f(x, y): x and y (or x0, x1, x[0], x[1]), + - * / **, sin, cos, "
                             "exp, log, sqrt, abs, pi, e...\nApplied after a pause in typing or "
                             "on Ctrl+Enter.")
        self.edit.setMaximumHeight(90)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        self.error.setToolTip("Why the text is not a function; the plot keeps the last valid one")
        self.error.hide()
        self.derivatives = QLabel()
        self.derivatives.setFont(mono)
        self.derivatives.setWordWrap(True)
        self.derivatives.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.derivatives.setToolTip("The exact gradient and Hessian of f (sympy)")
        # The derivatives scroll: long ones (Beale's) would be cut off at the dock's foot.
        derivatives = QScrollArea()
        derivatives.setWidgetResizable(True)
        derivatives.setFrameShape(QFrame.Shape.NoFrame)
        derivatives.setWidget(self.derivatives)
        self.derivatives.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout = QVBoxLayout(self)
        layout.addWidget(self.edit)
        layout.addWidget(self.error)
        layout.addWidget(derivatives, 1)

        self.timer = QTimer(self, singleShot=True, interval=PAUSE_MS)
        self.timer.timeout.connect(self.apply)
        self.edit.textChanged.connect(self._typed)
        self.edit.installEventFilter(self)  # Ctrl+Enter applies instead of breaking the line
        session.function_changed.connect(self._function_changed)
        session.function_error.connect(self._show_error)
        session.build_dropped.connect(self._superseded)
        self._function_changed()

    def eventFilter(self, obj, event) -> bool:
        if (obj is self.edit and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self.apply()
            return True
        return super().eventFilter(obj, event)

    def text(self) -> str:
        return self.edit.toPlainText()

    def set_text(self, text: str) -> None:
        """Replace the text and apply it at once."""
        self.edit.setPlainText(text)
        self.apply()

    def _typed(self) -> None:
        self.timer.start()

    def apply(self) -> None:
        self.timer.stop()
        text = self.text()
        if text.strip() == self.session.requested_function.strip():
            self._clear_error()
            return
        if text.strip() == self.session.function_text.strip():
            text = self.session.function_text  # typed back: stops the newer text's build
        self.session.set_function(text)

    def _function_changed(self) -> None:
        self._show_function()
        self._clear_error()
        self._defer(self._show_derivatives)

    def _show_derivatives(self) -> None:
        if self.session.objective is not None:
            self.derivatives.setText(derivatives_text(self.session.objective))

    def _clear_error(self) -> None:
        self.error.hide()
        self.error.clear()
        self.edit.setExtraSelections([])

    def _show_error(self, exc: ExpressionError) -> None:
        if exc.text and exc.text != self.text():
            self._superseded()  # about another text: the user's since, a preset's, a file's
            return
        self.error.setText(f"line {exc.line}, column {exc.column}: {exc.message}\n"
                           "(the plot keeps the last valid function)")
        self.error.show()
        sel = QTextEdit.ExtraSelection()
        fmt = QTextCharFormat()
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(QColor("#d00000"))
        fmt.setBackground(QColor(255, 0, 0, 40))
        sel.format = fmt
        cursor = QTextCursor(self.edit.document())
        n = len(self.text())
        start = min(exc.offset, max(n - 1, 0))
        cursor.setPosition(start)
        cursor.setPosition(min(start + exc.length, n), QTextCursor.MoveMode.KeepAnchor)
        sel.cursor = cursor
        self.edit.setExtraSelections([sel])

    def _superseded(self) -> None:
        """Another text was refused, or a build given up (a preset or a session file with
        the current function came after a typed text): if the editor's text was never
        applied, show the function the plane keeps instead of a text nothing shows. Not while
        the user types, a text is being built or the editor's own text is marked as refused."""
        if self.timer.isActive() or self.session.pending_function() or \
                not self.error.isHidden():
            return
        self._show_function()

    def _show_function(self) -> None:
        """The session's function in the editor (unless shown already), not as a user edit."""
        if self.text().strip() != self.session.function_text.strip():
            self.edit.blockSignals(True)  # no re-apply
            self.edit.setPlainText(self.session.function_text)
            self.edit.blockSignals(False)

    def underlined(self) -> tuple[int, int] | None:
        """(start, end) of the underlined error, or None."""
        sels = self.edit.extraSelections()
        if not sels:
            return None
        c = sels[0].cursor
        return c.selectionStart(), c.selectionEnd()
