"""Build a typed function within a time budget: parse, differentiate and print numpy code in a
worker process that is killed when the budget runs out.

sympy cannot be interrupted inside a thread, and the parser's cost guards (engine/guards.py)
predict most but not every expensive function. So the work of a build
(hessianlens.engine.product.product_from_text) runs in another process with a deadline, an
address-space cap and a CPU-time cap (hessianlens.engine.workers), and the caller compiles the
numpy code it sends back (a few hundred characters for a typed function).

How a build gets its process:

- ``fork``: the calling process forks itself for the build. About 3 ms here, and the child
  already has sympy imported. The default in a process that runs a single Python thread (the
  command line, which must not pay for a new interpreter importing sympy on every command).
- ``pool``: a warm worker started by multiprocessing's fork server, reused from build to build.
  The default in a multi-threaded process (the window), which must not fork itself. The server
  takes about a second to start (a new interpreter imports sympy): call :func:`start_worker`
  early to start it in the background. A script that builds this way must guard its main code
  with ``if __name__ == "__main__":``, as multiprocessing requires.
- ``inline``: this process, without a time limit (where the platform cannot fork).

Synchronous use (the command line, tests)::

    objective = build_objective(text)          # Objective, or raises ExpressionError
    line = build_line_function(text)           # LineFunction, or raises ExpressionError

Asynchronous use (the window)::

    latest = LatestBuild(PLANE_KIND)
    handle = latest.submit(text)               # cancels the previous text's build
    handle.add_done_callback(fn)               # fn(handle), called from a helper thread
    handle.done(); handle.result()             # Objective, or raises ExpressionError
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from typing import Callable

from hessianlens.engine.expression import ExpressionError
from hessianlens.engine.guards import TOO_EXPENSIVE
from hessianlens.engine.linefunction import LineFunction
from hessianlens.engine.objective import Objective
from hessianlens.engine.product import (KINDS, LINE_KIND, PLANE_KIND, BuildProduct,
                                        as_expression_error, product_from_text, read_outcome)
from hessianlens.engine.workers import ForkJob, Pool, PoolJob

__all__ = ["DEFAULT_BUDGET_S", "LINE_KIND", "PLANE_KIND", "BuildCancelled", "BuildHandle",
           "LatestBuild", "build", "build_line_function", "build_objective", "configure",
           "shutdown", "start_worker", "submit"]

DEFAULT_BUDGET_S = 2.0

_METHODS = ("fork", "pool", "inline")
# Names a method for every synchronous build of a process, as configure() does (the packaging
# test runs the bundled command line with pool workers this way).
METHOD_VARIABLE = "HESSIANLENS_BUILD_METHOD"
_configured: str | None = None  # None: choose per build
_pool = Pool()
_live_lock = threading.Lock()
_live: set = set()  # running jobs, killed by shutdown()


class BuildCancelled(ExpressionError):
    """The build was cancelled before it finished (a newer text replaced it)."""


def _method() -> str:
    chosen = _configured or os.environ.get(METHOD_VARIABLE)
    if chosen in _METHODS:
        return chosen
    if not hasattr(os, "fork"):
        return "inline"  # no fork (Windows): the cost guards alone bound the work
    return "fork" if threading.active_count() == 1 else "pool"


def _too_slow(text: str, budget_s: float) -> ExpressionError:
    return ExpressionError(f"{TOO_EXPENSIVE} (not finished within {budget_s:g} s): simplify "
                           "it", 0, max(1, len(text)), text)


def _run(text, kind: str, budget_s: float, method: str, cancelled=lambda: False,
         started=None) -> BuildProduct:
    """One build in a worker process; the product, or raises ExpressionError."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of function: {kind!r}")
    if method == "inline":
        return product_from_text(text, kind)
    shown = text if isinstance(text, str) else ""
    try:
        job = ForkJob(text, kind, budget_s) if method == "fork" else \
            PoolJob(_pool, text, kind, budget_s)
    except OSError as exc:  # no process to be had (too many processes, no fork server ...)
        raise ExpressionError(f"this function could not be built: no worker process could "
                              f"start ({exc.strerror or exc})", 0, max(1, len(shown)),
                              shown) from None
    with _live_lock:
        _live.add(job)
    data = None
    try:
        if started:
            started(job)
        data = job.wait(time.monotonic() + budget_s)
    finally:
        with _live_lock:
            _live.discard(job)
        ending = job.close(complete=bool(data))
    if cancelled():
        raise BuildCancelled("the build was cancelled (a newer text replaced it)", 0,
                             max(1, len(shown)), shown)
    if data is None:
        raise _too_slow(shown, budget_s)
    if not data:
        raise ExpressionError(f"this function could not be built: {ending}", 0,
                              max(1, len(shown)), shown)
    return read_outcome(data)


def _finished(product: BuildProduct):
    """The compiled function. The worker's lambdify compiled the same code already, so this
    cannot fail; if it does anyway, it fails with our own error."""
    try:
        return Objective(product) if product.kind == PLANE_KIND else LineFunction(product)
    except Exception as exc:  # the boundary between text and numbers
        raise as_expression_error(exc, product.text) from None


# --- the synchronous API -------------------------------------------------------------------
def build(text, kind: str = PLANE_KIND, budget_s: float = DEFAULT_BUDGET_S):
    """Build text as an Objective (kind PLANE_KIND) or a LineFunction (LINE_KIND) within
    budget_s seconds of work.

    Raises
    ------
    ExpressionError
        For an unacceptable text, a build that does not finish within the budget ("this
        function's derivatives are too expensive to compute"), or a worker that died. Never
        any other exception for any text.
    """
    return _finished(_run(text, kind, budget_s, _method()))


def build_objective(text, budget_s: float = DEFAULT_BUDGET_S) -> Objective:
    """:func:`build` of a function of x and y."""
    return build(text, PLANE_KIND, budget_s)


def build_line_function(text, budget_s: float = DEFAULT_BUDGET_S) -> LineFunction:
    """:func:`build` of a function of w."""
    return build(text, LINE_KIND, budget_s)


# --- the asynchronous API ------------------------------------------------------------------
class BuildHandle:
    """One build running in the background (see :func:`submit`)."""

    def __init__(self, text, kind: str, budget_s: float, method: str):
        if kind not in KINDS:
            raise ValueError(f"unknown kind of function: {kind!r}")
        self.text, self.kind, self.budget_s = text, kind, budget_s
        self._method = method
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._cancelled = False
        self._worker = None
        self._value = None
        self._error: ExpressionError | None = None
        self._callbacks: list[Callable] = []
        self._thread = threading.Thread(target=self._wait, daemon=True,
                                        name="hessianlens-build-waiter")
        self._thread.start()

    def _started(self, worker) -> None:
        with self._lock:
            self._worker = worker
            if self._cancelled:
                worker.kill()

    def _wait(self) -> None:
        try:
            if self._cancelled:
                raise BuildCancelled("the build was cancelled (a newer text replaced it)")
            product = _run(self.text, self.kind, self.budget_s, self._method,
                           lambda: self._cancelled, self._started)
            self._value = _finished(product)  # compiled here, off the caller's thread
        except ExpressionError as exc:
            self._error = exc
        except Exception as exc:  # noqa: BLE001 - the fork server could not start ...
            self._error = as_expression_error(exc, self.text if isinstance(self.text, str)
                                              else "")
        with self._lock:
            self._done.set()
            callbacks, self._callbacks = self._callbacks, []
        for fn in callbacks:
            self._call(fn)

    def _call(self, fn) -> None:
        try:
            fn(self)
        except Exception:  # as concurrent.futures does: a broken callback is logged
            logging.getLogger(__name__).exception("a build's done callback raised")

    def done(self) -> bool:
        """True once the build has finished, failed or been cancelled."""
        return self._done.is_set()

    def cancelled(self) -> bool:
        return self._cancelled

    def cancel(self) -> None:
        """Stop the build: its worker process is killed; result() raises BuildCancelled."""
        with self._lock:
            if self._done.is_set():
                return
            self._cancelled = True
            if self._worker is not None:
                self._worker.kill()

    def result(self, timeout: float | None = None):
        """The Objective or LineFunction; waits up to timeout seconds (None: until done).

        Raises
        ------
        ExpressionError
            As :func:`build`; BuildCancelled (a subclass) if cancelled; TimeoutError if
            timeout passes first (the build goes on).
        """
        if not self._done.wait(timeout):
            raise TimeoutError("the build has not finished yet")
        if self._error is not None:
            raise self._error
        return self._value

    def add_done_callback(self, fn: Callable[["BuildHandle"], None]) -> None:
        """Call fn(handle) once done: from the helper thread that waited for the build, or at
        once if it is already done. A window posts it to its own thread from there."""
        with self._lock:
            if not self._done.is_set():
                self._callbacks.append(fn)
                return
        self._call(fn)


def submit(text, kind: str = PLANE_KIND, budget_s: float = DEFAULT_BUDGET_S) -> BuildHandle:
    """Start building text in the background; returns at once with a handle.

    The work runs in a pool worker (never a fork of the calling process, which may run other
    threads), or in this process if the platform cannot fork or configure("inline") was
    called."""
    method = "inline" if _configured == "inline" or not hasattr(os, "fork") else "pool"
    return BuildHandle(text, kind, budget_s, method)


class LatestBuild:
    """Latest wins: each submit cancels the build of the previous text."""

    def __init__(self, kind: str = PLANE_KIND, budget_s: float = DEFAULT_BUDGET_S):
        self.kind, self.budget_s = kind, budget_s
        self.current: BuildHandle | None = None

    def submit(self, text) -> BuildHandle:
        if self.current is not None:
            self.current.cancel()
        self.current = submit(text, self.kind, self.budget_s)
        return self.current


# --- lifecycle -----------------------------------------------------------------------------
def configure(method: str | None) -> None:
    """Force how builds get their process: "fork" (a fork of this process per build), "pool"
    (warm workers from the fork server), "inline" (this process: no time limit) or None
    (choose per build: fork in a single-threaded process, else pool; the default)."""
    global _configured
    if method is not None and method not in _METHODS:
        raise ValueError(f"unknown method {method!r}: one of {', '.join(_METHODS)}")
    _configured = method


def start_worker(background: bool = True) -> None:
    """Use pool workers for every build from now on, and start the fork server and a spare
    worker (in a background thread unless background is False). For a multi-threaded process
    such as the window: call it early, so that the first build does not wait about a second
    for the server to import sympy."""
    if not hasattr(os, "fork"):
        return
    configure("pool")
    _pool.reopen()
    _pool.fill(background)


def shutdown() -> None:
    """Kill every running build (their callers get an ExpressionError) and stop the idle
    workers. Builds started later start new workers."""
    with _live_lock:
        jobs = list(_live)
    for job in jobs:
        job.kill()
    _pool.close()


atexit.register(shutdown)
