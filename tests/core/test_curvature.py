"""Hessians, Hessian-vector products, the sharpness and the gradient noise scale against direct computations."""

import numpy as np
import pytest

import gd_core
from gd_core.curvature import (
    gradient_noise_scale,
    hessian,
    hvp,
    lanczos_extremes,
    per_sample_grads,
    sharpness,
)
from gd_core.problems.functions2d import FUNCTION_SPECS

FUNCTIONS = [spec.name for spec in FUNCTION_SPECS]
MLP = {"problem": "mlp", "data": {"name": "moons", "n_samples": 60, "noise": 0.2, "seed": 1}, "hidden": [5]}
DATA_CONFIGS = {
    "linear": {"problem": "linear_regression", "data": {"name": "linear", "n_samples": 50, "n_features": 2}},
    "logistic": {"problem": "logistic_regression", "data": {"name": "blobs", "n_samples": 40, "noise": 2.0}},
    "mlp": MLP,
    "mlp3": {**MLP, "hidden": [4, 3], "activation": "sigmoid", "data": {"name": "spiral", "n_samples": 45}},
}


def problem_of(config):
    return gd_core.build_problem(gd_core.validate(config))


def fd_hessian(problem, params, h=1e-5):
    """Central differences of the analytic gradient, column by column (independent of gd_core.curvature)."""
    d = len(params)
    H = np.empty((d, d))
    for j in range(d):
        e = np.zeros(d)
        e[j] = h
        H[:, j] = (problem.full_loss_and_grad(params + e)[1] - problem.full_loss_and_grad(params - e)[1]) / (2 * h)
    return 0.5 * (H + H.T)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_analytic_hessians_of_the_2d_functions(name):
    problem = problem_of({"problem": name})
    rng = np.random.default_rng(0)
    for point in rng.uniform(problem.bounds[:, 0], problem.bounds[:, 1], (5, 2)):
        expected = fd_hessian(problem, point)
        tolerance = 1e-5 * max(1, abs(expected).max())
        np.testing.assert_allclose(problem.hessian(point), expected, rtol=1e-6, atol=tolerance)
        assert sharpness(problem, point) == pytest.approx(np.linalg.eigvalsh(problem.hessian(point))[-1])


@pytest.mark.parametrize("kind", list(DATA_CONFIGS))
def test_data_problem_hessians_and_products(kind):
    problem = problem_of(DATA_CONFIGS[kind])
    rng = np.random.default_rng(1)
    params = problem.default_init + 0.3 * rng.standard_normal(problem.n_params)
    expected = fd_hessian(problem, params)
    H = hessian(problem, params)
    np.testing.assert_allclose(H, expected, rtol=1e-5, atol=1e-7)
    v = rng.standard_normal(problem.n_params)
    np.testing.assert_allclose(hvp(problem, params, v), expected @ v, rtol=1e-5, atol=1e-7)
    top = np.linalg.eigvalsh(expected)[-1]
    assert sharpness(problem, params) == pytest.approx(top, rel=1e-6)
    assert gd_core.sharpness(DATA_CONFIGS[kind], params) == pytest.approx(top, rel=1e-6)  # a config works too


def test_quadratic_sharpness_is_exact():
    problem = problem_of({"problem": "quadratic", "kappa": 7.5})
    assert sharpness(problem, [0.3, -2.0]) == 7.5 and problem.curvature == 7.5
    linear = problem_of(DATA_CONFIGS["linear"])
    assert sharpness(linear, np.zeros(3)) == pytest.approx(linear.curvature, rel=1e-12)


def test_lanczos_finds_the_top_of_a_large_network():
    problem = problem_of({**MLP, "hidden": [24]})  # 97 parameters + a larger variant below
    big = problem_of({**MLP, "hidden": [40]})
    assert big.n_params > 100
    params = big.default_init
    top = np.linalg.eigvalsh(fd_hessian(big, params))[-1]
    assert sharpness(big, params) == pytest.approx(top, rel=1e-6)
    A = np.diag(np.arange(1.0, 51.0))
    low, high = lanczos_extremes(lambda v: A @ v, 50, 50)
    assert (low, high) == (pytest.approx(1.0), pytest.approx(50.0))
    assert problem.n_params == 97


@pytest.mark.parametrize("kind", list(DATA_CONFIGS))
def test_per_sample_gradients_average_to_the_full_gradient(kind):
    problem = problem_of(DATA_CONFIGS[kind])
    params = problem.default_init + 0.1
    idx = np.arange(problem.n_samples)
    rows = per_sample_grads(problem, params, idx)
    one_by_one = np.array([problem.loss_and_grad(params, np.array([i]))[1] for i in idx])
    np.testing.assert_allclose(rows, one_by_one, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(rows.mean(axis=0), problem.full_loss_and_grad(params)[1], rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("kind", list(DATA_CONFIGS))
def test_gradient_noise_scale_equals_a_direct_computation(kind):
    problem = problem_of(DATA_CONFIGS[kind])
    params = problem.default_init + 0.2
    g = np.array([problem.loss_and_grad(params, np.array([i]))[1] for i in range(problem.n_samples)])
    G = g.mean(axis=0)
    sigma = (g - G).T @ (g - G) / problem.n_samples
    assert gradient_noise_scale(problem, params) == pytest.approx(np.trace(sigma) / (G @ G), rel=1e-10)
    assert gd_core.gradient_noise_scale(DATA_CONFIGS[kind], params) == pytest.approx(np.trace(sigma) / (G @ G),
                                                                                     rel=1e-10)


def test_noise_scale_predicts_the_batch_gradient_noise():
    """E|g_B − G|² = tr(Σ)/B · (n − B)/(n − 1) for batches of B drawn without replacement."""
    problem = problem_of({"problem": "linear_regression", "data": {"name": "linear", "n_samples": 400}})
    params = np.array([0.5, 0.0])
    G = problem.full_loss_and_grad(params)[1]
    scale = gradient_noise_scale(problem, params)
    rng = np.random.default_rng(2)
    B, n = 16, problem.n_samples
    noise = np.mean([np.sum((problem.loss_and_grad(params, rng.choice(n, B, replace=False))[1] - G) ** 2)
                     for _ in range(6000)])
    assert noise / (G @ G) == pytest.approx(scale / B * (n - B) / (n - 1), rel=0.05)


def test_functions_have_no_noise_scale():
    assert np.isnan(gradient_noise_scale({"problem": "rosenbrock"}, [0.0, 0.0]))
