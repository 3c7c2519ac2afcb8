"""One table of settings (issue 13, item 3): the run-level rows and the registries' rows drive validation, the
CLI flags, the reset, per-run, problem-switch and lesson-lock rules; a new setting is one row."""

from __future__ import annotations

import json

import pytest

import gd_core
from gd_core import GENERATORS, OPTIMIZERS, PROBLEMS, SCHEDULES, ConfigError, validate
from gd_core.cli import _parser, build_config, main, setting_flags
from gd_core.lessons import lock_group
from gd_core.many import group_key
from gd_core.settings import SETTINGS, Setting, kept_on_switch, panel_settings, per_run_keys, reset_keys


def other_value(param):
    """An allowed value of ``param`` that is not its default."""
    if param.kind is bool:
        return not param.default
    if param.kind is str:
        return next(c for c in param.choices if c != param.default)
    if param.kind is list:
        return [0.5, -0.5] if param.name == "init" else [2, 3]
    if param.kind is dict:  # sub-settings: one of them set; what to track: one quantity
        return {param.fields[0].name: other_value(param.fields[0])} if param.fields else {"sharpness": 5}
    if param.kind is int:
        return next(v for v in (int(param.low) + 1, int(param.low), int(param.high)) if v != param.default)
    return next(v for v in (0.5, 0.25, param.high) if v != param.default and param.low < v <= param.high)


def argv_for(flag, value, param=None) -> list[str]:
    """A command line that sets ``value`` through ``flag``, with the context that makes it valid (the problem,
    optimizer, schedule or data the setting belongs to; the one whose row is ``param`` where several share the
    flag)."""
    part, name = flag.part, flag.name
    param = param or flag.params[0]
    context = []
    if part == "problem":
        context = ["--problem", next(s.name for s in PROBLEMS.values() if name in {p.name for p in s.params})]
    elif part == "optimizer":
        context = ["--optimizer", next(s.name for s in OPTIMIZERS.values() if param in s.params)]
    elif part == "schedule":
        context = ["--schedule", next(s.name for s in SCHEDULES.values() if name in {p.name for p in s.params})]
    elif part == "data":
        generator = next(g for g in GENERATORS.values() if name in {p.name for p in g.params})
        problem = next(s.name for s in PROBLEMS.values() if generator.task in s.data_tasks)
        context = ["--problem", problem, "--data", generator.name]
    elif name in ("init", "gradient_noise"):
        context = ["--problem", "quadratic"]
    if isinstance(value, bool):
        words = [flag.flag if value else "--no-" + flag.flag[2:]]
    elif isinstance(value, list):
        words = [flag.flag, *map(str, value)]
    elif isinstance(value, dict):
        words = [flag.flag, json.dumps(value)]
    else:
        words = [flag.flag, str(value)]
    return context + words


def test_every_setting_of_every_table_has_one_flag_that_sets_it():
    flags = setting_flags()
    assert len({f.flag for f in flags}) == len(flags)
    rows = [("run", s.name) for s in SETTINGS.values()]
    for part, registry in (("problem", PROBLEMS), ("optimizer", OPTIMIZERS), ("data", GENERATORS),
                           ("schedule", SCHEDULES)):
        rows += [(part, p.name) for spec in registry.values() for p in spec.params]
    assert {(f.part, f.name) for f in flags} == set(rows)
    for flag in flags:
        kinds = {p.kind for p in flag.params}
        # one flag, one type of value - but for the line search: an object for plain GD's, a name for L-BFGS's
        assert len(kinds) == 1 or kinds == {dict, str}, flag
        for param in {p.kind: p for p in reversed(flag.params)}.values():  # the first row of each kind
            value = other_value(param)
            argv = argv_for(flag, value, param)
            if isinstance(param, Setting) and param.requires:  # what it needs on, too
                required = SETTINGS[param.requires]
                argv += argv_for(next(f for f in flags if f.name == required.name), other_value(required), required)
            config = validate(build_config(_parser().parse_args(argv)))
            where = config if flag.part in ("run", "problem") else config[flag.part]
            assert where[flag.name] == param.check(value, flag.name), argv


def test_legacy_flags_and_switching_optional_settings_off(tmp_path, capsys):
    config = build_config(_parser().parse_args(["--n-samples", "40", "--noise", "0.2", "--lr", "0.1"]))
    assert config["data"]["n_samples"] == 40 and config["data"]["noise"] == 0.2
    (tmp_path / "c.json").write_text(json.dumps({"problem": "quadratic", "clip_norm": 2.0, "tolerance": 1e-3,
                                                 "init": [1, 1], "epochs": 2}))
    args = _parser().parse_args(["--config", str(tmp_path / "c.json"), "--clip-norm", "off", "--tolerance", "OFF",
                                 "--init", "off", "--steps", "9"])
    checked = validate(build_config(args))
    assert checked["clip_norm"] is None and checked["tolerance"] is None and checked["init"] is None
    assert checked["steps"] == 9 and "epochs" not in checked
    code = main(["--problem", "quadratic", "--gradient-noise", "-1", "--steps", "2"])
    assert code == 2 and capsys.readouterr().err.startswith("error: gradient_noise: must be a number in [0, 1e+12]")


def test_schedule_as_json_reaches_nested_settings(capsys):
    code = main(["--schedule", '{"name": "warmup", "then": {"name": "cosine", "eta_min": 0.01}}',
                 "--schedule-steps", "5", "--steps", "20"])
    assert code == 0
    args = _parser().parse_args(["--schedule", '{"name": "warmup", "then": "cosine"}', "--schedule-steps", "5"])
    schedule = validate(build_config(args))["schedule"]
    assert schedule["steps"] == 5 and schedule["then"]["name"] == "cosine"
    assert main(["--schedule", '{"name": "warmup", "name": "step"}']) == 2
    assert "appears twice" in capsys.readouterr().err


@pytest.mark.parametrize("name", list(SETTINGS))
def test_each_row_drives_validation(name):
    setting = SETTINGS[name]
    base = {"problem": "quadratic"} if setting.needs == "function" or name == "init" else {}
    if setting.requires:  # a setting that needs another one on
        base[setting.requires] = other_value(SETTINGS[setting.requires])
    for bad in ("x", 10**400, -1):
        if name == "init" and bad == -1:
            continue
        with pytest.raises(ConfigError) as error:
            validate({**base, name: bad})
        assert error.value.key.split("[")[0] == name
    value = other_value(setting)
    assert validate({**base, name: value})[name] == setting.take(value)


def test_the_rules_come_from_the_rows():
    assert set(reset_keys()) == {"seed", "init"}
    assert set(per_run_keys()) == {"seed", "init", "gradient_noise"}
    assert "init" not in kept_on_switch() and "gradient_noise" not in kept_on_switch() and "seed" in kept_on_switch()
    old = validate({"problem": "quadratic", "steps": 5})
    assert gd_core.needs_reset({**old, "seed": 1}, old) and not gd_core.needs_reset({**old, "clip_norm": 1.0}, old)
    configs = [validate({"problem": "quadratic", "seed": s, "gradient_noise": s / 10, "init": [s, 1]})
               for s in range(3)]
    assert len({group_key(c) for c in configs}) == 1
    assert group_key(configs[0]) != group_key({**configs[0], "clip_norm": 1.0})
    assert [s.name for s in panel_settings("run")] == ["seed", "clip_norm", "tolerance"]
    assert [s.name for s in panel_settings("problem", "data")] == ["validation", "standardize", "early_stopping"]


def test_a_new_setting_is_one_row(monkeypatch, tmp_path, capsys):
    """A row added to the table (as early stopping's patience will be) is validated, has a CLI flag, a lock group
    and its rules, with nothing else written for it."""
    row = Setting("patience", None, "Stop after this many steps without improvement.", kind=int, low=1, high=1000,
                  optional=True, per_run=True, panel="run", lock="run")
    monkeypatch.setitem(SETTINGS, "patience", row)
    assert validate({"patience": 7})["patience"] == 7 and validate({})["patience"] is None
    with pytest.raises(ConfigError, match=r"^patience: must be an integer in \[1, 1000\]"):
        validate({"patience": 0})
    config = validate(build_config(_parser().parse_args(["--patience", "12"])))
    assert config["patience"] == 12
    assert "patience" in per_run_keys() and "patience" in kept_on_switch() and lock_group("patience") == "run"
    assert row in panel_settings("run")
    history = gd_core.run({"problem": "quadratic", "steps": 3, "patience": 2})  # a run carries it
    assert history.status == "completed"


def test_log_steps_land_on_one_to_seven_of_each_decade_and_go_back_the_way_they_came():
    from gd_core.spec import log_step

    value, ladder = 1e-5, []
    while value < 10:
        ladder.append(value)
        value = log_step(value, 1)
    assert ladder[:7] == [1e-5, 1.5e-5, 2e-5, 3e-5, 5e-5, 7e-5, 1e-4] and len(ladder) == 6 * 6
    assert all(float(f"{v:.2g}") == v for v in ladder)  # one or two digits each, as typed
    assert all(log_step(log_step(v, 1), -1) == v and log_step(v, 3) == ladder[min(k + 3, 35)]
               for k, v in enumerate(ladder[:-3]))
    for typed, up, down in ((0.038, 0.05, 0.03), (0.0792447, 0.1, 0.07), (1.2e-300, 1.5e-300, 1e-300)):
        assert (log_step(typed, 1), log_step(typed, -1), log_step(typed, 2)) == (up, down, log_step(up, 1))
    assert log_step(5e-324, 1) == 1e-323  # the least float steps to a greater one
