"""Damped Newton: x <- x - lr (H + lambda I)^-1 grad f, lambda raised until f falls."""

from __future__ import annotations

import numpy as np

from hessianlens.engine import linalg2
from hessianlens.engine.rules.base import (StatelessRule, Steps, armijo_ok, learning_rate,
                                           newton_uv)

# beta of Nocedal & Wright Alg. 3.3 (Cholesky with added multiple of the identity), relative
# to the largest |eigenvalue|, with a floor for H = 0.
DAMPING_BETA = 1e-3
DAMPING_FLOOR = 1e-8
MAX_DAMPING_RAISES = 60


class DampedNewton(StatelessRule):
    """x <- x - lr (H + lambda I)^-1 grad f, lambda raised until the step is acceptable.

    lambda starts at 0 where H is positive definite and just above -lambda_min(H) elsewhere
    (Nocedal & Wright, Alg. 3.3, with the exact 2x2 eigenvalue in place of Cholesky trials),
    then doubles until the step satisfies the Armijo condition, as Levenberg-Marquardt raises
    lambda until f decreases (Marquardt 1963). Large lambda tends to a short -grad f step.
    """

    name = "damped-newton"
    title = "Damped Newton"
    explanation = ("x <- x - lr (H + lambda I)^-1 grad f: lambda makes H positive definite "
                   "and grows until f falls enough")
    params = (learning_rate(1.0, "Scale of the damped Newton step"),)

    per_row_rates = True

    def step(self, objective, b) -> Steps:
        lr = self.rates(b)
        low, high = linalg2.eigenvalues(b.hxx, b.hxy, b.hyy)
        with np.errstate(all="ignore"):
            beta = np.maximum(DAMPING_BETA * np.maximum(np.abs(low), np.abs(high)), DAMPING_FLOOR)
            lam = np.where(low > 0, 0.0, beta - low)
        dx, dy = np.full(b.x.shape, np.nan), np.full(b.x.shape, np.nan)
        raises = np.zeros(b.x.shape, dtype=int)
        todo = np.isfinite(lam)  # non-finite H: no step
        for j in range(MAX_DAMPING_RAISES + 1):
            idx = np.flatnonzero(todo)
            if not idx.size:
                break
            L = lam[idx]
            px, py = newton_uv(b.hxx[idx] + L, b.hxy[idx], b.hyy[idx] + L, b.gx[idx], b.gy[idx])
            px, py = lr[idx] * px, lr[idx] * py
            # After MAX_DAMPING_RAISES doublings the last step is taken as it is.
            ok = (np.ones(idx.size, dtype=bool) if j == MAX_DAMPING_RAISES
                  else armijo_ok(objective, b, px, py, idx))
            dx[idx[ok]], dy[idx[ok]] = px[ok], py[ok]
            todo[idx[ok]] = False
            fail = idx[~ok]
            lam[fail] = np.maximum(2 * lam[fail], beta[fail])
            raises[fail] += 1
        return Steps(dx, dy, lr, {"lambda": lam, "raises": raises})
