"""The methods panel: a compact list of every method (enable box, colour, title) and, below,
the selected method's parameters (built from its rule's Params), steps and tolerance."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QColorDialog, QFormLayout, QGroupBox, QLabel,
                               QListWidget, QListWidgetItem, QPushButton, QSpinBox, QVBoxLayout,
                               QWidget)

from hessianlens.engine.explain import method_explanation, method_title
from hessianlens.engine.rules import RULES
from hessianlens.model import TOL_RANGE
from hessianlens.ui.param_editors import ParamEditor, ScientificSpinBox

MAX_STEPS_RANGE = (1, 100_000)
NAME_ROLE = Qt.ItemDataRole.UserRole


def colour_icon(colour: str, size: int = 14) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


class MethodsPanel(QWidget):
    """Every method of the session; edits go to session.update_method. Choosing a method in
    the list selects it in the session (the inspector follows), and the other way round."""

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setIconSize(QSize(14, 14))
        self.list.setUniformItemSizes(True)
        self.list.setToolTip("Tick a method to trace it from the start point; choose one to "
                             "edit its settings below")
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setToolTip("The selected method and what its step does")
        self.colour = QPushButton("Colour...")
        self.colour.setToolTip("Colour of the selected method's path, legend entry and curves")
        self.max_steps = QSpinBox()
        self.max_steps.setRange(*MAX_STEPS_RANGE)
        self.max_steps.setToolTip("The method stops after this many steps (or when the "
                                  "window's second for tracing runs out: the key then says "
                                  "'out of time')")
        self.tol = ScientificSpinBox()
        self.tol.setRange(*TOL_RANGE)
        self.tol.setToolTip("Converged when |grad f| falls below this tolerance (type e.g. "
                            "1e-8; the arrows multiply or divide by 10)")
        for spin in (self.max_steps, self.tol):
            spin.setKeyboardTracking(False)  # retrace on Enter or the arrows, not per keystroke
            spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.form_box = QGroupBox("Settings")
        self.form = QFormLayout(self.form_box)
        self.form.addRow(self.heading)
        self.form.addRow("Colour", self.colour)
        self.editors: dict[str, ParamEditor] = {}  # the shown method's parameters
        self.form.addRow("Max steps", self.max_steps)
        self.form.addRow("Tolerance", self.tol)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.form_box)

        self.current = ""  # the method whose settings the form shows
        self.list.itemChanged.connect(self._item_changed)
        self.list.currentItemChanged.connect(self._current_changed)
        self.colour.clicked.connect(lambda: self.pick_colour(self.current))
        self.max_steps.valueChanged.connect(lambda v: self._edit(max_steps=int(v)))
        self.tol.valueChanged.connect(lambda v: self._edit(tol=float(v)))
        session.methods_changed.connect(self.refresh)
        session.selection_changed.connect(self._follow_selection)
        self.refresh()
        self._follow_selection()

    # --- the list ------------------------------------------------------------------------
    def names(self) -> list[str]:
        return [self.list.item(i).data(NAME_ROLE) for i in range(self.list.count())]

    def item(self, name: str) -> QListWidgetItem | None:
        return next((self.list.item(i) for i in range(self.list.count())
                     if self.list.item(i).data(NAME_ROLE) == name), None)

    def select_method(self, name: str) -> None:
        """Choose a method in the list, as a click does."""
        self.list.setCurrentItem(self.item(name))

    def refresh(self) -> None:
        """Follow the session's methods: rebuild the list if the set changed, else update it."""
        methods = self.session.methods
        self.list.blockSignals(True)
        if list(methods) != self.names():
            self.list.clear()
            for name in methods:
                item = QListWidgetItem(method_title(name))
                item.setData(NAME_ROLE, name)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                              | Qt.ItemFlag.ItemIsUserCheckable)
                explanation = method_explanation(name)
                item.setToolTip(f"{method_title(name)}: {explanation}" if explanation
                                else method_title(name))
                self.list.addItem(item)
        for name, config in methods.items():
            item = self.item(name)
            item.setCheckState(Qt.CheckState.Checked if config.enabled
                               else Qt.CheckState.Unchecked)
            item.setIcon(colour_icon(config.colour))
        self.list.blockSignals(False)
        self._show_form(self.current if self.current in methods else
                        next(iter(methods), ""))

    def _item_changed(self, item: QListWidgetItem) -> None:
        name = item.data(NAME_ROLE)
        on = item.checkState() == Qt.CheckState.Checked
        if name in self.session.methods and self.session.methods[name].enabled != on:
            self.session.update_method(name, enabled=on)

    def _current_changed(self, item, _previous=None) -> None:
        if item is None:
            return
        name = item.data(NAME_ROLE)
        self._show_form(name)
        if name != self.session.selected_method:
            self.session.select(name)

    def _follow_selection(self) -> None:
        name = self.session.selected_method
        if name and name != self.current and self.item(name) is not None:
            self.list.blockSignals(True)
            self.list.setCurrentItem(self.item(name))
            self.list.blockSignals(False)
            self._show_form(name)

    # --- the form of one method --------------------------------------------------------------
    def _show_form(self, name: str) -> None:
        """Show the settings of a method: its parameters' editors (rebuilt when it has other
        parameters than the one shown), steps and tolerance."""
        config = self.session.methods.get(name)
        self.form_box.setEnabled(config is not None)
        if config is None:
            return
        rule = RULES.get(name)
        params = rule.params if rule is not None else ()
        if name != self.current or [p.name for p in params] != list(self.editors):
            for editor in self.editors.values():
                self.form.removeRow(editor)
            self.editors = {}
            for i, param in enumerate(params):
                editor = ParamEditor(param)
                editor.value_changed.connect(lambda v, p=param.name: self._edit(**{p: v}))
                label = QLabel(param.title)
                label.setToolTip(editor.widget.toolTip())
                self.form.insertRow(2 + i, label, editor)
                self.editors[param.name] = editor
        self.current = name
        self.heading.setText(f"<b>{escape(method_title(name))}</b>: "
                             f"{escape(method_explanation(name))}")
        for key, editor in self.editors.items():
            editor.set_value(config.params[key])
        for spin, value in ((self.max_steps, config.max_steps), (self.tol, config.tol)):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)

    def _edit(self, **changes) -> None:
        if self.current in self.session.methods:
            self.session.update_method(self.current, **changes)

    def pick_colour(self, name: str) -> None:
        """Ask for a new colour for a method (QColorDialog); cancelling keeps the old one."""
        config = self.session.methods.get(name)
        if config is None:
            return
        colour = QColorDialog.getColor(QColor(config.colour), self,
                                       f"Colour of {method_title(name)}")
        if colour.isValid():
            self.session.update_method(name, colour=colour.name())
