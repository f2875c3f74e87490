"""Start the window: the QApplication, an exception hook that never lets the program die."""

from __future__ import annotations

import sys
import traceback

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from hessianlens import __version__
from hessianlens.ui.settings import APPLICATION, ORGANIZATION


def _install_excepthook(window_getter) -> None:
    """Show an unexpected error in a message box and keep running, instead of aborting."""

    def hook(exc_type, exc, tb):
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        sys.stderr.write(text)
        window = window_getter()
        if window is None:
            return
        try:
            window.show_message(f"Unexpected error: {exc_type.__name__}: {exc}")
            box = QMessageBox(QMessageBox.Icon.Warning, "Hessian Lens: unexpected error",
                              f"{exc_type.__name__}: {exc}", parent=window)
            box.setDetailedText(text)
            box.open()  # not modal-blocking: the event loop keeps running
        except Exception:  # noqa: BLE001 - the hook itself must never fail
            pass

    sys.excepthook = hook


def run_app(argv=None) -> int:
    """Open the main window and run the event loop; returns the exit code."""
    from hessianlens.engine import build
    from hessianlens.memory import keep_freed_memory

    # Functions are built in worker processes: their server starts now, importing sympy on
    # another core while this process builds the window (which never imports sympy).
    build.start_worker(background=True)
    keep_freed_memory()
    from hessianlens.ui.surface.gl_probe import share_gl_contexts

    share_gl_contexts()  # the 3D tab's shaders serve every OpenGL context
    app = QApplication.instance() or QApplication([sys.argv[0], *(argv or [])])
    app.setApplicationName(APPLICATION)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationVersion(__version__)
    # Match packaging/io.github.hessianlens.HessianLens.desktop so docks and task bars group us.
    app.setDesktopFileName("io.github.hessianlens.HessianLens")
    from hessianlens.ui.icon import window_icon
    from hessianlens.ui.main_window import MainWindow
    from hessianlens.ui.plot_view import configure_pyqtgraph

    configure_pyqtgraph()
    app.setWindowIcon(window_icon())

    window = MainWindow()
    _install_excepthook(lambda: window)
    window.show()
    app.gui_thread_collector.freeze_start_up()  # set by configure_pyqtgraph
    code = app.exec()  # safe: Qt event loop, not Python exec
    window.session.shutdown()  # no build, ...
    window.plot_view.shutdown()  # ... and no field job may outlive the window
    window.surface_page.shutdown()
    window.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    return code
