"""Batch-size scaling: steps and epochs to a target loss, McCandlish's model fitted, and the fitted B_noise
against the gradient noise scale measured along the full-batch run."""

import subprocess
import sys
from functools import cache

import numpy as np
import pytest

import gd_core
from gd_core import batch_scaling, sweep_worker


#: Linear regression with three standardised features (a Hessian close to a multiple of the identity, where
#: B_simple = tr(Σ)/|G|² and the model's B_noise = tr(HΣ)/(GᵀHG) agree) and noisy targets: a critical batch size
#: around 50, well inside 1..n.
def linear(seed=0):
    return {"problem": "linear_regression", "data": {"name": "linear", "n_samples": 1024, "noise": 1.0,
                                                     "n_features": 3, "seed": seed}, "init": [-2.0] * 4}


@cache
def scaling(seed=0, seeds=8):
    config = linear(seed)
    problem = gd_core.build_problem(gd_core.validate(config))
    plan = batch_scaling.plan_for(config, problem, target=problem.min_loss + 0.1, seeds=seeds,
                                  lrs=np.geomspace(0.01, 1.9 / problem.curvature, 12))
    updates = list(batch_scaling.run_scaling(plan, problem))
    points = [u.point for u in updates if u.point is not None]
    noise = next(u.noise_scale for u in updates if u.noise_scale is not None)
    return plan, problem, points, noise


def test_the_fit_recovers_the_model_it_is_given():
    B = np.array([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000.0])
    fit = batch_scaling.fit(B, 7.0 * (1 + 40.0 / B))
    assert fit.b_noise == pytest.approx(40.0, rel=5e-3) and fit.s_min == pytest.approx(7.0, rel=5e-3)
    assert fit.e_min == pytest.approx(280.0, rel=1e-2)
    np.testing.assert_allclose(fit.samples(B), B * fit.steps(B))  # E = B·S, the same model
    assert batch_scaling.fit([1, 2], [np.nan, 3.0]) is None  # one point fixes nothing


@pytest.mark.parametrize("seed", [0, 1])
def test_the_fitted_critical_batch_size_is_the_measured_noise_scale_within_a_factor_2(seed):
    """B_simple where the full-batch run crosses the target (see gd_core.batch_scaling for why there)."""
    plan, problem, points, noise = scaling(seed)
    fit = batch_scaling.fit([p.samples_per_step for p in points], [p.steps for p in points])
    assert 20 < noise < 100
    assert 0.5 < fit.b_noise / noise < 2.0


def test_small_batches_halve_the_steps_large_ones_only_cost_samples():
    plan, problem, points, noise = scaling()
    steps = {p.batch_size: p.steps for p in points}
    epochs = {p.batch_size: p.epochs for p in points}
    assert [p.batch_size for p in points] == [2**k for k in range(11)]
    for B in (1, 2, 4):  # far below B_noise: twice the batch, about half the steps, about the same samples
        assert steps[B] / steps[2 * B] == pytest.approx(2.0, rel=0.25)
    assert steps[256] <= 4 and steps[1024] <= 4  # far above: a few steps whatever the batch ...
    assert epochs[1024] > 5 * epochs[8]  # ... at many times the samples
    assert all(p.lr in plan.lrs for p in points)


def test_a_point_is_where_the_seed_averaged_loss_of_its_rate_first_reaches_the_target():
    plan, problem, points, noise = scaling()
    point = points[3]  # batch size 8
    configs = [c for c in plan.configs(8, problem.n_samples) if c["optimizer"]["lr"] == point.lr]
    for config in configs:
        config["steps"] = int(point.steps)
        del config["epochs"]
    losses = np.mean([h.loss for h in gd_core.run_many(configs)], axis=0)
    assert losses[-1] <= plan.target < losses[:-1].min()


def test_plans_are_refused_without_data_or_when_too_costly():
    with pytest.raises(gd_core.ConfigError) as error:
        rosenbrock = {"problem": "rosenbrock"}
        batch_scaling.plan_for(rosenbrock, gd_core.build_problem(gd_core.validate(rosenbrock)))
    assert "no data" in str(error.value)
    config = linear()
    problem = gd_core.build_problem(gd_core.validate(config))
    plan = batch_scaling.plan_for(config, problem, epochs=1e6)
    with pytest.raises(gd_core.ConfigError) as error:
        batch_scaling.check_scaling_work(plan, problem)
    assert error.value.key == "batch_scaling" and "fewer epochs" in str(error.value)
    batch_scaling.check_scaling_work(batch_scaling.plan_for(config, problem), problem)
    default = batch_scaling.plan_for(config, problem)
    start = problem.full_loss(np.array(config["init"]))
    assert default.target == pytest.approx(problem.min_loss + 0.01 * (start - problem.min_loss))
    assert default.sizes == (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024) and len(default.lrs) == 10


def test_a_cancelled_scaling_stops_at_once():
    plan, problem, _, _ = scaling()
    calls = []
    updates = list(batch_scaling.run_scaling(plan, problem, cancelled=lambda: calls.append(1) or len(calls) > 2))
    assert len(calls) == 3 and all(u.point is None or u.point.batch_size <= 2 for u in updates)


def test_the_worker_process_gives_the_same_points():
    config = {**linear(), "data": {**linear()["data"], "n_samples": 64}}
    problem = gd_core.build_problem(gd_core.validate(config))
    plan = batch_scaling.plan_for(config, problem, seeds=2)
    done = subprocess.run([sys.executable, "-m", "gd_core.sweep_worker"],
                          input=sweep_worker.scaling_request_text(config, plan), capture_output=True, text=True,
                          timeout=120)
    lines = [sweep_worker.parse_line(line) for line in done.stdout.splitlines()]
    assert lines[-1] == {"end": "done"} and not done.stderr
    got = [m["update"] for m in lines if "update" in m]
    expected = [u for u in batch_scaling.run_scaling(plan, problem) if u.point is not None]
    assert [u.point for u in got] == [u.point for u in expected]
    assert got[-1].noise_scale == pytest.approx(expected[-1].noise_scale, rel=1e-12)
