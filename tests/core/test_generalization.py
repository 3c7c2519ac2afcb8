"""Issue 15: the validation split, accuracy, polynomial degree, standardisation and early stopping."""

from __future__ import annotations

import numpy as np
import pytest

import gd_core
from gd_core import ConfigError, Trainer, build_problem, run, run_many, validate
from gd_core.generalization import split_indices
from gd_core.pipeline import Recorder

LINEAR = {"problem": "linear_regression", "data": {"name": "linear", "n_samples": 50, "noise": 0.5, "seed": 3},
          "variant": "minibatch", "batch_size": 8, "steps": 40, "optimizer": {"name": "plain", "lr": 0.05}}
MLP = {"problem": "mlp", "hidden": [6], "data": {"name": "moons", "n_samples": 60, "noise": 0.3, "seed": 1},
       "variant": "minibatch", "batch_size": 10, "steps": 40, "optimizer": {"name": "adam", "lr": 0.05}}
LOGISTIC = {"problem": "logistic_regression", "data": {"name": "blobs", "n_samples": 40, "noise": 1.5, "seed": 2},
            "steps": 30, "optimizer": {"name": "plain", "lr": 0.5}}


@pytest.mark.parametrize("n, v, held", [(12, 0.25, 3), (10, 0.04, 1), (10, 0.99, 9), (7, 0.5, 4), (2, 0.5, 1)])
def test_split_holds_out_round_v_n_at_least_one_each_side(n, v, held):
    train, out = split_indices(n, v, seed=5)
    assert len(out) == held and len(train) == n - held
    assert sorted([*train, *out]) == list(range(n))
    assert np.array_equal(out, np.sort(np.random.default_rng(5).permutation(n)[:held]))  # the data seed's


@pytest.mark.parametrize("base", [LINEAR, MLP, LOGISTIC], ids=["mse", "cross-entropy", "logistic"])
def test_training_and_held_out_losses_weigh_up_to_the_full_data_loss_at_every_row(base):
    config = {**base, "validation": 0.3, "standardize": True}
    problem = build_problem(validate(config))
    whole = build_problem(validate({**config, "validation": 0.0}))  # the same scaling: standardize uses the train part
    whole = whole.on_samples(_standardized_like(problem, whole))
    n_train, n_val = problem.n_samples, problem.held_out.n_samples
    assert n_train + n_val == whole.n_samples and n_val == round(0.3 * whole.n_samples)
    history = run(config)
    assert np.all(np.isfinite(history.val_loss))
    mixed = (n_train * history.loss + n_val * history.val_loss) / (n_train + n_val)
    np.testing.assert_allclose(mixed, [whole.full_loss(p) for p in history.params], rtol=1e-10, atol=1e-12)


def _standardized_like(problem, whole):
    """The full data scaled as the split problem's training part was (mean and std of the training samples)."""
    train, held = problem.split
    data = whole.dataset
    X = data.X[train]
    std = np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
    return type(data)((data.X - X.mean(axis=0)) / std, data.y, data.feature_names, data.target_name)


@pytest.mark.parametrize("base", [MLP, LOGISTIC], ids=["mlp", "logistic"])
def test_accuracy_columns_equal_an_independent_count(base):
    config = {**base, "validation": 0.25}
    problem = build_problem(validate(config))
    history = run(config)
    for part, column in ((problem, history.accuracy), (problem.held_out, history.val_accuracy)):
        for row in (0, len(history) // 2, len(history) - 1):
            p1 = part.class_probabilities(history.params[row], part.dataset.X) if part.can("class_probabilities") \
                else 1 / (1 + np.exp(-(part.dataset.X @ history.params[row][:-1] + history.params[row][-1])))
            right = sum(int(p > 0.5) == int(label == part.labels[1] if base is LOGISTIC else label == part.classes[1])
                        for p, label in zip(p1, part.dataset.y))
            assert column[row] == right / part.n_samples


def test_held_out_samples_never_appear_in_a_recorded_batch():
    config = {**LINEAR, "validation": 0.25, "variant": "stochastic", "steps": 150}
    batches = []
    trainer = Trainer(config, recorders=(Recorder("seen", lambda record: batches.append(record.indices) or 0.0),))
    trainer.advance()
    problem, full = trainer.problem, build_problem(validate({**config, "validation": 0.0}))
    train, held = problem.split
    drawn = train[np.concatenate(batches)]  # positions in the training part -> the data's own sample numbers
    assert set(drawn) == set(train) and not set(drawn) & set(held)
    assert np.array_equal(problem.dataset.X, full.dataset.X[train])  # the training part holds only those samples
    assert trainer.history.samples_seen[-1] == 150 and trainer.history.epoch[-1] == 150 / len(train)


@pytest.mark.parametrize("degree", [2, 5])
def test_degree_k_fits_a_polynomial_and_its_gradients_match_finite_differences(degree):
    config = validate({**LINEAR, "degree": degree, "data": {"name": "linear", "n_samples": 12, "seed": 4}})
    problem = build_problem(config)
    assert problem.param_names == (*(f"w{j}" for j in range(1, degree + 1)), "b")
    theta = np.random.default_rng(0).normal(size=degree + 1)
    x = problem.dataset.X[:, 0]
    np.testing.assert_allclose(problem.curve(theta, x), np.polyval([*theta[:-1][::-1], 0.0], x) + theta[-1])
    for idx in (None, np.array([0, 3, 7])):
        loss, grad = problem.loss_and_grad(theta, idx)
        h, numeric = 1e-6, np.empty_like(theta)
        for j in range(len(theta)):
            e = np.eye(len(theta))[j] * h
            numeric[j] = (problem.loss_and_grad(theta + e, idx)[0] - problem.loss_and_grad(theta - e, idx)[0]) / (2 * h)
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-6)
        direct = problem.dataset.y if idx is None else problem.dataset.y[idx]
        xs = x if idx is None else x[idx]
        assert loss == pytest.approx(np.mean((problem.curve(theta, xs) - direct) ** 2), rel=1e-10)


def test_standardize_uses_the_training_samples_only():
    config = {**LINEAR, "data": {"name": "linear", "n_samples": 40, "seed": 1}, "validation": 0.5,
              "standardize": True}
    problem = build_problem(validate(config))
    assert problem.dataset.X.mean() == pytest.approx(0.0, abs=1e-12) and problem.dataset.X.std() == pytest.approx(1)
    assert abs(problem.held_out.dataset.X.mean()) > 1e-3  # scaled with the training numbers, not its own


def _expected_stop(val_loss, patience):
    """The first step at which the best validation loss so far is `patience` steps old, and that best step."""
    best = 0
    for step in range(len(val_loss)):
        if val_loss[step] < val_loss[best]:
            best = step
        if step - best >= patience:
            return step, best
    return None, best


@pytest.mark.parametrize("patience", [1, 4, 15])
def test_early_stopping_stops_at_the_right_step_and_marks_the_best(patience):
    config = {**MLP, "validation": 0.3, "steps": 400, "optimizer": {"name": "adam", "lr": 0.1}}
    free = run(config)
    stop, best = _expected_stop(free.val_loss, patience)
    assert stop is not None and stop < 400
    stopped, grouped = run_many([{**config, "early_stopping": {"patience": patience}},
                                 {**config, "early_stopping": {"patience": patience}, "seed": 1}])
    for history in (stopped, run({**config, "early_stopping": {"patience": patience}})):
        assert history.status == "stopped early" and history.step[-1] == stop and history.best_step == best
        assert f"at step {best}" in history.message
        np.testing.assert_array_equal(history.best_params, free.params[best])
        np.testing.assert_array_equal(history.val_loss, free.val_loss[:stop + 1])
    assert grouped.status == "stopped early" and grouped.best_step == int(np.argmin(grouped.val_loss))


def test_a_run_that_completes_still_marks_its_best_validation_step():
    history = run({**LINEAR, "validation": 0.2})
    assert history.status == "completed" and history.best_step == int(np.argmin(history.val_loss))


def test_without_a_split_the_new_columns_are_nan_and_the_run_is_unchanged():
    plain = run(LINEAR)
    assert np.isnan(plain.val_loss).all() and np.isnan(plain.accuracy).all() and plain.best_step is None
    again = run({**LINEAR, "validation": 0.0, "standardize": False, "degree": 1})
    np.testing.assert_array_equal(plain.params, again.params)
    mlp = run(MLP)
    assert np.isnan(mlp.val_loss).all() and np.isfinite(mlp.accuracy).all() and np.isnan(mlp.val_accuracy).all()
    assert plain.header()[6:11] == ["grad_norm", "val_loss", "accuracy", "val_accuracy", "evaluations"]


def test_a_group_records_what_lone_runs_record():
    configs = [{**MLP, "validation": 0.25, "optimizer": {"name": "adam", "lr": lr}} for lr in (0.05, 0.01)]
    for grouped, config in zip(run_many(configs), configs):
        alone = run(config)
        for column in ("loss", "val_loss", "accuracy", "val_accuracy"):
            np.testing.assert_array_equal(grouped.column(column), alone.column(column))
        assert grouped.best_step == alone.best_step


@pytest.mark.parametrize("config, key, words", [
    ({**LINEAR, "early_stopping": {"patience": 3}}, "early_stopping", "needs validation (validation fraction)"),
    ({**LINEAR, "validation": 1.0}, "validation", "[0, 1)"),
    ({**LINEAR, "validation": 0.5, "data": {"name": "linear", "n_samples": 1}}, "validation", "at least 2"),
    ({**LINEAR, "degree": 3, "data": {"name": "linear", "n_features": 2}}, "degree", "one input"),
    ({"problem": "rosenbrock", "validation": 0.2}, "validation", "no samples to hold out"),
    ({**LINEAR, "validation": 0.9, "batch_size": 8}, "batch_size", "1..n = 1..5"),
])
def test_bad_generalization_settings_are_refused_with_one_clear_message(config, key, words):
    with pytest.raises(ConfigError) as caught:
        Trainer(config)
    assert caught.value.key == key and words in str(caught.value)


def test_cli_takes_the_new_settings_and_writes_their_columns(tmp_path):
    from gd_core.cli import main
    out = tmp_path / "h.csv"
    assert main(["--problem", "mlp", "--hidden", "4", "--data", "moons", "--n-samples", "40", "--validation", "0.25",
                 "--steps", "5", "--out", str(out)]) == 0
    header, *rows = out.read_text().splitlines()
    assert header.split(",")[6:11] == ["grad_norm", "val_loss", "accuracy", "val_accuracy", "evaluations"]
    assert all(cell not in ("", "nan") for cell in rows[-1].split(",")[7:10])


def test_a_session_keeps_the_generalization_settings():
    from gd_core.sessions import FORMAT, VERSION, parse_session
    config = {**LINEAR, "validation": 0.25, "standardize": True, "early_stopping": {"patience": 2}}
    document = {"format": FORMAT, "version": VERSION, "title": "", "text": "",
                "runs": [{"name": "a", "color": "#1f77b4", "config": config}]}
    kept = validate(parse_session(document).runs[0].config)
    assert (kept["validation"], kept["standardize"], kept["early_stopping"]) == (0.25, True, {"patience": 2})


def test_a_switch_to_a_function_drops_the_split_and_a_switch_between_data_problems_keeps_it():
    config = validate({**LINEAR, "validation": 0.25, "standardize": True, "early_stopping": {"patience": 2}})
    function = gd_core.switch_problem(config, "rosenbrock")
    assert not {"validation", "standardize", "early_stopping"} & set(validate(function))
    network = validate(gd_core.switch_problem(config, "mlp"))
    assert (network["validation"], network["standardize"], network["early_stopping"]) == (0.25, True, {"patience": 2})


def test_the_validation_loss_of_linear_regression_comes_from_its_sufficient_statistics():
    config = {**LINEAR, "validation": 0.5, "data": {"name": "linear", "n_samples": 400, "n_features": 3, "seed": 2}}
    trainer = Trainer(config)
    held = trainer.problem.held_out
    A, y = held.A, held.y
    held.A = held.y = None  # any use of the held-out samples themselves would fail: O(d²) per step, not O(n·d)
    trainer.advance(20)
    r = A @ trainer.history.params[-1] - y
    assert held.C.shape == (4, 4) and trainer.history.val_loss[-1] == pytest.approx(r @ r / len(y), rel=1e-10)


def test_a_data_problem_that_cannot_take_other_samples_refuses_a_split(monkeypatch):
    from gd_core.problems import PROBLEMS, LinearRegression, ProblemSpec

    class NoHeldOut(LinearRegression):
        def on_samples(self, dataset):
            return super(LinearRegression, self).on_samples(dataset)  # the base's: "has no samples"

    monkeypatch.setitem(PROBLEMS, "bare", ProblemSpec("bare", "Bare", "data", "L", lambda c, d: NoHeldOut(d),
                                                      default_data="linear", data_tasks=("regression",)))
    with pytest.raises(ConfigError, match="^validation: bare cannot measure held-out samples.*allowed: 0$"):
        build_problem(validate({"problem": "bare", "validation": 0.2}))
    assert build_problem(validate({"problem": "bare"})).held_out is None
