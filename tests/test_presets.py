"""The presets' methods and parameters are valid, and the Relatives preset's note says what the
traces do."""

import re

import numpy as np
import pytest

from hessianlens.engine.objective import objective_from_text
from hessianlens.engine.rules import RULES, make_rule
from hessianlens.engine.trajectory import CONVERGED, DIVERGED, run
from hessianlens.ui.presets import load_presets

PRESETS = load_presets()


def traced(preset, name):
    return run(objective_from_text(preset.function),
               make_rule(name, **preset.method_params().get(name, {})), preset.start)


@pytest.mark.parametrize("preset", PRESETS, ids=[p.name for p in PRESETS])
def test_every_preset_names_registered_methods_with_valid_parameters(preset):
    assert set(preset.methods) <= set(RULES)
    for name, params in preset.method_params().items():
        assert make_rule(name, **params)  # ValueError for an unknown or invalid parameter


@pytest.mark.parametrize("preset", [p for p in PRESETS if "momentum" in p.learning_rates],
                         ids=lambda p: p.name)
def test_momentum_rates_of_a_preset_diverge_only_where_gradient_descent_does(preset):
    gd = traced(preset, "gd")
    for name in ("momentum", "nesterov"):
        if gd.status != DIVERGED:
            assert traced(preset, name).status != DIVERGED, name


def test_the_relatives_note_says_which_reach_the_minimum_and_which_the_saddle():
    preset = next(p for p in PRESETS if p.name.startswith("Relatives"))
    assert preset.function == "sin(x0)**2 + sin(10 + x1*x0/2) * cos(x0)"
    assert preset.start == (3.1, 1.3)
    assert set(preset.methods) == {"newton", "bfgs", "trust-region", "momentum"}
    runs = {name: traced(preset, name) for name in preset.methods}
    assert all(t.status == CONVERGED for t in runs.values())
    newton = runs.pop("newton")
    assert newton.end_kind == "saddle"
    np.testing.assert_allclose(newton.points[-1], [np.pi, 0.634], atol=1e-3)
    note = preset.note
    assert f"Newton converges to the saddle (pi, 0.634), f = 1, in {newton.steps_taken} steps" \
        in note
    assert all(t.end_kind == "minimum" for t in runs.values())
    for t in runs.values():
        np.testing.assert_allclose(t.points[-1], [np.pi, 2.634], atol=1e-3)
        assert t.values[-1] == pytest.approx(-1)
    steps = ", ".join(str(runs[n].steps_taken) for n in ("bfgs", "trust-region"))
    assert f"reach the minimum (pi, 2.634), f = -1, in {steps} and " \
           f"{runs['momentum'].steps_taken} steps" in note
    lr, beta = (preset.method_params()["momentum"][k] for k in ("learning_rate", "beta"))
    assert re.search(rf"heavy ball \(lr {lr:g}, beta {beta:g}\)", note)
