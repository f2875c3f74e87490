"""SR1: a symmetric-rank-one estimate of H, used inside a trust region (N&W Alg. 6.2)."""

from __future__ import annotations

import numpy as np

from hessianlens.engine import trust_region as tr
from hessianlens.engine.quasi_newton import sr1_update
from hessianlens.engine.rules import quasi
from hessianlens.engine.rules.trust import TrustRegionRule, radius_params


class SR1(TrustRegionRule):
    """x <- x + p, p the exact trust-region step (N&W Thm. 4.1) of the model with B in place of
    H, B built from gradient differences by the SR1 update (6.24), skipped by (6.26) when its
    denominator is too small.

    Unlike BFGS's, the SR1 estimate may be indefinite, so it can follow an indefinite H; the
    trust region makes such a model safe to use (N&W Sec. 6.2). B starts as I, unscaled: with
    BFGS's first scaling (y.y / y.s) I (6.20) the first SR1 update is always singular (then
    d.y = 0 for d = y - B s, so B+ y = gamma y and B+ s = y make s - y / gamma a null vector).
    B is updated from each accepted step's pair (N&W Alg. 6.2 also learns from rejected
    trials). The trace keeps the B each step used (``hessian_estimate``).
    """

    name = "sr1"
    title = "SR1 (trust region)"
    explanation = ("x <- x + p, p minimises a model whose B is built from gradient differences "
                   "(SR1 update, may be indefinite) within a trust radius")
    params = radius_params()
    counters = quasi.COUNTERS

    def init_state(self, objective, b):
        return {**quasi.start_state(len(b)), **super().init_state(objective, b)}

    def subproblem(self, g, B, radius, eig):
        s = tr.exact_step(g, B, radius, eig)
        return s.p, {"lambda": s.lam}

    def steps(self, objective, b, state):
        g = b.grad
        s, y, fresh = quasi.last_pair(state, g)
        B = state["B"]
        B_new, updated = sr1_update(B, s, y)
        updated &= fresh
        B = np.where(updated[:, None, None], B_new, B)
        skipped = fresh & ~updated
        steps, radius = self.trust_steps(objective, b, B, state["radius"])
        new = quasi.next_state(state, B, g, steps.dx, steps.dy, updated, skipped)
        new["radius"] = radius
        steps.info.update({"skipped": skipped, "updates": new["updates"]})
        steps.extra["hessian_estimate"] = B
        return steps, new

    def notes(self, state) -> str:
        return quasi.skip_notes(state, "SR1", "|s.(y - B s)| < 1e-8 |s| |y - B s|, (6.26)")

    def believed_hessian(self, iterate):
        return iterate.extra.get("hessian_estimate")

    def relation(self, iterate) -> str:
        words = quasi.estimate_words("SR1 builds H from gradient differences and may be "
                                     "indefinite", iterate, int(iterate.info.get("updates", 0)),
                                     positive_only=False)
        return f"{words}; it is used within a trust radius {iterate.info.get('radius', 0):.3g}" \
            if words else ""
