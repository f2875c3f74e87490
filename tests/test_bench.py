"""The benchmarks' JSON (tiny repeat counts: shapes and sense, never times)."""

import json
import subprocess
import sys

SPREAD = {"min", "median", "max", "n"}


def is_spread(d) -> bool:
    return isinstance(d, dict) and SPREAD <= set(d) and d["min"] <= d["median"] <= d["max"]


def test_fields_over_f_for_every_function_of_the_window_bench():
    from hessianlens.bench import FIELD_FUNCTIONS, fields_over_f

    ratios, detail = fields_over_f(repeat=1)
    assert {"Example 3", "Rosenbrock", "Himmelblau"} <= set(ratios) == set(FIELD_FUNCTIONS)
    assert all(r > 1 for r in ratios.values())  # every field beside f costs something
    assert all(is_spread(d["f_only_ms"]) and is_spread(d["all_fields_ms"])
               for d in detail.values())


def test_the_window_section_times_apply_click_and_playback(qtbot):
    from hessianlens.ui.bench_window import APPLY_FUNCTIONS, window_benchmarks

    out = window_benchmarks(repeats=1, clicks=1, plays=1)
    for key in ("apply_function_ms", "click_ms", "playback_frame_ms", "playback_steps_per_s"):
        assert is_spread(out[key]), key
    assert out["apply_function_ms"]["n"] == len(APPLY_FUNCTIONS) >= 5
    assert set(out["apply_function_by_widget_ms"]) == {"plane", "convergence", "inspector",
                                                        "derivatives"}
    assert out["playback_frame_ms"]["n"] >= 50  # 100 steps, a frame for most of them
    assert "100 steps" in out["playback"] and "cleared" in out["cold"]


def test_the_startup_section_launches_the_program_and_times_its_first_paint():
    out = subprocess.run([sys.executable, "-m", "hessianlens", "bench", "--only", "startup",
                          "--repeat", "1"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    section = json.loads(out.stdout)["startup"]
    assert section["errors"] == []
    for key in ("cold_start_ms", "cold_start_offscreen_plane_ms", "version_ms"):
        assert is_spread(section[key]), key


def test_the_side_by_side_tool_measures_both_versions_in_one_run(tmp_path):
    """tools/bench_compare.py with the same version on both sides: every field function gets
    a ratio for each side, and the samples of both are saved."""
    from pathlib import Path

    from hessianlens.bench import FIELD_FUNCTIONS

    tool = Path(__file__).resolve().parents[1] / "tools" / "bench_compare.py"
    samples = tmp_path / "samples.json"
    out = subprocess.run([sys.executable, str(tool), "--old", sys.executable, "--new",
                          sys.executable, "--rounds", "1", "--parts", "fields", "--json",
                          str(samples)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    rows = {line.split("|")[0].strip(): line for line in out.stdout.splitlines()}
    for name in FIELD_FUNCTIONS:
        old, new = rows[f"fields/f {name}"].split("|")[1:]
        assert float(old.split()[0]) > 1 and float(new.split()[0]) > 1
    data = json.loads(samples.read_text())
    for side in ("old", "new"):
        assert set(data[side]["fields"]) == set(FIELD_FUNCTIONS)
        f, fields = data[side]["fields"]["Example 3"]
        assert len(f) == len(fields) == 9 and min(f) > 0
