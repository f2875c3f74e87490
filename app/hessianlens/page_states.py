"""The states of the window's side pages, kept in the session beside the plane's: the one-step
(1D) page and the Sweep dock. Qt-free and valid by construction, as the rest of the model."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from hessianlens.engine.params import BOOL, CHOICE, INT, Param, resolve
from hessianlens.engine.rules import RULES
from hessianlens.engine.rules.base import LEARNING_RATE_BOUNDS
from hessianlens.engine.sweep import MAX_RATES

# The one-step (1D) page: coefficient or free-text f(w), w0 and the comparison's learning rate.
ONESTEP_PARAMS = (
    Param("mode", "coefficients", kind=CHOICE, choices=("coefficients", "text")),
    *(Param(k, v, (-1e6, 1e6)) for k, v in (("a", -1.0), ("b", -2.0), ("c", -3.0), ("d", 0.5))),
    Param("cubic", False, kind=BOOL),
    Param("w0", 4.0, (-1e6, 1e6)),  # the second write-up's demo (see ui/onestep_view.py)
    Param("lr", 0.1, (-100.0, 100.0)),
)


@dataclass(frozen=True)
class OneStepState:
    """The 1D page: f(w) = a w^2 + b w + c (+ d w^3) or free text, w0, and the GD rate."""

    mode: str = "coefficients"
    a: float = -1.0
    b: float = -2.0
    c: float = -3.0
    d: float = 0.5
    cubic: bool = False
    w0: float = 4.0
    lr: float = 0.1
    text: str = "-w**2 - 2*w - 3"

    def __post_init__(self):
        values = resolve(ONESTEP_PARAMS, {k: v for k, v in asdict(self).items() if k != "text"},
                         "the one-step page")
        for k, v in values.items():
            object.__setattr__(self, k, v)
        if not isinstance(self.text, str):
            raise ValueError("the one-step page's text must be text")


def sweepable() -> tuple[str, ...]:
    """The registered rules whose learning rate can be swept (one rate per row)."""
    return tuple(name for name, cls in RULES.items() if cls.per_row_rates
                 and any(p.name == "learning_rate" for p in cls.params))


# The Sweep dock: a method's learning rate from low to high at num log-spaced rates.
SWEEP_PARAMS = (
    Param("method", "gd", kind=CHOICE, choices=sweepable),
    Param("low", 1e-3, LEARNING_RATE_BOUNDS, log=True),
    Param("high", 10.0, LEARNING_RATE_BOUNDS, log=True),
    Param("num", 400, (2, MAX_RATES), kind=INT),
    Param("steps", 1000, (1, 100_000), kind=INT),
)


@dataclass(frozen=True)
class SweepState:
    """The Sweep dock's settings (low may not be below high while the user edits them: the
    dock then says so instead of sweeping)."""

    method: str = "gd"
    low: float = 1e-3
    high: float = 10.0
    num: int = 400
    steps: int = 1000

    def __post_init__(self):
        for k, v in resolve(SWEEP_PARAMS, asdict(self), "the sweep").items():
            object.__setattr__(self, k, v)
