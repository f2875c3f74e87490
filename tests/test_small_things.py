"""Small things a first user stumbled on: words, numbers, axes and line styles."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from hessianlens.engine import explain, linalg2
from hessianlens.engine.objective import objective_from_text
from hessianlens.engine.rules import make_rule
from hessianlens.engine.trajectory import run

ROSENBROCK = "(1 - x)**2 + 100*(y - x**2)**2"


def test_one_step_is_one_step():
    t = run(objective_from_text("x**2 + y**2"), make_rule("newton"), (1.0, 1.0))
    assert t.message.startswith("converged in 1 step to a minimum")
    t = run(objective_from_text("x**2 + y**2"), make_rule("gd", learning_rate=0.1), (1.0, 1.0),
            max_steps=1)
    assert t.message.startswith("stopped after 1 step:")


def test_the_small_eigenvalue_survives_a_huge_one():
    # H of Rosenbrock where gradient descent (lr 0.5) lands after 2 steps from (3.1, 1.3)
    a, b, c = 8.967357e29, -1.0934567e16, 200.0
    low, high = linalg2.eigenvalues(a, b, c)
    assert high == pytest.approx(a)
    assert low == pytest.approx((a * c - b * b) / a, rel=1e-6) and low > 60
    grid = linalg2.eigenvalues(np.array([a, 2.0, 1.0]), np.array([b, 0.0, 2.0]),
                               np.array([c, 2.0, 1.0]))
    assert np.allclose(grid[0][1:], [2.0, -1.0]) and np.allclose(grid[1][1:], [2.0, 3.0])


def test_a_diverged_iterate_is_numerically_singular_not_singular_in_words():
    objective = objective_from_text(ROSENBROCK)
    t = run(objective, make_rule("gd", learning_rate=0.5), (3.1, 1.3))
    assert t.status == "diverged"
    ins = explain.inspect_point(objective, t.iterates[-1].x, 0.5)
    assert ins.det > 1e30 and ins.curvature == linalg2.SINGULAR
    words = explain.inspection_words(ins)[0]
    assert words.startswith("H is numerically singular") and "det H = 5.97" in words
    assert "H is singular: no Newton step exists" not in explain.inspection_words(ins)
    # a truly singular H keeps the short words
    flat = explain.inspect_point(objective_from_text("x**3 - 3*x*y**2"), (0.0, 0.0))
    assert explain.inspection_words(flat)[0] == "H is singular: no Newton step exists"


def test_axis_labels_carry_no_hidden_scale(qtbot, tmp_path):
    from uihelpers import open_window

    window = open_window(qtbot, tmp_path)
    window.session.load(ROSENBROCK, start=(3.1, 1.3))  # gd (lr 0.5) diverges: f ~ 1e172
    conv = window.convergence
    conv.update_curves()
    axis = conv.f_plot.getAxis("left")
    assert not axis.autoSIPrefix and "(x" not in axis.labelString()
    for plot in (window.plot_view.plot, conv.grad_plot):
        assert not plot.getAxis("bottom").autoSIPrefix


def test_the_tangent_is_drawn_dashed_as_its_key_shows(qtbot):
    from hessianlens.ui.onestep_plot import OneStepPlot

    plot = OneStepPlot()
    qtbot.addWidget(plot)
    for item in (plot.tangent, plot.newton, plot.drop):
        assert item.curve.opts["segmentedLineMode"] == "off"  # a dash pattern along the line
    assert plot.tangent.opts["pen"].style() == Qt.PenStyle.DashLine


def test_every_status_tip_fits_the_status_bar_and_ends_on_a_word():
    """The overlays' tooltips run to 300 characters; the status bar at 1366 pixels holds
    about 160 beside the cursor's coordinates, and cut Stability's mid-word."""
    from hessianlens.overlay_specs import OVERLAYS
    from hessianlens.ui.theme import status_tip

    for spec in OVERLAYS.values():
        tip = status_tip(spec.tooltip)
        assert 20 < len(tip) <= 161 and "(" not in tip and ";" not in tip, spec.name
        # whole words of the tooltip, never a word cut in two
        whole = {w.strip(",;:") for w in spec.tooltip.split()}
        assert all(w.strip(",;:") in whole for w in tip.rstrip("…").split()), spec.name
    assert status_tip("Short (an aside); the rest") == "Short"


def test_colour_bar_numbers_are_short_at_every_scale():
    from hessianlens.ui.theme import short_tick_strings as short

    assert short([0, 2e5, 4e5, 1e6], 1, 2e5) == ["0", "2e5", "4e5", "1e6"]
    assert short([-2.5e5, 99999.9, 25000], 1, 5e3) == ["-2.5e5", "1e5", "2.5e4"]
    assert short([2e-8, 4.5e-8], 1, 5e-9) == ["2e-8", "4.5e-8"]
    assert short([-0.5, 0, 0.5, 1000], 1, 0.5) == ["-0.5", "0", "0.5", "1000.0"]
