"""``hessianlens scaling`` through a subprocess, as a user runs it."""

import csv
import io
import json
import subprocess
import sys


def hl(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "hessianlens", *args], capture_output=True,
                          text=True, timeout=timeout)


def test_scaling_json_lists_every_run_with_its_counts():
    done = hl("scaling", "--problem", "quadratic", "--dims", "2,16,64", "--kappa", "50",
              "--methods", "gd,newton,lbfgs,newton-cg", "--format", "json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["problem"] == "quadratic" and out["kappa"] == 50 and out["dims"] == [2, 16, 64]
    runs = out["runs"]
    assert [(r["n"], r["method"]) for r in runs] == [
        (n, m) for n in (2, 16, 64) for m in ("gd", "newton", "lbfgs", "newton-cg")]
    for r in runs:
        assert {"problem", "n", "method", "iterations", "seconds", "status", "f", "f_evals",
                "grad_evals", "hess_evals", "hessp_evals"} <= set(r)
        assert r["status"] == "converged"
    newton = [r for r in runs if r["method"] == "newton"]
    assert all(r["iterations"] == 1 and r["hess_evals"] == 1 for r in newton)
    assert {c["method"] for c in out["crossovers"]} == {"gd", "lbfgs", "newton-cg"}
    assert all(c["text"].startswith("Newton ") for c in out["crossovers"])


def test_scaling_logistic_uses_the_data_sets_n_and_csv():
    done = hl("scaling", "--problem", "logistic", "--methods", "newton,bfgs", "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(r["n"], r["method"], r["status"]) for r in rows] == [
        ("31", "newton", "converged"), ("31", "bfgs", "converged")]
    assert abs(float(rows[0]["f"]) - float(rows[1]["f"])) < 1e-8


def test_scaling_errors_name_the_valid_choices_and_exit_2():
    bad = hl("scaling", "--problem", "quadratic", "--methods", "gd,adam")
    assert bad.returncode == 2
    assert "unknown method 'adam'" in bad.stderr and "newton-cg" in bad.stderr
    assert "Traceback" not in bad.stderr
    bad = hl("scaling", "--problem", "cubic")
    assert bad.returncode == 2 and "quadratic" in bad.stderr and "logistic" in bad.stderr
    bad = hl("scaling", "--problem", "rosenbrock", "--dims", "2,5")
    assert bad.returncode == 2 and "even n" in bad.stderr
    bad = hl("scaling", "--problem", "quadratic", "--dims", "2,x")
    assert bad.returncode == 2 and "whole numbers" in bad.stderr
    # The first bad n as the user typed them, not the smallest.
    bad = hl("scaling", "--problem", "quadratic", "--dims", "16,0,-3")
    assert bad.returncode == 2
    assert bad.stderr.strip().endswith("n must be between 2 and 16384, not 0")
