"""The 3D view as a PNG, from the window and from ``hessianlens export --view surface``.

The picture is rendered by OpenGL into an offscreen buffer at the requested size, then the
legend (each method's colour and status) and a caption (what height and colour show) are
painted over it. Files are written through files.atomic_path.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen

from hessianlens.files import atomic_path

MAX_PIXELS = 8000
LEGEND_BACKGROUND = QColor(255, 255, 255, 215)
LEGEND_BORDER = QColor(120, 120, 120)


def default_size(width: int, height: int) -> tuple[int, int]:
    """Twice the on-screen size (as the plane's export), within MAX_PIXELS."""
    scale = min(2.0, MAX_PIXELS / max(width, height, 1))
    return max(16, round(width * scale)), max(16, round(height * scale))


def picture(scene, entries: list[tuple[str, str]], caption: str, width: int, height: int
            ) -> QImage:
    """The scene rendered at width x height with the legend and caption painted on it."""
    rgba = scene.render_rgba(width, height)
    rgba[..., 3] = 255  # an opaque picture, whatever alpha the framebuffer kept
    image = QImage(rgba.data, width, height, 4 * width, QImage.Format.Format_RGBA8888).copy()
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont()
        font.setPixelSize(max(11, round(min(width, height) / 50)))
        painter.setFont(font)
        scene.draw_labels(painter, width, height)
        _legend(painter, entries, font)
        if caption:
            painter.setPen(QColor(70, 70, 70))
            margin = font.pixelSize()
            painter.drawText(QRectF(margin, 0, width - 2 * margin, height - margin / 2),
                             Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignLeft
                             | Qt.TextFlag.TextWordWrap, caption)
    finally:
        painter.end()
    return image


def _legend(painter: QPainter, entries, font: QFont) -> None:
    if not entries:
        return
    metrics = QFontMetricsF(font)
    line, pad = metrics.height() * 1.3, font.pixelSize() * 0.6
    swatch = font.pixelSize() * 1.6
    width = max(metrics.horizontalAdvance(label) for _, label in entries) + swatch + 3 * pad
    box = QRectF(pad, pad, width, line * len(entries) + pad)
    painter.setPen(QPen(LEGEND_BORDER))
    painter.setBrush(LEGEND_BACKGROUND)
    painter.drawRect(box)
    for i, (colour, label) in enumerate(entries):
        y = box.top() + pad / 2 + line * (i + 0.5)
        painter.setPen(QPen(QColor(colour), max(2.0, font.pixelSize() / 5)))
        painter.drawLine(int(box.left() + pad), int(y), int(box.left() + pad + swatch), int(y))
        painter.setPen(QColor(0, 0, 0))
        painter.drawText(QRectF(box.left() + 2 * pad + swatch, y - line / 2, width, line),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, label)


def save_png(scene, entries, caption: str, path, width: int, height: int) -> None:
    """Write the picture to path as a PNG, atomically; OSError if it cannot be written."""
    image = picture(scene, entries, caption, width, height)
    with atomic_path(path) as tmp:
        if not image.save(str(tmp), "PNG"):
            raise OSError(f"Qt could not write a PNG to {path}")


# --- hessianlens export --view surface -----------------------------------------------------------

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


def export_surface(args, state, out: Path, CliError) -> int:
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
    session = Session(state.function, state.view, state.start, state.methods)
    session.apply_state(state)
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
    sys.stdout.write(f"{out}\n")
    return 0
