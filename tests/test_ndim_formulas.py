"""The shared, batched formulas: strong-Wolfe line search, BFGS updates, the L-BFGS two-loop,
CG for Newton-CG, the Cauchy rate and Polyak's heavy ball."""

import numpy as np
import pytest

from hessianlens.engine import linesearch as ls
from hessianlens.engine.cg import forcing_tolerance, newton_cg_direction
from hessianlens.engine.first_order import cauchy_rate, heavy_ball_step, polyak_rates
from hessianlens.engine.ndim.problems import ExtendedRosenbrock, Quadratic
from hessianlens.engine.quasi_newton import (bfgs_inverse_correction, bfgs_inverse_update,
                                             bfgs_update, curvature_ok, inverse_scale,
                                             two_loop)


def spd(rng, n, batch=()):
    M = rng.standard_normal((*batch, n, n))
    return M @ np.swapaxes(M, -1, -2) + n * np.eye(n)


# --- line search ------------------------------------------------------------------------------
def rosenbrock_searches(starts):
    """phi along -grad f from several points of the 2D Rosenbrock function (a batch)."""
    R = ExtendedRosenbrock(2)
    X = np.asarray(starts, dtype=float)
    G = np.array([R.grad(x) for x in X])
    P = -G

    def phi(alpha, idx):
        pts = X[idx] + alpha[:, None] * P[idx]
        fg = [R.f_grad(p) for p in pts]
        g = np.array([b for _, b in fg])
        return np.array([a for a, _ in fg]), np.einsum("ij,ij->i", g, P[idx]), g

    f0 = np.array([R.f(x) for x in X])
    return R, X, P, phi, f0, np.einsum("ij,ij->i", G, P), G


def test_strong_wolfe_conditions_hold_for_every_search_of_a_batch():
    starts = [(-1.2, 1.0), (0.0, 0.0), (2.0, 2.0), (-0.5, 1.5), (1.5, -1.0)]
    R, X, P, phi, f0, d0, G = rosenbrock_searches(starts)
    r = ls.strong_wolfe(phi, f0, d0, 1.0, payload0=G)
    assert r.ok.all()
    for i in range(len(starts)):
        a = r.alpha[i]
        x_new = X[i] + a * P[i]
        assert R.f(x_new) <= f0[i] + ls.C1 * a * d0[i]  # (3.7a)
        assert abs(R.grad(x_new) @ P[i]) <= ls.C2 * abs(d0[i])  # (3.7b)
        assert np.allclose(r.payload[i], R.grad(x_new))  # the payload of the accepted step
        assert r.f[i] == pytest.approx(R.f(x_new))


def test_a_batch_gives_the_same_steps_as_searches_one_by_one():
    starts = [(-1.2, 1.0), (0.3, -0.4), (2.0, 2.0)]
    _, _, _, phi, f0, d0, G = rosenbrock_searches(starts)
    batch = ls.strong_wolfe(phi, f0, d0, 1.0, payload0=G)
    for i in range(len(starts)):
        one = ls.strong_wolfe(lambda a, idx, i=i: phi(a, np.full_like(idx, i)), f0[i], d0[i],
                              1.0, payload0=G[i])
        assert one.alpha.shape == () and one.payload.shape == (2,)
        assert one.alpha == batch.alpha[i]
        assert one.evaluations == batch.evaluations[i]


def test_the_first_trial_is_accepted_on_a_quadratic_along_the_newton_step():
    # phi(alpha) = (alpha - 1)^2 - 1: alpha = 1 is the exact minimiser, phi'(1) = 0.
    def phi(alpha, idx):
        return (alpha - 1) ** 2 - 1, 2 * (alpha - 1), None

    r = ls.strong_wolfe(phi, 0.0, -2.0, 1.0)
    assert r.ok and r.alpha == 1.0 and r.evaluations == 1


def test_line_search_brackets_then_zooms_when_the_first_trial_is_too_long():
    # phi(alpha) = (alpha - 0.01)^2: the first trial alpha = 1 fails sufficient decrease.
    def phi(alpha, idx):
        return (alpha - 0.01) ** 2, 2 * (alpha - 0.01), None

    r = ls.strong_wolfe(phi, 1e-4, -0.02, 1.0)
    assert r.ok
    assert abs(2 * (r.alpha - 0.01)) <= ls.C2 * 0.02
    assert r.evaluations > 1


def test_line_search_reports_unbounded_and_non_descent_directions():
    def linear(alpha, idx):
        return -alpha, -np.ones_like(alpha), None

    r = ls.strong_wolfe(linear, [0.0, 0.0], [-1.0, 1.0], 1.0)
    assert r.reason.tolist() == [ls.UNBOUNDED, ls.NOT_DESCENT]
    assert not r.ok.any()
    assert r.decreased.tolist() == [True, False]  # the unbounded one still went downhill


def test_backtracking_halves_until_armijo_holds():
    # f(x) = x^2 from x = 1 along p = -2 (the gradient step): alpha = 1 overshoots to
    # f(-1) = 1; alpha = 1/2 lands on 0.
    alpha, fa, met, evals = ls.backtracking(lambda a, idx: (1 - 2 * a) ** 2, 1.0, -4.0, 1.0)
    assert met and alpha == 0.5 and fa == 0.0 and evals == 2


# --- BFGS -------------------------------------------------------------------------------------
def test_bfgs_updates_satisfy_the_secant_equation_over_a_batch():
    rng = np.random.default_rng(1)
    n, batch = 5, (3, 2)
    B = spd(rng, n, batch)
    s = rng.standard_normal((*batch, n))
    y = np.einsum("...ij,...j->...i", spd(rng, n, batch), s)  # y.s > 0
    B1, ok = bfgs_update(B, s, y)
    assert ok.all()
    assert np.allclose(np.einsum("...ij,...j->...i", B1, s), y)  # B+ s = y (6.6)
    H1, ok = bfgs_inverse_update(np.linalg.inv(B), s, y)
    assert ok.all()
    assert np.allclose(np.einsum("...ij,...j->...i", H1, y), s)  # H+ y = s
    assert np.allclose(H1, np.linalg.inv(B1))  # (6.17) is the inverse of (6.19)
    assert np.allclose(H1, np.swapaxes(H1, -1, -2))


def test_bfgs_skips_pairs_without_positive_curvature():
    rng = np.random.default_rng(2)
    B = spd(rng, 3, (2,))
    s = rng.standard_normal((2, 3))
    y = s.copy()
    y[1] = -s[1]  # y.s < 0
    B1, ok = bfgs_update(B, s, y)
    assert ok.tolist() == [True, False]
    assert np.array_equal(B1[1], B[1])
    u, ok = bfgs_inverse_correction(np.einsum("...ij,...j->...i", B, y), s, y)
    assert ok.tolist() == [True, False] and not u[1].any()
    assert curvature_ok(s, y).tolist() == [True, False]


def test_two_loop_equals_dense_bfgs_from_the_same_pairs():
    rng = np.random.default_rng(3)
    n, m = 6, 4
    A = spd(rng, n)
    S = rng.standard_normal((m, n))
    Y = S @ A
    gamma = inverse_scale(S[-1], Y[-1])
    H = gamma * np.eye(n)
    for s, y in zip(S, Y):  # oldest first, as L-BFGS applies them (N&W (7.19))
        H, _ = bfgs_inverse_update(H, s, y)
    g = rng.standard_normal(n)
    assert np.allclose(two_loop(g, S, Y, gamma), H @ g)
    # Empty (zero) slots change nothing, and a batch gives each element's own answer.
    padded_S, padded_Y = np.vstack([np.zeros((2, n)), S]), np.vstack([np.zeros((2, n)), Y])
    assert np.allclose(two_loop(g, padded_S, padded_Y, gamma), H @ g)
    batch = two_loop(np.stack([g, 2 * g]), np.stack([S, S]), np.stack([Y, Y]),
                     np.array([gamma, gamma]))
    assert np.allclose(batch, [H @ g, 2 * H @ g])


# --- CG ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [2, 3, 5, 16, 64, 128])
@pytest.mark.parametrize("kappa", [2.0, 10.0])
def test_cg_terminates_within_n_iterations_on_a_quadratic(n, kappa):
    # N&W Thm. 5.1: at most n steps in exact arithmetic. Rounding delays it on worse spectra
    # (measured: kappa = 100 at n = 32 took up to 38), so the check is for kappa <= 10.
    for seed in range(3):
        q = Quadratic(n, kappa, 0, seed)
        g = q.grad(q.x0)
        r = newton_cg_direction(lambda d: q.hessp(None, d), g, 1e-8 * np.linalg.norm(g), 10 * n)
        assert r.converged and not r.negative_curvature
        assert r.products <= n
        assert np.allclose(r.p, q.x_star - q.x0, atol=1e-6)  # the Newton step


def test_cg_needs_one_iteration_per_distinct_eigenvalue():
    # N&W Thm. 5.4: r distinct eigenvalues, at most r iterations.
    rng = np.random.default_rng(4)
    n = 40
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    A = Q @ np.diag(np.repeat([1.0, 7.0, 30.0], [10, 20, 10])) @ Q.T
    g = rng.standard_normal(n)
    r = newton_cg_direction(lambda d: A @ d, g, 1e-10, n)
    assert r.converged and r.products == 3
    assert np.allclose(A @ r.p, -g)


def test_cg_stops_at_negative_curvature_and_runs_a_batch():
    H = np.diag([2.0, -1.0])
    g = np.array([[1.0, 0.0], [1.0, 1.0]])
    r = newton_cg_direction(lambda d: d @ H, g, [1e-12, 1e-12], 10)
    # The first gradient lives where H is positive: solved. For the second, d0 = -g has
    # d.H.d = 2 - 1 > 0, and the next direction has negative curvature: CG stops there.
    assert r.converged.tolist() == [True, False]
    assert r.negative_curvature.tolist() == [False, True]
    assert np.allclose(r.p[0], [-0.5, 0.0])
    first = newton_cg_direction(lambda d: d @ np.diag([-1.0, 2.0]), np.array([1.0, 0.0]),
                                1e-12, 10)
    assert first.negative_curvature and np.allclose(first.p, [-1.0, 0.0])  # p = -g at j = 0


def test_forcing_tolerance_is_min_half_sqrt_norm_times_norm():
    assert forcing_tolerance(np.array([3.0, 4.0])) == pytest.approx(0.5 * 5)
    assert forcing_tolerance(np.array([0.0, 0.01])) == pytest.approx(0.1 * 0.01)


# --- first order ------------------------------------------------------------------------------
def test_cauchy_rate_minimises_a_quadratic_along_minus_g():
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    g = np.array([1.0, -2.0])
    eta = cauchy_rate(g, A @ g)
    # d/d eta of 1/2 (x - eta g)^T A (x - eta g) ... along -g: g.g - eta g.A.g = 0.
    assert eta == pytest.approx(g @ g / (g @ A @ g))
    assert np.isnan(cauchy_rate(g, -A @ g))  # no minimum along -g


def test_polyak_heavy_ball_contracts_at_the_accelerated_rate():
    lam = np.array([1.0, 5.0, 100.0])
    lr, beta = polyak_rates(lam.min(), lam.max())
    assert float(beta) == pytest.approx(((10 - 1) / (10 + 1)) ** 2)
    x, step = np.ones(3), np.zeros(3)
    for _ in range(200):
        step = heavy_ball_step(lam * x, step, lr, beta)
        x = x + step
    # About (9/11)^200 ~ 4e-18 times a polynomial factor, where gradient descent with rate
    # 1/L keeps (1 - 1/100)^200 ~ 0.13 of the slowest component.
    assert np.max(np.abs(x)) < 1e-12
    gd = (1 - lam / lam.max()) ** 200
    assert gd.max() > 0.1
    assert np.isnan(polyak_rates(-1.0, 2.0)[0])
