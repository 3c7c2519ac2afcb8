"""Shared by the benchmarks: best-of-N wall time of a call."""

from __future__ import annotations

import math
import time


def best_time(fn, repeats: int = 3) -> float:
    """The shortest of ``repeats`` wall times of ``fn()`` (the least disturbed by a shared, noisy machine)."""
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best
