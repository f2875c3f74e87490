"""The sweep over learning rates: one start, a rate per row, every row exactly a trajectory."""

import math

import numpy as np
import pytest

from hessianlens.engine.objective import objective_from_text
from hessianlens.engine.rates import rates_at
from hessianlens.engine.rules import RULES, make_rule
from hessianlens.engine.rules.base import StatelessRule, Steps, learning_rate
from hessianlens.engine.sweep import (CANCELLED, COMPLETE, check_sweepable, log_rates,
                                      sweep_rates, sweep_to_dict)
from hessianlens.engine.trajectory import CONVERGED, DIVERGED, run

EXAMPLE3 = "sin(x0)**2 + sin(10 + x1*x0/2)*cos(x0)"
QUADRATIC = "x**2 + 10*y**2"  # lambda = 2, 20: edge 2/20 = 0.1, best 2/22


def test_log_rates_are_log_spaced_with_both_ends():
    r = log_rates(1e-3, 10, 5)
    assert r[0] == 1e-3 and r[-1] == 10
    assert np.diff(np.log10(r)) == pytest.approx([1, 1, 1, 1])
    for bad in ((0, 1, 5), (1, 0.5, 5), (1e-3, 1e4, 5), (1e-3, 1, 1), (1e-3, 1, 10_001)):
        with pytest.raises(ValueError):
            log_rates(*bad)


def test_on_a_quadratic_gradient_descent_diverges_exactly_above_two_over_lambda_max():
    objective = objective_from_text(QUADRATIC)
    edge = rates_at(objective, (1, 1)).stability_edge
    assert edge == 0.1
    s = sweep_rates(objective, make_rule("gd"), (1, 1), log_rates(1e-2, 1, 100), 1000)
    assert s.status == COMPLETE
    above = s.learning_rates > edge
    assert above.any() and (~above).any()
    assert all(st == DIVERGED for st in np.array(s.statuses)[above])
    assert not any(st == DIVERGED for st in np.array(s.statuses)[~above])
    assert "diverged from lr 0.1" in s.summary


def test_on_a_quadratic_the_fastest_rate_is_near_two_over_the_eigenvalue_sum():
    objective = objective_from_text(QUADRATIC)
    best = rates_at(objective, (1, 1)).best_quadratic
    assert best == pytest.approx(2 / 22)
    s = sweep_rates(objective, make_rule("gd"), (1, 1), log_rates(1e-2, 1, 200), 1000)
    fastest = s.learning_rates[s.fastest]
    assert abs(math.log(fastest / best)) < math.log(1.1)
    # Far from it, slower: at a tenth of it, and at 1/lambda_max.
    assert s.steps[s.nearest(best / 10)] > 5 * s.steps[s.fastest]
    assert s.steps[s.nearest(1 / 20)] > s.steps[s.fastest]


SWEEPABLE = sorted(n for n, cls in RULES.items() if any(p.name == "learning_rate"
                                                         for p in cls.params))


@pytest.mark.parametrize("name", SWEEPABLE)
def test_every_sweep_row_is_exactly_the_trajectory_at_its_rate(name):
    objective = objective_from_text(EXAMPLE3)
    rule = make_rule(name)
    assert rule.per_row_rates  # every built-in rule with a rate can be swept
    s = sweep_rates(objective, rule, (3.1, 1.3), log_rates(1e-3, 10, 40), 60)
    for i in range(0, 40, 3):
        lr = float(s.learning_rates[i])
        traj = run(objective, make_rule(name, learning_rate=lr), (3.1, 1.3), max_steps=60)
        last = traj.iterates[-1].f
        assert (s.statuses[i], int(s.steps[i])) == (traj.status, traj.steps_taken), lr
        # The same arithmetic, but numpy's vector code for sin and cos over an array may round
        # the last bit differently from its scalar code: f agrees to a few ulps.
        if math.isfinite(last):
            assert s.f[i] == pytest.approx(last, rel=1e-14, abs=1e-300), lr
        else:
            assert math.isnan(s.f[i]), lr


def test_gradient_descent_rattling_for_1000_steps_still_agrees_row_by_row():
    # Example 3 from (3.1, 1.3): gradient descent rattles in the well at rates near 0.5.
    objective = objective_from_text(EXAMPLE3)
    s = sweep_rates(objective, make_rule("gd"), (3.1, 1.3), log_rates(0.05, 5, 12), 1000)
    for i, lr in enumerate(s.learning_rates):
        traj = run(objective, make_rule("gd", learning_rate=float(lr)), (3.1, 1.3), 1000)
        assert (s.statuses[i], int(s.steps[i])) == (traj.status, traj.steps_taken), lr


def test_a_sweep_keeps_the_rules_other_parameters_and_reports_them():
    objective = objective_from_text(QUADRATIC)
    s = sweep_rates(objective, make_rule("gd"), (1, 1), log_rates(0.01, 0.2, 4), 50, tol=1e-3)
    d = sweep_to_dict(s, QUADRATIC)
    assert d["method"] == "gd" and d["start"] == [1, 1] and d["params"] == {}
    assert d["max_steps"] == 50 and d["tol"] == 1e-3
    assert [tuple(r) for r in d["rates"]] == [("lr", "status", "steps", "f")] * 4
    assert [r["lr"] for r in d["rates"]] == pytest.approx(list(log_rates(0.01, 0.2, 4)))
    assert d["rates"][-1]["status"] == DIVERGED and d["rates"][-1]["f"] > 1e10


def test_progress_and_cancel():
    objective = objective_from_text(QUADRATIC)
    seen = []
    s = sweep_rates(objective, make_rule("gd"), (1, 1), log_rates(1e-3, 1e-2, 10), 20, tol=0.0,
                    progress=lambda done, total: seen.append((done, total)))
    assert seen == [(k, 20) for k in range(1, 21)] and s.status == COMPLETE
    calls = []
    s = sweep_rates(objective, make_rule("gd"), (1, 1), log_rates(1e-3, 1e-2, 10), 20,
                    cancel=lambda: calls.append(1) or len(calls) > 3)
    assert s.status == CANCELLED and s.statuses == () and "cancelled after 3" in s.message


def test_a_rule_that_ignores_per_row_rates_is_refused():
    class Fixed(StatelessRule):
        name, title, explanation = "fixed", "Fixed", "reads its own rate only"
        params = (learning_rate(0.1, "rate"),)

        def step(self, objective, b):
            return Steps(-self.learning_rate * b.gx, -self.learning_rate * b.gy, b.gx * 0)

    with pytest.raises(ValueError, match="cannot take one learning rate per row"):
        check_sweepable(Fixed())
    with pytest.raises(ValueError, match="cannot take one learning rate per row"):
        sweep_rates(objective_from_text(QUADRATIC), Fixed(), (1, 1), [0.1, 0.2])


def test_newton_converges_in_one_step_at_rate_one_on_a_quadratic():
    s = sweep_rates(objective_from_text(QUADRATIC), make_rule("newton"), (1, 1),
                    log_rates(0.5, 2, 3), 100)
    assert list(s.learning_rates) == [0.5, 1.0, 2.0]
    assert s.statuses[1] == CONVERGED and s.steps[1] == 1 and s.fastest == 1
    # t = 2 jumps to the mirror image and back: it never converges.
    assert s.statuses[2] != CONVERGED
