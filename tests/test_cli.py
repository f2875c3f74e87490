"""The command line through a subprocess, as a user runs it."""

import csv
import io
import json
import subprocess
import sys

import pytest

EXAMPLE3 = "sin(x0)**2 + sin(10 + x1*x0/2) * cos(x0)"


def hl(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "hessianlens", *args], capture_output=True,
                          text=True, timeout=timeout)


def test_help_lists_the_commands():
    done = hl("--help")
    assert done.returncode == 0
    for command in ("trace", "bench"):
        assert command in done.stdout


def test_trace_json_schema_and_numbers():
    done = hl("trace", "--function", "x0**2 - x0*x1/2 + (x1/3)**2", "--start", "-3,-3",
              "--method", "newton")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert {k: out[k] for k in ("function", "method", "lr", "status")} == {
        "function": "x0**2 - x0*x1/2 + (x1/3)**2", "method": "newton", "lr": 1.0,
        "status": "converged"}
    assert out["message"]
    first, last = out["steps"]
    assert set(first) >= {"k", "x", "f", "grad", "hessian", "eigenvalues", "det", "step", "lr",
                          "flags"}
    assert first["x"] == [-3.0, -3.0] and first["step"] == pytest.approx([3, 3])
    assert first["grad"] == pytest.approx([-4.5, 0.8333333333])
    assert sum(first["hessian"], []) == pytest.approx([2, -0.5, -0.5, 0.2222222222])
    assert last["step"] is None and last["x"] == pytest.approx([0, 0], abs=1e-12)


def test_trace_gd_with_steps_limit_has_at_most_n_plus_one_items():
    done = hl("trace", "--function", EXAMPLE3, "--start", "3.1,1.3", "--method", "gd",
              "--lr", "0.5", "--steps", "7")
    out = json.loads(done.stdout)
    assert out["status"] == "max_steps" and len(out["steps"]) == 8
    assert [s["k"] for s in out["steps"]] == list(range(8))


def test_trace_writes_non_finite_numbers_as_null():
    done = hl("trace", "--function", "x**2 + 3*y**2", "--start", "1,1", "--method", "gd",
              "--lr", "10", "--steps", "400")
    out = json.loads(done.stdout)  # strict JSON: no NaN or Infinity
    assert out["status"] == "diverged"
    assert "NaN" not in done.stdout and "Infinity" not in done.stdout


def test_trace_csv():
    done = hl("trace", "--function", "x**2 + y**2", "--start", "1,2", "--method", "newton",
              "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(rows) == 2
    assert float(rows[0]["x"]) == 1 and float(rows[0]["step_y"]) == -2
    assert rows[1]["step_x"] == "" and float(rows[0]["hxx"]) == 2


@pytest.mark.parametrize("function, fragment", [
    ("x**2 + 2y", "did you mean 2*y?"),
    ("import os", "imports are not allowed"),
    ("x + z", "unknown name 'z'"),
])
def test_parse_error_goes_to_stderr_with_a_caret_and_exit_2(function, fragment):
    done = hl("trace", "--function", function, "--start", "0,0", "--method", "gd")
    assert done.returncode == 2
    assert done.stdout == ""
    assert fragment in done.stderr and "^" in done.stderr


@pytest.mark.parametrize("args", [
    ("--start", "1"), ("--start", "a,b"), ("--start", "nan,1"), ("--start", "1,1", "--lr", "-1"),
])
def test_bad_arguments_exit_2(args):
    done = hl("trace", "--function", "x**2", "--method", "gd", *args)
    assert done.returncode == 2 and done.stdout == ""


def test_negative_values_after_options_are_values_not_options():
    done = hl("trace", "--function", "-x**2 - y**2", "--start", "-1.5,-2", "--method", "newton")
    out = json.loads(done.stdout)
    assert out["steps"][0]["x"] == [-1.5, -2.0] and out["function"] == "-x**2 - y**2"


def run_cli(capsys, *args):
    """cli.main in this process: (exit code, stdout, stderr)."""
    from hessianlens.cli import main

    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_param_is_the_long_form_of_lr(capsys):
    base = ("trace", "--function", "x**2 + 3*y**2", "--start", "1,1", "--method", "gd",
            "--steps", "5")
    code, with_param, _ = run_cli(capsys, *base, "--param", "learning_rate=0.05")
    assert code == 0
    _, with_lr, _ = run_cli(capsys, *base, "--lr", "0.05")
    assert json.loads(with_param) == json.loads(with_lr)
    out = json.loads(with_param)
    assert out["lr"] == 0.05 and out["params"] == {"learning_rate": 0.05}


@pytest.mark.parametrize("args, words", [
    (("--param", "beta=0.9"), "method 'gd' has no parameter 'beta'; its parameters: "
                              "learning_rate"),
    (("--param", "learning_rate=5000"), "learning_rate must be a number from 1e-06 to 1000"),
    (("--param", "learning_rate=fast"), "learning_rate must be a number"),
    (("--param", "learning_rate"), "expected NAME=VALUE"),
    (("--lr", "0.5", "--param", "learning_rate=0.5"), "not both"),
    (("--lr", "-1"), "--lr: learning_rate must be a number from 1e-06 to 1000, not -1.0"),
])
def test_unknown_or_out_of_range_params_exit_2_naming_the_valid_ones(capsys, args, words):
    for command in (("trace", "--start", "1,1"), ("basins", "--grid", "4")):
        code, out, err = run_cli(capsys, *command, "--function", "x**2", "--method", "gd",
                                 *args)
        assert code == 2 and out == "" and words in err, err


def test_basins_take_params_and_report_them(capsys):
    code, out, _ = run_cli(capsys, "basins", "--function", "x**2 + y**2", "--method", "newton",
                           "--grid", "8", "--steps", "5", "--param", "learning_rate=0.5")
    data = json.loads(out)
    assert code == 0 and data["params"] == {"learning_rate": 0.5} and data["lr"] == 0.5


def test_help_lists_every_method_with_its_parameters(capsys):
    code, help_text, _ = run_cli(capsys, "trace", "--help")
    assert code == 0 and "--param NAME=VALUE" in help_text
    assert "optimal-lr: learning_rate = 0.1 (a number from 1e-06 to 1000)" in help_text


@pytest.mark.parametrize("command", [("basins", "--method", "newton"),
                                     ("export", "--start", "1,1", "--out", "never.png")])
def test_a_range_beyond_the_usable_one_is_refused_with_its_limit(capsys, command, tmp_path,
                                                                 monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, *command, "--function", "x",
                             "--range=-1e308,1e308,-1e308,1e308")
    assert code == 2 and out == "" and not (tmp_path / "never.png").exists()
    assert "too large: every coordinate must lie within -1e+12 and 1e+12" in err
