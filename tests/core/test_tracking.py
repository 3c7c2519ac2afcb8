"""Config "track": sharpness and noise scale recorded along runs; the edge of stability reproduced."""

import csv

import numpy as np
import pytest

import gd_core
from gd_core.curvature import gradient_noise_scale, sharpness
from gd_core.lessons import locked_change
from gd_core.tracking import about, batch_advice, batch_brief, stability_edge

LINEAR = {"problem": "linear_regression", "data": {"name": "linear", "n_samples": 80, "n_features": 2}}
MLP = {"problem": "mlp", "data": {"name": "moons", "n_samples": 60, "seed": 1}, "hidden": [5]}
#: Full-batch training on which the sharpness climbs to 2/lr and hovers there (found by a scan of networks and
#: data: tanh keeps the Hessian smooth; four layers sharpen progressively; five spiral arms keep the loss from
#: collapsing before the sharpness gets to 2/lr).
EDGE = {"problem": "mlp", "data": {"name": "spiral", "n_samples": 100, "n_classes": 5}, "hidden": [32, 32, 32, 32],
        "activation": "tanh", "variant": "batch", "optimizer": {"name": "plain", "lr": 0.05}}


def measured_rows(history, column):
    values = history.column(column)
    return np.flatnonzero(np.isfinite(values))


@pytest.mark.parametrize("track, key, words", [
    ([10], "track", "must be an object"),
    ({"curvature": 5}, "track.curvature", "unknown quantity"),
    ({"sharpness": 0}, "track.sharpness", "whole number of steps from 1"),
    ({"sharpness": True}, "track.sharpness", "whole number"),
    ({"sharpness": 2.5}, "track.sharpness", "whole number"),
])
def test_bad_track_settings_are_refused_by_name(track, key, words):
    with pytest.raises(gd_core.ConfigError) as error:
        gd_core.validate({**LINEAR, "track": track})
    assert error.value.key == key and words in str(error.value)


def test_noise_scale_needs_samples_and_a_problem_switch_drops_it():
    with pytest.raises(gd_core.ConfigError) as error:
        gd_core.validate({"problem": "rosenbrock", "track": {"noise_scale": 5}})
    assert error.value.key == "track.noise_scale" and "function of x and y" in str(error.value)
    config = gd_core.switch_problem({**LINEAR, "track": {"sharpness": 3, "noise_scale": 5}}, "rosenbrock")
    assert gd_core.validate(config)["track"] == {"sharpness": 3}
    assert "track" not in gd_core.validate(LINEAR)  # nothing tracked: nothing written


def test_a_measurement_too_costly_for_the_window_is_refused():
    big = {"problem": "mlp", "data": {"name": "moons", "n_samples": 1000}, "hidden": [256, 256],
           "track": {"sharpness": 100}}
    with pytest.raises(gd_core.ConfigError) as error:
        gd_core.resolve(big)
    assert error.value.key == "track.sharpness" and "smaller network" in str(error.value)
    gd_core.resolve({**big, "track": {"noise_scale": 100}})  # two passes: fine


@pytest.mark.parametrize("config", [LINEAR, MLP], ids=["linear", "mlp"])
def test_tracked_columns_hold_the_measures_every_k_steps_and_nan_between(config, tmp_path):
    trainer = gd_core.Trainer({**config, "batch_size": 10, "steps": 12, "optimizer": {"name": "momentum", "lr": 0.1},
                               "track": {"sharpness": 5, "noise_scale": 4}})
    trainer.advance()
    h, problem = trainer.history, trainer.problem
    assert list(measured_rows(h, "sharpness")) == [0, 5, 10]
    assert list(measured_rows(h, "noise_scale")) == [0, 4, 8, 12]
    for row in (0, 5, 10):
        assert h.sharpness[row] == pytest.approx(sharpness(problem, h.params[row]), rel=1e-12)
    for row in (0, 4, 8, 12):
        assert h.noise_scale[row] == pytest.approx(gradient_noise_scale(problem, h.params[row]), rel=1e-12)
    path = tmp_path / "run.csv"
    h.to_csv(path)
    with open(path, newline="") as f:
        header, *rows = list(csv.reader(f))
    at = header.index("sharpness")
    assert header[at:at + 2] == ["sharpness", "noise_scale"] and rows[5][at] != "nan" and rows[6][at] == "nan"


def test_a_group_records_what_each_lone_run_records():
    configs = [{**MLP, "batch_size": 8, "steps": 10, "seed": s, "optimizer": {"name": "plain", "lr": lr},
                "track": {"sharpness": 3, "noise_scale": 2}} for s, lr in ((0, 0.1), (1, 0.5), (0, 2.0))]
    for config, grouped in zip(configs, gd_core.run_many(configs)):
        alone = gd_core.run(config)
        for column in ("sharpness", "noise_scale"):
            np.testing.assert_allclose(grouped.column(column), alone.column(column), rtol=1e-9)


def test_tracking_starts_mid_run_without_a_reset_and_is_never_locked():
    trainer = gd_core.Trainer({**LINEAR, "steps": 20})
    trainer.advance(7)
    assert np.isnan(trainer.history.sharpness).all() and "sharpness" not in trainer.history.header()
    trainer.apply({**trainer.config, "track": {"sharpness": 5}})
    trainer.advance()
    h = trainer.history
    assert list(measured_rows(h, "sharpness")) == [7, 10, 15, 20]  # from now on, the current row at once
    assert h.sharpness[10] == pytest.approx(trainer.problem.curvature)  # a quadratic: constant
    assert locked_change(trainer.config, {**trainer.config, "track": {"noise_scale": 1}}, {"problem", "run"}) is None


def test_a_long_run_is_measured_on_the_rows_its_record_keeps():
    trainer = gd_core.Trainer({**LINEAR, "steps": 300, "track": {"noise_scale": 3}})
    trainer.history.max_rows = 64  # a bounded record: the stride doubles as it fills
    trainer.advance()
    h = trainer.history
    assert h.stride == 8
    rows = measured_rows(h, "noise_scale")
    # once the stride passed k = 3, every row kept is measured (k rounds up to the stride): none made in vain
    assert set(np.flatnonzero(h.step[:-1] >= 64)) <= set(rows) and len(rows) > 30  # (the last row: step 300)


def test_a_diverged_run_measures_nan_instead_of_failing():
    h = gd_core.run({"problem": "quadratic", "kappa": 10, "optimizer": {"name": "plain", "lr": 0.3}, "steps": 400,
                     "track": {"sharpness": 1}})
    assert h.status == "diverged" and h.sharpness[0] == 10.0 and len(h) < 400


def test_quadratic_sharpness_is_constant_and_2_over_it_divides_stable_from_diverging():
    """The other half of the window's sharpness plot: on a quadratic nothing sharpens, and the rule holds."""
    for lr, status in ((0.19, "completed"), (0.21, "diverged")):
        h = gd_core.run({"problem": "quadratic", "kappa": 10, "optimizer": {"name": "plain", "lr": lr}, "steps": 300,
                         "track": {"sharpness": 1}})
        assert h.status == status and np.all(h.sharpness[np.isfinite(h.sharpness)] == 10.0)
        assert (lr < 2 / h.sharpness[0]) == (status == "completed")


def test_full_batch_training_reaches_the_edge_of_stability_and_stays_while_the_loss_falls():
    """Cohen et al. 2021: plain GD at lr 0.05 sharpens until lambda_max ~ 2/lr = 40, then hovers there while the
    loss keeps falling, non-monotonically."""
    h = gd_core.run({**EDGE, "steps": 4000, "track": {"sharpness": 50}})
    rows = measured_rows(h, "sharpness")
    edge = 2 / 0.05
    sharp, steps, loss = h.sharpness[rows], h.step[rows], h.loss[rows]
    assert sharp[0] < 0.1 * edge  # it starts flat ...
    reached = np.flatnonzero(sharp >= 0.9 * edge)[0]
    assert steps[reached] < 2500  # ... and sharpens to the edge
    after = sharp[reached:]
    assert len(after) > 30 and np.median(np.abs(after / edge - 1)) < 0.05
    assert np.mean(np.abs(after / edge - 1) <= 0.1) >= 0.85  # stays within 10 % (brief spikes: catapults)
    assert loss[-1] < loss[reached] / 3  # while the loss still falls ...
    first_row = int(np.searchsorted(h.step, steps[reached]))
    assert np.count_nonzero(np.diff(h.loss[first_row:]) > 0) > 10  # ... not monotonically


@pytest.mark.parametrize("optimizer", [{"name": "plain", "weight_decay": 1.0}, {"name": "momentum", "momentum": 0.9},
                                       {"name": "momentum", "momentum": 0.5, "dampening": 0.5},
                                       {"name": "momentum", "momentum": 0.0, "dampening": 0.5},  # no velocity: 2
                                       {"name": "nesterov", "momentum": 0.9}], ids=lambda o: str(o))
def test_the_edge_line_is_where_a_quadratic_of_that_sharpness_starts_to_diverge(optimizer):
    optimizer = gd_core.validate({"problem": "quadratic", "optimizer": optimizer})["optimizer"]
    # the rate at which sharpness 10 sits on the edge: edge(lr) = 10
    lr = float(brentq_edge(lambda rate: stability_edge(optimizer, rate) - 10.0))
    for factor, status in ((0.98, "completed"), (1.02, "diverged")):
        h = gd_core.run({"problem": "quadratic", "kappa": 10, "steps": 3000,
                         "optimizer": {**optimizer, "lr": lr * factor}})
        assert h.status == status
    assert stability_edge({"name": "adam", "lr": 0.1}, 0.1) is None


def brentq_edge(f, low=1e-6, high=10.0):
    """The root of a decreasing f by bisection."""
    for _ in range(200):
        middle = 0.5 * (low + high)
        low, high = (middle, high) if f(middle) > 0 else (low, middle)
    return low


def test_the_batch_size_next_to_the_noise_scale_in_words():
    assert batch_advice(16, 123.4, 1000) == "batch 16, noise scale about 120: a larger batch would still speed up steps"
    assert batch_advice(512, 40.0, 1000).endswith("noise scale about 40: a larger batch would mostly cost samples")
    assert batch_advice(64, 50.0, 1000).endswith("near the critical batch size, steps and samples trade evenly")
    assert batch_advice(100, 42_317.0, 100) == "batch = all 100 samples, noise scale about 42,000"
    assert batch_advice(8, float("inf"), 100) == "batch 8: no noise scale here (the full gradient is zero)"
    assert [about(v) for v in (0.01349, 4.21, 99.6, 1234.5)] == ["0.013", "4.2", "100", "1,200"]
    # the same in a few words, for the variant panel's one-line row
    assert [batch_brief(b, s, 1000) for b, s in ((16, 123.4), (512, 40.0), (64, 50.0), (1000, 42_317.0))] == [
        "≈ 120 > batch", "≈ 40 < batch", "≈ 50 ≈ batch", "≈ 42,000 (all data)"]
    assert batch_brief(8, float("inf"), 100) == "none (∇L = 0)"


def test_a_column_added_mid_run_keeps_the_record_within_its_byte_bound(monkeypatch):
    bound = 100 * sum(gd_core.history.row_bytes(10))  # 100 rows of a 10-parameter run
    monkeypatch.setattr(gd_core.history, "MAX_HISTORY_BYTES", bound)
    h = gd_core.History([f"p{i}" for i in range(10)], 5)
    for t in range(150):
        h.append(t, t, 0.1, 1.0, 1.0, 1.0, np.zeros(10), np.zeros(10))
    assert h.max_rows == 100 and h.stride == 2
    h.add_column("sharpness")
    h.add_column("noise_scale")
    assert (h.max_rows, h.param_max_rows) == gd_core.history.row_budgets(10, bound, extra_columns=2) == (93, 93)
    assert len(h) < h.max_rows and h.nbytes <= bound
    h.append(150, 150, 0.1, 1.0, 1.0, 1.0, np.zeros(10), np.zeros(10))
    h.put("sharpness", 3.0)
    assert h.sharpness[-1] == 3.0 and np.isnan(h.sharpness[:-1]).all() and h.nbytes <= bound
