"""Wall-clock medians of repeated runs, in milliseconds (the engine's and the window's benchmarks)."""

from __future__ import annotations

import statistics
import time


def interleaved_median_ms(fns, repeat: int = 11) -> list[float]:
    """Median wall times (ms) of several functions run in turn, so that a shared machine's
    changes of speed fall on all of them alike: their ratios stay meaningful."""
    for fn in fns:
        fn()  # warm-up
    times = [[] for _ in fns]
    for _ in range(repeat):
        for fn, out in zip(fns, times):
            t0 = time.perf_counter()
            fn()
            out.append((time.perf_counter() - t0) * 1000)
    return [statistics.median(t) for t in times]


def median_ms(fn, repeat: int = 7, warmup: int = 1) -> float:
    """Median wall time of fn() in milliseconds."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def spread_ms(fn, repeat: int = 5, warmup: int = 1) -> dict:
    """Min, median and max wall time of fn() in milliseconds (one decimal)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return {"min": round(min(times), 1), "median": round(statistics.median(times), 1),
            "max": round(max(times), 1)}
