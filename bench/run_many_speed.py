"""run_many scaling: 64 runs of a learning-rate sweep in one vectorised pass against one run of the same config.

Linear regression, n = 10,000, mini-batch 32, Adam, 2,000 steps; the 64 runs differ in learning rate (one
seed, so they share each step's batch), in a second line also in seed (each run draws its own batches), and in a
third share 4 seeds among them (one permutation and one batch gather per seed). Targets: 64 runs cost at most 2x
one run with one seed, at most 3x with a seed each.

    python bench/run_many_speed.py [--steps 2000] [--runs 64] [--rounds 5]
"""

from __future__ import annotations

import argparse
import math

import numpy as np
from timing import best_time

import gd_core


def config(steps, lr=0.01, seed=0):
    return {"problem": "linear_regression", "data": {"name": "linear", "n_samples": 10_000}, "variant": "minibatch",
            "batch_size": 32, "optimizer": {"name": "adam", "lr": lr}, "steps": steps, "seed": seed}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    lrs = np.geomspace(1e-4, 1.0, args.runs)
    cases = {"one": [config(args.steps)],
             "shared": [config(args.steps, float(lr)) for lr in lrs],
             "seeded": [config(args.steps, float(lr), seed=k) for k, lr in enumerate(lrs)],
             "four": [config(args.steps, float(lr), seed=k % 4) for k, lr in enumerate(lrs)]}
    gd_core.run_many(cases["one"])  # warm-up: first-use costs are nobody's
    best = dict.fromkeys(cases, math.inf)
    for _ in range(args.rounds):  # interleaved: a burst of load on a shared machine hits every case alike
        for name, configs in cases.items():
            best[name] = min(best[name], best_time(lambda c=configs: gd_core.run_many(c), repeats=1))
    one, shared, seeded, four = best.values()
    print(f"linear regression n=10,000, mini-batch 32, Adam, {args.steps:,} steps "
          f"(best of {args.rounds} interleaved rounds)")
    print(f"  1 run                          : {one * 1000:8.1f} ms")
    print(f"  {args.runs} runs, one seed          : {shared * 1000:8.1f} ms   ratio {shared / one:5.2f} (target <= 2)")
    print(f"  {args.runs} runs, one seed each     : {seeded * 1000:8.1f} ms   ratio {seeded / one:5.2f} (target <= 3)")
    print(f"  {args.runs} runs, 4 seeds shared    : {four * 1000:8.1f} ms   ratio {four / one:5.2f}")


if __name__ == "__main__":
    main()
