"""Every validation error: one ConfigError naming the key and what is allowed."""

import json
import re

import pytest

import gd_core
from gd_core import ConfigError, resolve, validate


@pytest.mark.parametrize("config,key,text", [
    ([1, 2], "config", "must be a JSON object"),
    ({"problem": "parabola"}, "problem", "must be one of linear_regression, logistic_regression, mlp, quadratic"),
    ({"lerning_rate": 0.1}, "lerning_rate", "unknown key (allowed: batch_size"),
    ({"kappa": 3}, "kappa", "is a setting of problem quadratic, not of linear_regression"),
    ({"problem": "quadratic", "kappa": 0}, "kappa", "must be a number in (0, 1e+12], got 0"),
    ({"problem": "quadratic", "kappa": "big"}, "kappa", "must be a number in (0, 1e+12], got 'big'"),
    ({"problem": "quadratic", "data": "linear"}, "data", "takes no data"),
    ({"data": "swirl"}, "data.name", "must be one of linear, blobs, moons, circles, spiral, csv"),
    ({"data": {"n_samples": 10}}, "data.name", "is missing"),
    ({"problem": "logistic_regression", "data": "linear"}, "data.name",
     "logistic_regression needs classification data: one of blobs, moons, circles, spiral, or csv; got linear"),
    ({"data": {"name": "linear", "n_samples": 0}}, "data.n_samples", "must be an integer in [1, 1e+06]"),
    ({"data": {"name": "linear", "n_samples": 2.5}}, "data.n_samples", "must be an integer"),
    ({"data": {"name": "linear", "noise": -1}}, "data.noise", "must be a number in [0, 1e+12], got -1"),
    ({"data": {"name": "blobs", "n_features": 3}}, "data.n_features", "is not a setting of blobs data"),
    ({"data": {"name": "linear", "path": "x.csv"}}, "data.path", "only csv data has a path"),
    ({"data": {"name": "csv"}}, "data.path", "csv data needs \"path\""),
    ({"data": {"name": "csv", "path": "a.csv", "noise": 1}}, "data.noise", "is not a setting of csv data"),
    ({"variant": "full"}, "variant", "must be one of batch, stochastic, minibatch, coordinate"),
    ({"batch_size": 0}, "batch_size", "must be an integer in [1, 1e+06]"),
    ({"batch_size": True}, "batch_size", "must be an integer"),
    ({"sampling": "random"}, "sampling", "must be one of shuffle, replacement"),
    ({"optimizer": "sgd"}, "optimizer.name", "must be one of plain, momentum"),
    ({"optimizer": 3}, "optimizer", "must be a name or an object"),
    ({"optimizer": {"name": "plain", "lr": 0}}, "optimizer.lr", "must be a number in (0, 1e+12], got 0"),
    ({"optimizer": {"name": "plain", "lr": float("nan")}}, "optimizer.lr", "finite"),
    ({"optimizer": {"name": "plain", "momentum": 0.9}}, "optimizer.momentum", "is not a setting of plain"),
    ({"optimizer": {"name": "rmsprop", "centered": 1}}, "optimizer.centered", "must be true or false"),
    ({"schedule": "swirl"}, "schedule.name", "must be one of constant, step, exponential"),
    ({"schedule": {"name": "step", "step_size": 0}}, "schedule.step_size", "must be an integer in [1, 1e+08]"),
    ({"schedule": {"name": "exponential", "gamma": 1.5}}, "schedule.gamma", "must be a number in (0, 1]"),
    ({"steps": 10, "epochs": 2}, "steps", "exclude each other"),
    ({"steps": 0}, "steps", "must be an integer in [1, 1e+08]"),
    ({"epochs": -1}, "epochs", "must be a number in (0, 1e+07]"),
    ({"seed": -3}, "seed", "must be an integer in [0, 2147483647]"),
    ({"init": "0,0"}, "init", "must be a list of numbers"),
    ({"init": [0, "a"]}, "init[1]", "must be a finite number"),
    ({"clip_norm": -1}, "clip_norm", "must be a number in (0, 1e+12]"),
    ({"tolerance": 0}, "tolerance", "must be a number in (0, 1e+12]"),
    ({"gradient_noise": 0.1}, "gradient_noise", "applies to 2D function problems"),
    ({"problem": "saddle", "gradient_noise": -0.1}, "gradient_noise", "must be a number in [0, 1e+12]"),
])
def test_validation_errors(config, key, text):
    with pytest.raises(ConfigError) as info:
        resolve(config)
    assert info.value.key == key
    assert text in str(info.value)
    assert str(info.value).startswith(f"{key}: ")


@pytest.mark.parametrize("config,key,text", [
    ({"data": {"name": "linear", "n_samples": 20}, "batch_size": 21}, "batch_size", "must lie in 1..n = 1..20"),
    ({"data": {"name": "linear", "n_samples": 40}, "batch_size": 32, "validation": 0.25}, "batch_size",
     "must lie in 1..n = 1..30 (the training samples: 40 less 10 held out); got 32"),
    ({"init": [1, 2, 3]}, "init", "needs 2 numbers (w, b); got 3"),
])
def test_errors_that_depend_on_the_data(config, key, text):
    with pytest.raises(ConfigError, match=re.escape(text)) as info:
        resolve(config)
    assert info.value.key == key


def test_defaults_are_filled_in_and_validation_is_idempotent():
    config = validate({})
    assert config["problem"] == "linear_regression" and config["variant"] == "minibatch"
    assert config["data"] == {"name": "linear", "n_samples": 200, "noise": 0.5, "seed": 0, "n_features": 1,
                              "scale": 1.0}
    assert config["optimizer"] == {"name": "plain", "lr": 1e-3, "weight_decay": 0.0, "line_search": None}
    assert config["steps"] == 200 and "epochs" not in config
    resolved, _ = resolve({})
    assert resolved["batch_size"] == 32
    assert resolve(resolved)[0] == resolved
    assert json.loads(json.dumps(resolved)) == resolved
    assert resolve({"data": {"name": "linear", "n_samples": 10}})[0]["batch_size"] == 10


def test_functions_take_any_variant_and_ignore_batch_size():
    assert validate({"problem": "quadratic"})["variant"] == "batch"
    config, problem = resolve({"problem": "quadratic", "variant": "minibatch", "batch_size": 64})
    assert problem.n_samples == 1 and config["kappa"] == 10.0 and config["gradient_noise"] == 0.0


def test_cosine_period_defaults_to_the_run_length():
    assert validate({"schedule": "cosine", "steps": 300})["schedule"]["t_max"] == 300


def test_load_config_resolves_relative_csv_paths(tmp_path):
    (tmp_path / "d.csv").write_text("x,y\n1,2\n2,4\n3,6.5\n")
    (tmp_path / "c.json").write_text(json.dumps({"data": {"name": "csv", "path": "d.csv"}, "batch_size": 2}))
    config, problem = resolve(gd_core.load_config(tmp_path / "c.json"))
    assert problem.n_samples == 3


@pytest.mark.parametrize("text,message", [
    ("{", "line 1 column 2: invalid JSON"),
    ("[1]", "must hold a JSON object"),
])
def test_load_config_errors(tmp_path, text, message):
    (tmp_path / "c.json").write_text(text)
    with pytest.raises(ConfigError, match=message):
        gd_core.load_config(tmp_path / "c.json")
    with pytest.raises(ConfigError, match="cannot read"):
        gd_core.load_config(tmp_path / "missing.json")


def test_logistic_regression_refuses_csv_targets_that_are_not_two_labels(tmp_path):
    (tmp_path / "d.csv").write_text("x,y\n1,0.5\n2,1.5\n3,2.5\n")
    with pytest.raises(ConfigError, match="exactly two values") as info:
        resolve({"problem": "logistic_regression", "data": {"name": "csv", "path": str(tmp_path / "d.csv")}})
    assert info.value.key == "data"


def test_switch_problem_keeps_run_settings_and_suitable_data():
    config = {"problem": "linear_regression", "data": {"name": "linear", "n_samples": 50, "noise": 2.0},
              "optimizer": {"name": "adam", "lr": 0.1}, "epochs": 4, "init": [1, 2], "variant": "stochastic"}
    to_quadratic = gd_core.switch_problem(config, "quadratic")
    assert to_quadratic == {"problem": "quadratic", "variant": "batch", "optimizer": {"name": "adam", "lr": 0.1},
                            "epochs": 4}
    to_logistic = gd_core.switch_problem(config, "logistic_regression")
    assert to_logistic["data"] == {"name": "blobs", "n_samples": 50}
    back = gd_core.switch_problem(to_logistic, "linear_regression")
    assert back["data"] == {"name": "blobs", "n_samples": 50}  # classification data suits linear regression too
    for name in gd_core.PROBLEMS:
        resolve(gd_core.switch_problem(config, name))
    with pytest.raises(ConfigError, match="problem: must be one of"):
        gd_core.switch_problem(config, "nope")


# -- problem size: what one step may cost, and how much data there may be ----------------------------------------
@pytest.mark.parametrize("config, most", [
    ({"problem": "mlp", "data": {"name": "moons", "n_samples": 1_000_000}}, 344_352),
    ({"problem": "mlp", "data": {"name": "moons", "n_samples": 5_000}, "hidden": [256, 256, 256, 256]}, 1_903),
    ({"problem": "mlp", "data": {"name": "spiral", "n_samples": 200_000, "n_classes": 6}, "hidden": [64, 64]},
     21_057),  # 4,608 weights + 134 units * 320
])
def test_a_network_too_costly_per_step_is_refused_naming_the_most_samples(config, most):
    with pytest.raises(ConfigError) as error:
        resolve(config)
    assert error.value.key == "data.n_samples"
    assert f"use at most {most:,} samples or a smaller network" in str(error.value)
    config["data"]["n_samples"] = most  # exactly the most allowed builds
    _, problem = resolve(config)
    assert problem.n_samples == most


def test_the_pass_work_model_counts_weights_and_elementwise_functions():
    from gd_core.problems.base import ELEMENTWISE_WORK, MAX_PASS_WORK
    # 2-8-1: 2*8 + 8*1 weights, 8 + 1 units with a nonlinearity -> 24 + 9 * 320 = 2,904 per sample
    assert int(MAX_PASS_WORK // (24 + 9 * ELEMENTWISE_WORK)) == 344_352
    resolve({"problem": "logistic_regression", "data": {"name": "blobs", "n_samples": 1_000_000}})  # 323 a sample


def test_too_much_data_is_refused_before_it_is_made():
    config = {"problem": "linear_regression", "data": {"name": "linear", "n_samples": 1_000_000, "n_features": 100}}
    with pytest.raises(ConfigError) as error:
        validate(config)
    assert error.value.key == "data.n_samples" and "at most 100,000 samples of 100 features" in str(error.value)
    config["data"]["n_samples"] = 100_000
    assert validate(config)["data"]["n_samples"] == 100_000


def test_a_csv_with_too_many_values_is_refused(tmp_path, monkeypatch):
    import gd_core.datasets as datasets
    monkeypatch.setattr(datasets, "MAX_DATA_VALUES", 20)
    path = tmp_path / "big.csv"
    path.write_text("a,b,y\n" + "".join(f"{i},{i},{i % 2}\n" for i in range(11)))  # 11 x 2 = 22 values
    with pytest.raises(ConfigError) as error:
        datasets.load_csv(path)
    assert "22 values; the limit is 20" in str(error.value)
    path.write_text("a,b,y\n" + "".join(f"{i},{i},{i % 2}\n" for i in range(10)))
    assert datasets.load_csv(path).n_samples == 10
