"""Presets (functions with their view, start point and learning rates) from resources/presets.json."""

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


def _preset(d: dict) -> Preset:
    return Preset(str(d["name"]), str(d["function"]), Rect(*(float(v) for v in d["view"])),
                  (float(d["start"][0]), float(d["start"][1])),
                  {str(k): float(v) for k, v in d.get("learning_rates", {}).items()},
                  str(d.get("note", "")))


def load_presets() -> tuple[Preset, ...]:
    """Every preset, in menu order."""
    return tuple(_preset(d) for d in read_json("presets.json")["presets"])


def default_preset() -> Preset:
    """The opening state: the write-up's Example 3."""
    name = read_json("presets.json")["default"]
    return next(p for p in load_presets() if p.name == name)
