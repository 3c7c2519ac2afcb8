"""The schedules of torch.optim.lr_scheduler, stepped once per step: learning-rate (and one-cycle momentum)
sequences equal to torch's to 1e-12, and whole trajectories under them.

The expected sequences are committed (``tests/golden/schedules.json``, written by ``make_schedule_golden.py``
from torch itself) so CI checks them without torch; when torch is importable they are also compared live.
"""

import json
from pathlib import Path

import numpy as np
import pytest

import gd_core
from gd_core.schedules import SCHEDULES, check_schedule, make_schedule, restart_position

GOLDEN = json.loads((Path(__file__).parent.parent / "golden" / "schedules.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", GOLDEN["sequences"], ids=lambda c: c["id"])
def test_rate_and_momentum_sequences_equal_torch(case):
    schedule = make_schedule(**case["schedule"])
    ours = [schedule(case["lr0"], t) for t in range(len(case["lr"]))]
    np.testing.assert_allclose(ours, case["lr"], rtol=1e-12, atol=1e-15)
    if case.get("momentum") is not None:
        np.testing.assert_allclose([schedule.momentum(t) for t in range(len(case["momentum"]))], case["momentum"],
                                   rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("case", GOLDEN["trajectories"], ids=lambda c: c["id"])
def test_trajectories_under_schedules_equal_torch(case):
    history = gd_core.run(case["config"])
    rows = min(len(history), len(case["params"]))
    np.testing.assert_allclose(history.params[:rows], np.array(case["params"])[:rows], rtol=1e-12, atol=1e-12)
    assert rows == len(case["params"]) or history.status == "diverged"


def test_every_schedule_has_a_golden_case():
    """All but GD Lab's own forms: constant, inverse_time and range are LambdaLR closed forms tested directly."""
    assert {c["schedule"]["name"] for c in GOLDEN["sequences"]} == set(SCHEDULES) - {"constant", "inverse_time",
                                                                                      "range"}


def test_run_length_defaults_and_nesting():
    config = gd_core.validate({"problem": "quadratic", "steps": 300, "schedule": "onecycle"})
    assert config["schedule"]["total_steps"] == 300
    warm = gd_core.validate({"problem": "quadratic", "steps": 300,
                             "schedule": {"name": "warmup", "steps": 50, "then": "cosine"}})
    assert warm["schedule"]["then"] == {"name": "cosine", "t_max": 250, "eta_min": 0.0}
    for bad, key in (({"name": "warmup", "then": {"name": "nope"}}, "schedule.then.name"),
                     ({"name": "warmup", "then": 5}, "schedule.then"),
                     ({"name": "multistep", "milestones": []}, "schedule.milestones"),
                     ({"name": "onecycle", "pct_start": 1.0}, "schedule.pct_start"),
                     ({"name": ["cosine"]}, "schedule.name")):
        with pytest.raises(gd_core.ConfigError) as error:
            check_schedule(bad)
        assert error.value.key == key
    deep = "constant"
    for _ in range(4):
        deep = {"name": "warmup", "then": deep}
    with pytest.raises(gd_core.ConfigError, match="nest"):
        check_schedule(deep)


def test_restart_periods_grow_geometrically():
    assert [restart_position(t, 3, 2) for t in (0, 2, 3, 8, 9, 20, 21)] == \
        [(0, 3), (2, 3), (0, 6), (5, 6), (0, 12), (11, 12), (0, 24)]


def test_restarts_of_a_fixed_period_take_one_modulo_at_any_step():
    """t_mult = 1: T_cur = t mod t_0 (torch's rule); the loop over restarts took 11 s at step 1e8 with t_0 = 1, so
    a long run slowed at every step - at step 1e15 it would not end."""
    assert [restart_position(t, 3, 1) for t in (0, 2, 3, 8, 9)] == [(0, 3), (2, 3), (0, 3), (2, 3), (0, 3)]
    assert restart_position(10**15 + 5, 7, 1) == ((10**15 + 5) % 7, 7)
    assert restart_position(10**15, 1, 1) == (0, 1)


def test_one_cycle_sets_momentum_only_where_the_optimizer_has_one():
    base = {"problem": "quadratic", "steps": 40, "schedule": {"name": "onecycle", "max_lr": 0.1}}
    plain = gd_core.run({**base, "optimizer": "plain"})
    reference = gd_core.run({**base, "optimizer": "plain", "schedule": {"name": "onecycle", "max_lr": 0.1,
                                                                         "cycle_momentum": False}})
    np.testing.assert_array_equal(plain.params, reference.params)  # plain gradient descent has no momentum
    adam = gd_core.run({**base, "optimizer": "adam"})
    fixed = gd_core.run({**base, "optimizer": "adam", "schedule": {"name": "onecycle", "max_lr": 0.1,
                                                                    "cycle_momentum": False}})
    assert not np.allclose(adam.params, fixed.params)  # Adam's beta1 cycles


def test_run_many_equals_run_under_every_new_schedule():
    for case in GOLDEN["trajectories"]:
        config = case["config"]
        lrs = (0.05, 0.1) if config["schedule"]["name"] != "onecycle" else (1.0,)
        configs = [{**config, "optimizer": {**config["optimizer"], "lr": lr}} for lr in lrs]
        for history, c in zip(gd_core.run_many(configs), configs):
            np.testing.assert_allclose(history.params, gd_core.run(c).params, rtol=1e-12, atol=1e-12)


def test_live_torch_when_installed():
    torch = pytest.importorskip("torch")
    import sys
    sys.path.insert(0, str(Path(__file__).parent.parent / "golden"))
    from make_schedule_golden import golden

    fresh = golden(torch)  # torch as installed now: the committed file still says what it says
    for kind in ("sequences", "trajectories"):
        assert [c["id"] for c in fresh[kind]] == [c["id"] for c in GOLDEN[kind]]
    for ours, theirs in zip(GOLDEN["sequences"], fresh["sequences"]):
        np.testing.assert_allclose(ours["lr"], theirs["lr"], rtol=1e-12)
    for ours, theirs in zip(GOLDEN["trajectories"], fresh["trajectories"]):
        np.testing.assert_allclose(ours["params"], theirs["params"], rtol=1e-12, atol=1e-12)
