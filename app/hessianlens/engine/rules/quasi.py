"""What the quasi-Newton rules (BFGS, SR1) share: their state, the pair (s, y) of the last step,
the first scaling of B, and the words comparing the estimate B with the true Hessian."""

from __future__ import annotations

import numpy as np

from hessianlens.engine import linalg2
from hessianlens.engine.quasi_newton import curvature_ok, estimate_error, inverse_scale


# The state's event counter: how many updates were skipped (for the run's message only).
COUNTERS = ("skips",)


def start_state(m: int) -> dict:
    """B = I, and no pair yet: the gradient and step of the last iterate, updates counted."""
    return {"B": np.broadcast_to(np.eye(2), (m, 2, 2)).copy(), "g": np.zeros((m, 2)),
            "s": np.zeros((m, 2)), "started": np.zeros(m, dtype=bool),
            "updates": np.zeros(m, dtype=int), "skips": np.zeros(m, dtype=int)}


def last_pair(state: dict, g: np.ndarray):
    """(s, y, fresh): the last step s = x_k - x_{k-1} and y = grad f_k - grad f_{k-1}, and
    where there is one (every step but the first)."""
    return state["s"], g - state["g"], state["started"]


def scaled_start(B, s, y, fresh, updates) -> np.ndarray:
    """Before the first update, B = (y.y / y.s) I (Nocedal & Wright, (6.20)): the size of the
    curvature the first step met, where y.s > 0."""
    first = fresh & (updates == 0) & curvature_ok(s, y)
    if not first.any():
        return B
    with np.errstate(all="ignore"):
        scaled = np.eye(2) / inverse_scale(s, y)[:, None, None]
    return np.where(first[:, None, None], scaled, B)


def next_state(state: dict, B, g, dx, dy, updated, skipped) -> dict:
    return {"B": B, "g": g, "s": np.stack([dx, dy], axis=-1),
            "started": np.ones_like(state["started"]), "updates": state["updates"] + updated,
            "skips": state["skips"] + skipped}


def skip_notes(state: dict, update: str, why: str) -> str:
    skips = int(state["skips"][0])
    return f"{skips} {update} update{'s' if skips != 1 else ''} skipped ({why})" if skips else ""


def percent(fraction: float) -> str:
    """2.1 -> '210%', 0.63 -> '63%', 0.031 -> '3.1%', 2e-5 -> '0.002%'."""
    v = 100 * fraction
    return f"{v:.0f}%" if v >= 10 else f"{v:.2g}%" if fraction >= 1e-6 else "0%"


def estimate_words(subject: str, iterate, updates: int, positive_only: bool) -> str:
    """'BFGS builds H from gradient differences: after 3 updates its estimate is within 12% of
    the true H', and what B cannot hold where H is indefinite."""
    B = iterate.extra.get("hessian_estimate")
    if B is None:
        return ""
    err = float(estimate_error(B, iterate.hessian))
    if updates == 0:
        words = f"{subject}: no update yet, so its estimate is still the start B = I"
    else:
        n = f"{updates} update{'s' if updates != 1 else ''}"
        words = (f"{subject}: after {n} its estimate is within {percent(err)} of the true H"
                 if err < 1 else f"{subject}: after {n} its estimate is still off by "
                                 f"{percent(err)} of the true H")
        if not np.isfinite(err):
            words = f"{subject}: after {n}; the true H is zero or not finite here"
    low, _ = linalg2.eigenvalues(*iterate.hessian[0], iterate.hessian[1, 1])
    if positive_only and low < 0:
        words += " (H is indefinite here, which a positive definite B cannot follow)"
    return words
