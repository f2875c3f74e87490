"""Benchmarks printed by ``hessianlens bench``: medians of repeated runs, in milliseconds."""

from __future__ import annotations

import platform

import numpy as np

from hessianlens.timing import interleaved_median_ms, interleaved_ms, median_ms, spread, spread_ms

EXAMPLE3 = "sin(x0)**2 + sin(10 + x1*x0/2) * cos(x0)"
GRID = 512
# name -> (f, the view its fields are computed over): the window bench's functions.
FIELD_FUNCTIONS = {
    "Example 3": (EXAMPLE3, (0.5, 5.5, -1.0, 4.5)),
    "Rosenbrock": ("(1 - x)**2 + 100*(y - x**2)**2", (-2, 2, -1, 3)),
    "Himmelblau": ("(x**2 + y - 11)**2 + (x + y**2 - 7)**2", (-5, 5, -5, 5)),
    "Beale": ("(1.5 - x + x*y)**2 + (2.25 - x + x*y**2)**2 + (2.625 - x + x*y**3)**2",
              (-4.5, 4.5, -4.5, 4.5)),
    "polynomial": ("x**4 - 3*x**2*y + y**4/2 + 2*x*y - x + y**3/3", (-3, 3, -3, 3)),
}


def window_fields(objective, rect, broadcast: bool = True):
    """The fields the window's job computes for a view with every overlay on: the plane's
    GRID x GRID fields and the Newton field's arrows, their steps included."""
    from hessianlens.engine.fields import NEWTON_ARROWS, compute_fields

    arrows = compute_fields(objective, rect, NEWTON_ARROWS, broadcast=broadcast)
    return compute_fields(objective, rect, GRID, broadcast=broadcast), arrows.newton


def fields_over_f(repeat: int = 11) -> tuple[dict, dict]:
    """All grid fields against f alone at GRID x GRID, both on the row-by-column grid the
    window uses, interleaved: {name: ratio of the medians} and the times behind it."""
    from hessianlens.engine.fields import Rect, compute_value
    from hessianlens.engine.objective import objective_from_text

    ratios, detail = {}, {}
    for name, (text, view) in FIELD_FUNCTIONS.items():
        objective, rect = objective_from_text(text), Rect(*view)
        f_ms, fields_ms = interleaved_ms([lambda: compute_value(objective, rect, GRID),
                                          lambda: window_fields(objective, rect)],
                                         repeat)
        f_spread, fields_spread = spread(f_ms), spread(fields_ms)
        ratios[name] = round(fields_spread["median"] / f_spread["median"], 2)
        detail[name] = {"f_only_ms": f_spread, "all_fields_ms": fields_spread}
    return ratios, detail


def _basins_ms(objective, rule, rect) -> tuple[float, float]:
    """256 x 256 starts x up to 50 Newton steps: as the window runs it (tol 1e-6, starts drop
    out as they converge) and the worst case (tol 0: every start takes all 50 steps)."""
    from hessianlens.engine.basins import compute_basins

    return tuple(median_ms(lambda: compute_basins(objective, rule, rect, 256, max_steps=50,
                                                  tol=tol), repeat=3) for tol in (1e-6, 0.0))


def _sweep_ms(objective) -> dict:
    """Gradient descent from the write-up's start (3.1, 1.3) at 400 log-spaced rates x up to
    1,000 steps: as the window runs it (lr 1e-3..10, tol 1e-6: rows drop out as they converge
    or diverge) and the worst case (lr 1e-4..1, tol 0: every rate takes all 1,000 steps)."""
    from hessianlens.engine.rules import make_rule
    from hessianlens.engine.sweep import log_rates, sweep_rates

    gd = make_rule("gd")
    return {name: spread_ms(lambda: sweep_rates(objective, gd, (3.1, 1.3), log_rates(lo, hi, 400),
                                                max_steps=1000, tol=tol), repeat=7)
            for name, lo, hi, tol in (("window", 1e-3, 10.0, 1e-6), ("all_steps", 1e-4, 1.0, 0.0))}


def engine_benchmarks() -> dict:
    from hessianlens.engine.basins import compute_basins
    from hessianlens.engine.fields import Rect, compute_value
    from hessianlens.engine.objective import objective_from_text
    from hessianlens.engine.rules import make_rule
    from hessianlens.engine.trajectory import run
    from sympy.core.cache import clear_cache

    rect = Rect(-4, 4, -4, 4)
    objective = objective_from_text(EXAMPLE3)
    # Like for like, f and the fields evaluated at every sample (the unit of the ratio's
    # target); then as the window computes them, x-only terms once per column (broadcast).
    f_ms, fields_ms, f_grid_ms, fields_grid_ms = interleaved_median_ms([
        lambda: compute_value(objective, rect, GRID, broadcast=False),
        lambda: window_fields(objective, rect, broadcast=False),
        lambda: compute_value(objective, rect, GRID),
        lambda: window_fields(objective, rect)])

    rng = np.random.default_rng(0)
    pts = rng.uniform(-4, 4, size=(5, 2))
    per_point_ms = median_ms(lambda: [objective.numerical_at(p) for p in pts], repeat=3) / len(pts)
    nd_grid_ms = per_point_ms * GRID * GRID

    def build_cold():
        clear_cache()  # sympy memoizes diff: without this, every build after the first is free
        objective_from_text(EXAMPLE3)

    build_ms = median_ms(build_cold, repeat=5)
    newton = make_rule("newton")
    # A 100-step run: tol 0 never converges on a smooth function, so all 100 steps are taken.
    newton_ms = median_ms(lambda: run(objective, newton, (3.1, 2.2), max_steps=100, tol=0.0))
    basins_ms, basins_all_ms = _basins_ms(objective, newton, rect)
    # Newton's relatives with memory, as the window runs them (tol 1e-6): the line search's
    # extra evaluations (BFGS) and the rejected trials (trust region) cost on top of Newton's.
    relatives = {name: spread_ms(lambda r=make_rule(name): compute_basins(
        objective, r, rect, 256, max_steps=50), repeat=5) for name in ("bfgs", "trust-region")}
    ratios, ratio_detail = fields_over_f()
    return {
        "function": EXAMPLE3,
        "grid": f"{GRID}x{GRID}",
        "f_only_ms": round(f_ms, 2),
        "all_fields_ms": round(fields_ms, 2),
        "fields_over_f_ratio": round(fields_ms / f_ms, 2),
        "fields_over_f_target": 4,
        "fields_over_f": ratios,  # as the window computes them (row-by-column grid)
        "fields_over_f_detail": ratio_detail,
        "f_only_broadcast_ms": round(f_grid_ms, 2),
        "all_fields_broadcast_ms": round(fields_grid_ms, 2),
        "numdifftools_per_point_ms": round(per_point_ms, 3),
        "numdifftools_grid_extrapolated_ms": round(nd_grid_ms, 0),
        "exact_speedup_over_numdifftools": round(nd_grid_ms / fields_grid_ms, 0),  # as the window runs
        "speedup_target": 10_000,
        "build_objective_ms": round(build_ms, 2),
        "build_objective_target_ms": 300,
        "newton_100_steps_ms": round(newton_ms, 2),
        "newton_100_steps_target_ms": 20,
        "basins_newton_256x256_50_steps_ms": round(basins_ms, 1),
        "basins_newton_256x256_all_50_steps_ms": round(basins_all_ms, 1),
        "basins_target_ms": 1000,
        **{f"basins_{name.replace('-', '_')}_256x256_50_steps_ms": v
           for name, v in relatives.items()},
        "sweep_gd_400_rates_1000_steps_ms": _sweep_ms(objective),
        "sweep_target_ms": 1000,
    }


def scaling_benchmarks() -> dict:
    """The full quadratic sweep of the Dimensions tab: n = 2 to 4096, six methods, kappa 100;
    its total time (target 60 s), the time of every method at the largest n and Newton's
    crossovers."""
    from hessianlens.engine.ndim.sweep import SweepSettings, log_dims, run_sweep

    sweep = run_sweep(SweepSettings("quadratic", log_dims(2, 4096), kappa=100.0))
    top = max(sweep.settings.dims)
    return {
        "problem": "quadratic, kappa 100, tol 1e-6",
        "dims": f"{min(sweep.settings.dims)}..{top}",
        "sweep_s": round(sweep.seconds, 2),
        "sweep_target_s": 60,
        f"seconds_at_n_{top}": {r.method: round(r.seconds, 4) for r in sweep.runs if r.n == top},
        "not_converged": [f"{r.method} at n = {r.n}: {r.status}" for r in sweep.runs
                          if not r.converged],
        "newton_crossover_n": {c.method: (None if c.n_estimate is None else round(c.n_estimate))
                               for c in sweep.crossovers},
        "crossovers": [c.text for c in sweep.crossovers],
    }


def run_benchmarks(only: str | None = None, repeat: int = 3) -> dict:
    """All benchmark sections (or one), as a JSON-ready dict; repeat: the window's and the
    start-up's repeats."""
    from hessianlens.memory import keep_freed_memory

    # As the window runs (see hessianlens.memory): its fields are what the sections time.
    out = {"python": platform.python_version(), "machine": platform.machine(),
           "malloc_keeps_freed_memory": keep_freed_memory()}
    if only in (None, "engine"):
        out["engine"] = engine_benchmarks()
    if only in (None, "scaling"):
        out["scaling"] = scaling_benchmarks()
    if only in (None, "window"):
        try:
            from hessianlens.ui.bench_window import window_benchmarks
        except ImportError as exc:  # the window's benchmarks need Qt
            out["window"] = {"skipped": str(exc)}
        else:
            out["window"] = window_benchmarks(max(1, repeat), clicks=4 * max(1, repeat),
                                              plays=max(1, repeat))
    if only in (None, "startup"):
        from hessianlens.ui.bench_startup import startup_benchmarks

        out["startup"] = startup_benchmarks(runs=max(1, repeat))
    if only in (None, "surface"):
        try:
            from hessianlens.ui.surface.bench_surface import surface_benchmarks
        except ImportError as exc:  # the 3D view's benchmarks need Qt
            out["surface"] = {"skipped": str(exc)}
        else:
            out["surface"] = surface_benchmarks()
    return out
