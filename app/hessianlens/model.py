"""The whole state of a session as one frozen, Qt-free data model, and its validation.

Session files, the window's remembered settings and ``hessianlens export`` read and write it;
``ui.session.Session`` holds one and applies every change by replacing it. A model is valid
by construction (ValueError otherwise); :func:`state_from_dict` checks decoded JSON field by
field and says what is wrong in one :class:`StateError` (text is never evaluated: the
function is checked by the parser where the file is read).
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field, replace

from hessianlens.engine.fields import MAX_COORDINATE, Rect
from hessianlens.engine.params import resolve, shown
from hessianlens.engine.rules import RULES, rule_class
from hessianlens.overlay_specs import OVERLAYS
from hessianlens.page_states import ONESTEP_PARAMS, SWEEP_PARAMS, OneStepState, SweepState

FORMAT = "hessianlens-session"
VERSION = 2  # 2: methods keep all their parameters; overlay settings, view options, 1D page
# (and, optional within version 2, the Sweep dock's settings)
READS = (1, 2)
MAX_STEPS = 100_000
MAX_METHODS = 32
# The tolerances a session holds: the Methods panel's range (a file's 1e-300 was shown
# there as 1e-15 while the runs used 1e-300).
TOL_RANGE = (1e-15, 1.0)
# Colours of the methods, in RULES order: the one table of method colours. Saturated blues,
# reds, oranges and pinks that no overlay uses (the overlays keep to greens, purples, tans and
# greys: tests/test_colours.py checks every entry against them, at least 25 CIE76 units away,
# and 18 from each other), so a colour on the plane names one method.
PALETTE = ("#1f77b4", "#d62728", "#ff7f0e", "#e377c2", "#17becf", "#0b3d91", "#ff1493",
           "#8b0000", "#00bfff", "#c71585", "#4169e1", "#ffa07a", "#ff4500", "#b03060")
OPENING_RATES = {"gd": 0.5, "newton": 1.0}  # the write-up's Example 3
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_CONFIG_FIELDS = ("enabled", "max_steps", "tol", "colour")


class StateError(ValueError):
    """Data that is not a valid session state, with one plain message."""


def _fail(message: str):
    raise StateError(message)


@dataclass(frozen=True)
class MethodConfig:
    """One method of the session: a registered rule, its parameters and its run settings."""

    name: str
    enabled: bool = True
    params: dict = field(default_factory=dict)  # every parameter of the rule (defaults filled)
    max_steps: int = 100
    tol: float = 1e-6
    colour: str = "#d62728"

    def __post_init__(self):
        # The rule validates its parameters (ValueError naming the valid ones).
        object.__setattr__(self, "params", dict(rule_class(self.name)(**self.params).values))
        if not (isinstance(self.colour, str) and _COLOUR.fullmatch(self.colour)):
            raise ValueError(f"colour must look like #1f77b4, not {str(self.colour)[:20]!r}")

    @property
    def learning_rate(self) -> float:
        """The learning-rate parameter (NaN for a rule without one)."""
        return float(self.params.get("learning_rate", math.nan))

    def changed(self, **changes) -> MethodConfig:
        """A copy with fields and parameters changed: changed(learning_rate=0.1, tol=1e-8)."""
        fields_ = {k: v for k, v in changes.items() if k in _CONFIG_FIELDS}
        params = {k: v for k, v in changes.items() if k not in _CONFIG_FIELDS}
        return MethodConfig(self.name, **{**self._fields(), **fields_},
                            params={**self.params, **params})

    def _fields(self) -> dict:
        return {k: getattr(self, k) for k in _CONFIG_FIELDS}


def _point(p) -> tuple[float, float]:
    """A start point: two finite numbers within the usable plane."""
    try:
        x, y = (float(v) for v in p)
    except (TypeError, ValueError, OverflowError):
        raise ValueError("start must be two numbers") from None
    if not (math.isfinite(x) and math.isfinite(y)) or max(abs(x), abs(y)) > MAX_COORDINATE:
        raise ValueError(f"start must be two finite numbers within -{MAX_COORDINATE:g} and "
                         f"{MAX_COORDINATE:g}")
    return x, y


@dataclass(frozen=True)
class SessionState:
    """Everything a session holds: function, view, start, methods, overlays and their
    settings, view options, the 1D page, the playback step and the selected method."""

    function: str
    view: Rect
    start: tuple[float, float]
    methods: tuple[MethodConfig, ...]
    overlays: tuple[str, ...] = ()  # switched on, in registry order
    step: int = 0
    selected_method: str = ""
    overlay_settings: dict = field(default_factory=dict)  # overlay -> its settings, all filled
    equal_aspect: bool = True
    onestep: OneStepState = OneStepState()
    log_colour: bool = False  # f's colours on a log scale (engine/colour_scale.py)
    sweep: SweepState = SweepState()

    def __post_init__(self):
        def put(name, value):
            object.__setattr__(self, name, value)

        if not isinstance(self.view, Rect):
            raise ValueError("view must be a Rect")
        put("start", _point(self.start))
        put("methods", tuple(self.methods))
        names = [m.name for m in self.methods]
        if len(set(names)) != len(names):
            raise ValueError("methods lists a method twice")
        unknown = [o for o in self.overlays if o not in OVERLAYS]
        if unknown:
            raise ValueError(f"unknown overlay {str(unknown[0])[:40]!r}: choose from "
                             f"{', '.join(OVERLAYS)}")
        put("overlays", tuple(o for o in OVERLAYS if o in self.overlays))
        given = dict(self.overlay_settings)
        unknown = [o for o in given if o not in OVERLAYS]
        if unknown:
            raise ValueError(f"settings of an unknown overlay {str(unknown[0])[:40]!r}")
        put("overlay_settings", {s.name: s.resolve(given.get(s.name, {}))
                                 for s in OVERLAYS.values() if s.settings})
        if isinstance(self.step, bool) or not isinstance(self.step, int) \
                or not 0 <= self.step <= MAX_STEPS:
            raise ValueError(f"step must be a whole number from 0 to {MAX_STEPS}")
        if self.selected_method and self.selected_method not in names:
            raise ValueError("selected_method must name one of the methods")
        if not isinstance(self.equal_aspect, bool):
            raise ValueError("equal_aspect must be true or false")
        if not isinstance(self.log_colour, bool):
            raise ValueError("log_colour must be true or false")

    def method(self, name: str) -> MethodConfig | None:
        return next((m for m in self.methods if m.name == name), None)

    def settings_of(self, overlay: str) -> dict:
        """An overlay's settings (every one, defaults filled in); {} for one without."""
        return dict(self.overlay_settings.get(overlay, {}))

    def to_dict(self) -> dict:
        """The session file's JSON object (format version VERSION)."""
        v = self.view
        return {
            "format": FORMAT,
            "version": VERSION,
            "function": self.function,
            "view": {"xmin": v.xmin, "xmax": v.xmax, "ymin": v.ymin, "ymax": v.ymax},
            "start": list(self.start),
            "methods": [{"name": m.name, "enabled": m.enabled, "params": dict(m.params),
                         "max_steps": m.max_steps, "tol": m.tol, "colour": m.colour}
                        for m in self.methods],
            "overlays": list(self.overlays),
            "overlay_settings": {k: dict(v) for k, v in self.overlay_settings.items()},
            "view_options": {"equal_aspect": self.equal_aspect, "log_colour": self.log_colour},
            "onestep": asdict(self.onestep),
            "sweep": asdict(self.sweep),
            "step": self.step,
            "selected_method": self.selected_method,
        }


def default_methods() -> tuple[MethodConfig, ...]:
    """One MethodConfig per registered rule: gd (lr 0.5) and newton (lr 1) enabled, the
    others off, each with its colour."""
    out = []
    for i, name in enumerate(RULES):
        params = {"learning_rate": OPENING_RATES[name]} if name in OPENING_RATES else {}
        out.append(MethodConfig(name, name in OPENING_RATES, params, 100, 1e-6,
                                PALETTE[i % len(PALETTE)]))
    return tuple(out)


def with_every_rule(methods) -> tuple[MethodConfig, ...]:
    """The methods, then every registered rule they lack, switched off with its default
    parameters and colour (a state remembered before a rule was added lists it too)."""
    listed = {m.name for m in methods}
    return tuple(methods) + tuple(replace(m, enabled=False) for m in default_methods()
                                  if m.name not in listed)


# --- decoded JSON -> SessionState ---------------------------------------------------------
def preset_methods(state: SessionState, learning_rates: dict[str, float] | None = None,
                   params: dict[str, dict] | None = None, enabled=None,
                   view_options: dict | None = None) -> SessionState:
    """The state with a preset's method changes: ``params`` maps a method to parameter
    changes (``learning_rates`` to its learning rate); ``enabled``, when given, names the
    methods switched on (the others go off, and the first named is selected if the selected
    one went off); ``view_options``: equal_aspect and log_colour, if given."""
    changes = {m: {"learning_rate": float(lr)} for m, lr in (learning_rates or {}).items()}
    for m, values in (params or {}).items():
        changes[m] = {**changes.get(m, {}), **values}
    on = None if enabled is None else [str(m) for m in enabled]
    methods = tuple(m.changed(**changes.get(m.name, {}),
                              **({} if on is None else {"enabled": m.name in on}))
                    for m in state.methods)
    selected = state.selected_method
    if on and selected not in on and on[0] in {m.name for m in methods}:
        selected = on[0]
    options = {k: bool(v) for k, v in (view_options or {}).items()
               if k in ("equal_aspect", "log_colour")}
    return replace(state, methods=methods, selected_method=selected, **options)


def keep_unlisted(state: SessionState, current: tuple[MethodConfig, ...]) -> SessionState:
    """A session file's state over the panel's methods: those the file does not list stay in
    the panel, switched off."""
    listed = {m.name: m for m in state.methods}
    methods = tuple(listed.pop(m.name, replace(m, enabled=False))
                    for m in current) + tuple(listed.values())
    selected = state.selected_method or (methods[0].name if methods else "")
    return replace(state, methods=methods, selected_method=selected)


def _number(value, where: str, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _fail(f"{where} must be a number, not {type(value).__name__}")
    try:
        value = float(value)
    except OverflowError:  # an integer of thousands of digits
        value = math.inf
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


def _mapping(value, where: str, keys: tuple[str, ...] = ()) -> dict:
    if not isinstance(value, dict):
        _fail(f"{where} must be an object")
    missing = [k for k in keys if k not in value]
    if missing:
        _fail(f"{where} lacks {', '.join(missing)}")
    return value


def _text(value, where: str) -> str:
    if not isinstance(value, str):
        _fail(f"{where} must be text, not {type(value).__name__}")
    return value


def _checked(where: str, make):
    """make(), its ValueError as a StateError that says where."""
    try:
        return make()
    except StateError:
        raise
    except ValueError as exc:
        _fail(f"{where}: {exc}")


def _method(value, i: int, version: int) -> MethodConfig:
    where = f"methods[{i}]"
    params_key = "params" if version >= 2 else "learning_rate"
    m = _mapping(value, where, ("name", "enabled", params_key, "max_steps", "tol", "colour"))
    name = _text(m["name"], f"{where}.name")
    if name not in RULES:
        _fail(f"{where}: unknown method {name[:40]!r} (this program knows {', '.join(RULES)})")
    if not isinstance(m["enabled"], bool):
        _fail(f"{where}.enabled must be true or false")
    if not isinstance(m["colour"], str) or not _COLOUR.fullmatch(m["colour"]):
        _fail(f"{where}.colour must look like #1f77b4")
    if version >= 2:
        params = _mapping(m["params"], f"{where}.params")
    else:  # version 1 kept the learning rate alone
        params = {"learning_rate": _number(m["learning_rate"], f"{where}.learning_rate",
                                           positive=True)}
    tol = _number(m["tol"], f"{where}.tol", positive=True)
    if not TOL_RANGE[0] <= tol <= TOL_RANGE[1]:
        _fail(f"{where}.tol must be from {TOL_RANGE[0]:g} to {TOL_RANGE[1]:g}, not {tol:g}")
    return _checked(where, lambda: MethodConfig(
        name, m["enabled"], params, _integer(m["max_steps"], f"{where}.max_steps", 0, MAX_STEPS),
        tol, m["colour"]))


def _view(value) -> Rect:
    v = _mapping(value, "view", ("xmin", "xmax", "ymin", "ymax"))
    xmin, xmax, ymin, ymax = (_number(v[k], f"view.{k}") for k in ("xmin", "xmax", "ymin", "ymax"))
    if not (xmin < xmax and ymin < ymax):
        _fail("view must have xmin < xmax and ymin < ymax")
    return _checked("view", lambda: Rect(xmin, xmax, ymin, ymax))


def _onestep(value) -> OneStepState:
    d = _mapping(value, "onestep")
    text = _text(d.get("text", OneStepState.text), "onestep.text")
    values = {k: v for k, v in d.items() if k != "text"}
    return _checked("onestep", lambda: OneStepState(**resolve(ONESTEP_PARAMS, values,
                                                              "the one-step page"), text=text))


def _sweep(value) -> SweepState:
    values = _mapping(value, "sweep")
    return _checked("sweep", lambda: SweepState(**resolve(SWEEP_PARAMS, values, "the sweep")))


def state_from_dict(data) -> SessionState:
    """Validate a decoded session (format version 1 or 2); StateError on the first problem."""
    d = _mapping(data, "the file", ("format", "version", "function", "view", "start", "methods"))
    if d["format"] != FORMAT:
        _fail("this is not a Hessian Lens session file")
    version = d["version"]
    if type(version) is not int or version not in READS:  # not True, 1.0 or "1"
        _fail(f"unknown session file version {shown(version)} (this program reads versions "
              f"{' and '.join(map(str, READS))}, written as whole numbers)")
    function = _text(d["function"], "the function")
    view = _view(d["view"])
    start = d["start"]
    if not isinstance(start, list) or len(start) != 2:
        _fail("start must be a list of two numbers")
    start = (_number(start[0], "start[0]"), _number(start[1], "start[1]"))
    if not isinstance(d["methods"], list) or not 1 <= len(d["methods"]) <= MAX_METHODS:
        _fail(f"methods must be a list of 1 to {MAX_METHODS} methods")
    methods = tuple(_method(m, i, version) for i, m in enumerate(d["methods"]))
    overlays = d.get("overlays", [])
    if not isinstance(overlays, list) or any(not isinstance(o, str) or o not in OVERLAYS
                                             for o in overlays):
        _fail(f"overlays must be a list of: {', '.join(OVERLAYS)}")
    settings = _mapping(d.get("overlay_settings", {}), "overlay_settings")
    for name, values in settings.items():
        if name not in OVERLAYS:
            _fail(f"overlay_settings: unknown overlay {name[:40]!r}")
        _checked(f"overlay_settings.{name}",
                 lambda: OVERLAYS[name].resolve(_mapping(values, f"overlay_settings.{name}")))
    options = _mapping(d.get("view_options", {}), "view_options")
    # A file without the option was written when the default was off.
    equal_aspect = options.get("equal_aspect", False)
    log_colour = options.get("log_colour", False)
    for name, value in (("equal_aspect", equal_aspect), ("log_colour", log_colour)):
        if not isinstance(value, bool):
            _fail(f"view_options.{name} must be true or false")
    onestep = _onestep(d.get("onestep", {}))
    sweep = _sweep(d.get("sweep", {}))
    step = _integer(d.get("step", 0), "step", 0, MAX_STEPS)
    selected = d.get("selected_method", "")
    if not isinstance(selected, str) or (selected and selected not in {m.name for m in methods}):
        _fail("selected_method must name one of the methods")
    return _checked("the file", lambda: SessionState(
        function, view, start, methods, tuple(dict.fromkeys(overlays)), step, selected,
        settings, equal_aspect, onestep, log_colour, sweep))
