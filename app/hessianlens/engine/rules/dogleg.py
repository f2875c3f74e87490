"""Dogleg: the trust-region step along the path from the Cauchy point to the Newton point."""

from __future__ import annotations

from hessianlens.engine import trust_region as tr
from hessianlens.engine.rules.trust import TrustRegionRule, radius_params
from hessianlens.engine.rules.trust_region import radius_words


class Dogleg(TrustRegionRule):
    """x <- x + p, p on the dogleg path 0 -> p_U -> p_B cut at the radius (Nocedal & Wright,
    Sec. 4.1, (4.15)-(4.16)), p_U = -(g.g / g.H g) g the model's minimiser along -g and p_B the
    Newton step; where H is not positive definite the path has no meaning and p is the Cauchy
    point (4.12). The radius follows the ratio rho (Alg. 4.1). ``info.leg``: 0 the Newton point,
    1 the dogleg, 2 along -grad f to the radius, 3 the Cauchy point.
    """

    name = "dogleg"
    title = "Dogleg"
    explanation = ("x <- x + p, p on the path from the steepest-descent minimiser to the Newton "
                   "point, cut at a radius (the Cauchy point where H is not positive definite)")
    params = radius_params()

    def subproblem(self, g, B, radius, eig):
        p, leg = tr.dogleg_step(g, B, radius, eig)
        return p, {"leg": leg}

    def relation(self, iterate) -> str:
        leg = iterate.info.get("leg")
        if leg is None:
            return ""
        return (f"dogleg = Newton's model followed from -grad f towards the Newton point within "
                f"a radius; here {tr.LEG_WORDS[int(leg)]} ({radius_words(iterate)})")
