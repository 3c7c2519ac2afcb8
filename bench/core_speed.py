"""Core speed: gd_core.run against a hand-written numpy loop doing the same recorded work.

Linear regression, n = 10,000, mini-batch 32 (shuffled epochs), plain SGD, and per row the full loss (from
sufficient statistics) and the full-gradient norm, recorded in preallocated arrays. Prints steps/s of both and
their ratio (target: >= 0.5, aim 1.0), then the full-loss and contour-grid cost at growing n (flat = O(d^2)),
then one pass over the data of the largest problems the size limit allows (MAX_PASS_WORK: about 0.1 s each; the
spread between them shows how well the work model predicts their cost).

    python bench/core_speed.py [--steps 20000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import math

import numpy as np
from timing import best_time

import gd_core

N, BATCH, LR = 10_000, 32, 0.01


def config(steps):
    return {"problem": "linear_regression", "data": {"name": "linear", "n_samples": N}, "variant": "minibatch",
            "batch_size": BATCH, "optimizer": {"name": "plain", "lr": LR}, "steps": steps, "seed": 0}


def hand_written(problem, steps):
    """The same work written as one plain loop: sample, gradient, update, full loss and gradient, record."""
    A, y, C, theta_star, min_loss = problem.A, problem.y, problem.C, problem.theta_star, problem.min_loss
    rng = np.random.default_rng(np.random.SeedSequence(0).spawn(2)[0])
    theta = np.zeros(A.shape[1])
    params = np.empty((steps + 1, A.shape[1]))
    losses, grad_norms, batch_losses = np.empty(steps + 1), np.empty(steps + 1), np.empty(steps + 1)
    order, pos = np.arange(0), 0
    for t in range(1, steps + 1):
        if pos >= len(order):
            order, pos = rng.permutation(N), 0
        idx = order[pos:pos + BATCH]
        pos += len(idx)
        Ab, yb = A[idx], y[idx]
        r = Ab @ theta - yb
        batch_losses[t] = r @ r / len(idx)
        theta = theta - LR * (2.0 / len(idx)) * (r @ Ab)
        delta = theta - theta_star
        c_delta = delta @ C
        losses[t] = min_loss + delta @ c_delta
        grad_norms[t] = 2.0 * math.sqrt(c_delta @ c_delta)
        params[t] = theta
    return params


def best_rate(fn, steps, repeats):
    return steps / best_time(fn, repeats)


def flat_cost(repeats=5):
    """Full loss (one call) and a 100x100 contour grid at n = 1e3 and 1e6: the time ratio should be ~1."""
    out = {}
    for n in (1_000, 1_000_000):
        problem = gd_core.build_problem(gd_core.validate({"data": {"name": "linear", "n_samples": n}}))
        theta = np.array([0.5, 0.5])
        loss_rate = best_rate(lambda p=problem, t=theta: [p.full_loss_and_grad(t) for _ in range(10_000)], 10_000,
                              repeats + 2)
        grid_rate = best_rate(lambda p=problem: gd_core.loss_grid(p, (-1, 3), (-1, 3), 100), 1, repeats)
        out[n] = (loss_rate, grid_rate)
    return out


LARGEST = (  # each at the most samples check_pass_work allows
    ("MLP 2-8-1, moons", {"problem": "mlp", "data": {"name": "moons", "n_samples": 344_352}}),
    ("MLP 2-256-256-256-256-1", {"problem": "mlp", "data": {"name": "moons", "n_samples": 1_903},
                                 "hidden": [256, 256, 256, 256]}),
    ("MLP 2-64-64-6, spiral", {"problem": "mlp", "data": {"name": "spiral", "n_samples": 21_057, "n_classes": 6},
                               "hidden": [64, 64]}),
    ("logistic regression, 1e6 samples", {"problem": "logistic_regression",
                                          "data": {"name": "blobs", "n_samples": 1_000_000}}),
)


def largest_passes(repeats=3) -> dict[str, float]:
    """Seconds of one full loss-and-gradient pass of each of the LARGEST problems."""
    out = {}
    for label, config in LARGEST:
        problem = gd_core.resolve(config)[1]
        theta = problem.default_init
        out[label] = best_time(lambda p=problem, t=theta: p.full_loss_and_grad(t), repeats)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    problem = gd_core.Trainer(config(1)).problem
    ours = gd_core.run(config(args.steps)).params
    np.testing.assert_allclose(hand_written(problem, args.steps)[1:], ours[1:], rtol=1e-12)  # same work
    core = best_rate(lambda: gd_core.run(config(args.steps)), args.steps, args.repeats)
    hand = best_rate(lambda: hand_written(problem, args.steps), args.steps, args.repeats)
    print(f"linear regression n={N:,}, mini-batch {BATCH}, {args.steps:,} steps, best of {args.repeats}")
    print(f"  hand-written numpy loop : {hand:10,.0f} steps/s")
    print(f"  gd_core.run             : {core:10,.0f} steps/s")
    print(f"  ratio core / hand       : {core / hand:10.2f}   (target >= 0.50)")
    costs = flat_cost()
    (loss_small, grid_small), (loss_big, grid_big) = costs[1_000], costs[1_000_000]
    print("full loss + gradient and 100x100 contour grid, n = 1,000 vs 1,000,000 (1.0 = independent of n)")
    print(f"  full loss  time ratio n=1e6 / n=1e3 : {loss_small / loss_big:6.2f}")
    print(f"  grid       time ratio n=1e6 / n=1e3 : {grid_small / grid_big:6.2f}")
    passes = largest_passes()
    print("one pass over the data, largest problems the size limit allows (aim: about 100 ms each)")
    for label, seconds in passes.items():
        print(f"  {label:34s}: {seconds * 1000:7.1f} ms")
    print(f"  slowest / fastest                 : {max(passes.values()) / min(passes.values()):7.2f}")


if __name__ == "__main__":
    main()
