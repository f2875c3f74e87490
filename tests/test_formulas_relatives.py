"""The shared, batched formulas of Newton's relatives: the trust-region subproblem (exact, hard
case included), the dogleg, the Cauchy point, the ratio and radius update, the SR1 update with
its skip rule, Nesterov's step and rates, Adam and RMSProp."""

import numpy as np
import pytest

from hessianlens.engine import linalg2
from hessianlens.engine import trust_region as tr
from hessianlens.engine.first_order import (adam_step, heavy_ball_step, nesterov_rates,
                                            nesterov_step, polyak_rates, rmsprop_step)
from hessianlens.engine.quasi_newton import SR1_SKIP, estimate_error, sr1_update


def random_problems(seed, n=400):
    rng = np.random.default_rng(seed)
    a, b, c = rng.standard_normal((3, n)) * 2
    g = rng.standard_normal((n, 2)) * 10.0 ** rng.uniform(-4, 1, (n, 1))
    radius = np.exp(rng.uniform(-3, 2, n))
    B = np.stack([np.stack([a, b], -1), np.stack([b, c], -1)], -1)
    return g, B, radius


def model(g, B, p):
    return p @ g + 0.5 * p @ B @ p


def best_on_ball(g, B, radius, samples=20001):
    """The least model value over the ball, by brute force: the boundary circle finely
    sampled, and the Newton point where B is positive definite and it fits."""
    t = np.linspace(0, 2 * np.pi, samples)
    circle = radius * np.stack([np.cos(t), np.sin(t)], -1)
    best = np.min(circle @ g + 0.5 * np.einsum("ti,ij,tj->t", circle, B, circle))
    if np.linalg.eigvalsh(B)[0] > 0:
        p = -np.linalg.solve(B, g)
        if np.linalg.norm(p) <= radius:
            best = min(best, model(g, B, p))
    return best


@pytest.mark.parametrize("closed_form", [False, True])
def test_the_exact_step_minimises_the_model_over_the_ball(closed_form):
    g, B, radius = random_problems(1)
    eig = linalg2.eigh(B[:, 0, 0], B[:, 0, 1], B[:, 1, 1]) if closed_form else None
    s = tr.exact_step(g, B, radius, eig)
    for i in range(len(g)):
        p = s.p[i]
        assert np.linalg.norm(p) <= radius[i] * (1 + 1e-12)
        best = best_on_ball(g[i], B[i], radius[i])
        assert model(g[i], B[i], p) <= best + 1e-9 * max(1.0, abs(best))
        # Thm. 4.1: (B + lambda I) p = -g, lambda >= 0, B + lambda I semidefinite, and the
        # step on the boundary wherever lambda > 0.
        lam = s.lam[i]
        assert lam >= 0 and np.linalg.eigvalsh(B[i] + lam * np.eye(2))[0] >= -1e-9
        np.testing.assert_allclose((B[i] + lam * np.eye(2)) @ p, -g[i],
                                   atol=1e-7 * max(1.0, np.abs(g[i]).max(), lam * radius[i]))
        if lam > 0:
            assert np.linalg.norm(p) == pytest.approx(radius[i], rel=1e-9)


def test_the_hard_case_goes_along_the_lowest_eigenvector_to_the_boundary():
    # B = diag(-1, 2), g along the second eigenvector only: (B + lambda I) p = -g has no
    # solution on the boundary with lambda > 1, so lambda = 1 and p gains a q_1 part.
    B = np.array([[-1.0, 0.0], [0.0, 2.0]])
    g = np.array([0.0, 1.0])
    s = tr.exact_step(g, B, 2.0)
    assert s.hard and s.lam == pytest.approx(1.0)
    assert np.linalg.norm(s.p) == pytest.approx(2.0)
    assert s.p[1] == pytest.approx(-1 / 3)
    assert model(g, B, s.p) == pytest.approx(best_on_ball(g, B, 2.0), abs=1e-8)
    # A tiny q_1 part of g picks the side; the step is continuous into the hard case.
    for eps in (1e-3, 1e-6, 1e-12):
        near = tr.exact_step(np.array([eps, 1.0]), B, 2.0)
        assert near.p[0] < 0
        np.testing.assert_allclose(near.p, [-abs(s.p[0]), s.p[1]], atol=3e-3)
    # At a saddle (g = 0) the step leaves along negative curvature.
    at_saddle = tr.exact_step(np.zeros(2), B, 0.5)
    assert np.linalg.norm(at_saddle.p) == pytest.approx(0.5)
    assert model(np.zeros(2), B, at_saddle.p) == pytest.approx(-0.5 * 0.25)


def test_cauchy_point_is_equation_4_12():
    g, B, radius = random_problems(2)
    pc = tr.cauchy_point(g, B, radius)
    for i in range(len(g)):
        gn = np.linalg.norm(g[i])
        gBg = g[i] @ B[i] @ g[i]
        tau = 1.0 if gBg <= 0 else min(gn ** 3 / (radius[i] * gBg), 1.0)
        np.testing.assert_allclose(pc[i], -tau * radius[i] / gn * g[i], rtol=1e-12,
                                   atol=1e-15)
    assert np.all(tr.cauchy_point(np.zeros(2), np.eye(2), 1.0) == 0)


def test_dogleg_is_newton_inside_the_radius_the_cauchy_point_for_indefinite_b():
    B = np.array([[2.0, 0.5], [0.5, 1.0]])
    g = np.array([1.0, -2.0])
    newton = -np.linalg.solve(B, g)
    p, leg = tr.dogleg_step(g, B, 10.0)
    assert leg == tr.NEWTON_POINT and np.allclose(p, newton)
    pU = -(g @ g) / (g @ B @ g) * g
    r = (np.linalg.norm(pU) + np.linalg.norm(newton)) / 2
    p, leg = tr.dogleg_step(g, B, r)
    assert leg == tr.DOGLEG and np.linalg.norm(p) == pytest.approx(r)
    # On the segment from p_U to p_B.
    t = (p - pU) / (newton - pU)
    assert t[0] == pytest.approx(t[1]) and 0 <= t[0] <= 1
    p, leg = tr.dogleg_step(g, B, 1e-3)
    assert leg == tr.STEEPEST and np.allclose(p, -1e-3 * g / np.linalg.norm(g))
    indefinite = np.array([[1.0, 0.0], [0.0, -1.0]])
    p, leg = tr.dogleg_step(g, indefinite, 0.7)
    assert leg == tr.CAUCHY and np.allclose(p, tr.cauchy_point(g, indefinite, 0.7))
    # The dogleg never beats the exact step and never leaves the ball.
    gs, Bs, radius = random_problems(3)
    pd = np.linalg.eigvalsh(Bs)[:, 0] > 0
    p, _ = tr.dogleg_step(gs, Bs, radius)
    exact = tr.exact_step(gs, Bs, radius).p
    assert np.all(np.hypot(*p.T) <= radius * (1 + 1e-12))
    assert np.all(tr.model_change(gs, Bs, exact)[pd] <= tr.model_change(gs, Bs, p)[pd] + 1e-12)


def test_ratio_and_radius_follow_algorithm_4_1():
    rho = tr.reduction_ratio([1.0, 0.1, -1.0, 1.0, np.nan], [1.0, 1.0, 1.0, 0.0, 1.0])
    assert rho[0] == 1.0 and rho[1] == pytest.approx(0.1) and rho[2] == -1.0
    assert rho[3] == -np.inf and rho[4] == -np.inf  # no predicted decrease, f not finite
    radius = np.full(5, 2.0)
    new = tr.update_radius(radius, [0.1, 0.5, 0.9, 0.9, 0.9], [2.0, 2.0, 2.0, 1.0, 2.0],
                           [10, 10, 10, 10, 3])
    np.testing.assert_allclose(new, [0.5, 2.0, 4.0, 2.0, 3.0])
    assert list(tr.accepted([0.1, 0.2, 0.9])) == [False, True, True]


def test_sr1_satisfies_the_secant_equation_and_skips_a_vanishing_denominator():
    rng = np.random.default_rng(4)
    B = np.broadcast_to(np.eye(2), (50, 2, 2)).copy()
    s, y = rng.standard_normal((2, 50, 2))
    B1, ok = sr1_update(B, s, y)
    assert ok.all()
    np.testing.assert_allclose(np.einsum("nij,nj->ni", B1, s), y, rtol=1e-10, atol=1e-12)
    # An indefinite estimate is allowed (unlike BFGS)...
    s1 = np.array([1.0, 0.0])
    Bn, ok = sr1_update(np.eye(2), s1, np.array([-1.0, 0.0]))
    assert ok and np.linalg.eigvalsh(Bn)[0] < 0
    # ...but the update is skipped when |s.(y - B s)| < r |s| |y - B s| (6.26).
    d = np.array([0.0, 1.0])  # y - B s orthogonal to s: the denominator is zero
    same, ok = sr1_update(np.eye(2), s1, s1 + d)
    assert not ok and np.array_equal(same, np.eye(2))
    tilt = SR1_SKIP / 2  # just under the threshold
    same, ok = sr1_update(np.eye(2), s1, s1 + np.array([tilt, 1.0]))
    assert not ok
    _, ok = sr1_update(np.eye(2), s1, s1 + np.array([4 * SR1_SKIP, 1.0]))
    assert ok


def test_estimate_error_is_relative_frobenius():
    H = np.array([[2.0, 0.0], [0.0, 1.0]])
    assert estimate_error(H, H) == 0
    assert estimate_error(np.eye(2), H) == pytest.approx(1 / np.sqrt(5))
    assert np.isnan(estimate_error(np.eye(2), np.zeros((2, 2))))


def test_nesterov_rates_converge_where_polyaks_pair_diverges():
    mu, L = 1.0, 100.0
    H = np.diag([mu, L])
    start = np.array([1.0, 1.0])

    def run_nesterov(lr, beta, steps=400):
        x, u = start.copy(), np.zeros(2)
        for _ in range(steps):
            d, u = nesterov_step(H @ x, u, lr, beta)
            x = x + d
            if np.abs(x).max() > 1e6:
                break
        return np.abs(x).max()

    lr, beta = nesterov_rates(mu, L)
    assert lr == pytest.approx(1 / L) and beta == pytest.approx(9 / 11)
    assert run_nesterov(lr, beta) < 1e-12
    assert run_nesterov(*polyak_rates(mu, L)) > 1e6  # why tune=hessian uses Nesterov's own
    assert np.isnan(nesterov_rates(-1.0, 2.0)[0])


def test_nesterov_step_is_the_lookahead_form_of_sutskevers_momentum():
    # v <- beta v - lr g(x + beta v), x <- x + v; the rule's iterates are y = x + beta v.
    rng = np.random.default_rng(5)
    A = rng.standard_normal((2, 2))
    H = A @ A.T + np.eye(2)
    lr, beta = 0.1, 0.7
    x, v = np.array([1.0, -2.0]), np.zeros(2)
    y, u = x.copy(), np.zeros(2)
    for _ in range(20):
        v = beta * v - lr * H @ (x + beta * v)
        x = x + v
        d, u = nesterov_step(H @ y, u, lr, beta)
        y = y + d
        np.testing.assert_allclose(y, x + beta * v, rtol=1e-12, atol=1e-14)


def test_adam_follows_algorithm_1_of_kingma_and_ba():
    rng = np.random.default_rng(6)
    grads = rng.standard_normal((10, 3, 2))
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    m = v = np.zeros((3, 2))
    mr = vr = np.zeros((3, 2))
    for t, g in enumerate(grads, start=1):
        d, m, v, rates = adam_step(g, m, v, np.full(3, t), lr, b1, b2)
        mr = b1 * mr + (1 - b1) * g
        vr = b2 * vr + (1 - b2) * g ** 2
        m_hat, v_hat = mr / (1 - b1 ** t), vr / (1 - b2 ** t)
        np.testing.assert_allclose(d, -lr * m_hat / (np.sqrt(v_hat) + eps), rtol=1e-12)
        np.testing.assert_allclose(rates, lr / (np.sqrt(v_hat) + eps), rtol=1e-12)
    # The first step moves every coordinate by about lr, whatever the gradient's size.
    d, *_ = adam_step(np.array([[1e-3, 1e3]]), np.zeros((1, 2)), np.zeros((1, 2)),
                      np.ones(1), lr, b1, b2)
    np.testing.assert_allclose(np.abs(d), lr, rtol=1e-4)


def test_rmsprop_divides_by_the_running_root_mean_square():
    g = np.array([[3.0, -4.0]])
    d, v, rates = rmsprop_step(g, np.zeros((1, 2)), 0.01, 0.9)
    np.testing.assert_allclose(v, 0.1 * g ** 2)
    np.testing.assert_allclose(d, -0.01 * g / (np.sqrt(0.1) * np.abs(g) + 1e-8))
    np.testing.assert_allclose(rates, 0.01 / (np.sqrt(v) + 1e-8))


def test_heavy_ball_step_with_zero_momentum_is_gradient_descent():
    g = np.array([[1.0, 2.0]])
    np.testing.assert_allclose(heavy_ball_step(g, np.ones((1, 2)), 0.1, 0.0), -0.1 * g)


def test_sr1_from_bfgss_first_scaling_is_singular_which_is_why_sr1_starts_from_i():
    rng = np.random.default_rng(7)
    s, y = rng.standard_normal((2, 20, 2))
    y = np.where((np.einsum("ni,ni->n", s, y) > 0)[:, None], y, -y)  # y.s > 0
    gamma = np.einsum("ni,ni->n", y, y) / np.einsum("ni,ni->n", y, s)
    B, ok = sr1_update(gamma[:, None, None] * np.eye(2), s, y)
    assert ok.all()
    np.testing.assert_allclose(np.linalg.det(B), 0, atol=1e-9 * np.abs(B).max() ** 2)
    B, ok = sr1_update(np.broadcast_to(np.eye(2), (20, 2, 2)), s, y)
    assert np.all(np.abs(np.linalg.det(B)[ok]) > 1e-9)
