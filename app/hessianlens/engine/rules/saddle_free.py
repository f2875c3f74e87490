"""Saddle-free Newton: x <- x - lr |H|^-1 grad f (Dauphin et al. 2014, eq. (7))."""

from __future__ import annotations

from hessianlens.engine import linalg2
from hessianlens.engine.rules.base import StatelessRule, Steps, learning_rate, newton_uv


class SaddleFree(StatelessRule):
    """x <- x - lr |H|^-1 grad f: saddle-free Newton (Dauphin et al. 2014, eq. (7)).

    |H| keeps H's eigenvectors and makes its eigenvalues positive, so the step goes downhill
    along negative-curvature directions instead of towards the saddle.
    """

    name = "saddle-free"
    title = "Saddle-free Newton"
    explanation = ("x <- x - lr |H|^-1 grad f: Newton with H's eigenvalues made positive, so "
                   "it moves away from saddles")
    params = (learning_rate(1.0, "Scale of the step: 1 is the full step -|H|^-1 grad f"),)
    no_step_message = ("|H| is singular here (an eigenvalue of H is zero), so |H|^-1 grad f "
                       "does not exist")

    per_row_rates = True

    def step(self, objective, b) -> Steps:
        lr = self.rates(b)
        a, c_, d = linalg2.absolute(b.hxx, b.hxy, b.hyy)
        px, py = newton_uv(a, c_, d, b.gx, b.gy)
        low, _ = linalg2.eigenvalues(b.hxx, b.hxy, b.hyy)
        return Steps(lr * px, lr * py, lr, {"flipped": ~(low >= 0)})
