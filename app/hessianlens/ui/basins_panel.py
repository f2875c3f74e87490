"""The basins panel: which rule to colour, which to compare, grid size, steps, and a summary."""

from __future__ import annotations

from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QLabel, QPushButton, QSpinBox,
                               QWidget)

from hessianlens.engine.basins import NOT_CONVERGED
from hessianlens.engine.explain import method_title
from hessianlens.engine.rules import RULES
from hessianlens.ui.basins_overlay import BasinsLayer, outcome_name

GRID_RANGE = (32, 512)
STEPS_RANGE = (1, 1000)


def _rule_combo(with_none: bool) -> QComboBox:
    combo = QComboBox()
    if with_none:
        combo.addItem("(none)", "")
    for name in RULES:
        combo.addItem(method_title(name), name)
    return combo


class BasinsPanel(QWidget):
    """Edits a BasinsLayer's settings; the layer recomputes when they change."""

    def __init__(self, layer: BasinsLayer, parent: QWidget | None = None):
        super().__init__(parent)
        self.layer = layer
        form = QFormLayout(self)
        self.show_box = QCheckBox("Show basins of attraction")
        self.show_box.setToolTip("Colour every start of a grid over the view by where the rule "
                                 "takes it")
        self.rule = _rule_combo(False)
        self.rule.setToolTip("The rule whose basins are coloured (its learning rate and "
                             "tolerance come from the Methods panel)")
        self.compare = _rule_combo(True)
        self.compare.setToolTip("A second rule whose basin boundaries are outlined")
        self.swapped = QCheckBox("Colour the second rule")
        self.swapped.setToolTip("Swap: colour the second rule's basins and outline the first's")
        self.grid = QSpinBox()
        self.grid.setRange(*GRID_RANGE)
        self.grid.setSingleStep(32)
        self.grid.setSuffix(" starts per side")
        self.grid.setKeyboardTracking(False)
        self.steps = QSpinBox()
        self.steps.setRange(*STEPS_RANGE)
        self.steps.setToolTip("K: a start that has not converged after K steps is 'not converged'")
        self.steps.setKeyboardTracking(False)
        self.recompute = QPushButton("Recompute")
        self.recompute.setToolTip("Compute the basins again (after a cancel, say)")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        form.addRow(self.show_box)
        form.addRow("Rule", self.rule)
        form.addRow("Compare with", self.compare)
        form.addRow(self.swapped)
        form.addRow("Grid", self.grid)
        form.addRow("Steps (K)", self.steps)
        form.addRow(self.recompute)
        form.addRow(self.summary)

        self._sync()
        self.show_box.toggled.connect(layer.set_enabled)
        self.rule.currentIndexChanged.connect(
            lambda _i: layer.configure(rule=self.rule.currentData()))
        self.compare.currentIndexChanged.connect(
            lambda _i: layer.configure(compare=self.compare.currentData()))
        self.swapped.toggled.connect(lambda on: layer.configure(swapped=on))
        self.grid.valueChanged.connect(lambda n: layer.configure(grid=n))
        self.steps.valueChanged.connect(lambda k: layer.configure(max_steps=k))
        self.recompute.clicked.connect(lambda: layer.request(now=True, force=True))
        layer.enabled_changed.connect(self._sync)
        layer.settings_changed.connect(self._sync)
        layer.shown.connect(self._summarize)

    def _sync(self, *_args) -> None:
        s = self.layer.settings
        for widget, value in ((self.show_box, self.layer.enabled), (self.swapped, s.swapped)):
            if widget.isChecked() != value:
                widget.setChecked(value)
        for combo, name in ((self.rule, s.rule), (self.compare, s.compare)):
            i = combo.findData(name)
            if i != combo.currentIndex():
                combo.setCurrentIndex(i)
        for spin, value in ((self.grid, s.grid), (self.steps, s.max_steps)):
            if spin.value() != value:
                spin.setValue(value)
        self.swapped.setEnabled(bool(s.compare) and s.compare != s.rule)
        self.recompute.setEnabled(self.layer.enabled)

    def _summarize(self) -> None:
        """Share of the grid per outcome of each shown rule, largest first."""
        lines = []
        for m in self.layer.maps:
            parts = [f"{outcome_name(o)} {100 * o.fraction:.0f}%" for o in m.outcomes[:6]]
            more = len(m.outcomes) - 6
            tail = f", {more} more" if more > 0 else ""
            hint = ""
            if all(o.kind == NOT_CONVERGED for o in m.outcomes):
                # Gradient descent at the write-up's lr 0.5 on its Example 3: it rattles.
                hint = (f"<br>No start converges within K = {m.max_steps} steps at lr "
                        f"{m.learning_rate:g}: raise K, or change the learning rate or the "
                        f"tolerance in the Methods dock.")
            lines.append(f"<b>{method_title(m.method)}</b>: {', '.join(parts)}{tail}{hint}")
        self.summary.setText("<br>".join(lines))
