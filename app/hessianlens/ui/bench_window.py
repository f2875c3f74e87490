"""Window benchmarks for ``hessianlens bench --only window`` (offscreen Qt)."""

from __future__ import annotations

import os
import statistics
import tempfile
import time

TARGETS_MS = {"apply_function_ms": 150, "click_to_trajectories_ms": 30, "animation_frame_ms": 16}
# A new function for every repeat, so sympy's cache never answers for free.
FUNCTIONS = [f"sin(x0)**2 + sin({10 + i} + x1*x0/2) * cos(x0)" for i in range(1, 40)]


def _wait(app, done, timeout_s: float = 10.0) -> None:
    t_end = time.perf_counter() + timeout_s
    while not done() and time.perf_counter() < t_end:
        app.processEvents()
        time.sleep(0.0005)


def window_benchmarks() -> dict:
    """Median times of the window's interactive paths at 512 x 512, every overlay on."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from hessianlens.timing import median_ms
    from hessianlens.ui.field_worker import GRID
    from hessianlens.ui.main_window import MainWindow
    from hessianlens.ui.plot_view import configure_pyqtgraph
    from hessianlens.ui.repaint_gate import PaintSpy
    from hessianlens.overlay_specs import OVERLAYS

    app = QApplication.instance() or QApplication([])
    configure_pyqtgraph()
    with tempfile.TemporaryDirectory() as tmp:
        window = MainWindow(settings=QSettings(os.path.join(tmp, "bench.ini"),
                                               QSettings.Format.IniFormat))
        window.resize(1400, 900)
        window.show()
        view, session = window.plot_view, window.session
        shown, painted = [], []

        view.graphics.viewport().installEventFilter(PaintSpy(lambda: painted.append(1), window))

        def on_shown():
            shown.append(1)
            painted.clear()  # count only the paints that draw the new fields

        view.fields_shown.connect(on_shown)
        _wait(app, lambda: shown)
        for spec in OVERLAYS.values():
            if spec.needs:  # drawn from the fields job (the basins run a job of their own)
                session.set_overlay(spec.name, True)
        functions = iter(FUNCTIONS)

        def settle():
            # Between two applies the window finishes its work, as between two edits.
            _wait(app, lambda: not (view.gate.pending() or view.worker.busy()))
            _wait(app, lambda: False, 0.05)

        def apply_function() -> tuple[float, float]:
            """Milliseconds until the event loop has painted the plane with the new fields, as
            in the app, and until the panels that wait for the plane have followed."""
            settle()
            shown.clear()
            t0 = time.perf_counter()
            session.set_function(next(functions))
            _wait(app, lambda: shown and painted)
            t_plane = time.perf_counter()
            _wait(app, lambda: not view.gate.pending())
            app.processEvents()  # the panels' zero-delay refreshes
            return (t_plane - t0) * 1000, (time.perf_counter() - t0) * 1000

        apply_function()  # warm-up
        applied = [apply_function() for _ in range(9)]

        starts = iter([(3.1 + 0.001 * i, 1.3) for i in range(100)])

        def click():
            # The click handler's work: a new start re-traces and redraws both paths.
            view._view_clicked(*next(starts))
            view.graphics.viewport().repaint()

        def frame():
            if session.at_end:
                session.reset()
            session.step_forward()
            view.graphics.viewport().repaint()

        session.load(rect=session.rect)
        out = {
            "grid": f"{GRID}x{GRID}",
            "overlays": sorted(session.overlays),
            "apply_function_ms": round(statistics.median(a for a, _ in applied), 1),
            "apply_function_panels_ms": round(statistics.median(b for _, b in applied), 1),
            "click_to_trajectories_ms": round(median_ms(click, repeat=15), 1),
            "animation_frame_ms": round(median_ms(frame, repeat=30), 1),
        }
        for key, target in TARGETS_MS.items():
            out[key.replace("_ms", "_target_ms")] = target
        window.close()
    return out
