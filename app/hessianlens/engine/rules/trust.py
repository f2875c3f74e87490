"""What the trust-region rules (trust region, dogleg, SR1) share: the radius in their state and
the driver of Nocedal & Wright's Alg. 4.1, which takes the subproblem solver as a parameter."""

from __future__ import annotations

import numpy as np

from hessianlens.engine import linalg2
from hessianlens.engine import trust_region as tr
from hessianlens.engine.params import Param
from hessianlens.engine.rules.base import Batch, Rule, Steps, full

# A rejected step shrinks the radius to a quarter and is tried again from the same point; after
# MAX_REJECTIONS of them (a radius 4^-40 of the first) the last trial is taken as it is.
MAX_REJECTIONS = 40
NOISE = 16 * np.finfo(float).eps  # relative size of f's rounding in a difference of f values
RADIUS_BOUNDS = (1e-6, 1e4)


def radius_params(radius: float = 1.0, max_radius: float = 100.0) -> tuple[Param, ...]:
    return (Param("radius", radius, RADIUS_BOUNDS, log=True, label="Start radius",
                  short="radius", help="The trust radius of the first step (Delta_0); later "
                                       "ones grow and shrink with the ratio rho"),
            Param("max_radius", max_radius, RADIUS_BOUNDS, log=True, label="Largest radius",
                  short="max", help="The radius never grows beyond this (Delta hat)"))


class TrustRegionRule(Rule):
    """A step minimises a quadratic model within a radius; the ratio rho of actual to predicted
    reduction (N&W (4.4)) accepts it (rho > eta) or rejects it, and sets the next radius
    (Alg. 4.1). A rejected step is retried from the same point with the smaller radius within
    one call, so every recorded step is an accepted one (``info.rejected`` counts the others).

    Subclasses give :meth:`model` (the matrix B of the model at each point) and
    :meth:`subproblem` (the step within the radius).
    """

    def model(self, batch: Batch, state) -> np.ndarray:
        """(m, 2, 2): the model's matrix at every point (the true Hessian by default)."""
        return batch.hessian

    def subproblem(self, g, B, radius, eig) -> tuple[np.ndarray, dict]:
        """(m, 2) steps within the radius and per-step info arrays."""
        raise NotImplementedError

    def init_state(self, objective, b):
        return {"radius": full(b, min(self.radius, self.max_radius))}

    def trust_steps(self, objective, b: Batch, B: np.ndarray, radius: np.ndarray):
        """The accepted steps from every point (Alg. 4.1) and the radius after each:
        (Steps, next radius)."""
        g = b.grad
        eig = linalg2.eigh(B[:, 0, 0], B[:, 0, 1], B[:, 1, 1])
        m = len(b)
        p = np.full((m, 2), np.nan)
        used, after = radius.copy(), radius.copy()
        rho_out = np.full(m, np.nan)
        rejected = np.zeros(m, dtype=int)
        info_out: dict = {}
        trial = radius.copy()
        todo = np.flatnonzero(np.isfinite(b.f) & np.all(np.isfinite(g), axis=-1))
        for j in range(MAX_REJECTIONS + 1):
            if not todo.size:
                break
            # All rows: a view instead of a copy of every array (the usual first pass).
            rows = slice(None) if todo.size == m else todo
            r = trial[rows]
            gj, Bj = g[rows], B[rows]
            step, info = self.subproblem(gj, Bj, r, tuple(e[rows] for e in eig))
            predicted = -tr.model_change(gj, Bj, step)
            with np.errstate(all="ignore"):
                f_new = objective.value(b.x[rows] + step[:, 0], b.y[rows] + step[:, 1])
            rho = tr.reduction_ratio(b.f[rows] - f_new, predicted)
            new_radius = tr.update_radius(r, rho, np.hypot(step[:, 0], step[:, 1]),
                                          self.max_radius)
            # A predicted decrease below f's rounding cannot be measured: rho is noise there,
            # and shrinking the radius would not help. The step is taken if f does not rise,
            # else the point stays where it is (f is at its rounding floor), radius unchanged.
            with np.errstate(invalid="ignore"):
                noise = predicted <= NOISE * np.maximum(1.0, np.abs(b.f[rows]))
                stay = noise & ~(f_new <= b.f[rows])
            step = np.where(stay[:, None], 0.0, step)
            new_radius = np.where(noise, r, new_radius)
            ok = tr.accepted(rho) | noise | (j == MAX_REJECTIONS)
            done = todo[ok]
            p[done], used[done], after[done], rho_out[done] = step[ok], r[ok], new_radius[ok], \
                rho[ok]
            for k, v in info.items():
                info_out.setdefault(k, np.zeros(m, dtype=v.dtype))[done] = v[ok]
            trial[todo[~ok]] = new_radius[~ok]
            rejected[todo[~ok]] += 1
            todo = todo[~ok]
        info = {"radius": used, "rho": rho_out, "rejected": rejected, **info_out}
        return Steps(p[:, 0], p[:, 1], full(b, np.nan), info), after

    def steps(self, objective, b, state):
        s, radius = self.trust_steps(objective, b, self.model(b, state), state["radius"])
        return s, {**state, "radius": radius}

    def trust_radius(self, iterate):
        r = iterate.info.get("radius")
        return None if r is None else float(r)

    def model_at(self, iterate) -> np.ndarray:
        """The model's matrix at a recorded iterate: the estimate it used, or H."""
        B = self.believed_hessian(iterate)
        return iterate.hessian if B is None else np.asarray(B, dtype=float)

    def trust_step(self, iterate):
        radius = self.trust_radius(iterate)
        if radius is None:
            return None
        B = self.model_at(iterate)
        eig = linalg2.eigh(B[0, 0], B[0, 1], B[1, 1])
        p, _ = self.subproblem(iterate.grad[None], B[None], np.array([radius]),
                               tuple(e[None] for e in eig))
        return p[0]
