"""The basins panel: which rule to colour, which to compare, grid size, steps, and a summary.

The dock of the "basins" overlay (its OverlaySpec names this module): the controls edit the
session's basins settings, the summary reads the layer's maps.
"""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QLabel, QPushButton, QSpinBox,
                               QWidget)

from hessianlens.engine.basins import NOT_CONVERGED, outcome_name, share_text
from hessianlens.engine.explain import method_summary, method_title
from hessianlens.engine.rules import RULES

NAME = "basins"  # the overlay this panel belongs to


def _params(layer) -> dict:
    return {p.name: p for p in layer.spec.settings}


class Panel(QWidget):
    """Edits the basins overlay's settings in the session; the layer recomputes on change."""

    def __init__(self, layer, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.layer, self.session = layer, session
        params = _params(layer)
        form = QFormLayout(self)
        self.show_box = QCheckBox("Show basins of attraction")
        self.show_box.setToolTip("Colour every start of a grid over the view by where the rule "
                                 "takes it")
        self.rule = QComboBox()
        self.rule.setToolTip(params["rule"].help)
        self.compare = QComboBox()
        self.compare.setToolTip(params["compare"].help)
        self.swapped = QCheckBox("Colour the second rule")
        self.swapped.setToolTip(params["swapped"].help)
        self.grid = QSpinBox()
        self.grid.setRange(*(int(v) for v in params["grid"].bounds))
        self.grid.setSingleStep(32)
        self.grid.setSuffix(" starts per side")
        self.grid.setToolTip(params["grid"].help)
        self.steps = QSpinBox()
        self.steps.setRange(*(int(v) for v in params["max_steps"].bounds))
        self.steps.setToolTip(params["max_steps"].help)
        for spin in (self.grid, self.steps):
            spin.setKeyboardTracking(False)
        self.recompute = QPushButton("Recompute")
        self.recompute.setToolTip("Compute the basins again (after a cancel, say)")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        form.addRow(self.show_box)
        form.addRow("Rule", self.rule)
        form.addRow("Compare with", self.compare)
        form.addRow(self.swapped)
        form.addRow("Grid", self.grid)
        form.addRow(params["max_steps"].title, self.steps)
        form.addRow(self.recompute)
        form.addRow(self.summary)

        self._sync()
        self.show_box.toggled.connect(lambda on: session.set_overlay(NAME, on))
        self.rule.currentIndexChanged.connect(
            lambda _i: self._configure(rule=self.rule.currentData()))
        self.compare.currentIndexChanged.connect(
            lambda _i: self._configure(compare=self.compare.currentData()))
        self.swapped.toggled.connect(lambda on: self._configure(swapped=on))
        self.grid.valueChanged.connect(lambda n: self._configure(grid=n))
        self.steps.valueChanged.connect(lambda k: self._configure(max_steps=k))
        self.recompute.clicked.connect(lambda: layer.request(now=True, force=True))
        session.overlays_changed.connect(self._sync)
        session.methods_changed.connect(self._sync)  # a rule registered since, say
        layer.shown.connect(self._summarize)

    def _configure(self, **changes) -> None:
        if None not in changes.values():  # a combo box being refilled
            self.session.configure_overlay(NAME, **changes)

    def _fill(self, combo: QComboBox, with_none: bool) -> None:
        items = ([("(none)", "")] if with_none else []) + [(method_title(n), n) for n in RULES]
        if items != [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())]:
            combo.blockSignals(True)
            combo.clear()
            for text, name in items:
                combo.addItem(text, name)
            combo.blockSignals(False)

    def _sync(self, *_args) -> None:
        s = self.session.overlay_settings(NAME)
        on = NAME in self.session.overlays
        self._fill(self.rule, False)
        self._fill(self.compare, True)
        for widget, value in ((self.show_box, on), (self.swapped, s["swapped"])):
            if widget.isChecked() != value:
                widget.setChecked(value)
        for combo, name in ((self.rule, s["rule"]), (self.compare, s["compare"])):
            i = combo.findData(name)
            if i != combo.currentIndex():
                combo.setCurrentIndex(i)
        for spin, value in ((self.grid, s["grid"]), (self.steps, s["max_steps"])):
            if spin.value() != value:
                spin.setValue(value)
        self.swapped.setEnabled(bool(s["compare"]) and s["compare"] != s["rule"])
        self.recompute.setEnabled(on)

    def _summarize(self) -> None:
        """Share of the grid per outcome of each shown rule, largest first."""
        lines = []
        for m in self.layer.maps:
            parts = [f"{outcome_name(o)} {share_text(o.fraction)}" for o in m.outcomes[:6]]
            more = len(m.outcomes) - 6
            tail = f", {more} more" if more > 0 else ""
            hint = ""
            if all(o.kind == NOT_CONVERGED for o in m.outcomes):
                # Gradient descent at the write-up's lr 0.5 on its Example 3: it rattles.
                summary = method_summary(m.method, m.params)
                hint = (f"<br>No start converges within K = {m.max_steps} steps"
                        f"{f' at {summary}' if summary else ''}: raise K, or change the "
                        f"parameters or the tolerance in the Methods dock.")
            lines.append(f"<b>{escape(method_title(m.method))}</b>: "
                         f"{escape(', '.join(parts))}{tail}{hint}")
        self.summary.setText("<br>".join(lines))
