"""run_many: vectorised runs equal run() of each config, and configs that can share a pass do."""

import os
import signal
import threading

import numpy as np
import pytest

import gd_core
from gd_core import many, samplers

LIN = {"problem": "linear_regression", "data": {"name": "linear", "n_samples": 120, "n_features": 2}}
LOG = {"problem": "logistic_regression", "data": {"name": "moons", "n_samples": 80}}


def sweep(base, key="lr", values=(0.001, 0.01, 0.05, 0.2, 1.0, 3.0), optimizer="plain"):
    return [{**base, "optimizer": {"name": optimizer, key: v} if key == "lr" else {"name": optimizer, "lr": 0.05,
                                                                                  key: v}} for v in values]


CASES = {
    "lr sweep, minibatch, one seed": sweep({**LIN, "batch_size": 16, "steps": 150}),
    "lr sweep with divergence": sweep({**LIN, "variant": "batch", "steps": 200}, values=(0.1, 0.5, 2.0, 5.0)),
    "seeds differ, shuffle": [{**LIN, "variant": "stochastic", "epochs": 2, "seed": s,
                               "optimizer": {"name": "momentum", "lr": 0.02}} for s in range(4)],
    "ten seeds": [{**LIN, "batch_size": 25, "epochs": 3, "seed": s,
                                           "optimizer": {"name": "adam", "lr": 0.01 * (s + 1)}} for s in range(10)],
    "seeds differ, replacement": [{**LOG, "batch_size": 7, "sampling": "replacement", "steps": 150, "seed": s,
                                   "optimizer": {"name": "adam", "lr": 0.05}} for s in (1, 2, 3)],
    "coordinate, seeds and starts differ": [{**LIN, "variant": "coordinate", "steps": 100, "seed": s,
                                             "init": [s, -s, 0.5]} for s in range(3)],
    "betas differ (nadam)": sweep({**LOG, "steps": 120, "batch_size": 10}, key="beta1", values=(0.5, 0.8, 0.95),
                                  optimizer="nadam"),
    "rmsprop momentum differs, clipped, scheduled": [
        {**LIN, "steps": 120, "clip_norm": 1.0, "schedule": {"name": "cosine", "t_max": 60},
         "optimizer": {"name": "rmsprop", "lr": 0.01, "momentum": m, "centered": True}} for m in (0.0, 0.5, 0.9)],
    "function with noise and starts": [{"problem": "rosenbrock", "gradient_noise": g, "steps": 300, "seed": 5,
                                        "init": [x, 1.0], "optimizer": {"name": "adam", "lr": 0.02}}
                                       for g, x in ((0.0, -1.5), (0.5, -1.0), (2.0, 0.5))],
    "adagrad accumulators differ, tolerance": [
        {"problem": "quadratic", "steps": 2000, "tolerance": 1e-6,
         "optimizer": {"name": "adagrad", "lr": 0.5, "initial_accumulator_value": a}} for a in (0.0, 0.1, 1.0)],
    "saddle escapes at different steps": [{"problem": "saddle", "steps": 400, "init": [-1.5, y],
                                           "optimizer": {"name": "plain", "lr": 0.1}} for y in (1e-3, 1e-6, 0.0)],
    "epoch budget, adamw": sweep({**LOG, "epochs": 3, "batch_size": 9}, optimizer="adamw",
                                 values=(0.001, 0.03, 0.3)),
}


@pytest.mark.parametrize("name", CASES)
def test_run_many_equals_run(name):
    configs = CASES[name]
    for got, expected in zip(gd_core.run_many(configs), map(gd_core.run, configs)):
        assert got.status == expected.status and got.message == expected.message
        assert len(got) == len(expected) and got.param_names == expected.param_names
        scale = np.maximum(1.0, np.abs(expected.params))
        with np.errstate(invalid="ignore"):
            np.testing.assert_array_less(np.nan_to_num(np.abs(got.params - expected.params) / scale), 1e-12)
        for column in gd_core.COLUMNS:
            np.testing.assert_allclose(got.column(column), expected.column(column), rtol=1e-12, atol=1e-12)


def test_statuses_differ_within_a_group():
    histories = gd_core.run_many(CASES["lr sweep with divergence"])
    assert [h.status for h in histories] == ["completed", "completed", "diverged", "diverged"]


def test_configs_that_can_share_a_pass_do(monkeypatch):
    built = []
    original = many.TrainerGroup.__init__

    def spy(self, configs, problem):
        built.append(len(configs))
        original(self, configs, problem)

    monkeypatch.setattr(many.TrainerGroup, "__init__", spy)
    lrs = np.geomspace(1e-4, 1.0, 64)
    configs = [{**LIN, "batch_size": 16, "steps": 20, "optimizer": {"name": "adam", "lr": float(lr)}} for lr in lrs]
    configs += [{**LIN, "batch_size": 8, "steps": 20, "optimizer": {"name": "adam", "lr": 0.1}},  # another batch
                {**LIN, "batch_size": 16, "steps": 20, "optimizer": {"name": "plain", "lr": 0.1}}]  # another rule
    histories = gd_core.run_many(configs)
    assert built == [64] and len(histories) == 66  # the two odd ones run alone
    assert histories[-1].status == "completed"


def test_group_key_ignores_what_may_differ():
    a = gd_core.resolve({**LIN, "seed": 1, "init": [0, 0, 0], "optimizer": {"name": "adam", "lr": 0.1}})[0]
    b = gd_core.resolve({**LIN, "seed": 2, "optimizer": {"name": "adam", "lr": 0.5, "beta1": 0.7}})[0]
    c = gd_core.resolve({**LIN, "optimizer": {"name": "adamw", "lr": 0.5, "amsgrad": True}})[0]
    assert many.group_key(a) == many.group_key(b) != many.group_key(c)


def test_recorded_gradients_equal_too():
    configs = CASES["seeds differ, replacement"]
    for got, expected in zip(gd_core.run_many(configs), map(gd_core.run, configs)):
        assert np.isnan(got.grads[0]).all() and np.isnan(expected.grads[0]).all()
        np.testing.assert_allclose(got.grads[1:], expected.grads[1:], rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("n_features", [2, 100])  # one table; scalars and parameters in tables of their own
def test_a_run_taken_out_of_a_group_is_a_whole_history(n_features):
    """History.select builds a run's record without __init__ (no allocation): it must still be a History like
    a lone run's - every attribute, the same budgets - that can take more rows."""
    base = {"problem": "linear_regression", "data": {"name": "linear", "n_samples": 40, "n_features": n_features},
            "steps": 5}
    configs = [{**base, "optimizer": {"name": "plain", "lr": lr}} for lr in (1e-4, 1e-3)]
    group = gd_core.run_many(configs)[0]
    alone = gd_core.run(configs[0])
    assert vars(group).keys() == vars(alone).keys()
    assert group._one_table == alone._one_table == (n_features == 2)
    for table in ("_scalars", "_weights"):
        mine, theirs = getattr(group, table), getattr(alone, table)
        assert vars(mine).keys() == vars(theirs).keys()
        assert (mine.max_rows, mine.head, mine.shapes, mine.unset) == \
            (theirs.max_rows, theirs.head, theirs.shapes, theirs.unset)
    copy = gd_core.run_many(configs[:1] + [{**configs[1], "steps": 9}])[0]  # ended first: a copy
    copy.append(6, 6 * 40, 1e-4, 1.0, 1.0, 1.0, alone.params[-1], alone.params[-1], 7)
    assert len(copy) == 7 and copy.column("step")[-1] == 6 and np.array_equal(copy.params[-1], alone.params[-1])


def test_rows_are_each_generators_permutation_and_half_are_shuffled_by_a_helper_thread(monkeypatch):
    threads, permute = [], samplers._permute_rows

    def shuffled_where(order, rngs):
        threads.append(threading.current_thread().name)
        permute(order, rngs)

    monkeypatch.setattr(samplers, "_permute_rows", shuffled_where)
    monkeypatch.setattr(samplers, "_cores", lambda: 2)
    monkeypatch.setattr(samplers, "PARALLEL_INDICES", 400)  # (9, 50): split; small epochs stay on one thread
    rngs, lone = ([np.random.default_rng(seed) for seed in range(9)] for _ in range(2))
    order = np.full((9, 50), -1, dtype=np.intp)
    for _ in range(2):  # the second epoch's rows continue each generator's stream
        samplers.permute_rows(order, rngs)
        assert np.array_equal(order, [rng.permutation(50) for rng in lone])
    assert sorted(t.startswith("gd_core-permute") for t in threads) == [False, False, True, True]
    threads.clear()
    small = np.empty((9, 40), dtype=np.intp)  # 360 indices: below the threshold, no hand-off
    samplers.permute_rows(small, rngs)
    assert np.array_equal(small, [rng.permutation(40) for rng in lone]) and threads == ["MainThread"]


def test_a_forked_child_draws_on_a_permuting_thread_of_its_own(monkeypatch):
    """A child forked after its parent drew on two threads (a multiprocessing pool of run_many workers, say) has no
    permuting thread: the parent's executor, copied into the child, took its half of the rows and never drew them
    (found by HR: the child waited forever)."""
    monkeypatch.setattr(samplers, "_cores", lambda: 2)
    monkeypatch.setattr(samplers, "PARALLEL_INDICES", 400)
    samplers.permute_rows(np.empty((9, 50), dtype=np.intp), [np.random.default_rng(s) for s in range(9)])
    child = os.fork()
    if child == 0:  # the child: exit code 0 if it drew, and drew right
        code = 1
        try:
            signal.alarm(30)  # (a draw waiting forever ends the child)
            rngs, lone = ([np.random.default_rng(s) for s in range(9)] for _ in range(2))
            order = np.empty((9, 50), dtype=np.intp)
            samplers.permute_rows(order, rngs)
            code = 0 if np.array_equal(order, [rng.permutation(50) for rng in lone]) else 1
        finally:
            os._exit(code)
    assert os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]) == 0
