"""Presets (functions with their view, start point, methods and their parameters) from
resources/presets.json.

An entry has name, function, view [xmin, xmax, ymin, ymax], start [x, y] and a note, and may
have "learning_rates" {method: lr} (short for {"learning_rate": lr} in "params"), "params"
{method: {parameter: value}} and "methods" [names]: the methods switched on (the others off);
without it the enabled methods stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hessianlens.engine.fields import Rect
from hessianlens.resources import read_json


@dataclass(frozen=True)
class Preset:
    """One entry of the Presets menu."""

    name: str
    function: str
    rect: Rect
    start: tuple[float, float]
    learning_rates: dict = field(default_factory=dict)
    note: str = ""
    params: dict = field(default_factory=dict)  # method -> {parameter: value}
    methods: tuple[str, ...] = ()  # the methods switched on; () leaves them as they are

    def method_params(self) -> dict[str, dict]:
        """Every method's parameter changes: "params" with the learning rates merged in."""
        out = {m: {"learning_rate": lr} for m, lr in self.learning_rates.items()}
        for m, values in self.params.items():
            out[m] = {**out.get(m, {}), **values}
        return out


def _preset(d: dict) -> Preset:
    return Preset(str(d["name"]), str(d["function"]), Rect(*(float(v) for v in d["view"])),
                  (float(d["start"][0]), float(d["start"][1])),
                  {str(k): float(v) for k, v in d.get("learning_rates", {}).items()},
                  str(d.get("note", "")),
                  {str(m): dict(v) for m, v in d.get("params", {}).items()},
                  tuple(str(m) for m in d.get("methods", ())))


def load_presets() -> tuple[Preset, ...]:
    """Every preset, in menu order."""
    return tuple(_preset(d) for d in read_json("presets.json")["presets"])


def default_preset() -> Preset:
    """The opening state: the write-up's Example 3."""
    name = read_json("presets.json")["default"]
    return next(p for p in load_presets() if p.name == name)
