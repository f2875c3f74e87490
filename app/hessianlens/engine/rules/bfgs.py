"""BFGS: x <- x - alpha B^-1 grad f, B built from gradient differences (Nocedal & Wright, Ch. 6)."""

from __future__ import annotations

import numpy as np

from hessianlens.engine import linalg2, linesearch
from hessianlens.engine.params import CHOICE, Param
from hessianlens.engine.quasi_newton import bfgs_update
from hessianlens.engine.rules import quasi
from hessianlens.engine.rules.base import Rule, Steps

# "exact": the strong-Wolfe search pushed to |phi'(alpha)| <= EXACT_C2 |phi'(0)|, the exact
# minimiser along the line that the finite termination of the Broyden class on a strongly
# convex quadratic assumes (Nocedal & Wright, Sec. 6.3: n steps, and then B = H); on a
# quadratic the search's cubic interpolation (3.59) lands on it at once.
EXACT_C2 = 1e-10
LINE_SEARCHES = ("wolfe", "exact")


class BFGS(Rule):
    """x <- x + alpha p, p = -B^-1 grad f, alpha from a strong-Wolfe line search (N&W Alg. 3.5,
    3.6; c1 = 1e-4, c2 = 0.9).

    B starts as I; before the first update it is scaled to (y.y / y.s) I (N&W (6.20)), then
    each step's pair s = x_{k+1} - x_k, y = grad f_{k+1} - grad f_k updates it by (6.19). A
    pair with y.s <= 0 is skipped (B kept, flagged): BFGS's B stays positive definite, so it
    cannot hold an indefinite H. The trace keeps the B each step used (``hessian_estimate``).
    """

    name = "bfgs"
    title = "BFGS"
    explanation = ("x <- x - alpha B^-1 grad f: B is built from gradient differences (the BFGS "
                   "update), alpha from a line search")
    params = (Param("line_search", "wolfe", kind=CHOICE, choices=LINE_SEARCHES,
                    label="Line search", short="search",
                    help="wolfe: strong Wolfe conditions (c1 = 1e-4, c2 = 0.9); exact: the "
                         "minimiser along the line (BFGS then ends in 2 steps on a quadratic)"),)
    no_step_message = "no step along -B^-1 grad f decreases f (the line search failed)"
    no_step_status = "line_search_failed"
    counters = quasi.COUNTERS

    def init_state(self, objective, b):
        return quasi.start_state(len(b))

    def steps(self, objective, b, state):
        g = b.grad
        s, y, fresh = quasi.last_pair(state, g)
        B = quasi.scaled_start(state["B"], s, y, fresh, state["updates"])
        B_new, updated = bfgs_update(B, s, y)
        updated &= fresh
        B = np.where(updated[:, None, None], B_new, B)
        skipped = fresh & ~updated

        px, py = (-u for u in linalg2.solve(B[:, 0, 0], B[:, 0, 1], B[:, 1, 1], b.gx, b.gy))
        with np.errstate(all="ignore"):
            slope = b.gx * px + b.gy * py
            # B = I says nothing about the scale yet: the first trial is then a step of length
            # 1 at most, as for steepest descent (N&W Sec. 3.5, initial step length).
            alpha0 = np.where(state["updates"] + updated > 0, 1.0,
                              np.minimum(1.0, 1.0 / np.hypot(b.gx, b.gy)))

        def phi(alpha, idx):
            d = objective.derivatives(b.x[idx] + alpha * px[idx], b.y[idx] + alpha * py[idx])
            return d[0], d[1] * px[idx] + d[2] * py[idx], None

        c2 = EXACT_C2 if self.line_search == "exact" else linesearch.C2
        r = linesearch.strong_wolfe(phi, b.f, slope, alpha0, c2=c2)
        alpha = np.where(r.decreased, r.alpha, np.nan)
        dx, dy = alpha * px, alpha * py
        state = quasi.next_state(state, B, g, dx, dy, updated, skipped)
        return (Steps(dx, dy, alpha, {"learning_rate": alpha, "skipped": skipped,
                                      "updates": state["updates"], "wolfe": r.ok,
                                      "evaluations": r.evaluations},
                      {"hessian_estimate": B}),
                state)

    def notes(self, state) -> str:
        return quasi.skip_notes(state, "BFGS", "y.s <= 0: negative curvature along the step")

    def believed_hessian(self, iterate):
        return iterate.extra.get("hessian_estimate")

    def relation(self, iterate) -> str:
        return quasi.estimate_words("BFGS builds H from gradient differences", iterate,
                                    int(iterate.info.get("updates", 0)), positive_only=True)
