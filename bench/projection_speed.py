"""Landscape projection: the loss on the trajectory plane of an MLP. The grid is evaluated vectorised over the
samples (each pass pushes all n samples through the network for a chunk of grid points at once); the
reference evaluates the same network one sample at a time in Python, timed on a few grid points and scaled.

    python bench/projection_speed.py [--resolution 70] [--samples 200 2000]
"""

from __future__ import annotations

import argparse

import numpy as np
from timing import best_time

import gd_core
from gd_core.landscape import plane_extent, plane_grid, trajectory_plane


def per_sample_loss(problem, params):
    """The same mean cross-entropy, one sample at a time (the reference, not vectorised over samples)."""
    total = 0.0
    for x, target in zip(problem.X, problem.targets):
        a = x[None, :]
        for l, (w, b, fan_in, fan_out) in enumerate(problem.layers):
            z = a @ params[w].reshape(fan_in, fan_out) + params[b]
            a = z if l == len(problem.layers) - 1 else problem.act(z)
        total += float(problem._loss(a[None], target[None, None, :])[0][0])
    return total / problem.n_samples


def measure(n: int, resolution: int) -> None:
    trainer = gd_core.Trainer({"problem": "mlp", "data": {"name": "moons", "n_samples": n}, "batch_size": 16,
                               "optimizer": {"name": "adam", "lr": 0.03}, "steps": 300})
    trainer.advance()
    problem, params = trainer.problem, trainer.history.params
    plane = trajectory_plane(params)
    a_range, b_range = plane_extent(plane.project(params))
    fit = best_time(lambda: trajectory_plane(params), 3)
    vectorised = best_time(lambda: plane_grid(problem, plane, a_range, b_range, resolution), 3)
    a = np.linspace(*a_range, resolution)
    b = np.linspace(*b_range, resolution)
    points = plane.points(*np.meshgrid(a, b)).reshape(-1, problem.n_params)
    few = points[:: max(1, len(points) // 20)]
    per_sample = best_time(lambda: [per_sample_loss(problem, p) for p in few], 1) / len(few) * len(points)
    for p in few[:3]:
        assert abs(per_sample_loss(problem, p) - problem.full_loss(p)) < 1e-12
    print(f"  n = {n:5,}: plane fit {fit * 1000:5.1f} ms; grid vectorised over samples "
          f"{vectorised * 1000:7.1f} ms ({vectorised / len(points) * 1e6:5.1f} µs a point); "
          f"one sample at a time {per_sample:7.1f} s - {per_sample / vectorised:6.0f}x slower")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolution", type=int, default=70)
    parser.add_argument("--samples", type=int, nargs="+", default=[200, 2000])
    args = parser.parse_args()
    print(f"MLP 2-8-1 (33 parameters) on moons, {args.resolution}x{args.resolution} plane grid")
    for n in args.samples:
        measure(n, args.resolution)

if __name__ == "__main__":
    main()
