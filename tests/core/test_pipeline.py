"""The step pipeline: one loop for a run and a group, the latest step as one record, recorders, evaluations at
trial points, the bounded record of run_many, and a start where the loss is not finite."""

import tracemalloc
import warnings

import numpy as np
import pytest

import gd_core
from gd_core import Trainer, TrainerGroup, history, run, run_many
from gd_core.optimizers import OPTIMIZERS, OptimizerSpec, SGDState, _lr, _sgd_init
from gd_core.pipeline import Recorder, StepRecord

LINEAR = {"problem": "linear_regression", "data": {"name": "linear", "n_samples": 60, "n_features": 2}}


def test_the_latest_step_is_one_record_of_what_it_used():
    trainer = Trainer({**LINEAR, "batch_size": 8, "optimizer": {"name": "momentum", "lr": 0.05}, "steps": 50})
    assert trainer.latest is None  # no step yet
    trainer.advance(7)
    step, h, problem = trainer.latest, trainer.history, trainer.problem
    assert isinstance(step, StepRecord) and step.step == 7 == trainer.step
    np.testing.assert_array_equal(step.params_before, h.params[-2])
    np.testing.assert_array_equal(step.params, h.params[-1])
    np.testing.assert_array_equal(step.update, h.params[-1] - h.params[-2])
    assert step.indices.shape == (8,) and step.lr == h.lr[-1] == 0.05
    batch_loss, batch_grad = problem.loss_and_grad(step.params_before, step.indices)
    assert step.batch_loss == batch_loss == h.batch_loss[-1]
    np.testing.assert_array_equal(step.batch_grad, batch_grad)
    np.testing.assert_array_equal(step.grad, h.grads[-1])
    np.testing.assert_array_equal(step.full_grad_before, problem.full_loss_and_grad(step.params_before)[1])
    np.testing.assert_array_equal(step.full_grad, problem.full_loss_and_grad(step.params)[1])
    assert step.state is trainer.state and step.state.count == 7 and step.optimizer.name == "momentum"


def test_the_record_keeps_the_raw_batch_gradient_and_the_one_the_update_used():
    trainer = Trainer({"problem": "quadratic", "variant": "coordinate", "clip_norm": 0.5, "steps": 5,
                       "optimizer": {"name": "plain", "lr": 0.1}})
    trainer.advance()
    step = trainer.latest
    assert step.indices is None and np.count_nonzero(step.batch_grad) == 2  # all samples, every component
    assert np.count_nonzero(step.grad) == 1 and np.linalg.norm(step.grad) <= 0.5  # masked, then clipped


def test_a_recorder_adds_a_history_column_for_one_run_and_for_a_group():
    recorders = (Recorder("update_norm", lambda step: np.linalg.norm(step.update, axis=-1)),)
    configs = [{**LINEAR, "batch_size": 5, "steps": 30, "seed": s, "optimizer": {"name": "adam", "lr": lr}}
               for s, lr in ((0, 0.01), (1, 0.1), (0, 0.3))]
    trainer = Trainer(configs[1], recorders=recorders)
    trainer.advance()
    h = trainer.history
    assert h.header()[:12] == [*gd_core.COLUMNS, "update_norm"] and h.table().shape == (31, 12 + 3)
    assert np.isnan(h.column("update_norm")[0])
    np.testing.assert_allclose(h.column("update_norm")[1:], np.linalg.norm(np.diff(h.params, axis=0), axis=1))
    group = TrainerGroup([gd_core.resolve(c, trainer.problem)[0] for c in configs], trainer.problem, recorders)
    np.testing.assert_allclose(group.run()[1].column("update_norm"), h.column("update_norm"), rtol=1e-12)


def _backtracking_update(grad, state, params, lr, hp, objective):
    """A toy line search: halve each run's step until its batch loss decreases (at most 40 trials)."""
    loss = objective(params)[0]
    step = np.full(np.shape(loss), lr, dtype=float)
    for _ in range(40):
        trial = params - np.expand_dims(step, -1) * grad
        better = objective(trial)[0] < loss
        if np.all(better):
            break
        step = np.where(better, step, step / 2)
    return trial, SGDState(state.count + 1, state.velocity)


def test_a_method_evaluates_the_batch_at_trial_points_and_the_evaluations_are_counted(monkeypatch):
    spec = OptimizerSpec("backtracking", "Backtracking line search", "Halves the step until the loss decreases.",
                         "θ ← θ − γ·g, γ halved until L decreases", "none", (_lr(1.0),), _sgd_init,
                         _backtracking_update, evaluates=True)
    monkeypatch.setitem(OPTIMIZERS, "backtracking", spec)
    config = {"problem": "rosenbrock", "steps": 40, "optimizer": {"name": "backtracking", "lr": 1.0}}
    trainer = Trainer(config)
    trainer.advance()
    h = trainer.history
    assert np.all(np.diff(h.loss) < 0)  # every step found a decrease
    assert trainer.evaluations >= 40 * 3  # the step's own gradient, the loss there, at least one trial each
    plain = Trainer({**config, "optimizer": {"name": "plain", "lr": 1e-3}})
    plain.advance()
    assert plain.evaluations == 40  # a gradient method evaluates once per step
    histories = run_many([config, {**config, "init": [0.5, 0.5]}])
    np.testing.assert_allclose(histories[0].params, h.params, rtol=1e-12)


def test_weight_decay_is_a_stage_before_the_rule():
    from gd_core.optimizers import make_optimizer
    params, grad = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    plain = make_optimizer("plain", lr=0.1, weight_decay=0.2)
    assert plain.step is not plain.spec.update and make_optimizer("plain", lr=0.1).step is plain.spec.update
    np.testing.assert_allclose(plain.update(grad, plain.init(params), params, 0.1)[0],
                               params - 0.1 * (grad + 0.2 * params))
    adamw = make_optimizer("adamw", lr=0.1, weight_decay=0.2)
    decayed = params * (1 - 0.1 * 0.2)
    np.testing.assert_array_equal(adamw.update(grad, adamw.init(params), params, 0.1)[0],
                                  adamw.spec.update(grad, adamw.init(params), decayed, 0.1, adamw.hparams)[0])


def test_a_start_where_the_loss_is_not_finite_diverges_at_row_0():
    config = {"problem": "booth", "init": [1e200, 1e200], "steps": 50}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning leaks
        trainer = Trainer(config)
        histories = run_many([config, {**config, "init": [0.0, 0.0]}, {**config, "init": [1e200, 0.0]}])
    assert trainer.status == "diverged" and len(trainer.history) == 1 and trainer.advance() == 0
    assert "diverged at the start" in trainer.history.message and "not a finite number" in trainer.history.message
    assert [h.status for h in histories] == ["diverged", "completed", "diverged"]
    assert len(histories[0]) == 1 and histories[0].message == trainer.history.message
    late = run({**config, "init": [1e150, 1e150], "optimizer": {"name": "plain", "lr": 0.5}})
    assert late.status == "diverged" and len(late) > 1  # a finite start, an infinite loss some steps later


def test_run_many_keeps_every_run_in_the_same_bounded_record_as_a_lone_run(monkeypatch):
    monkeypatch.setattr(history, "MAX_HISTORY_BYTES", 1024 * 8 * 16)  # 1,024 rows of a two-parameter run
    configs = [{"problem": "quadratic", "steps": 20_000, "optimizer": {"name": "plain", "lr": lr}}
               for lr in (0.001, 0.01, 0.25)]  # the last diverges at a step of its own, early
    tracemalloc.start()
    try:
        histories = run_many(configs)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * 2**20  # every step of every run kept: 4.3 MiB; the bounded record: about 0.5 MiB
    for got, config in zip(histories, configs):
        expected = run(config)
        assert len(got) == len(expected) <= 1024 and got.stride == expected.stride
        np.testing.assert_array_equal(got.step, expected.step)
        np.testing.assert_allclose(got.params, expected.params, rtol=1e-12)
    assert histories[0].stride == 32 and histories[2].status == "diverged" and histories[2].stride == 1


def test_runs_that_share_a_seed_share_their_draws():
    configs = [{**LINEAR, "batch_size": 4, "steps": 40, "seed": k % 3, "optimizer": {"name": "plain", "lr": lr}}
               for k, lr in enumerate(np.geomspace(0.001, 0.1, 9))]
    problem = gd_core.resolve(configs[0])[1]
    group = TrainerGroup([gd_core.resolve(c, problem)[0] for c in configs], problem)
    assert len(group.sampler.rngs) == 3 and list(group.slots) == [0, 1, 2] * 3
    for got, config in zip(group.run(), configs):
        np.testing.assert_allclose(got.params, run(config).params, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("variant", ["coordinate", "stochastic"])
def test_shared_coordinates_and_noise_follow_each_seed(variant):
    configs = [{"problem": "rosenbrock", "variant": variant, "gradient_noise": 0.2, "steps": 60, "seed": s,
                "init": [x, 1.0], "optimizer": {"name": "adam", "lr": 0.02}}
               for s, x in ((4, -1.0), (5, -1.0), (4, 0.5), (5, 0.0))]
    if variant == "stochastic":
        configs = [{**c, "variant": "batch"} for c in configs]
    for got, config in zip(run_many(configs), configs):
        np.testing.assert_allclose(got.params, run(config).params, rtol=1e-12, atol=1e-15)
