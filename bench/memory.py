"""Memory of a long run: a 1,000,000-step run's history against its bound, and the process's peak memory.

    python bench/memory.py [--steps 1000000]
"""

from __future__ import annotations

import argparse
import resource
import time

import gd_core
from gd_core.history import MAX_HISTORY_BYTES


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def history_bytes(history) -> int:
    return sum(a.nbytes for a in (*history._columns.values(), history._params, history._grads))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1_000_000)
    args = parser.parse_args()
    before = peak_rss_mib()
    start = time.perf_counter()
    # the MLP's rows are 16x wider: a shorter run already reaches its bound
    for problem, extra, steps in (("linear_regression", {"batch_size": 32}, args.steps),
                                  ("mlp", {"batch_size": 16}, min(args.steps, 300_000))):
        trainer = gd_core.Trainer({"problem": problem, **extra, "optimizer": {"name": "adam", "lr": 1e-3},
                                   "steps": steps})
        trainer.advance()
        h = trainer.history
        print(f"{problem:18s} {steps:,} steps ({len(trainer.problem.param_names)} parameters): "
              f"{len(h):,} rows kept ("
              + ("every step" if h.stride == 1 else f"the first {h.head:,} steps, then every {h.stride}"
                 f"{'nd' if h.stride == 2 else 'th'} step, and the last") + "), "
              f"history {history_bytes(h) / 2**20:5.1f}"
              f" MiB of a {MAX_HISTORY_BYTES / 2**20:.0f} MiB bound; ratio {history_bytes(h) / MAX_HISTORY_BYTES:.2f}")
    print(f"process peak memory {peak_rss_mib():.0f} MiB (before the runs {before:.0f} MiB); "
          f"{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
