"""Render resources/icons/hessianlens.svg to the PNG sizes desktops ask for.

Run after editing the SVG: ``python packaging/render_icons.py``. Qt's SVG renderer draws
offscreen, so no display is needed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"
SVG = ICON_DIR / "hessianlens.svg"
# The hicolor theme sizes a launcher or a window title bar picks from.
SIZES = (16, 32, 48, 64, 128, 256)


def png_path(size: int, out_dir: Path = ICON_DIR) -> Path:
    return Path(out_dir) / f"hessianlens-{size}.png"


def render(sizes=SIZES, out_dir: Path = ICON_DIR) -> list[Path]:
    """Write hessianlens-<size>.png for every size into out_dir; returns the paths."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # QPainter needs one
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"not a valid SVG: {SVG}")
    written = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        path = png_path(size, out_dir)
        if not image.save(str(path), "PNG"):
            raise SystemExit(f"could not write {path}")
        written.append(path)
    return written


if __name__ == "__main__":
    for p in render():
        print(p)
