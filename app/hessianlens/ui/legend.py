"""A legend outside the plot: a key in rows and columns, in its own cell of a GraphicsLayout.

The plane, the convergence plots and the 1D page put their keys beside the data, never over
it, so a key hides no path and a click on it never reaches the plot (pyqtgraph's own legend
sits on the view box, and a click on one of its samples hides the item it names). The box's
height follows the number of rows and changes only when the entries or the width change: a
label whose words change every playback step (a status, "step 12") moves nothing else.
"""

from __future__ import annotations

import html

import pyqtgraph as pg
from PySide6.QtCore import QRectF, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QSizePolicy

SAMPLE = 22  # width of a sample, pixels
ROW = 20  # height of a row
GAP = 14  # between a label and the next column's sample
MARGIN = 4
# Room left for a label to grow (a status replacing "step 3") before the columns are redone.
SLACK = 30


class QuietSample(pg.ItemSample):
    """A legend sample that takes a click and does nothing (pyqtgraph's hides the item)."""

    def mouseClickEvent(self, event):  # noqa: N802 (pyqtgraph override)
        event.accept()

    def paint(self, p, *args):
        """pyqtgraph's sample, over the line's casing (its shadowPen) where it has one: a white
        line keyed on the white legend would otherwise be invisible."""
        shadow = getattr(self.item, "opts", {}).get("shadowPen")
        if shadow is not None and self.item.isVisible():
            p.setPen(pg.mkPen(shadow))
            p.drawLine(0, 11, 20, 11)
        super().paint(p, *args)


class LegendBox(pg.GraphicsWidget):
    """Entries (item, label) laid out in as many columns as the width allows."""

    def __init__(self, text_colour: str = "k", text_size: str = "9pt", max_columns: int = 4,
                 max_share: float | None = None, slack: float = SLACK):
        """max_share: the most of its parent's height the key may take; beyond it the key
        takes more columns, then counts the entries it leaves out in a last line.
        slack: room kept for labels to grow (0 for a key whose words never change)."""
        super().__init__()
        self.max_columns = max_columns
        self.slack = slack
        self.max_share = max_share
        self._cap = None
        self.more_label = pg.LabelItem("", color=text_colour, size=text_size, justify="left")
        self.more_label.setParentItem(self)
        self.more_label.setVisible(False)
        self.text_colour, self.text_size = text_colour, text_size
        self.entries: list[tuple[object, QuietSample, pg.LabelItem]] = []
        self._optional: set = set()
        self.hidden = 0  # entries left out for want of room (counted in the last line)
        self._texts: list[str] = []  # the words as given (the labels hold them escaped)
        self._reserve: dict = {}
        self._reserved: dict = {}  # item -> width kept for it
        self.columns = 1
        self._column_widths: list[float] = []
        self._rows = 0
        self._laid_out_width = -1.0
        self._height = -1.0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        # Columns are redone once per turn of the event loop at most (resizes come in bursts).
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self.relayout)
        self._set_height(0)

    # --- entries ---------------------------------------------------------------------------
    def set_entries(self, entries, reserve: dict | None = None, optional=()) -> None:
        """Show these (item, label) pairs; the same items again only change their words.

        reserve: item -> words whose width its column keeps (a status the label will read
        later), so the columns depend on what is shown, not on what was shown before.
        optional: items the key leaves out first when max_share leaves it short of room.
        """
        items = [item for item, _ in entries]
        if set(optional) != self._optional:
            self._optional = set(optional)
            self._timer.start()
        reserve = reserve or {}
        if reserve != self._reserve:
            self._reserve = dict(reserve)
            self._reserved = {item: _width_of(text, self.text_size)
                              for item, text in reserve.items()}
            self._timer.start()
        if items == [item for item, _, _ in self.entries]:
            for i, ((_, text), (_, _, label)) in enumerate(zip(entries, self.entries)):
                if self._texts[i] != text:
                    self._texts[i] = text
                    set_words(label, text)
                    if _text_width(label) > self._room(i):
                        self._timer.start()  # it outgrew its column
            return
        for _, sample, label in self.entries:
            for part in (sample, label):
                part.setParentItem(None)
                if part.scene() is not None:
                    part.scene().removeItem(part)
        self.entries = []
        self._texts = [text for _, text in entries]
        for item, text in entries:
            sample = QuietSample(item)
            sample.setParentItem(self)
            # Plain words: pyqtgraph reads a label as HTML ("det H < 0" lost all after "<").
            label = pg.LabelItem(html.escape(text, quote=False), color=self.text_colour,
                                 size=self.text_size, justify="left")
            label.setParentItem(self)
            self.entries.append((item, sample, label))
        self.relayout()

    def repaint_samples(self) -> None:
        """Draw the samples again (an item's pen or colour changed)."""
        for _, sample, _ in self.entries:
            sample.update()

    def labels(self) -> list[str]:
        """The words of every entry, in order (shown or left out for want of room)."""
        return list(self._texts)

    def shown_labels(self) -> list[str]:
        """The words the key shows, in order (and the line counting what it leaves out)."""
        if not self.hidden:
            return list(self._texts)
        return [text for (_, _, label), text in zip(self.entries, self._texts)
                if label.isVisible()] + [self.more_label.text]

    def label_of(self, item) -> str | None:
        return next((text for (it, _, _), text in zip(self.entries, self._texts)
                     if it is item), None)

    # --- layout ------------------------------------------------------------------------------
    def _room(self, i: int) -> float:
        if not self._column_widths or not self._rows:
            return 0.0
        return self._column_widths[min(i // self._rows, len(self._column_widths) - 1)] + \
            self.slack

    def _set_height(self, h: float) -> None:
        if h != self._height:
            self._height = h
            self.setMinimumHeight(h)
            self.setMaximumHeight(h)
            self.setPreferredHeight(h)
            self.updateGeometry()

    def relayout(self) -> None:
        """As many columns as fit the width, entries placed row by row, the height to match."""
        self._timer.stop()
        width = self.size().width() - 2 * MARGIN
        widths = [max(_text_width(label), self._reserved.get(item, 0.0))
                  for item, _, label in self.entries]
        n = len(widths)
        # Filled column by column: the long lines of the methods share the first column, the
        # overlays' short ones the next.
        columns = max(1, min(self.max_columns, n))
        while columns > 1:
            rows = -(-n // columns)
            cols = [max(widths[c * rows:(c + 1) * rows], default=0.0) for c in range(columns)]
            if _row_width(cols) + self.slack <= width:
                break
            columns -= 1
        rows = -(-n // columns) if n else 0
        cap_rows = self._cap_rows()
        shown = list(range(n))
        if cap_rows is not None and rows > cap_rows:
            columns, rows, shown = self._capped(widths, width, cap_rows)
        self.hidden = n - len(shown)
        places = shown + ([None] if self.hidden else [])  # None: the line counting the rest
        self.columns = columns
        self._rows = rows
        self._column_widths = [max((widths[i] for i in places[c * rows:(c + 1) * rows]
                                    if i is not None), default=0.0) for c in range(columns)]
        lefts, x = [], MARGIN
        for w in self._column_widths:
            lefts.append(x)
            x += SAMPLE + w + GAP
        for _, sample, label in self.entries:
            sample.setVisible(False)
            label.setVisible(False)
        if self.hidden:
            self.more_label.setText(f"... and {self.hidden} more")
            # the words left out, for a pointer resting on the line that counts them
            kept = set(shown)
            self.more_label.setToolTip("\n".join(
                text for i, text in enumerate(self._texts) if i not in kept))
        self.more_label.setVisible(bool(self.hidden))
        for k, i in enumerate(places):
            col, row = divmod(k, rows)
            y = MARGIN + row * ROW
            sample, label = (None, self.more_label) if i is None else self.entries[i][1:]
            if sample is not None:
                sample.setVisible(True)
                label.setVisible(True)
                sample.setPos(lefts[col], y + (ROW - sample.height()) / 2)
            label.setPos(lefts[col] + SAMPLE, y + (ROW - label.height()) / 2)
        self._laid_out_width = self.size().width()
        self._set_height(2 * MARGIN + rows * ROW if n else 0)

    def _cap_rows(self) -> int | None:
        """The rows the key may take (max_share of the parent's height), or None: no cap."""
        parent = self.parentWidget()
        if self.max_share is None or parent is None or parent.size().height() <= 0:
            self._cap = None
            return None
        self._cap = parent.size().height()
        return max(1, int((self.max_share * self._cap - 2 * MARGIN) // ROW))

    def _capped(self, widths: list[float], width: float, cap_rows: int):
        """(columns, rows, indices shown) within cap_rows rows: as many entries as the columns
        that fit the width hold, the optional ones left out first, the last place kept for a
        line counting the rest."""
        n = len(widths)
        drop = [i for i in reversed(range(n)) if self.entries[i][0] in self._optional] + \
               [i for i in reversed(range(n)) if self.entries[i][0] not in self._optional]
        best = (1, cap_rows, [])
        for columns in range(1, n + 1):
            room = columns * cap_rows - 1  # the last place: "... and N more"
            left_out = set(drop[:max(0, n - room)])
            shown = [i for i in range(n) if i not in left_out]
            rows = min(cap_rows, -(-(len(shown) + 1) // columns))
            places = shown + [None]
            cols = [max((widths[i] for i in places[c * rows:(c + 1) * rows] if i is not None),
                        default=0.0) for c in range(columns)]
            if columns > 1 and _row_width(cols) + self.slack > width:
                break  # one column always: its lines are clipped at worst
            if len(shown) > len(best[2]):
                best = (columns, rows, shown)
        return best

    def boundingRect(self) -> QRectF:  # noqa: N802
        return QRectF(0, 0, self.size().width(), self.size().height())

    def setGeometry(self, *args):  # noqa: N802 (Qt override): the parent's height may change
        super().setGeometry(*args)
        parent = self.parentWidget()
        if self.max_share is not None and parent is not None and \
                parent.size().height() != self._cap:
            self._timer.start()

    def resizeEvent(self, ev):  # noqa: N802 (Qt override)
        super().resizeEvent(ev)
        if abs(self.size().width() - self._laid_out_width) > 0.5:
            self._timer.start()


def _row_width(column_widths: list[float]) -> float:
    """The width of a row of the key: a sample and a label per column, a gap between them."""
    return sum(column_widths) + len(column_widths) * (SAMPLE + GAP) - GAP


def set_words(label: pg.LabelItem, words: str) -> None:
    """New plain words in a label of a key, as ``label.setText(html.escape(words))`` shows
    them. Only its text item changes: pyqtgraph's setText also resizes the label widget to
    the words, 0.1-0.2 ms, and two labels ("step 12") change on every playback frame; the
    box places its labels itself, by the width of their text, and reads only their height,
    so the label is resized only when that height changes."""
    text = html.escape(words, quote=False)
    item = label.item
    height = item.boundingRect().height()
    label.text = text
    item.setHtml(label_html(label, text))
    if item.boundingRect().height() != height:
        label.setText(text)


def label_html(label: pg.LabelItem, text: str) -> str:
    """The rich text pyqtgraph's LabelItem.setText gives its text item for a label made with
    a colour and a size (LegendBox's labels)."""
    colour = pg.mkColor(label.opts["color"]).name(QColor.NameFormat.HexArgb)
    return f"<span style='color: {colour}; font-size: {label.opts['size']}'>{text}</span>"


def _text_width(label: pg.LabelItem) -> float:
    return label.item.boundingRect().width()


def _width_of(text: str, size: str) -> float:
    """The width a label of these words takes."""
    return _text_width(pg.LabelItem(html.escape(text, quote=False), size=size))
