"""Controls of the one-step page: coefficients a, b, c (and d), w0, free text, GD learning rate."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractSpinBox, QButtonGroup, QCheckBox, QDoubleSpinBox,
                               QHBoxLayout, QLabel, QLineEdit, QRadioButton, QSlider,
                               QVBoxLayout, QWidget)

from hessianlens.engine.onestep import polynomial_text

SLIDER_TICKS = 1000
# Free text applies after this long without typing (as the function editor of the plane) or
# on Enter: "w**" on the way to "w**3" is not applied and explained.
PAUSE_MS = 700


class SpinSlider(QWidget):
    """A spin box paired with a slider: the slider covers a handy range, the spin box more."""

    value_changed = Signal(float)

    def __init__(self, label: str, value: float, slider_range: tuple[float, float],
                 spin_range: tuple[float, float], step: float, tooltip: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.slider_range = slider_range
        self.label = QLabel(label)
        self.spin = QDoubleSpinBox()
        self.spin.setRange(*spin_range)
        self.spin.setDecimals(4)
        self.spin.setSingleStep(step)
        self.spin.setStepType(QAbstractSpinBox.StepType.DefaultStepType)
        self.spin.setKeyboardTracking(False)  # a typed number applies on Enter or focus out
        self.spin.setValue(value)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, SLIDER_TICKS)
        self.slider.setValue(self._tick(value))
        lo, hi = slider_range
        for w in (self.label, self.spin):
            w.setToolTip(f"{tooltip}\nType any value in [{spin_range[0]:g}, {spin_range[1]:g}]")
        self.slider.setToolTip(f"{tooltip}\nDrag between {lo:g} and {hi:g}")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.spin)
        layout.addWidget(self.slider, 1)
        self.spin.valueChanged.connect(self._spun)
        self.slider.valueChanged.connect(self._slid)

    def _tick(self, value: float) -> int:
        lo, hi = self.slider_range
        return round(min(max((value - lo) / (hi - lo), 0.0), 1.0) * SLIDER_TICKS)

    def value(self) -> float:
        return self.spin.value()

    def set_value(self, value: float, emit: bool = True) -> None:
        """Set both widgets; emit value_changed once if asked."""
        for w in (self.spin, self.slider):
            w.blockSignals(True)
        self.spin.setValue(value)
        self.slider.setValue(self._tick(self.spin.value()))
        for w in (self.spin, self.slider):
            w.blockSignals(False)
        if emit:
            self.value_changed.emit(self.spin.value())

    def _spun(self, value: float) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(self._tick(value))
        self.slider.blockSignals(False)
        self.value_changed.emit(value)

    def _slid(self, tick: int) -> None:
        lo, hi = self.slider_range
        self.spin.blockSignals(True)
        self.spin.setValue(lo + (hi - lo) * tick / SLIDER_TICKS)
        self.spin.blockSignals(False)
        self.value_changed.emit(self.spin.value())

    def widgets(self) -> tuple[QWidget, ...]:
        return (self.label, self.spin, self.slider)


class FunctionControls(QWidget):
    """Where f(w) comes from: a w^2 + b w + c (+ d w^3) or free text; emits the text to try."""

    function_text = Signal(str)  # a candidate f(w): the page parses it

    def __init__(self, a: float = -1.0, b: float = -2.0, c: float = -3.0, d: float = 0.5,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.coefficient_mode = QRadioButton("coefficients")
        self.coefficient_mode.setToolTip("f(w) = a w^2 + b w + c, with an optional d w^3")
        self.text_mode = QRadioButton("free text")
        self.text_mode.setToolTip("Type any f(w): variable w (or x), + - * / ** ^, sin, exp, "
                                  "log, sqrt, pi...")
        self.modes = QButtonGroup(self)
        for button in (self.coefficient_mode, self.text_mode):
            self.modes.addButton(button)
        self.coefficient_mode.setChecked(True)
        span, big = (-10.0, 10.0), (-1e6, 1e6)
        self.a = SpinSlider("a", a, span, big, 0.1, "a: the coefficient of w^2 (f'' = 2a)")
        self.b = SpinSlider("b", b, span, big, 0.1, "b: the coefficient of w")
        self.c = SpinSlider("c", c, span, big, 0.1, "c: the constant term (moves f up or down)")
        self.cubic = QCheckBox("include cubic term (d w^3)")
        self.cubic.setToolTip("Add d w^3: f is no longer quadratic and the one step misses w*")
        self.d = SpinSlider("d", d, (-2.0, 2.0), big, 0.05,
                            "d: the coefficient of w^3 (the larger |d|, the worse one step)")
        self.d.setEnabled(False)
        self.text = QLineEdit(self.current_polynomial())
        self.text.setToolTip(self.text_mode.toolTip() + "\nApplied after a pause in typing or "
                             "on Enter; an invalid text is explained below and the last valid "
                             "f is kept")
        self.text.setEnabled(False)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        self.error.setToolTip("Why the text is not a function of w; the page keeps the last "
                              "valid one")
        self.error.hide()

        modes = QHBoxLayout()
        modes.addWidget(QLabel("f(w) from:"))
        modes.addWidget(self.coefficient_mode)
        modes.addWidget(self.text_mode)
        modes.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(modes)
        for w in (self.a, self.b, self.c, self.cubic, self.d, self.text, self.error):
            layout.addWidget(w)

        for s in (self.a, self.b, self.c, self.d):
            s.value_changed.connect(self._coefficients_changed)
        self.cubic.toggled.connect(self._cubic_toggled)
        self.modes.buttonToggled.connect(self._mode_changed)
        self.pause = QTimer(self, singleShot=True, interval=PAUSE_MS)
        self.pause.timeout.connect(self.apply_text)
        self.text.textChanged.connect(self._text_changed)
        self.text.returnPressed.connect(self.apply_text)

    def current_polynomial(self) -> str:
        d = self.d.value() if self.cubic.isChecked() else 0.0
        return polynomial_text(self.a.value(), self.b.value(), self.c.value(), d)

    def current_text(self) -> str:
        return self.text.text() if self.text_mode.isChecked() else self.current_polynomial()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def _coefficients_changed(self, _value: float = 0.0) -> None:
        if self.coefficient_mode.isChecked():
            self._emit_polynomial()

    def _cubic_toggled(self, on: bool) -> None:
        self.d.setEnabled(on and self.coefficient_mode.isChecked())
        self._coefficients_changed()

    def _emit_polynomial(self) -> None:
        text = self.current_polynomial()
        self.text.blockSignals(True)  # the text box mirrors the polynomial
        self.text.setText(text)
        self.text.blockSignals(False)
        self.function_text.emit(text)

    def _mode_changed(self, _button=None, checked: bool = True) -> None:
        if not checked:  # the group toggles twice: the old button off, the new one on
            return
        self._enable()
        if self.coefficient_mode.isChecked():
            self._emit_polynomial()
        else:
            self.function_text.emit(self.text.text())

    def _text_changed(self, _text: str) -> None:
        if self.text_mode.isChecked():
            self.pause.start()  # applied after a pause in typing

    def apply_text(self) -> None:
        """Apply the free text now (Enter, the end of a pause, or a caller that set it)."""
        self.pause.stop()
        if self.text_mode.isChecked():
            self.function_text.emit(self.text.text())

    def set_values(self, mode: str, a: float, b: float, c: float, d: float, cubic: bool,
                   text: str) -> None:
        """Show these values (a saved page) without announcing a function text."""
        for w in (self.coefficient_mode, self.text_mode, self.modes, self.cubic, self.text):
            w.blockSignals(True)
        for s, v in ((self.a, a), (self.b, b), (self.c, c), (self.d, d)):
            s.set_value(v, emit=False)
        self.cubic.setChecked(cubic)
        (self.text_mode if mode == "text" else self.coefficient_mode).setChecked(True)
        self.text.setText(text if mode == "text" else self.current_polynomial())
        for w in (self.coefficient_mode, self.text_mode, self.modes, self.cubic, self.text):
            w.blockSignals(False)
        self.pause.stop()
        self._enable()

    def _enable(self) -> None:
        coefficients = self.coefficient_mode.isChecked()
        for w in (self.a, self.b, self.c, self.cubic):
            w.setEnabled(coefficients)
        self.d.setEnabled(coefficients and self.cubic.isChecked())
        self.text.setEnabled(not coefficients)

    def widgets(self) -> list[QWidget]:
        """Every control, for tooltips and enabling."""
        out = [self.coefficient_mode, self.text_mode, self.cubic, self.text, self.error]
        for s in (self.a, self.b, self.c, self.d):
            out += s.widgets()
        return out

