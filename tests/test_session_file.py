"""Session files: save/open round trip, corrupt and hostile files refused, atomic writes."""

import csv
import io
import json
import os

import pytest
from dataclasses import replace

from hessianlens.engine.fields import Rect
from hessianlens.engine.objective import objective_from_text
from hessianlens.engine.serialize import trajectories_to_csv, trajectories_to_json
from hessianlens.engine.rules import make_rule
from hessianlens.engine.trajectory import run
from hessianlens.files import write_text_atomic
from hessianlens.model import MethodConfig, SessionState
from hessianlens.session_file import SessionFileError, load_session, save_session, session_from_dict

STATE = SessionState(
    function="sin(x0)**2 + sin(10 + x1*x0/2) * cos(x0)",
    view=Rect(-4.0, 4.0, -3.5, 4.5),
    start=(3.1, 1.3),
    methods=(MethodConfig("gd", True, {"learning_rate": 0.5}, 100, 1e-6, "#1f77b4"),
             MethodConfig("newton", True, {"learning_rate": 1.0}, 50, 1e-8, "#d62728")),
    overlays=("determinant", "newton_field"),
    step=3,
    selected_method="newton",
)


def test_save_then_open_gives_back_an_equal_session(tmp_path):
    path = tmp_path / "a.hlens.json"
    save_session(path, STATE)
    assert load_session(path) == STATE
    assert json.loads(path.read_text())["version"] == 2


def _good():
    return STATE.to_dict()


def _with(**changes):
    d = _good()
    d.update(changes)
    return d


def _method(**changes):
    d = _good()
    d["methods"][0].update(changes)
    return d


CORRUPT = [
    (b"", "not valid JSON"),
    (b"{\"format\": \"hessianlens-session\", \"vers", "not valid JSON"),
    (b"\xff\xfe\x00garbage", "not text"),
    (b"[1, 2, 3]", "must be an object"),
    (b"[" * 100000 + b"]" * 100000, None),
    (json.dumps(_with(format="something-else")).encode(), "not a Hessian Lens session"),
    (json.dumps(_with(version=99)).encode(), "unknown session file version 99"),
    (json.dumps(_with(function=42)).encode(), "function must be text"),
    (json.dumps(_with(function="x + ")).encode(), "function in the file is not acceptable"),
    (json.dumps(_with(function="__import__('os').system('echo pwned')")).encode(),
     "not acceptable"),
    (json.dumps(_with(function="9**9**9")).encode(), "too large"),
    (json.dumps(_with(view={"xmin": 0, "xmax": 0, "ymin": 0, "ymax": 1})).encode(), "xmin < xmax"),
    (json.dumps(_with(view={"xmin": 0, "xmax": "1", "ymin": 0, "ymax": 1})).encode(),
     "view.xmax must be a number"),
    (json.dumps(_with(view=[0, 1, 0, 1])).encode(), "view must be an object"),
    (json.dumps(_with(start=[1])).encode(), "start must be a list of two numbers"),
    (json.dumps(_with(start=[1, True])).encode(), "start[1] must be a number"),
    (json.dumps(_with(start=[1, 1e308 * 10])).encode().replace(b"Infinity", b"1e999"),
     "finite"),
    (json.dumps(_with(methods=[])).encode(), "1 to 32 methods"),
    (json.dumps(_method(name="rm -rf")).encode(), "unknown method"),
    (json.dumps(_method(params={"learning_rate": -1})).encode(),
     "learning_rate must be a number from 1e-06 to 1000"),
    (json.dumps(_method(max_steps=10**9)).encode(), "max_steps must be between"),
    (json.dumps(_method(max_steps=1.5)).encode(), "max_steps must be a whole number"),
    (json.dumps(_method(colour="red")).encode(), "colour must look like"),
    (json.dumps(_method(enabled="yes")).encode(), "enabled must be true or false"),
    (json.dumps(_with(overlays=["determinant", "bogus"])).encode(), "overlays must be a list"),
    (json.dumps(_with(step=-1)).encode(), "step must be between"),
    (json.dumps(_with(selected_method="adam")).encode(), "selected_method"),
]


@pytest.mark.parametrize("content, message", CORRUPT)
def test_corrupt_files_each_give_one_clear_message(tmp_path, content, message):
    path = tmp_path / "bad.hlens.json"
    path.write_bytes(content)
    with pytest.raises(SessionFileError) as info:
        load_session(path)
    if message:
        assert message in str(info.value)


def test_files_over_ten_megabytes_are_refused_unread(tmp_path):
    path = tmp_path / "huge.hlens.json"
    path.write_bytes(b" " * (10 * 1024 * 1024 + 10))
    with pytest.raises(SessionFileError, match="larger than 10 MB"):
        load_session(path)


def test_missing_file_is_a_session_file_error(tmp_path):
    with pytest.raises(SessionFileError, match="cannot read"):
        load_session(tmp_path / "nope.hlens.json")


def test_session_from_dict_refuses_non_dicts():
    with pytest.raises(SessionFileError):
        session_from_dict("not a dict")


def test_an_interrupted_write_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "keep.hlens.json"
    save_session(path, STATE)
    before = path.read_bytes()

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", explode)
    with pytest.raises(OSError, match="disk full"):
        write_text_atomic(path, "half a fi")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.hlens.json"]  # no temp left


def test_trajectories_export_uses_the_trace_schema_once_per_method():
    obj = objective_from_text("x**2 + 3*y**2")
    trajs = [run(obj, make_rule("gd", learning_rate=0.1), (1, 1), max_steps=3),
             run(obj, make_rule("newton"), (1, 1))]
    data = json.loads(trajectories_to_json(trajs, "x**2 + 3*y**2"))
    assert [d["method"] for d in data] == ["gd", "newton"]
    assert len(data[0]["steps"]) == 4 and data[1]["status"] == "converged"
    rows = list(csv.DictReader(io.StringIO(trajectories_to_csv(trajs))))
    assert [r["method"] for r in rows] == ["gd"] * 4 + ["newton"] * 2


def test_atomic_writes_get_the_usual_permissions_and_keep_an_existing_files_mode(tmp_path):
    umask = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.txt"
        write_text_atomic(fresh, "a")
        assert fresh.stat().st_mode & 0o777 == 0o644
        kept = tmp_path / "kept.txt"
        kept.write_text("old")
        kept.chmod(0o600)
        write_text_atomic(kept, "new")
        assert kept.stat().st_mode & 0o777 == 0o600 and kept.read_text() == "new"
    finally:
        os.umask(umask)


def _v1():
    """A session file as version 1 wrote it: the learning rate alone, no settings."""
    d = _good()
    d["version"] = 1
    for m in d["methods"]:
        m["learning_rate"] = m.pop("params")["learning_rate"]
    for key in ("overlay_settings", "view_options", "onestep"):
        d.pop(key)
    return d


def test_version_1_files_are_read_and_their_learning_rate_migrated():
    state = session_from_dict(_v1())
    assert state == replace(STATE, equal_aspect=False)  # version 1 had no equal aspect
    assert state.method("gd").params == {"learning_rate": 0.5}
    bad = _v1()
    bad["methods"][0]["learning_rate"] = 0
    with pytest.raises(SessionFileError, match="methods\\[0\\].learning_rate must be positive"):
        session_from_dict(bad)


def test_overlay_settings_view_options_and_the_one_step_page_round_trip(tmp_path):
    from dataclasses import replace

    from hessianlens.model import OneStepState

    state = replace(STATE, overlays=("basins",), equal_aspect=True,
                    overlay_settings={"basins": {"rule": "saddle-free", "compare": "",
                                                 "grid": 64},
                                      "newton_field": {"normalized": False}},
                    onestep=OneStepState(mode="text", text="w**4 - w", w0=-2.0, cubic=True))
    path = tmp_path / "s.hlens.json"
    save_session(path, state)
    back = load_session(path)
    assert back == state
    assert back.settings_of("basins") == {"rule": "saddle-free", "compare": "", "swapped": False,
                                          "grid": 64, "max_steps": 50}


@pytest.mark.parametrize("version", [True, 1.0, "1", 3, 10 ** 5000],
                         ids=["true", "1.0", "text", "3", "huge"])
def test_a_version_that_is_not_a_known_whole_number_gets_one_clear_message(version):
    with pytest.raises(SessionFileError) as info:
        session_from_dict(_with(version=version))
    assert str(info.value).startswith("unknown session file version ")
    assert "this program reads versions 1 and 2" in str(info.value)


HUGE = "1" + "0" * 5000  # an integer of 5,001 digits


@pytest.mark.parametrize("content, message", [
    (json.dumps(_with(start=[0, 0])).replace('"start": [0, 0]', f'"start": [{HUGE}, 0]'),
     "thousands of digits"),
    (json.dumps(_method(name=["gd"])), "methods[0].name must be text, not list"),
    (json.dumps(_method(name={"gd": 1})), "methods[0].name must be text, not dict"),
    (json.dumps(_with(overlays=[["determinant"]])), "overlays must be a list of"),
    (json.dumps(_method(params={"learning_rate": 0.5, "beta": 1})),
     "methods[0]: method 'gd' has no parameter 'beta'; its parameters: learning_rate"),
    (json.dumps(_with(view={"xmin": -1e308, "xmax": 1e308, "ymin": -1e308, "ymax": 1e308})),
     "view: the range is too large: every coordinate must lie within -1e+12 and 1e+12"),
    (json.dumps(_with(view={"xmin": 1, "xmax": 1 + 1e-12, "ymin": 0, "ymax": 1})),
     "view: the range is too small"),
    (json.dumps(_with(start=[1e300, 0])), "start must be two finite numbers within"),
    (json.dumps(_with(overlay_settings={"basins": {"grid": 5}})),
     "overlay_settings.basins: grid must be a whole number from 32 to 512"),
    (json.dumps(_with(overlay_settings={"fog": {}})), "unknown overlay 'fog'"),
    (json.dumps(_with(onestep={"w0": "3"})), "onestep: w0 must be a number"),
    (json.dumps(_with(onestep={"text": "w +* 2"})), "one-step page's function in the file"),
])
def test_hostile_values_each_give_one_clear_message(tmp_path, content, message):
    path = tmp_path / "bad.hlens.json"
    path.write_text(content)
    with pytest.raises(SessionFileError) as info:
        load_session(path)
    assert message in str(info.value)


def test_a_huge_integer_given_as_data_is_not_a_finite_number():
    with pytest.raises(SessionFileError, match="start\\[0\\] must be a finite number"):
        session_from_dict(_with(start=[10 ** 5000, 0]))


def test_anything_but_a_regular_file_is_refused_before_it_is_read(tmp_path):
    import threading

    fifo = tmp_path / "pipe.hlens.json"
    os.mkfifo(fifo)  # opening a FIFO for reading blocks until someone writes: never here
    errors = []
    reader = threading.Thread(target=lambda: errors.append(_error_of(load_session, fifo)),
                              daemon=True)
    reader.start()
    reader.join(10)
    assert not reader.is_alive(), "load_session blocked on a FIFO"
    assert "not a regular file" in errors[0]
    assert "not a regular file" in _error_of(load_session, tmp_path)  # a folder


def _error_of(fn, *args) -> str:
    try:
        fn(*args)
    except SessionFileError as exc:
        return str(exc)
    return ""


def test_the_csv_export_keeps_each_methods_own_numbers_as_the_json_does():
    """BFGS's estimate B and the trust region's radius are in the CSV as in the JSON, as
    columns after the standard ones, empty in the rows of methods that have none."""
    obj = objective_from_text("x**2 + 3*y**2")
    trajs = [run(obj, make_rule("gd", learning_rate=0.1), (1, 1), max_steps=3),
             run(obj, make_rule("bfgs"), (1, 1)), run(obj, make_rule("trust-region"), (1, 1))]
    data = json.loads(trajectories_to_json(trajs, "x**2 + 3*y**2"))
    rows = list(csv.DictReader(io.StringIO(trajectories_to_csv(trajs))))
    by_method = {m: [r for r in rows if r["method"] == m] for m in ("gd", "bfgs", "trust-region")}
    for k, step in enumerate(data[1]["steps"][:-1]):
        B = step["hessian_estimate"]
        row = by_method["bfgs"][k]
        assert [float(row[f"hessian_estimate_{c}"]) for c in ("xx", "xy", "yx", "yy")] == \
            [B[0][0], B[0][1], B[1][0], B[1][1]]
    for k, step in enumerate(data[2]["steps"][:-1]):
        assert float(by_method["trust-region"][k]["info.radius"]) == step["info"]["radius"]
    assert all(r["hessian_estimate_xx"] == "" and r["info.radius"] == "" for r in by_method["gd"])
    assert list(rows[0])[:17] == ["method", "k", "x", "y", "f", "grad_x", "grad_y", "hxx", "hxy",
                                  "hyy", "eig_low", "eig_high", "det", "step_x", "step_y", "lr",
                                  "flags"]


@pytest.mark.parametrize("sweep, words", [
    ({"method": "bfgs"}, "method must be one of"),  # BFGS keeps no learning rate per row
    ({"num": 1}, "num must be a whole number from 2 to 10000, not 1"),
    ({"low": -1.0}, "low must be a number from 1e-06 to 1000"),
    ({"rates": 5}, "has no parameter 'rates'"),
    ([1, 2], "sweep must be an object"),
])
def test_the_sweep_settings_round_trip_and_bad_ones_are_refused_with_where(sweep, words):
    from hessianlens.model import SweepState

    state = replace(STATE, sweep=SweepState("momentum", 0.01, 2.0, 50, 300))
    assert session_from_dict(json.loads(json.dumps(state.to_dict()))).sweep == state.sweep
    older = {k: v for k, v in state.to_dict().items() if k != "sweep"}  # before it was kept
    assert session_from_dict(older).sweep == SweepState()
    with pytest.raises(SessionFileError, match="sweep") as err:
        session_from_dict({**state.to_dict(), "sweep": sweep})
    assert words in str(err.value)
