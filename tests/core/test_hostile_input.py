"""Hostile input, one defect at a time (issue 12): each test names what an attacker sent and pins the refusal -
a ConfigError naming the key, or exit 2 with one ``error:`` line - never a traceback, a hang, a warning or a file
left behind."""

from __future__ import annotations

import csv
import json
import math
import os
import re
import threading
import warnings

import numpy as np
import pytest

from gd_core import OPTIMIZERS, PROBLEMS, SCHEDULES, ConfigError, Trainer, load_config, load_csv, resolve, validate
from gd_core.cli import main
from gd_core.datasets import GENERATORS, MAX_DATA_MAGNITUDE, generate
from gd_core.files import MAX_JSON_DEPTH, QUOTE_CHARS, quote, read_bytes, write_files
from gd_core.sessions import FORMAT, MAX_RUNS, VERSION, load_session, parse_session
from gd_core.settings import SETTINGS
from gd_core.spec import Param

RUN = {"name": "a", "color": "#1f77b4", "config": {"problem": "quadratic", "steps": 3}}

ALL_PARAMS = [(f"{owner}.{p.name}", p) for owner, table in
              (("problem", PROBLEMS), ("optimizer", OPTIMIZERS), ("schedule", SCHEDULES), ("data", GENERATORS))
              for spec in table.values() for p in spec.params] + \
    [(f"run.{p.name}", p) for p in SETTINGS.values()]
NUMBER_PARAMS = [(name, p) for name, p in ALL_PARAMS if p.kind in (int, float)]


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def session_text(**fields) -> str:
    return json.dumps({"format": FORMAT, "version": VERSION, "runs": [RUN], **fields})


# --- 1. numbers too large for a float; bounds that make every accepted value safe -----------------------------
@pytest.mark.parametrize("config,key", [
    ({"optimizer": {"name": "plain", "lr": 10**400}}, "optimizer.lr"),
    ({"optimizer": {"name": "adam", "eps": -10**400}}, "optimizer.eps"),
    ({"schedule": {"name": "cosine", "t_max": 10**400}}, "schedule.t_max"),
    ({"schedule": {"name": "cosine", "eta_min": 1e308}}, "schedule.eta_min"),
    ({"steps": 10**400}, "steps"),
    ({"seed": 10**400}, "seed"),
    ({"batch_size": 10**400}, "batch_size"),
    ({"init": [10**400, 1]}, "init[0]"),
    ({"data": {"name": "linear", "noise": 10**400}}, "data.noise"),
    ({"problem": "quadratic", "kappa": 1e200}, "kappa"),
])
def test_numbers_too_large_for_a_float_are_refused(config, key):
    with pytest.raises(ConfigError) as error:
        validate({"problem": "booth", **config} if "init" in config else config)
    assert error.value.key == key and len(str(error.value)) < 300


def test_a_401_digit_json_number_is_refused_naming_the_key(tmp_path):
    path = tmp_path / "c.json"
    path.write_text('{"optimizer": {"name": "plain", "lr": 1' + "0" * 400 + "}}")
    with pytest.raises(ConfigError, match=r"optimizer\.lr: .*an integer of 401 digits"):
        validate(load_config(path))
    path.write_text('{"steps": ' + "9" * 5000 + "}")
    with pytest.raises(ConfigError, match="digits are read"):
        load_config(path)


@pytest.mark.parametrize("name,param", NUMBER_PARAMS, ids=[n for n, _ in NUMBER_PARAMS])
def test_every_number_setting_has_finite_bounds_and_refuses_only_with_config_error(name, param):
    assert math.isfinite(param.low) and math.isfinite(param.high) and param.low <= param.high
    for value in (10**400, -10**400, 10**5000, math.inf, -math.inf, math.nan, param.high * 2 + 1, "1", None, [1]):
        if value is None and param.default is None:
            assert param.check(value, name) is None  # null is this setting's default ("not set", as torch's None)
            continue
        with pytest.raises(ConfigError):
            param.check(value, name)


def test_a_number_setting_without_bounds_cannot_be_declared():
    with pytest.raises(TypeError, match="finite bounds"):
        Param("x", 1.0, "doc")
    with pytest.raises(TypeError, match="finite bounds"):
        Param("n", 1, "doc", kind=int, low=0)


def _at_bounds(params):
    """Values at the allowed ends of every param (inside an open end)."""
    for p in params:
        if p.kind not in (int, float):
            continue
        for end in (p.low, p.high):
            value = end * (1 + 1e-9) + 1e-300 if end == p.low and p.low_open else \
                end * (1 - 1e-9) if end == p.high and p.high_open else end
            yield p.name, int(value) if p.kind is int else value


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_optimizer_settings_at_their_bounds_run_without_warnings(optimizer):
    """Each setting at each end, on a function - also from a start where a gradient component is exactly 0, where
    Adafactor's eps1 = 0 divided by zero (a RuntimeWarning; now the NaN step diverges, as torch's does) - and on
    data."""
    problems = ({"problem": "quadratic"}, {"problem": "quadratic", "init": [0.0, 1.0]},
                {"problem": "linear_regression", "data": {"name": "linear", "n_samples": 20}})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name, value in _at_bounds(OPTIMIZERS[optimizer].params):
            for problem in problems:
                config = {**problem, "optimizer": {"name": optimizer, name: value}, "steps": 4}
                if "weight_matrices" in OPTIMIZERS[optimizer].needs and problem["problem"] == "quadratic":
                    continue  # refused there, with a message (tests/core/test_methods.py)
                trainer = Trainer(config)
                trainer.advance()
                assert trainer.history.status in ("completed", "converged", "diverged")


@pytest.mark.parametrize("optimizer", [name for name, spec in OPTIMIZERS.items()
                                       if {"momentum", "beta1"} & {p.name for p in spec.params}])
def test_a_schedule_that_sets_the_momentum_runs_every_optimizer_it_drives_at_its_bounds(optimizer):
    """One-cycle sets the optimizer's momentum (Adam's beta1) each step: at the ends of its momentum settings
    every such optimizer runs. A max_momentum of 1 was allowed and set Adam's beta1 to 1, which the optimizer
    itself refuses: 1 - beta1^t = 0, ZeroDivisionError (found by the surface fuzzer); the range is [0, 1) now."""
    settings = [(n, v) for n, v in _at_bounds(SCHEDULES["onecycle"].params) if n.endswith("_momentum")]
    needs = {"problem": "mlp", "hidden": [2], "variant": "batch"} if "weight_matrices" in OPTIMIZERS[optimizer].needs \
        else {"problem": "rosenbrock"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name, value in settings:
            trainer = Trainer({**needs, "optimizer": {"name": optimizer},
                               "schedule": {"name": "onecycle", name: value}, "steps": 3})
            trainer.advance()
            assert trainer.history.status in ("completed", "converged", "diverged")
    with pytest.raises(ConfigError, match=r"schedule.max_momentum: must be a number in \[0, 1\), got 1.0"):
        validate({"problem": "rosenbrock", "schedule": {"name": "onecycle", "max_momentum": 1.0}})


@pytest.mark.parametrize("schedule", list(SCHEDULES))
def test_schedule_settings_at_their_bounds_give_finite_rates(schedule):
    from gd_core import make_schedule
    for name, value in _at_bounds(SCHEDULES[schedule].params):
        rate = make_schedule(schedule, **{name: value})
        for lr0 in (5e-324, 1e-300, 1e-12, 1e12):  # the range test ramped from a subnormal lr0 to inf
            for t in (0, 1, 7, 10**8):
                assert math.isfinite(rate(lr0, t)), (name, value, lr0, t)


def test_a_groups_range_ramp_equals_each_runs_own():
    """The range test's ramp takes a run's float rate in Python arithmetic (the step's hot path) and a group's
    rates as an array: the same rates, the logarithmic ramp included (a ratio beyond the float range)."""
    from gd_core import make_schedule
    rate = make_schedule("range", lr_max=1e12, total_steps=10)
    lr0s = np.array([[5e-324], [1e-300], [1e-3], [1e12]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for t in (0, 1, 5, 9, 20):
            np.testing.assert_array_equal(rate(lr0s, t)[:, 0], [rate(float(v), t) for v in lr0s[:, 0]])
            np.testing.assert_array_equal(rate(np.float64(5e-324), t), rate(5e-324, t))


@pytest.mark.parametrize("generator", list(GENERATORS))
def test_data_settings_at_their_bounds_build_finite_problems_without_warnings(generator):
    problem = next(p for p, s in PROBLEMS.items() if s.kind == "data" and GENERATORS[generator].task in s.data_tasks)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name, value in _at_bounds(GENERATORS[generator].params):
            data = {"name": generator, "n_samples": 30, name: value}
            if name == "n_samples":
                data[name] = min(value, 30)
            _, built = resolve({"problem": problem, "data": data})
            assert np.isfinite(built.full_loss(built.default_init))


# --- 2. deep nesting ------------------------------------------------------------------------------------------
def test_json_nested_100000_deep_is_refused_before_parsing(tmp_path):
    for name, loader in (("c.json", load_config), ("s.json", load_session)):
        path = tmp_path / name
        path.write_text("[" * 100_000 + "]" * 100_000)
        with pytest.raises(ConfigError, match=f"100,000 deep; the limit is {MAX_JSON_DEPTH}"):
            loader(path)


def test_900_deep_inside_a_config_or_session_is_refused(tmp_path):
    deep = "[" * 900 + "1" + "]" * 900
    (tmp_path / "c.json").write_text('{"init": ' + deep + "}")
    with pytest.raises(ConfigError, match="deep"):
        load_config(tmp_path / "c.json")
    run = json.dumps({**RUN, "config": {"problem": "quadratic", "steps": 3, "init": "X"}}).replace('"X"', deep)
    (tmp_path / "s.json").write_text(f'{{"format": "{FORMAT}", "version": {VERSION}, "runs": [{run}]}}')
    with pytest.raises(ConfigError, match="deep"):
        load_session(tmp_path / "s.json")


def test_deep_or_cyclic_python_configs_are_refused():
    deep: list = [1.0]
    for _ in range(900):
        deep = [deep]
    with pytest.raises(ConfigError, match="more than 32 deep"):
        validate({"init": deep})
    cyclic: dict = {"name": "plain"}
    cyclic["lr"] = cyclic
    with pytest.raises(ConfigError, match="deep"):
        validate({"optimizer": cyclic})
    with pytest.raises(ConfigError, match="deep"):
        parse_session({"format": FORMAT, "version": VERSION, "runs": [{**RUN, "config": {"init": deep}}]})


# --- 3. the CLI merges flags through the core's validation ------------------------------------------------------
@pytest.mark.parametrize("config", ['{"optimizer": 5}', "null", "[1, 2]", '{"data": 5}', '{"problem": [1]}',
                                    '{"optimizer": [["name", "adam"]]}', '{"optimizer": null}'])
@pytest.mark.parametrize("flags", [["--lr", "0.1"], ["--noise", "0.1"], ["--optimizer", "adam"], ["--steps", "2"]])
def test_cli_refuses_malformed_config_values_with_one_line(tmp_path, capsys, config, flags):
    (tmp_path / "c.json").write_text(config)
    code, out, err = run_cli(capsys, "--config", str(tmp_path / "c.json"), *flags)
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and err.startswith("error: ")


def test_cli_and_core_agree_on_a_list_of_pairs(tmp_path, capsys):
    config = {"optimizer": [["name", "adam"]]}
    with pytest.raises(ConfigError) as core:
        validate(config)
    (tmp_path / "c.json").write_text(json.dumps(config))
    code, _, err = run_cli(capsys, "--config", str(tmp_path / "c.json"), "--lr", "0.1")
    assert code == 2 and err.strip() == f"error: {core.value}"


@pytest.mark.parametrize("flag,value", [("--lr", "1_000"), ("--steps", "\u0663"), ("--noise", "nan"),
                                        ("--init", "1_0")])
def test_cli_numbers_follow_the_strict_pattern(capsys, flag, value):
    code, _, err = run_cli(capsys, "--problem", "quadratic", flag, value)
    assert code == 2 and len(err.splitlines()) == 1 and "not a" in err or "finite" in err


# --- 4. valid but extreme values: refused where the start cannot be represented, else computed cleanly -----------
@pytest.mark.parametrize("args,key", [
    (["--noise", "1e200"], "data.noise"),
    (["--problem", "quadratic", "--config", "KAPPA"], "kappa"),
])
def test_extreme_settings_exit_2_without_warnings(tmp_path, capsys, args, key):
    (tmp_path / "k.json").write_text('{"problem": "quadratic", "kappa": 1e200}')
    args = [str(tmp_path / "k.json") if a == "KAPPA" else a for a in args]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code, _, err = run_cli(capsys, *args, "--steps", "3")
    assert code == 2 and err.startswith(f"error: {key}: ") and len(err.splitlines()) == 1


@pytest.mark.parametrize("rows,column", [(["1e155,1", "2,3"], "x"), (["1,1e300", "2,3"], "y")])
def test_csv_values_beyond_the_magnitude_limit_are_refused(tmp_path, capsys, rows, column):
    path = tmp_path / "d.csv"
    path.write_text("x,y\n" + "\n".join(rows) + "\n")
    with pytest.raises(ConfigError, match=f"column '{column}': .* data values must lie within ±1e\\+100"):
        load_csv(path)
    code, _, err = run_cli(capsys, "--data", str(path), "--steps", "2")
    assert code == 2 and len(err.splitlines()) == 1


def test_data_at_the_magnitude_limit_trains_without_warnings(tmp_path):
    path = tmp_path / "d.csv"
    rng = np.random.default_rng(0)
    table = rng.uniform(-1, 1, (50, 3)) * MAX_DATA_MAGNITUDE
    np.savetxt(path, table, delimiter=",", header="a,b,y", comments="")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for problem in ("linear_regression", "logistic_regression", "mlp"):
            if problem != "linear_regression":
                table[:, -1] = table[:, -1] > 0
                np.savetxt(path, table, delimiter=",", header="a,b,y", comments="")
            trainer = Trainer({"problem": problem, "data": {"name": "csv", "path": str(path)}, "steps": 3})
            trainer.advance()


def test_generated_data_is_checked_like_csv_data():
    from gd_core.datasets import check_magnitude
    data = generate("linear", n_samples=10, noise=1.0, seed=0, n_features=1)
    check_magnitude(data, "data")
    huge = type(data)(data.X * 1e101, data.y, data.feature_names)
    with pytest.raises(ConfigError, match="data: the data, column 'x'"):
        check_magnitude(huge, "data")


# --- 5. messages -----------------------------------------------------------------------------------------------
def test_an_empty_key_is_named_visibly():
    for config, where in (({"": 1}, '"": unknown key'), ({"optimizer": {"name": "adam", "": 1}}, 'optimizer."": '),
                          ({"data": {"name": "csv", "path": "x", "": 1}}, 'data."": ')):
        with pytest.raises(ConfigError) as error:
            validate(config)
        assert str(error.value).startswith(where)
    with pytest.raises(ConfigError, match='^session."": unknown key'):
        parse_session({"format": FORMAT, "version": VERSION, "runs": [RUN], "": 1})


def test_long_values_are_quoted_shortened():
    for config in ({"variant": "x" * 1_000_000}, {"x" * 1_000_000: 1}, {"optimizer": {"name": "y" * 1_000_000}},
                   {"init": ["z" * 1_000_000]}, {"init": [[1] * 1_000_000]}):
        with pytest.raises(ConfigError) as error:
            validate(config)
        assert len(str(error.value)) < 400
    assert len(quote("x" * 10**6)) <= QUOTE_CHARS + 2 and quote("") == '""'
    assert "401 digits" in quote(10**400) and "more than" in quote(10**5000)


def test_a_message_stays_on_one_line(capsys):
    code, _, err = run_cli(capsys, "--problem", "line\nbreak\u2028here")
    assert code == 2 and len(err.splitlines()) == 1 and "\\n" in err


# --- 6. writing: all or nothing, and an empty name is an error --------------------------------------------------
def _two_run_session(tmp_path) -> str:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"format": FORMAT, "version": VERSION,
                                "runs": [RUN, {**RUN, "name": "b", "color": "#d62728"}]}))
    return str(path)


def test_out_dir_leaves_nothing_when_a_later_file_fails(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "b.csv").mkdir()  # the second run's file cannot be written
    code, _, err = run_cli(capsys, "--session", _two_run_session(tmp_path), "--out-dir", str(out))
    assert code == 2 and len(err.splitlines()) == 1
    assert sorted(os.listdir(out)) == ["b.csv"]  # no a.csv, no temporary file


def test_out_dir_created_for_a_failed_write_is_removed(tmp_path, capsys, monkeypatch):
    def full(*args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr("gd_core.files.os.replace", full)
    out = tmp_path / "new"
    code, _, err = run_cli(capsys, "--session", _two_run_session(tmp_path), "--out-dir", str(out))
    assert code == 2 and "No space left" in err and not out.exists()


@pytest.mark.parametrize("kind, says", [("FIFO", "a pipe (FIFO)"), ("file", "a file"), ("/dev/null", "a device")])
def test_out_dir_on_a_file_pipe_or_device_says_what_is_there(tmp_path, capsys, kind, says):
    """Making the folder said only "File exists" (the app's Export histories too: one gd_core.files.write_into)."""
    out = tmp_path / "out"
    if kind == "FIFO":
        os.mkfifo(out)
    elif kind == "file":
        out.write_text("mine")
    else:
        out = kind
    code, _, err = run_cli(capsys, "--session", _two_run_session(tmp_path), "--out-dir", str(out))
    assert code == 2 and err == f"error: --out-dir: cannot write in {out}: is {says}, not a folder\n"
    assert kind != "file" or (tmp_path / "out").read_text() == "mine"


@pytest.mark.parametrize("flags", [["--out", ""], ["--out", "."], ["--session", "S", "--out-dir", ""]])
def test_an_empty_output_name_exits_2(tmp_path, capsys, flags):
    flags = [_two_run_session(tmp_path) if f == "S" else f for f in flags]
    code, out, err = run_cli(capsys, *flags, "--steps", "2") if "--session" not in flags else \
        run_cli(capsys, *flags)
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and err.startswith("error: --out")


def test_write_files_removes_what_it_renamed_when_a_later_rename_fails(tmp_path, monkeypatch):
    import gd_core.files as files
    real, calls = os.replace, []

    def second_fails(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(src, dst)
    monkeypatch.setattr(files.os, "replace", second_fails)
    targets = [tmp_path / "a.csv", tmp_path / "b.csv"]
    with pytest.raises(OSError):
        write_files([(t, files.text_writer("x")) for t in targets])
    assert os.listdir(tmp_path) == []


def test_every_file_is_written_and_read_through_gd_core_files():
    """No module but gd_core/files.py makes temporary files, renames, or opens files itself."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    offenders = []
    for package in ("gd_core", "app"):
        for folder, _, names in os.walk(os.path.join(root, package)):
            for name in names:
                if not name.endswith(".py") or name == "files.py" and package == "gd_core":
                    continue
                text = open(os.path.join(folder, name), encoding="utf-8").read()
                for word in (r"mkstemp", r"os\.replace\(", r"(?<![\w.])open\(", r"os\.open\(", r"json\.loads?\(",
                             r"\.read_text\(", r"\.write_text\(", r"\.read_bytes\(", r"\.save\(path", r"getsize\("):
                    if re.search(word, text):
                        offenders.append(f"{package}/{name}: {word}")
    assert offenders == []


# --- 7. only regular files, with the limit applied while reading -------------------------------------------------
@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "fifo"
    os.mkfifo(path)
    return str(path)


def _finishes(fn, seconds=20.0):
    """Run ``fn`` on a thread; it must finish (a FIFO must never block a reader) - return its exception."""
    outcome = []
    thread = threading.Thread(target=lambda: outcome.append(_catch(fn)), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "blocked"
    return outcome[0]


def _catch(fn):
    try:
        fn()
    except Exception as error:
        return error
    return None


@pytest.mark.parametrize("special", ["/dev/zero", "FIFO", "DIR"])
def test_devices_fifos_and_folders_are_refused_by_every_reader(tmp_path, fifo, special):
    path = {"FIFO": fifo, "DIR": str(tmp_path)}.get(special, special)
    if not os.path.exists(path):
        pytest.skip(f"{path} does not exist here")
    for reader in (load_config, load_session, load_csv):
        error = _finishes(lambda r=reader: r(path))
        assert isinstance(error, ConfigError) and "not a" in str(error), (reader, error)


@pytest.mark.parametrize("case", ["missing", "unreadable", "vanishing"])
def test_missing_unreadable_and_vanishing_files_are_refused_by_every_reader(tmp_path, monkeypatch, case):
    """A path that is not there, a file the user may not read (made so by a failing open: the suite may run as
    root, who reads anything), and a file deleted between the check of its kind and its opening: one
    ConfigError naming the path and the reason, from every reader."""
    path = tmp_path / "file.json"
    path.write_text("{}")
    real_open = os.open

    def failing_open(name, *args, **kwargs):
        if case == "vanishing":
            os.remove(name)
            return real_open(name, *args, **kwargs)
        raise PermissionError(13, "Permission denied", name)
    if case == "missing":
        path.unlink()
    else:
        monkeypatch.setattr("gd_core.files.os.open", failing_open)
    reason = {"missing": "No such file or directory", "unreadable": "Permission denied",
              "vanishing": "No such file or directory"}[case]
    for reader in (load_config, load_session, load_csv):
        if case == "vanishing":
            path.write_text("{}")
        with pytest.raises(ConfigError) as error:
            reader(str(path))
        assert f"cannot read {path}: {reason}" in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize("flag", ["--config", "--session", "--data"])
def test_cli_refuses_a_fifo_for_every_path(capsys, fifo, flag):
    code = _finishes(lambda: main([flag, fifo]))
    assert code is None
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "is a pipe (FIFO)" in err


def test_the_size_limit_holds_while_reading_a_file_that_grew(tmp_path, monkeypatch):
    path = tmp_path / "grown.json"
    path.write_bytes(b" " * 5000)
    real = os.fstat

    def stale(fd):  # the size as it was before the file grew
        info = real(fd)
        return os.stat_result((*info[:6], 10, *info[7:]))
    monkeypatch.setattr("gd_core.files.os.fstat", stale)
    with pytest.raises(ConfigError, match="larger than 1,000 bytes"):
        read_bytes(path, "x", 1000)


# --- 8. CSV histories through the csv module ---------------------------------------------------------------------
def test_mlp_history_csv_has_as_many_fields_in_the_header_as_in_every_row(tmp_path, capsys):
    path = tmp_path / "m.csv"
    code, _, _ = run_cli(capsys, "--problem", "mlp", "--steps", "2", "--out", str(path))
    assert code == 0
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert {len(r) for r in rows} == {len(rows[0])} and "W1[0,0]" in rows[0] and len(rows) == 4


# --- 9. CSV data files ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("content,message", [
    ("x,y\n1,2\n".encode("utf-16-le"), "UTF-16 text without a byte-order mark"),
    (b"x,y\n1,2\n3,4\n\xe9,1\n", "line 4: not UTF-8 text"),
    (b"x,y\n1_000,2\n", "line 2, column 'x': '1_000' is not a number"),
    ("x,y\n\u0661,2\n".encode(), "line 2, column 'x': '\u0661' is not a number"),
    ("x,y\n\u06f1\u06f2,2\n".encode(), "is not a number"),
    (b"1,2\n3,4\n", "line 1: the first row must be a header of column names; row 1 is all numbers"),
    (b"\n\n1.5;2\n3;4\n", "line 3: the first row must be a header"),
    (b"x;y\n1;2;3\n", "line 2: 3 values separated by semicolons, but the header has 2 columns"),
    (b"x\ty\n1\t2\t3\n", "separated by tabs"),
    (b"x;y\n1,5;2\n", "'1,5' is not a number (use a point as the decimal mark)"),
    (b"x,y\n1e999,2\n", "a number too large for a float"),
    (b"x,y\nNaN,2\n", "NaN is not allowed"),
])
def test_bad_csv_files_are_refused_with_the_line(tmp_path, content, message):
    path = tmp_path / "d.csv"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as error:
        load_csv(path)
    assert message in str(error.value)


@pytest.mark.parametrize("content", [
    b"x,y\n1,2\n3,4\n", b"x;y\n1;2\n3;4\n", b"x\ty\n1\t2\n3\t4\n", "x,y\n1,2\n3,4\n".encode("utf-16"),
    "x,y\n1,2\n3,4\n".encode("utf-8-sig"), b"x,y\r\n1,2\r\n3,4\r\n", b"x,y\r1,2\r3,4\r", b'"x",y\n"1",2\n 3 , 4 \n',
    b"\n\nx,y\n\n1,2\n   \n3,4\n",
])
def test_comma_semicolon_tab_utf16_and_line_endings_all_read_the_same(tmp_path, content):
    path = tmp_path / "d.csv"
    path.write_bytes(content)
    data = load_csv(path)
    assert data.feature_names == ("x",) and data.target_name == "y"
    np.testing.assert_array_equal(data.X, [[1.0], [3.0]])
    np.testing.assert_array_equal(data.y, [2.0, 4.0])


def test_the_fast_and_the_careful_parser_read_the_same_numbers(tmp_path):
    rng = np.random.default_rng(3)
    table = rng.standard_normal((300, 4)) * 10.0 ** rng.integers(-30, 30, (300, 4))
    text = "a,b,c,y\n" + "\n".join(",".join(repr(float(v)) for v in row) for row in table) + "\n"
    (tmp_path / "fast.csv").write_text(text)
    (tmp_path / "careful.csv").write_text(text.replace("\n1", '\n"1"'))  # a quoted field takes the careful path
    fast, careful = load_csv(tmp_path / "fast.csv"), load_csv(tmp_path / "careful.csv")
    np.testing.assert_array_equal(fast.X, table[:, :3])
    np.testing.assert_array_equal(careful.X, fast.X)
    np.testing.assert_array_equal(careful.y, fast.y)


# --- 10. session fields -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fields,message", [
    ({"version": True}, "session.version: version True is not supported"),
    ({"version": 1.0}, "session.version: version 1.0 is not supported"),
    ({"view": {"tolerance": math.inf}}, "view.tolerance: must be a number in [1e-300, 1e+300] (finite)"),
    ({"view": {"tolerance": 1e301}}, "view.tolerance: must be a number in [1e-300, 1e+300], got 1e+301"),
    ({"view": {"tolerance": 5e-324}}, "view.tolerance: must be a number in [1e-300, 1e+300], got 5e-324"),
    ({"runs": [{**RUN, "name": f"r{i}"} for i in range(MAX_RUNS + 1)]},
     f"session.runs: holds {MAX_RUNS + 1} runs; a session holds at most {MAX_RUNS}"),
    # a title of 3,000,000 characters hung the window that opened it (wrapping one long word into a label)
    ({"title": "T" * 3_000_000}, "session.title: is 3,000,000 characters; a session's title has at most 200"),
    ({"text": "T" * 300_000}, "session.text: is 300,000 characters; a session's text has at most 50,000"),
    ({"runs": [{**RUN, "name": "N" * 400_000}]}, "runs[0].name: is 400,000 characters; a run's name has at most 100"),
    ({"runs": [{**RUN, "config": {"optimizer": {"name": "plain", "lr": 10**400}}}]}, "runs[0].config.optimizer.lr"),
    ({"runs": [{**RUN, "config": {"problem": "linear_regression", "data": {"name": "linear", "noise": 1e308}}}]},
     "runs[0].config.data.noise"),
])
def test_session_fields_are_refused_naming_the_key(tmp_path, fields, message):
    path = tmp_path / "s.json"
    text = session_text(**fields).replace('"tolerance": Infinity', '"tolerance": Infinity')
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        load_session(path)
    assert message in str(error.value)


def test_a_session_of_max_runs_loads():
    runs = [{**RUN, "name": f"r{i}"} for i in range(MAX_RUNS)]
    assert len(parse_session({"format": FORMAT, "version": VERSION, "runs": runs}).runs) == MAX_RUNS


# --- 11. duplicate keys --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,loader", [
    ('{"steps": 3, "steps": 4}', load_config),
    ('{"optimizer": {"name": "adam", "lr": 0.1, "lr": 0.2}}', load_config),
    (session_text().replace('"name": "a"', '"name": "a", "name": "b"'), load_session),
])
def test_duplicate_keys_are_refused_naming_the_key(tmp_path, text, loader):
    path = tmp_path / "f.json"
    path.write_text(text)
    with pytest.raises(ConfigError, match=r"the key '(steps|lr|name)' appears twice in one object"):
        loader(path)


# --- names are plain text: markup in a name would make Qt's rich-text labels load files ------------------------
def test_names_with_markup_are_refused(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text('<img src="/dev/zero">,y\n1,2\n')
    with pytest.raises(ConfigError, match="line 1: column 1's name .* holds '<'; names are plain text"):
        load_csv(path)
    with pytest.raises(ConfigError, match=r"runs\[0\]\.name: the run name .* holds '<'"):
        parse_session({"format": FORMAT, "version": VERSION, "runs": [{**RUN, "name": "<img src=/dev/zero>"}]})
    from app.session import SessionModel
    model = SessionModel()
    with pytest.raises(ValueError, match="plain text"):
        model.rename(model.runs[0], "<b>bold</b>")
    assert model.runs[0].name != "<b>bold</b>"


def test_switching_problem_refuses_a_deep_config():
    from gd_core import switch_problem
    deep: list = [1]
    for _ in range(900):
        deep = [deep]
    with pytest.raises(ConfigError, match="deep"):
        switch_problem({"optimizer": {"name": "plain", "lr": deep}}, "quadratic")
