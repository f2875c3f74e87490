"""The learning-rate lens in the window: the rates dock, the sweep dock and the stability
overlay (pytest-qt; assertions on plot data and session state, not pixels)."""

import math

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent

from hessianlens.engine import linalg2
from hessianlens.engine.objective import objective_from_text
from hessianlens.engine.rates import rates_at, stability_edge
from hessianlens.engine.sweep import log_rates
from hessianlens.engine.trajectory import CONVERGED, DIVERGED
from uihelpers import drag, mouse, open_window

EXAMPLE3 = "sin(x0)**2 + sin(10 + x1*x0/2) * cos(x0)"


@pytest.fixture
def window(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path)
    w.resize(1600, 1000)  # room for the docks' plots (the offscreen screen is small)
    qtbot.waitUntil(lambda: w.width() >= 1500, timeout=5_000)
    return w


def raise_dock(qtbot, window, key):
    dock = window.docks[key]
    dock.show()
    dock.raise_()
    qtbot.waitUntil(lambda: dock.widget().active and dock.widget().isVisible(), timeout=5_000)
    return dock.widget()


def at_view(panel, plot, x, y) -> QPoint:
    """The viewport pixel of the data point (x, y) on one of the panel's plots."""
    scene = plot.getViewBox().mapViewToScene(QPointF(x, y))
    return panel.graphics.mapFromScene(scene)


def wait_rates(qtbot, panel, point):
    qtbot.waitUntil(lambda: panel.rates is not None
                    and panel.rates.point == pytest.approx(tuple(point)), timeout=5_000)


# --- the rates dock ------------------------------------------------------------------------
def test_the_rates_dock_follows_the_selected_iterate(qtbot, window):
    panel = raise_dock(qtbot, window, "rates")
    session = window.session
    gd_end = session.selected_iterate()
    wait_rates(qtbot, panel, gd_end.x)
    newton = session.trajectories["newton"].iterates[2]
    session.select("newton", 2)
    wait_rates(qtbot, panel, newton.x)
    assert "Newton, iterate 2" in panel.heading.text()
    expected = rates_at(session.objective, newton.x)
    shown = {k: b.text() for k, b in panel.buttons.items()}
    for key in ("cauchy", "inverse_lambda_max", "best_quadratic", "stability_edge"):
        v = getattr(expected, key)
        assert shown[key] == ("none" if v is None else f"{v:.4g}")
    assert panel.message.text() == expected.message
    # f along -grad f starts at f(x), and its model meets it there with the same slope.
    t, f = panel.curves["gradient", "f"].getData()
    _, model = panel.curves["gradient", "model"].getData()
    assert t[0] == 0 and f[0] == pytest.approx(newton.f) and model[0] == pytest.approx(newton.f)
    assert (f[1] - f[0]) == pytest.approx(model[1] - model[0], rel=0.05)
    # The markers stand at the rates (hidden where a rate does not exist).
    for key, line in panel.markers.items():
        value = expected.line_minimum.t if key == "line_minimum" else getattr(expected, key)
        assert line.isVisible() == (value is not None)
        if value is not None:
            assert line.value() == pytest.approx(value)


def test_example3_start_the_newton_line_shows_the_half_step_raising_f(qtbot, window):
    panel = raise_dock(qtbot, window, "rates")
    window.session.select("gd", 0)  # the start (3.1, 1.3)
    wait_rates(qtbot, panel, (3.1, 1.3))
    t, f = panel.curves["newton", "f"].getData()
    assert f[0] == pytest.approx(0.5251311154)
    assert np.interp(0.5, t, f) == pytest.approx(0.9685, abs=2e-3)
    assert panel.buttons["cauchy"].text() == "none" and not panel.buttons["cauchy"].isEnabled()
    assert "negative curvature along -g" in panel.message.text().lower()


def test_dragging_the_gradient_descent_marker_sets_its_rate_through_the_session(qtbot, window):
    panel = raise_dock(qtbot, window, "rates")
    session = window.session
    session.select("gd", 0)
    wait_rates(qtbot, panel, (3.1, 1.3))
    line, plot = panel.in_use["gd"], panel.gradient_plot
    assert line.value() == 0.5
    (_, _), (y0, y1) = plot.getViewBox().viewRange()
    ymid = (y0 + y1) / 2
    changed = []
    session.methods_changed.connect(lambda: changed.append(session.methods["gd"].learning_rate))
    drag(panel, [at_view(panel, plot, 0.5, ymid) + QPoint(0, 0),
                 at_view(panel, plot, 0.4, ymid), at_view(panel, plot, 0.3, ymid)])
    lr = session.methods["gd"].learning_rate
    px = plot.getViewBox().viewPixelSize()[0]
    assert lr == pytest.approx(0.3, abs=3 * px) and lr != 0.5
    assert len(changed) >= 2  # live while dragging
    assert session.trajectories["gd"].learning_rate == lr  # retraced at the new rate
    qtbot.waitUntil(lambda: line.value() == pytest.approx(lr), timeout=5_000)


def test_a_rate_button_gives_gradient_descent_that_rate(qtbot, window):
    panel = raise_dock(qtbot, window, "rates")
    session = window.session
    session.select("gd", 100)
    qtbot.waitUntil(lambda: panel.buttons["cauchy"].isEnabled(), timeout=5_000)
    cauchy = panel.rates.cauchy
    qtbot.mouseClick(panel.buttons["cauchy"], Qt.MouseButton.LeftButton)
    assert session.methods["gd"].learning_rate == cauchy
    qtbot.mouseClick(panel.buttons["newton_line_minimum"], Qt.MouseButton.LeftButton)
    assert session.methods["newton"].learning_rate == panel.rates.newton_line_minimum.t


# --- the sweep dock ------------------------------------------------------------------------
def run_sweep(qtbot, panel):
    with qtbot.waitSignal(panel.job.finished, timeout=30_000):
        panel.request(now=True, force=True)
    return panel.sweep


def test_the_sweep_runs_in_the_background_with_progress_and_draws_every_rate(qtbot, window):
    panel, bar = window.sweep_panel, window.job_progress["sweep"]
    shown = []  # (running, progress bar visible) at every change
    panel.job.running_changed.connect(lambda on: shown.append((on, bar.isVisible())))
    progress = []
    panel.job.progress.connect(lambda done, total: progress.append((done, total)))
    raise_dock(qtbot, window, "sweep")  # shown: it sweeps
    panel.num.setValue(60)
    panel.steps.setValue(400)
    sweep = run_sweep(qtbot, panel)
    assert shown[0] == (True, True) and all(on == visible for on, visible in shown)
    assert not bar.isVisible()
    assert progress and progress[-1][1] == 400 and progress[-1][0] <= 400
    assert sweep.method == "gd" and sweep.start == (3.1, 1.3) and len(sweep.statuses) == 60
    assert np.array_equal(sweep.learning_rates, log_rates(1e-3, 10, 60))
    status = np.array(sweep.statuses)
    x, y = panel.converged.getData()
    assert np.array_equal(x, np.log10(sweep.learning_rates[status == CONVERGED]))
    assert np.array_equal(y, sweep.steps[status == CONVERGED])
    assert len(panel.diverged.getData()[0]) == np.count_nonzero(status == DIVERGED)
    assert "rates converged" in panel.summary.text()
    # The rates at the start stand as lines (log10 of the rate on the log axis).
    edge = rates_at(window.session.objective, (3.1, 1.3)).stability_edge
    assert panel.markers["stability_edge"].value() == pytest.approx(math.log10(edge))


def test_the_sweep_follows_the_start_point(qtbot, window):
    panel = raise_dock(qtbot, window, "sweep")
    panel.num.setValue(20)
    run_sweep(qtbot, panel)
    with qtbot.waitSignal(panel.job.finished, timeout=30_000):
        window.session.set_start((3.1, 2.2))
    assert panel.sweep.start == (3.1, 2.2)


def test_cancel_in_the_status_bar_stops_the_sweep(qtbot, window):
    panel = raise_dock(qtbot, window, "sweep")
    run_sweep(qtbot, panel)
    panel.steps.setValue(100_000)  # a sweep of many seconds
    panel.request(now=True, force=True)
    bar = window.job_progress["sweep"]
    qtbot.waitUntil(bar.isVisible, timeout=5_000)
    qtbot.mouseClick(bar.cancel, Qt.MouseButton.LeftButton)
    assert not panel.job.running and not bar.isVisible()
    assert "cancelled" in panel.summary.text()
    panel.job.wait(30_000)
    assert panel.sweep.max_steps == 1000  # the cancelled sweep never replaced the last one


def test_clicking_the_sweep_plot_gives_the_method_the_nearest_swept_rate(qtbot, window):
    panel = raise_dock(qtbot, window, "sweep")
    panel.num.setValue(40)
    sweep = run_sweep(qtbot, panel)
    p = at_view(panel, panel.plot, math.log10(0.2), 500)
    for kind in (QMouseEvent.Type.MouseButtonPress, QMouseEvent.Type.MouseButtonRelease):
        mouse(panel, kind, p)
    lr = window.session.methods["gd"].learning_rate
    assert lr in set(sweep.learning_rates) and lr == pytest.approx(0.2, rel=0.13)
    assert panel.current.value() == pytest.approx(math.log10(lr))


# --- the stability overlay ----------------------------------------------------------------
def test_the_stability_overlay_draws_the_curve_where_the_rate_is_the_edge(qtbot, window):
    layer = window.plot_view.overlays["stability"]
    window.overlay_actions["stability"].trigger()
    assert window.overlay_actions["stability"].shortcut().toString() == "Ctrl+6"
    qtbot.waitUntil(lambda: layer.curve.getData()[0] is not None
                    and len(layer.curve.getData()[0]) > 10, timeout=20_000)
    objective = objective_from_text(EXAMPLE3)

    def edges_on_curve():
        x, y = layer.curve.getData()
        ok = np.isfinite(x)
        d = objective.derivatives(x[ok], y[ok])
        return stability_edge(linalg2.eigenvalues(d[3], d[4], d[5])[1])

    assert np.median(np.abs(edges_on_curve() / 0.5 - 1)) < 0.02  # 2/lambda_max = 0.5 there
    # The image is log10 (2/lambda_max) of the grid, NaN where lambda_max <= 0.
    fields = window.plot_view.bundle.fields
    assert np.array_equal(layer.image.image, np.log10(stability_edge(fields.eig_high)),
                          equal_nan=True)
    assert (layer.hatch.image[..., 3] > 0).any()  # Example 3 is mostly indefinite
    window.session.update_method("gd", learning_rate=0.4)
    assert np.median(np.abs(edges_on_curve() / 0.4 - 1)) < 0.02
    labels = [label for _, label in window.plot_view.legend_entries()]
    assert any("lr 0.4" in label for label in labels)
    lo, hi = layer.bar.levels()
    assert (lo + hi) / 2 == pytest.approx(math.log10(0.4))  # white at the rate in use
    window.overlay_actions["stability"].trigger()
    assert not layer.curve.isVisible() and not layer.image.isVisible()


def test_the_sweep_settings_are_saved_with_the_session_and_remembered(qtbot, window, tmp_path):
    from hessianlens.ui.main_window import MainWindow

    panel, session = raise_dock(qtbot, window, "sweep"), window.session
    panel.method.setCurrentIndex(panel.method.findData("momentum"))
    panel.low.setValue(0.02)
    panel.num.setValue(30)
    panel.steps.setValue(300)
    sweep = session.state.sweep
    assert (sweep.method, sweep.low, sweep.num, sweep.steps) == \
        ("momentum", 0.02, 30, 300)
    assert window.isWindowModified()
    path = tmp_path / "sweep.hlens.json"
    assert window.files.save_session_as(str(path))
    panel.num.setValue(80)
    panel.method.setCurrentIndex(panel.method.findData("gd"))
    assert window.files.open_session(str(path))
    assert (panel.method_name, panel.low.value(), panel.num.value(), panel.steps.value()) == \
        ("momentum", 0.02, 30, 300)
    sweep = run_sweep(qtbot, panel)
    assert sweep.method == "momentum" and len(sweep.statuses) == 30 and sweep.max_steps == 300
    # The next window opens with them (the last session is remembered on close).
    window.close()
    again = MainWindow(settings=window.settings)
    qtbot.addWidget(again)
    again.files.confirm_unsaved = False
    assert (again.sweep_panel.method_name, again.sweep_panel.num.value()) == ("momentum", 30)
