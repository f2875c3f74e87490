"""An editor widget for any Param: log-scale floats in a scientific spin box, linear floats and
ints in spin boxes, choices in a combo box, switches in a check box; the Param's help is the
tooltip and its bounds the range."""

from __future__ import annotations

import math
import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (QAbstractSpinBox, QCheckBox, QComboBox, QDoubleSpinBox,
                               QHBoxLayout, QSpinBox, QWidget)

from hessianlens.engine.params import BOOL, CHOICE, INT, Param

# A number on its way to being typed: "1", "1.", "1e", "1e-".
_PARTIAL_NUMBER = re.compile(r"\+?(\d*\.?\d*)([eE][+-]?\d*)?")
_MANTISSAS = (1.0, 2.0, 5.0)
LINEAR_LIMIT = 1e6  # the spin box range of an unbounded linear parameter
LINEAR_DECIMALS = 4  # the fewest places a linear float's spin box shows
MAX_DECIMALS = 10


def decimals_for(*values: float) -> int:
    """The places a spin box needs to hold every value exactly (at least LINEAR_DECIMALS):
    QDoubleSpinBox rounds its range to its decimals, so Adam's beta2 bound 0.99999 at 4 places
    became 1, a value the rule refuses."""
    for d in range(LINEAR_DECIMALS, MAX_DECIMALS + 1):
        if all(not math.isfinite(v) or round(v, d) == v for v in values):
            return d
    return MAX_DECIMALS


def one_two_five(value: float, steps: int) -> float:
    """``steps`` places along 0.1, 0.2, 0.5, 1, 2, 5, 10, ... from value (a value between two
    of them moves to the neighbour in that direction)."""
    e = math.floor(math.log10(value))
    m = value / 10 ** e
    k = max(i for i, v in enumerate(_MANTISSAS) if v <= m * (1 + 1e-9))
    on = math.isclose(m, _MANTISSAS[k], rel_tol=1e-9)
    i = 3 * e + k + steps + (0 if on or steps >= 0 else 1)
    return _MANTISSAS[i % 3] * 10.0 ** (i // 3)


class ScientificSpinBox(QDoubleSpinBox):
    """A positive float shown as 1e-06; the arrows multiply or divide it by 10 (decades) or
    walk the 1-2-5 sequence."""

    def __init__(self, parent: QWidget | None = None, decades: bool = True):
        super().__init__(parent)
        self.decades = decades
        # QDoubleSpinBox rounds to `decimals` places; 20 keeps 1.2345e-15 intact.
        self.setDecimals(20)

    def textFromValue(self, value: float) -> str:  # noqa: N802 (Qt override)
        return f"{value:.3g}" if value else "0"

    def valueFromText(self, text: str) -> float:  # noqa: N802 (Qt override)
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        try:
            v = float(text)
        except ValueError:
            state = QValidator.State.Intermediate if _PARTIAL_NUMBER.fullmatch(text.strip()) \
                else QValidator.State.Invalid
            return state, text, pos
        ok = math.isfinite(v) and self.minimum() <= v <= self.maximum()
        return (QValidator.State.Acceptable if ok else QValidator.State.Intermediate), text, pos

    def fixup(self, text: str) -> str:
        return self.textFromValue(self.value())

    def stepBy(self, steps: int) -> None:  # noqa: N802 (Qt override)
        v = self.value()
        self.setValue(v * 10.0 ** steps if self.decades or v <= 0 else one_two_five(v, steps))


class ParamEditor(QWidget):
    """Edits one Param's value; value_changed(value) on every committed change by the user."""

    value_changed = Signal(object)

    def __init__(self, param: Param, parent: QWidget | None = None):
        super().__init__(parent)
        self.param = param
        low, high = param.bounds
        if param.kind == CHOICE:
            self.widget = QComboBox()
            for option in param.options():
                self.widget.addItem(option or "(none)", option)
            self.widget.currentIndexChanged.connect(lambda _i: self._changed())
        elif param.kind == BOOL:
            self.widget = QCheckBox(param.title)
            self.widget.toggled.connect(lambda _on: self._changed())
        else:
            if param.kind == INT:
                self.widget = QSpinBox()
                self.widget.setRange(int(max(low, -2**31 + 1)), int(min(high, 2**31 - 1)))
            elif param.log:
                self.widget = ScientificSpinBox(decades=False)
                self.widget.setRange(low, high)
            else:
                self.widget = QDoubleSpinBox()
                low, high = max(low, -LINEAR_LIMIT), min(high, LINEAR_LIMIT)
                self.widget.setDecimals(decimals_for(low, high, param.default))
                self.widget.setRange(low, high)
                self.widget.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
            self.widget.setKeyboardTracking(False)  # on Enter or the arrows, not per keystroke
            self.widget.setAlignment(Qt.AlignmentFlag.AlignRight)
            self.widget.valueChanged.connect(lambda _v: self._changed())
        tip = param.help or param.title
        self.widget.setToolTip(f"{tip}\n({param.describe()})")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.widget)
        self.set_value(param.default)

    def value(self):
        w, kind = self.widget, self.param.kind
        if kind == CHOICE:
            return w.currentData()
        if kind == BOOL:
            return w.isChecked()
        return int(w.value()) if kind == INT else float(w.value())

    def set_value(self, value) -> None:
        """Show a value without announcing it."""
        w, kind = self.widget, self.param.kind
        w.blockSignals(True)
        if kind == CHOICE:
            w.setCurrentIndex(w.findData(value))
        elif kind == BOOL:
            w.setChecked(bool(value))
        else:
            w.setValue(value)
        w.blockSignals(False)

    def _changed(self) -> None:
        self.value_changed.emit(self.value())
