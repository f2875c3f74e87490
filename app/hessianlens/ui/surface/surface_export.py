"""The 3D view as a PNG (the window's File > Export 3D view, and surface_cli.py).

The picture is rendered by OpenGL into an offscreen buffer at the requested size, then the
legend (each method's colour and status) and a caption (what height and colour show) are
painted over it. Files are written through files.atomic_path.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen

from hessianlens.files import atomic_path, check_png
from hessianlens.ui.export import write_png_bytes

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
    with atomic_path(path, verify=check_png) as tmp:
        write_png_bytes(tmp, image)

