"""``hessianlens export --view surface``: the 3D view as a PNG without a window on screen.

It needs an OpenGL context (a display: X, Wayland, or a virtual one such as Xvfb); the
picture itself is made by surface_export.save_png, as in the window.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import Qt

from hessianlens.cli_args import CliError
from hessianlens.output import write_out
from hessianlens.ui.surface.surface_export import save_png


def _qt_message(_kind, context, text: str) -> None:
    """Qt's warnings to stderr, less the platform plugin's reports of a display it could not
    reach (the command says that itself, in one line) and the offscreen window-manager note."""
    if (context.category or "").startswith("qt.qpa") or "propagateSizeHints" in text:
        return
    sys.stderr.write(f"{text}\n")


def _wait(app, done, timeout_s: float) -> bool:
    end = time.monotonic() + timeout_s
    while not done() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.002)
    return done()


def export_surface(args, state, out: Path) -> int:
    """Render a SessionState's surface to out (PNG) with the window's 3D view."""
    if out.suffix.lower() != ".png":
        raise CliError(f"--view surface writes PNG only: {out}")
    from hessianlens.ui.surface.gl_probe import gl_platform, gl_status, share_gl_contexts

    os.environ["QT_QPA_PLATFORM"] = gl_platform()
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    qInstallMessageHandler(_qt_message)
    share_gl_contexts()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    status = gl_status()
    if not status.available:
        display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        where = f"display {display!r}" if display else "no DISPLAY is set"
        raise CliError(f"no OpenGL context can be made here ({status.reason}; {where}). The "
                       "surface needs a display with OpenGL: run it on a desktop, or under a "
                       "virtual one (xvfb-run -a hessianlens export ...)")
    from hessianlens.ui.plot_view import configure_pyqtgraph
    from hessianlens.ui.session import Session
    from hessianlens.ui.surface.surface_view import SurfacePage

    configure_pyqtgraph()
    session = Session.from_state(state)
    page = SurfacePage(session, native_window=False)
    if args.grid:
        page.grid = args.grid
    width, height = args.size
    page.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)  # drawn, never on screen
    page.resize(max(320, width // 2), max(240, height // 2))
    failed: list[str] = []
    page.worker.failed.connect(failed.append)
    try:
        page.show()
        if page.scene is None:
            raise CliError(f"the 3D view could not be built: {page.status.reason}")
        shown = _wait(app, lambda: page.scene.bundle is not None and page.scene.view.isValid()
                      or failed, 120)
        if failed or not shown:
            raise CliError(failed[0] if failed else "the surface took too long to compute")
        save_png(page.scene, page.legend_entries(), page.caption(), out, width, height)
    except OSError as exc:
        raise CliError(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        page.worker.wait()
        page.close()
        page.deleteLater()
        app.processEvents()
    write_out(f"{out}\n")
    return 0
