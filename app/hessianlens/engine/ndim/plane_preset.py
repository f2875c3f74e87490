"""A logistic regression on the breast cancer data, as a function of x and y for the plane.

The plane takes typed text of at most expression.MAX_LENGTH (2,000) characters, and sympy
differentiates it on the GUI thread. The 31-parameter model's loss over one weight and the
bias (the others at their optimum) is a sum of 569 different terms, one per tumour: about
16,000 characters. Shorter stand-ins for that slice were measured and rejected: a random
40-tumour subsample moves the minimiser's weight from 0.71 to anywhere in 0.35..1.9, k-means
summaries of the 569 (feature, rest-of-model) pairs by 48 weighted terms to 0.84, keeping the
60 tumours of largest loss to 0.62.

So the preset is a complete two-parameter model fitted to all 569 tumours: the logistic
regression of the diagnosis on one standardised feature z and a bias,

    f(x, y) = (1/m) sum_i log(1 + exp(-s_i (z_i x + y))) + lambda/2 (x^2 + y^2),

s_i = +1 for malignant, -1 for benign, x the weight and y the bias. Each class's sum over its
tumours is an average of a smooth function of z over the class's feature values, so it is
replaced by the K-point Gaussian quadrature of that empirical distribution (Golub & Welsch
1969), exact for polynomials in z up to degree 2K - 1: 2K terms instead of 569.
:func:`logistic_plane_function` reports how far that moves f and its minimiser.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hessianlens.engine.ndim.problems import LOGISTIC_L2, load_wdbc

FEATURE = "radius_worst"
NODES = 8  # quadrature points per class
DIGITS = 4  # significant digits of the numbers in the text
VIEW = (-1.0, 7.0, -4.0, 3.0)  # (xmin, xmax, ymin, ymax) of the preset


@dataclass(frozen=True)
class PlaneFunction:
    """The text, the model it stands for and how closely it does."""

    text: str
    feature: str
    rows: int  # tumours
    nodes: int  # quadrature points per class
    minimum: tuple[float, float]  # (weight, bias) minimising the text's function
    exact_minimum: tuple[float, float]  # ... and the 569-term sum's
    max_error: float  # max |f_text - f_exact| over VIEW (a 61 x 61 grid)
    f_range: tuple[float, float]  # of f_exact over the same grid


def gauss_quadrature(points, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights (summing to 1) of the k-point Gaussian quadrature of the uniform
    distribution on `points`: the Jacobi matrix by Lanczos on diag(points) from the constant
    vector (with full reorthogonalisation), its eigenvalues the nodes and the squared first
    components of its eigenvectors the weights (Golub & Welsch 1969)."""
    t = np.asarray(points, dtype=float)
    q = np.full(t.size, 1.0 / np.sqrt(t.size))
    basis, alpha, beta = [q], [], []
    q_prev, b = np.zeros_like(q), 0.0
    for j in range(k):
        v = t * q
        a = float(q @ v)
        alpha.append(a)
        v = v - a * q - b * q_prev
        for u in basis:
            v -= (u @ v) * u
        b = float(np.linalg.norm(v))
        if j < k - 1:
            beta.append(b)
            q_prev, q = q, v / b
            basis.append(q)
    J = np.diag(alpha) + np.diag(beta, 1) + np.diag(beta, -1)
    nodes, vectors = np.linalg.eigh(J)
    return nodes, vectors[0] ** 2


def _fgh(z, s, weights, m, lam):
    """f, gradient and Hessian at w = (a, b) of sum_k weights_k log(1 + exp(-s_k (z_k a +
    b))) / m + lam/2 |w|^2."""
    Zt = np.column_stack([z, np.ones_like(z)])

    def fgh(w):
        t = -s * (Zt @ w)
        f = np.sum(weights * np.logaddexp(0.0, t)) / m + 0.5 * lam * (w @ w)
        p = np.exp(t - np.logaddexp(0.0, t))  # sigma(t)
        g = -(Zt.T @ (weights * s * p)) / m + lam * w
        H = Zt.T @ (Zt * (weights * p * (1 - p))[:, None]) / m + lam * np.eye(2)
        return f, g, H

    return fgh


def newton_minimum(fgh) -> np.ndarray:
    """Newton's method (IRLS) from 0; the loss is strictly convex."""
    w = np.zeros(2)
    for _ in range(100):
        _, g, H = fgh(w)
        step = np.linalg.solve(H, g)
        w = w - step
        if np.max(np.abs(step)) < 1e-14:
            break
    return w


def _num(v: float) -> str:
    return f"{v:.{DIGITS}g}"


def _term(weight: float, node: float, malignant: bool) -> str:
    # malignant: log(1 + exp(-(z x + y))); benign: log(1 + exp(z x + y))
    k = -node if malignant else node
    return f"{_num(weight)}*log(1+exp({_num(k)}*x{'-' if malignant else '+'}y))"


def logistic_plane_function(feature: str = FEATURE, nodes: int = NODES,
                            lam: float = LOGISTIC_L2) -> PlaneFunction:
    """The text of the two-parameter model's loss (x: the feature's weight, y: the bias)."""
    d = load_wdbc()
    z = d.standardized()[:, d.feature_names.index(feature)]
    labels = d.labels
    m = len(labels)
    zs, ss, ws, terms = [], [], [], []
    for malignant in (True, False):
        values = z[labels == (1.0 if malignant else 0.0)]
        t, w = gauss_quadrature(values, nodes)
        for node, weight in zip(t, w * values.size):
            node, weight = float(_num(node)), float(_num(weight))  # as written in the text
            zs.append(node)
            ss.append(1.0 if malignant else -1.0)
            ws.append(weight)
            terms.append(_term(weight, node, malignant))
    text = f"({' + '.join(terms)})/{m} + {_num(0.5 * lam)}*(x**2 + y**2)"
    zs, ss, ws = (np.array(a) for a in (zs, ss, ws))
    s_all = np.where(labels == 1.0, 1.0, -1.0)
    approx = _fgh(zs, ss, ws, m, lam)
    exact = _fgh(z, s_all, np.ones(m), m, lam)
    grid = [np.array([a, b]) for a in np.linspace(VIEW[0], VIEW[1], 61)
            for b in np.linspace(VIEW[2], VIEW[3], 61)]
    f_exact = np.array([exact(w)[0] for w in grid])
    err = max(abs(approx(w)[0] - fe) for w, fe in zip(grid, f_exact))
    return PlaneFunction(text, feature, m, nodes, tuple(map(float, newton_minimum(approx))),
                         tuple(map(float, newton_minimum(exact))), float(err),
                         (float(f_exact.min()), float(f_exact.max())))
