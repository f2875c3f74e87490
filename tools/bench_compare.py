"""Two versions of Hessian Lens side by side in one run: ``hessianlens bench``'s window,
start-up and fields-over-f measurements, rounds alternating old and new so that a shared
machine's changes of speed fall on both alike; min/median/max of each figure.

    python tools/bench_compare.py --old OLD/.venv/bin/python --new .venv/bin/python --rounds 3

Each ``--old``/``--new`` is the interpreter of a checkout with the program installed. The
drivers are this checkout's (app/hessianlens/ui/bench_window.py and bench_startup.py), loaded
by path into each version: they use only Qt and the window's long-standing attributes. Run it
with the newer version's python (it reads the functions of hessianlens.bench).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
UI = os.path.join(HERE, os.pardir, "app", "hessianlens", "ui")
WINDOW_DRIVER = os.path.abspath(os.path.join(UI, "bench_window.py"))
STARTUP_DRIVER = os.path.abspath(os.path.join(UI, "bench_startup.py"))
BENCH = os.path.abspath(os.path.join(UI, os.pardir, "bench.py"))  # FIELD_FUNCTIONS
# Run in each version's interpreter; prints one line "JSON{...}".
WINDOW = """
import importlib.util, json, sys
try:  # as the version's window runs (hessianlens.memory, where it exists)
    from hessianlens.memory import keep_freed_memory
    keep_freed_memory()
except ImportError:
    pass
spec = importlib.util.spec_from_file_location("hl_bench_window", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
if sys.argv[3]:  # only these overlays (an older version draws fewer)
    every, keep = mod.overlay_names, sys.argv[3].split(",")
    mod.overlay_names = lambda view: [name for name in every(view) if name in keep]
print("JSON" + json.dumps(mod.window_samples(1, int(sys.argv[2]), 1)))
"""
FIELDS = """
import json, sys, time
try:  # as the version's window runs (hessianlens.memory, where it exists)
    from hessianlens.memory import keep_freed_memory
    keep_freed_memory()
except ImportError:
    pass
from hessianlens.engine.fields import Rect, compute_fields, compute_value
from hessianlens.engine.objective import objective_from_text
try:  # the window's field job with every overlay on, as the version's bench times it
    from hessianlens.bench import window_fields
except ImportError:  # before it had one: the plane's fields and the Newton arrows' 24 x 24
    def window_fields(o, rect):
        return compute_fields(o, rect, 512), compute_fields(o, rect, 24)
out = {}
for name, (text, view) in json.loads(sys.argv[1]).items():
    o, rect = objective_from_text(text), Rect(*view)
    fns = [lambda: compute_value(o, rect, 512), lambda: window_fields(o, rect)]
    for fn in fns:
        fn()
    t = [[], []]
    for _ in range(int(sys.argv[2])):
        for fn, times in zip(fns, t):
            t0 = time.perf_counter(); fn(); times.append((time.perf_counter() - t0) * 1000)
    out[name] = t
print("JSON" + json.dumps(out))
"""


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def child(python: str, code: str, *args) -> dict | None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    r = subprocess.run([python, "-c", code, *args], capture_output=True, text=True, env=env,
                       timeout=1800)
    line = next((s for s in r.stdout.splitlines() if s.startswith("JSON")), None)
    if line is None:
        print(python, "failed:", r.stderr[-2000:], file=sys.stderr)
        return None
    return json.loads(line[4:])


def spread(x) -> str:
    if not x:
        return "-"
    return f"{min(x):7.1f} {statistics.median(x):7.1f} {max(x):7.1f} (n={len(x)})"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--old", required=True, help="the older version's python")
    p.add_argument("--new", required=True, help="the newer version's python")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--clicks", type=int, default=8, help="clicks per round and version")
    p.add_argument("--starts", type=int, default=2,
                   help="cold starts per round, version and platform")
    p.add_argument("--parts", default="window,startup,fields")
    p.add_argument("--overlays", default="", help="the window's overlays, comma-separated "
                   "(default: every overlay each version has)")
    p.add_argument("--json", help="also write every sample to this file")
    a = p.parse_args(argv)
    parts = a.parts.split(",")
    startup = load(STARTUP_DRIVER, "hl_bench_startup")
    functions = json.dumps(load(BENCH, "hl_bench").FIELD_FUNCTIONS)
    py = {"old": a.old, "new": a.new}
    keys = ("apply", "click", "frames", "rate", "start_off", "start_off_plane", "start_xcb",
            "start_xcb_plane", "version")
    s = {v: {**{k: [] for k in keys}, "apply_by": {}, "fields": {}} for v in py}
    xvfb, display = startup.start_xvfb() if "startup" in parts else (None, None)
    try:
        for i in range(a.rounds):
            for v in (("old", "new") if i % 2 == 0 else ("new", "old")):
                print(f"round {i} {v} load {os.getloadavg()[0]:.2f}", file=sys.stderr, flush=True)
                d = (child(py[v], WINDOW, WINDOW_DRIVER, str(a.clicks), a.overlays)
                     if "window" in parts else None)
                if d:
                    for name, t in d["apply"].items():
                        s[v]["apply"] += t
                        s[v]["apply_by"].setdefault(name, []).extend(t)
                    s[v]["click"] += d["click"]
                    s[v]["frames"] += d["frames"]
                    s[v]["rate"] += d["steps_per_s"]
                for _ in range(a.starts if "startup" in parts else 0):
                    for platform, key in (("offscreen", "start_off"), ("xcb", "start_xcb")):
                        if platform == "xcb" and not display:
                            continue
                        r = startup.launch_once(py[v], platform, display)
                        if "error" in r:
                            print(v, platform, r["error"], file=sys.stderr)
                            continue
                        s[v][key].append(r["first_paint_ms"])
                        s[v][key + "_plane"].append(r["plane_ms"])
                    s[v]["version"].append(startup.version_once(startup.version_command(py[v])))
                d = child(py[v], FIELDS, functions, "9") if "fields" in parts else None
                for name, (f, fields) in (d or {}).items():
                    pair = s[v]["fields"].setdefault(name, [[], []])
                    pair[0] += f
                    pair[1] += fields
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait()
    rows = [("apply_function_ms", "apply"), ("click_ms", "click"),
            ("playback_frame_ms", "frames"), ("playback_steps_per_s", "rate"),
            ("cold start offscreen ms", "start_off"), ("  ... plane painted", "start_off_plane"),
            ("cold start xcb (Xvfb) ms", "start_xcb"), ("  ... plane painted", "start_xcb_plane"),
            ("--version ms", "version")]
    print(f"{'figure':28s} | {'old min median max':32s} | {'new min median max':32s}")
    for label, key in rows:
        print(f"{label:28s} | {spread(s['old'][key]):32s} | {spread(s['new'][key]):32s}")
    for name in s["new"]["apply_by"]:
        print(f"  apply {name:20s} | {spread(s['old']['apply_by'].get(name, [])):32s} | "
              f"{spread(s['new']['apply_by'][name]):32s}")

    def ratio(v, name):
        f, fields = s[v]["fields"].get(name, [[], []])
        if not f:
            return "-"
        pairs = [b / a for a, b in zip(f, fields)]
        return (f"{statistics.median(fields) / statistics.median(f):5.2f} "
                f"(pairs {min(pairs):.2f}-{max(pairs):.2f})")

    for name in s["new"]["fields"]:
        print(f"  fields/f {name:17s} | {ratio('old', name):32s} | {ratio('new', name):32s}")
    if a.json:
        with open(a.json, "w") as out:
            json.dump(s, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
