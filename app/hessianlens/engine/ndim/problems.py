"""Test problems in n dimensions with exact gradient, Hessian and Hessian-vector product.

- :class:`Quadratic`: 1/2 x^T A x - b^T x with a chosen condition number and spectrum.
- :class:`ExtendedRosenbrock`: the extended Rosenbrock function (More, Garbow & Hillstrom
  1981, problem 21).
- :class:`LogisticRegression`: L2-regularised logistic regression on the Breast Cancer
  Wisconsin (Diagnostic) data set (resources/data), standardised features plus a bias.

Every problem evaluates in vectorised numpy; ``hess`` returns a dense n x n array (what
Newton and a dense solver pay for), ``hessp`` never forms it.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import math
from dataclasses import dataclass, field

import numpy as np

PROBLEMS = ("quadratic", "rosenbrock", "logistic")
MAX_N = 16_384
REFLECTIONS = 8  # Householder reflections in the quadratic's rotation
LOGISTIC_L2 = 1e-2  # lambda of the penalty lambda/2 |w|^2 (all parameters, bias included)
DATA_FILE = "data/wdbc.csv.gz"


def _frozen(a) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.flags.writeable = False
    return a


# --- the quadratic ------------------------------------------------------------------------
def compact_wy(U: np.ndarray) -> np.ndarray:
    """T of the compact WY form Q = H_1 ... H_k = I - U T U^T of a product of Householder
    reflections H_i = I - 2 u_i u_i^T, u_i the unit columns of U (Schreiber & Van Loan 1989;
    Golub & Van Loan, Matrix Computations, Sec. 5.1.7): T is upper triangular, built one
    reflection at a time as T <- [[T, -2 T U^T u], [0, 2]]."""
    k = U.shape[1]
    T = np.zeros((k, k))
    for j in range(k):
        T[:j, j] = -2.0 * T[:j, :j] @ (U[:, :j].T @ U[:, j])
        T[j, j] = 2.0
    return T


def log_uniform_spectrum(n: int, kappa: float, negatives: int, rng) -> np.ndarray:
    """n eigenvalues with |lambda| log-uniform in [1, kappa], both ends included (so the
    condition number is exactly kappa), ascending in size; the `negatives` smallest in size
    made negative."""
    mags = np.sort(np.concatenate([[1.0, kappa][: min(n, 2)],
                                   kappa ** rng.uniform(0.0, 1.0, max(n - 2, 0))]))
    mags[:negatives] *= -1.0
    return mags


@dataclass(frozen=True, eq=False)
class Quadratic:
    """f(x) = 1/2 x^T A x - b^T x with A = Q diag(lambda) Q^T.

    lambda: log-uniform in size over [1, kappa] (seeded), the `negatives` smallest flipped to
    negative (then the stationary point is a saddle and f is unbounded below). Q: a product of
    REFLECTIONS random Householder reflections, applied in compact WY form, so A v costs O(n)
    while A itself is dense. The methods here are all invariant under a rotation of the
    coordinates and the start and minimiser are Gaussian, so their iterates do not depend on
    which rotation it is; only the cost of the dense Hessian does. x0 = 0; the stationary
    point x* is drawn from N(0, I) and b = A x*.
    """

    n: int
    kappa: float = 100.0
    negatives: int = 0
    seed: int = 0
    eigenvalues: np.ndarray = field(init=False, repr=False)
    U: np.ndarray = field(init=False, repr=False)
    T: np.ndarray = field(init=False, repr=False)
    b: np.ndarray = field(init=False, repr=False)
    x_star: np.ndarray = field(init=False, repr=False)
    name = "quadratic"

    def __post_init__(self):
        rng = np.random.default_rng(self.seed)
        lam = log_uniform_spectrum(self.n, self.kappa, self.negatives, rng)
        U = rng.standard_normal((self.n, REFLECTIONS))
        U /= np.linalg.norm(U, axis=0)
        x_star = rng.standard_normal(self.n)
        set_ = functools.partial(object.__setattr__, self)
        set_("eigenvalues", _frozen(lam))
        set_("U", _frozen(U))
        set_("T", _frozen(compact_wy(U)))
        set_("x_star", _frozen(x_star))
        set_("b", _frozen(self.hessp(None, x_star)))

    @property
    def x0(self) -> np.ndarray:
        return np.zeros(self.n)

    @property
    def title(self) -> str:
        neg = f", {self.negatives} negative eigenvalues" if self.negatives else ""
        return f"quadratic, n = {self.n}, kappa = {self.kappa:g}{neg}"

    @property
    def lipschitz(self) -> float:
        return float(np.max(np.abs(self.eigenvalues)))

    @property
    def strong_convexity(self) -> float | None:
        return None if self.negatives else float(self.eigenvalues[0])

    @property
    def stationary_kind(self) -> str:
        return "saddle" if self.negatives else "minimum"

    @property
    def f_star(self) -> float:
        return float(-0.5 * self.b @ self.x_star)

    def rotate(self, v, transpose: bool = False) -> np.ndarray:
        """Q v (or Q^T v) = v - U T U^T v (T^T for Q^T)."""
        T = self.T.T if transpose else self.T
        return v - self.U @ (T @ (self.U.T @ v))

    def hessp(self, x, v) -> np.ndarray:
        return self.rotate(self.eigenvalues * self.rotate(v, transpose=True))

    def f_grad(self, x) -> tuple[float, np.ndarray]:
        Ax = self.hessp(x, x)
        return float(0.5 * x @ Ax - self.b @ x), Ax - self.b

    def f(self, x) -> float:
        return self.f_grad(x)[0]

    def grad(self, x) -> np.ndarray:
        return self.hessp(x, x) - self.b

    def hess(self, x) -> np.ndarray:
        """The dense A = diag(lambda) + G C G^T with G = [U T, diag(lambda) U] and
        C = [[U^T diag(lambda) U, -I], [-I, 0]]: one (n x 2k)(2k x n) product."""
        lam, U = self.eigenvalues, self.U
        k = U.shape[1]
        P = lam[:, None] * U
        G = np.hstack([U @ self.T, P])
        C = np.zeros((2 * k, 2 * k))
        C[:k, :k] = U.T @ P
        C[:k, k:] = C[k:, :k] = -np.eye(k)
        A = G @ (C @ G.T)
        A.flat[:: self.n + 1] += lam
        return A


# --- extended Rosenbrock ------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class ExtendedRosenbrock:
    """f(x) = sum over pairs i of 100 (x_{2i} - x_{2i-1}^2)^2 + (1 - x_{2i-1})^2 (More, Garbow
    & Hillstrom 1981, problem 21): n/2 independent Rosenbrock valleys, minimum 0 at (1, ..., 1)
    and no other stationary point. Start: the standard (-1.2, 1, -1.2, 1, ...) plus a seeded
    uniform perturbation in [-0.1, 0.1], so the pairs do not move in lock step."""

    n: int
    seed: int = 0
    name = "rosenbrock"
    lipschitz = None
    strong_convexity = None
    stationary_kind = "minimum"
    f_star = 0.0

    def __post_init__(self):
        if self.n < 2 or self.n % 2:
            raise ValueError(f"the extended Rosenbrock function needs an even n >= 2, not "
                             f"{self.n}")

    @property
    def title(self) -> str:
        return f"extended Rosenbrock, n = {self.n}"

    @property
    def x0(self) -> np.ndarray:
        rng = np.random.default_rng(self.seed)
        return np.tile([-1.2, 1.0], self.n // 2) + rng.uniform(-0.1, 0.1, self.n)

    def f_grad(self, x) -> tuple[float, np.ndarray]:
        u, v = x[0::2], x[1::2]
        t = v - u * u
        g = np.empty_like(x)
        g[0::2] = -400.0 * u * t - 2.0 * (1.0 - u)
        g[1::2] = 200.0 * t
        return float(np.sum(100.0 * t * t + (1.0 - u) ** 2)), g

    def f(self, x) -> float:
        u, v = x[0::2], x[1::2]
        return float(np.sum(100.0 * (v - u * u) ** 2 + (1.0 - u) ** 2))

    def grad(self, x) -> np.ndarray:
        return self.f_grad(x)[1]

    def _blocks(self, x):
        u, v = x[0::2], x[1::2]
        return 1200.0 * u * u - 400.0 * v + 2.0, -400.0 * u, 200.0

    def hessp(self, x, w) -> np.ndarray:
        huu, huv, hvv = self._blocks(x)
        out = np.empty_like(w)
        out[0::2] = huu * w[0::2] + huv * w[1::2]
        out[1::2] = huv * w[0::2] + hvv * w[1::2]
        return out

    def hess(self, x) -> np.ndarray:
        huu, huv, hvv = self._blocks(x)
        n = self.n
        H = np.zeros((n, n))
        i = np.arange(0, n, 2)
        H[i, i], H[i + 1, i + 1] = huu, hvv
        H[i, i + 1] = H[i + 1, i] = huv
        return H


# --- logistic regression ------------------------------------------------------------------
def sigmoid(z) -> np.ndarray:
    """1 / (1 + exp(-z)) without overflow: exp(-log(1 + exp(-z)))."""
    return np.exp(-np.logaddexp(0.0, -z))


@dataclass(frozen=True)
class Dataset:
    """A table of features with binary labels."""

    name: str
    features: np.ndarray  # (m, d), raw
    labels: np.ndarray  # (m,), 1.0 or 0.0
    feature_names: tuple[str, ...]
    positive: str  # what label 1 means

    def standardized(self) -> np.ndarray:
        """z-scores (population standard deviation)."""
        X = self.features
        return (X - X.mean(axis=0)) / X.std(axis=0)


@functools.lru_cache(maxsize=1)
def load_wdbc() -> Dataset:
    """The Breast Cancer Wisconsin (Diagnostic) data: 569 tumours, 30 features, label 1 =
    malignant (see resources/data/README.md for source, licence and citation)."""
    from hessianlens.resources import resource_path

    text = gzip.decompress(resource_path(DATA_FILE).read_bytes()).decode("ascii")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    X = np.array([[float(v) for v in r[:-1]] for r in body])
    y = np.array([1.0 if r[-1] == "M" else 0.0 for r in body])
    return Dataset("Breast Cancer Wisconsin (Diagnostic)", _frozen(X), _frozen(y),
                   tuple(header[:-1]), "malignant")


@dataclass(frozen=True, eq=False)
class LogisticRegression:
    """f(w) = (1/m) sum_i [log(1 + exp(z_i)) - y_i z_i] + lambda/2 |w|^2, z = X w, with X the
    standardised features and a column of ones (the bias, last). Strictly convex with
    lambda <= eigenvalues(H) <= |X|_2^2 / (4 m) + lambda, so its one stationary point is the
    minimum. Newton's method here is iteratively reweighted least squares (IRLS): H = X^T D X
    / m + lambda I with D = diag(sigma(z) (1 - sigma(z)))."""

    l2: float = LOGISTIC_L2
    name = "logistic"
    stationary_kind = "minimum"
    f_star = None

    @functools.cached_property
    def X(self) -> np.ndarray:
        Z = load_wdbc().standardized()
        return _frozen(np.hstack([Z, np.ones((Z.shape[0], 1))]))

    @property
    def y(self) -> np.ndarray:
        return load_wdbc().labels

    @property
    def n(self) -> int:
        return self.X.shape[1]

    @property
    def x0(self) -> np.ndarray:
        return np.zeros(self.n)

    @property
    def title(self) -> str:
        return (f"logistic regression on {load_wdbc().name} (m = {self.X.shape[0]}), n = "
                f"{self.n}, lambda = {self.l2:g}")

    @functools.cached_property
    def lipschitz(self) -> float:
        return float(np.linalg.norm(self.X, 2) ** 2 / (4 * self.X.shape[0]) + self.l2)

    @property
    def strong_convexity(self) -> float:
        return float(self.l2)

    def f_grad(self, w) -> tuple[float, np.ndarray]:
        X, y, m = self.X, self.y, self.X.shape[0]
        z = X @ w
        f = np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * self.l2 * (w @ w)
        return float(f), X.T @ (sigmoid(z) - y) / m + self.l2 * w

    def f(self, w) -> float:
        z = self.X @ w
        return float(np.mean(np.logaddexp(0.0, z) - self.y * z) + 0.5 * self.l2 * (w @ w))

    def grad(self, w) -> np.ndarray:
        return self.f_grad(w)[1]

    def _weights(self, w) -> np.ndarray:
        s = sigmoid(self.X @ w)
        return s * (1.0 - s) / self.X.shape[0]

    def hess(self, w) -> np.ndarray:
        X = self.X
        H = X.T @ (X * self._weights(w)[:, None])
        H.flat[:: self.n + 1] += self.l2
        return H

    def hessp(self, w, v) -> np.ndarray:
        X = self.X
        return X.T @ (self._weights(w) * (X @ v)) + self.l2 * v


def make_problem(name: str, n: int | None = None, kappa: float = 100.0, negatives: int = 0,
                 seed: int = 0):
    """A problem by name (a key of PROBLEMS); n is ignored for ``logistic`` (the data set's).

    Raises
    ------
    ValueError
        For an unknown name or invalid n, kappa or negatives, with a message for the user.
    """
    if name not in PROBLEMS:
        raise ValueError(f"unknown problem '{name}': choose from {', '.join(PROBLEMS)}")
    if name == "logistic":
        return LogisticRegression()
    if n is None or not 2 <= n <= MAX_N:
        raise ValueError(f"n must be between 2 and {MAX_N}, not {n}")
    if name == "rosenbrock":
        return ExtendedRosenbrock(n, seed)
    if not (math.isfinite(kappa) and 1.0 <= kappa <= 1e12):
        raise ValueError(f"the condition number kappa must be between 1 and 1e12, not {kappa:g}")
    if not 0 <= negatives < n:
        raise ValueError(f"the number of negative eigenvalues must be between 0 and n - 1 = "
                         f"{n - 1}, not {negatives}")
    return Quadratic(n, float(kappa), int(negatives), seed)
