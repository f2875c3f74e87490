"""The program's icon, for the window and the application."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from hessianlens.resources import resource_path


def window_icon() -> QIcon:
    """The program icon: the SVG where it exists, and the PNG sizes beside it."""
    icon = QIcon()
    for name in ("icons/hessianlens.svg", *(f"icons/hessianlens-{n}.png" for n in (16, 32, 128, 256))):
        path = resource_path(name)
        if path.is_file():
            icon.addFile(str(path))
    return icon
