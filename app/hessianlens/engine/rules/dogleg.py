"""Dogleg: the trust-region step along the path from the Cauchy point to the Newton point."""

from __future__ import annotations

import numpy as np

from hessianlens.engine import linalg2
from hessianlens.engine import trust_region as tr
from hessianlens.engine.rules.trust import TrustRegionRule, radius_params
from hessianlens.engine.rules.trust_region import ratio_words


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

    def trust_path(self, iterate):
        B = self.model_at(iterate)
        if not linalg2.eigenvalues(B[0, 0], B[0, 1], B[1, 1])[0] > 0:
            return None  # no dogleg where B is not positive definite
        pU, pB = tr.dogleg_points(iterate.grad, B)
        return np.array([np.zeros(2), pU, pB])

    def relation(self, iterate) -> str:
        leg = iterate.info.get("leg")
        if leg is None:
            return ""
        radius = float(iterate.info.get("radius", np.nan))
        return (f"dogleg = the path from -grad f's model minimiser to the Newton point, cut at "
                f"radius {radius:.3g}: here {tr.LEG_WORDS[int(leg)]} ({ratio_words(iterate)})")
