"""The 3D view as a PNG (the window's File > Export 3D view, and surface_cli.py).

The scene is rendered by OpenGL into an offscreen buffer at the requested width, the legend
(each method's colour and status) painted over it, and the caption (what height and colour
show) goes in a white band below it. Files are written through files.atomic_path.
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
    """The picture at width x height: the scene with its axis labels and the legend on it,
    and the caption in a white band of its own below (painted over the scene, it hid the
    labels near the bottom edge, such as "y = -1")."""
    font = QFont()
    font.setPixelSize(max(11, round(min(width, height) / 50)))
    margin = font.pixelSize()
    band = caption_band(font, caption, width, height)
    scene_height = height - band
    rgba = scene.render_rgba(width, scene_height)
    rgba[..., 3] = 255  # an opaque picture, whatever alpha the framebuffer kept
    rendered = QImage(rgba.data, width, scene_height, 4 * width,
                      QImage.Format.Format_RGBA8888)
    image = QImage(width, height, QImage.Format.Format_RGBA8888)
    image.fill(QColor(255, 255, 255))
    painter = QPainter(image)
    try:
        painter.drawImage(0, 0, rendered)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(font)
        scene.draw_labels(painter, width, scene_height)
        _legend(painter, entries, font)
        if caption:
            painter.setPen(QColor(70, 70, 70))
            painter.drawText(QRectF(margin, scene_height, width - 2 * margin, band),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
                             | Qt.TextFlag.TextWordWrap, caption)
    finally:
        painter.end()
    return image


def caption_band(font: QFont, caption: str, width: int, height: int) -> int:
    """Pixels below the scene for the caption wrapped to the picture's width (at most half
    the picture; 0 without a caption)."""
    if not caption:
        return 0
    margin = font.pixelSize()
    text = QFontMetricsF(font).boundingRect(QRectF(0, 0, max(1, width - 2 * margin), 1e6),
                                            int(Qt.TextFlag.TextWordWrap), caption)
    return min(height // 2, int(text.height() + margin + 0.999))


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

