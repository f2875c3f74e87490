"""A progress bar on stderr for long command-line jobs (GIF frames, basin steps), and Ctrl+C
taken where such a job can stop cleanly.

Drawn only when stderr is a terminal, so pipes, logs and tests stay quiet; redrawn at most
ten times a second; the line is cleared when the job ends.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import sys
import time


class TerminalProgress:
    """Callable as progress(done, total) -> True; ``close()`` clears the bar."""

    def __init__(self, label: str, unit: str, stream=None, min_interval: float = 0.1):
        self.label, self.unit = label, unit
        self.stream = stream if stream is not None else sys.stderr
        try:
            self.enabled = self.stream.isatty()
        except (AttributeError, ValueError):
            self.enabled = False
        self.min_interval = min_interval
        self._last = float("-inf")
        self._drawn = False

    def __call__(self, done: int, total: int) -> bool:
        now = time.monotonic()
        if self.enabled and (now - self._last >= self.min_interval or done >= total):
            self._last = now
            self._draw(done, total)
        return True

    def _draw(self, done: int, total: int) -> None:
        total = max(total, 1)
        text = f" {done}/{total} {self.unit} {100 * done // total:3d}%"
        width = max(10, min(40, shutil.get_terminal_size((80, 24)).columns
                            - len(self.label) - len(text) - 4))
        fill = width * done // total
        self.stream.write(f"\r{self.label} [{'#' * fill}{'.' * (width - fill)}]{text}")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._drawn = False


@contextlib.contextmanager
def deferred_interrupt():
    """Hold Ctrl+C until the caller asks: yields a function that raises KeyboardInterrupt
    if Ctrl+C was pressed since.

    Python raises KeyboardInterrupt wherever the main thread happens to be: inside a Qt
    virtual (a paint event run by processEvents) that crashes the process (SIGSEGV), and
    inside a finalizer run by the garbage collector it is printed as "Exception ignored" and
    lost, so the command runs on. Raised from our own code between frames or steps, it ends
    the command cleanly and atomic_path removes the unfinished file.
    """
    pressed = []

    def check() -> None:
        if pressed:
            raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGINT, lambda *_: pressed.append(True))
    except ValueError:  # not the main thread: leave Ctrl+C as it is
        yield check
        return
    try:
        yield check
    finally:
        signal.signal(signal.SIGINT, previous)
