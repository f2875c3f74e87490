"""Session files (``.hlens.json``): plain data, validated by the model; loading runs nothing.

The function texts inside go through the same parser as the editors.
"""

from __future__ import annotations

import json
import os
import stat

from hessianlens.files import write_text_atomic
from hessianlens.model import SessionState, StateError, state_from_dict

SUFFIX = ".hlens.json"
MAX_BYTES = 10 * 1024 * 1024


class SessionFileError(ValueError):
    """A session file that cannot be opened, with one plain message."""


def _fail(message: str):
    raise SessionFileError(message)


def session_from_dict(data) -> SessionState:
    """Validate a decoded session file; raise SessionFileError on the first problem."""
    # The parser (and sympy) only when a file is read: the window starts without them.
    from hessianlens.engine.expression import LINE, PLANE, ExpressionError, parse_expression

    try:
        state = state_from_dict(data)
    except StateError as exc:
        _fail(str(exc))
    for text, where, spec in ((state.function, "the function", PLANE),
                              (state.onestep.text, "the one-step page's function", LINE)):
        try:
            parse_expression(text, spec)
        except ExpressionError as exc:
            _fail(f"{where} in the file is not acceptable: {exc.message}")
    return state


def _read(path) -> bytes:
    """At most MAX_BYTES + 1 bytes of a regular file (a FIFO or a device is refused before
    anything is read from it, so that opening one never blocks)."""
    name = os.fspath(path)
    try:
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        _fail(f"cannot read {name}: {exc.strerror or exc}")
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            _fail(f"{name} is not a regular file: not a session file")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(MAX_BYTES + 1)
    except OSError as exc:
        _fail(f"cannot read {name}: {exc.strerror or exc}")
    finally:
        os.close(fd)


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs) -> dict:
    """An object's pairs as a dict, refusing a name given twice (which one would count?)."""
    out = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def load_session(path: str | os.PathLike) -> SessionState:
    """Read and validate a session file; every failure is one SessionFileError."""
    raw = _read(path)
    if len(raw) > MAX_BYTES:
        _fail("the file is larger than 10 MB: not a session file")
    if not raw.strip():
        _fail("the file is not valid JSON (it is empty)")
    try:
        # UTF-8, with or without the byte-order mark some editors write (RFC 8259 section
        # 8.1 lets a reader ignore it).
        data = json.loads(raw.decode("utf-8-sig"), object_pairs_hook=_unique_keys)
    except UnicodeDecodeError:
        _fail("the file is not text (UTF-8): not a session file")
    except json.JSONDecodeError as exc:
        cut = not exc.doc[exc.pos:].strip() or exc.msg.startswith("Unterminated")
        _fail(f"the file is not valid JSON ({exc.msg}: line {exc.lineno}, column "
              f"{exc.colno}){'; it may be truncated' if cut else ''}")
    except RecursionError:
        _fail("the file is not valid JSON (too deeply nested)")
    except _DuplicateKey as exc:
        _fail(f"the file names {str(exc.args[0])[:40]!r} twice in one object: which one "
              "counts is not clear")
    except ValueError:  # Python refuses integers of more than 4300 digits
        _fail("the file holds a number of thousands of digits: not a session file")
    return session_from_dict(data)


def save_session(path: str | os.PathLike, state: SessionState) -> None:
    """Write the session atomically (the previous file survives an interrupted write)."""
    write_text_atomic(path, json.dumps(state.to_dict(), indent=2, allow_nan=False) + "\n")
