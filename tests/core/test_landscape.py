"""The trajectory plane (PCA through the final point) and the loss on it."""

import math
import warnings

import numpy as np
import pytest

import gd_core
from gd_core.landscape import (
    CANCEL_WORK,
    PLOT_LIMIT,
    batch_contours,
    contour_levels,
    display_surface,
    framing_bounds,
    hover_loss,
    iso_segments,
    joined_lines,
    loss_grid,
    plane_extent,
    plane_grid,
    slice_minimum,
    step_arrows,
    trajectory_plane,
    within_reach,
)


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


def test_a_large_grid_asks_whether_it_is_cancelled_every_cancel_work_and_stops():
    """A window closed while its surface was computed waited for all of it (0.9 s of closing lesson 21): the
    grid is evaluated in pieces of at most CANCEL_WORK, and stops (None) once ``cancelled()`` says so."""
    problem = gd_core.resolve({"problem": "mlp", "hidden": [16, 16], "data": {"name": "spiral", "n_samples": 200}})[1]
    piece = int(CANCEL_WORK // problem.pass_work)
    sizes = []
    grid_loss = problem.grid_loss
    problem.grid_loss = lambda points: sizes.append(len(points)) or grid_loss(points)
    plane = trajectory_plane(np.random.default_rng(0).standard_normal((5, problem.n_params)))
    asked = []
    assert plane_grid(problem, plane, (-1, 1), (-1, 1), 30, cancelled=lambda: asked.append(1) or len(asked) > 2) \
        is None
    assert sizes == [piece, piece] and len(asked) == 3
    assert loss_grid(problem, (-1, 1), (-1, 1), 30, cancelled=lambda: True) is None
    sizes.clear()
    a, b, Z = plane_grid(problem, plane, (-1, 1), (-1, 1), 30)  # never cancelled: the whole grid, as in one piece
    assert sum(sizes) == 900 and max(sizes) == piece
    np.testing.assert_allclose(Z, grid_loss(plane.points(*np.meshgrid(a, b))), rtol=1e-12)


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


def test_grid_value_interpolates_the_grid_bilinearly():
    from gd_core.landscape import grid_value
    xs, ys = np.array([0.0, 1.0, 3.0]), np.array([-1.0, 1.0])
    Z = np.add.outer(2 * ys, xs)  # Z[i, j] = xs[j] + 2*ys[i]: bilinear interpolation is exact
    for x, y in ((0.0, -1.0), (3.0, 1.0), (0.5, 0.0), (2.2, 0.7)):
        assert grid_value(xs, ys, Z, x, y) == pytest.approx(x + 2 * y)
    assert np.isnan(grid_value(xs, ys, Z, 3.1, 0.0)) and np.isnan(grid_value(xs, ys, Z, 0.0, -1.5))


def test_hover_reads_the_grid_on_screen_instead_of_a_pass_over_large_data(monkeypatch):
    from gd_core.landscape import HOVER_WORK, hover_loss, loss_grid
    cheap = gd_core.resolve({"problem": "quadratic"})[1]
    assert hover_loss(cheap, np.array([1.0, 2.0])) == (pytest.approx(0.5 * (1 + 10 * 4)), True)
    large = gd_core.resolve({"problem": "logistic_regression", "data": {"name": "blobs", "n_samples": 20_000}})[1]
    assert large.pass_work > HOVER_WORK
    grid = loss_grid(large, (-2, 2), (-2, 2), 41, anchor=np.zeros(3))
    expected = float(large.full_loss(np.array([0.5, -1.0, 0.0])))
    monkeypatch.setattr(type(large), "full_loss", lambda *args: pytest.fail("a pass over the data on a hover"))
    value, exact = hover_loss(large, np.array([0.5, -1.0, 0.0]), grid, (0.5, -1.0))
    assert not exact and value == pytest.approx(expected, rel=1e-12)  # (0.5, -1) is a grid point
    assert hover_loss(large, np.zeros(3)) is None  # no grid yet: no number rather than a stall


def test_class_regions_and_their_shading():
    from gd_core.landscape import class_regions, region_shading
    config, problem = gd_core.resolve({"problem": "mlp", "data": {"name": "moons", "n_samples": 50}})
    params = problem.default_init
    xs, ys, P = class_regions(problem, params, (-1, 2), (-1, 1), 7)
    assert P.shape == (7, 7, 2) and np.allclose(P.sum(axis=-1), 1)
    assert P[2, 3, 1] == pytest.approx(problem.class_probabilities(params, np.array([[xs[3], ys[2]]]))[0])
    winner, strength = region_shading(np.array([[0.5, 0.5], [0.9, 0.1], [0.3, 0.7]]))
    assert list(winner) == [0, 0, 1] and strength == pytest.approx([0.15, 0.8, 0.4])


def test_step_arrows_and_batch_contours_come_from_the_latest_step():
    from gd_core.landscape import batch_contours, step_arrows
    trainer = gd_core.Trainer({"problem": "linear_regression", "data": {"name": "linear", "n_samples": 40},
                               "batch_size": 4, "optimizer": {"name": "plain", "lr": 0.1}, "steps": 3})
    assert step_arrows(trainer.latest) is None
    trainer.advance()
    step, arrows = trainer.latest, step_arrows(trainer.latest)
    np.testing.assert_array_equal(arrows["update"], -0.1 * step.grad)  # plain gradient descent
    np.testing.assert_array_equal(arrows["full_gradient"], -0.1 * step.full_grad_before)
    xs, ys = np.linspace(-2, 2, 9), np.linspace(-1, 3, 9)
    lines = batch_contours(trainer.problem, xs, ys, step.indices)
    Z = np.array([[trainer.problem.loss_and_grad(np.array([x, y]), step.indices)[0] for x in xs[::2]]
                  for y in ys[::2]])
    surface = gd_core.landscape.display_surface(Z)
    expected = joined_lines(*iso_segments(xs[::2], ys[::2], surface, gd_core.landscape.contour_levels(surface, 8)))
    np.testing.assert_allclose(lines, expected, rtol=1e-12)


def _pieces(x, y):
    """The lines of a NaN-separated polyline as lists of points."""
    breaks = np.flatnonzero(np.isnan(x))
    return [list(zip(px, py)) for px, py in zip(np.split(x, breaks), np.split(y, breaks))]


def test_contour_segments_join_into_whole_lines():
    """Lesson 12 says the batch surface's contours are dashed; drawn as grid-cell segments a few pixels long,
    each restarting the dash pattern on a dash, they looked solid. Joined, a closed contour is one line, an open
    one (cut by the grid's edge) too, and every segment is still drawn."""
    xs, ys = np.linspace(-2, 2, 41), np.linspace(-2, 2, 41)
    bowl = xs[None, :] ** 2 + ys[:, None] ** 2
    # a closed circle, and one the grid cuts into four arcs (through grid points: segments of no length there)
    x, y = iso_segments(xs, ys, bowl, [1.0, 4.5])
    jx, jy = joined_lines(x, y)
    lines = [line[1:] if k else line for k, line in enumerate(_pieces(jx, jy))]
    assert len(lines) == 5
    circle = next(line for line in lines if np.hypot(*line[0]) < 1.01)
    assert circle[0] == circle[-1] and len(circle) == 1 + (len(x) - len(iso_segments(xs, ys, bowl, [4.5])[0])) // 2
    drawn = {frozenset(pair) for line in lines for pair in zip(line, line[1:])}
    assert drawn == {frozenset(pair) for pair in zip(zip(x[::2], y[::2]), zip(x[1::2], y[1::2])) if len(set(pair)) == 2}
    assert [len(a) for a in joined_lines(np.empty(0), np.empty(0))] == [0, 0]


def test_framing_bounds_take_in_every_start_and_keep_the_rest():
    bounds = np.array([[-0.5, 4.5], [-1.5, 2.5], [-3.0, 3.0]])
    starts = np.array([[-2.0, -2.0, 0.0], [1.0, 3.5, np.nan]])
    framed = framing_bounds(bounds, starts)
    np.testing.assert_allclose(framed[0], [-2.0 - 0.65, 4.5])  # widened past the start by a tenth of its width
    np.testing.assert_allclose(framed[1], [-2.0 - 0.45, 2.5])  # the NaN row is no start to take in
    np.testing.assert_array_equal(framed[2], bounds[2])
    np.testing.assert_array_equal(framing_bounds(bounds, np.empty((0, 3))), bounds)
    np.testing.assert_array_equal(framing_bounds(bounds, np.array([[0.0, 0.0, 0.0]])), bounds)


def test_a_slice_closes_where_its_own_loss_is_least_not_at_the_minimums_pair():
    """Lesson 23's degree-9 fit (ten parameters): the slice over (w1, w2) through the start is least at
    (2.16, 0.57), not at θ*'s (−2.39, −1.94) - a grid of the slice says so; through θ* it is θ*. Only a quadratic
    loss with a known minimum has one in closed form."""
    from gd_core.lesson_library import load_lesson
    config = load_lesson("23_overfitting_early_stopping").runs[1].config
    problem = gd_core.build_problem(gd_core.validate(config))
    start = np.zeros(problem.n_params)
    closes = slice_minimum(problem, (0, 1), start)
    xs, ys, Z = loss_grid(problem, (closes[0] - 1, closes[0] + 1), (closes[1] - 1, closes[1] + 1), 201, (0, 1), start)
    row, column = np.unravel_index(np.argmin(Z), Z.shape)
    assert abs(xs[column] - closes[0]) <= 0.01 and abs(ys[row] - closes[1]) <= 0.01  # the grid's step
    np.testing.assert_array_equal(closes[2:], start[2:])
    np.testing.assert_allclose(closes[:2], [2.156, 0.573], atol=1e-3)
    np.testing.assert_allclose(slice_minimum(problem, (3, 7), problem.minima[0]), problem.minima[0], atol=1e-6)
    for name in ("rosenbrock", "logistic_regression", "mlp"):
        other = gd_core.build_problem(gd_core.validate({"problem": name}))
        assert slice_minimum(other, (0, 1), other.default_init) is None, name


#: Starts a config allows (any finite number) whose losses and grid spans leave the float range.
FAR_STARTS = ([0.0, 2.8e77], [1e154, -1e154], [1e200, -1e200], [1.7976931348623157e308, -1.7976931348623157e308],
              [5e-324, -0.0])


@pytest.mark.parametrize("start", FAR_STARTS)
def test_a_far_start_gives_a_finite_plotted_surface_without_warnings(start):
    """A session may start a function at any finite point: the surface framing it stays finite (at most
    PLOT_LIMIT out), its overflowed losses are inf - drawn as the highest, as any non-finite loss - and nothing
    warns (the overflow warned from grid_loss and the plot showed garbage)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for spec in gd_core.PROBLEMS.values():
            if spec.kind != "function":
                continue
            problem = gd_core.build_problem(gd_core.validate({"problem": spec.name, "init": start}))
            framed = framing_bounds(problem.bounds, np.array([start]))
            assert np.isfinite(framed).all() and np.abs(framed).max() <= PLOT_LIMIT
            assert (np.diff(framed, axis=1) > 0).all()
            xs, ys, Z = loss_grid(problem, framed[0], framed[1], 40)
            surface = display_surface(Z)
            assert np.isfinite(surface).all() and surface.min() == 0
            iso_segments(xs, ys, surface, contour_levels(surface))
            assert hover_loss(problem, np.array(start, dtype=float))[1]
            batch_contours(problem, xs, ys, None)


def test_the_surface_of_losses_across_the_whole_float_range_is_finite_and_ordered():
    big = np.finfo(float).max
    Z = np.array([[-big, -1.0, 0.0], [1.0, big / 2, big]])
    surface = display_surface(Z)
    assert np.isfinite(surface).all() and surface[0, 0] == 0 and (np.diff(surface.ravel()) >= 0).all()
    np.testing.assert_allclose(surface[1, 2], np.log10(2) + np.log10(big), rtol=1e-12)  # log10(1 + big - (-big))
    np.testing.assert_array_equal(display_surface(np.array([1.0, 10.0, np.inf])), np.log10([1.0, 10.0, 10.0]))


def test_step_arrows_of_an_overflowing_step_are_quiet():
    """-γ·g with γ = inf (a rate schedule gone to inf) and a zero gradient component, or γ·g beyond the float
    range: NaN and inf arrows (not drawn), no warning - step_arrows ran outside the view's errstate."""
    from types import SimpleNamespace
    gradient = np.array([0.0, 1e300])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for lr in (np.inf, 1e12):
            record = SimpleNamespace(params_before=np.zeros(2), full_grad_before=gradient, grad=gradient,
                                     update=np.array([np.nan, np.inf]), lr=lr)
            assert not np.isfinite(step_arrows(record)["step_gradient"]).all()


def test_a_path_gone_far_out_still_gives_a_plane_and_a_finite_extent_without_warnings():
    """A network's path whose last rows reach 1e290 (or span the float range): PCA of the offsets overflowed
    (sv², offsets of ±1.8e308) - the plane comes from the same directions scaled down, its extent stays
    within PLOT_LIMIT."""
    rng = np.random.default_rng(1)
    path = rng.standard_normal((30, 5))
    big = np.finfo(float).max
    for far in (path[-1] * 1e290, np.array([big, -big, big, 0.0, 1.0])):
        params = np.vstack([path, far])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            plane = trajectory_plane(params)
            (a0, a1), (b0, b1) = plane_extent(plane.project(params))
        np.testing.assert_allclose(plane.directions @ plane.directions.T, np.eye(2), atol=1e-9)
        assert np.isfinite(plane.explained).all() and 0.99 < plane.explained.sum() <= 1 + 1e-12
        assert all(math.isfinite(v) and abs(v) <= 3 * PLOT_LIMIT for v in (a0, a1, b0, b1)) and a1 > a0


def test_far_3d_path_points_come_within_reach_on_their_ray_and_near_ones_stay_exactly():
    """The 3D view draws in float32: a start at 1e77 overflowed pyqtgraph's cast. Far points move to REACH
    half-widths from the centre along their ray; near points and NaN rows are untouched."""
    from gd_core.landscape import REACH

    centre, half = np.array([1.0, -2.0, 0.5]), np.array([2.0, 3.0, 0.5])
    near = np.array([[0.3, 0.1, 0.2], [1e5, -2.0, 0.5]])
    far = np.array([[2.8e77, -1e60, 0.3], [np.inf, 0.0, 0.0], [1e308, -1e308, 1e308], [5e6, 5e6, 0.5]])
    points = np.vstack([near, far, [[np.nan, 1.0, 1.0]]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = within_reach(points, centre, half)
        assert np.isfinite(out[:-1].astype(np.float32)).all()
    np.testing.assert_array_equal(out[:2], near)
    assert np.isnan(out[-1]).all()
    units = (out[2:-1] - centre) / half
    np.testing.assert_allclose(np.linalg.norm(units, axis=1), REACH)
    np.testing.assert_allclose(units[0] / REACH, [1.0, -2.5e-78, 0.0], atol=1e-12)  # along +x, as the point
    ray = (far[3] - centre) / half
    np.testing.assert_allclose(units[3], ray / np.linalg.norm(ray) * REACH)
    # a path all in view (every frame's case, answered from its least and largest values) and one with a single
    # far point: the same points as one by one, in a new array
    path = np.vstack([near, [[1e5, 2e5, -3e5]]])
    for points in (path, np.vstack([path, far[:1]])):
        out = within_reach(points, centre, half)
        assert out is not points
        np.testing.assert_array_equal(out, np.vstack([within_reach(p[None], centre, half) for p in points]))
    np.testing.assert_array_equal(out[:-1], path)
    assert within_reach(np.empty((0, 3)), centre, half).shape == (0, 3)
