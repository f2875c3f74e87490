"""The "Dimensions" tab: is the Hessian worth it as n grows? Measured sweeps over n."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QVBoxLayout, QWidget


class LazyPage(QWidget):
    """A tab page whose content is built the first time it is shown, so start-up does not
    pay for a page the user may never open."""

    def __init__(self, factory: Callable[[], QWidget], parent: QWidget | None = None):
        super().__init__(parent)
        self._factory = factory
        self.content: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def ensure_built(self) -> QWidget:
        if self.content is None:
            self.content = self._factory()
            self._layout.addWidget(self.content)
        return self.content

    def showEvent(self, event) -> None:
        self.ensure_built()
        super().showEvent(event)

    def shutdown(self) -> None:
        """Stop the content's background work, if it was ever built."""
        if self.content is not None and hasattr(self.content, "shutdown"):
            self.content.shutdown()
