"""Regression: PySide6 6.12.0 on CPython 3.11 drops a reference to None on every call of a
void Qt method, until the interpreter aborts with "none_dealloc: deallocating None"."""

import sys

from PySide6.QtWidgets import QWidget


def test_void_qt_methods_do_not_steal_references_to_none(qtbot):
    w = QWidget()
    qtbot.addWidget(w)
    w.setEnabled(True)
    before = sys.getrefcount(None)
    for _ in range(20_000):
        w.setEnabled(True)
        w.setToolTip("x")
        w.update()
    # Other code may take or drop a few references meanwhile; the bug drops one per call.
    assert sys.getrefcount(None) >= before - 100
