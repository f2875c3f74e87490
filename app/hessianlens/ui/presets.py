"""Presets (functions with their view, start point, methods and their parameters, view
options, a note and the claims the note makes) from resources/presets.json.

An entry has name, function, view [xmin, xmax, ymin, ymax], start [x, y] and a note, and may
have "learning_rates" {method: lr} (short for {"learning_rate": lr} in "params"), "params"
{method: {parameter: value}}, "methods" [names]: the methods switched on (the others off;
without it the enabled methods stay as they are), "equal_aspect" and "log_colour".

Every number a note states about a run is also written as a claim (``claims``: where a method
ends, in how many steps, its first step...), which tests/test_presets.py checks against a trace:
a note cannot drift from what the program shows.
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
    methods: tuple[str, ...] = ()  # the methods switched on; () adds the note's to those on

    def method_params(self) -> dict[str, dict]:
        """Every method's parameter changes: "params" with the learning rates merged in."""
        out = {m: {"learning_rate": lr} for m, lr in self.learning_rates.items()}
        for m, values in self.params.items():
            out[m] = {**out.get(m, {}), **values}
        return out
    equal_aspect: bool = True  # one unit of x as long as one of y (every preset's range allows)
    log_colour: bool = False  # f's colours on a log scale (Rosenbrock, Beale)
    claims: tuple = ()  # dicts: see tests/test_presets.py

    @property
    def noted_methods(self) -> tuple[str, ...]:
        """The methods the note speaks of: those its claims check, in order."""
        return tuple(dict.fromkeys(c["method"] for c in self.claims if "method" in c))

    def methods_on(self, session) -> tuple[str, ...]:
        """The methods on once this preset is loaded into the session: its own list, or
        those on now with the ones its note speaks of (Rosenbrock's gradient descent after
        the Relatives preset switched it off)."""
        now = (m.name for m in session.enabled_methods())
        return self.methods or tuple(dict.fromkeys((*self.noted_methods, *now)))

    @property
    def view_options(self) -> dict:
        return {"equal_aspect": self.equal_aspect, "log_colour": self.log_colour}

    @property
    def headline(self) -> str:
        """The note's first sentence, cut at a word to HEADLINE_CHARS: the status bar's
        short version of the note (the whole note shows in the inspector)."""
        return headline(self.note)


HEADLINE_CHARS = 90


def headline(text: str, limit: int = HEADLINE_CHARS) -> str:
    """The first sentence of text (up to ". " before a capital), cut at a word to limit."""
    first = text.strip()
    for i in range(len(first) - 2):
        if first[i] == "." and first[i + 1] == " " and first[i + 2].isupper():
            first = first[:i + 1]
            break
    if len(first) <= limit:
        return first
    cut = first[:limit - 1].rsplit(" ", 1)[0]
    if cut.count("(") > cut.count(")"):  # no parenthesis left open
        cut = cut.rsplit(" (", 1)[0]
    return cut.rstrip(",;:") + "\u2026"


def _preset(d: dict) -> Preset:
    return Preset(str(d["name"]), str(d["function"]), Rect(*(float(v) for v in d["view"])),
                  (float(d["start"][0]), float(d["start"][1])),
                  {str(k): float(v) for k, v in d.get("learning_rates", {}).items()},
                  str(d.get("note", "")),
                  {str(m): dict(v) for m, v in d.get("params", {}).items()},
                  tuple(str(m) for m in d.get("methods", ())),
                  bool(d.get("equal_aspect", True)), bool(d.get("log_colour", False)),
                  tuple(d.get("claims", ())))


def load_presets() -> tuple[Preset, ...]:
    """Every preset, in menu order."""
    return tuple(_preset(d) for d in read_json("presets.json")["presets"])


def default_preset() -> Preset:
    """The opening state: the write-up's Example 3."""
    name = read_json("presets.json")["default"]
    return next(p for p in load_presets() if p.name == name)
