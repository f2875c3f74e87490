"""The Session applies every change through one path and emits exactly the matching signals."""

from dataclasses import replace

import pytest

from hessianlens.engine.expression import ExpressionError
from hessianlens.engine.fields import Rect
from hessianlens.engine.objective import objective_from_text
from hessianlens.model import MethodConfig, OneStepState, SessionState, default_methods
from hessianlens.ui.session import Session

SIGNALS = ("function_changed", "function_error", "view_changed", "start_point_changed",
           "methods_changed", "trajectories_changed", "step_changed", "overlays_changed",
           "selection_changed", "options_changed", "onestep_changed")


@pytest.fixture
def session():
    built = []

    def build(text):
        built.append(text)
        return objective_from_text(text)

    s = Session("x**2 + 3*y**2", Rect(-2, 2, -2, 2), (1.0, 1.0), default_methods(),
                build_function=build)
    s.built = built
    s.seen = []
    for name in SIGNALS:
        getattr(s, name).connect(lambda *_a, n=name: s.seen.append(n))
    return s


def test_the_function_is_built_by_the_function_the_session_was_given(session):
    assert session.built == ["x**2 + 3*y**2"]
    session.set_function("x**2 + y**2")
    session.update(view=Rect(-1, 1, -1, 1))  # no new text: nothing built
    assert session.built == ["x**2 + 3*y**2", "x**2 + y**2"]


@pytest.mark.parametrize("change, expected", [
    (dict(view=Rect(-1, 1, -1, 1)), ["view_changed"]),
    (dict(start=(0.5, 0.5)), ["start_point_changed", "trajectories_changed", "step_changed"]),
    (dict(overlays=("determinant",)), ["overlays_changed"]),
    (dict(overlay_settings={"newton_field": {"normalized": False}}), ["overlays_changed"]),
    (dict(equal_aspect=False), ["options_changed"]),
    (dict(log_colour=True), ["options_changed"]),
    (dict(onestep=OneStepState(w0=1.0)), ["onestep_changed"]),
    (dict(selected_method="newton"), ["selection_changed"]),
    (dict(function="x**2 + y**2", view=Rect(-1, 1, -1, 1)),
     ["function_changed", "view_changed", "trajectories_changed", "step_changed"]),
])
def test_each_difference_is_announced_by_its_signal_and_nothing_else(session, change, expected):
    session.update(**change)
    assert session.seen == expected
    assert all(getattr(session.state, k) == v for k, v in change.items() if k != "overlay_settings")


def test_a_refused_function_changes_nothing(session):
    before = session.state
    error = session.update(function="x +* 2", view=Rect(-1, 1, -1, 1))
    assert isinstance(error, ExpressionError)
    assert session.seen == ["function_error"] and session.state is before


def test_applying_the_same_state_announces_nothing(session):
    session.apply(session.state)
    session.apply(replace(session.state))
    assert session.seen == []


def test_a_new_method_parameter_retraces_and_playback_at_the_end_stays_at_the_end(session):
    assert session.at_end
    session.update_method("gd", learning_rate=0.01, max_steps=300)
    assert session.seen == ["methods_changed", "trajectories_changed", "step_changed"]
    assert session.at_end and session.step == 300
    assert session.trajectories["gd"].params == {"learning_rate": 0.01}
    session.set_step(5)
    session.update_method("gd", learning_rate=0.02)
    assert session.step == 5  # mid-way playback keeps its step


def test_parameters_are_validated_by_the_rule(session):
    with pytest.raises(ValueError, match="learning_rate must be a number from"):
        session.update_method("gd", learning_rate=-1)
    with pytest.raises(ValueError, match="has no parameter 'beta'"):
        session.update_method("gd", beta=0.9)
    with pytest.raises(ValueError, match="grid must be a whole number"):
        session.configure_overlay("basins", grid=10_000)
    assert session.seen == []


def test_a_file_state_is_applied_whole_with_its_exact_step(session):
    methods = (MethodConfig("newton", True, {"learning_rate": 0.5}, 30, 1e-9, "#123456"),)
    state = SessionState("x**2 - y**2", Rect(-3, 3, -3, 3), (1.0, 0.5), methods, ("curvature",),
                         step=2, selected_method="newton", equal_aspect=False,
                         log_colour=True)
    assert session.apply_state(state) is None
    assert session.step == 2 and session.selected_method == "newton"
    assert session.methods["newton"].params == {"learning_rate": 0.5}
    assert not session.methods["gd"].enabled  # not in the file: kept, switched off
    assert session.overlays == {"curvature"} and not session.equal_aspect
    assert session.log_colour
    assert session.state.method("newton") == methods[0]
