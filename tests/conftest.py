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
