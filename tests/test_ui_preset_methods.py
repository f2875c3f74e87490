"""A preset shows the methods its note speaks of, whatever was on before (pytest-qt)."""

import pytest

from hessianlens.ui.presets import load_presets
from hessianlens.ui.trajectories import method_label
from uihelpers import open_window, settle, wait_for_function

PRESETS = {p.name.split(":")[0]: p for p in load_presets()}


def load(qtbot, window, name):
    preset = PRESETS[name]
    window.apply_preset(preset)
    session = window.session
    wait_for_function(qtbot, session, preset.function)
    qtbot.waitUntil(lambda: all(session.is_finished(n) for n in session.trajectories),
                    timeout=30_000)
    settle(qtbot, window)
    return preset


@pytest.mark.parametrize("name", ["Rosenbrock", "Example 1", "Monkey saddle"])
def test_after_the_relatives_a_preset_shows_the_methods_its_note_speaks_of(qtbot, tmp_path,
                                                                            name):
    # The Relatives preset switches gradient descent off; Rosenbrock's note then spoke of
    # "gradient descent (lr 0.001) ... still far from it after 100 steps", not on the plane.
    window = open_window(qtbot, tmp_path)
    load(qtbot, window, "Relatives")
    relatives = {m.name for m in window.session.enabled_methods()}
    assert "gd" not in relatives
    preset = load(qtbot, window, name)
    session = window.session
    on = {m.name for m in session.enabled_methods()}
    noted = {c["method"] for c in preset.claims if "method" in c}
    assert {"gd", "newton"} <= noted <= on and set(preset.noted_methods) == noted
    assert relatives <= on  # the user's methods stay on
    claim = next(c for c in preset.claims if c.get("method") == "gd" and "steps" in c)
    assert session.trajectories["gd"].steps_taken == claim["steps"]
    lr = preset.learning_rates["gd"]
    assert method_label(session, "gd").startswith(f"Gradient descent (lr {lr:g})")


def test_a_preset_with_its_own_methods_switches_the_others_off(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    load(qtbot, window, "Relatives")
    assert {m.name for m in window.session.enabled_methods()} == set(PRESETS["Relatives"].methods)
