"""The processes that run function builds (see hessianlens.engine.build for why).

Two kinds of job, one interface (``kill``, ``wait``, ``close``):

- ForkJob: the calling process forks itself for one build (about 3 ms here; the child already
  has sympy imported) and the child exits after writing its answer. For a process that runs a
  single Python thread: the command line.
- PoolJob: a build sent to a warm worker process. Workers are forked by multiprocessing's fork
  server, a pre-started process with sympy imported and warmed up
  (hessianlens.engine.worker_preload), so a multi-threaded process (the window) never forks
  itself: a lock held by another thread at the moment of a fork stays locked in the child.
  A worker serves build after build (clearing sympy's cache before each) until it is killed
  for a cancelled or overlong build; a spare worker is then ready, and another is forked in
  the background. Reusing workers saves the fork server's fork and the child's first writes to
  pages it shares with the server, about 17 ms per build here.

Each child caps its address space (a blow-up ends in MemoryError, not in the machine's swap)
and its CPU time (in case the parent dies before it can kill it). Answers are pickled bytes
framed by their length.
"""

from __future__ import annotations

import math
import os
import select
import signal
import struct
import threading
import time
import warnings

# The child may grow this far beyond its size at the fork before a MemoryError stops it.
MEMORY_HEADROOM_BYTES = 1 << 30
_HEADER = struct.Struct("!Q")
_READ_CHUNK = 1 << 16
SPARE_WORKERS = 1
# A worker retires after this many builds: whatever its heap has grown to goes with it.
BUILDS_PER_WORKER = 100


# --- in the child --------------------------------------------------------------------------
def _cap_memory() -> None:
    try:
        import resource

        with open("/proc/self/statm") as f:
            size = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = size + MEMORY_HEADROOM_BYTES
        if hard == resource.RLIM_INFINITY or cap < hard:
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, OSError, ValueError):
        pass  # no /proc or no resource module: the deadline still holds


def _cap_cpu(budget_s: float) -> None:
    """CPU time from now: SIGXCPU ends the child if the parent cannot kill it in time."""
    try:
        import resource

        used = resource.getrusage(resource.RUSAGE_SELF)
        soft = int(used.ru_utime + used.ru_stime + math.ceil(budget_s)) + 2
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        if hard == resource.RLIM_INFINITY or soft < hard:
            resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    except (ImportError, OSError, ValueError):
        pass


def _write_message(fd: int, payload: bytes) -> None:
    view = memoryview(_HEADER.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view):]


def _answer(request) -> bytes:
    from hessianlens.engine.product import outcome_bytes

    text, kind, budget_s = request
    _cap_cpu(budget_s)
    return outcome_bytes(text, kind)


def _pool_worker_main(requests, results) -> None:
    """A pool worker: answer requests until the parent closes the pipe or kills us."""
    import gc

    from sympy.core.cache import clear_cache

    gc.freeze()  # the fork server's objects: never scanned, so their pages stay shared
    _cap_memory()
    fd = results.fileno()
    while True:
        try:
            request = requests.recv()
        except (EOFError, OSError):
            return
        _write_message(fd, _answer(request))
        # Every build starts from the same state, as the first one did (the fork server
        # cleared the cache after its warm-up); cleared after answering, off the clock.
        clear_cache()


# --- seen from the parent ------------------------------------------------------------------
def _read(fd: int, n: int | None, deadline: float) -> bytes | None:
    """n bytes (None: until end of file) from fd; None if the deadline passes first. Fewer
    bytes than n mean the writer died."""
    chunks, got = [], 0
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    while n is None or got < n:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not poller.poll(remaining * 1000):
            return None
        chunk = os.read(fd, _READ_CHUNK if n is None else min(_READ_CHUNK, n - got))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _read_message(fd: int, deadline: float) -> bytes | None:
    header = _read(fd, _HEADER.size, deadline)
    if header is None or len(header) < _HEADER.size:
        return header if header is None else b""
    return _read(fd, _HEADER.unpack(header)[0], deadline)


def _ending(sig: int, code: int | None) -> str:
    if sig:
        name = {signal.SIGKILL: "it was killed (out of memory?)",
                signal.SIGXCPU: "it ran out of CPU time"}.get(sig, f"signal {sig}")
        return f"the worker process stopped: {name}"
    return f"the worker process ended with code {code}"


_forks = 0


def _warm_parent() -> None:
    """From the second fork on, run product.warm_up() once in the parent, so that every later
    fork starts warm: a process that builds many functions pays sympy's first-use costs once,
    not in every child. The command line builds once: it never pays for the warm-up."""
    global _forks
    _forks += 1
    if _forks == 2:
        from hessianlens.engine.product import warm_up

        warm_up()


class ForkJob:
    """One build in a fork of the calling process."""

    def __init__(self, text, kind: str, budget_s: float):
        _warm_parent()
        r, w = os.pipe()
        with warnings.catch_warnings():
            # Python 3.12 warns when a process with other OS threads forks (numpy's OpenBLAS
            # starts some); the child runs only sympy, then _exit.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the child never returns into the caller's code
            code = 0
            try:
                import gc

                gc.disable()  # short-lived; and no finalizer may wait on another thread's lock
                os.close(r)
                _cap_memory()
                _write_message(w, _answer((text, kind, budget_s)))
            except BaseException:  # noqa: BLE001
                code = 1
            finally:
                os._exit(code)
        os.close(w)
        self.pid, self.fd = pid, r
        self._status: int | None = None

    def kill(self) -> None:
        if self._status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def wait(self, deadline: float) -> bytes | None:
        return _read_message(self.fd, deadline)

    def close(self, complete: bool) -> str:
        """Reap the child (no zombie) and close the pipe; how it ended, in words."""
        if self._status is None:
            if not complete:
                self.kill()
            _, self._status = os.waitpid(self.pid, 0)
            os.close(self.fd)
        sig = os.WTERMSIG(self._status) if os.WIFSIGNALED(self._status) else 0
        return _ending(sig, None if sig else os.WEXITSTATUS(self._status))


class _PoolWorker:
    """A warm worker process forked by the fork server."""

    def __init__(self, ctx):
        requests_r, self._requests = ctx.Pipe(duplex=False)
        self._results, results_w = ctx.Pipe(duplex=False)
        self.process = ctx.Process(target=_pool_worker_main, args=(requests_r, results_w),
                                   daemon=True, name="hessianlens-build-worker")
        try:
            self.process.start()
        finally:
            requests_r.close()
            results_w.close()
        self.fd = self._results.fileno()
        self.builds = 0

    def alive(self) -> bool:
        return self.process.exitcode is None and self.process.is_alive()

    def send(self, request) -> None:
        self.builds += 1
        self._requests.send(request)

    def stop(self, kill: bool) -> str:
        """End the worker (politely or with SIGKILL) and reap it; how it ended, in words."""
        try:
            if kill:
                self.process.kill()
            self._requests.close()
            self.process.join(5.0)
            if self.process.exitcode is None:  # stuck or the fork server is gone
                self.process.kill()
                self.process.join(5.0)
        except (OSError, ValueError):
            pass
        self._results.close()
        code = self.process.exitcode
        return _ending(-code if code is not None and code < 0 else 0, code)


class Pool:
    """Warm worker processes, with a spare kept ready in the background."""

    def __init__(self):
        self._idle: list[_PoolWorker] = []
        self._lock = threading.Lock()
        self._filling = False
        self._closed = False

    @staticmethod
    def context():
        import multiprocessing

        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["hessianlens.engine.worker_preload"])
        return ctx

    def take(self) -> _PoolWorker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.alive():
                    return worker
                worker.stop(kill=True)
        return self.start()  # none ready: start one now (waits for the server)

    def start(self) -> _PoolWorker:
        """A new worker. A fork server that has just died refuses the connection until
        multiprocessing notices and starts another: try again a few times."""
        for attempt in range(4):
            try:
                return _PoolWorker(self.context())
            except OSError:
                if attempt == 3:
                    raise
                time.sleep(0.05 * (attempt + 1))

    def give_back(self, worker: _PoolWorker) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < SPARE_WORKERS:
                self._idle.append(worker)
                return
        worker.stop(kill=False)

    def fill(self, background: bool = True) -> None:
        """Start a spare worker if none is ready (in a thread unless background is False)."""
        with self._lock:
            if self._filling or self._closed or len(self._idle) >= SPARE_WORKERS:
                return
            self._filling = True

        def start():
            try:
                worker = self.start()
            except OSError:
                worker = None  # the next build starts one and reports why it cannot
            finally:
                with self._lock:
                    self._filling = False
            if worker is not None:
                self.give_back(worker)

        if background:
            threading.Thread(target=start, daemon=True, name="hessianlens-build-spare").start()
        else:
            start()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop(kill=True)

    def reopen(self) -> None:
        with self._lock:
            self._closed = False


class PoolJob:
    """One build sent to a pool worker."""

    def __init__(self, pool: Pool, text, kind: str, budget_s: float):
        self._pool = pool
        self.worker = pool.take()
        self.worker.send((text, kind, budget_s))
        # kill() (a newer text, from another thread) and close() (this build's thread) can
        # meet: a worker killed just after it answered was given back to the pool while it
        # still looked alive, and the next build went to a dead process ("it was killed (out
        # of memory?)", or "Broken pipe"). One of them wins, under the lock.
        self._lock = threading.Lock()
        self._stopped = self._killed = False

    def kill(self) -> None:
        with self._lock:
            if self._stopped:
                return
            self._killed = True
        try:
            self.worker.process.kill()
        except (OSError, ValueError):
            pass

    def wait(self, deadline: float) -> bytes | None:
        return _read_message(self.worker.fd, deadline)

    def close(self, complete: bool) -> str:
        """Give a worker that answered back to the pool; end one that did not (or was
        killed)."""
        with self._lock:
            self._stopped = True
            killed = self._killed
        if complete and not killed and self.worker.alive() and \
                self.worker.builds < BUILDS_PER_WORKER:
            self._pool.give_back(self.worker)
            ending = ""
        else:
            ending = self.worker.stop(kill=not complete)  # a retiring worker just exits
        self._pool.fill()
        return ending
