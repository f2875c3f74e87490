"""Parameters of step rules and overlays: one declaration read by the panels, the command line
and the session files alike (no Qt, no numpy)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

FLOAT, INT, CHOICE, BOOL = "float", "int", "choice", "bool"
KINDS = (FLOAT, INT, CHOICE, BOOL)


@dataclass(frozen=True)
class Param:
    """One parameter: its name, default, valid range or choices, and what it means.

    ``bounds`` (low, high) are inclusive and apply to float and int parameters; ``log`` says
    the value spans orders of magnitude (a panel steps it by factors, not by sums).
    ``choices`` lists the strings a choice parameter takes, or is a function returning them
    (the registered rules, say, which change at run time).
    """

    name: str
    default: float | int | str | bool
    bounds: tuple[float, float] = (-math.inf, math.inf)
    log: bool = False
    help: str = ""
    kind: str = FLOAT
    choices: tuple[str, ...] | Callable[[], tuple[str, ...]] = ()
    label: str = ""  # shown beside the editor; default: the name in words
    short: str = ""  # shown in legends, e.g. "lr"; default: the name

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown parameter kind {self.kind!r}")

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()

    @property
    def abbreviation(self) -> str:
        return self.short or self.name

    def options(self) -> tuple[str, ...]:
        """The valid strings of a choice parameter."""
        return tuple(self.choices() if callable(self.choices) else self.choices)

    def describe(self) -> str:
        """The valid values in words: 'a number from 1e-06 to 1000', 'one of: a, b'."""
        if self.kind == CHOICE:
            return "one of: " + ", ".join(repr(c) for c in self.options())
        if self.kind == BOOL:
            return "true or false"
        low, high = self.bounds
        what = "a whole number" if self.kind == INT else "a number"
        if math.isinf(low) and math.isinf(high):
            return f"{what}"
        return f"{what} from {low:g} to {high:g}"

    def validate(self, value):
        """The value as this parameter's type; ValueError naming the valid values otherwise."""
        bad = ValueError(f"{self.name} must be {self.describe()}, not {shown(value)}")
        if self.kind == CHOICE:
            if not isinstance(value, str) or value not in self.options():
                raise bad
            return value
        if self.kind == BOOL:
            if not isinstance(value, bool):
                raise bad
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad
        if self.kind == INT:
            if isinstance(value, float):
                if not value.is_integer():
                    raise bad
                value = int(value)
        else:
            try:
                value = float(value)
            except OverflowError:  # an int too large for a float
                raise bad from None
            if not math.isfinite(value):
                raise bad
        low, high = self.bounds
        if not low <= value <= high:
            raise bad
        return value

    def parse(self, text: str):
        """A value typed on the command line ('0.5', '10', 'hessian', 'true'), validated."""
        text = text.strip()
        if self.kind in (FLOAT, INT):
            try:
                value = int(text) if self.kind == INT else float(text)
            except ValueError:
                raise ValueError(f"{self.name} must be {self.describe()}, not {text!r}") from None
            return self.validate(value)
        if self.kind == BOOL:
            words = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
            if text.lower() not in words:
                raise ValueError(f"{self.name} must be true or false, not {text!r}")
            return words[text.lower()]
        return self.validate(text)


def shown(value) -> str:
    """A value for an error message, cut short (an int of 5,000 digits has no str)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return "a number too large"
    try:
        text = repr(value)
    except ValueError:
        text = type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."


def resolve(params: tuple[Param, ...], values: Mapping, owner: str) -> dict:
    """Every parameter's value: the given ones validated, the others at their defaults.

    Raises ValueError for a name that is not a parameter (naming the valid ones) or an
    invalid value (naming the valid range or choices).
    """
    known = {p.name: p for p in params}
    unknown = [n for n in values if n not in known]
    if unknown:
        valid = ", ".join(known) or "none"
        raise ValueError(f"{owner} has no parameter {str(unknown[0])[:40]!r}; its parameters: "
                         f"{valid}")
    return {p.name: p.validate(values[p.name]) if p.name in values else p.default
            for p in params}


def parse_assignment(text: str) -> tuple[str, str]:
    """'NAME=VALUE' -> (NAME, VALUE); ValueError when there is no '='."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise ValueError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value.strip()
