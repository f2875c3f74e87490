"""The n-dimensional engine: problems, methods, measured runs, sweeps and crossovers."""

import hashlib

import numpy as np
import pytest
from scipy.optimize import minimize

from hessianlens.engine.ndim.methods import DEFAULT_METHODS, METHODS
from hessianlens.engine.ndim.problems import (ExtendedRosenbrock, LogisticRegression, Quadratic,
                                              load_wdbc, make_problem)
from hessianlens.engine.ndim.run import CONVERGED, RunResult, measure, run_method
from hessianlens.engine.ndim.sweep import (SweepSettings, crossovers, log_dims, run_sweep,
                                           seconds_text)
from hessianlens.resources import resource_path


def problems_at_random_points():
    rng = np.random.default_rng(7)
    for p in (Quadratic(9, 50.0, 0, 3), Quadratic(6, 10.0, 2, 4), ExtendedRosenbrock(8, 1),
              LogisticRegression()):
        yield p, p.x0 + 0.3 * rng.standard_normal(p.n), rng.standard_normal(p.n)


# --- problems ---------------------------------------------------------------------------------
@pytest.mark.parametrize("p,x,v", list(problems_at_random_points()),
                         ids=["quadratic", "indefinite", "rosenbrock", "logistic"])
def test_gradient_and_hessian_vector_products_agree_with_finite_differences(p, x, v):
    h = 1e-6
    fd_slope = (p.f(x + h * v) - p.f(x - h * v)) / (2 * h)
    f, g = p.f_grad(x)
    assert f == pytest.approx(p.f(x))
    assert np.allclose(g, p.grad(x))
    assert g @ v == pytest.approx(fd_slope, rel=1e-6, abs=1e-8)
    fd_hv = (p.grad(x + h * v) - p.grad(x - h * v)) / (2 * h)
    Hv = p.hessp(x, v)
    assert np.allclose(Hv, fd_hv, rtol=1e-5, atol=1e-6 * max(1, np.abs(Hv).max()))
    H = p.hess(x)
    assert np.allclose(H, H.T, atol=1e-12 * np.abs(H).max())
    assert np.allclose(H @ v, Hv)


def test_quadratic_has_the_chosen_spectrum_in_a_dense_rotation():
    q = Quadratic(40, 1e3, 3, seed=5)
    A = q.hess(None)
    ev = np.linalg.eigvalsh(A)
    assert np.sum(ev < 0) == 3
    assert np.abs(ev).max() / np.abs(ev).min() == pytest.approx(1e3)
    assert np.allclose(np.sort(ev), np.sort(q.eigenvalues))
    assert np.count_nonzero(np.abs(A) > 1e-12) > 0.9 * A.size  # dense, not diagonal
    # The compact WY rotation is the product of the reflections it stands for.
    Q = np.eye(40)
    for u in q.U.T:
        Q = Q @ (np.eye(40) - 2 * np.outer(u, u))
    assert np.allclose(q.rotate(np.eye(40)), Q)
    assert np.allclose(A @ q.x_star, q.b)
    assert q.f(q.x_star) == pytest.approx(q.f_star)
    assert Quadratic(40, 1e3, 3, seed=5).b.tolist() == q.b.tolist()  # seeded


def test_the_data_set_is_the_uci_breast_cancer_table_as_documented():
    d = load_wdbc()
    assert d.features.shape == (569, 30)
    assert int(d.labels.sum()) == 212  # malignant; 357 benign
    assert d.feature_names[0] == "radius_mean" and d.feature_names[-1] == "fractal_dimension_worst"
    readme = resource_path("data/README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256(resource_path("data/wdbc.csv.gz").read_bytes()).hexdigest()
    assert digest in readme
    for words in ("CC BY 4.0", "10.24432/C5DW2B", "Street", "Wolberg", "Mangasarian"):
        assert words in readme


def test_make_problem_explains_bad_input():
    for args, words in ((("cubic", 4), "choose from quadratic, rosenbrock, logistic"),
                        (("rosenbrock", 7), "even n"),
                        (("quadratic", 1), "between 2 and"),
                        (("quadratic", 8, 0.5), "condition number"),
                        (("quadratic", 4, 10.0, 4), "negative eigenvalues")):
        with pytest.raises(ValueError, match=words):
            make_problem(*args)
    assert make_problem("logistic", 4).n == 31  # the data set's n: 30 features and a bias


# --- methods ----------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [2, 3, 17, 100, 512])
@pytest.mark.parametrize("kappa", [1.0, 100.0, 1e6])
def test_newton_takes_one_step_on_every_quadratic(n, kappa):
    r = run_method(Quadratic(n, kappa, 0, seed=n), "newton", tol=1e-8)
    assert r.status == CONVERGED, r.message
    assert r.iterations == 1 and r.hess_evals == 1
    assert "in 1 iteration:" in r.message


def test_newton_heads_for_the_saddle_where_the_others_go_downhill_forever():
    q = Quadratic(20, 10.0, 2, seed=1)
    r = run_method(q, "newton")
    assert r.status == CONVERGED and r.iterations == 1
    assert np.allclose(r.x, q.x_star)
    assert "saddle" in r.message and "not positive definite" in r.message
    for m in ("gd", "bfgs", "lbfgs", "newton-cg", "momentum"):
        other = run_method(q, m, max_iter=5000)
        assert other.status != CONVERGED, (m, other.message)
        assert other.f < q.f_star  # below the saddle: f is unbounded below


@pytest.mark.parametrize("method", ["bfgs", "lbfgs"])
def test_quasi_newton_reaches_the_tolerance_on_rosenbrock_at_n_100(method):
    r = run_method(ExtendedRosenbrock(100), method, tol=1e-9)
    assert r.status == CONVERGED, r.message
    assert np.allclose(r.x, 1.0, atol=1e-5)
    assert r.hess_evals == 0 and r.hessp_evals == 0


@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_method_finds_the_logistic_regression_optimum_of_scipy(method):
    p = LogisticRegression()
    ref = minimize(p.f, p.x0, jac=p.grad, hess=p.hess, method="trust-exact",
                   options={"gtol": 1e-12})
    assert ref.success
    r = run_method(p, method, tol=1e-8, max_iter=100_000)
    assert r.status == CONVERGED, r.message
    assert np.max(np.abs(r.x - ref.x)) < 1e-6
    assert r.f == pytest.approx(ref.fun, abs=1e-12)


def test_newton_is_irls_on_the_logistic_regression_and_needs_few_steps():
    p = LogisticRegression()
    newton, gd = run_method(p, "newton"), run_method(p, "gd")
    assert newton.converged and gd.converged
    assert newton.iterations <= 10 < 100 < gd.iterations
    # IRLS: a Newton step from w solves the weighted, penalised least-squares problem
    # (X^T D X + lambda I) w+ = X^T D z, z = X w + (y - s) / (s (1 - s)) the working response.
    w = 0.1 * np.random.default_rng(0).standard_normal(p.n)
    s = 1 / (1 + np.exp(-(p.X @ w)))
    D = s * (1 - s) / p.X.shape[0]
    z = p.X @ w + (p.y - s) / (s * (1 - s))
    irls = np.linalg.solve(p.X.T @ (D[:, None] * p.X) + p.l2 * np.eye(p.n), p.X.T @ (D * z))
    assert np.allclose(irls, w - np.linalg.solve(p.hess(w), p.grad(w)))


def test_counts_time_and_memory_are_reported():
    q = Quadratic(64, 100.0)
    rs = {m: run_method(q, m) for m in DEFAULT_METHODS}
    assert rs["newton"].state_floats >= 64 * 64 > rs["lbfgs"].state_floats
    assert rs["bfgs"].state_floats >= 64 * 64
    assert rs["lbfgs"].state_floats == 2 * 10 * 64 + 5 * 64
    assert rs["newton-cg"].hessp_evals > 0 and rs["newton-cg"].hess_evals == 0
    assert rs["gd"].grad_evals == rs["gd"].iterations + 1
    for r in rs.values():
        assert r.converged
        assert r.seconds == pytest.approx(r.derivative_seconds + r.linalg_seconds)
        d = r.as_dict()
        assert "x" not in d and d["state_bytes"] == 8 * r.state_floats


def test_dense_methods_refuse_a_matrix_over_the_memory_limit():
    q = make_problem("quadratic", 16_384)
    for m in ("newton", "bfgs"):
        r = run_method(q, m)
        assert r.status == "too_large" and "GiB" in r.message
    assert run_method(q, "lbfgs", max_iter=3).status == "max_iterations"


def test_a_cancelled_run_stops_with_its_status():
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 3

    r = run_method(Quadratic(50, 1e4), "gd", cancel=cancel)
    assert r.status == "cancelled" and r.iterations == 3


def test_measure_repeats_short_runs_and_keeps_the_same_counts():
    r = measure(Quadratic(8, 10.0), "lbfgs")
    assert r.repeats > 1
    assert r.iterations == run_method(Quadratic(8, 10.0), "lbfgs").iterations


# --- sweeps and crossovers ---------------------------------------------------------------------
def fake(method, n, seconds, status=CONVERGED):
    return RunResult("quadratic", n, method, status, "", 1, seconds, 0.0, seconds, 0.0, 0.0,
                     1, 1, 0, 0, n)


def test_crossover_is_where_newton_stops_winning_interpolated_in_log_log():
    runs = [fake("newton", n, t) for n, t in ((16, 0.001), (64, 0.002), (256, 0.1))]
    runs += [fake("lbfgs", n, t) for n, t in ((16, 0.01), (64, 0.01), (256, 0.01))]
    runs += [fake("gd", n, 0.5) for n in (16, 64, 256)]
    runs += [fake("newton-cg", n, 1e-4) for n in (16, 64, 256)]
    by = {c.method: c for c in crossovers(runs)}
    c = by["lbfgs"]
    assert (c.kind, c.n_low, c.n_high) == ("crossover", 64, 256)
    # log(t_N / t_L) goes from log(0.2) to log(10): zero at 64 * 4^(log 5 / log 50)
    assert c.n_estimate == pytest.approx(64 * 4 ** (np.log(5) / np.log(50)))
    assert c.seconds_estimate == pytest.approx(0.01)  # where Newton's curve meets L-BFGS's
    assert "Newton stops beating L-BFGS between n = 64 and n = 256 (about n = 113)" in c.text
    assert by["gd"].kind == "always_faster"
    assert by["gd"].text == ("Newton is faster than Gradient descent at every n measured "
                             "(n = 16 to 256; at n = 256 100 ms against 500 ms).")
    assert by["newton-cg"].kind == "never_faster"


def test_a_single_n_is_a_comparison_at_that_n():
    (c,) = crossovers([fake("newton", 31, 0.002), fake("bfgs", 31, 0.016)])
    assert (c.kind, c.text) == ("always_faster", "At n = 31, Newton is faster than BFGS: 2 ms "
                                                 "against 16 ms.")


def test_a_run_that_misses_the_tolerance_loses_the_comparison():
    runs = [fake("newton", 8, 0.001), fake("newton", 16, 0.001, "max_iterations"),
            fake("bfgs", 8, 0.01), fake("bfgs", 16, 0.01)]
    (c,) = crossovers(runs)
    assert (c.kind, c.n_low, c.n_high, c.n_estimate) == ("crossover", 8, 16, None)
    assert "does not reach the tolerance" in c.text


def test_a_small_sweep_runs_every_method_at_every_n_with_progress():
    seen = []
    s = run_sweep(SweepSettings("quadratic", (4, 8, 16), ("gd", "newton", "lbfgs"), kappa=10),
                  progress=lambda done, total, r: seen.append((done, total, r.method, r.n)))
    assert [(r.n, r.method) for r in s.runs] == [(n, m) for n in (4, 8, 16)
                                                for m in ("gd", "newton", "lbfgs")]
    assert seen[-1][:2] == (9, 9)
    assert all(r.converged for r in s.runs)
    assert {c.method for c in s.crossovers} == {"gd", "lbfgs"}


def test_the_svg_figure_draws_every_curve_star_and_sentence():
    import xml.etree.ElementTree as ET

    from hessianlens.engine.ndim.figure import colour, sweep_svg

    runs = [fake("newton", n, t) for n, t in ((16, 0.001), (64, 0.002), (256, 0.1))]
    runs += [fake("lbfgs", n, 0.01) for n in (16, 64, 256)]
    runs += [fake("gd", 16, 0.5), fake("gd", 64, 0.5, "max_iterations")]
    text = sweep_svg(runs, crossovers(runs), "a heading & more")
    root = ET.fromstring(text)  # well-formed XML
    ns = "{http://www.w3.org/2000/svg}"
    lines = root.findall(f".//{ns}polyline")
    # Newton and L-BFGS on both plots; gradient descent has one converged point: no line.
    assert sorted(p.get("stroke") for p in lines) == sorted([colour("newton"), colour("lbfgs")] * 2)
    assert len(root.findall(f".//{ns}circle")) == 2 * (3 + 3 + 1) + 3  # points, legend dots
    crosses = [p for p in root.findall(f".//{ns}path") if p.get("stroke") == colour("gd")]
    assert len(crosses) == 2  # the unconverged run on both plots
    texts = "".join(t.text or "" for t in root.iter(f"{ns}text"))
    assert "a heading & more" in texts
    for c in crossovers(runs):
        assert c.text in texts
    assert "vector-effect" not in text and "transform" not in text


def test_sweep_settings_are_checked_and_logistic_has_one_n():
    with pytest.raises(ValueError, match="unknown method 'sgd'"):
        SweepSettings(methods=("sgd",)).validated()
    with pytest.raises(ValueError, match="even n"):
        SweepSettings("rosenbrock", (3,)).validated()
    assert SweepSettings("logistic", (2, 16, 128)).validated().dims == (31,)
    assert log_dims(2, 4096) == tuple(2**k for k in range(1, 13))
    assert seconds_text(0.0123) == "12.3 ms" and seconds_text(2.5) == "2.5 s"


def test_a_sweep_measures_with_blas_on_one_thread_and_restores_it():
    from threadpoolctl import threadpool_info

    def blas():
        return sorted(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")

    before, during = blas(), []
    run_sweep(SweepSettings("quadratic", (300,), ("newton",)),
              progress=lambda done, total, r: during.append(blas()))
    assert during and all(set(d) == {1} for d in during)
    assert blas() == before


def test_a_cancelled_sweep_keeps_the_runs_it_finished():
    s = run_sweep(SweepSettings("quadratic", (4, 8), ("gd", "newton")),
                  progress=lambda done, total, r: None, cancel=lambda: True)
    assert s.cancelled and s.runs == ()
