"""The background-job helper: the latest request wins, progress, cancel, errors as results."""

import threading

from hessianlens.ui.jobs import Job


def collect(job):
    results, progress, running = [], [], []
    job.finished.connect(results.append)
    job.progress.connect(lambda done, total: progress.append((done, total)))
    job.running_changed.connect(running.append)
    return results, progress, running


def test_the_latest_request_wins_and_a_superseded_job_stops_early(qtbot):
    job = Job()
    results, _, running = collect(job)
    started, release = threading.Event(), threading.Event()
    seen_cancel = []

    def slow(ticket):
        started.set()
        release.wait(5)
        seen_cancel.append(ticket.cancelled())
        return "old"

    job.request(slow, now=True)
    assert started.wait(5)
    job.request(lambda ticket: "new", now=True)
    release.set()
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    job.wait()
    qtbot.wait(20)
    assert [r.value for r in results] == ["new"] and results[0].ok
    assert seen_cancel == [True]  # the first job saw the newer request through its ticket
    assert running == [True, False] and not job.running


def test_debounced_requests_run_once(qtbot):
    job = Job(debounce_ms=30)
    results, _, _ = collect(job)
    calls = []
    for i in range(5):
        job.request(lambda ticket, i=i: calls.append(i) or i)
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    assert calls == [4] and results[0].value == 4 and results[0].generation == job.generation


def test_progress_of_the_latest_request_reaches_the_gui_thread(qtbot):
    job = Job()
    results, progress, _ = collect(job)

    def work(ticket):
        for k in range(1, 4):
            ticket.progress(k, 3)
        return k

    job.request(work, now=True)
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    assert progress == [(1, 3), (2, 3), (3, 3)]


def test_an_exception_is_a_result_with_its_message_not_a_crash(qtbot):
    job = Job()
    results, _, running = collect(job)

    def broken(ticket):
        raise MemoryError("no room")

    job.request(broken, now=True)
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    assert not results[0].ok and results[0].error == "no room" and results[0].value is None
    assert not job.running


def test_cancel_delivers_nothing_and_the_job_sees_it(qtbot):
    job = Job()
    results, _, running = collect(job)
    started, stopped = threading.Event(), threading.Event()

    def endless(ticket):
        started.set()
        while not ticket.cancelled():
            pass
        stopped.set()
        return "late"

    job.request(endless, now=True)
    assert started.wait(5)
    job.cancel()
    assert stopped.wait(5)
    job.wait()
    qtbot.wait(50)
    assert results == [] and running == [True, False] and not job.busy()


def test_parts_of_a_result_arrive_in_order_and_a_superseded_request_sends_none(qtbot):
    job = Job()
    results, _, _ = collect(job)
    parts = []
    job.partial.connect(parts.append)
    started, release = threading.Event(), threading.Event()

    def old(ticket):
        started.set()
        release.wait(5)
        ticket.partial("stale")  # after a newer request: dropped
        return "old"

    def new(ticket):
        for i in range(3):
            ticket.partial(i)
        return "done"

    job.request(old, now=True)
    assert started.wait(5)
    job.request(new)  # waits for the old job's thread
    release.set()
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    assert parts == [0, 1, 2] and [r.value for r in results] == ["done"]
