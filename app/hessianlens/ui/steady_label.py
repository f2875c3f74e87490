"""A label whose new text lays its window out again only when the label's size changes.

A QLabel asks its parent's layout to lay out again on every new text, whatever the size of
the text; the inspector's twenty rows and its heading change on every playback step, and the
layout of the panel (and, from the heading, of the dock and the whole main window) was done
again each time. SteadyLabel puts the label in a holder without a layout, which takes the
label's place in the layout with the label's own size hints: a new text reaches the layout
only when those hints change, and the label is laid out exactly where it was before.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize
from PySide6.QtWidgets import QLabel, QWidget


class SteadyLabel(QWidget):
    """Holds ``label`` (filling the holder); put the holder in a layout in its place."""

    def __init__(self, label: QLabel, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = label
        label.setParent(self)
        self._hints = None  # (size hint, minimum size hint, policy, height for width, width)
        self._measure()

    def _measure(self) -> bool:
        """Take the label's size hints and policy; True when the layout must hear of them:
        they changed, or its height for the holder's width did at the same width (a new
        width is the layout's own doing and it knows the height for it)."""
        label = self.label
        policy = label.sizePolicy()
        width = self.width()
        hints = (label.sizeHint(), label.minimumSizeHint(), policy,
                 label.heightForWidth(width) if label.hasHeightForWidth() else -1, width)
        old, self._hints = self._hints, hints
        if self.sizePolicy() != policy:
            self.setSizePolicy(policy)
        return old is None or old[:3] != hints[:3] or (old[4] == width and old[3] != hints[3])

    def set_text(self, text: str) -> None:
        """The label's new text; the layout hears of it at once if its size changed, as it
        would of the label's own (a new text told by the label's posted event instead reached
        the layout one turn of the event loop later)."""
        if text != self.label.text():
            self.label.setText(text)
            if self._measure():
                self.updateGeometry()

    # The label's hints as the holder's: the layout places the holder as it placed the label.
    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return self.label.sizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return self.label.minimumSizeHint()

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt override)
        return self.label.hasHeightForWidth()

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt override)
        return self.label.heightForWidth(width)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self.label.setGeometry(self.rect())
        if self._measure():  # a new text that came with the resize
            self.updateGeometry()

    def event(self, event) -> bool:
        # A label without a parent layout posts LayoutRequest to its parent on a new text
        # while the parent is visible; one that changed while hidden is caught up on show.
        if event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.Show):
            if self._measure():
                self.updateGeometry()
            if event.type() == QEvent.Type.LayoutRequest:
                return True
        return super().event(event)
