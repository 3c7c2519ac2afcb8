"""A run's history stays within MAX_HISTORY_BYTES whatever its parameter count (at least MIN_ROWS rows of each
kind), and its scalar columns have a row budget of their own: a network's loss curve keeps every step long after
its parameters, thousands of times wider, have thinned."""

import numpy as np
import pytest

import gd_core
from gd_core import history as history_module
from gd_core.history import (
    COLUMNS,
    MAX_HISTORY_BYTES,
    MIN_ROWS,
    SCALAR_SHARE,
    History,
    row_budgets,
    row_bytes,
)


def old_rows(n_params: int) -> int:
    """The rows the record kept before the scalars had their own budget: one table, both in every row."""
    return MAX_HISTORY_BYTES // (8 * (len(COLUMNS) + 2 * n_params))


def test_a_big_network_keeps_its_loss_at_every_step_and_its_parameters_under_the_cap():
    """The audit's 2-256-256-256-256-1 network (198,401 parameters) reached 3.9 GB after 1,100 steps: 1,024 rows
    of 3.2 MB were the floor. 21 rows of both fit in 64 MiB, and its loss was kept every 4th step by step 60. Now
    its scalars keep every step of the first 95,000 and its parameters thin by their own budget of 18 rows."""
    trainer = gd_core.Trainer({"problem": "mlp", "hidden": [256, 256, 256, 256],
                               "data": {"name": "moons", "n_samples": 16}, "optimizer": {"name": "adam"},
                               "steps": 60})
    assert trainer.problem.n_params == 198_401 and old_rows(198_401) == 21
    trainer.advance()
    history = trainer.history
    assert (history.max_rows, history.param_max_rows) == row_budgets(198_401) == (95_325, 18)
    assert history.nbytes <= MAX_HISTORY_BYTES
    np.testing.assert_array_equal(history.step, np.arange(61))  # every step's loss, rate, gradient norm ...
    assert history.stride == 1 and history.param_stride == 4 and len(history.params) <= 18
    assert history.param_step[-1] == 60 and set(history.param_step) <= set(history.step)
    np.testing.assert_array_equal(history.params[-1], trainer.params)


@pytest.mark.parametrize("n_params", [66_817, 198_401, 1_000_000])
def test_a_networks_scalars_keep_every_step_where_one_table_thinned_them(n_params):
    """The MLP lesson's 2-256-256-1 network (66,817 parameters) kept its loss every 64th step after 2,000
    steps: 62 rows. Its scalars now get at least SCALAR_SHARE of the bound: every step of the first 95,325."""
    scalar_rows, param_rows = row_budgets(n_params)
    assert old_rows(n_params) < 100 and scalar_rows == int(SCALAR_SHARE * MAX_HISTORY_BYTES) // row_bytes(0)[0]
    assert scalar_rows > 95_000 and MIN_ROWS <= param_rows < old_rows(n_params)
    scalar, params = row_bytes(n_params)
    assert scalar_rows * scalar + param_rows * params <= MAX_HISTORY_BYTES


def test_small_problems_keep_one_table_as_before():
    """Up to 38 parameters both budgets are the rows that fit when every row holds both: the record thins its
    scalars and parameters alike, so ``param_step`` is ``step``."""
    for n_params in (1, 2, 33, 38):
        scalar_rows, param_rows = row_budgets(n_params)
        assert scalar_rows == param_rows == MAX_HISTORY_BYTES // sum(row_bytes(n_params))
    assert row_budgets(39)[0] > row_budgets(39)[1]

def test_one_bound_for_both_thins_them_alike(monkeypatch):
    monkeypatch.setattr(history_module, "row_budgets", lambda *args, **kwargs: (300, 300))
    trainer = gd_core.Trainer({"problem": "quadratic", "optimizer": {"name": "plain", "lr": 0.001}, "steps": 3_000})
    trainer.advance()
    np.testing.assert_array_equal(trainer.history.param_step, trainer.history.step)
    assert trainer.history.stride == trainer.history.param_stride == 16


def test_the_bound_holds_for_every_parameter_count_up_to_the_floor():
    """Up to 1,223,338 parameters (three rows of them and their gradients fill what the scalars leave of 64 MiB)
    the whole allocation, not just the rows used, fits, and uses the budget; beyond, three rows are kept."""
    for n_params in (1, 2, 33, 39, 1_000, 198_401, 1_000_000, 1_223_338):
        for extra in (0, 3):
            history = History(("p",) * n_params, 1, capacity=10**9,
                              extra_columns=[f"x{i}" for i in range(extra)])
            assert (history.max_rows, history.param_max_rows) == row_budgets(n_params, extra_columns=extra)
            assert history.param_max_rows >= MIN_ROWS
            assert MAX_HISTORY_BYTES - sum(row_bytes(n_params, extra)) < history.nbytes <= MAX_HISTORY_BYTES
    assert row_budgets(1_223_339)[1] == MIN_ROWS
    assert row_budgets(1_223_339)[0] * row_bytes(0)[0] + 3 * row_bytes(1_223_339)[1] > MAX_HISTORY_BYTES


def test_parameters_thin_exactly_at_their_own_stride(monkeypatch):
    """Scalars bounded at 300 rows, parameters at 40: each kept exactly as a lone table with that bound keeps
    them - the head, the multiples of its stride, the latest step - and the same as from whole columns."""
    config = {"problem": "quadratic", "optimizer": {"name": "plain", "lr": 0.001}, "steps": 10_000}
    with monkeypatch.context() as patch:
        patch.setattr(history_module, "row_budgets", lambda *args, **kwargs: (300, 40))
        trainer = gd_core.Trainer(config)
    trainer.advance()
    h, full = trainer.history, gd_core.run(config)
    steps, kept = h.step.astype(int), h.param_step.astype(int)
    assert (h.stride, h.param_stride) == (64, 512) and len(h) <= 300 and len(h.params) <= 40
    assert h.param_head == 5 and np.array_equal(kept[:5], np.arange(5)) and kept[-1] == 10_000
    assert np.all(kept[5:-1] % h.param_stride == 0) and np.all(np.diff(kept) > 0)
    assert set(kept) <= set(steps)
    np.testing.assert_array_equal(h.loss, full.loss[steps])
    np.testing.assert_array_equal(h.params, full.params[kept])  # the kept rows are exact
    np.testing.assert_array_equal(h.grads[1:], full.grads[kept[1:]])
    np.testing.assert_array_equal(h.at_param_steps("loss"), full.loss[kept])
    whole = History.from_arrays(("x", "y"), 1, {name: full.column(name) for name in COLUMNS}, full.params,
                                full.grads, "completed", "", max_rows=300, param_max_rows=40)
    assert (whole.stride, whole.param_stride) == (h.stride, h.param_stride)
    np.testing.assert_array_equal(whole.step, h.step)
    np.testing.assert_array_equal(whole.param_step, h.param_step)
    np.testing.assert_array_equal(whole.params, h.params)
    # exports: every scalar row, the parameters where they were kept (empty cells elsewhere), and no step size
    # across rows that are not one step apart
    rows = list(h.csv_rows())
    assert len(rows) == len(h) and sum(row[-1] == "" for row in rows) == len(h) - len(kept)
    assert [row[0] for row in rows if row[-1] != ""] == list(kept)
    sizes = h.effective_step_sizes()
    assert np.isfinite(sizes[1:5]).all() and np.isnan(sizes[5:]).all()


def test_a_groups_runs_keep_both_budgets_as_lone_runs(monkeypatch):
    """run_many's shared record, bounded per run like a lone run's: each run, selected out of it, holds the same
    scalar and parameter rows as the same run alone (an MLP of 65 parameters: two budgets)."""
    monkeypatch.setattr(history_module, "MAX_HISTORY_BYTES", 300_000)
    base = {"problem": "mlp", "hidden": [16], "data": {"name": "moons", "n_samples": 40}, "batch_size": 8,
            "steps": 1_500}
    configs = [{**base, "optimizer": {"name": "adam", "lr": lr}} for lr in (0.003, 0.03)]
    budgets = row_budgets(65)
    assert budgets == (426, 250)
    for got, config in zip(gd_core.run_many(configs), configs):
        alone = gd_core.run(config)
        assert (got.max_rows, got.param_max_rows) == budgets and got.nbytes <= 300_000
        assert (got.stride, got.param_stride) == (alone.stride, alone.param_stride) == (4, 8)
        np.testing.assert_array_equal(got.step, alone.step)
        np.testing.assert_array_equal(got.param_step, alone.param_step)
        for name in ("loss", "grad_norm", "params", "grads"):  # equal up to the order of a vectorised sum
            np.testing.assert_allclose(getattr(got, name), getattr(alone, name), rtol=1e-12, err_msg=name)


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
    assert short.history._scalars.capacity == short.history._weights.capacity == 301
    before = short.history.params.base
    short.advance()
    assert short.history.params.base is before and all(len(h) == 301 for h in short.histories)
    long = group(10**6)
    assert long.history.nbytes <= MAX_HISTORY_BYTES
    assert np.isnan(long.history.val_loss).all() and len(long.history) == 1
