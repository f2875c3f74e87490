"""What a method believes about the curvature at a recorded iterate, as curves and points.

Every rule with a model steps as if f were the quadratic m(x + p) = f + g.p + 1/2 p.B p for
some matrix B: the true Hessian for Newton and the trust-region rules, an estimate for BFGS and
SR1, I / lr for a fixed learning rate, diag(1 / step size) for Adam and RMSProp
(Rule.believed_hessian). :func:`picture` draws, at one iterate, the level set through it of
the true model beside the believed one (an ellipse centred on the model's minimiser, or a
hyperbola where the model is a saddle), the trust radius with the model's minimiser inside it
and the Cauchy point, and for Adam and RMSProp the steps their per-coordinate rates take
against Newton's 1/H_ii and 1/|lambda|. The plane only draws what this returns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hessianlens.engine import linalg2
from hessianlens.engine import trust_region as tr
from hessianlens.engine.quasi_newton import estimate_error
from hessianlens.engine.rules.base import Rule
from hessianlens.engine.trajectory import Iterate, Trajectory

CURVE_POINTS = 241  # per ellipse or hyperbola branch
# Eigenvalues below this fraction of the largest count as zero: the level set is a parabola or
# a pair of lines, and none is drawn.
FLAT_RTOL = 1e-9

ELLIPSE, HYPERBOLA, LINES, NONE = "ellipse", "hyperbola", "lines", "none"
Curve = tuple[np.ndarray, np.ndarray]
EMPTY: Curve = (np.empty(0), np.empty(0))


@dataclass(frozen=True)
class LevelSet:
    """Points of {x_k + p : g.p + 1/2 p.B p = 0} (branches separated by NaN), what kind of
    conic it is, and its centre x_k - B^-1 g (the model's stationary point) or None."""

    xs: np.ndarray
    ys: np.ndarray
    kind: str
    centre: np.ndarray | None


def model_level_set(x, g, B, extent: float, n: int = CURVE_POINTS) -> LevelSet:
    """The level set through x of the quadratic model with gradient g and matrix B.

    With B = Q diag(l) Q^T and c = -B^-1 g, m(p) - m(0) = 1/2 (p - c).B (p - c) - 1/2 K with
    K = c.B c, so in u = Q^T (p - c) the set is l_1 u_1^2 + l_2 u_2^2 = K: an ellipse with
    semi-axes sqrt(K / l_i) where B is definite, a hyperbola (two branches, drawn out to about
    ``extent`` from the centre) where it is indefinite, the asymptotes where g = 0.
    """
    x, g, B = (np.asarray(a, dtype=float) for a in (x, g, B))
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(g)) and np.all(np.isfinite(B))):
        return LevelSet(*EMPTY, NONE, None)
    w, Q = linalg2.eigh(B[0, 0], B[0, 1], B[1, 1])
    if np.min(np.abs(w)) <= FLAT_RTOL * np.max(np.abs(w)) or np.max(np.abs(w)) == 0:
        return LevelSet(*EMPTY, NONE, None)
    a = Q.T @ g
    c_u = -a / w  # the centre in the eigenbasis
    K = float(np.sum(w * c_u * c_u))
    centre = x + Q @ c_u
    if w[0] * w[1] > 0:
        if not K / w[0] > 0:
            return LevelSet(*EMPTY, NONE, centre)  # g = 0: the level set is the point itself
        t = np.linspace(0, 2 * np.pi, n)
        u = np.stack([np.sqrt(K / w[0]) * np.cos(t), np.sqrt(K / w[1]) * np.sin(t)])
        pts = centre[:, None] + Q @ u
        return LevelSet(pts[0], pts[1], ELLIPSE, centre)
    neg, pos = (0, 1) if w[0] < 0 else (1, 0)
    if K == 0:  # a stationary point of a saddle-shaped model: the two asymptotes
        slope = np.sqrt(-w[neg] / w[pos])
        s = np.linspace(-extent, extent, 2)
        lines = []
        for sign in (1, -1):
            u = np.zeros((2, 2))
            u[neg], u[pos] = s, sign * slope * s
            lines.append(centre[:, None] + Q @ u)
        xs = np.concatenate([lines[0][0], [np.nan], lines[1][0]])
        ys = np.concatenate([lines[0][1], [np.nan], lines[1][1]])
        return LevelSet(xs, ys, LINES, centre)
    # K > 0: the branches cross the axis of the positive eigenvalue; K < 0: of the negative.
    across, along = (pos, neg) if K > 0 else (neg, pos)
    r_across = np.sqrt(abs(K / w[across]))
    r_along = np.sqrt(abs(K / w[along]))
    t_max = np.arcsinh(max(extent, r_across) / min(r_across, r_along)) + 1.0
    t = np.linspace(-t_max, t_max, n)
    branches = []
    for sign in (1, -1):
        u = np.zeros((2, n))
        u[across] = sign * r_across * np.cosh(t)
        u[along] = r_along * np.sinh(t)
        branches.append(centre[:, None] + Q @ u)
    xs = np.concatenate([branches[0][0], [np.nan], branches[1][0]])
    ys = np.concatenate([branches[0][1], [np.nan], branches[1][1]])
    return LevelSet(xs, ys, HYPERBOLA, centre)


def circle(centre, radius: float, n: int = CURVE_POINTS) -> Curve:
    t = np.linspace(0, 2 * np.pi, n)
    return centre[0] + radius * np.cos(t), centre[1] + radius * np.sin(t)


@dataclass(frozen=True)
class Picture:
    """What the plane draws for a method at one iterate. Absent parts are None."""

    x: np.ndarray
    true_model: LevelSet  # of the true Hessian
    believed: np.ndarray | None  # the B the rule used, when it is not the true H
    believed_model: LevelSet | None
    estimate_error: float | None  # ||B - H|| / ||H|| for a quasi-Newton estimate
    radius: float | None
    circle: Curve | None
    minimiser: np.ndarray | None  # of the model within the radius (the step's end)
    cauchy: np.ndarray | None  # the Cauchy point (N&W (4.12))
    dogleg: Curve | None  # 0 -> p_U -> p_B where B is positive definite
    rate_steps: dict | None  # label -> end point: per-coordinate rates against Newton's


def picture(rule: Rule, iterate: Iterate, extent: float) -> Picture:
    """The curvature ``rule`` believed in at ``iterate`` against the true Hessian.

    ``extent`` (a length, e.g. the view's diagonal) is how far hyperbolas are drawn.
    """
    x, g, H = iterate.x, iterate.grad, iterate.hessian
    true_model = model_level_set(x, g, H, extent)
    B = rule.believed_hessian(iterate)
    believed_model = error = None
    if B is not None:
        B = np.asarray(B, dtype=float)
        believed_model = model_level_set(x, g, B, extent)
        if "hessian_estimate" in iterate.extra:
            e = float(estimate_error(B, H))
            error = e if np.isfinite(e) else None
    radius = rule.trust_radius(iterate)
    ring = minimiser = cauchy = path = None
    if radius is not None and np.isfinite(radius):
        ring = circle(x, radius)
        step = rule.trust_step(iterate)
        minimiser = None if step is None else x + step
        cauchy = x + tr.cauchy_point(g, H if B is None else B, radius)
        corners = rule.trust_path(iterate)
        if corners is not None and np.all(np.isfinite(corners)):
            path = (x[0] + corners[:, 0], x[1] + corners[:, 1])
    rates = None
    if "rate_x" in iterate.info and "rate_y" in iterate.info:
        rates = rate_steps(iterate)
    return Picture(x, true_model, B, believed_model, error, radius, ring, minimiser, cauchy,
                   path, rates)


def rate_steps(iterate: Iterate) -> dict:
    """End points of the steps -rate_i g_i (the rule's per-coordinate step sizes), -g_i / H_ii
    (Newton's 1/H_ii, coordinate by coordinate) and -|H|^-1 g (1/|lambda| along H's
    eigenvectors), from the iterate."""
    x, g, H = iterate.x, iterate.grad, iterate.hessian
    rates = np.array([iterate.info["rate_x"], iterate.info["rate_y"]], dtype=float)
    with np.errstate(all="ignore"):
        diagonal = -g / np.diag(H)
        a, b, c = linalg2.absolute(H[0, 0], H[0, 1], H[1, 1])
        absolute = -np.array(linalg2.solve(a, b, c, g[0], g[1]))
    out = {"rates": x - rates * g, "1/H_ii": x + diagonal, "1/|lambda|": x + absolute}
    return {k: v for k, v in out.items() if np.all(np.isfinite(v))}


def estimate_errors(trajectory: Trajectory) -> np.ndarray:
    """||B_k - H_k|| / ||H_k|| at every iterate with a ``hessian_estimate`` (NaN elsewhere)."""
    out = np.full(len(trajectory), np.nan)
    for i, it in enumerate(trajectory.iterates):
        B = it.extra.get("hessian_estimate")
        if B is not None:
            out[i] = estimate_error(B, it.hessian)
    return out
