"""What the command line's subcommands share: argument types, the user-error exception, the
function parser and method parameters (--param NAME=VALUE), checked against the registry."""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path

EXIT_USAGE = 2


class CliError(Exception):
    """A user error on the command line: printed to stderr, exit code 2."""


def finite_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(v):
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return v


def positive_float(text: str) -> float:
    v = finite_float(text)
    if v <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return v


def steps(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= n <= 100_000:
        raise argparse.ArgumentTypeError(f"must be between 0 and 100000: {text!r}")
    return n


def grid(text: str) -> int:
    n = steps(text)
    if not 2 <= n <= 2048:
        raise argparse.ArgumentTypeError(f"must be between 2 and 2048: {text!r}")
    return n


def point(text: str) -> tuple[float, float]:
    """'X,Y' -> (x, y), finite."""
    parts = text.split(",")
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"expected X,Y (two numbers), got {text!r}")
    return finite_float(parts[0].strip()), finite_float(parts[1].strip())


def plane_range(text: str):
    """'XMIN,XMAX,YMIN,YMAX' -> Rect, within the usable range (the model's check)."""
    from hessianlens.engine.fields import Rect

    parts = text.split(",")
    if len(parts) != 4:
        raise argparse.ArgumentTypeError(f"expected XMIN,XMAX,YMIN,YMAX (four numbers), got "
                                         f"{text!r}")
    try:
        return Rect(*(finite_float(p.strip()) for p in parts))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def out_path(text: str, suffixes: tuple[str, ...], note: str = "") -> Path:
    """An --out file, checked before any work: its name ends in one of ``suffixes`` (any
    case), it names a file and not a folder ('a.png/' was written as a.png; an existing
    folder a.png was found only after the whole computation), and its folder exists."""
    path = Path(text)
    if text.endswith(("/", os.sep)) or path.is_dir():
        raise CliError(f"cannot write {text}: that is a folder, not a file name")
    if path.suffix.lower() not in suffixes:
        raise CliError(f"--out must end in {', '.join(suffixes)}{note}: {text}")
    if not path.parent.is_dir():
        raise CliError(f"cannot write {text}: no such folder {path.parent}")
    return path


def parse_function(text: str, build=None):
    """build(text) (default: build_objective, in a worker process with a time limit), its
    ExpressionError as a CliError."""
    from hessianlens.engine.build import build_objective
    from hessianlens.engine.expression import ExpressionError

    try:
        return (build or build_objective)(text)
    except ExpressionError as exc:
        raise CliError(f"error in the function: {exc.message}\n{exc.caret()}") from None


def add_param_option(parser: argparse.ArgumentParser, example: str = "learning_rate=0.5") -> None:
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help=f"a parameter of the method, e.g. {example} (repeatable; the "
                             f"methods and their parameters are listed below)")


def params_epilog() -> str:
    """Every registered method with its parameters, for the end of --help."""
    from hessianlens.engine.rules import RULES

    lines = ["methods and their parameters (--param NAME=VALUE):"]
    for name, cls in RULES.items():
        params = ", ".join(f"{p.name} = {p.default} ({p.describe()})" for p in cls.params)
        lines.append(f"  {name}: {params or 'none'}")
    return "\n".join(lines)


def rule_params(method: str, assignments, learning_rate: float | None = None) -> dict:
    """The parameters a method gets from ``--param NAME=VALUE`` options (and --lr), each
    checked by the rule's own Param; CliError naming the valid names or values otherwise."""
    from hessianlens.engine.params import parse_assignment
    from hessianlens.engine.rules import rule_class

    try:
        cls = rule_class(method)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    known = {p.name: p for p in cls.params}
    values = {}
    for text in assignments:
        try:
            name, value = parse_assignment(text)
            if name not in known:
                raise ValueError(f"method '{method}' has no parameter '{name}'; its "
                                 f"parameters: {', '.join(known) or 'none'}")
            values[name] = known[name].parse(value)
        except ValueError as exc:
            raise CliError(f"--param {text}: {exc}") from None
    if learning_rate is not None:
        if "learning_rate" in values:
            raise CliError("give --lr or --param learning_rate=..., not both")
        if "learning_rate" not in known:
            raise CliError(f"--lr: method '{method}' has no learning rate; its parameters: "
                           f"{', '.join(known) or 'none'}")
        try:
            values["learning_rate"] = known["learning_rate"].validate(learning_rate)
        except ValueError as exc:
            raise CliError(f"--lr: {exc}") from None
    return values
