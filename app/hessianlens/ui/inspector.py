"""The inspector: the write-up's numbers and their meaning at the selected method's iterate."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QScrollArea,
                               QSizePolicy, QVBoxLayout, QWidget)

from hessianlens.engine import explain
from hessianlens.engine.rules import RULES
from hessianlens.engine.explain import fmt_matrix, fmt_number, fmt_vector
from hessianlens.ui.jobs import Job
from hessianlens.ui.repaint_gate import call_now
from hessianlens.ui.steady_label import SteadyLabel

# (row label, tooltip), in display order. The values come from explain.inspect_point.
ROWS = (
    ("curvature", "The curvature class of H and where Newton heads"),
    ("flags", "What went wrong with the step this method took from here"),
    ("in words", "What the numbers mean"),
    ("x", "Position of the iterate"),
    ("f", "f at the iterate"),
    ("grad f", "Exact gradient (sympy)"),
    ("|grad f|", "Length of the gradient: zero at a stationary point"),
    ("H", "Exact Hessian (sympy)"),
    ("H^-1", "Inverse Hessian: the write-up's 'optimal learning rate' matrix"),
    ("eigenvalues", "Eigenvalues of H, low and high: their signs decide the curvature"),
    ("det H", "Determinant of H: negative means a saddle-shaped model"),
    ("Newton step", "The full Newton step -H^-1 grad f (learning rate 1)"),
    ("f after Newton", "f at x + Newton step"),
    ("half Newton step", "Half the Newton step: the step the first write-up prints, whose "
                          "Newton method runs with learning rate 0.5 (at Example 3's start "
                          "(3.1, 1.3): (-0.11, -0.44) and f 0.97)"),
    ("f after half step", "f at x + half the Newton step (the write-up's f after its step)"),
    ("gradient step", "-lr * grad f, with the learning rate of gradient descent (or 1)"),
    ("f after gradient", "f at x + gradient step"),
    ("relatives", "How each enabled relative of Newton's method (quasi-Newton, trust region, "
                  "momentum, adaptive rates) relates to the Newton step at its current iterate"),
    ("numdifftools grad", "The gradient by numerical differentiation, as the write-up computed it"),
    ("numdifftools H", "The Hessian by numerical differentiation"),
    ("largest difference", "Largest difference between exact and numdifftools derivatives"),
)

COMPARISON_ROWS = ("numdifftools grad", "numdifftools H", "largest difference")
# numdifftools takes 2-20 ms a point (and importing it with scipy 0.3 s the first time): it
# runs in the background once the iterate has rested this long, so that playback, drags and
# the window itself only wait for the exact numbers.
COMPARE_DELAY_MS = 150

# Sentences, shown first and wrapped to the panel's width (the story the numbers tell);
# the relatives (under their caption) and "largest difference" close the numbers.
STORY_ROWS = ("curvature", "flags", "in words")
WORD_ROWS = (*STORY_ROWS, "relatives", "largest difference")


def bullets(lines) -> str:
    return "\n".join(f"• {line}" for line in lines)


def gradient_learning_rate(session) -> tuple[float, str | None]:
    """The gradient step's lr and the method it is taken from: gradient descent's, or a
    bare 1 (None) when there is no such method."""
    gd = session.methods.get("gd")
    return (float(gd.learning_rate), "gd") if gd is not None else (1.0, None)


class InspectorPanel(QWidget):
    """Shows session.selected_iterate(): x, f, grad, H, H^-1, ..., in numbers and words."""

    _refresh_requested = Signal()  # queued: see _schedule

    def __init__(self, session, parent: QWidget | None = None, defer=call_now):
        super().__init__(parent)
        self.session = session
        self._defer = defer  # when to refresh after the session changes
        self.inspection: explain.PointInspection | None = None
        self.comparison = None  # objective.compare_at(x) for the shown iterate, once computed
        self.iterate = None

        self.method_box = QComboBox()
        self.method_box.setToolTip("The method whose current iterate is inspected")
        self.method_box.currentIndexChanged.connect(self._method_chosen)
        # A preset's note stays here, above the numbers, until the function or session
        # changes (the status bar shows only its headline, for a few seconds).
        self.note = QLabel()
        self.note.setObjectName("preset_note")
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note.setToolTip("The preset's note: what its methods do here")
        self.note.setStyleSheet("background: palette(alternate-base); padding: 4px;")
        self.note.hide()
        self._note_function: str | None = None  # the function the note is about
        self.heading = QLabel()
        self.heading.setToolTip("Which iterate is shown, and how the method ended")
        self.heading.setWordWrap(True)
        # The story first, in wrapping sentences; then one row per number: a label with a
        # tooltip and a selectable value that never wraps (a value too wide for its row
        # goes under its label, whole: a wrapped "[2.400454, 1.418207]" lost its second row).
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        page = QWidget()
        column = QVBoxLayout(page)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.values: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        for label, tip in ROWS:
            name, value = QLabel(label), QLabel()
            for w in (name, value):
                w.setToolTip(tip)
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if label in WORD_ROWS:
                value.setWordWrap(True)
                value.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            else:
                value.setFont(mono)
            self.values[label] = value
            self.captions[label] = name
        # Each value in a holder: a new number lays the page out again only when its size
        # changes (see steady_label).
        rows = {label: SteadyLabel(value) for label, value in self.values.items()}
        self._rows = rows
        for label in STORY_ROWS:
            column.addWidget(rows[label])
        column.addLayout(form)
        for label, _ in ROWS:
            if label not in WORD_ROWS:
                form.addRow(self.captions[label], rows[label])
        column.addWidget(self.captions["relatives"])
        column.addWidget(rows["relatives"])
        column.addWidget(rows["largest difference"])
        column.addStretch(1)
        self.values["flags"].setStyleSheet("color: #b00020;")
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)
        self.scroll = scroll

        top = QHBoxLayout()
        top.addWidget(QLabel("Method"))
        top.addWidget(self.method_box, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addLayout(top)
        self._heading_row = SteadyLabel(self.heading)  # a new heading on every step
        # Its own background: a new heading repaints it alone, not the dock's frame behind.
        self._heading_row.setAutoFillBackground(True)
        layout.addWidget(self._heading_row)
        layout.addWidget(scroll, 1)

        # Several signals arrive together (a new start point retraces and moves the step):
        # they fold into one refresh, posted as an event. Qt delivers it before the window's
        # low-priority repaint request, so the new numbers paint with the plane, in the same
        # pass (a zero-delay timer ran after that paint and cost a second one).
        self._refresh_posted = False
        self._refresh_requested.connect(self.refresh, Qt.ConnectionType.QueuedConnection)
        self._compare_timer = QTimer(self)
        self._compare_timer.setSingleShot(True)
        self._compare_timer.setInterval(COMPARE_DELAY_MS)
        self._compare_timer.timeout.connect(self.compare)
        self._compare_job = Job(parent=self)
        self._compare_job.finished.connect(self._compared)
        session.function_changed.connect(self._function_changed)
        for signal in (session.function_changed, session.trajectories_changed,
                       session.step_changed, session.selection_changed, session.methods_changed):
            signal.connect(self._schedule)
        self.refresh()

    def set_note(self, text: str) -> None:
        """Show a preset's note ("" hides it) for the session's current function."""
        self._note_function = self.session.function_text if text else None
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def _schedule(self, *_) -> None:
        self._defer(self._post_refresh)

    def _post_refresh(self) -> None:
        if not self._refresh_posted:
            self._refresh_posted = True
            self._refresh_requested.emit()

    def _function_changed(self) -> None:
        if self._note_function is not None and self.session.function_text != self._note_function:
            self.set_note("")  # another function: the note no longer speaks of it

    def _method_chosen(self, index: int) -> None:
        name = self.method_box.itemData(index)
        if name and name != self.session.selected_method:
            self.session.select(name)

    def _fill_methods(self) -> None:
        """One combo entry per session method ("(off)" when disabled), the selected current."""
        box, session = self.method_box, self.session
        items = [(explain.method_title(name) + ("" if config.enabled else " (off)"), name)
                 for name, config in session.methods.items()]
        box.blockSignals(True)
        if items != [(box.itemText(i), box.itemData(i)) for i in range(box.count())]:
            box.clear()
            for i, (text, name) in enumerate(items):
                box.addItem(text, name)
                box.setItemData(i, explain.method_explanation(name),
                                Qt.ItemDataRole.ToolTipRole)
        box.setCurrentIndex(box.findData(session.selected_method))
        box.blockSignals(False)

    def value_text(self, label: str) -> str:
        """The text shown in the row of that label (see ROWS)."""
        return self.values[label].text()

    def _set(self, label: str, text: str) -> None:
        self._rows[label].set_text(text)

    def refresh(self) -> None:
        """Show the exact numbers for the selected iterate; numdifftools follows shortly."""
        self._refresh_posted = False
        self._fill_methods()
        session = self.session
        name = session.selected_method
        it = session.selected_iterate()
        self.iterate = it
        if it is None and session.objective is None:  # the first function is being built
            self.inspection = self.comparison = None
            self._heading_row.set_text("")
            for label in self.values:
                self._set(label, "")
            return
        if it is None:
            self.inspection = self.comparison = None
            self._compare_timer.stop()
            self._heading_row.set_text(
                f"{explain.method_title(name)} is not enabled: enable it in the methods panel "
                f"to inspect its iterates" if name else "No method to inspect")
            for label in self.values:
                self._set(label, "")
            return
        traj = session.trajectories[name]
        ins = explain.inspect_point(session.objective, it.x, *gradient_learning_rate(session))
        self.inspection, self.comparison = ins, None
        end = f": {traj.message}" if session.is_finished(name) else ""
        self._heading_row.set_text(f"{explain.method_title(name)}, iterate {it.k} of "
                                   f"{traj.steps_taken}{end}")
        self.heading.setToolTip(f"{explain.method_title(name)}: "
                                f"{explain.method_explanation(name)}")
        told = explain.story(ins, it, name)
        flags = told.flags
        half = ins.half_newton_step
        values = {
            "x": fmt_vector(ins.x),
            "f": fmt_number(ins.f),
            "grad f": fmt_vector(ins.grad),
            "|grad f|": fmt_number(ins.grad_norm),
            "H": fmt_matrix(ins.hessian),
            "H^-1": fmt_matrix(ins.inverse) if ins.inverse is not None else "none: H is singular",
            "eigenvalues": fmt_vector(ins.eigenvalues),
            "det H": fmt_number(ins.det),
            "curvature": told.curvature,
            "Newton step": fmt_vector(ins.newton_step),
            "f after Newton": ("none" if ins.newton_step is None
                               else fmt_number(ins.f_after_newton)),
            "half Newton step": fmt_vector(half),
            "f after half step": "none" if half is None else fmt_number(ins.f_after_half_newton),
            "gradient step": fmt_vector(ins.gradient_step),
            "f after gradient": fmt_number(ins.f_after_gradient),
            "flags": bullets(flags) if flags else "",
            "in words": bullets(told.words),
            "relatives": bullets(self.relation_lines()) or "none enabled",
        }
        values.update(dict.fromkeys(COMPARISON_ROWS, "…"))
        for label, text in values.items():
            self._set(label, text)
        rate = explain.rate_words(ins, name)  # "gradient descent's lr 0.5" under BFGS, Adam...
        # another method's rate on a line of its own: the caption column stays narrow
        self.captions["gradient step"].setText(
            f"gradient step{' ' if rate.startswith('lr') else chr(10)}({rate})")
        self._rows["flags"].setVisible(bool(flags))
        self._compare_job.cancel()
        self._compare_timer.start()

    def relation_lines(self) -> list[str]:
        """One line per enabled method that relates its step to Newton's, at the iterate the
        plane shows for it (the selected method first)."""
        session = self.session
        names = [m.name for m in session.enabled_methods()]
        names.sort(key=lambda n: n != session.selected_method)
        lines = []
        for name in names:
            traj = session.trajectories.get(name)
            rule_class = RULES.get(name)
            if traj is None or rule_class is None:
                continue
            rule = rule_class(**session.methods[name].params)
            words = explain.relation_words(rule, traj, session.step)
            if words:
                lines.append(words)
        return lines

    def compare(self) -> None:
        """Exact against numdifftools derivatives at the shown iterate (the write-up's way),
        computed in the background."""
        self._compare_timer.stop()
        if self.iterate is None:
            return
        objective, it = self.session.objective, self.iterate
        self._compare_job.request(lambda _ticket: (objective, it, objective.compare_at(it.x)),
                                  now=True)

    def busy(self) -> bool:
        """True while the comparison waits or runs."""
        return self._refresh_posted or self._compare_timer.isActive() or \
            self._compare_job.busy()

    def _compared(self, result) -> None:
        if not result.ok:
            self._set("largest difference", f"numdifftools failed: {result.error}")
            return
        objective, it, cmp = result.value
        if it is not self.iterate or objective is not self.session.objective:
            return  # for an iterate no longer shown
        self.comparison = cmp
        self._set("numdifftools grad", fmt_vector(cmp.numerical.grad))
        self._set("numdifftools H", fmt_matrix(cmp.numerical.hessian))
        self._set("largest difference", explain.comparison_words(cmp))
