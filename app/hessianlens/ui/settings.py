"""Remembered state between runs (QSettings): the session model's dict, validated like a
session file; anything invalid falls back silently."""

from __future__ import annotations

import json
from dataclasses import replace

from PySide6.QtCore import QByteArray, QSettings

from hessianlens.model import SessionState, state_from_dict, with_every_rule

ORGANIZATION = "HessianLens"
APPLICATION = "Hessian Lens"
STATE_KEY = "session"


def app_settings() -> QSettings:
    """The user's settings (organization and application names set by run_app)."""
    return QSettings(ORGANIZATION, APPLICATION)


def read_state(s: QSettings) -> SessionState | None:
    """The remembered session state, or None when there is none or it is not valid."""
    text = s.value(STATE_KEY)
    if not isinstance(text, str):
        return None
    try:
        state = state_from_dict(json.loads(text))
    except (ValueError, RecursionError):  # StateError, bad JSON, a 5,000-digit number
        return None
    return replace(state, methods=with_every_rule(state.methods))


def read_bytes(s: QSettings, key: str) -> QByteArray | None:
    value = s.value(key)
    return value if isinstance(value, QByteArray) and not value.isEmpty() else None


def write_state(s: QSettings, state: SessionState, **extra) -> None:
    """Remember the state (as the session file's JSON) and extra keys (window geometry)."""
    s.setValue(STATE_KEY, json.dumps(state.to_dict(), allow_nan=False))
    for key, value in extra.items():
        s.setValue(key, value)
    s.sync()
