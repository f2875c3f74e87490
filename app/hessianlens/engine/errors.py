"""The one error a typed function can end in: a message and the place to underline."""

from __future__ import annotations


class ExpressionError(ValueError):
    """A text that is not an acceptable function, with the place to underline."""

    def __init__(self, message: str, offset: int = 0, length: int = 1, text: str = ""):
        super().__init__(message)
        self.message = message
        self.offset = max(0, offset)
        self.length = max(1, length)
        self.text = text

    @property
    def line(self) -> int:
        """1-based line of the error in the text."""
        return self.text.count("\n", 0, self.offset) + 1

    @property
    def column(self) -> int:
        """1-based column of the error within its line."""
        return self.offset - (self.text.rfind("\n", 0, self.offset) + 1) + 1

    def caret(self) -> str:
        """The offending line with a caret line under the error, for a terminal."""
        lines = self.text.split("\n")
        if not lines or self.line > len(lines):
            return self.message
        src = lines[self.line - 1]
        width = max(1, min(self.length, len(src) - self.column + 1))
        return f"{src}\n{' ' * (self.column - 1)}{'^' * width}"
