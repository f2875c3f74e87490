"""Line searches along a direction p, batched over many searches at once.

Every search is a function of the step length, phi(alpha) = f(x + alpha p), with slope
phi'(alpha) = grad f(x + alpha p) . p. A caller hands over ``phi(alpha, idx)``: the trial steps
``alpha`` (a 1-D array) of the searches ``idx`` (flat indices into the batch), and gets back
their values, slopes and a payload (typically the gradient at the trial point, so that an
accepted step costs no second gradient). One search is a batch of shape ().

- :func:`strong_wolfe`: Nocedal & Wright, Alg. 3.5 (bracketing) and Alg. 3.6 (zoom), with the
  cubic interpolation of eq. (3.59), safeguarded by bisection.
- :func:`backtracking`: Nocedal & Wright, Alg. 3.1 (Armijo condition (3.4) only).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

C1 = 1e-4  # sufficient decrease (3.6a); Nocedal & Wright's suggested value
C2 = 0.9  # curvature (3.7b): 0.9 for Newton and quasi-Newton directions (text after (3.7))
ALPHA_MAX = 1e10  # the search gives up (f unbounded below along p?) when alpha reaches this
MAX_EVALUATIONS = 60
EXTRAPOLATION = 2.0  # alpha_{i+1} = 2 alpha_i while bracketing
SAFEGUARD = 0.1  # an interpolated step keeps this fraction of the interval from its ends
BACKTRACK_RHO = 0.5
MAX_HALVINGS = 60

# Why a search stopped (the ``reason`` array of a result).
OK = 0
NOT_DESCENT = 1
UNBOUNDED = 2
EXHAUSTED = 3
COLLAPSED = 4
REASONS = {
    OK: "",
    NOT_DESCENT: "p is not a descent direction (phi'(0) >= 0)",
    UNBOUNDED: f"f kept decreasing up to alpha = {ALPHA_MAX:g}: f looks unbounded below along p",
    EXHAUSTED: f"no step met the strong Wolfe conditions within {MAX_EVALUATIONS} evaluations",
    COLLAPSED: "the bracketing interval shrank to nothing before the Wolfe conditions held",
}

Phi = Callable[[np.ndarray, np.ndarray], tuple]


@dataclass(frozen=True)
class LineSearchResult:
    """Per search (arrays of the batch shape): the step, phi and phi' there, the payload, and
    whether the strong Wolfe conditions hold.

    Where they do not (``ok`` False), ``alpha`` is the best step found that satisfies the
    sufficient-decrease condition (the zoom's alpha_lo), or NaN when there is none; ``reason``
    says why (a key of REASONS).
    """

    alpha: np.ndarray
    f: np.ndarray
    slope: np.ndarray
    payload: np.ndarray | None
    ok: np.ndarray
    reason: np.ndarray
    evaluations: np.ndarray

    @property
    def decreased(self) -> np.ndarray:
        """A step with sufficient decrease was found (Wolfe or not)."""
        return np.isfinite(self.alpha) & (self.alpha > 0)


def cubic_minimizer(a0, f0, d0, a1, f1, d1):
    """Minimiser of the cubic through (a0, f0, d0) and (a1, f1, d1) (Nocedal & Wright,
    eq. (3.59)); NaN where it does not exist."""
    with np.errstate(all="ignore"):
        e1 = d0 + d1 - 3 * (f0 - f1) / (a0 - a1)
        e2 = np.sign(a1 - a0) * np.sqrt(e1 * e1 - d0 * d1)
        return a1 - (a1 - a0) * (d1 + e2 - e1) / (d1 - d0 + 2 * e2)


def _zoom_trial(a_lo, f_lo, d_lo, a_hi, f_hi, d_hi):
    """The next zoom step: the cubic's minimiser if it lies well inside (lo, hi), else the
    midpoint (bisection)."""
    a = cubic_minimizer(a_lo, f_lo, d_lo, a_hi, f_hi, d_hi)
    lo, hi = np.minimum(a_lo, a_hi), np.maximum(a_lo, a_hi)
    margin = SAFEGUARD * (hi - lo)
    inside = np.isfinite(a) & (a >= lo + margin) & (a <= hi - margin)
    return np.where(inside, a, 0.5 * (a_lo + a_hi))


def strong_wolfe(phi: Phi, f0, slope0, alpha0=1.0, payload0=None, c1: float = C1,
                 c2: float = C2, alpha_max: float = ALPHA_MAX,
                 max_evaluations: int = MAX_EVALUATIONS) -> LineSearchResult:
    """Step lengths that satisfy the strong Wolfe conditions (Nocedal & Wright, (3.7)):
    f(x + alpha p) <= f + c1 alpha g.p and |grad f(x + alpha p).p| <= c2 |g.p|.

    Parameters
    ----------
    phi : callable
        ``phi(alpha, idx) -> (f, slope, payload)`` at the trial steps ``alpha`` of the
        searches ``idx`` (1-D arrays of equal length); payload has shape (len(idx), ...) or
        is None.
    f0, slope0 : array_like
        phi(0) and phi'(0) of every search (the batch shape).
    alpha0 : array_like
        First trial step (1 for Newton and quasi-Newton directions).
    payload0 : array_like, optional
        The payload at alpha = 0, shape (batch..., ...): returned for a search that finds
        nothing better.
    """
    f0 = np.asarray(f0, dtype=float)
    shape = f0.shape
    N = f0.size
    f0 = f0.reshape(N)
    d0 = np.broadcast_to(np.asarray(slope0, dtype=float), shape).reshape(N)
    a_try = np.broadcast_to(np.asarray(alpha0, dtype=float), shape).reshape(N).copy()

    BRACKET, ZOOM, DONE = 0, 1, 2
    phase = np.full(N, BRACKET)
    reason = np.full(N, OK)
    evaluations = np.zeros(N, dtype=int)
    # The previous trial of the bracketing phase, then the zoom's lo and hi ends.
    a_lo, f_lo, d_lo = np.zeros(N), f0.copy(), d0.copy()
    a_hi, f_hi, d_hi = np.full(N, np.nan), np.full(N, np.nan), np.full(N, np.nan)
    first = np.ones(N, dtype=bool)
    out_a, out_f, out_d = np.full(N, np.nan), np.full(N, np.nan), np.full(N, np.nan)
    ok = np.zeros(N, dtype=bool)

    pay = None
    if payload0 is not None:
        p0 = np.asarray(payload0, dtype=float)
        pay = {"lo": p0.reshape(N, *p0.shape[len(shape):]).copy()}
        pay["hi"] = np.full_like(pay["lo"], np.nan)
        pay["out"] = np.full_like(pay["lo"], np.nan)

    bad = ~(d0 < 0)  # a descent direction only (NaN slopes fail too)
    phase[bad], reason[bad] = DONE, NOT_DESCENT

    while True:
        idx = np.flatnonzero(phase != DONE)
        if not idx.size:
            break
        spent = idx[evaluations[idx] >= max_evaluations]
        if spent.size:
            phase[spent], reason[spent] = DONE, EXHAUSTED
            idx = np.flatnonzero(phase != DONE)
            if not idx.size:
                break
        zoom = phase[idx] == ZOOM
        zi = idx[zoom]
        if zi.size:
            a_try[zi] = _zoom_trial(a_lo[zi], f_lo[zi], d_lo[zi], a_hi[zi], f_hi[zi], d_hi[zi])
            # an interval (lo, hi) shrunk below rounding: give up
            width = np.abs(a_hi[zi] - a_lo[zi])
            collapsed = zi[~(width > 1e-12 * np.maximum(np.abs(a_lo[zi]), np.abs(a_hi[zi])))]
            if collapsed.size:
                phase[collapsed], reason[collapsed] = DONE, COLLAPSED
                keep = phase[idx] != DONE
                idx, zoom = idx[keep], zoom[keep]
                if not idx.size:
                    continue
        a = a_try[idx]
        fa, da, payload = phi(a, idx)
        fa, da = np.asarray(fa, dtype=float), np.asarray(da, dtype=float)
        evaluations[idx] += 1
        if payload is not None:
            payload = np.asarray(payload, dtype=float)
            if pay is None:
                tail = payload.shape[1:]
                pay = {k: np.full((N, *tail), np.nan) for k in ("lo", "hi", "out")}
        with np.errstate(invalid="ignore"):
            armijo = fa <= f0[idx] + c1 * a * d0[idx]  # False for NaN
            wolfe = np.abs(da) <= -c2 * d0[idx]

        def accept(sel):
            j = idx[sel]
            out_a[j], out_f[j], out_d[j], ok[j], phase[j] = a[sel], fa[sel], da[sel], True, DONE
            if payload is not None:
                pay["out"][j] = payload[sel]

        def set_end(end, sel):
            j = idx[sel]
            arrays = (a_lo, f_lo, d_lo) if end == "lo" else (a_hi, f_hi, d_hi)
            for arr, val in zip(arrays, (a, fa, da)):
                arr[j] = val[sel]
            if payload is not None:
                pay[end][j] = payload[sel]

        # Alg. 3.5 (bracketing): the previous trial is held in the lo slots.
        br = ~zoom
        too_high = br & (~armijo | (~first[idx] & (fa >= f_lo[idx])))
        if too_high.any():  # zoom(alpha_{i-1}, alpha_i)
            set_end("hi", too_high)
            phase[idx[too_high]] = ZOOM
        rest = br & ~too_high
        accept(rest & wolfe)
        rising = rest & ~wolfe & (da >= 0)
        if rising.any():  # zoom(alpha_i, alpha_{i-1}): hi takes the previous trial
            j = idx[rising]
            a_hi[j], f_hi[j], d_hi[j] = a_lo[j], f_lo[j], d_lo[j]
            if pay is not None:
                pay["hi"][j] = pay["lo"][j]
            set_end("lo", rising)
            phase[j] = ZOOM
        onward = rest & ~wolfe & ~(da >= 0)
        if onward.any():
            set_end("lo", onward)
            j = idx[onward]
            first[j] = False
            at_max = a[onward] >= alpha_max
            phase[j[at_max]], reason[j[at_max]] = DONE, UNBOUNDED
            a_try[j] = np.minimum(EXTRAPOLATION * a[onward], alpha_max)

        # Alg. 3.6 (zoom).
        if zoom.any():
            z_high = zoom & (~armijo | (fa >= f_lo[idx]))
            set_end("hi", z_high)
            z_low = zoom & ~z_high
            accept(z_low & wolfe)
            flip = z_low & ~wolfe & (da * (a_hi[idx] - a_lo[idx]) >= 0)
            if flip.any():
                j = idx[flip]
                a_hi[j], f_hi[j], d_hi[j] = a_lo[j], f_lo[j], d_lo[j]
                if pay is not None:
                    pay["hi"][j] = pay["lo"][j]
            set_end("lo", z_low & ~wolfe)

    # A search that failed keeps its best sufficient-decrease point (lo), if it moved at all.
    fallback = ~ok & (a_lo > 0)
    out_a[fallback], out_f[fallback], out_d[fallback] = (a_lo[fallback], f_lo[fallback],
                                                         d_lo[fallback])
    payload_out = None
    if pay is not None:
        pay["out"][fallback] = pay["lo"][fallback]
        payload_out = pay["out"].reshape(*shape, *pay["out"].shape[1:])
    return LineSearchResult(out_a.reshape(shape), out_f.reshape(shape), out_d.reshape(shape),
                            payload_out, ok.reshape(shape), reason.reshape(shape),
                            evaluations.reshape(shape))


def backtracking(value: Callable[[np.ndarray, np.ndarray], np.ndarray], f0, slope0, alpha0,
                 c1: float = C1, rho: float = BACKTRACK_RHO,
                 max_halvings: int = MAX_HALVINGS):
    """Backtracking line search (Nocedal & Wright, Alg. 3.1), batched.

    ``value(alpha, idx)`` gives phi at the trial steps of the searches idx. Returns
    (alpha, f at alpha, met, evaluations): alpha = alpha0 rho^j for the least j with the Armijo
    condition (3.4); where it never holds within max_halvings, the last alpha and met False.
    """
    f0 = np.asarray(f0, dtype=float)
    shape, N = f0.shape, f0.size
    f0 = f0.reshape(N)
    d0 = np.broadcast_to(np.asarray(slope0, dtype=float), shape).reshape(N)
    alpha = np.broadcast_to(np.asarray(alpha0, dtype=float), shape).reshape(N).copy()
    fa_out = np.full(N, np.nan)
    met = np.zeros(N, dtype=bool)
    evaluations = np.zeros(N, dtype=int)
    todo = np.ones(N, dtype=bool)
    for j in range(max_halvings + 1):
        idx = np.flatnonzero(todo)
        if not idx.size:
            break
        fa = np.asarray(value(alpha[idx], idx), dtype=float)
        evaluations[idx] += 1
        fa_out[idx] = fa
        with np.errstate(invalid="ignore"):
            good = fa <= f0[idx] + c1 * alpha[idx] * d0[idx]
        met[idx[good]] = True
        todo[idx[good]] = False
        if j < max_halvings:
            alpha[idx[~good]] *= rho
    return (alpha.reshape(shape), fa_out.reshape(shape), met.reshape(shape),
            evaluations.reshape(shape))
