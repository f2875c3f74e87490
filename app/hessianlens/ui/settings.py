"""Remembered state between runs (QSettings); anything invalid falls back silently."""

from __future__ import annotations

import math

from PySide6.QtCore import QByteArray, QSettings

from hessianlens.engine.expression import ExpressionError
from hessianlens.engine.fields import Rect
from hessianlens.engine.objective import objective_from_text
from hessianlens.ui.session import OVERLAYS

ORGANIZATION = "HessianLens"
APPLICATION = "Hessian Lens"


def app_settings() -> QSettings:
    """The user's settings (organization and application names set by run_app)."""
    return QSettings(ORGANIZATION, APPLICATION)


def _floats(value, n: int) -> tuple[float, ...] | None:
    try:
        vals = tuple(float(v) for v in value)
    except (TypeError, ValueError):
        return None
    return vals if len(vals) == n and all(math.isfinite(v) for v in vals) else None


def read_function(s: QSettings) -> str | None:
    text = s.value("function")
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        objective_from_text(text)
    except ExpressionError:
        return None
    return text


def read_rect(s: QSettings) -> Rect | None:
    vals = _floats(s.value("view") or (), 4)
    try:
        return None if vals is None else Rect(*vals)
    except ValueError:
        return None


def read_start(s: QSettings) -> tuple[float, float] | None:
    return _floats(s.value("start") or (), 2)


def read_overlays(s: QSettings) -> set[str]:
    value = s.value("overlays")
    if isinstance(value, str):  # QSettings hands back a one-element list as a plain string
        value = [value]
    if not isinstance(value, (list, tuple)):
        return set()
    return {v for v in value if v in OVERLAYS}


def read_bool(s: QSettings, key: str, default: bool) -> bool:
    value = s.value(key)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return default


def read_bytes(s: QSettings, key: str) -> QByteArray | None:
    value = s.value(key)
    return value if isinstance(value, QByteArray) and not value.isEmpty() else None


def write_state(s: QSettings, function: str, rect: Rect, start, overlays, **extra) -> None:
    s.setValue("function", function)
    s.setValue("view", [rect.xmin, rect.xmax, rect.ymin, rect.ymax])
    s.setValue("start", [float(start[0]), float(start[1])])
    s.setValue("overlays", sorted(overlays))
    for key, value in extra.items():
        s.setValue(key, value)
    s.sync()
