"""The plane's still layers drawn as one pixmap per run of them.

The layers that do not change while the paths play (the colours of f, det H, curvature and
stability, the contours, the Newton field; mark_still) are each kept as a pixmap (see
overlays.base.cache_drawing), but a playback frame repaints the whole plane, and blitting ten
pixmaps of the plane's size cost 0.8 ms a frame. Each run of them that no other item comes
between is made the children of one item whose graphics effect draws them from a single
device pixmap: Qt keeps that pixmap until one of them changes (new data, a pen, visibility,
opacity, the zoom) and then draws them into it again, so the picture is the one they make
when drawn one by one. Exports draw them one by one (drawn_directly).
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QGraphicsEffect, QGraphicsItem, QGraphicsObject

STILL_ATTRIBUTE = "_hessianlens_still_layer"


def mark_still(item) -> None:
    """Mark an item of the plane as a layer that does not change during an animation."""
    setattr(item, STILL_ATTRIBUTE, True)


def is_still(item) -> bool:
    return bool(getattr(item, STILL_ATTRIBUTE, False))


class OnePixmap(QGraphicsEffect):
    """Draws its item's children from the device pixmap Qt keeps for its source."""

    def draw(self, painter) -> None:
        self.sourcePixmap(Qt.CoordinateSystem.DeviceCoordinates)  # made when out of date
        self.drawSource(painter)  # draws that pixmap (the offset is Qt's own)


class StillStack(QGraphicsObject):
    """A run of still layers, in their own stacking order, drawn through OnePixmap."""

    def __init__(self, items, parent: QGraphicsItem):
        super().__init__()
        # Given to its parent this way, Qt owns it (a parent passed to the constructor leaves
        # it to Python, which deleted it a second time when the program ended).
        self.setParentItem(parent)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self.setZValue(items[0].zValue())
        self.layers = list(items)
        for item in self.layers:
            item.setParentItem(self)  # keeps its z value: the run's order is unchanged
        self.setGraphicsEffect(OnePixmap())

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt override): draws nothing itself
        return QRectF()

    def paint(self, *args) -> None:
        pass


def stack_still_layers(parent: QGraphicsItem) -> list[StillStack]:
    """Put each run of two or more still children of parent (a view box's child group) that
    no other child is drawn between, and that shares no z value with another child, under a
    StillStack. Children added later are drawn above or below a stack as a whole."""
    children = parent.childItems()  # in stacking order
    runs, run = [], []
    for item in children + [None]:
        if item is not None and is_still(item):
            run.append(item)
            continue
        if len(run) > 1:
            runs.append(run)
        run = []
    others = [c for c in children if not is_still(c)]
    stacks = []
    for run in runs:
        low, high = run[0].zValue(), run[-1].zValue()
        if any(other.zValue() in (low, high) for other in others):
            continue  # a tie would leave the order to when the stack was made
        stacks.append(StillStack(run, parent))
    return stacks


@contextlib.contextmanager
def drawn_directly(scene):
    """Every stack's layers drawn one by one, as vectors where they are (an SVG, an image
    at another resolution), instead of from the screen's pixmap."""
    effects = [item.graphicsEffect() for item in scene.items()
               if isinstance(item, StillStack) and item.graphicsEffect() is not None]
    try:
        for effect in effects:
            effect.setEnabled(False)
        yield
    finally:
        for effect in effects:
            effect.setEnabled(True)
