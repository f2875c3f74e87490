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


def times_ms(fn, repeat: int = 7, warmup: int = 1) -> list[float]:
    """Wall times of repeated fn() calls in milliseconds, after warmup calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def median_ms(fn, repeat: int = 7, warmup: int = 1) -> float:
    """Median wall time of fn() in milliseconds."""
    return statistics.median(times_ms(fn, repeat, warmup))


def spread_ms(fn, repeat: int = 7, warmup: int = 1) -> dict[str, float]:
    """{min, median, max} wall time of fn() in milliseconds, rounded to 0.1 ms."""
    times = times_ms(fn, repeat, warmup)
    return {k: round(v, 1) for k, v in (("min", min(times)),
                                         ("median", statistics.median(times)),
                                         ("max", max(times)))}
