"""A run's history stays within MAX_HISTORY_BYTES whatever its parameter count (at least MIN_ROWS rows)."""

import numpy as np

import gd_core
from gd_core.history import COLUMNS, MAX_HISTORY_BYTES, MIN_ROWS, History, max_rows_for


def test_a_big_network_keeps_its_history_under_the_cap():
    """The audit's 2-256-256-256-256-1 network (198,401 parameters) reached 3.9 GB after 1,100 steps: 1,024
    rows of 3.2 MB were the floor. Now 21 rows fit in 64 MiB, and the record thins to a stride as any run's."""
    trainer = gd_core.Trainer({"problem": "mlp", "hidden": [256, 256, 256, 256],
                               "data": {"name": "moons", "n_samples": 16}, "optimizer": {"name": "adam"},
                               "steps": 60})
    assert trainer.problem.n_params == 198_401
    trainer.advance()
    history = trainer.history
    assert history.max_rows == max_rows_for(198_401) == 21
    assert history.nbytes <= MAX_HISTORY_BYTES
    assert history.step[0] == 0 and history.step[-1] == 60 and history.stride == 4
    np.testing.assert_array_equal(history.params[-1], trainer.params)


def test_the_bound_holds_for_every_parameter_count_up_to_the_floor():
    """Up to 1,398,094 parameters (three rows of them and their gradients fill 64 MiB) the whole allocation,
    not just the rows used, fits, and uses the budget; beyond, the floor of three rows is kept."""
    for n_params in (1, 2, 33, 1_000, 198_401, 1_000_000, 1_398_094):
        for extra in (0, 3):
            history = History(("p",) * n_params, 1, capacity=10**9,
                              extra_columns=[f"x{i}" for i in range(extra)])
            assert history.max_rows == max_rows_for(n_params, extra_columns=extra) >= MIN_ROWS
            row_bytes = 8 * (len(COLUMNS) + extra + 2 * n_params)
            assert MAX_HISTORY_BYTES - row_bytes < history.nbytes <= MAX_HISTORY_BYTES  # all of it, and no more
    assert 3 * 8 * (len(COLUMNS) + 2 * 1_398_098) > MAX_HISTORY_BYTES and max_rows_for(1_398_098) == MIN_ROWS


def test_three_rows_still_record_the_start_the_stride_and_the_latest_step():
    history = History(("a",), 1, max_rows=MIN_ROWS)
    for t in range(1001):
        history.append(t, t, 0.1, 0.0, float(t), 0.0, np.array([float(t)]), np.array([0.0]))
        steps = history.step.astype(int)
        assert len(history) <= MIN_ROWS and steps[0] == 0 and steps[-1] == t
        assert np.all(steps[:-1] % history.stride == 0) and np.all(np.diff(steps) > 0)


def test_a_group_allocates_its_planned_rows_once_within_the_bound():
    """A group runs to its end: its record holds the planned rows from the start (no copies while it grows) -
    unless they exceed MAX_HISTORY_BYTES, which a group of 64 runs of a million steps would (4 GB): then it
    starts with as many as fit and grows as any record does."""
    from gd_core.many import TrainerGroup
    base = {"problem": "linear_regression", "data": {"name": "linear", "n_samples": 200}, "batch_size": 8}

    def group(steps, runs=64):
        configs = [gd_core.resolve({**base, "steps": steps, "optimizer": {"name": "adam", "lr": 0.01 * (k + 1)}})[0]
                   for k in range(runs)]
        return TrainerGroup(configs, gd_core.build_problem(configs[0]))

    short = group(300)
    assert len(short.history._params) == 301
    before = short.history._params
    short.advance()
    assert short.history._params is before and all(len(h) == 301 for h in short.histories)
    long = group(10**6)
    assert long.history.nbytes <= MAX_HISTORY_BYTES
    assert np.isnan(long.history.val_loss).all() and len(long.history) == 1
