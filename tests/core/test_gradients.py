"""Every problem's analytic gradient against central finite differences, on full data and on mini-batches."""

import numpy as np
import pytest

import gd_core
from gd_core import PROBLEMS, build_problem, validate

DATA_CASES = [
    ("linear_regression", {"name": "linear", "n_samples": 40, "n_features": 3, "seed": 3}),
    ("linear_regression", {"name": "linear", "n_samples": 25}),
    ("logistic_regression", {"name": "blobs", "n_samples": 40}),
    ("logistic_regression", {"name": "moons", "n_samples": 30, "seed": 5}),
    ("logistic_regression", {"name": "circles", "n_samples": 30, "seed": 2}),
]
FUNCTION_NAMES = [name for name, spec in PROBLEMS.items() if spec.kind == "function"]


def numeric_grad(f, x, h=1e-6):
    grad = np.empty_like(x)
    for j in range(len(x)):
        e = np.zeros_like(x)
        e[j] = h
        grad[j] = (f(x + e) - f(x - e)) / (2 * h)
    return grad


def make(problem, data=None, **extra):
    config = {"problem": problem, **extra}
    if data is not None:
        config["data"] = data
    return build_problem(validate(config))


def points(problem, count=5, seed=0):
    rng = np.random.default_rng(seed)
    low, high = problem.bounds[:, 0], problem.bounds[:, 1]
    return low + (high - low) * rng.random((count, problem.n_params))


def assert_grad_matches(loss_and_grad, x, rtol=1e-6, atol=1e-6):
    _, grad = loss_and_grad(x)
    expected = numeric_grad(lambda p: loss_and_grad(p)[0], x)
    np.testing.assert_allclose(grad, expected, rtol=rtol, atol=atol * max(1.0, np.abs(expected).max()))


@pytest.mark.parametrize("name", FUNCTION_NAMES)
def test_function_gradients(name):
    problem = make(name)
    for x in points(problem):
        assert_grad_matches(lambda p: problem.loss_and_grad(p, None), x)


@pytest.mark.parametrize("kappa", [0.5, 10.0, 100.0])
def test_quadratic_kappa_gradient(kappa):
    problem = make("quadratic", kappa=kappa)
    for x in points(problem):
        assert_grad_matches(lambda p: problem.loss_and_grad(p, None), x)


@pytest.mark.parametrize("problem_name,data", DATA_CASES)
def test_data_problem_gradients_full_and_batch(problem_name, data):
    problem = make(problem_name, data)
    idx = np.array([0, 3, 3, 7, 11])
    for x in points(problem):
        assert_grad_matches(lambda p: problem.loss_and_grad(p, None), x)
        assert_grad_matches(lambda p: problem.loss_and_grad(p, idx), x)
        assert_grad_matches(problem.full_loss_and_grad, x)


@pytest.mark.parametrize("problem_name,data", DATA_CASES)
def test_full_loss_equals_mean_over_samples(problem_name, data):
    """The fast full loss (sufficient statistics for linear regression) equals the direct mean over samples."""
    problem = make(problem_name, data)
    all_idx = np.arange(problem.n_samples)
    for x in points(problem):
        direct_loss, direct_grad = problem.loss_and_grad(x, all_idx)
        loss, grad = problem.full_loss_and_grad(x)
        assert loss == pytest.approx(direct_loss, rel=1e-10, abs=1e-12)
        np.testing.assert_allclose(grad, direct_grad, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("problem_name,data", DATA_CASES + [(name, None) for name in FUNCTION_NAMES])
def test_many_runs_at_once_match_one_by_one(problem_name, data):
    problem = make(problem_name, data)
    P = points(problem, count=4)
    idx = None if problem.dataset is None else np.array([1, 2, 5])
    losses, grads = problem.loss_and_grad(P, idx)
    for k, x in enumerate(P):
        loss, grad = problem.loss_and_grad(x, idx)
        assert losses[k] == pytest.approx(loss, rel=1e-12)
        np.testing.assert_allclose(grads[k], grad, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(problem.grid_loss(P[None]), problem.full_loss(P)[None], rtol=1e-12)


def test_linear_regression_loss_is_mse_of_affine_model():
    problem = make("linear_regression", {"name": "linear", "n_samples": 50, "n_features": 2, "seed": 1})
    X, y = problem.dataset.X, problem.dataset.y
    w, b = np.array([0.3, -1.2]), 0.7
    assert problem.full_loss(np.r_[w, b]) == pytest.approx(np.mean((X @ w + b - y) ** 2), rel=1e-12)
    assert problem.param_names == ("w1", "w2", "b")


def test_logistic_loss_is_bce_with_logits_and_labels_map_to_0_1(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("a,label\n1,-1\n2,1\n-1,-1\n0.5,1\n")
    problem = make("logistic_regression", {"name": "csv", "path": str(path)})
    np.testing.assert_array_equal(problem.dataset.y, [0, 1, 0, 1])
    z = problem.dataset.X[:, 0] * 0.4 - 0.2
    expected = np.mean(np.log1p(np.exp(z)) - problem.dataset.y * z)
    assert problem.full_loss(np.array([0.4, -0.2])) == pytest.approx(expected, rel=1e-12)


def test_logistic_loss_is_stable_for_huge_logits():
    problem = make("logistic_regression", {"name": "blobs", "n_samples": 20})
    loss, grad = problem.loss_and_grad(np.array([1e6, 1e6, 0.0]), None)
    assert np.isfinite(loss) and np.all(np.isfinite(grad))


@pytest.mark.parametrize("name", FUNCTION_NAMES)
def test_known_minima_are_stationary_with_the_stated_value(name):
    problem = make(name)
    for m in problem.minima:
        value, grad = problem.loss_and_grad(m, None)
        assert np.linalg.norm(grad) < 1e-8
        assert value == pytest.approx(problem.min_loss, abs=1e-12)
    assert problem.bounds.shape == (2, 2)
    assert np.all(problem.bounds[:, 0] <= problem.default_init) and np.all(problem.default_init <= problem.bounds[:, 1])


def test_linear_regression_minimum_and_curvature():
    problem = make("linear_regression", {"name": "linear", "n_samples": 80, "n_features": 2, "seed": 4})
    A = np.c_[problem.dataset.X, np.ones(80)]
    theta = np.linalg.lstsq(A, problem.dataset.y, rcond=None)[0]
    np.testing.assert_allclose(problem.minima[0], theta, rtol=1e-10)
    hessian = 2 * A.T @ A / 80
    assert problem.curvature == pytest.approx(np.linalg.eigvalsh(hessian).max(), rel=1e-12)
    assert problem.stability_bound == pytest.approx(2 / problem.curvature)


@pytest.mark.parametrize("name,bound", [("quadratic", 2 / 10), ("booth", 2 / 18)])
def test_stability_bounds_of_quadratic_functions(name, bound):
    assert gd_core.stability_bound(make(name)) == pytest.approx(bound)


@pytest.mark.parametrize("name", ["rosenbrock", "beale", "himmelblau", "rastrigin", "saddle", "logistic_regression"])
def test_non_quadratic_problems_have_no_stability_bound(name):
    assert make(name).stability_bound is None


def test_linear_regression_contour_grid_does_not_touch_the_data():
    """The grid comes from sufficient statistics: it works even with the samples taken away."""
    problem = make("linear_regression", {"name": "linear", "n_samples": 5000})
    expected = gd_core.loss_grid(problem, (-1, 3), (-1, 3), 30)[2]
    problem.A = problem.y = None
    xs, ys, Z = gd_core.loss_grid(problem, (-1, 3), (-1, 3), 30)
    np.testing.assert_array_equal(Z, expected)
    assert Z.shape == (30, 30)


def test_loss_grid_layout_and_anchor():
    problem = make("linear_regression", {"name": "linear", "n_samples": 30, "n_features": 2})
    anchor = np.array([0.5, -0.5, 0.25])
    xs, ys, Z = gd_core.loss_grid(problem, (-1, 1), (0, 2), 7, pair=(0, 2), anchor=anchor)
    assert Z[3, 5] == pytest.approx(problem.full_loss(np.array([xs[5], -0.5, ys[3]])))


def test_iso_segments_lie_on_their_level():
    from gd_core.landscape import iso_segments
    xs, ys = np.linspace(-2, 2, 81), np.linspace(-1.5, 2.5, 71)
    Z = np.sin(3 * xs[None, :]) * np.cos(2 * ys[:, None]) + 0.1 * xs[None, :]  # many saddles
    levels = [-0.5, 0.0, 0.3]
    x, y = iso_segments(xs, ys, Z, levels)
    assert len(x) % 2 == 0 and len(x) > 100
    values = np.sin(3 * x) * np.cos(2 * y) + 0.1 * x
    nearest = np.min(np.abs(values[:, None] - np.array(levels)[None, :]), axis=1)
    assert nearest.max() < 0.02  # linear interpolation on a fine grid
    circle_x, circle_y = iso_segments(xs, ys, xs[None, :] ** 2 + ys[:, None] ** 2, [1.0])
    np.testing.assert_allclose(np.hypot(circle_x, circle_y), 1.0, atol=2e-3)
    assert iso_segments(xs, ys, np.zeros((71, 81)), [1.0])[0].size == 0


@pytest.mark.parametrize("problem_name,data", DATA_CASES)
def test_one_batch_per_run_matches_one_by_one(problem_name, data):
    problem = make(problem_name, data)
    P = points(problem, count=3)
    idx = np.array([[0, 1, 2, 3], [4, 4, 5, 9], [7, 8, 1, 0]])
    losses, grads = problem.loss_and_grad(P, idx)
    for k in range(3):
        loss, grad = problem.loss_and_grad(P[k], idx[k])
        assert losses[k] == pytest.approx(loss, rel=1e-12)
        np.testing.assert_allclose(grads[k], grad, rtol=1e-12, atol=1e-14)
