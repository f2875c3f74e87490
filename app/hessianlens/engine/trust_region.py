"""Trust-region formulas, batched over leading axes (Nocedal & Wright, Ch. 4).

The model at x is m(p) = f + g.p + 1/2 p.B p, trusted within |p| <= radius. Shapes: a matrix
is (..., n, n), a vector (..., n), a radius or a ratio (...). The subproblem solvers take the
eigendecomposition of B (``eig=(w, Q)`` as numpy.linalg.eigh returns it: w ascending, the
eigenvectors as the columns of Q); without it they compute it with numpy.linalg.eigh, and a
caller with a cheaper one (closed form in 2D, linalg2.eigh) passes it in.

- :func:`exact_step`: the exact solution of the subproblem, hard case included (Nocedal &
  Wright, Thm. 4.1 and Alg. 4.3, with the eigenvalues in place of Cholesky factors).
- :func:`dogleg_step`: the dogleg path (Sec. 4.1, (4.15)-(4.16)); the Cauchy point where B is
  not positive definite.
- :func:`cauchy_point`: (4.11)-(4.12).
- :func:`reduction_ratio` (4.4) and :func:`update_radius` (Alg. 4.1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hessianlens.engine.first_order import cauchy_rate, unit_scaled
from hessianlens.engine.linalg2 import TINY

# Alg. 4.1: a step is accepted when rho > ETA (eta in [0, 1/4)); the radius shrinks to a
# quarter below rho = 1/4 and doubles (up to the maximum) above 3/4 when the step reached it.
ETA = 0.15
SHRINK_BELOW, GROW_ABOVE = 0.25, 0.75
SHRINK, GROW = 0.25, 2.0
# A step counts as on the boundary when |p| >= (1 - BOUNDARY_RTOL) radius.
BOUNDARY_RTOL = 1e-6
# The hard case (Thm. 4.1 with q_1 . g = 0) is taken where g's part along the lowest
# eigenvectors is at most HARD_RTOL max|w| radius. The root lambda then lies within about
# |q_1 . g| / radius of the pole -w_1, closer than w_1 + lambda can be computed to a few digits;
# the hard-case step changes the model by a fraction of about HARD_RTOL.
HARD_RTOL = 1e-7
SECULAR_RTOL = 1e-12  # |p(lambda)| within this fraction of the radius ends the iteration
MAX_SECULAR_ITERATIONS = 100
EPS = np.finfo(float).eps

# Which piece of the dogleg path a step lies on (the ``leg`` of dogleg_step).
NEWTON_POINT, DOGLEG, STEEPEST, CAUCHY = 0, 1, 2, 3
LEG_WORDS = {
    NEWTON_POINT: "the full Newton step, inside the radius",
    DOGLEG: "a step on the dogleg, between those two points",
    STEEPEST: "a step along -grad f, cut at the radius",
    CAUCHY: "the Cauchy point, as H is not positive definite",
}


def _sum(v) -> np.ndarray:
    """Sum over the last axis (a product with ones: many times faster than np.sum for the
    short axes of 2D problems, and BLAS for long ones)."""
    return v @ np.ones(v.shape[-1])


def _max(v) -> np.ndarray:
    """Maximum over the last axis (pairwise for short axes, where np.max is slow)."""
    if v.shape[-1] > 8:
        return np.max(v, axis=-1)
    out = v[..., 0]
    for i in range(1, v.shape[-1]):
        out = np.maximum(out, v[..., i])
    return out


def _dot(a, b) -> np.ndarray:
    return _sum(a * b)


def _finite(v) -> np.ndarray:
    """All entries along the last axis finite (0 * x is 0 for finite x, NaN otherwise)."""
    with np.errstate(invalid="ignore"):
        return _sum(v * 0.0) == 0


def _matvec(M, v) -> np.ndarray:
    return np.einsum("...ij,...j->...i", M, v)


def _norm(v) -> np.ndarray:
    return np.sqrt(_dot(v, v))


def _length(v) -> np.ndarray:
    """|v| as _norm, and where v.v over- or underflows (g of 1e160 or 1e-200), by hypot."""
    with np.errstate(all="ignore"):
        vv = _dot(v, v)
        n = np.sqrt(vv)
        lost = ~np.isfinite(n) | ((vv < TINY) & np.any(v != 0, axis=-1))
        if np.any(lost):
            n = np.where(lost, np.hypot(v[..., 0], v[..., 1]), n)
    return n


def model_change(g, B, p) -> np.ndarray:
    """m(p) - m(0) = g.p + 1/2 p.B p (Nocedal & Wright, (4.2))."""
    with np.errstate(all="ignore"):
        return _dot(g, p) + 0.5 * _dot(p, _matvec(B, p))


def reduction_ratio(actual, predicted) -> np.ndarray:
    """rho = actual / predicted reduction (N&W (4.4)); -inf where the model predicts no
    decrease or f is not finite at the trial point (the step is rejected)."""
    actual, predicted = np.asarray(actual, dtype=float), np.asarray(predicted, dtype=float)
    with np.errstate(all="ignore"):
        rho = actual / predicted
    return np.where((predicted > 0) & np.isfinite(actual) & np.isfinite(rho), rho, -np.inf)


def update_radius(radius, rho, step_norm, max_radius) -> np.ndarray:
    """The next radius of N&W Alg. 4.1: radius/4 when rho < 1/4; min(2 radius, max_radius)
    when rho > 3/4 and the step reached the radius; unchanged otherwise."""
    radius = np.asarray(radius, dtype=float)
    rho = np.asarray(rho, dtype=float)
    reached = np.asarray(step_norm) >= (1 - BOUNDARY_RTOL) * radius
    grown = np.minimum(GROW * radius, max_radius)
    return np.where(rho < SHRINK_BELOW, SHRINK * radius,
                    np.where((rho > GROW_ABOVE) & reached, grown, radius))


def accepted(rho, eta: float = ETA) -> np.ndarray:
    """x + p is taken when rho > eta (N&W Alg. 4.1)."""
    return np.asarray(rho) > eta


def _eig(B, eig):
    return np.linalg.eigh(B) if eig is None else eig


def cauchy_point(g, B, radius) -> np.ndarray:
    """p_C = -tau radius g / |g|, tau = 1 where g.B g <= 0, else min(|g|^3 / (radius g.B g),
    1) (N&W (4.11)-(4.12)): the minimiser of the model along -g within the radius. That is
    -eta g with eta the Cauchy rate g.g / g.B g (first_order.cauchy_rate), capped at the
    boundary's radius / |g|; 0 where g = 0."""
    g = np.asarray(g, dtype=float)
    with np.errstate(all="ignore"):
        to_boundary = np.asarray(radius, dtype=float) / _length(g)
        u = unit_scaled(g)
        eta = cauchy_rate(u, _matvec(B, u))
        eta = np.where(np.isnan(eta), to_boundary, np.minimum(eta, to_boundary))
        p = -eta[..., None] * g
    return np.where(np.isfinite(p), p, 0.0)


def _in_basis(Q, v):
    return np.einsum("...ji,...j->...i", Q, v)  # Q^T v


def _from_basis(Q, c):
    return np.einsum("...ij,...j->...i", Q, c)  # Q c


def newton_point(g, B, eig=None) -> np.ndarray:
    """p_B = -B^-1 g through the eigendecomposition; NaN where B is singular."""
    w, Q = _eig(B, eig)
    with np.errstate(all="ignore"):
        c = -_in_basis(Q, g) / w
    c = np.where(_finite(c)[..., None], c, np.nan)
    return _from_basis(Q, c)


def _boundary_fraction(u, d, radius):
    """tau in [0, 1] with |u + tau d| = radius, for |u| <= radius <= |u + d| (the root of
    a quadratic in tau, N&W (4.16))."""
    with np.errstate(all="ignore"):
        a = _dot(d, d)
        b = 2 * _dot(u, d)
        c = _dot(u, u) - np.asarray(radius, dtype=float) ** 2
        disc = np.sqrt(np.maximum(b * b - 4 * a * c, 0.0))
        # The larger root, written to avoid cancellation when b > 0.
        tau = np.where(b > 0, -2 * c / (b + disc), (-b + disc) / (2 * a))
    return np.clip(np.where(np.isfinite(tau), tau, 0.0), 0.0, 1.0)


def dogleg_points(g, B, eig=None) -> tuple[np.ndarray, np.ndarray]:
    """The corners of the dogleg path: p_U = -(g.g / g.B g) g, the model's minimiser along -g,
    and the Newton point p_B = -B^-1 g (N&W (4.15)); NaN where they do not exist."""
    g = np.asarray(g, dtype=float)
    B = np.asarray(B, dtype=float)
    u = unit_scaled(g)
    pU = -cauchy_rate(u, _matvec(B, u))[..., None] * g
    return pU, newton_point(g, B, eig)


def dogleg_step(g, B, radius, eig=None) -> tuple[np.ndarray, np.ndarray]:
    """The dogleg step (N&W Sec. 4.1, (4.15)-(4.16)) and which leg it lies on (NEWTON_POINT,
    DOGLEG, STEEPEST or CAUCHY).

    Where B is positive definite: the Newton point p_B = -B^-1 g if it lies within the radius;
    else the path from 0 to p_U = -(g.g / g.B g) g (the model's minimiser along -g) and on to
    p_B, cut where it leaves the ball. Where B is not positive definite the path has no
    meaning and the step is the Cauchy point (4.12).
    """
    g = np.asarray(g, dtype=float)
    B = np.asarray(B, dtype=float)
    radius = np.asarray(radius, dtype=float)
    w, Q = _eig(B, eig)
    pd = w[..., 0] > 0
    pU, pB = dogleg_points(g, B, (w, Q))
    nB, nU = _norm(pB), _norm(pU)
    inside = pd & (nB <= radius)
    steepest = pd & ~inside & (nU >= radius)
    with np.errstate(all="ignore"):
        along_g = -(radius / _length(g))[..., None] * g
    tau = _boundary_fraction(pU, pB - pU, radius)
    on_dogleg = pU + tau[..., None] * (pB - pU)
    pc = cauchy_point(g, B, radius)
    p = np.where(inside[..., None], pB, np.where(steepest[..., None], along_g,
                                                 np.where(pd[..., None], on_dogleg, pc)))
    leg = np.where(inside, NEWTON_POINT, np.where(steepest, STEEPEST,
                                                  np.where(pd, DOGLEG, CAUCHY)))
    return np.where(np.isfinite(p), p, 0.0), leg


@dataclass(frozen=True)
class SubproblemSolution:
    """The exact trust-region step p and its multiplier lambda >= 0: (B + lambda I) p = -g,
    lambda (radius - |p|) = 0, B + lambda I positive semidefinite (N&W Thm. 4.1); ``hard``
    where the hard case arose (g orthogonal to the lowest eigenvectors)."""

    p: np.ndarray
    lam: np.ndarray
    hard: np.ndarray

    @property
    def interior(self) -> np.ndarray:
        return self.lam == 0


def exact_step(g, B, radius, eig=None) -> SubproblemSolution:
    """The exact minimiser of m(p) = g.p + 1/2 p.B p over |p| <= radius (N&W Thm. 4.1).

    With B = Q diag(w) Q^T and a = Q^T g, p(lambda) = -Q (a / (w + lambda)) and
    |p(lambda)|^2 = sum a_i^2 / (w_i + lambda)^2 (N&W (4.38)-(4.39)):

    - lambda = 0 where B is positive definite and |B^-1 g| <= radius (an interior step);
    - else lambda > max(0, -w_1) solves |p(lambda)| = radius, by Newton's method on
      1/radius - 1/|p(lambda)| (N&W Alg. 4.3, whose update (4.44) is
      lambda += (|p| / |q|)^2 (|p| - radius) / radius with |q|^2 = sum a_i^2 / (w_i +
      lambda)^3), started left of the root at max_i |a_i| / radius - w_i, where
      |p(lambda)| >= radius; 1/|p(lambda)| is concave, so from there the iterates rise
      monotonically to the root (Moré & Sorensen 1983);
    - the hard case, a's part along the lowest eigenvalue w_1 < 0 zero and |p(-w_1)| <
      radius: lambda = -w_1 and p = p(-w_1) + tau q_1 with tau >= 0 taking p to the boundary
      (N&W (4.45)).
    """
    g = np.asarray(g, dtype=float)
    B = np.asarray(B, dtype=float)
    radius = np.asarray(radius, dtype=float)
    w, Q = _eig(B, eig)
    a = _in_basis(Q, g)
    a2 = a * a
    w1 = w[..., 0]
    scale = np.maximum(_max(np.abs(w)), np.finfo(float).tiny)
    with np.errstate(all="ignore"):
        newton_norm2 = _sum(a2 / (w * w))
        interior = (w1 > 0) & (newton_norm2 <= radius * radius)
        low = w <= w1[..., None] + 1e-12 * scale[..., None]
        low_part2 = _sum(np.where(low, a2, 0.0))
        gap = w - w1[..., None]
        rest2 = _sum(np.where(low, 0.0, a2 / (gap * gap)))
    hard = ~interior & (w1 <= 0) & (low_part2 <= (HARD_RTOL * scale * radius) ** 2) \
        & (rest2 <= radius * radius)
    boundary = ~interior & ~hard

    lam = np.zeros(w1.shape)
    lam = np.where(hard, -w1, lam)
    with np.errstate(all="ignore"):
        # Left of the root: |p(lambda)| >= |a_i| / (w_i + lambda) = radius there.
        start = _max(np.sqrt(a2) / radius[..., None] - w)
        floor = np.maximum(0.0, -w1)
        start = np.where(start > floor, start, floor + 1e-12 * scale)
    todo = np.flatnonzero(boundary.ravel() & np.isfinite(start.ravel()))
    lam_flat = lam.reshape(-1)
    if todo.size:
        wf = w.reshape(-1, w.shape[-1])[todo]
        af = a2.reshape(-1, a2.shape[-1])[todo]
        rf = np.broadcast_to(radius, w1.shape).reshape(-1)[todo]
        floor = floor.reshape(-1)[todo]
        sc = np.broadcast_to(scale, w1.shape).reshape(-1)[todo]
        L = start.reshape(-1)[todo].copy()
        active = np.arange(todo.size)
        with np.errstate(all="ignore"):
            for _ in range(MAX_SECULAR_ITERATIONS):
                d = wf[active] + L[active, None]
                p2 = _sum(af[active] / (d * d))
                q2 = _sum(af[active] / (d * d * d))
                pn = np.sqrt(p2)
                r = rf[active]
                step = (p2 / q2) * (pn - r) / r
                new = L[active] + step
                # Never at or left of the pole: halfway to it instead (a safeguard that a
                # start left of the root does not need in exact arithmetic).
                new = np.where(new > floor[active], new, 0.5 * (L[active] + floor[active]))
                L[active] = np.where(np.isfinite(new), new, L[active])
                # Done at the radius, or when lambda stops moving (rounding near the pole).
                done = ~(np.abs(pn - r) > SECULAR_RTOL * r) | ~np.isfinite(step) \
                    | (np.abs(step) <= 4 * EPS * (np.abs(L[active]) + sc[active]))
                active = active[~done]
                if not active.size:
                    break
        lam_flat[todo] = L
    lam = lam_flat.reshape(w1.shape)

    with np.errstate(all="ignore"):
        d = w + lam[..., None]
        c = np.where(hard[..., None] & low, 0.0, -a / d)
        c = np.where(np.isfinite(c), c, 0.0)
        tau = np.sqrt(np.maximum(radius * radius - _sum(c * c), 0.0))
        # Along q_1 in the direction that lowers the model's linear part (continuous with
        # the nearly hard case).
        c[..., 0] = np.where(hard, np.where(a[..., 0] > 0, -tau, tau), c[..., 0])
        p = _from_basis(Q, c)
        # Near the hard case w_1 + lambda keeps few digits: never let rounding carry p
        # outside the ball.
        p = p * np.minimum(1.0, radius / _norm(p))[..., None]
    finite = _finite(w) & _finite(a) & np.isfinite(radius)
    return SubproblemSolution(np.where(finite[..., None], p, np.nan), lam, hard)
