"""What a demanding first user found wrong in the window, each pinned by a test."""

import pytest

from hessianlens.engine.fields import Rect
from hessianlens.model import MethodConfig
from hessianlens.ui.convergence_plot import ConvergencePlot
from hessianlens.ui.session import Session

EXAMPLE_3 = "sin(x0)**2 + sin(10 + x1*x0/2) * cos(x0)"
# The window's opening methods: the write-up's Example 3 with lr 0.5 for both.
OPENING = (MethodConfig("gd", True, {"learning_rate": 0.5}, 100, 1e-6, "#1f77b4"),
           MethodConfig("newton", True, {"learning_rate": 0.5}, 100, 1e-6, "#d62728"))


def painted(qtbot, widget, width, height):
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    for _ in range(3):  # pyqtgraph sizes an axis by its tick labels when it paints them
        widget.grab()
        qtbot.wait(20)
    return widget


def test_convergence_plots_show_the_same_iterations_from_iteration_0(qtbot):
    """log10 |grad f| and f share their x range, whatever their ticks' widths: the f plot's
    wider ticks ("-0.5") narrowed its view and cut off iteration 0, f at the start point."""
    session = Session(EXAMPLE_3, Rect(0.5, 5.5, -1.0, 4.5), (3.1, 1.3), OPENING)
    for width, height in ((330, 330), (320, 300), (400, 500)):
        plot = painted(qtbot, ConvergencePlot(session), width, height)
        grad_range = plot.grad_plot.vb.viewRange()[0]
        f_range = plot.f_plot.vb.viewRange()[0]
        assert f_range[0] < 0 < f_range[1]
        assert f_range == grad_range
        grad_box = plot.grad_plot.vb.sceneBoundingRect()
        f_box = plot.f_plot.vb.sceneBoundingRect()
        assert (f_box.left(), f_box.width()) == (grad_box.left(), grad_box.width())


def test_convergence_key_of_six_methods_takes_two_columns_in_a_narrow_dock(qtbot):
    """Six methods in a dock 350 pixels wide: one key line each took 128 of its 330 pixels and
    squeezed both plots until their tick labels ran into each other. The key's words never
    change, so it keeps no room for them to grow and its last column needs no gap after it."""
    from hessianlens.model import default_methods
    from hessianlens.ui.legend import SAMPLE, _text_width

    session = Session(EXAMPLE_3, Rect(0.5, 5.5, -1.0, 4.5), (3.1, 1.3), default_methods())
    for name in ("bfgs", "sr1", "momentum", "adam"):
        session.update_method(name, enabled=True)
    plot = painted(qtbot, ConvergencePlot(session), 350, 330)
    key = plot.legend
    assert len(key.labels()) == 6 and not key.hidden
    assert (key.columns, key._rows) == (2, 3)
    for _, sample, label in key.entries:  # every name whole inside the key
        assert label.isVisible() and sample.isVisible()
        assert label.pos().x() + _text_width(label) <= key.size().width()
        assert label.pos().x() >= SAMPLE
    assert plot.grad_plot.vb.size().height() > 0.6 * key.size().height()


@pytest.mark.parametrize("width", [280, 320])  # the dock at 1366 and 1600 pixels
def test_rates_and_sweep_plots_have_dark_axes_and_whole_axis_labels(qtbot, width):
    """The Rates and Sweep plots kept pyqtgraph's light grey axes (faint on white, unlike
    every other plot), and the Newton plot's axis label lost its end beside the other plot."""
    from hessianlens.ui.rates_panel import RatesPanel
    from hessianlens.ui.sweep_panel import SweepPanel

    session = Session(EXAMPLE_3, Rect(0.5, 5.5, -1.0, 4.5), (3.1, 1.3), OPENING)
    rates = painted(qtbot, RatesPanel(session), width, 360)
    sweep = painted(qtbot, SweepPanel(session), 320, 360)
    for plot in (rates.gradient_plot, rates.newton_plot, sweep.plot):
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            assert axis.textPen().color().lightness() < 100  # dark words on white
            assert axis.pen().color().lightness() < 150
            assert "#" in axis.labelStyle.get("color", "")  # the label in the text's colour
    assert rates.graphics.wide  # side by side, each plot half the dock
    view = rates.graphics
    seen = view.mapToScene(view.viewport().rect()).boundingRect()
    boxes = []
    for plot in (rates.gradient_plot, rates.newton_plot):
        label = plot.getAxis("bottom").label
        box = label.mapRectToScene(label.boundingRect())
        assert seen.contains(box), label.toPlainText()
        boxes.append(box)
    assert not boxes[0].intersects(boxes[1])


def test_the_rates_quadratic_model_is_drawn_dashed_as_its_tooltip_says(qtbot):
    from PySide6.QtCore import Qt

    from hessianlens.ui.rates_panel import RatesPanel

    session = Session(EXAMPLE_3, Rect(0.5, 5.5, -1.0, 4.5), (3.1, 1.3), OPENING)
    rates = painted(qtbot, RatesPanel(session), 320, 360)
    assert "against the quadratic model (dashed)" in rates.graphics.toolTip()
    for name in ("gradient", "newton"):
        model = rates.curves[name, "model"]
        assert model.opts["pen"].style() == Qt.PenStyle.DashLine
        assert model.curve.opts["segmentedLineMode"] == "off"  # one dash pattern along it
        assert len(model.getData()[0]) > 10


def test_the_plane_key_lists_methods_in_the_order_of_the_methods_dock(qtbot):
    """Switched on as SR1, then BFGS: the plane's key said SR1 before BFGS while the Methods
    dock and the convergence key say BFGS first."""
    from hessianlens.engine.explain import method_title
    from hessianlens.model import default_methods
    from hessianlens.ui.plot_view import PlotView

    session = Session(EXAMPLE_3, Rect(0.5, 5.5, -1.0, 4.5), (3.1, 1.3), default_methods())
    view = PlotView(session)
    qtbot.addWidget(view)
    convergence = ConvergencePlot(session)
    qtbot.addWidget(convergence)
    session.update_method("sr1", enabled=True)
    session.update_method("bfgs", enabled=True)
    qtbot.waitUntil(lambda: len(view.trajectories.paths) == 4, timeout=5_000)
    order = [m.name for m in session.enabled_methods()]
    assert order == ["gd", "newton", "bfgs", "sr1"]
    titles = [method_title(name) for name in order]
    plane = [label for _, label in view.legend_entries()][:4]
    assert [label.split(" (")[0] for label in plane] == [t.split(" (")[0] for t in titles]
    assert convergence.legend.labels() == titles


def test_dimensions_export_image_before_any_sweep_says_so_and_writes_nothing(qtbot, tmp_path):
    """Export image... before Run sweep wrote a figure of two empty plots without a word;
    Export CSV... already said to run a sweep first."""
    from hessianlens.ui.dimensions.view import DimensionsView
    from uihelpers import temp_settings

    view = DimensionsView(temp_settings(tmp_path))
    qtbot.addWidget(view)
    try:
        for name in ("empty.png", "empty.svg"):
            assert not view.export_image(str(tmp_path / name))
            assert not (tmp_path / name).exists()
            assert view.controls.status.text() == "Nothing to export yet: run a sweep first."
    finally:
        view.shutdown()


def _line_spans(html: str, font, width: float) -> tuple[list[tuple[int, int]], str]:
    """(start, end) of every line of rich text laid out at a width, and its plain text."""
    from PySide6.QtGui import QTextDocument

    doc = QTextDocument()
    doc.setDefaultFont(font)
    doc.setHtml(html)
    doc.setTextWidth(width)
    doc.size()  # lays it out
    spans, block = [], doc.begin()
    while block.isValid():
        layout = block.layout()
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            start = block.position() + line.textStart()
            spans.append((start, start + line.textLength()))
        block = block.next()
    return spans, doc.toPlainText()


@pytest.mark.parametrize("width", [200, 230, 260, 290])
def test_the_sweep_key_keeps_each_mark_with_its_words(qtbot, width):
    """In the Rates/Sweep dock of a 1366-pixel window the key's cross ended a line and
    'diverged' began the next."""
    import re

    from hessianlens.ui.sweep_panel import SweepPanel

    session = Session(EXAMPLE_3, Rect(0.5, 5.5, -1.0, 4.5), (3.1, 1.3), OPENING)
    panel = painted(qtbot, SweepPanel(session), 320, 420)
    with qtbot.waitSignal(panel.job.finished, timeout=60_000):
        panel.request(now=True, force=True)
    qtbot.waitUntil(lambda: "diverged" in panel.summary.text(), timeout=5_000)
    spans, plain = _line_spans(panel.summary.text(), panel.summary.font(), width)
    for words in (r"\u25cf\s+steps\s+to\s+tolerance", r"\u25cf\s+not\s+converged",
                  r"\u00d7\s+diverged"):
        found = re.search(words, plain)
        assert found, words
        lines = [i for i, (a, b) in enumerate(spans) if a < found.end() and found.start() < b]
        assert len(lines) == 1, (words, width)
