"""``hessianlens rates``: the learning rates the Hessian suggests at a point, and the true
minima along -grad f and along the Newton step."""

from __future__ import annotations

import json
import sys

from hessianlens.cli_args import parse_function, point


def add_parser(sub) -> None:
    """The ``rates`` subcommand."""
    p = sub.add_parser("rates", help="the learning rates the Hessian suggests at a point "
                                     "(Cauchy, 1/lambda_max, 2/(lambda_min + lambda_max), the "
                                     "stability edge, the true line minima)")
    p.add_argument("--function", required=True, help="f(x, y), e.g. 'x**2 + 10*y**2'")
    p.add_argument("--at", required=True, type=point, help="the point X,Y")
    p.add_argument("--format", choices=("json", "text"), default="json")


def _text(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    return str(value)


def cmd_rates(args) -> int:
    from hessianlens.engine.rates import rates_at

    out = rates_at(parse_function(args.function), args.at).as_dict()
    if args.format == "json":
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
    else:
        sys.stdout.write("".join(f"{k}: {_text(v)}\n" for k, v in out.items()))
    return 0
