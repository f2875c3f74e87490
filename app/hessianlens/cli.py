"""Command line: no arguments opens the window; subcommands trace, bench."""

from __future__ import annotations

import argparse
import json
import math
import re
import sys

from hessianlens import __version__

EXIT_USAGE = 2


class CliError(Exception):
    """A user error on the command line: printed to stderr, exit code 2."""


def _finite_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(v):
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return v


def _positive_float(text: str) -> float:
    v = _finite_float(text)
    if v <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return v


def _steps(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= n <= 100_000:
        raise argparse.ArgumentTypeError(f"must be between 0 and 100000: {text!r}")
    return n


def point(text: str) -> tuple[float, float]:
    """'X,Y' -> (x, y), finite."""
    parts = text.split(",")
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"expected X,Y (two numbers), got {text!r}")
    return _finite_float(parts[0].strip()), _finite_float(parts[1].strip())


def build_parser() -> argparse.ArgumentParser:
    from hessianlens.engine.steps import RULES

    parser = argparse.ArgumentParser(
        prog="hessianlens",
        description="See why the Hessian gives the optimal learning rate, and when it betrays "
                    "you. With no command, opens the window.")
    parser.add_argument("--version", action="version", version=f"hessianlens {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    trace = sub.add_parser("trace", help="run gradient descent or Newton from a start point "
                                         "and print every iterate")
    trace.add_argument("--function", required=True, help="f(x, y), e.g. 'x**2 + 3*y**2'")
    trace.add_argument("--start", required=True, type=point, help="start point X,Y")
    trace.add_argument("--method", required=True, choices=sorted(RULES))
    trace.add_argument("--lr", type=_positive_float, default=None,
                       help="learning rate (default: 0.1 for gd, 1 for newton)")
    trace.add_argument("--steps", type=_steps, default=100, help="maximum steps (default 100)")
    trace.add_argument("--tol", type=_positive_float, default=1e-6,
                       help="stop when |grad f| < TOL (default 1e-6)")
    trace.add_argument("--format", choices=("json", "csv"), default="json")

    bench = sub.add_parser("bench", help="measure the engine (and the window) and print JSON")
    bench.add_argument("--only", choices=("engine", "window"), default=None,
                       help="run one section only")
    return parser


def _parse_function(text: str):
    from hessianlens.engine.expression import ExpressionError
    from hessianlens.engine.objective import objective_from_text

    try:
        return objective_from_text(text)
    except ExpressionError as exc:
        raise CliError(f"error in the function: {exc.message}\n{exc.caret()}") from None


def cmd_trace(args) -> int:
    from hessianlens.engine.serialize import trajectory_to_csv, trajectory_to_json
    from hessianlens.engine.steps import make_rule
    from hessianlens.engine.trajectory import run

    objective = _parse_function(args.function)
    rule = make_rule(args.method, args.lr)
    traj = run(objective, rule, args.start, max_steps=args.steps, tol=args.tol)
    if args.format == "json":
        sys.stdout.write(trajectory_to_json(traj, args.function) + "\n")
    else:
        sys.stdout.write(trajectory_to_csv(traj))
    return 0


def cmd_bench(args) -> int:
    from hessianlens.bench import run_benchmarks

    sys.stdout.write(json.dumps(run_benchmarks(args.only), indent=2) + "\n")
    return 0


def open_window(argv) -> int:
    from hessianlens.ui.app import run_app

    return run_app(argv)


COMMANDS = {"trace": cmd_trace, "bench": cmd_bench}

_OPTION = re.compile(r"--?[A-Za-z][\w-]*(=.*)?")


def _attach_dash_values(argv: list[str]) -> list[str]:
    """Turn ``--start -3,-3`` into ``--start=-3,-3``.

    argparse takes a value starting with '-' for an option (only a bare '-3' passes), which
    breaks negative start points and functions like '-x**2 + y'.
    """
    out: list[str] = []
    for arg in argv:
        if out and out[-1].startswith("--") and "=" not in out[-1] and arg.startswith("-") \
                and not _OPTION.fullmatch(arg):
            out[-1] = f"{out[-1]}={arg}"
        else:
            out.append(arg)
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:
        return open_window(argv)
    args = build_parser().parse_args(_attach_dash_values(argv))
    if args.command is None:
        return open_window([])
    try:
        return COMMANDS[args.command](args)
    except CliError as exc:
        sys.stderr.write(f"hessianlens {args.command}: {exc}\n")
        return EXIT_USAGE
