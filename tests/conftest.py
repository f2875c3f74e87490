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
    After the QApplication, as in the program (Qt's pixmap cache is sized here)."""
    from hessianlens.ui.plot_view import configure_pyqtgraph

    configure_pyqtgraph()
    yield
    delete_top_level_widgets(qapp)


def delete_top_level_widgets(app) -> None:
    """Delete the program's windows and panels that the tests left (closed by qtbot but alive,
    about a hundred main windows) while the QApplication exists, as the program deletes its
    window before it exits. Left to Python's teardown they were destroyed in no defined order,
    after the parentless widgets pyqtgraph keeps for its context menus, and the test process
    ended in a segmentation fault after every test had passed. Those parentless widgets are
    left alone: they belong to Python wrappers, and deleting them here crashed the exit too."""
    from PySide6.QtCore import QEvent

    for widget in app.topLevelWidgets():
        if type(widget).__module__.startswith("hessianlens."):
            widget.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    gc.collect()
