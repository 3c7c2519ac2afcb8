"""The trajectory plane (PCA through the final point) and the loss on it."""

import numpy as np

import gd_core
from gd_core.landscape import plane_extent, plane_grid, trajectory_plane


def test_plane_holds_a_planar_trajectory_exactly():
    rng = np.random.default_rng(0)
    basis = np.linalg.qr(rng.standard_normal((6, 2)))[0].T  # two orthonormal directions in R^6
    coords = np.c_[np.linspace(-3, 0, 50), np.sin(np.linspace(0, 3, 50))]
    origin = rng.standard_normal(6)
    params = origin + coords @ basis
    plane = trajectory_plane(params)
    np.testing.assert_allclose(plane.origin, params[-1])
    np.testing.assert_allclose(plane.directions @ plane.directions.T, np.eye(2), atol=1e-12)
    projected = plane.project(params)
    np.testing.assert_allclose(plane.points(projected[:, 0], projected[:, 1]), params, atol=1e-10)
    assert plane.explained.sum() > 0.999


def test_degenerate_trajectories_still_give_a_plane():
    line = np.outer(np.linspace(0, 1, 10), np.array([1.0, 2.0, 0.0]))
    plane = trajectory_plane(line)
    np.testing.assert_allclose(plane.directions @ plane.directions.T, np.eye(2), atol=1e-12)
    single = trajectory_plane(np.array([[1.0, 2.0, 3.0]]))
    np.testing.assert_allclose(single.directions @ single.directions.T, np.eye(2), atol=1e-12)


def test_plane_grid_matches_pointwise_losses():
    trainer = gd_core.Trainer({"problem": "mlp", "variant": "batch", "optimizer": {"name": "adam", "lr": 0.05},
                               "steps": 60})
    trainer.advance()
    plane = trajectory_plane(trainer.history.params)
    a_range, b_range = plane_extent(plane.project(trainer.history.params))
    a, b, Z = plane_grid(trainer.problem, plane, a_range, b_range, resolution=12)
    for i, j in ((0, 0), (5, 7), (11, 3)):
        assert Z[i, j] == trainer.problem.full_loss(plane.points(np.array(a[j]), np.array(b[i])))
    assert Z.min() <= trainer.history.loss[-1] + 1e-12 or Z.shape == (12, 12)


def test_grids_over_large_problems_get_coarser_within_the_work_budget():
    from gd_core.landscape import GRID_WORK, MIN_RESOLUTION, affordable_resolution
    small = gd_core.resolve({"problem": "mlp", "data": {"name": "moons", "n_samples": 200}})[1]
    big = gd_core.resolve({"problem": "mlp", "data": {"name": "moons", "n_samples": 200},
                           "hidden": [256, 256, 256, 256]})[1]
    largest = gd_core.resolve({"problem": "mlp", "data": {"name": "moons", "n_samples": 344_352}})[1]
    assert affordable_resolution(small, 80) == 80  # the default network: the full grid
    coarse = affordable_resolution(big, 80)
    assert MIN_RESOLUTION < coarse < 80 and coarse ** 2 * big.pass_work <= GRID_WORK
    assert affordable_resolution(largest, 80) == MIN_RESOLUTION
    assert big.pass_work == 200 * (197_376 + 320 * (4 * 256 + 1))  # weights + 320 per unit, per sample
