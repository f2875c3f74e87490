import gc
import os

# Qt tests run offscreen: no screen on CI machines. Set before any Qt import.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import pytest  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def pyqtgraph_as_the_program_sets_it(qapp):
    """pyqtgraph's global options as the window and the exports set them (antialiased,
    segmented lines): without this a test drew as the program does only when an earlier test
    (the bench's) happened to set them, and the SVG comparison run alone saw jagged edges.
    After the QApplication, as in the program (Qt's pixmap cache is sized here; garbage is
    collected on the GUI thread, by a timer)."""
    from hessianlens.ui.plot_view import configure_pyqtgraph

    configure_pyqtgraph()
    yield
    delete_top_level_widgets(qapp)
    gc.collect()


@pytest.fixture(autouse=True)
def windows_deleted_after_each_test(qapp):
    """After each test (and after qtbot has closed them), its windows and panels are deleted,
    as the program deletes its window before it exits. Left to the garbage collector, a
    closed window's Python objects were torn down in no defined order while Qt still laid
    out its items (pyqtgraph's LabelItem asked for a size after its attributes were gone, in
    a later test); left to Python's exit, the test process ended in a segmentation fault
    after every test had passed."""
    yield
    delete_top_level_widgets(qapp)


def delete_top_level_widgets(app) -> None:
    """Delete the program's top-level widgets (its jobs stopped first) while the
    QApplication exists. The parentless widgets pyqtgraph keeps for its context menus are
    left alone: they belong to Python wrappers, and deleting them crashed the exit."""
    from PySide6.QtCore import QEvent

    for widget in app.topLevelWidgets():
        if type(widget).__module__.startswith("hessianlens."):
            shutdown = getattr(widget, "shutdown", None)
            if callable(shutdown):
                shutdown()
            widget.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
