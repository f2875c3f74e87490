"""Every preset's note says what the program shows: its claims against traces, and every point
and step count the note writes is one of its claims; the presets' methods and parameters are
valid, and the Relatives preset's note says what the traces do."""

import re

import numpy as np
import pytest

from hessianlens.engine import explain
from hessianlens.engine.objective import objective_from_text
from hessianlens.engine.rules import RULES, make_rule
from hessianlens.engine.trajectory import CONVERGED, DIVERGED, MAX_STEPS, run
from hessianlens.model import default_methods
from hessianlens.ui.presets import load_presets

PRESETS = load_presets()
STEPS = {m.name: m.max_steps for m in default_methods()}  # the window's step limit
ENDS = {"max_steps": MAX_STEPS, "diverged": DIVERGED}
PAIR = re.compile(r"\((-?\d+(?:\.\d+)?), (-?\d+(?:\.\d+)?)\)")
STEP_COUNT = re.compile(r"\b(\d+) steps?\b")


def written(v) -> str:
    """A claim's number as the note writes it: 3, 0.63, -0.11."""
    v = float(v)
    return str(int(v)) if v == int(v) else repr(v)


def tolerance(claim, v) -> float:
    """Half a unit of the number's last written digit, or the claim's own tol."""
    if "tol" in claim:
        return float(claim["tol"])
    text = written(v)
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10.0 ** -decimals + 1e-12


def close(claim, got, want) -> bool:
    return all(abs(float(g) - float(w)) <= tolerance(claim, w) for g, w in
               zip(np.ravel(got), np.ravel(want)))


def pair(v) -> str:
    return f"({written(v[0])}, {written(v[1])})"


def trace(preset, claim):
    method = claim["method"]
    params = dict(preset.method_params().get(method, {}))
    if "lr" in claim:
        params["learning_rate"] = claim["lr"]
    rule = make_rule(method, **params)
    start = tuple(claim.get("start", preset.start))
    return run(objective_from_text(preset.function), rule, start, max_steps=STEPS[method])


def check(preset, claim) -> list[str]:
    """What the note must say for this claim (the claim is checked on the way)."""
    objective = objective_from_text(preset.function)
    start = tuple(claim.get("start", preset.start))
    says = []
    if "curvature_at_start" in claim:
        ins = explain.inspect_point(objective, start)
        assert ins.curvature_name == claim["curvature_at_start"], (preset.name, claim)
        says.append(claim["curvature_at_start"])
    if "minus_gradient" in claim:
        g = objective.at(start).grad
        assert close(claim, -g, claim["minus_gradient"]), (preset.name, -g)
        says.append(pair(claim["minus_gradient"]))
    if "point" in claim:  # a stationary point the note names: Newton from there stays
        t = run(objective, make_rule("newton"), tuple(claim["at"]), max_steps=50)
        assert t.status == CONVERGED and t.end_kind == claim["point"], (preset.name, t.message)
        assert close(claim, t.iterates[-1].x, claim["at"]), (preset.name, t.iterates[-1].x)
        says += [claim["point"], pair(claim["at"])]
    if "exact_loss_minimum" in claim:  # the 569-term loss the preset's text approximates
        from hessianlens.engine.ndim.plane_preset import logistic_plane_function

        exact = logistic_plane_function().exact_minimum
        assert close(claim, exact, claim["exact_loss_minimum"]), (preset.name, exact)
        says.append(pair(claim["exact_loss_minimum"]))
    if "method" not in claim:
        return says
    t = trace(preset, claim)
    if "first_step" in claim:
        assert close(claim, t.iterates[0].step, claim["first_step"]), \
            (preset.name, t.iterates[0].step)
        says.append(pair(claim["first_step"]))
    if "iterate" in claim:  # where the method is after that many steps, and f there
        it = t.iterates[claim["iterate"]]
        assert close(claim, it.x, claim["x"]), (preset.name, claim["iterate"], it.x)
        says.append(pair(claim["x"]))
        if "f_at" in claim:
            assert close(claim, it.f, claim["f_at"]), (preset.name, claim["iterate"], it.f)
            says.append(f"f = {written(claim['f_at'])}")
    for key, k in (("f_before", 0), ("f_after", 1)):
        if key in claim:
            assert close(claim, t.iterates[k].f, claim[key]), (preset.name, key, t.iterates[k].f)
            says.append(written(claim[key]))
    if "ends" in claim:
        end = claim["ends"]
        if end in ENDS:
            assert t.status == ENDS[end], (preset.name, t.message)
        else:
            assert t.status == CONVERGED and t.end_kind == end, (preset.name, t.message)
            says.append(end)
        if "at" in claim:
            assert close(claim, t.iterates[-1].x, claim["at"]), (preset.name, t.iterates[-1].x)
            says.append(pair(claim["at"]))
        if "f" in claim:
            assert close(claim, t.iterates[-1].f, claim["f"]), (preset.name, t.iterates[-1].f)
            says.append(f"f = {written(claim['f'])}")
        if "steps" in claim:
            assert t.steps_taken == claim["steps"], (preset.name, t.message)
            says.append(f"{claim['steps']} step")
    return says


@pytest.mark.parametrize("preset", PRESETS, ids=[p.name.split(":")[0] for p in PRESETS])
def test_the_note_agrees_with_the_traces(preset):
    assert preset.claims, "a note without claims cannot be checked"
    for claim in preset.claims:
        for words in check(preset, claim):
            assert words in preset.note, (preset.name, words)


@pytest.mark.parametrize("preset", PRESETS, ids=[p.name.split(":")[0] for p in PRESETS])
def test_every_point_and_step_count_in_the_note_is_claimed(preset):
    claimed_pairs = {pair(preset.start)}
    claimed_steps = set()
    for c in preset.claims:
        for key in ("at", "x", "first_step", "minus_gradient", "start", "exact_loss_minimum"):
            if key in c:
                claimed_pairs.add(pair(c[key]))
        if "steps" in c:
            claimed_steps.add(c["steps"])
    for x, y in PAIR.findall(preset.note):
        assert f"({x}, {y})" in claimed_pairs, (preset.name, x, y)
    for n in STEP_COUNT.findall(preset.note):
        assert int(n) in claimed_steps, (preset.name, n)


def test_example_3_reproduces_the_write_ups_numbers():
    p = next(p for p in PRESETS if p.name.startswith("Example 3"))
    assert p.start == (3.1, 1.3) and p.learning_rates == {"gd": 0.5, "newton": 0.5}
    t = trace(p, {"method": "newton"})
    assert t.iterates[0].step == pytest.approx((-0.11, -0.44), abs=0.005)
    assert t.iterates[1].f == pytest.approx(0.97, abs=0.005)
    H = t.iterates[0].hessian  # the write-up's H
    assert H == pytest.approx(np.array([[1.20250029, -1.007762], [-1.007762, -1.2574737]]),
                              abs=1e-6)


def test_example_4_starts_where_the_write_up_starts():
    p = next(p for p in PRESETS if p.name.startswith("Example 4"))
    assert p.start == (3.1, 1.8)


@pytest.mark.parametrize("preset", PRESETS, ids=[p.name.split(":")[0] for p in PRESETS])
def test_equal_aspect_keeps_the_whole_range_in_sight(preset):
    # Locking the aspect only widens the range; a preset's sides within 3:1 stay readable.
    r = preset.rect
    assert preset.equal_aspect and 1 / 3 <= r.width / r.height <= 3


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


def test_the_rosenbrock_note_says_newton_jumps_out_of_the_valley():
    # Newton from (-1.2, 1) does not follow the valley floor y = x^2: its highest iterate lies
    # 3.8 below it, with f 58 times f at the start, before it comes back to (1, 1).
    p = next(p for p in PRESETS if p.name == "Rosenbrock")
    t = trace(p, {"method": "newton"})
    jump = max(t.iterates, key=lambda it: it.f)
    x, y = jump.x
    assert y - x**2 < -3 and jump.f > 50 * t.iterates[0].f
    assert f"to ({x:.2f}, {y:.2f}), where f = {jump.f:.0f}" in p.note
    assert "follows" not in p.note


@pytest.mark.parametrize("preset", PRESETS, ids=[p.name.split(":")[0] for p in PRESETS])
def test_the_view_shows_where_each_method_ends(preset):
    # Example 4's full Newton ends at (3.14, 6.63), above its old view's top at 4.5.
    r = preset.rect
    for name in preset.methods or ("gd", "newton"):
        t = trace(preset, {"method": name})
        if t.status == DIVERGED:
            continue
        x, y = t.iterates[-1].x
        assert r.xmin <= x <= r.xmax and r.ymin <= y <= r.ymax, (name, x, y)


def test_the_rosenbrock_view_shows_newtons_jump_out_of_the_valley():
    p = next(p for p in PRESETS if p.name == "Rosenbrock")
    x, y = trace(p, {"method": "newton"}).iterates[2].x
    assert p.rect.xmin <= x <= p.rect.xmax and p.rect.ymin <= y <= p.rect.ymax
