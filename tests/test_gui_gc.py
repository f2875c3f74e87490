"""Garbage cycles are collected on the GUI thread, never on a worker that happens to allocate
(Qt objects in a cycle must be destroyed on their own thread)."""

import gc
import threading

from PySide6.QtCore import QObject


class Node:
    """A cycle member that notes the thread it was freed on."""

    freed_on: list = []

    def __init__(self):
        self.me = self  # a reference cycle: only the cyclic collector frees it
        self.qt = QObject()  # as a closed window's widgets would hold

    def __del__(self):
        Node.freed_on.append(threading.get_ident())


def test_a_worker_thread_that_allocates_never_collects_a_cycle_the_gui_thread_does(qtbot):
    from hessianlens.ui.plot_view import configure_pyqtgraph

    configure_pyqtgraph()  # as the window, the exports and the benchmarks start
    assert not gc.isenabled()
    Node.freed_on.clear()
    Node()  # garbage at once, in generation 0
    worker = threading.Thread(target=lambda: [[i] for i in range(200_000)])  # many containers
    worker.start()
    worker.join()
    assert Node.freed_on == []  # automatic collection would have freed it in the worker
    qtbot.waitUntil(lambda: bool(Node.freed_on), timeout=5_000)  # the GUI thread's timer
    assert Node.freed_on == [threading.get_ident()]


def test_after_start_up_a_full_collection_leaves_the_windows_objects_alone(qtbot, tmp_path):
    from uihelpers import open_window

    from PySide6.QtWidgets import QApplication

    window = open_window(qtbot, tmp_path)
    collector = QApplication.instance().gui_thread_collector
    try:
        collector.freeze_start_up()
        assert gc.get_freeze_count() > 10_000  # the window's widgets, items, arrays ...
        assert window.session.objective is not None  # ... and the window works on
        window.session.set_start((3.1, 2.2))
        assert window.session.trajectories["newton"].iterates[0].x.tolist() == [3.1, 2.2]
    finally:
        gc.unfreeze()
