"""A step rule added at run time, in this one file: heavy-ball momentum with one parameter and a
velocity kept per start. The command line, the methods panel, session files and basins see
it with no other change."""

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt

from hessianlens.engine.basins import COMPLETE, compute_basins
from hessianlens.engine.fields import Rect
from hessianlens.engine.objective import objective_from_text
from hessianlens.engine.params import Param
from hessianlens.engine.rules import RULES, make_rule, register, unregister
from hessianlens.engine.rules.base import Rule, Steps, full
from hessianlens.engine.serialize import trajectory_to_dict
from hessianlens.engine.trajectory import CONVERGED, run

STEP = 0.05  # the fixed gradient scale of the toy rule
HIMMELBLAU = "(x**2 + y - 11)**2 + (x + y**2 - 7)**2"


class HeavyBall(Rule):
    """v <- beta v - STEP grad f; x <- x + v (Polyak's heavy ball with a fixed step)."""

    name = "toy-momentum"
    title = "Toy momentum"
    explanation = "v <- beta v - 0.05 grad f, x <- x + v: a ball that keeps some of its speed"
    params = (Param("beta", 0.5, (0.0, 0.99), help="How much of the last step each step keeps"),)

    def init_state(self, objective, batch):
        return {"velocity": np.zeros((len(batch), 2))}

    def steps(self, objective, b, state):
        v = self.beta * state["velocity"] - STEP * np.column_stack([b.gx, b.gy])
        return (Steps(v[:, 0], v[:, 1], full(b, STEP), info={"speed": np.hypot(*v.T)},
                      extra={"velocity": v}),
                {"velocity": v})


@pytest.fixture(autouse=True)
def registered():
    register(HeavyBall)
    yield
    unregister(HeavyBall.name)


def test_the_state_is_carried_from_step_to_step():
    objective = objective_from_text("x**2 + 3*y**2")
    ball = run(objective, make_rule("toy-momentum", beta=0.9), (1.0, 1.0), max_steps=300)
    still = run(objective, make_rule("toy-momentum", beta=0.0), (1.0, 1.0), max_steps=300)
    gd = run(objective, make_rule("gd", learning_rate=STEP), (1.0, 1.0), max_steps=300)
    assert ball.status == still.status == CONVERGED
    np.testing.assert_allclose(still.points, gd.points)  # no memory: gradient descent
    assert not np.allclose(ball.points[:5], gd.points[:5])
    first, second = ball.iterates[:2]
    np.testing.assert_allclose(second.extra["velocity"], 0.9 * first.step - STEP * second.grad)
    np.testing.assert_allclose(second.step, second.extra["velocity"])


def test_per_step_fields_reach_the_trace_json_beside_the_standard_ones():
    objective = objective_from_text("x**2 + 3*y**2")
    d = trajectory_to_dict(run(objective, make_rule("toy-momentum"), (1.0, 1.0), max_steps=3),
                           "x**2 + 3*y**2")
    assert d["method"] == "toy-momentum" and d["params"] == {"beta": 0.5}
    assert d["lr"] is None  # a rule without a learning rate
    first = d["steps"][0]
    assert first["velocity"] == pytest.approx(first["step"]) and first["info"]["speed"] > 0
    assert {"k", "x", "f", "grad", "hessian", "step", "lr", "flags"} <= set(first)


def test_its_basin_map_agrees_start_by_start_with_its_trajectories():
    objective = objective_from_text(HIMMELBLAU)
    rule = make_rule("toy-momentum", beta=0.7)
    rect = Rect(-5, 5, -5, 5)
    # Starts converge at different steps, so the batch (and the velocities) are compacted
    # many times along the way.
    bm = compute_basins(objective, make_rule("toy-momentum", beta=0.7), rect, 24,
                        max_steps=200, tol=1e-4)
    assert bm.status == COMPLETE and bm.params == {"beta": 0.7}
    assert len(set(bm.steps.ravel().tolist())) > 10
    for i in range(0, 24, 3):
        for j in range(0, 24, 3):
            traj = run(objective, rule, (bm.xs[j], bm.ys[i]), max_steps=200, tol=1e-4)
            outcome = bm.outcomes[bm.labels[i, j]]
            assert bm.steps[i, j] == traj.steps_taken
            if traj.status == CONVERGED:
                assert outcome.point is not None
                assert np.hypot(*(traj.points[-1] - outcome.point)) < 0.05


def run_cli(capsys, *args):
    from hessianlens.cli import main

    try:
        code = main(list(args))
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_command_line_lists_runs_and_checks_it(capsys):
    code, help_text, _ = run_cli(capsys, "trace", "--help")
    assert "toy-momentum: beta = 0.5 (a number from 0 to 0.99)" in help_text
    code, out, _ = run_cli(capsys, "trace", "--function", "x**2 + 3*y**2", "--start", "1,1",
                           "--method", "toy-momentum", "--param", "beta=0.9", "--steps", "4")
    assert code == 0
    data = json.loads(out)
    assert data["params"] == {"beta": 0.9} and len(data["steps"]) == 5
    assert "velocity" in data["steps"][0]
    for args, words in ((("--param", "beta=2"), "beta must be a number from 0 to 0.99, not 2.0"),
                        (("--param", "gamma=1"), "has no parameter 'gamma'; its parameters: "
                                                 "beta"),
                        (("--lr", "0.1"), "method 'toy-momentum' has no learning rate")):
        code, out, err = run_cli(capsys, "basins", "--function", "x**2", "--method",
                                 "toy-momentum", "--grid", "4", *args)
        assert code == 2 and out == "" and words in err
    code, out, _ = run_cli(capsys, "basins", "--function", "x**2 + y**2", "--method",
                           "toy-momentum", "--grid", "6", "--steps", "300", "--tol", "1e-3")
    assert code == 0 and json.loads(out)["outcomes"][0]["kind"] == "minimum"


def test_the_methods_panel_shows_it_with_an_editor_for_its_parameter(qtbot):
    from hessianlens.model import default_methods
    from hessianlens.ui.methods_panel import MethodsPanel
    from hessianlens.ui.session import Session
    from uihelpers import type_into

    session = Session("x**2 + 3*y**2", Rect(-2, 2, -2, 2), (1.0, 1.0), default_methods())
    panel = MethodsPanel(session)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.names()[-1] == "toy-momentum"
    item = panel.item("toy-momentum")
    assert item.text() == "Toy momentum" and HeavyBall.explanation in item.toolTip()
    panel.select_method("toy-momentum")
    panel.list.setFocus()
    qtbot.keyClick(panel.list, Qt.Key.Key_Space)  # switch it on
    assert session.trajectories["toy-momentum"].params == {"beta": 0.5}
    assert list(panel.editors) == ["beta"]
    beta = panel.editors["beta"].widget
    assert "How much of the last step" in beta.toolTip() and beta.maximum() == 0.99
    type_into(qtbot, beta, "0.8")
    assert session.methods["toy-momentum"].params == {"beta": 0.8}
    assert session.trajectories["toy-momentum"].params == {"beta": 0.8}


def test_session_files_keep_its_parameter(tmp_path):
    from hessianlens.model import MethodConfig, SessionState
    from hessianlens.session_file import SessionFileError, load_session, save_session

    method = MethodConfig("toy-momentum", True, {"beta": 0.25}, 50, 1e-6, "#17becf")
    state = SessionState("x**2", Rect(-1, 1, -1, 1), (0.5, 0.5), (method,),
                         overlay_settings={"basins": {"rule": "toy-momentum"}})
    path = tmp_path / "toy.hlens.json"
    save_session(path, state)
    assert load_session(path) == state
    with pytest.raises(ValueError, match="beta must be a number from 0 to 0.99"):
        MethodConfig("toy-momentum", True, {"beta": 1.5})
    unregister("toy-momentum")  # a program without the rule refuses the file clearly
    with pytest.raises(SessionFileError, match="unknown method 'toy-momentum'"):
        load_session(path)
    assert "toy-momentum" not in RULES


def test_the_basins_overlay_colours_its_basins(qtbot, tmp_path):
    from uihelpers import open_window

    window = open_window(qtbot, tmp_path)
    session = window.session
    layer = window.plot_view.overlays["basins"]
    assert window.overlay_panels["basins"].rule.findData("toy-momentum") >= 0
    session.load("x**2 + y**2", Rect(-1, 1, -1, 1))
    session.configure_overlay("basins", rule="toy-momentum", compare="", grid=32,
                              max_steps=400)
    with qtbot.waitSignal(layer.shown, timeout=20_000):
        window.overlay_actions["basins"].trigger()
    qtbot.waitUntil(lambda: not layer.running and bool(layer.maps), timeout=20_000)
    (m,) = layer.maps
    assert m.method == "toy-momentum" and m.params == {"beta": 0.5}
    assert [o.kind for o in m.outcomes] == ["minimum"]
    labels = [label for _, label in window.plot_view.legend_entries()]
    assert "Basins of Toy momentum (darker: more steps)" in labels
