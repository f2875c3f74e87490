"""Trust region: Newton's model minimised within a radius (Nocedal & Wright, Ch. 4)."""

from __future__ import annotations

import numpy as np

from hessianlens.engine import trust_region as tr
from hessianlens.engine.rules.trust import TrustRegionRule, radius_params


def ratio_words(iterate) -> str:
    """'rho 0.93' (and the trials rejected before) for a recorded trust-region step."""
    info = iterate.info
    words = f"rho {info.get('rho', float('nan')):.3g}"
    rejected = int(info.get("rejected", 0))
    if rejected:
        words += f", after {rejected} rejected trial{'s' if rejected != 1 else ''}"
    return words


class TrustRegion(TrustRegionRule):
    """x <- x + p, p the exact minimiser of f + g.p + 1/2 p.H p over |p| <= radius (N&W
    Thm. 4.1, Alg. 4.3; the hard case included), radius by the ratio rho (Alg. 4.1).

    p solves (H + lambda I) p = -g with lambda >= max(0, -lambda_min(H)): the Newton step where
    H is positive definite and it fits; otherwise H shifted until positive definite, so an
    indefinite H gives a step downhill towards lower f instead of towards the saddle.
    """

    name = "trust-region"
    title = "Trust region"
    explanation = ("x <- x + p, p minimises the quadratic model within a radius: Newton where "
                   "it fits, H + lambda I where H is indefinite or the step too long")
    params = radius_params()

    def subproblem(self, g, B, radius, eig):
        s = tr.exact_step(g, B, radius, eig)
        return s.p, {"lambda": s.lam, "hard_case": s.hard}

    def relation(self, iterate) -> str:
        lam = float(iterate.info.get("lambda", np.nan))
        radius = float(iterate.info.get("radius", np.nan))
        if not np.isfinite(lam):
            return ""
        if lam == 0:
            how = f"here the full Newton step, inside radius {radius:.3g}"
        else:
            how = f"here H + {lam:.3g} I in place of H stops the step on radius {radius:.3g}"
            if iterate.eigenvalues[0] < 0:
                how += ", and it goes downhill although H is indefinite"
        return f"trust region = Newton restricted to a radius: {how} ({ratio_words(iterate)})"
