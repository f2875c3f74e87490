"""Where the docks start: one column on each side of the plane, the plane at least half wide.

Every dock of a side joins that side's column. The first dock of the left side (the function
editor) sits above a group of tabs holding the others; on the right all docks share one group
of tabs, and where the window is tall enough (not on 1366 x 768 screens) the first of them
(the inspector) moves above the others. A dock added later (a new panel) joins its side's
tabs without any change here. Once the user has moved docks, the remembered layout wins.

:func:`group` runs before the window is shown (stacked docks would add up their minimum
heights and push a small window's bottom off the screen); :func:`size` when it is first shown.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QObject, QPoint, Qt
from PySide6.QtWidgets import (QDockWidget, QHBoxLayout, QMainWindow, QSpacerItem, QTabBar,
                               QTabWidget, QWidget)

LEFT, RIGHT = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
# Column widths as fractions of the window's width, within [min, max] pixels.
WIDTHS = {LEFT: (0.19, 200, 330), RIGHT: (0.22, 240, 420)}
TALL = 900  # a window at least this high shows the inspector above the right-hand tabs
TOP_SHARE = {LEFT: 0.36, RIGHT: 0.55}  # the top dock's share of a split column
# Dock tabs with less padding than the style's: on a 1366-pixel screen the right-hand column's
# four tabs read "Inspe...", "Converge...", "R...", "Sw...".
TAB_STYLE = "QTabBar::tab { padding: 4px 5px; }"


class _CompactTabs(QObject):
    """Gives every tab bar the window makes for its docks TAB_STYLE (Qt makes one per group of
    tabbed docks, and new ones when the user regroups them)."""

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.ChildPolished and isinstance(event.child(), QTabBar):
            event.child().setStyleSheet(TAB_STYLE)
        return False


def _sides(window: QMainWindow, docks: list[QDockWidget]) -> dict:
    sides: dict = {}
    for dock in docks:
        sides.setdefault(window.dockWidgetArea(dock), []).append(dock)
    return sides


def group(window: QMainWindow, docks: list[QDockWidget]) -> None:
    """Tab every side's docks together, less the left side's first."""
    window.compact_tabs = _CompactTabs(window)
    window.installEventFilter(window.compact_tabs)
    for area, docks_ in _sides(window, docks).items():
        tabbed = docks_[1:] if area == LEFT else docks_
        for dock in tabbed[1:]:
            window.tabifyDockWidget(tabbed[0], dock)
        if tabbed:
            tabbed[0].raise_()


def size(window: QMainWindow, docks: list[QDockWidget]) -> None:
    """Split the right-hand tabs on a tall window; give each column its width and split."""
    sides = _sides(window, docks)
    tops = {}
    if LEFT in sides and len(sides[LEFT]) > 1:
        tops[LEFT] = (sides[LEFT][0], sides[LEFT][1])
    right = sides.get(RIGHT, [])
    if window.height() >= TALL and len(right) > 1:
        # splitDockWidget keeps tabbed docks tabbed: the others leave the group and come back
        # below the first, tabbed together there.
        for dock in right[1:]:
            window.removeDockWidget(dock)
        window.addDockWidget(RIGHT, right[1])
        for dock in right[1:]:
            dock.show()
        for dock in right[2:]:
            window.tabifyDockWidget(right[1], dock)
        right[1].raise_()
        tops[RIGHT] = (right[0], right[1])
    columns = [(docks_[-1] if area == LEFT else docks_[0], area)
               for area, docks_ in sides.items() if area in WIDTHS]
    width = window.width()
    window.resizeDocks([d for d, _ in columns], [_width(width, WIDTHS[a]) for _, a in columns],
                       Qt.Orientation.Horizontal)
    height = window.centralWidget().height()
    for area, (top, below) in tops.items():
        share = TOP_SHARE[area]
        window.resizeDocks([top, below], [int(share * height), int((1 - share) * height)],
                           Qt.Orientation.Vertical)


def _width(window_width: int, spec) -> int:
    fraction, low, high = spec
    return int(min(max(fraction * window_width, low), high))


class DocksAway:
    """Hides the docks while a page that needs the whole window is in front, and brings them
    back at the sizes they had (shown again, Qt would size them anew); the tabs meanwhile stay
    where they were, not in the left-hand docks' old place under the mouse."""

    def __init__(self, window: QMainWindow, tabs: QTabWidget, docks: dict):
        self.window, self.tabs, self.docks = window, tabs, docks
        self.hidden: list[QDockWidget] = []
        self.state = QByteArray()
        self.indent = QSpacerItem(0, 1)  # left of the tabs while the docks are hidden
        self.corner = QWidget()
        row = QHBoxLayout(self.corner)
        row.setContentsMargins(0, 0, 0, 0)
        row.addItem(self.indent)
        tabs.setCornerWidget(self.corner, Qt.Corner.TopLeftCorner)
        self.corner.hide()

    def leave(self) -> None:
        if self.hidden:
            return
        self.indent.changeSize(self.tabs.mapTo(self.window, QPoint(0, 0)).x(), 1)
        self.corner.layout().invalidate()
        self.state = self.window.saveState()
        self.hidden = [d for d in self.docks.values() if d.isVisible()]
        for dock in self.hidden:
            dock.hide()
        self.corner.show()

    def come_back(self) -> None:
        self.corner.hide()
        if not self.hidden:
            return
        for dock in self.hidden:
            dock.show()
        self.window.restoreState(self.state)
        self.hidden = []
