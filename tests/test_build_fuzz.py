"""Fuzz the build: 2,000 generated functions (ordinary, odd and hostile; tests/fuzz_texts.py),
in 1D and 2D, each built with the default budget. Every one must be accepted, or refused with
the program's own error, within the budget; nothing else may escape.

Two batches run at once in subprocesses (CI has two cores): the 2D texts through pool workers
(the window's way), the 1D texts through forks (the command line's way). The slack on the
budget covers starting and killing a process on a busy machine: a hang detector.
"""

import json
import subprocess
import sys
from pathlib import Path

from hessianlens.engine.build import DEFAULT_BUDGET_S

BATCHES = [("plane", 18, 1200, "pool"), ("line", 19, 800, "fork")]
SLACK_S = 3.0


def test_every_generated_function_is_built_or_refused_within_the_budget():
    script = Path(__file__).with_name("fuzz_texts.py")
    procs = [subprocess.Popen([sys.executable, "-W", "error", str(script), *map(str, batch)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for batch in BATCHES]
    rows = []
    for proc in procs:
        out, err = proc.communicate(timeout=900)
        assert proc.returncode == 0, err[-3000:]
        assert "Traceback" not in err, err[-3000:]
        rows += json.loads(out)
    assert len(rows) >= 2000
    failed = [r for r in rows if r[0] == "failed"]
    assert not failed, failed[:5]
    late = [r for r in rows if r[1] > DEFAULT_BUDGET_S + SLACK_S]
    assert not late, late[:5]
    counts = {k: sum(r[0] == k for r in rows) for k in ("accepted", "refused")}
    assert counts["accepted"] > 500 and counts["refused"] > 500, counts  # the mix is real
