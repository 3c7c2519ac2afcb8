"""Memory of a long run: a 1,000,000-step run's history against its bound, and the process's peak memory.

    python bench/memory.py [--steps 1000000]
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

import gd_core
from gd_core.history import MAX_HISTORY_BYTES


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def granularity(rows: int, stride: int, head: int) -> str:
    """How a record's rows stand for the run's steps: "every step", or its head then a stride."""
    if stride == 1:
        return f"{rows:,} rows, every step"
    return f"{rows:,} rows: the first {head:,} steps, then every {stride}{'nd' if stride == 2 else 'th'} step"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1_000_000)
    args = parser.parse_args()
    before = peak_rss_mib()
    start = time.perf_counter()
    # the MLPs' rows of parameters are far wider: a shorter run already reaches their bound. The last is the MLP
    # lesson's network, whose loss curve keeps every step long after its parameters thinned
    for problem, extra, steps in (("linear_regression", {"batch_size": 32}, args.steps),
                                  ("mlp", {"batch_size": 16}, min(args.steps, 300_000)),
                                  ("mlp", {"batch_size": 16, "hidden": [256, 256],
                                           "data": {"name": "moons", "n_samples": 64}}, min(args.steps, 300))):
        trainer = gd_core.Trainer({"problem": problem, **extra, "optimizer": {"name": "adam", "lr": 1e-3},
                                   "steps": steps})
        trainer.advance()
        h = trainer.history
        print(f"{problem:18s} {steps:,} steps ({len(trainer.problem.param_names):,} parameters): scalars "
              f"{granularity(len(h), h.stride, h.head)}; parameters "
              + ("the same rows" if np.array_equal(h.param_step, h.step)
                 else granularity(len(h.params), h.param_stride, h.param_head)) + "; "
              f"history {h.nbytes / 2**20:5.1f} MiB of a {MAX_HISTORY_BYTES / 2**20:.0f} MiB bound; "
              f"ratio {h.nbytes / MAX_HISTORY_BYTES:.2f}")
    print(f"process peak memory {peak_rss_mib():.0f} MiB (before the runs {before:.0f} MiB); "
          f"{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
