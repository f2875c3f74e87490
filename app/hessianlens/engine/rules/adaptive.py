"""What Adam and RMSProp share: per-coordinate step sizes from gradient magnitudes (not from
curvature), and how they compare with Newton's."""

from __future__ import annotations

import numpy as np


def rates_info(rates) -> dict:
    return {"rate_x": rates[:, 0], "rate_y": rates[:, 1]}


def believed_diagonal(iterate):
    """diag(1 / rate_x, 1 / rate_y): the curvature for which the per-coordinate rates would be
    Newton's step sizes."""
    rx, ry = iterate.info.get("rate_x"), iterate.info.get("rate_y")
    if rx is None or ry is None:
        return None
    with np.errstate(divide="ignore"):
        return np.diag([1.0 / rx, 1.0 / ry])


def rates_words(subject: str, iterate) -> str:
    """The rule's per-coordinate step sizes against Newton's 1/H_ii and 1/|lambda|."""
    rx, ry = iterate.info.get("rate_x"), iterate.info.get("rate_y")
    if rx is None or ry is None:
        return ""
    H = iterate.hessian
    with np.errstate(divide="ignore"):
        diag = 1.0 / np.diag(H)
        eig = 1.0 / np.abs(iterate.eigenvalues)
    return (f"{subject}: its step sizes ({rx:.3g}, {ry:.3g}) per coordinate against 1/H_ii = "
            f"({diag[0]:.3g}, {diag[1]:.3g}) and 1/|lambda| = ({eig[0]:.3g}, {eig[1]:.3g})")
