"""``hessianlens rates`` and ``hessianlens sweep`` through a subprocess, as a user runs them."""

import json
import subprocess
import sys

import pytest

from hessianlens.engine.rates import KEYS


def hl(*args):
    return subprocess.run([sys.executable, "-m", "hessianlens", *args], capture_output=True,
                          text=True, timeout=120)


def test_rates_json_has_exactly_the_keys_and_the_numbers():
    done = hl("rates", "--function", "x**2 + 10*y**2", "--at", "1,1")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert tuple(out) == KEYS == (
        "cauchy", "inverse_lambda_max", "best_quadratic", "stability_edge", "line_minimum",
        "newton_line_minimum", "gradient", "hessian", "eigenvalues", "message")
    assert out["cauchy"] == pytest.approx(404 / 8008)
    assert out["stability_edge"] == 0.1 and out["inverse_lambda_max"] == 0.05
    assert out["best_quadratic"] == pytest.approx(2 / 22)
    assert set(out["line_minimum"]) == {"eta", "f"}
    assert out["line_minimum"]["eta"] == pytest.approx(404 / 8008, rel=1e-7)
    assert set(out["newton_line_minimum"]) == {"t", "f"}
    assert out["newton_line_minimum"]["t"] == pytest.approx(1)


def test_rates_at_a_saddle_prints_nulls_and_the_reason():
    done = hl("rates", "--function", "sin(x0)**2 + sin(10 + x1*x0/2)*cos(x0)", "--at",
              "3.1,1.3")
    out = json.loads(done.stdout)  # strict JSON: no NaN
    assert done.returncode == 0
    assert out["cauchy"] is None and out["best_quadratic"] is None
    assert out["newton_line_minimum"] is None
    assert "no minimum in that direction" in out["message"]


def test_rates_text_is_one_line_per_key():
    done = hl("rates", "--function", "x**2 + 10*y**2", "--at", "1,1", "--format", "text")
    lines = done.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == list(KEYS)
    assert "stability_edge: 0.1" in lines
    assert lines[4].startswith("line_minimum: eta 0.0504495")


def test_sweep_json_lists_every_rate_with_lr_status_steps_f():
    done = hl("sweep", "--function", "x**2 + 10*y**2", "--start", "1,1", "--method", "gd",
              "--lr-range", "0.01,1", "--num", "7", "--steps", "1000")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    rates = out["rates"]
    assert len(rates) == 7 and all(set(r) == {"lr", "status", "steps", "f"} for r in rates)
    assert rates[0]["lr"] == 0.01 and rates[-1]["lr"] == 1.0
    assert [r["status"] for r in rates] == ["converged"] * 3 + ["max_steps"] + ["diverged"] * 3
    assert out["method"] == "gd" and out["max_steps"] == 1000


def test_sweep_takes_the_methods_other_parameters_but_not_its_rate():
    done = hl("sweep", "--function", "x**2 + y**2", "--start", "1,1", "--method", "newton",
              "--lr-range", "0.5,2", "--num", "3", "--param", "learning_rate=1")
    assert done.returncode == 2 and "--lr-range" in done.stderr


@pytest.mark.parametrize("args,words", [
    (("--lr-range", "1,0.5", "--num", "5"), "LOW < HIGH"),
    (("--lr-range", "0,1", "--num", "5"), "LOW < HIGH"),
    (("--lr-range", "0.1,1", "--num", "1"), "between 2 and"),
    (("--lr-range", "0.1,1,2", "--num", "5"), "two rates"),
])
def test_sweep_refuses_bad_ranges_with_exit_code_2(args, words):
    done = hl("sweep", "--function", "x**2", "--start", "1,1", "--method", "gd", *args)
    assert done.returncode == 2 and words in done.stderr


def test_a_bad_function_is_exit_code_2_with_a_caret():
    done = hl("rates", "--function", "x**2 +* y", "--at", "1,1")
    assert done.returncode == 2 and "^" in done.stderr
