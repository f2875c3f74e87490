"""Session files (``.hlens.json``): plain data, validated field by field; loading runs nothing.

The function text inside goes through the same parser as the editor.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import asdict, dataclass

from hessianlens.engine.expression import ExpressionError, parse_expression
from hessianlens.engine.fields import Rect
from hessianlens.files import write_text_atomic

FORMAT = "hessianlens-session"
VERSION = 1
SUFFIX = ".hlens.json"
MAX_BYTES = 10 * 1024 * 1024
MAX_STEPS = 100_000
OVERLAYS = ("determinant", "newton_field", "curvature", "quadratic_model")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


class SessionFileError(ValueError):
    """A session file that cannot be opened, with one plain message."""


@dataclass(frozen=True)
class MethodConfig:
    """One method of the methods panel: a rule name of engine.steps.RULES and its settings."""

    name: str
    enabled: bool = True
    learning_rate: float = 0.1
    max_steps: int = 100
    tol: float = 1e-6
    colour: str = "#d62728"


@dataclass(frozen=True)
class SessionState:
    """Everything a session file holds."""

    function: str
    view: Rect
    start: tuple[float, float]
    methods: tuple[MethodConfig, ...]
    overlays: tuple[str, ...] = ()
    step: int = 0
    selected_method: str = ""

    def to_dict(self) -> dict:
        v = self.view
        return {
            "format": FORMAT,
            "version": VERSION,
            "function": self.function,
            "view": {"xmin": v.xmin, "xmax": v.xmax, "ymin": v.ymin, "ymax": v.ymax},
            "start": list(self.start),
            "methods": [asdict(m) for m in self.methods],
            "overlays": list(self.overlays),
            "step": self.step,
            "selected_method": self.selected_method,
        }


def _fail(message: str):
    raise SessionFileError(message)


def _number(value, where: str, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _fail(f"{where} must be a number, not {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        _fail(f"{where} must be a finite number")
    if positive and value <= 0:
        _fail(f"{where} must be positive")
    return value


def _integer(value, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(f"{where} must be a whole number")
    if not low <= value <= high:
        _fail(f"{where} must be between {low} and {high}")
    return value


def _mapping(value, where: str, keys: tuple[str, ...]) -> dict:
    if not isinstance(value, dict):
        _fail(f"{where} must be an object")
    missing = [k for k in keys if k not in value]
    if missing:
        _fail(f"{where} lacks {', '.join(missing)}")
    return value


def _method(value, i: int) -> MethodConfig:
    from hessianlens.engine.rules import RULES

    where = f"methods[{i}]"
    m = _mapping(value, where, ("name", "enabled", "learning_rate", "max_steps", "tol", "colour"))
    if m["name"] not in RULES:
        _fail(f"{where}: unknown method {str(m['name'])[:40]!r}")
    if not isinstance(m["enabled"], bool):
        _fail(f"{where}.enabled must be true or false")
    if not isinstance(m["colour"], str) or not _COLOUR.fullmatch(m["colour"]):
        _fail(f"{where}.colour must look like #1f77b4")
    return MethodConfig(m["name"], m["enabled"],
                       _number(m["learning_rate"], f"{where}.learning_rate", positive=True),
                       _integer(m["max_steps"], f"{where}.max_steps", 0, MAX_STEPS),
                       _number(m["tol"], f"{where}.tol", positive=True), m["colour"])


def session_from_dict(data) -> SessionState:
    """Validate a decoded session file; raise SessionFileError on the first problem."""
    d = _mapping(data, "the file", ("format", "version", "function", "view", "start", "methods"))
    if d["format"] != FORMAT:
        _fail("this is not a Hessian Lens session file")
    if d["version"] != VERSION:
        _fail(f"unknown session file version {str(d['version'])[:20]} (this program reads "
              f"version {VERSION})")
    if not isinstance(d["function"], str):
        _fail("the function must be text")
    try:
        parse_expression(d["function"])
    except ExpressionError as exc:
        _fail(f"the function in the file is not acceptable: {exc.message}")
    v = _mapping(d["view"], "view", ("xmin", "xmax", "ymin", "ymax"))
    xmin, xmax, ymin, ymax = (_number(v[k], f"view.{k}") for k in ("xmin", "xmax", "ymin", "ymax"))
    if not (xmin < xmax and ymin < ymax):
        _fail("view must have xmin < xmax and ymin < ymax")
    start = d["start"]
    if not isinstance(start, list) or len(start) != 2:
        _fail("start must be a list of two numbers")
    start = (_number(start[0], "start[0]"), _number(start[1], "start[1]"))
    if not isinstance(d["methods"], list) or not 1 <= len(d["methods"]) <= 32:
        _fail("methods must be a list of 1 to 32 methods")
    methods = tuple(_method(m, i) for i, m in enumerate(d["methods"]))
    if len({m.name for m in methods}) != len(methods):
        _fail("methods lists a method twice")
    overlays = d.get("overlays", [])
    if not isinstance(overlays, list) or any(o not in OVERLAYS for o in overlays):
        _fail(f"overlays must be a list of: {', '.join(OVERLAYS)}")
    step = _integer(d.get("step", 0), "step", 0, MAX_STEPS)
    selected = d.get("selected_method", "")
    if not isinstance(selected, str) or (selected and selected not in {m.name for m in methods}):
        _fail("selected_method must name one of the methods")
    return SessionState(d["function"], Rect(xmin, xmax, ymin, ymax), start, methods,
                        tuple(dict.fromkeys(overlays)), step, selected)


def load_session(path: str | os.PathLike) -> SessionState:
    """Read and validate a session file; every failure is one SessionFileError."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        _fail(f"cannot read {os.fspath(path)}: {exc.strerror or exc}")
    if len(raw) > MAX_BYTES:
        _fail("the file is larger than 10 MB: not a session file")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        _fail("the file is not text (UTF-8): not a session file")
    except (json.JSONDecodeError, RecursionError) as exc:
        msg = getattr(exc, "msg", "too deeply nested")
        _fail(f"the file is not valid JSON ({msg}); it may be truncated")
    return session_from_dict(data)


def save_session(path: str | os.PathLike, state: SessionState) -> None:
    """Write the session atomically (the previous file survives an interrupted write)."""
    write_text_atomic(path, json.dumps(state.to_dict(), indent=2, allow_nan=False) + "\n")
