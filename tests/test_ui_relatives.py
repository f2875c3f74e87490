"""Newton's relatives in the window: the Relatives preset, the believed-curvature overlay, the
estimate error in the convergence dock, the inspector's relations, the methods list (pytest-qt,
asserting on plot data and text)."""

from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import Qt

from hessianlens.engine.beliefs import estimate_errors
from hessianlens.engine.quasi_newton import estimate_error
from hessianlens.engine.rules import RULES
from hessianlens.engine.rules.quasi import percent
from hessianlens.engine.trust_region import cauchy_point
from hessianlens.ui.presets import load_presets
from uihelpers import open_window


@pytest.fixture
def window(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path)
    w.apply_preset(next(p for p in load_presets() if p.name.startswith("Relatives")))
    return w


def points(item) -> int:
    """How many points a PlotDataItem draws (getData gives None for none)."""
    xs, _ = item.getData()
    return 0 if xs is None else len(xs)


def on_model_level_set(xs, ys, it, B):
    """g.p + 1/2 p.B p at the curve's points p = x - x_k (zero on the level set)."""
    finite = np.isfinite(xs) & np.isfinite(ys)
    p = np.stack([xs[finite] - it.x[0], ys[finite] - it.x[1]], axis=-1)
    return p @ it.grad + 0.5 * np.einsum("ni,ij,nj->n", p, B, p), p


def test_the_relatives_preset_traces_newton_bfgs_trust_region_and_heavy_ball(window):
    s = window.session
    assert [m.name for m in s.enabled_methods()] == ["newton", "bfgs", "trust-region",
                                                     "momentum"]
    assert s.selected_method == "bfgs" and s.start == (3.1, 1.3)
    labels = {name: path.legend_label() for name, path in
              window.plot_view.trajectories.paths.items()}
    assert labels["newton"].endswith("converged to a saddle, 5 steps")
    assert labels["bfgs"].endswith("converged to a minimum, 6 steps")
    assert labels["trust-region"].endswith("converged to a minimum, 4 steps")
    assert labels["momentum"].endswith("converged to a minimum, 44 steps")


def test_believed_curvature_draws_the_bfgs_estimate_beside_the_true_hessian(qtbot, window):
    s, view = window.session, window.plot_view
    window.overlay_actions["beliefs"].trigger()
    s.select("bfgs", 2)
    layer = view.overlays["beliefs"]
    it = s.trajectories["bfgs"].iterates[2]
    B = it.extra["hessian_estimate"]
    # Both curves are level sets through the iterate: of B's model and of H's.
    for item, M in ((layer.believed_curve, B), (layer.true_curve, it.hessian)):
        xs, ys = item.getData()
        assert len(xs) > 100
        m, p = on_model_level_set(xs, ys, it, M)
        assert np.abs(m).max() < 1e-9 * max(1.0, np.abs(p).max() ** 2 * np.abs(M).max())
    # Centred on each model's minimiser, x - M^-1 g.
    centres = layer.centres.getData()
    np.testing.assert_allclose(np.column_stack(centres),
                               [it.x - np.linalg.solve(it.hessian, it.grad),
                                it.x - np.linalg.solve(B, it.grad)], rtol=1e-9)
    words = [label for _, label in view.legend_entries()]
    assert f"model of BFGS (B off by {percent(float(estimate_error(B, it.hessian)))} of H)" \
        in words
    assert "true H's model through the iterate (ellipse, + its centre)" in words
    # The last iterate took no step; the B that BFGS would step with next is drawn there.
    traj = s.trajectories["bfgs"]
    s.select("bfgs", traj.steps_taken)
    assert points(layer.believed_curve) > 100 and points(layer.true_curve) > 100
    B = traj.beyond.extra["hessian_estimate"]
    m, p = on_model_level_set(*layer.believed_curve.getData(), traj.beyond, B)
    assert np.abs(m).max() < 1e-9 * max(1.0, np.abs(p).max() ** 2 * np.abs(B).max())


def test_trust_region_draws_its_radius_the_model_minimiser_and_the_cauchy_point(window):
    s, view = window.session, window.plot_view
    window.overlay_actions["beliefs"].trigger()
    s.select("trust-region", 0)
    layer = view.overlays["beliefs"]
    it = s.trajectories["trust-region"].iterates[0]
    radius = it.info["radius"]
    xs, ys = layer.circle.getData()
    np.testing.assert_allclose(np.hypot(xs - it.x[0], ys - it.x[1]), radius, rtol=1e-12)
    (mx,), (my,) = layer.minimiser.getData()
    np.testing.assert_allclose([mx, my], it.x + it.step, rtol=1e-10)  # the step taken
    (cx,), (cy,) = layer.cauchy.getData()
    np.testing.assert_allclose([cx, cy], it.x + cauchy_point(it.grad, it.hessian, radius))
    # At the start H is indefinite: the true model's level set is a hyperbola.
    words = [label for _, label in view.legend_entries()]
    assert "true H's model through the iterate (hyperbola, + its centre)" in words
    assert f"trust radius {radius:.3g}" in words and "Cauchy point" in words
    assert points(layer.believed_curve) == 0  # it uses the true H itself


def test_adam_draws_its_per_coordinate_steps_against_newtons_step_sizes(window):
    s, view = window.session, window.plot_view
    s.update_method("adam", enabled=True)
    window.overlay_actions["beliefs"].trigger()
    s.select("adam", 1)
    it = s.trajectories["adam"].iterates[1]
    layer = view.overlays["beliefs"]
    rates = np.array([it.info["rate_x"], it.info["rate_y"]])
    xs, ys = layer.rate_lines["rates"].getData()
    np.testing.assert_allclose([xs[1], ys[1]], it.x - rates * it.grad)
    xs, ys = layer.rate_lines["1/H_ii"].getData()
    np.testing.assert_allclose([xs[1], ys[1]], it.x - it.grad / np.diag(it.hessian))
    words = [label for _, label in view.legend_entries()]
    assert "step at its per-coordinate rates" in words and "model of Adam" in words


def test_the_convergence_dock_plots_the_estimate_error_of_quasi_newton_methods(window):
    plot, s = window.convergence, window.session
    assert plot.estimate_plot.scene() is not None  # BFGS is on
    assert set(plot.estimate_curves) == {"bfgs"}
    x, y = plot.estimate_curves["bfgs"].getData()  # log10 of the data: a log axis
    expected = estimate_errors(s.trajectories["bfgs"])
    np.testing.assert_allclose(x, np.arange(len(expected)))
    np.testing.assert_allclose(10 ** y[np.isfinite(y)], expected[np.isfinite(expected)])
    assert np.isnan(y[-1])  # no estimate at the last iterate: no step was taken from it
    assert expected[-2] < 0.05 < expected[0]  # B learns H from gradient differences
    s.update_method("sr1", enabled=True)
    assert set(plot.estimate_curves) == {"bfgs", "sr1"}
    s.update_method("bfgs", enabled=False)
    s.update_method("sr1", enabled=False)
    assert plot.estimate_plot.scene() is None and not plot.estimate_curves


def test_the_inspector_says_how_each_enabled_relative_relates_to_the_newton_step(qtbot,
                                                                                 window):
    s, inspector = window.session, window.inspector
    s.select("bfgs", 1)
    qtbot.waitUntil(lambda: "after 1 update " in inspector.value_text("relatives"))
    lines = inspector.value_text("relatives").split("\n")
    assert lines[0].startswith("• BFGS: BFGS builds H from gradient differences: after 1 update"
                               " its estimate is within ")
    assert any(line.startswith("• Trust region: trust region = Newton restricted to a radius")
               for line in lines)
    assert any(line.startswith("• Heavy ball (momentum): heavy ball uses no curvature")
               for line in lines)
    assert len(lines) == 3  # Newton is the Hessian step itself
    s.select("newton")
    for name in ("bfgs", "trust-region", "momentum"):
        s.update_method(name, enabled=False)
    qtbot.waitUntil(lambda: inspector.value_text("relatives") == "none enabled")


def test_the_methods_list_holds_all_fourteen_rules_and_ticks_each(qtbot, window):
    panel = window.methods_panel
    assert panel.names() == list(RULES) and len(RULES) == 14
    colours = [m.colour for m in window.session.methods.values()]
    assert len(set(colours)) == 14
    item = panel.item("rmsprop")
    panel.list.scrollToItem(item)
    item.setCheckState(Qt.CheckState.Checked)
    assert window.session.methods["rmsprop"].enabled
    assert "rmsprop" in window.session.trajectories


def test_a_state_remembered_before_the_relatives_existed_lists_them_switched_off(qtbot,
                                                                                  tmp_path):
    from hessianlens.model import default_methods
    from hessianlens.ui import settings as stored
    from uihelpers import temp_settings

    s = temp_settings(tmp_path)
    first = open_window(qtbot, tmp_path, s)
    old = first.session.state
    six = tuple(m for m in old.methods if m.name in ("gd", "newton", "newton-linesearch",
                                                    "saddle-free", "damped-newton",
                                                    "optimal-lr"))
    first.close()  # remembers its own state; then the state of an older version replaces it
    stored.write_state(s, replace(old, methods=six))
    second = open_window(qtbot, tmp_path, temp_settings(tmp_path))
    assert second.methods_panel.names() == list(RULES)
    assert not any(m.enabled for m in second.session.methods.values()
                   if m.name not in {m.name for m in six})
    defaults = {m.name: m.colour for m in default_methods()}
    assert second.session.methods["adam"].colour == defaults["adam"]


def test_selecting_another_method_empties_the_parts_it_does_not_draw(window):
    s, view = window.session, window.plot_view
    window.overlay_actions["beliefs"].trigger()
    layer = view.overlays["beliefs"]
    s.select("trust-region", 0)
    assert points(layer.circle) > 0 and len(layer.minimiser.data) == 1
    s.select("newton", 0)  # the true H's model only: no radius, minimiser or Cauchy point
    assert points(layer.circle) == 0 and points(layer.believed_curve) == 0
    assert len(layer.minimiser.data) == 0 and len(layer.cauchy.data) == 0
    assert points(layer.true_curve) > 100
    s.select("trust-region", 1)
    assert points(layer.circle) > 0 and len(layer.cauchy.data) == 1


def test_the_estimate_error_plot_sits_below_the_f_plot_without_overlap(qtbot, window):
    plot = window.convergence
    qtbot.waitUntil(lambda: plot.estimate_plot.scene() is not None)
    qtbot.wait(50)  # the layout places the new row
    rects = [p.sceneBoundingRect() for p in (plot.grad_plot, plot.f_plot, plot.estimate_plot)]
    for i, a in enumerate(rects):
        assert a.height() > 0
        for b in rects[i + 1:]:
            assert not a.intersects(b), (a, b)
    assert rects[0].bottom() <= rects[1].top() and rects[1].bottom() <= rects[2].top()
