"""Newton's method: x <- x - lr H^-1 grad f (Nocedal & Wright, eq. (2.15))."""

from __future__ import annotations

from hessianlens.engine.rules.base import StatelessRule, Steps, learning_rate, newton_uv


class Newton(StatelessRule):
    """x <- x - lr * H^-1 grad f (lr = 1 is the full step to the stationary point of the
    local quadratic model, whatever its kind)."""

    name = "newton"
    title = "Newton"
    explanation = ("x <- x - lr H^-1 grad f: jumps to the stationary point of the local "
                   "quadratic model (a minimum, a maximum or a saddle)")
    params = (learning_rate(1.0, "Scale of the Newton step: 1 is the full step -H^-1 grad f"),)
    no_step_message = ("the Hessian is singular here, so H^-1 grad f does not exist: Newton "
                       "cannot take a step")

    per_row_rates = True

    def step(self, objective, b) -> Steps:
        lr = self.rates(b)
        px, py = newton_uv(b.hxx, b.hxy, b.hyy, b.gx, b.gy)
        return Steps(lr * px, lr * py, lr)
