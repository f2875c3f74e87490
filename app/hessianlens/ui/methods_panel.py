"""The methods panel: per step rule an enable box, a colour, learning rate, max steps, tolerance."""

from __future__ import annotations

import math
import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QValidator
from PySide6.QtWidgets import (QAbstractSpinBox, QCheckBox, QColorDialog, QDoubleSpinBox,
                               QGridLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from hessianlens.engine.explain import method_title
from hessianlens.engine.rules import RULES

LR_RANGE = (1e-4, 100.0)
MAX_STEPS_RANGE = (1, 100_000)
TOL_RANGE = (1e-15, 1.0)

# A number on its way to being typed: "1", "1.", "1e", "1e-".
_PARTIAL_NUMBER = re.compile(r"\+?(\d*\.?\d*)([eE][+-]?\d*)?")


class ScientificSpinBox(QDoubleSpinBox):
    """A positive float shown as 1e-06; the arrows multiply or divide it by 10."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
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
        self.setValue(self.value() * 10.0 ** steps)


def _rule_help(name: str) -> str:
    """The rule's docstring summary, e.g. "x <- x - lr * grad f."."""
    doc = (getattr(RULES.get(name), "__doc__", None) or "").strip()
    return doc.splitlines()[0] if doc else ""


class _MethodRow:
    """The controls of one method, in one row of the panel's grid."""

    def __init__(self, panel: MethodsPanel, name: str, row: int):
        self.name = name
        title = method_title(name)
        grid = panel.grid
        self.enable = QCheckBox(title)
        self.enable.setToolTip(f"Trace {title} from the start point. {_rule_help(name)}")
        self.colour = QPushButton()
        self.colour.setFixedWidth(36)
        self.colour.setToolTip(f"Colour of {title}'s path and curves; click to change it")
        self.lr = QDoubleSpinBox()
        self.lr.setRange(*LR_RANGE)
        self.lr.setDecimals(4)
        self.lr.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        self.lr.setToolTip(f"Learning rate (step scale) of {title}: each step is lr times the "
                           f"rule's direction; 1 is the full Newton step")
        self.max_steps = QSpinBox()
        self.max_steps.setRange(*MAX_STEPS_RANGE)
        self.max_steps.setToolTip(f"{title} stops after this many steps")
        self.tol = ScientificSpinBox()
        self.tol.setRange(*TOL_RANGE)
        self.tol.setToolTip(f"{title} has converged when |grad f| is below this tolerance "
                            f"(type e.g. 1e-8; the arrows multiply or divide by 10)")
        for spin in (self.lr, self.max_steps, self.tol):
            spin.setKeyboardTracking(False)  # retrace on Enter or the arrows, not per keystroke
            spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        for col, w in enumerate((self.enable, self.colour, self.lr, self.max_steps, self.tol)):
            grid.addWidget(w, row, col)

        session = panel.session
        self.enable.toggled.connect(lambda on: session.update_method(name, enabled=bool(on)))
        self.lr.valueChanged.connect(lambda v: session.update_method(name, learning_rate=float(v)))
        self.max_steps.valueChanged.connect(lambda v: session.update_method(name, max_steps=int(v)))
        self.tol.valueChanged.connect(lambda v: session.update_method(name, tol=float(v)))
        self.colour.clicked.connect(lambda: panel.pick_colour(name))

    def widgets(self):
        return (self.enable, self.colour, self.lr, self.max_steps, self.tol)

    def show_config(self, config) -> None:
        """Show a MethodConfig without sending edits back to the session."""
        for w in self.widgets():
            w.blockSignals(True)
        self.enable.setChecked(config.enabled)
        self.lr.setValue(config.learning_rate)
        self.max_steps.setValue(config.max_steps)
        self.tol.setValue(config.tol)
        self.colour.setStyleSheet(f"background-color: {QColor(config.colour).name()};")
        for w in self.widgets():
            w.blockSignals(False)


class MethodsPanel(QWidget):
    """Every method of the session with its settings; edits go to session.update_method."""

    HEADERS = ("Method", "Colour", "Learning rate", "Max steps", "Tolerance")
    HEADER_TIPS = ("Enable a method to trace it from the start point",
                   "The colour of the method's path, legend entry and curves",
                   "Scale of each step: x <- x + lr * direction",
                   "The largest number of steps a method takes",
                   "Converged when |grad f| falls below this")

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        outer = QVBoxLayout(self)
        self.grid = QGridLayout()
        outer.addLayout(self.grid)
        outer.addStretch(1)
        for col, (text, tip) in enumerate(zip(self.HEADERS, self.HEADER_TIPS)):
            label = QLabel(f"<b>{text}</b>")
            label.setToolTip(tip)
            self.grid.addWidget(label, 0, col)
        self.rows: dict[str, _MethodRow] = {}
        session.methods_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Follow the session's methods: rebuild the rows if the set changed, else update them."""
        names = list(self.session.methods)
        if names != list(self.rows):
            for row in self.rows.values():
                for w in row.widgets():
                    self.grid.removeWidget(w)
                    w.deleteLater()
            self.rows = {name: _MethodRow(self, name, i + 1) for i, name in enumerate(names)}
        for name, row in self.rows.items():
            row.show_config(self.session.methods[name])

    def pick_colour(self, name: str) -> None:
        """Ask for a new colour for a method (QColorDialog); cancelling keeps the old one."""
        config = self.session.methods.get(name)
        if config is None:
            return
        colour = QColorDialog.getColor(QColor(config.colour), self,
                                       f"Colour of {method_title(name)}")
        if colour.isValid():
            self.session.update_method(name, colour=colour.name())
