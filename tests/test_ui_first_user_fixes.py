"""What a demanding first user found wrong in the window, each pinned by a test."""

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
