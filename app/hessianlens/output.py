"""Data printed on stdout by the commands: a write that fails is an error, never exit 0.

Python buffers stdout and flushes it at exit, where a full disk (``trace > file``) or a
closed pipe is reported as "Exception ignored" with exit status 120 or, under a file-size
limit, not at all: the output is cut and the command seems to have worked. Every command
writes through :func:`write_out`, which flushes and raises :class:`StdoutError`; cli.main
turns it into a message and a non-zero exit.
"""

from __future__ import annotations

import os
import sys


class StdoutError(Exception):
    """The output could not be written (a full disk, a file-size limit, a closed pipe)."""

    def __init__(self, cause: OSError):
        super().__init__(cause.strerror or str(cause))
        self.broken_pipe = isinstance(cause, BrokenPipeError)


def write_out(text: str) -> None:
    """Write ``text`` to stdout and flush it now.

    Straight to the file descriptor, in a loop: Python's buffered writer returns a short
    count when the file-size limit cuts a write, and its text layer drops the rest
    without an error.
    """
    out = sys.stdout
    try:
        out.flush()
        fd = out.fileno()
    except (OSError, ValueError, AttributeError):  # not a real file (captured in a test)
        fd = None
    try:
        if fd is None:
            out.write(text)
            out.flush()
            return
        data = memoryview(text.encode(out.encoding or "utf-8", out.errors or "strict"))
        while data:
            data = data[os.write(fd, data):]
    except OSError as exc:
        raise StdoutError(exc) from None


def discard_stdout() -> None:
    """Point stdout at the null device: what is still buffered must not fail again at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass
