"""The export dialog: format, pixel size (kept in the view's proportions), light background."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout,
                               QHBoxLayout, QLabel, QSpinBox, QWidget)

from hessianlens.ui.animation import ffmpeg_path

MAX_PIXELS = 8000
FORMATS = {
    "image": (("png", "PNG image", "PNG images (*.png)"),
              ("svg", "SVG drawing (vector)", "SVG drawings (*.svg)")),
    "animation": (("gif", "Animated GIF", "GIF images (*.gif)"),
                  ("png-sequence", "Numbered PNG sequence", "PNG images (*.png)"),
                  ("mp4", "MP4 video (H.264, by ffmpeg)", "MP4 videos (*.mp4)"),
                  ("webm", "WebM video (VP9, by ffmpeg)", "WebM videos (*.webm)")),
}
VIDEO = ("mp4", "webm")  # offered only when an ffmpeg is on PATH
SUFFIXES = {"png": ".png", "svg": ".svg", "gif": ".gif", "png-sequence": ".png",
            "mp4": ".mp4", "webm": ".webm"}


@dataclass(frozen=True)
class ExportOptions:
    format: str  # a key of FORMATS' entries: png, svg, gif, png-sequence, mp4, webm
    width: int
    height: int
    light: bool = False

    @property
    def file_filter(self) -> str:
        return next(f for group in FORMATS.values() for key, _, f in group if key == self.format)


class ExportDialog(QDialog):
    """Ask how to export; `options()` gives the answer."""

    def __init__(self, kind: str, size: tuple[int, int], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export image" if kind == "image" else "Export animation")
        self.aspect = size[0] / max(size[1], 1)
        self.format = QComboBox()
        has_ffmpeg = ffmpeg_path() is not None
        for key, title, _ in FORMATS[kind]:
            if key not in VIDEO or has_ffmpeg:
                self.format.addItem(title, key)
        self.format.setToolTip("PNG: pixels at the size below; SVG: lines and text stay sharp at "
                               "any zoom" if kind == "image" else
                               "One frame per playback step, from step 0 to the last")
        self.width_box, self.height_box = QSpinBox(), QSpinBox()
        for box, value, tip in ((self.width_box, size[0], "Width in pixels"),
                                (self.height_box, size[1], "Height in pixels")):
            box.setRange(16, MAX_PIXELS)
            box.setValue(int(value))
            box.setSuffix(" px")
            box.setToolTip(f"{tip} (the height follows the width in the view's proportions)")
        self.width_box.valueChanged.connect(self._width_changed)
        self.height_box.valueChanged.connect(self._height_changed)
        self.light = QCheckBox("Light background (for print)")
        self.light.setToolTip("Wash out the colour image of f and draw its contours dark, so a "
                              "printer does not lay down a dark sheet")
        size_row = QHBoxLayout()
        for w in (self.width_box, QLabel("\u00d7"), self.height_box):
            size_row.addWidget(w)
        form = QFormLayout(self)
        form.addRow("Format", self.format)
        form.addRow("Size", size_row)
        form.addRow("", self.light)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._linking = False

    def _width_changed(self, w: int) -> None:
        self._link(self.height_box, round(w / self.aspect))

    def _height_changed(self, h: int) -> None:
        self._link(self.width_box, round(h * self.aspect))

    def _link(self, box: QSpinBox, value: int) -> None:
        if self._linking:
            return
        self._linking = True
        try:
            box.setValue(max(16, min(MAX_PIXELS, value)))
        finally:
            self._linking = False

    def options(self) -> ExportOptions:
        return ExportOptions(self.format.currentData(), self.width_box.value(),
                             self.height_box.value(), self.light.isChecked())
