"""Methods panel, inspector and convergence plot, driven as a user would (pytest-qt)."""

from html import escape

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QColorDialog

from hessianlens.engine import explain
from hessianlens.engine.fields import Rect
from hessianlens.engine.rules import RULES
from hessianlens.ui.convergence_plot import ConvergencePlot
from hessianlens.ui.inspector import InspectorPanel
from hessianlens.ui.methods_panel import MethodsPanel
from hessianlens.model import MethodConfig, default_methods
from hessianlens.ui.session import Session
from uihelpers import type_into

EXAMPLE_1 = "x0**2 + x1**2"
EXAMPLE_2 = "x0**2 - x0*x1/2 + (x1/3)**2"
EXAMPLE_3 = "sin(x0)**2 + sin(10 + x1*x0/2) * cos(x0)"
METHODS = (MethodConfig("gd", True, {"learning_rate": 0.5}, 100, 1e-6, "#1f77b4"),
           MethodConfig("newton", True, {"learning_rate": 1.0}, 100, 1e-6, "#d62728"))


def make_session(text=EXAMPLE_3, start=(3.1, 1.3)):
    return Session(text, Rect(-4, 4, -4, 4), start, METHODS)


@pytest.fixture
def session():
    return make_session()


def shown(qtbot, widget):
    qtbot.addWidget(widget)
    widget.resize(600, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


# --- methods panel ------------------------------------------------------------------------
def test_methods_panel_lists_every_method_with_its_rule_title(qtbot, session):
    panel = shown(qtbot, MethodsPanel(session))
    assert panel.names() == ["gd", "newton"]
    assert panel.item("gd").text() == "Gradient descent"
    assert panel.item("newton").text() == "Newton"
    assert panel.item("newton").toolTip() == f"Newton: {RULES['newton'].explanation}"
    for name in panel.names():
        panel.select_method(name)
        widgets = [panel.colour, panel.max_steps, panel.tol,
                   *(e.widget for e in panel.editors.values())]
        assert panel.editors and all(w.toolTip() for w in widgets)


def test_methods_panel_covers_every_rule(qtbot):
    session = Session(EXAMPLE_3, Rect(-4, 4, -4, 4), (3.1, 1.3), default_methods())
    panel = shown(qtbot, MethodsPanel(session))
    assert panel.names() == list(RULES)
    assert [panel.item(n).text() for n in panel.names()] == [c.title for c in RULES.values()]
    for name, cls in RULES.items():
        panel.select_method(name)
        assert list(panel.editors) == [p.name for p in cls.params]
        assert escape(cls.explanation) in panel.heading.text()


def test_enable_box_adds_and_removes_a_trajectory(qtbot, session):
    panel = shown(qtbot, MethodsPanel(session))
    panel.select_method("gd")
    panel.list.setFocus()
    qtbot.keyClick(panel.list, Qt.Key.Key_Space)  # the item's check box
    assert not session.methods["gd"].enabled
    assert "gd" not in session.trajectories
    assert panel.item("gd").checkState() == Qt.CheckState.Unchecked
    qtbot.keyClick(panel.list, Qt.Key.Key_Space)
    assert "gd" in session.trajectories


def test_typing_a_learning_rate_retraces(qtbot, session):
    panel = shown(qtbot, MethodsPanel(session))
    panel.select_method("gd")
    before = session.trajectories["gd"].points.copy()
    type_into(qtbot, panel.editors["learning_rate"].widget, "0.1")
    assert session.methods["gd"].learning_rate == pytest.approx(0.1)
    assert session.trajectories["gd"].learning_rate == pytest.approx(0.1)
    after = session.trajectories["gd"].points
    assert after.shape != before.shape or not np.allclose(after, before)
    lr = panel.editors["learning_rate"].widget
    qtbot.keyClick(lr, Qt.Key.Key_Up)  # log scale: the arrows walk 0.1, 0.2, 0.5, 1
    assert session.methods["gd"].learning_rate == pytest.approx(0.2)


def test_choosing_a_method_selects_it_in_the_session_and_back(qtbot, session):
    panel = shown(qtbot, MethodsPanel(session))
    panel.select_method("newton")
    assert session.selected_method == "newton"
    session.select("gd")
    assert panel.list.currentItem() is panel.item("gd") and panel.current == "gd"


def test_max_steps_and_scientific_tolerance(qtbot, session):
    panel = shown(qtbot, MethodsPanel(session))
    panel.select_method("gd")
    type_into(qtbot, panel.max_steps, "7")
    assert session.trajectories["gd"].steps_taken == 7
    panel.select_method("newton")
    tol = panel.tol
    type_into(qtbot, tol, "1e-3")
    assert session.methods["newton"].tol == pytest.approx(1e-3)
    assert tol.text() == "0.001"
    qtbot.keyClick(tol, Qt.Key.Key_Down)  # the arrows divide by ten
    assert session.methods["newton"].tol == pytest.approx(1e-4)
    assert session.trajectories["newton"].grad_norms[-1] < 1e-4


def test_colour_button_opens_the_dialog(qtbot, session, monkeypatch):
    panel = shown(qtbot, MethodsPanel(session))
    panel.select_method("newton")
    monkeypatch.setattr(QColorDialog, "getColor", lambda *a, **k: QColor("#00aa00"))
    qtbot.mouseClick(panel.colour, Qt.MouseButton.LeftButton)
    assert session.methods["newton"].colour == "#00aa00"
    monkeypatch.setattr(QColorDialog, "getColor", lambda *a, **k: QColor())  # cancelled
    qtbot.mouseClick(panel.colour, Qt.MouseButton.LeftButton)
    assert session.methods["newton"].colour == "#00aa00"


def test_methods_panel_follows_the_session(qtbot, session):
    panel = shown(qtbot, MethodsPanel(session))
    panel.select_method("gd")
    session.update_method("gd", learning_rate=0.25, max_steps=12, enabled=False)
    assert panel.editors["learning_rate"].value() == pytest.approx(0.25)
    assert panel.max_steps.value() == 12
    assert panel.item("gd").checkState() == Qt.CheckState.Unchecked


# --- inspector ----------------------------------------------------------------------------
def assert_shows_engine_numbers(qtbot, inspector, session, method):
    it = session.current_iterate(method)
    gd_lr = session.methods["gd"].learning_rate
    expected = explain.inspect_point(session.objective, it.x, gd_lr)
    ins = inspector.inspection
    np.testing.assert_array_equal(ins.x, it.x)
    np.testing.assert_allclose(ins.hessian, it.hessian)
    assert inspector.value_text("x") == explain.fmt_vector(expected.x)
    assert inspector.value_text("H") == explain.fmt_matrix(expected.hessian)
    assert inspector.value_text("Newton step") == explain.fmt_vector(expected.newton_step)
    assert inspector.value_text("f after gradient") == explain.fmt_number(expected.f_after_gradient)
    qtbot.waitUntil(lambda: inspector.comparison is not None)  # numdifftools runs once at rest
    cmp = inspector.comparison
    np.testing.assert_array_equal(cmp.exact.x, it.x)
    assert inspector.value_text("numdifftools H") == explain.fmt_matrix(cmp.numerical.hessian)
    assert f"{cmp.max_difference:.2g}" in inspector.value_text("largest difference")


def test_inspector_follows_method_and_step(qtbot, session):
    inspector = shown(qtbot, InspectorPanel(session))
    box = inspector.method_box
    box.setFocus()
    box.setCurrentIndex(box.findData("newton"))  # what choosing from the list does
    assert session.selected_method == "newton"
    assert box.itemData(box.findData("newton"), Qt.ItemDataRole.ToolTipRole) \
        == RULES["newton"].explanation
    session.set_step(0)
    qtbot.waitUntil(lambda: inspector.iterate is session.current_iterate("newton"))
    assert_shows_engine_numbers(qtbot, inspector, session, "newton")
    # Example 3's start: the (full) Newton step goes uphill towards the saddle, said once.
    assert "the full Newton step goes uphill: H is indefinite" in inspector.value_text("flags")
    assert inspector.value_text("curvature") == explain.CURVATURE_WORDS[2]
    assert explain.CURVATURE_WORDS[2] not in inspector.value_text("flags")
    assert "Newton step goes uphill" not in inspector.value_text("in words")

    session.select("gd", 3)
    qtbot.waitUntil(lambda: inspector.iterate is session.current_iterate("gd"))
    assert box.currentData() == "gd"
    assert inspector.iterate.k == 3
    assert_shows_engine_numbers(qtbot, inspector, session, "gd")


def test_inspector_prints_example_2_inverse(qtbot):
    session = make_session(EXAMPLE_2, (-3, -3))
    inspector = shown(qtbot, InspectorPanel(session))
    session.select("newton", 0)
    qtbot.waitUntil(lambda: inspector.iterate is session.current_iterate("newton"))
    assert inspector.value_text("H^-1") == "[1.142857, 2.571429]\n[2.571429, 10.285714]"
    assert inspector.value_text("Newton step") == "(3.000000, 3.000000)"


def test_inspector_for_a_disabled_method(qtbot, session):
    inspector = shown(qtbot, InspectorPanel(session))
    session.update_method("gd", enabled=False)
    session.select("gd")
    qtbot.waitUntil(lambda: "not enabled" in inspector.heading.text())
    assert inspector.inspection is None and inspector.value_text("x") == ""


# --- convergence plot ---------------------------------------------------------------------
def test_convergence_curves_are_log_grad_norms_and_f(qtbot, session):
    plot = shown(qtbot, ConvergencePlot(session))
    assert set(plot.curves) == {"gd", "newton"}
    for name, (grad_curve, f_curve) in plot.curves.items():
        traj = session.trajectories[name]
        k, y = grad_curve.getData()
        np.testing.assert_array_equal(k, np.arange(len(traj)))
        np.testing.assert_allclose(y, np.log10(traj.grad_norms))
        np.testing.assert_allclose(f_curve.getData()[1], traj.values)
        assert grad_curve.opts["pen"].color().name() == session.methods[name].colour


def test_convergence_plot_follows_methods_and_step(qtbot, session):
    plot = shown(qtbot, ConvergencePlot(session))
    session.update_method("gd", enabled=False)
    assert set(plot.curves) == {"newton"}
    session.set_step(2)
    assert all(line.value() == 2 for line in plot.step_lines)
    session.update_method("newton", colour="#00aa00")
    assert plot.curves["newton"][0].opts["pen"].color().name() == "#00aa00"


def test_zero_gradient_is_drawn_below_the_rest(qtbot):
    # Newton lands exactly on the minimum of Example 1: |grad f| = 0 and log10 = -inf.
    session = make_session(EXAMPLE_1, (-3, -3))
    plot = shown(qtbot, ConvergencePlot(session))
    assert session.trajectories["newton"].grad_norms[-1] == 0
    y = plot.curves["newton"][0].getData()[1]
    assert np.all(np.isfinite(y))
    finite_logs = [np.log10(n) for t in session.trajectories.values() for n in t.grad_norms if n]
    assert y[-1] < min(finite_logs)


def test_diverging_method_draws_without_warnings(qtbot):
    # Gradient descent with lr 2 on x^2 + y^2 doubles |x| each step and leaves the bound.
    methods = (MethodConfig("gd", True, {"learning_rate": 2.0}, 200, 1e-6, "#1f77b4"),)
    session = Session("exp(x**2) + y**2", Rect(-4, 4, -4, 4), (1.0, 1.0), methods)
    plot = shown(qtbot, ConvergencePlot(session))
    assert session.trajectories["gd"].status == "diverged"
    qtbot.wait(10)  # paint with the non-finite values
    y = plot.curves["gd"][0].getData()[1]
    assert len(y) == len(session.trajectories["gd"])
    assert np.isnan(y[-1])  # |grad f| = inf is left out, not drawn


def test_clicking_a_point_selects_that_iterate(qtbot, session):
    plot = shown(qtbot, ConvergencePlot(session))
    session.set_step(0)
    grad_curve = plot.curves["newton"][0]
    k, y = grad_curve.getData()
    plot.grad_plot.vb.autoRange()  # otherwise the range catches up at the next paint
    scene_pos = plot.grad_plot.vb.mapViewToScene(pg_point(k[2], y[2]))
    view_pos = plot.graphics.mapFromScene(scene_pos)
    qtbot.mouseClick(plot.graphics.viewport(), Qt.MouseButton.LeftButton, pos=view_pos)
    assert session.selected_method == "newton"
    assert session.step == 2


def pg_point(x, y):
    return QPointF(float(x), float(y))


def test_log_scale_arrows_walk_the_one_two_five_sequence():
    from hessianlens.ui.param_editors import one_two_five

    assert [one_two_five(1.0, k) for k in (-3, -2, -1, 1, 2, 3)] == pytest.approx(
        [0.1, 0.2, 0.5, 2.0, 5.0, 10.0])
    assert one_two_five(0.3, 1) == pytest.approx(0.5)  # between two: to the neighbour
    assert one_two_five(0.3, -1) == pytest.approx(0.2)
    assert one_two_five(0.001, -1) == pytest.approx(0.0005)


def test_a_run_whose_f_is_not_finite_at_its_start_plots_nothing_and_warns_nothing(qtbot):
    """x**x**x**x overflows at (3.1, 1.3): both runs stop at step 0 with f = inf. The curves
    are empty (pyqtgraph's ranging warned 'All-NaN slice' on every paint of an all-NaN curve;
    warnings are errors here, and one raised in a paint fails the test)."""
    session = make_session("x**x**x**x")
    assert all(t.steps_taken == 0 for t in session.trajectories.values())
    plot = shown(qtbot, ConvergencePlot(session))
    qtbot.wait(50)
    plot.grab()  # paints the plots, and with them pyqtgraph's ranging
    def points(curve) -> int:
        x = curve.getData()[0]
        return 0 if x is None else len(x)

    assert all(points(g) == 0 and points(f) == 0 for g, f in plot.curves.values())
    session.set_function(EXAMPLE_3)
    plot.grab()
    assert all(points(f) > 0 for _, f in plot.curves.values())
