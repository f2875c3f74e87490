"""The Dimensions tab (pytest-qt, offscreen): run a tiny sweep, check plots, words, hover,
export, cancel and remembered settings."""

import csv
import io

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from hessianlens.engine.ndim.sweep import SweepSettings
from uihelpers import temp_settings


@pytest.fixture
def view(qtbot, tmp_path):
    from hessianlens.ui.dimensions.view import DimensionsView

    v = DimensionsView(temp_settings(tmp_path))
    qtbot.addWidget(v)
    v.resize(1200, 800)
    v.show()
    qtbot.waitExposed(v)
    yield v
    v.shutdown()


def choose(view, problem="quadratic", n_min=4, n_max=64, methods=("gd", "newton", "lbfgs"),
           kappa=10.0):
    c = view.controls
    c.problem.setCurrentIndex(c.problem.findData(problem))
    c.n_min.setCurrentIndex(c.n_min.findData(n_min))
    c.n_max.setCurrentIndex(c.n_max.findData(n_max))
    c.kappa.setValue(kappa)
    for name, box in c.method_boxes.items():
        box.setChecked(name in methods)


def run(qtbot, view):
    with qtbot.waitSignal(view.sweep_shown, timeout=120_000):
        qtbot.mouseClick(view.controls.run_button, Qt.MouseButton.LeftButton)


def test_a_tiny_sweep_draws_one_curve_per_method_and_states_the_crossover(qtbot, view):
    choose(view)
    run(qtbot, view)
    runs = view.sweep.runs
    assert [(r.n, r.method) for r in runs] == [(n, m) for n in (4, 8, 16, 32, 64)
                                              for m in ("gd", "newton", "lbfgs")]
    plots = view.plots
    assert set(plots.time_curves) == {"gd", "newton", "lbfgs"}
    for m, curve in plots.time_curves.items():
        x, y = curve.getData()  # log10 of n and of the seconds (log-log axes)
        mine = [r for r in runs if r.method == m]
        assert np.allclose(x, np.log10([r.n for r in mine]))
        assert np.allclose(y, np.log10([r.seconds for r in mine]))
    x, y = plots.iter_curves["newton"].getData()
    assert np.allclose(y, 0.0)  # one iteration at every n: log10(1)
    major, _minor = plots.iter_plot.getAxis("bottom")._tickLevels
    assert [label for _, label in major] == ["4", "8", "16", "32", "64"]  # n as measured
    major, _minor = plots.time_plot.getAxis("left")._tickLevels
    assert all(label.endswith("s") for _, label in major)  # seconds with units: "10 ms"
    words = plots.words.text
    for c in view.sweep.crossovers:
        assert c.text in words
    assert "Newton" in words and ("L-BFGS" in words and "Gradient descent" in words)
    assert view.table.rowCount() == len(runs)
    assert view.controls.progress.value() == len(runs)
    assert view.controls.run_button.isEnabled() and not view.controls.cancel_button.isEnabled()


def test_hover_names_the_numbers_of_the_nearest_point(qtbot, view):
    choose(view, n_min=8, n_max=16, methods=("newton",))
    run(qtbot, view)
    r = view.sweep.runs[-1]
    qtbot.wait(50)  # the plots take their new ranges
    vb = view.plots.iter_plot.getViewBox()
    scene = vb.mapViewToScene(QPointF(np.log10(r.n), np.log10(max(r.iterations, 1))))
    view.plots.graphics.scene().sigMouseMoved.emit(scene)
    text = view.hover.text()
    assert text.startswith(f"Newton, n = {r.n}: converged in 1 iteration,")
    assert "Hessians" in text and "state" in text
    view.plots.graphics.scene().sigMouseMoved.emit(QPointF(-500, -500))
    assert view.hover.text().strip() == ""


def test_logistic_regression_has_one_n_and_a_point_per_method(qtbot, view):
    choose(view, problem="logistic", methods=("newton", "bfgs"))
    assert not view.controls.n_min.isEnabled() and not view.controls.kappa.isEnabled()
    run(qtbot, view)
    assert {r.n for r in view.sweep.runs} == {31}
    x, _ = view.plots.time_curves["bfgs"].getData()
    assert np.allclose(x, np.log10([31]))
    assert "At n = 31, Newton is" in view.plots.words.text


def test_runs_that_miss_the_tolerance_are_crosses_off_the_curve(qtbot, view):
    choose(view, n_min=4, n_max=8, methods=("gd", "newton"), kappa=1e6)
    view.controls.max_iter.setValue(50)
    run(qtbot, view)
    x, _ = view.plots.time_curves["gd"].getData()
    assert x is None or len(x) == 0  # gradient descent needs far more than 50 steps at kappa 1e6
    assert len(view.plots.failed_items) == 2  # its crosses on both plots
    assert "did not reach" in view.controls.status.text()
    assert "is faster than Gradient descent at every n" in view.plots.words.text
    assert "Gradient descent did not reach the tolerance" in view.plots.words.text


def test_export_png_svg_and_csv(qtbot, view, tmp_path):
    assert not view.export_csv(str(tmp_path / "none.csv"))  # nothing to export yet
    choose(view, n_min=4, n_max=8, methods=("gd", "newton"))
    run(qtbot, view)
    png, svg, table = tmp_path / "s.png", tmp_path / "s.svg", tmp_path / "s.csv"
    assert view.export_image(str(png)) and view.export_image(str(svg))
    assert view.export_csv(str(table))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PySide6.QtGui import QImage

    from hessianlens.engine.ndim.figure import HEIGHT, WIDTH

    image = QImage(str(png))
    assert (image.width(), image.height()) == (2 * WIDTH, 2 * HEIGHT)
    assert image.pixelColor(5, 5).name() == "#ffffff"
    text = svg.read_text(encoding="utf-8")
    assert text == view.plots.svg()  # the engine's figure of what is on screen
    assert text.count("<polyline") == 4  # two methods on two plots
    for c in view.sweep.crossovers:
        assert c.text.replace("'", "&#x27;") in text
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8"))))
    assert [(r["n"], r["method"]) for r in rows] == [("4", "gd"), ("4", "newton"),
                                                     ("8", "gd"), ("8", "newton")]
    assert all(r["status"] == "converged" for r in rows)
    assert not view.export_image(str(tmp_path / "missing" / "s.png"))  # a message, no crash
    assert "Could not write" in view.controls.status.text()


def test_cancel_stops_the_sweep_and_keeps_what_was_done(qtbot, view):
    view.start(SweepSettings("quadratic", (2, 4, 8, 16), ("gd",), kappa=1e8, max_iter=100_000))
    assert view.controls.cancel_button.isEnabled()
    qtbot.mouseClick(view.controls.cancel_button, Qt.MouseButton.LeftButton)
    assert view.controls.run_button.isEnabled()
    assert "Cancelled" in view.controls.status.text()
    assert view.runner.wait(30_000)
    assert view.sweep.cancelled and len(view.sweep.runs) < 4


def test_bad_settings_get_a_message_and_the_settings_are_remembered(qtbot, view, tmp_path):
    choose(view, methods=())
    assert not view.start()
    assert "at least one method" in view.controls.status.text()

    from hessianlens.ui.dimensions.view import DimensionsView

    choose(view, problem="rosenbrock", n_min=8, n_max=256, methods=("bfgs", "lbfgs"))
    view.controls.tol.setCurrentIndex(view.controls.tol.findData(1e-8))
    view.controls.save(view.store)
    again = DimensionsView(view.store)
    qtbot.addWidget(again)
    s = again.controls.settings()
    assert (s.problem, s.dims[0], s.dims[-1], s.methods, s.tol) == (
        "rosenbrock", 8, 256, ("bfgs", "lbfgs"), 1e-8)


def test_every_control_has_a_tooltip(view):
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QSpinBox, QDoubleSpinBox

    controls = [w for kind in (QAbstractButton, QComboBox, QSpinBox, QDoubleSpinBox)
                for w in view.findChildren(kind)]
    assert len(controls) > 15
    for w in controls:
        if w.isVisible() and not w.objectName().startswith("qt_"):  # Qt's own sub-widgets
            assert w.toolTip(), w


def test_the_window_builds_the_tab_on_first_show(qtbot, tmp_path):
    from uihelpers import open_window

    window = open_window(qtbot, tmp_path)
    page = window.dimensions_page
    assert page.content is None  # start-up did not build it
    window.tabs.setCurrentWidget(page)
    qtbot.waitUntil(lambda: page.content is not None)
    assert window.tabs.tabText(window.tabs.indexOf(page)) == "Dimensions"
    assert page.content.plots.time_plot is not None
