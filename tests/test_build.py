"""The build pipeline: a function is built in a worker process within a time budget, or refused
with the program's own error; workers that die are reported and replaced; nothing leaks."""

import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from hessianlens.engine import build, product, workers
from hessianlens.engine.build import BuildCancelled, LatestBuild
from hessianlens.engine.expression import ExpressionError
from hessianlens.engine.guards import TOO_EXPENSIVE
from hessianlens.engine.linefunction import LineFunction
from hessianlens.engine.objective import Objective, objective_from_text

EXAMPLE3 = "sin(x0)**2 + sin(10 + x1*x0/2)*cos(x0)"
# Accepted by the cost prediction, but a few hundred ms of sympy: longer than a tiny budget.
SLOW = " + ".join(f"{0.3 * i}*tanh({i}*x - {0.5 * i}*y + {i / 7})" for i in range(1, 11))
# Longer than any budget here: the prediction is switched off for it (see slow_guard).
ENDLESS = "*".join(f"sin(x+{i}*y)" for i in range(40))


@pytest.fixture(autouse=True)
def default_method():
    yield
    build.configure(None)  # start_worker() chose pool workers for the rest of the process


@pytest.fixture(params=["fork", "pool"])
def method(request):
    build.configure(request.param)
    if request.param == "pool":
        build.start_worker(background=False)
    return request.param


@pytest.fixture
def no_cost_guard(monkeypatch):
    """Let ENDLESS through the prediction, so that only the budget can stop it (a forked
    child inherits the patched limit; pool workers do not, so pool tests use SLOW)."""
    from hessianlens.engine import guards

    monkeypatch.setattr(guards, "MAX_SECOND_DERIVATIVE_SIZE", 10**12)


def _children_states() -> list[str]:
    """States of this process's children (Z: a zombie)."""
    out = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == os.getpid():
                out.append(fields[0])
    return out


def test_a_built_function_equals_the_one_built_in_process(method):
    obj = build.build_objective(EXAMPLE3)
    assert isinstance(obj, Objective)
    local = objective_from_text(EXAMPLE3)
    for p in [(3.1, 1.3), (-1.0, 2.0)]:
        a, b = obj.at(p), local.at(p)
        np.testing.assert_array_equal(a.hessian, b.hessian)
        assert a.f == b.f
    assert obj.gradient_text == local.gradient_text
    line = build.build_line_function("-w**2 - 2*w - 3")
    assert isinstance(line, LineFunction) and line.at(0.0) == (-3.0, -2.0, -2.0)
    assert line.df_coefficients.tolist() == [-2.0, -2.0]


def test_a_refused_text_keeps_its_message_and_place(method):
    with pytest.raises(ExpressionError) as info:
        build.build_objective("x + z")
    assert "unknown name 'z'" in info.value.message and info.value.offset == 4
    with pytest.raises(ExpressionError, match="unknown name 'y'"):
        build.build_line_function("w + y")


def test_a_build_beyond_its_budget_is_killed_and_refused(method):
    t0 = time.monotonic()
    with pytest.raises(ExpressionError) as info:
        build.build_objective(SLOW, budget_s=0.02)
    assert info.value.message.startswith(TOO_EXPENSIVE)
    assert "0.02 s" in info.value.message
    assert time.monotonic() - t0 < 30  # a hang detector, not a performance claim
    assert build.build_objective("x*y").at((2.0, 3.0)).f == 6.0  # the next build works


def test_the_budget_stops_what_the_prediction_lets_through(no_cost_guard):
    build.configure("fork")
    try:
        with pytest.raises(ExpressionError, match="not finished within 0.5 s"):
            build.build_objective(ENDLESS, budget_s=0.5)
    finally:
        build.configure(None)
    assert "Z" not in _children_states()


def test_fork_builds_leave_no_zombie():
    build.configure("fork")
    try:
        for text in ["x**2", "x +", SLOW]:
            try:
                build.build_objective(text, budget_s=0.05)
            except ExpressionError:
                pass
    finally:
        build.configure(None)
    assert "Z" not in _children_states()


def test_a_worker_killed_in_the_middle_is_reported_and_replaced():
    build.start_worker(background=False)
    handle = build.submit(SLOW, budget_s=20)
    deadline = time.monotonic() + 10
    while handle._worker is None and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(handle._worker.worker.process.pid, signal.SIGKILL)  # as the OOM killer would
    with pytest.raises(ExpressionError, match="could not be built: the worker process stopped"):
        handle.result(timeout=30)
    assert build.build_objective("x + y**2").at((1.0, 2.0)).f == 5.0


def test_a_worker_killed_as_it_answers_never_serves_the_next_build():
    """A newer text cancels a build (kill, on the GUI thread) just as its worker has answered
    (close, on the build's thread): the killed worker went back to the pool while it still
    looked alive, and about every second next build was refused ("the worker process
    stopped: it was killed (out of memory?)", or "no worker process could start (Broken
    pipe)"), a preset or a typed text with it."""
    pool = workers.Pool()
    try:
        for i in range(10):
            job = workers.PoolJob(pool, f"x**2 + {i}*y", build.PLANE_KIND, 10.0)
            data = job.wait(time.monotonic() + 20)
            assert data
            job.kill()  # the cancel, after the answer and before close
            job.close(complete=True)
            following = workers.PoolJob(pool, f"x**2 + {i}*y**2", build.PLANE_KIND, 10.0)
            answer = following.wait(time.monotonic() + 20)
            ending = following.close(complete=bool(answer))
            assert answer, ending
    finally:
        pool.close()


def test_a_dead_fork_server_is_started_again():
    from multiprocessing import forkserver

    build.start_worker(background=False)
    build.build_objective("x")
    os.kill(forkserver._forkserver._forkserver_pid, signal.SIGKILL)
    build.shutdown()  # the idle workers too: the next build needs a new one
    assert build.build_objective("x - y").at((1.0, 2.0)).f == -1.0


def test_cancel_kills_the_build_and_the_newer_text_wins():
    build.start_worker(background=False)
    latest = LatestBuild()
    older = latest.submit(SLOW)
    newer = latest.submit("x**2 + y**2")
    assert older.cancelled()
    with pytest.raises(BuildCancelled):
        older.result(timeout=30)
    assert newer.result(timeout=30).at((1.0, 2.0)).f == 5.0
    assert older.done() and newer.done() and not newer.cancelled()


def test_a_done_callback_runs_once_the_build_is_done():
    build.start_worker(background=False)
    called = threading.Event()
    handle = build.submit("sin(x)*y", build.PLANE_KIND)
    handle.add_done_callback(lambda h: called.set())
    assert called.wait(30) and handle.done()
    late = []
    handle.add_done_callback(late.append)  # already done: called at once
    assert late == [handle]
    line = build.submit("w**3", build.LINE_KIND).result(timeout=30)
    assert line.at(2.0) == (8.0, 12.0, 12.0)


@pytest.mark.parametrize("exc", [RecursionError("maximum recursion depth exceeded"),
                                 ValueError("Exceeds the limit (4300 digits) for integer "
                                            "string conversion"),
                                 MemoryError(), KeyError("boom")])
def test_any_other_exception_becomes_our_own_error(monkeypatch, exc, method):
    def broken(parsed, kind):
        raise exc

    monkeypatch.setattr(product, "make_product", broken)
    if method == "pool":  # the workers were forked before the patch: check in this process
        build.configure("inline")
    with pytest.raises(ExpressionError) as info:
        build.build_objective("x + y")
    assert info.value.message and "Traceback" not in info.value.message
    assert type(info.value) is ExpressionError


def test_a_blow_up_in_memory_ends_in_our_own_error(monkeypatch):
    def hungry(parsed, kind):
        blocks = []
        while True:  # the child's address space is capped: MemoryError, not the machine
            blocks.append(bytearray(256 << 20))

    monkeypatch.setattr(product, "make_product", hungry)
    monkeypatch.setattr(workers, "MEMORY_HEADROOM_BYTES", 512 << 20)
    build.configure("fork")
    try:
        with pytest.raises(ExpressionError, match="too much memory"):
            build.build_objective("x + y", budget_s=30)
    finally:
        build.configure(None)


def test_building_loads_neither_numpy_testing_nor_f2py():
    # lambdify's default namespace ran 'from numpy import *' (about 50 ms of start-up).
    code = ("import sys\nfrom hessianlens.engine.build import build_objective\n"
            "print(build_objective('sin(x)*y').at((1.0, 2.0)).f)\n"
            "print([m for m in sys.modules if m.startswith(('numpy.testing', 'numpy.f2py'))])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[1] == "[]"


def test_a_multi_threaded_process_never_forks_itself():
    # The window runs Qt's and its own threads: a fork of it could inherit a held lock. Its
    # builds go to pool workers, children of the fork server, not of the caller.
    code = ("import os, threading, time\n"
            "from hessianlens.engine import build\n"
            "if __name__ == '__main__':\n"
            "    stop = threading.Event()\n"
            "    threading.Thread(target=stop.wait, daemon=True).start()  # now threaded\n"
            "    obj = build.build_objective('x**2 + y')\n"
            "    h = build.submit('sin(x)*y')\n"
            "    h.result(timeout=60)\n"
            "    worker = h._worker.worker.process.pid\n"
            "    with open(f'/proc/{worker}/stat') as f:\n"
            "        parent = int(f.read().rsplit(')', 1)[1].split()[1])\n"
            "    print(obj.at((1.0, 2.0)).f, parent != os.getpid())\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["3.0", "True"]
