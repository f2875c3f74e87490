"""Optimisation methods in n dimensions, each an object with explicit state.

A method is made at the start point, ``Method(problem, x, f, g)``, and ``step(x, f, g)``
returns the next iterate with its f and gradient, or a stop (a status and a message). The
formulas come from the shared, batched modules: engine/linesearch.py, quasi_newton.py, cg.py
and first_order.py. The problem passed in is a CountedProblem, so every evaluation is
counted and timed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from hessianlens.engine import linesearch as ls
from hessianlens.engine.cg import forcing_tolerance, newton_cg_direction
from hessianlens.engine.first_order import cauchy_rate, heavy_ball_step, polyak_rates
from hessianlens.engine.quasi_newton import bfgs_inverse_correction, curvature_ok, inverse_scale
from hessianlens.engine.quasi_newton import two_loop

DENSE_LIMIT_BYTES = 1 << 30  # an n x n matrix larger than 1 GiB is refused, not allocated
LBFGS_MEMORY = 10
MOMENTUM_BETA = 0.9  # heavy ball where the spectrum's bounds are unknown

# Stops a method can report (the run's status).
DIVERGED = "diverged"
LINE_SEARCH_FAILED = "line_search_failed"
SINGULAR_HESSIAN = "singular_hessian"
TOO_LARGE = "too_large"


@dataclass(frozen=True)
class Step:
    """The next iterate (x, f, g), or a stop: ``stop`` a status, ``message`` the words."""

    x: np.ndarray | None = None
    f: float = np.nan
    g: np.ndarray | None = None
    stop: str = ""
    message: str = ""


def _norm(v) -> float:
    return float(np.sqrt(v @ v))


def dense_too_large(n: int, title: str) -> Step | None:
    """A stop when one n x n float64 matrix exceeds DENSE_LIMIT_BYTES."""
    size = 8 * n * n
    if size <= DENSE_LIMIT_BYTES:
        return None
    return Step(stop=TOO_LARGE, message=f"{title} needs a dense n x n matrix: "
                f"{size / 2**30:.1f} GiB at n = {n}, over the limit of "
                f"{DENSE_LIMIT_BYTES / 2**30:.0f} GiB")


def wolfe_step(P, x, f, g, p, alpha0: float) -> Step:
    """x + alpha p with alpha from the strong-Wolfe line search (N&W Alg. 3.5/3.6); a step
    with sufficient decrease only is taken too (the curvature condition then may fail)."""
    def phi(alpha, _idx):
        fa, ga = P.f_grad(x + alpha[0] * p)
        return np.array([fa]), np.array([ga @ p]), ga[None, :]

    r = ls.strong_wolfe(phi, f, g @ p, alpha0, payload0=g)
    if r.decreased:
        return Step(x + float(r.alpha) * p, float(r.f), r.payload)
    reason = int(r.reason)
    status = DIVERGED if reason == ls.UNBOUNDED else LINE_SEARCH_FAILED
    return Step(stop=status, message=f"line search: {ls.REASONS[reason]}")


def armijo_step(P, x, f, g, p, alpha0: float) -> tuple[Step, float]:
    """x + alpha p by backtracking (N&W Alg. 3.1); returns the step and alpha."""
    slope = float(g @ p)
    alpha, fa, met, _ = ls.backtracking(lambda a, _i: np.array([P.f(x + a[0] * p)]), f, slope,
                                       alpha0)
    if not met:
        return Step(stop=LINE_SEARCH_FAILED, message="backtracking found no step with "
                    "sufficient decrease"), float(alpha)
    x_new = x + float(alpha) * p
    return Step(x_new, float(fa), P.grad(x_new)), float(alpha)


def _scipy_linalg():
    """scipy.linalg, imported on first use: the command line lists the methods without it."""
    import scipy.linalg
    import scipy.linalg.blas

    return scipy.linalg


class Method:
    """Base: the problem, and the numbers a run reports beside its iterations."""

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""

    def __init__(self, P, x, f, g):
        self.P, self.n = P, P.n

    @classmethod
    def prepare(cls) -> None:
        """Load what the method needs (imports) before a run is timed."""

    @property
    def state_floats(self) -> int:
        """Floats the method keeps from one iteration to the next (x and g included)."""
        return 2 * self.n

    def notes(self) -> str:
        """Words for the run's message (fallbacks taken, updates skipped), or ""."""
        return ""

    def step(self, x, f, g) -> Step:  # pragma: no cover - abstract
        raise NotImplementedError


class GradientDescent(Method):
    """x <- x - g / L where the problem knows a global bound L on the Hessian; elsewhere
    backtracking (N&W Alg. 3.1) from twice the last accepted rate."""

    name, title = "gd", "Gradient descent"

    def __init__(self, P, x, f, g):
        super().__init__(P, x, f, g)
        self.L = P.problem.lipschitz
        self.rate = 1.0 / self.L if self.L else 1.0 / max(_norm(g), 1e-300)

    def notes(self) -> str:
        return "" if self.L else "rate by backtracking (this problem has no global bound L)"

    def step(self, x, f, g) -> Step:
        if self.L:
            x_new = x - self.rate * g
            f_new, g_new = self.P.f_grad(x_new)
            return Step(x_new, f_new, g_new)
        st, self.rate = armijo_step(self.P, x, f, g, -g, 2.0 * self.rate)
        return st


class CauchyRate(Method):
    """x <- x - eta g with eta = g.g / g.H.g (one Hessian-vector product), checked by Armijo
    and backtracked where it fails or g.H.g <= 0."""

    name, title = "cauchy", "Gradient descent, Cauchy rate"

    def __init__(self, P, x, f, g):
        super().__init__(P, x, f, g)
        self.rate = 1.0 / max(_norm(g), 1e-300)
        self.fallbacks = 0

    @property
    def state_floats(self) -> int:
        return 3 * self.n  # x, g, H g

    def notes(self) -> str:
        return f"backtracked at {self.fallbacks} iterations" if self.fallbacks else ""

    def step(self, x, f, g) -> Step:
        eta = float(cauchy_rate(g, self.P.hessp(x, g)))
        if np.isfinite(eta):
            x_new = x - eta * g
            f_new = self.P.f(x_new)
            if f_new <= f - ls.C1 * eta * float(g @ g):
                self.rate = eta
                return Step(x_new, f_new, self.P.grad(x_new))
        self.fallbacks += 1
        st, self.rate = armijo_step(self.P, x, f, g, -g, eta if np.isfinite(eta) else
                                    2.0 * self.rate)
        return st


class HeavyBall(Method):
    """Heavy ball (Polyak 1964). With known bounds 0 < mu <= L on the Hessian's spectrum,
    Polyak's tuned rate and momentum; otherwise momentum 0.9, the rate by backtracking along
    -g, and the momentum dropped whenever f rises (a function-value restart, O'Donoghue &
    Candes 2015)."""

    name, title = "momentum", "Heavy ball"

    def __init__(self, P, x, f, g):
        super().__init__(P, x, f, g)
        problem = P.problem
        mu, L = problem.strong_convexity, problem.lipschitz
        self.tuned = bool(mu and L and 0 < mu <= L)
        if self.tuned:
            lr, beta = polyak_rates(mu, L)
            self.rate, self.beta = float(lr), float(beta)
        else:
            self.rate, self.beta = 1.0 / max(_norm(g), 1e-300), MOMENTUM_BETA
        self.previous = np.zeros(self.n)
        self.restarts = 0

    @property
    def state_floats(self) -> int:
        return 3 * self.n  # x, g, x_k - x_{k-1}

    def notes(self) -> str:
        if self.tuned:
            return f"Polyak's rates lr = {self.rate:.4g}, beta = {self.beta:.4g}"
        return (f"beta = {self.beta:g}, rate by backtracking, momentum restarted "
                f"{self.restarts} times")

    def step(self, x, f, g) -> Step:
        if self.tuned:
            d = heavy_ball_step(g, self.previous, self.rate, self.beta)
            f_new, g_new = self.P.f_grad(x + d)
            self.previous = d
            return Step(x + d, f_new, g_new)
        gd, self.rate = armijo_step(self.P, x, f, g, -g, 2.0 * self.rate)
        if gd.stop:
            return gd
        if np.any(self.previous):
            d = heavy_ball_step(g, self.previous, self.rate, self.beta)
            f_new, g_new = self.P.f_grad(x + d)
            if f_new <= gd.f:
                self.previous = d
                return Step(x + d, f_new, g_new)
            self.restarts += 1
        self.previous = gd.x - x
        return gd


class Newton(Method):
    """Newton's method with the dense Hessian: Cholesky where H is positive definite, then
    the strong-Wolfe line search from alpha = 1 (N&W Sec. 3.3). Where Cholesky fails, the
    LU solve of H p = -g: the unmodified Newton step, which heads for the stationary point of
    the quadratic model, a saddle when H is indefinite; it is searched along where it
    descends and taken whole where it does not."""

    name, title = "newton", "Newton"

    @classmethod
    def prepare(cls) -> None:
        _scipy_linalg()

    def __init__(self, P, x, f, g):
        super().__init__(P, x, f, g)
        self.not_pd = 0
        self.uphill = 0

    @property
    def state_floats(self) -> int:
        return self.n * self.n + 3 * self.n  # H (the factor overwrites it), x, g, p

    def notes(self) -> str:
        if not self.not_pd:
            return ""
        up = f", {self.uphill} of those steps not a descent direction" if self.uphill else ""
        return (f"H was not positive definite at {self.not_pd} iterations (LU solve of the "
                f"unmodified Newton step){up}")

    def step(self, x, f, g) -> Step:
        stop = dense_too_large(self.n, self.title)
        if stop:
            return stop
        H = self.P.hess(x)
        linalg = _scipy_linalg()
        try:
            factor = linalg.cho_factor(H, lower=True, overwrite_a=True, check_finite=False)
            p = -linalg.cho_solve(factor, g, check_finite=False)
        except np.linalg.LinAlgError:
            self.not_pd += 1
            H = self.P.hess(x)  # Cholesky overwrote it: evaluated again (and counted)
            try:
                p = -np.linalg.solve(H, g)
            except np.linalg.LinAlgError:
                return Step(stop=SINGULAR_HESSIAN, message="H is singular: no Newton step")
        del H
        if not np.all(np.isfinite(p)):
            return Step(stop=SINGULAR_HESSIAN, message="the Newton step is not finite "
                        "(H is numerically singular)")
        if g @ p < 0:
            return wolfe_step(self.P, x, f, g, p, 1.0)
        self.uphill += 1
        f_new, g_new = self.P.f_grad(x + p)
        return Step(x + p, f_new, g_new)


class BFGS(Method):
    """BFGS with a dense inverse approximation H (N&W Alg. 6.1): p = -H g, strong-Wolfe
    line search, H0 = (s.y / y.y) I after the first step (N&W (6.20)), the update (6.17) as a
    symmetric rank-2 BLAS update of one triangle (quasi_newton.bfgs_inverse_correction)."""

    name, title = "bfgs", "BFGS"

    @classmethod
    def prepare(cls) -> None:
        _scipy_linalg()

    def __init__(self, P, x, f, g):
        super().__init__(P, x, f, g)
        self.H = None  # Fortran order, upper triangle meaningful
        self.skipped = 0

    @property
    def state_floats(self) -> int:
        return self.n * self.n + 6 * self.n  # H, x, g, p, s, y, H y

    def notes(self) -> str:
        return f"update skipped {self.skipped} times (y.s <= 0)" if self.skipped else ""

    def step(self, x, f, g) -> Step:
        stop = dense_too_large(self.n, self.title)
        if stop:
            return stop
        blas = _scipy_linalg().blas
        if self.H is None:
            p, alpha0 = -g, min(1.0, 1.0 / max(_norm(g), 1e-300))
        else:
            p, alpha0 = -blas.dsymv(1.0, self.H, g), 1.0
            if not g @ p < 0:  # rounding broke positive definiteness: start again from -g
                self.H, p, alpha0 = None, -g, min(1.0, 1.0 / max(_norm(g), 1e-300))
        st = wolfe_step(self.P, x, f, g, p, alpha0)
        if st.stop:
            return st
        s, y = st.x - x, st.g - g
        if self.H is None:
            gamma = float(inverse_scale(s, y))
            if not (np.isfinite(gamma) and gamma > 0):
                gamma = 1.0
            self.H = np.asfortranarray(np.eye(self.n) * gamma)
        u, ok = bfgs_inverse_correction(blas.dsymv(1.0, self.H, y), s, y)
        if ok:
            self.H = blas.dsyr2(1.0, u, s, a=self.H, overwrite_a=True)
        else:
            self.skipped += 1
        return st


class LBFGS(Method):
    """L-BFGS with memory m = 10 (N&W Alg. 7.5): the two-loop recursion (Alg. 7.4) with
    H_k^0 = gamma_k I (7.20), strong-Wolfe line search."""

    name, title = "lbfgs", "L-BFGS"

    def __init__(self, P, x, f, g, memory: int = LBFGS_MEMORY):
        super().__init__(P, x, f, g)
        self.m = memory
        self.S = np.zeros((memory, self.n))
        self.Y = np.zeros((memory, self.n))
        self.stored = 0

    @property
    def state_floats(self) -> int:
        return 2 * self.m * self.n + 5 * self.n  # S, Y, x, g, p, s, y

    def step(self, x, f, g) -> Step:
        k = self.stored
        if k == 0:
            p, alpha0 = -g, min(1.0, 1.0 / max(_norm(g), 1e-300))
        else:
            S, Y = self.S[-k:], self.Y[-k:]
            p, alpha0 = -two_loop(g, S, Y, inverse_scale(S[-1], Y[-1])), 1.0
        st = wolfe_step(self.P, x, f, g, p, alpha0)
        if st.stop:
            return st
        s, y = st.x - x, st.g - g
        if curvature_ok(s, y):
            self.S[:-1], self.Y[:-1] = self.S[1:], self.Y[1:]
            self.S[-1], self.Y[-1] = s, y
            self.stored = min(k + 1, self.m)
        return st


class NewtonCG(Method):
    """Line-search Newton-CG (N&W Alg. 7.1): CG on Hessian-vector products to the forcing
    tolerance min(0.5, sqrt|g|) |g|, never forming H; strong-Wolfe line search from 1."""

    name, title = "newton-cg", "Newton-CG"

    def __init__(self, P, x, f, g):
        super().__init__(P, x, f, g)
        self.max_cg = max(2 * self.n, 10)
        self.negative = 0

    @property
    def state_floats(self) -> int:
        return 7 * self.n  # x, g and CG's z, r, d, B d, p

    def notes(self) -> str:
        return f"negative curvature met in {self.negative} CG solves" if self.negative else ""

    def step(self, x, f, g) -> Step:
        cg = newton_cg_direction(lambda d: self.P.hessp(x, d), g, forcing_tolerance(g),
                                 self.max_cg)
        self.negative += int(cg.negative_curvature)
        return wolfe_step(self.P, x, f, g, cg.p, 1.0)


METHODS = {m.name: m for m in (GradientDescent, CauchyRate, HeavyBall, Newton, BFGS, LBFGS,
                               NewtonCG)}
DEFAULT_METHODS = ("gd", "momentum", "newton", "bfgs", "lbfgs", "newton-cg")
