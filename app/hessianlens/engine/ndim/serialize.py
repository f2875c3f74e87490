"""Sweeps as JSON-ready dicts and CSV text (the ``scaling`` command and the tab's export)."""

from __future__ import annotations

import csv
import io
import math

from hessianlens.engine.ndim.sweep import Sweep

RUN_COLUMNS = ("problem", "n", "method", "status", "iterations", "seconds",
               "derivative_seconds", "linalg_seconds", "f", "grad_norm", "f_evals", "grad_evals",
               "hess_evals", "hessp_evals", "state_floats", "state_bytes", "repeats", "message")


def _finite(v):
    return None if isinstance(v, float) and not math.isfinite(v) else v


def sweep_to_dict(sweep: Sweep) -> dict:
    """Settings, total time, every run (RUN_COLUMNS) and the crossovers."""
    s = sweep.settings
    return {
        "problem": s.problem,
        "dims": list(s.dims),
        "methods": list(s.methods),
        "kappa": s.kappa if s.problem == "quadratic" else None,
        "negatives": s.negatives if s.problem == "quadratic" else None,
        "tol": s.tol,
        "max_iter": s.max_iter,
        "seed": s.seed,
        "blas_threads": s.blas_threads,
        "seconds": round(sweep.seconds, 4),
        "cancelled": sweep.cancelled,
        "runs": [{k: _finite(r.as_dict()[k]) for k in RUN_COLUMNS} for r in sweep.runs],
        "crossovers": [{"method": c.method, "kind": c.kind, "n_low": c.n_low,
                        "n_high": c.n_high,
                        "n_estimate": None if c.n_estimate is None else round(c.n_estimate, 1),
                        "text": c.text} for c in sweep.crossovers],
    }


def runs_to_csv(sweep: Sweep) -> str:
    """One row per run, columns RUN_COLUMNS (empty where a number is not finite)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(RUN_COLUMNS)
    for row in sweep_to_dict(sweep)["runs"]:
        w.writerow(["" if row[k] is None else row[k] for k in RUN_COLUMNS])
    return out.getvalue()
