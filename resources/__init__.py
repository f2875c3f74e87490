"""Data files of Hessian Lens (presets, icons), installed as ``hessianlens.resources``.

Every resource is loaded through :func:`resource_path` or :func:`read_json`, so the files are
found the same way from a source checkout, an editable install, a wheel or a bundle.
"""

from __future__ import annotations

import json
from importlib.resources import as_file, files
from pathlib import Path


def resource_path(name: str) -> Path:
    """Filesystem path of a resource file (e.g. ``"presets.json"``, ``"icons/hessianlens.svg"``)."""
    ref = files(__name__).joinpath(*name.split("/"))
    with as_file(ref) as path:  # a real file for every install kind we ship
        return Path(path)


def read_text(name: str) -> str:
    return files(__name__).joinpath(*name.split("/")).read_text(encoding="utf-8")


def read_json(name: str):
    return json.loads(read_text(name))
