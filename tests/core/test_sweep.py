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
    config, problem = gd_core.resolve({"problem": "logistic_regression", "data": {"name": "blobs", "n_samples": 20_000},
                                       "variant": "stochastic", "epochs": 40})
    series = series_configs(config, learning_rates(1e-3, 1.0, 8), "variant", ["stochastic", "batch"])
    # 8 runs x 800,000 steps, each a pass over 20,000 samples of 323 units: ~4e13 (hours)
    assert series_work(series["stochastic"], problem) > 20 * MAX_SERIES_WORK
    assert series_work(series["batch"], problem) < MAX_SERIES_WORK  # 40 steps a run
    with pytest.raises(ConfigError) as error:
        check_series_work(series, problem)
    assert error.value.key == "sweep" and "the stochastic series" in str(error.value)
    assert "fewer epochs or steps, fewer samples or fewer rates" in str(error.value)
    check_series_work({"batch": series["batch"]}, problem)


def test_run_sweep_yields_each_series_as_it_is_done_equal_to_run_many():
    problem = gd_core.resolve(BASE)[1]
    lrs = sweep.learning_rates(0.01, 3.0, 5)
    jobs = sweep.sweep_jobs(BASE, lrs, "variant", sweep.SWEEP_VARIANTS, sizes=[1, 10, 100])
    assert [job.label for job in jobs] == ["batch", "stochastic", "minibatch", "batch size 1", "batch size 10",
                                           "batch size 100"]
    updates = list(sweep.run_sweep(jobs, problem, chunk_seconds=0.0))
    done = [u for u in updates if u.job is not None]
    assert [u.job for u in done] == jobs and len(updates) > len(jobs)  # progress in between
    progress = [u.progress for u in updates]
    assert progress == sorted(progress) and progress[-1] == pytest.approx(1.0)
    for update in done:
        expected = sweep.final_losses(gd_core.run_many(update.job.configs))
        np.testing.assert_allclose(update.losses, expected, rtol=1e-12)


def test_a_sweep_stops_mid_way_when_cancelled():
    problem = gd_core.resolve(BASE)[1]
    jobs = sweep.sweep_jobs({**BASE, "steps": 5000}, sweep.learning_rates(0.001, 0.1, 4), "optimizer",
                            ["plain", "adam", "momentum"])
    stop = []
    updates = []
    for update in sweep.run_sweep(jobs, problem, cancelled=lambda: bool(stop), chunk_seconds=0.001):
        updates.append(update)
        if update.job is not None:
            stop.append(True)  # Stop pressed as the first series arrives
    assert [u.job.key for u in updates if u.job is not None] == ["plain"]
    assert updates[-1].progress < 0.5


def test_the_worker_process_gives_the_same_losses_and_reports_errors_in_one_line():
    import subprocess
    import sys

    from gd_core import sweep_worker

    config = gd_core.resolve({"problem": "rosenbrock", "steps": 300, "init": [-1.2, 1.0]})[0]
    jobs = sweep.sweep_jobs(config, sweep.learning_rates(1e-4, 10.0, 4), "optimizer", ["plain", "adam"])
    done = subprocess.run([sys.executable, "-m", "gd_core.sweep_worker"], input=sweep_worker.request_text(config, jobs),
                          capture_output=True, text=True, timeout=120)
    lines = [sweep_worker.parse_line(line) for line in done.stdout.splitlines()]
    assert lines[-1] == {"end": "done"} and done.returncode == 0 and not done.stderr
    for message in lines[:-1]:
        if "job" in message:
            expected = sweep.final_losses(gd_core.run_many(jobs[message["job"]].configs))
            np.testing.assert_array_equal(message["losses"], expected)  # NaN (diverged) where run_many has it
    assert [m["job"] for m in lines if "job" in m] == [0, 1]
    bad = subprocess.run([sys.executable, "-m", "gd_core.sweep_worker"], input='{"problem": {"problem": "nope"}}',
                         capture_output=True, text=True, timeout=120)
    assert sweep_worker.parse_line(bad.stdout.strip())["end"] == "error" and "problem" in bad.stdout
