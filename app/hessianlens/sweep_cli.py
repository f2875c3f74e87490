"""``hessianlens sweep``: one method from one start at N log-spaced learning rates at once."""

from __future__ import annotations

import argparse
import json
import sys

from hessianlens.cli_args import (CliError, add_param_option, finite_float, params_epilog,
                                  parse_function, point, positive_float, rule_params, steps)


def rate_range(text: str) -> tuple[float, float]:
    """'A,B' -> (A, B), two learning rates with A < B within the learning rate's bounds."""
    from hessianlens.engine.rules.base import LEARNING_RATE_BOUNDS

    parts = text.split(",")
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"expected LOW,HIGH (two rates), got {text!r}")
    low, high = (finite_float(p.strip()) for p in parts)
    lo, hi = LEARNING_RATE_BOUNDS
    if not lo <= low < high <= hi:
        raise argparse.ArgumentTypeError(f"need {lo:g} <= LOW < HIGH <= {hi:g}, got {text!r}")
    return low, high


def count(text: str) -> int:
    from hessianlens.engine.sweep import MAX_RATES

    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 2 <= n <= MAX_RATES:
        raise argparse.ArgumentTypeError(f"must be between 2 and {MAX_RATES}: {text!r}")
    return n


def add_parser(sub) -> None:
    """The ``sweep`` subcommand."""
    from hessianlens.engine.rules import RULES

    p = sub.add_parser("sweep", help="run a method from one start at N log-spaced learning "
                                     "rates and report how each run ends",
                       epilog=params_epilog(),
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--function", required=True, help="f(x, y), e.g. 'x**2 + 10*y**2'")
    p.add_argument("--start", required=True, type=point, help="start point X,Y")
    p.add_argument("--method", required=True, choices=sorted(RULES))
    p.add_argument("--lr-range", required=True, type=rate_range, metavar="LOW,HIGH",
                   help="the lowest and highest learning rate, e.g. 1e-3,10")
    p.add_argument("--num", required=True, type=count, help="how many rates (log-spaced)")
    add_param_option(p, "another parameter of the method (its learning rate is swept)")
    p.add_argument("--steps", type=steps, default=1000, help="maximum steps (default 1000)")
    p.add_argument("--tol", type=positive_float, default=1e-6,
                   help="converged when |grad f| < TOL (default 1e-6)")
    p.add_argument("--format", choices=("json",), default="json")


def cmd_sweep(args) -> int:
    from hessianlens.engine.rules import make_rule
    from hessianlens.engine.sweep import check_sweepable, log_rates, sweep_rates, sweep_to_dict

    params = rule_params(args.method, args.param)
    if "learning_rate" in params:
        raise CliError("the sweep sets learning_rate itself: give its range with --lr-range")
    rule = make_rule(args.method, **params)
    try:
        check_sweepable(rule)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    objective = parse_function(args.function)
    result = sweep_rates(objective, rule, args.start, log_rates(*args.lr_range, args.num),
                         max_steps=args.steps, tol=args.tol)
    sys.stdout.write(json.dumps(sweep_to_dict(result, args.function), indent=2) + "\n")
    return 0
