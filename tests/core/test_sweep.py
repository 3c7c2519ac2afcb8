"""Sweep configs: what varies, what is shared, and that results come from run_many."""

import numpy as np
import pytest

import gd_core
from gd_core import sweep

BASE = gd_core.resolve({"problem": "linear_regression", "data": {"name": "linear", "n_samples": 100},
                        "batch_size": 10, "steps": 50, "init": [0.5, -0.5], "seed": 3,
                        "optimizer": {"name": "momentum", "lr": 0.1}})[0]


def test_learning_rates_are_log_spaced():
    lrs = sweep.learning_rates(1e-3, 1e1, 5)
    np.testing.assert_allclose(lrs, [1e-3, 1e-2, 1e-1, 1, 10])
    with pytest.raises(ValueError):
        sweep.learning_rates(1.0, 0.1, 5)


def test_variant_series_share_the_epoch_budget_start_and_seed():
    series = sweep.series_configs(BASE, [0.01, 0.1], "variant", sweep.SWEEP_VARIANTS)
    assert list(series) == ["batch", "stochastic", "minibatch"]
    for name, configs in series.items():
        for c, lr in zip(configs, [0.01, 0.1]):
            assert c["variant"] == name and c["optimizer"] == {**BASE["optimizer"], "lr": lr}
            assert c["epochs"] == 5.0 and "steps" not in c  # 50 steps of 10 samples out of 100
            assert c["init"] == [0.5, -0.5] and c["seed"] == 3
    histories = gd_core.run_many(sweep.series_configs(BASE, [0.001, 0.01], "variant", ["stochastic"])["stochastic"])
    assert [h.epoch[-1] for h in histories] == [5.0, 5.0] and len(histories[0]) == 501


def test_optimizer_series_use_their_own_defaults():
    series = sweep.series_configs(BASE, [0.01], "optimizer", ["adam", "plain"])
    assert series["adam"][0]["optimizer"] == {"name": "adam", "lr": 0.01}
    assert gd_core.resolve(series["adam"][0])[0]["optimizer"]["beta1"] == 0.9


def test_batch_sizes_and_grid():
    assert sweep.batch_sizes(100) == [1, 2, 4, 8, 16, 32, 64, 100]
    assert sweep.batch_sizes(1000, count=3) == [256, 512, 1000]
    rows = sweep.grid_configs(BASE, [0.01, 0.1, 1.0], [1, 10])
    assert [[c["batch_size"] for c in row] for row in rows] == [[1, 1, 1], [10, 10, 10]]
    assert all(c["epochs"] == 5.0 for row in rows for c in row)


def test_final_losses_mark_divergence():
    histories = gd_core.run_many(sweep.series_configs(BASE, [0.01, 50.0], "variant", ["batch"])["batch"])
    losses = sweep.final_losses(histories)
    assert np.isfinite(losses[0]) and np.isnan(losses[1]) and histories[1].status == "diverged"


def test_a_sweep_too_costly_for_the_window_is_refused_before_it_runs():
    from gd_core import ConfigError
    from gd_core.sweep import MAX_SERIES_WORK, check_series_work, learning_rates, series_configs, series_work
    config, problem = gd_core.resolve({"problem": "logistic_regression", "data": {"name": "blobs", "n_samples": 2000},
                                       "variant": "stochastic", "epochs": 20})
    series = series_configs(config, learning_rates(1e-3, 1.0, 8), "variant", ["stochastic", "batch"])
    # 8 runs x 40,000 steps, each a pass over 2,000 samples of 323 units: ~2e11 (that took 40 s)
    assert series_work(series["stochastic"], problem) > 20 * MAX_SERIES_WORK
    assert series_work(series["batch"], problem) < MAX_SERIES_WORK  # 20 steps a run
    with pytest.raises(ConfigError) as error:
        check_series_work(series, problem)
    assert error.value.key == "sweep" and "the stochastic series" in str(error.value)
    assert "fewer epochs or steps, fewer samples or fewer rates" in str(error.value)
    check_series_work({"batch": series["batch"]}, problem)
