"""The one-step learning rate page: eta = 1/f''(w0) on f(w) in 1D (w* = w0 - f'(w0)/f''(w0),
Newton's step in one variable; Nocedal & Wright, eq. (2.14) with n = 1).

The controls choose f and w0, the engine (hessianlens.engine.onestep) computes every number,
this page writes them out and the plot draws them. Its state (model.OneStepState) is saved
with the session.
"""

from __future__ import annotations

import functools
import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton,
                               QScrollArea, QSplitter, QVBoxLayout, QWidget)

from hessianlens.engine.errors import ExpressionError
from hessianlens.engine.linefunction import line_function
from hessianlens.engine.onestep import OK, gd_comparison, newton_steps, one_step
from hessianlens.model import OneStepState
from hessianlens.ui.onestep_controls import FunctionControls, SpinSlider
from hessianlens.ui.onestep_plot import OneStepPlot

MAX_NEWTON_STEPS = 100
# The page opens on the second write-up's demo (model.OneStepState's defaults).
WRITE_UP_NOTE = ("Opens on the second write-up's demo: f = -w^2 - 2w - 3 from w0 = 4. The "
                 "write-up's text prints w0 as -4.0, a sign slip: the numbers beside it are "
                 "those of w0 = 4 (from -4 the step is the same, eta = -0.5, and lands on the "
                 "same w* = -1).")
NARROW_WIDTH = 800  # below it the plot goes under the controls

# (key, caption, tooltip) of the numbers written out; keys of OneStepResult, and f, df, d2f.
NUMBERS = (
    ("f", "f(w) =", "The function, with its actual coefficients"),
    ("df", "f'(w) =", "Its exact first derivative (sympy)"),
    ("d2f", "f''(w) =", "Its exact second derivative (sympy)"),
    ("eta", "eta = 1/f''(w0)", "The one-step learning rate: negative steps to a maximum"),
    ("w0", "w0", "The start point"),
    ("f_w0", "f(w0)", "f at the start point"),
    ("df_w0", "f'(w0)", "The slope at the start point"),
    ("d2f_w0", "f''(w0)", "The curvature at the start point"),
    ("w1", "w1 = w0 - eta f'(w0)", "Where one step with eta = 1/f''(w0) lands"),
    ("f_w1", "f(w1)", "f after the one step"),
    ("w_star", "w*", "The critical point the step aims at: -b/(2a) for a quadratic, else the "
                     "zero of f' nearest w0"),
    ("f_w_star", "f(w*)", "f at the critical point"),
    ("kind", "w* is a", "minimum (f'' > 0), maximum (f'' < 0) or inflection"),
    ("miss", "miss |w1 - w*|", "How far the one step lands from w*: 0 for a quadratic"),
)


def _number(v) -> str:
    if v is None:
        return "\u2014"
    if isinstance(v, str):
        return v
    return f"{v:.6g}" if math.isfinite(v) else ("overflow" if math.isinf(v) else "undefined")


def _guarded(method):
    """A slot that shows, never raises, an unexpected error: Qt's event loop must not see it."""

    @functools.wraps(method)
    def slot(self, *args):
        try:
            return method(self, *args)
        except Exception as exc:  # noqa: BLE001 (last line of defence of a Qt slot)
            self.message.setText(f"internal error, please report: {exc!r}")
            return None

    return slot


class OneStepView(QWidget):
    """The 1D page: coefficient or free-text f(w), w0, the numbers, the plot, Newton and GD."""

    result_changed = Signal()  # new numbers are shown
    state_changed = Signal()  # the user changed f, w0 or the learning rate (see state())

    def __init__(self, state: OneStepState | None = None, parent: QWidget | None = None,
                 builder=None):
        super().__init__(parent)
        st = state or OneStepState()
        # Builds f(w) from its text: the window's builds off the GUI thread (a
        # ui.builds.LatestBuilder of LINE_KIND); None builds in this process at once.
        self.builder = builder
        if builder is not None:
            builder.setParent(self)
        self.controls = FunctionControls(st.a, st.b, st.c, st.d)
        self.w0 = SpinSlider("w0", st.w0, (-10.0, 10.0), (-1e6, 1e6), 0.1,
                             "w0: the start point of the step (or drag the green line)")
        self.newton_button = QPushButton("Newton step")
        self.newton_button.setToolTip("Take one more full Newton step w <- w - f'(w)/f''(w) "
                                      "from the last iterate, and draw it")
        self.clear_button = QPushButton("Clear steps")
        self.clear_button.setToolTip("Forget the further Newton steps (back to w0 and w1)")
        self.lr = SpinSlider("learning rate", st.lr, (-1.0, 1.0), (-100.0, 100.0), 0.01,
                             "Gradient descent w <- w - lr f'(w) from w0, to compare with the "
                             "one step\n(a negative rate climbs: gradient ascent)")
        self.numbers: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, caption, tip in NUMBERS:
            label = QLabel()
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(key in ("f", "df", "d2f"))
            label.setToolTip(tip)
            cap = QLabel(caption)
            cap.setToolTip(tip)
            form.addRow(cap, label)
            self.numbers[key] = label
        self.message = self._text_label("What the step does, or why it cannot be taken")
        self.newton_label = self._text_label("Where the further Newton steps went")
        self.gd_label = self._text_label("How many gradient-descent steps match the one step")
        self.plot = OneStepPlot()

        panel = QWidget()
        left = QVBoxLayout(panel)
        self.write_up_note = self._text_label("Where the page opens, and a slip in the write-up")
        self.write_up_note.setText(WRITE_UP_NOTE)
        self.write_up_note.setStyleSheet("color: #555555;")
        left.addWidget(self.write_up_note)
        box = QGroupBox("f(w) and w0")
        inner = QVBoxLayout(box)
        inner.addWidget(self.controls)
        inner.addWidget(self.w0)
        left.addWidget(box)
        numbers = QGroupBox("The one step")
        numbers.setLayout(form)
        left.addWidget(numbers)
        left.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addWidget(self.newton_button)
        buttons.addWidget(self.clear_button)
        left.addLayout(buttons)
        left.addWidget(self.newton_label)
        gd = QGroupBox("Gradient descent from w0")
        gd_layout = QVBoxLayout(gd)
        gd_layout.addWidget(self.lr)
        gd_layout.addWidget(self.gd_label)
        left.addWidget(gd)
        left.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(panel)
        scroll.setWidgetResizable(True)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(self.plot)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([420, 700])
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

        self.controls.set_values(st.mode, st.a, st.b, st.c, st.d, st.cubic, st.text)
        self.function = None  # the LineFunction shown, once built
        self._valid_text = self.controls.current_text()  # the last text that parsed
        self._applying = False
        self.newton_count = 0
        self.result = self.newton_path = self.gd = None
        self.controls.function_text.connect(self._function_text)
        self.w0.value_changed.connect(self._w0_changed)
        self.plot.w0_dragged.connect(self._w0_dragged)
        self.plot.w0_released.connect(self._w0_released)
        self.newton_button.clicked.connect(self._newton_step)
        self.clear_button.clicked.connect(self._clear_steps)
        self.lr.value_changed.connect(self._lr_changed)
        self._build(self._valid_text, announce=False)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        # Side by side when there is room, else the plot below the controls.
        wide = event.size().width() >= NARROW_WIDTH
        self.splitter.setOrientation(Qt.Orientation.Horizontal if wide
                                     else Qt.Orientation.Vertical)
        super().resizeEvent(event)

    @staticmethod
    def _text_label(tip: str) -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setToolTip(tip)
        return label

    # --- building f ----------------------------------------------------------------------
    def _build(self, text: str, announce: bool = True) -> None:
        """Build text, then show it (a newer text supersedes it; an error keeps the last f)."""
        def done(fn, exc):
            self._built(text, fn, exc, announce)

        if self.builder is not None:
            self.builder.submit(text, done)
            return
        try:
            fn = line_function(text)
        except ExpressionError as exc:
            done(None, exc)
        else:
            done(fn, None)

    def building(self) -> bool:
        """True while a text is being built off the GUI thread."""
        return self.builder is not None and self.builder.busy()

    @_guarded
    def _built(self, text: str, fn, exc: ExpressionError | None, announce: bool) -> None:
        if exc is not None:
            kept = f"the last valid f: {self.function.text}" if self.function is not None \
                else "no f yet"
            self.controls.show_error(f"column {exc.column}: {exc.message}\n(the page keeps "
                                     f"{kept})")
            return
        self.controls.show_error("")
        self.function, self.newton_count, self._valid_text = fn, 0, text
        self._recompute(fit=True)
        if announce:
            self._announce()

    # --- slots ---------------------------------------------------------------------------
    @_guarded
    def _function_text(self, text: str) -> None:
        self._build(text)

    @_guarded
    def _w0_changed(self, _value: float) -> None:
        self.newton_count = 0
        self._recompute(fit=True)
        self._announce()

    @_guarded
    def _w0_dragged(self, value: float) -> None:
        self.w0.set_value(value, emit=False)
        self.newton_count = 0
        self._recompute(fit=False)
        self._announce()

    @_guarded
    def _w0_released(self, _value: float) -> None:
        self._recompute(fit=True)  # the line snaps to the spin box's w0, the view refits

    @_guarded
    def _newton_step(self, *_args) -> None:
        self.newton_count = min(self.newton_count + 1, MAX_NEWTON_STEPS)
        self._recompute(fit=True)

    @_guarded
    def _clear_steps(self, *_args) -> None:
        self.newton_count = 0
        self._recompute(fit=True)

    @_guarded
    def _lr_changed(self, _value: float) -> None:
        self._recompute(fit=False)
        self._announce()

    def _announce(self) -> None:
        if not self._applying:
            self.state_changed.emit()

    # --- the page's state -----------------------------------------------------------------
    def state(self) -> OneStepState:
        """What the page shows, as the session saves it (free text: the last text that
        parsed, so that a saved session always opens)."""
        c = self.controls
        return OneStepState("text" if c.text_mode.isChecked() else "coefficients",
                            c.a.value(), c.b.value(), c.c.value(), c.d.value(),
                            c.cubic.isChecked(), self.w0.value(), self.lr.value(),
                            self._valid_text)

    @_guarded
    def set_state(self, state: OneStepState) -> None:
        """Show a saved page (a session file, say) without announcing it back."""
        if state == self.state():
            return
        self._applying = True
        try:
            self.controls.set_values(state.mode, state.a, state.b, state.c, state.d,
                                     state.cubic, state.text)
            self.w0.set_value(state.w0, emit=False)
            self.lr.set_value(state.lr, emit=False)
        finally:
            self._applying = False
        # A saved page's text parsed when it was saved (and when its file was read).
        self._valid_text = self.controls.current_text()
        self._build(self._valid_text, announce=False)

    # --- numbers and plot ----------------------------------------------------------------
    def _recompute(self, fit: bool) -> None:
        if self.function is None:  # not built yet: the numbers come with it
            return
        fn, w0 = self.function, self.w0.value()
        self.result = r = one_step(fn, w0)
        # One Newton step is the one step itself; further ones continue from w1.
        self.newton_path = newton_steps(fn, w0, self.newton_count + 1)
        self.gd = gd_comparison(fn, w0, self.lr.value(), result=r)
        f_text, df_text, d2f_text = fn.texts
        shown = {"f": f_text, "df": df_text, "d2f": d2f_text}
        for key, label in self.numbers.items():
            label.setText(_number(shown[key] if key in shown else getattr(r, key)))
        self.message.setText(r.message)
        self.message.setStyleSheet("" if r.status == OK else "color: #b00020;")
        path = self.newton_path
        self.newton_label.setText(self._newton_text())
        self.newton_button.setEnabled(path.status == OK and self.newton_count < MAX_NEWTON_STEPS)
        self.gd_label.setText(self.gd.message)
        self.plot.show_result(fn, r, path, self.gd, fit=fit)
        self.result_changed.emit()

    def _newton_text(self) -> str:
        path = self.newton_path
        if self.newton_count == 0:
            return "Press Newton step to continue from w1."
        ws = ", ".join(f"{w:.6g}" for w in path.iterates[2:])
        text = f"further Newton iterates: {ws}" if ws else "no further Newton iterate"
        return text if path.status == OK else f"{text}\n{path.message}"

    # --- for the window and tests --------------------------------------------------------
    def set_function_text(self, text: str) -> None:
        """Switch to free text and apply text at once."""
        self.controls.text_mode.setChecked(True)
        self.controls.text.setText(text)
        self.controls.apply_text()
