"""``hessianlens scaling``: every method at every n on one problem, measured, as JSON or CSV."""

from __future__ import annotations

import argparse
import json

from hessianlens.cli_args import CliError, positive_float, steps as whole_number
from hessianlens.engine.ndim.methods import DEFAULT_METHODS, METHODS
from hessianlens.engine.ndim.problems import PROBLEMS
from hessianlens.engine.ndim.run import DEFAULT_MAX_ITER, DEFAULT_TOL
from hessianlens.output import write_out


def _int_list(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected whole numbers separated by commas, got "
                                         f"{text!r}") from None
    if not values:
        raise argparse.ArgumentTypeError("give at least one n")
    return values


def _names(text: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in text.split(",") if v.strip())


def add_parser(sub) -> None:
    p = sub.add_parser("scaling", help="measure gradient descent, heavy ball, Newton, BFGS, "
                                       "L-BFGS and Newton-CG against the dimension n")
    p.add_argument("--problem", required=True, choices=PROBLEMS,
                   help="quadratic (condition number --kappa), extended Rosenbrock, or logistic "
                        "regression on the breast cancer data (n = 31)")
    p.add_argument("--dims", type=_int_list, default=(2, 16, 128, 1024),
                   help="dimensions n, comma-separated (default 2,16,128,1024; ignored for "
                        "logistic)")
    p.add_argument("--kappa", type=positive_float, default=100.0,
                   help="condition number of the quadratic (default 100)")
    p.add_argument("--negatives", type=whole_number, default=0,
                   help="negative eigenvalues of the quadratic (default 0): its stationary "
                        "point is then a saddle")
    p.add_argument("--methods", type=_names, default=DEFAULT_METHODS,
                   help=f"comma-separated, from {','.join(METHODS)} (default "
                        f"{','.join(DEFAULT_METHODS)})")
    p.add_argument("--tol", type=positive_float, default=DEFAULT_TOL,
                   help="stop when |grad f| <= TOL max(1, |grad f(x0)|) (default 1e-6)")
    p.add_argument("--max-iter", type=whole_number, default=DEFAULT_MAX_ITER,
                   help=f"iterations per run (default {DEFAULT_MAX_ITER})")
    p.add_argument("--seed", type=whole_number, default=0,
                   help="seed of the quadratic's spectrum and rotation, Rosenbrock's start")
    p.add_argument("--blas-threads", type=whole_number, default=1,
                   help="BLAS threads while measuring (default 1, so that times compare the "
                        "methods; 0: the library's own choice)")
    p.add_argument("--format", choices=("json", "csv"), default="json")


def cmd_scaling(args) -> int:
    from hessianlens.engine.ndim.serialize import runs_to_csv, sweep_to_dict
    from hessianlens.engine.ndim.sweep import SweepSettings, run_sweep

    settings = SweepSettings(args.problem, args.dims, args.methods, args.kappa, args.negatives,
                             args.tol, args.max_iter, args.seed, args.blas_threads)
    try:
        settings = settings.validated()
    except ValueError as exc:
        raise CliError(str(exc)) from None
    sweep = run_sweep(settings)
    if args.format == "json":
        write_out(json.dumps(sweep_to_dict(sweep), indent=2) + "\n")
    else:
        write_out(runs_to_csv(sweep))
    return 0
