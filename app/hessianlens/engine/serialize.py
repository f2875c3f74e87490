"""Trajectories as JSON-ready dicts and CSV rows (the schema of ``hessianlens trace``)."""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np

from hessianlens.engine.trajectory import Iterate, Trajectory

CSV_COLUMNS = ("k", "x", "y", "f", "grad_x", "grad_y", "hxx", "hxy", "hyy", "eig_low",
               "eig_high", "det", "step_x", "step_y", "lr", "flags")


def json_number(v) -> float | None:
    """A float for JSON; None for a missing or non-finite value (JSON has no NaN or inf)."""
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def _vec(a) -> list | None:
    return None if a is None else [json_number(v) for v in a]


def _nested(a):
    """An array of any shape as nested lists of JSON numbers."""
    a = np.asarray(a, dtype=float)
    return json_number(a) if a.ndim == 0 else [_nested(v) for v in a]


def iterate_to_dict(it: Iterate) -> dict:
    H = it.hessian
    d = {
        "k": it.k,
        "x": _vec(it.x),
        "f": json_number(it.f),
        "grad": _vec(it.grad),
        "hessian": _nested(H),
        "eigenvalues": _vec(it.eigenvalues),
        "det": json_number(it.det),
        "step": _vec(it.step),
        "lr": json_number(it.learning_rate),
        "flags": list(it.flags),
        **({"info": {k: json_number(v) if isinstance(v, (int, float)) and not isinstance(v, bool)
                     else v for k, v in it.info.items()}} if it.info else {}),
    }
    # A rule's own per-step fields (a quasi-Newton matrix, say) beside the standard ones,
    # which they never replace.
    d.update({k: _nested(v) for k, v in it.extra.items() if k not in d})
    return d


def trajectory_to_dict(trajectory: Trajectory, function_text: str) -> dict:
    """The JSON object of ``hessianlens trace`` for one trajectory."""
    return {
        "function": function_text,
        "method": trajectory.method,
        "lr": json_number(trajectory.learning_rate),
        "params": dict(trajectory.params),
        "status": trajectory.status,
        "message": trajectory.message,
        "steps": [iterate_to_dict(it) for it in trajectory.iterates],
    }


def trajectory_to_json(trajectory: Trajectory, function_text: str) -> str:
    return json.dumps(trajectory_to_dict(trajectory, function_text), indent=2, allow_nan=False)


def _cell(v) -> str:
    return "" if v is None else repr(v) if isinstance(v, float) else str(v)


def _rule_cells(it: Iterate) -> dict:
    """A rule's own numbers of one iterate as flat cells after the standard columns: its info
    as ``info.NAME`` and its per-step arrays by component (``hessian_estimate_xy``)."""
    d = iterate_to_dict(it)
    cells = {f"info.{k}": v for k, v in d.get("info", {}).items()}
    for name in it.extra:
        a = np.asarray(d[name], dtype=float) if d.get(name) is not None else None
        if a is None or a.ndim == 0:
            cells[name] = d.get(name)
            continue
        axes = "xy" if all(n == 2 for n in a.shape) else None
        for index in np.ndindex(a.shape):
            suffix = "".join(axes[i] for i in index) if axes else "_".join(map(str, index))
            cells[f"{name}_{suffix}"] = json_number(a[index])
    return cells


def csv_rows(trajectory: Trajectory) -> list[dict]:
    """One flat row per iterate, the standard columns first, then the rule's own (see
    _rule_cells); non-finite or missing numbers are empty cells."""
    rows = []
    for it in trajectory.iterates:
        d = iterate_to_dict(it)
        step = d["step"] or [None, None]
        H = d["hessian"]
        rows.append({**dict(zip(CSV_COLUMNS, (
            d["k"], *d["x"], d["f"], *d["grad"], H[0][0], H[0][1], H[1][1], *d["eigenvalues"],
            d["det"], *step, d["lr"], " ".join(d["flags"])))), **_rule_cells(it)})
    return rows


def _csv(rows: list[dict], lead: tuple = ()) -> str:
    """CSV text with a header: lead, the standard columns, then every rule column any row has
    (in the order first met; empty where a row has none)."""
    rule_columns = dict.fromkeys(k for row in rows for k in row if k not in CSV_COLUMNS
                                 and k not in lead)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*lead, *CSV_COLUMNS, *rule_columns],
                            lineterminator="\n", restval="")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def trajectory_to_csv(trajectory: Trajectory, extra_columns: dict | None = None) -> str:
    """CSV text with a header; extra_columns (name -> value) are prepended to every row."""
    extra = dict(extra_columns or {})
    return _csv([{**extra, **row} for row in csv_rows(trajectory)], tuple(extra))


def trajectories_to_json(trajectories, function_text: str) -> str:
    """A JSON list: one ``hessianlens trace`` object per method."""
    return json.dumps([trajectory_to_dict(t, function_text) for t in trajectories], indent=2,
                      allow_nan=False)


def trajectories_to_csv(trajectories) -> str:
    """One CSV for several methods: the trace columns after a ``method`` column, then the
    rule columns of every method (empty in the rows of methods without them)."""
    return _csv([{"method": t.method, **row} for t in trajectories for row in csv_rows(t)],
                ("method",))
