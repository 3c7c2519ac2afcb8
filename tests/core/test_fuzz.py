"""Fuzzers over every input surface of gd_core: configs, the command line, CSV data files and session files.

The contract for hostile input: a ConfigError (or exit 2 with one ``error:`` line), never another exception, a
warning, a hang or a file left behind. Each fuzzer runs a few seconds here; ``GDLAB_FUZZ_EXAMPLES=N`` runs a
campaign (see tests/hostile.py).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import warnings

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from gd_core import ConfigError, Trainer, load_csv, validate
from gd_core.cli import main
from gd_core.files import MAX_JSON_DEPTH
from gd_core.sessions import parse_session

from ..hostile import JUNK, VALUES, configs, fuzz_settings, sessions


@contextlib.contextmanager
def no_warnings():
    """Any warning at all (numpy overflow, a UserWarning from a loader) fails the example."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@fuzz_settings(300)
@given(configs())
def test_configs_raise_only_config_errors_and_never_warn(config):
    with no_warnings():
        try:
            checked = validate(config)
            trainer = Trainer(config)
        except ConfigError as error:
            assert str(error) and len(str(error)) < 1000 and "\n" not in str(error)
            return
        assert checked == validate(checked)  # a normalised config is its own normal form
        trainer.advance(3)
        assert trainer.history.status in ("running", "completed", "converged", "diverged")


_FLAG_VALUES = st.one_of(
    st.sampled_from(["0.1", "-1", "1e999", "nan", "1_000", "\u0663", "", " ", "x", "10" * 300, "3", "0",
                     "quadratic", "mlp", "adam", "linear", "blobs", "minibatch", "/dev/zero", "--lr"]),
    st.text(max_size=5))
_FLAGS = st.sampled_from(["--problem", "--data", "--n-samples", "--noise", "--variant", "--batch-size", "--optimizer",
                          "--lr", "--momentum", "--beta1", "--beta2", "--eps", "--steps", "--epochs", "--seed",
                          "--init", "--preset", "--session", "--list-presets", "--bogus"])


@st.composite
def argvs(draw):
    argv = []
    for flag in draw(st.lists(_FLAGS, max_size=5)):
        argv.append(flag)
        if flag not in ("--list-presets",):
            argv.append(draw(_FLAG_VALUES))
    if draw(st.booleans()):
        argv += ["--config", draw(st.sampled_from(["config.json", "deep.json", "/dev/zero", "missing.json"]))]
    if draw(st.booleans()):
        argv += ["--steps", "2"]
    out = draw(st.sampled_from([None, "--out", "--out-dir"]))
    if out:
        argv += [out, draw(st.sampled_from(["", "out.csv", "outdir", "."]))]
    return argv, draw(st.one_of(st.fixed_dictionaries({}, optional={"optimizer": VALUES, "data": VALUES,
                                                                      "problem": VALUES, "steps": VALUES}),
                                JUNK))


@fuzz_settings(150)
@given(argvs())
def test_cli_exits_0_or_2_with_one_error_line_and_leaves_nothing_on_error(tmp_path_factory, case):
    argv, config = case
    folder = tmp_path_factory.mktemp("cli")
    try:
        text = json.dumps(config)
    except ValueError:  # an integer of more digits than Python writes: the file holds one of its own
        text = '{"steps": ' + "9" * 5000 + "}"
    (folder / "config.json").write_text(text)
    (folder / "deep.json").write_text("[" * 5000 + "]" * 5000)
    before = set(os.listdir(folder))
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        with no_warnings(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    finally:
        os.chdir(cwd)
    assert code in (0, 2)
    if code == 2:
        lines = err.getvalue().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and len(lines[0]) < 1000
        assert set(os.listdir(folder)) == before  # nothing written, not even a temporary file
    else:
        assert err.getvalue() == "" and not [f for f in os.listdir(folder) if f.startswith(".gdlab-")]


_CELLS = st.sampled_from(["1", "-2.5", "1e3", ".5", "1.", "x", "", " ", "nan", "inf", "1e999", "1_000", "\u0661",
                          "1,5", '"3"', "0x10", "1e155", "-1e300", "\ufeff", "\x00", "é"])


@st.composite
def csv_texts(draw) -> bytes:
    """Structured but odd CSVs: a header or not, any delimiter, odd cells, ragged rows, odd encodings."""
    delimiter = draw(st.sampled_from([",", ";", "\t", ", "]))
    width = draw(st.integers(1, 4))
    rows = []
    if draw(st.booleans()):
        rows.append(delimiter.join(draw(st.lists(st.sampled_from(["x", "y", "", "a b", '"q,r"', "1"]),
                                                 min_size=width, max_size=width))))
    for _ in range(draw(st.integers(0, 6))):
        n = width if draw(st.integers(0, 5)) else draw(st.integers(0, 6))
        rows.append(delimiter.join(draw(st.lists(_CELLS, min_size=n, max_size=n))))
    text = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "latin-1"]))
    return text.encode(encoding, errors="replace")


@fuzz_settings(300)
@given(st.one_of(csv_texts(), st.binary(max_size=200)))
def test_csv_files_load_or_raise_config_error(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("csv") / "data.csv"
    path.write_bytes(content)
    with no_warnings():
        try:
            data = load_csv(path)
        except ConfigError as error:
            assert "\n" not in str(error) and len(str(error)) < 1000
            return
    assert data.n_samples >= 1 and data.n_features >= 1 and len(data.feature_names) == data.n_features
    assert np.isfinite(data.X).all() and np.isfinite(data.y).all()


@fuzz_settings(200)
@given(sessions())
def test_session_structures_parse_or_raise_config_error(data):
    with no_warnings():
        try:
            session = parse_session(data)
        except ConfigError as error:
            assert "\n" not in str(error) and len(str(error)) < 1000
            return
    assert 1 <= len(session.runs)


@fuzz_settings(100)
@given(st.integers(1, 4 * MAX_JSON_DEPTH), st.sampled_from(["[", '{"a":', '{"":[']))
def test_json_nesting_is_refused_beyond_the_limit_only(depth, opener):
    from gd_core.files import parse_json
    closer = {"[": "]", '{"a":': "}", '{"":[': "]}"}[opener]
    text = opener * depth + "1" + closer * depth
    nesting = depth * (2 if opener == '{"":[' else 1)
    try:
        parse_json(text, "config", "x.json")
    except ConfigError as error:
        assert nesting > MAX_JSON_DEPTH and "the limit is" in str(error)
    else:
        assert nesting <= MAX_JSON_DEPTH
