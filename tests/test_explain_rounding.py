"""The inspector's words at a converged point: a change of f at the rounding of f is neither
a rise nor a fall, and says nothing about the learning rate."""

from hessianlens.engine.explain import fmt_number, inspect_point, inspection_words
from hessianlens.engine.objective import objective_from_text
from hessianlens.engine.rules import make_rule
from hessianlens.engine.trajectory import run

EXAMPLE_3 = "sin(x0)**2 + sin(10 + x1*x0/2) * cos(x0)"


def test_steps_at_a_converged_minimum_change_f_by_rounding_only():
    # The Relatives preset: BFGS ends at the minimum (pi, 2.634), f = -1, |grad f| = 2.7e-8;
    # a gradient step of lr 0.5 from there moves f by 1.1e-16 (half a unit in its last place).
    objective = objective_from_text(EXAMPLE_3)
    t = run(objective, make_rule("bfgs", line_search="wolfe"), (3.1, 1.3))
    assert t.end_kind == "minimum"
    ins = inspect_point(objective, t.iterates[-1].x, 0.5)
    assert 0 < abs(ins.f_after_gradient - ins.f) < 1e-15
    said = " | ".join(inspection_words(ins))
    assert "overshoots" not in said and "too large" not in said
    assert "downhill" not in said
    assert "the gradient step (lr 0.5) changes f by rounding only (f rises by" in said
    assert "the full Newton step changes f by rounding only" in said
    assert f"from {fmt_number(ins.f)})" in said


def test_a_small_change_far_above_rounding_is_still_a_fall():
    # Example 1 near its minimum: f = 2e-13 falls to 0, a real fall however small.
    ins = inspect_point(objective_from_text("x0**2 + x1**2"), (-3.159369e-07, -3.159369e-07),
                        0.1)
    said = " | ".join(inspection_words(ins))
    assert "the full Newton step goes downhill: f falls from" in said
    assert "the gradient step (lr 0.1) goes downhill: f falls from" in said
    assert "rounding" not in said
