"""Fuzzers over every input surface of gd_core: configs, the command line, CSV data files, session and config
files as JSON text, lesson folders and lesson HTML, typed values and file names in any bytes.

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
from hypothesis import event, example, given
from hypothesis import strategies as st

from gd_core import ConfigError, Trainer, load_csv, validate
from gd_core.cli import _parser, main
from gd_core.files import MAX_JSON_DEPTH
from gd_core.landscape import (
    contour_levels,
    display_surface,
    framing_bounds,
    hover_loss,
    iso_segments,
    loss_grid,
    step_arrows,
)
from gd_core.sessions import FORMAT, VERSION, parse_session

from ..hostile import JUNK, configs, fuzz_settings, sessions, valid_configs


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
            event("refused")
            return
        event("trained")
        assert checked == validate(checked)  # a normalised config is its own normal form
        trainer.advance(3)
        assert trainer.history.status in ("running", "completed", "converged", "diverged", "stopped early")


_HOSTILE_FLAG_VALUES = st.one_of(
    st.sampled_from(["-1", "1e999", "nan", "1_000", "\u0663", "", " ", "x", "10" * 300, "/dev/zero", "--lr",
                     "line\nbreak"]),
    st.text(max_size=5))
#: Values each flag takes when it is used as meant (the run goes through), often at a bound.
_GOOD_FLAG_VALUES = {
    "--problem": ["linear_regression", "logistic_regression", "mlp", "quadratic", "rosenbrock", "booth"],
    "--data": ["linear", "blobs", "moons", "spiral", "data.csv"], "--n-samples": ["1", "20"],
    "--noise": ["0", "0.1", "1e12"], "--variant": ["batch", "stochastic", "minibatch", "coordinate"],
    "--batch-size": ["1", "4"], "--optimizer": ["plain", "momentum", "adam", "adadelta", "nadam"],
    "--lr": ["0.1", "1e-12", "1e12"], "--momentum": ["0", "0.9"], "--beta1": ["0", "0.5"], "--beta2": ["0.9"],
    "--eps": ["1e-8", "1e12"], "--steps": ["1", "3"], "--epochs": ["0.5"], "--seed": ["0", "2147483647"],
    "--init": ["1", "1e200", "0,0", "-1e300"], "--lesson": ["saddle_escape", "nope"], "--session": ["session.json"],
}
#: Every flag the command line has (one per setting of every registry), and which take no value.
_PARSER_ACTIONS = [action for action in _parser()._actions if action.option_strings[0] != "-h"]
_EVERY_FLAG = [action.option_strings[0] for action in _PARSER_ACTIONS]
_NO_VALUE = {option for action in _PARSER_ACTIONS if action.nargs == 0 for option in action.option_strings}
_FLAGS = st.sampled_from([*_GOOD_FLAG_VALUES, *_EVERY_FLAG, "--no-standardize", "--bogus"])
#: A value for a flag with none of its own listed: an extreme number as typed (allowed by the setting or not).
_EXTREME_FLAG_VALUES = st.sampled_from(["1", "0", "-0.0", "5e-324", "1e-320", "1e77", "2.8e77", "1e154", "1e308",
                                        "1.7976931348623157e308", "-1e300", "2147483648", "1e12", "0.999999"])


@st.composite
def argvs(draw):
    """Command lines: mostly flags used as meant (so runs and sessions go through), some hostile values."""
    argv = []
    for flag in draw(st.lists(_FLAGS, max_size=4, unique=True)):
        argv.append(flag)
        if flag not in _NO_VALUE:
            good = st.sampled_from(_GOOD_FLAG_VALUES[flag]) if flag in _GOOD_FLAG_VALUES else _EXTREME_FLAG_VALUES
            argv.append(draw(st.one_of(good, good, good, _HOSTILE_FLAG_VALUES)))
    if draw(st.booleans()):
        argv += ["--config", draw(st.sampled_from(["config.json", "config.json", "deep.json", "/dev/zero"]))]
    if "--steps" not in argv and "--epochs" not in argv and "--lesson" not in argv and "--session" not in argv:
        argv += ["--steps", "2"]
    out = draw(st.sampled_from([None, "--out", "--out-dir"]))
    if out:
        argv += [out, draw(st.sampled_from(["", "out.csv", "outdir", "."]))]
    return argv, draw(st.one_of(valid_configs(), configs(), JUNK))


@fuzz_settings(150)
@given(argvs())
# a lesson "number" str.isdigit() takes and int() does not ("²"; more than 4,300 digits) raised ValueError
@example((["--lesson", "\u00b2"], {}))
@example((["--lesson", "9" * 5000], {}))
# argparse quoted what it did not know whole: an error line of 3,032 characters, or of every unknown word
@example((["--steps", "2", "x" * 3000], {}))
@example((["--steps", "2", *["ab"] * 900], {}))
def test_cli_exits_0_or_2_with_one_error_line_and_leaves_nothing_on_error(tmp_path_factory, case):
    argv, config = case
    folder = tmp_path_factory.mktemp("cli")
    try:
        text = json.dumps(config)
    except ValueError:  # an integer of more digits than Python writes: the file holds one of its own
        text = '{"steps": ' + "9" * 5000 + "}"
    (folder / "config.json").write_text(text)
    (folder / "deep.json").write_text("[" * 5000 + "]" * 5000)
    (folder / "data.csv").write_text("a;b;y\n1;2;0\n3;4;1\n5;6;1\n")
    (folder / "session.json").write_text(json.dumps({"format": FORMAT, "version": VERSION, "runs": [
        {"name": "a/b", "color": "#1f77b4", "config": {"problem": "quadratic", "steps": 3}},
        {"name": "A/B", "color": "#d62728", "config": {"problem": "mlp", "hidden": [2], "steps": 2}}]}))
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
    event(f"exit {code}")
    if code == 2:
        lines = err.getvalue().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and len(lines[0]) < 1000
        assert set(os.listdir(folder)) == before  # nothing written, not even a temporary file
    else:
        assert err.getvalue() == "" and not [f for f in os.listdir(folder) if f.startswith(".gdlab-")]


_CELLS = st.sampled_from(["1", "-2.5", "1e3", ".5", "1.", "x", "", " ", "nan", "inf", "1e999", "1_000", "\u0661",
                          "1,5", '"3"', "0x10", "1e155", "-1e300", "\ufeff", "\x00", "é"])


_NUMBER_CELLS = st.one_of(st.integers(-10**6, 10**6).map(str), st.floats(-1e100, 1e100).map(repr),
                          st.sampled_from(["1e3", ".5", "1.", "-0", " 7 ", "1E+05"]))


@st.composite
def csv_texts(draw) -> bytes:
    """Structured CSVs, mostly usable: a header (usually), any delimiter, numbers with now and then an odd cell
    or a ragged row, any line ending and encoding."""
    delimiter = draw(st.sampled_from([",", ",", ";", "\t", ", "]))
    width = draw(st.integers(1, 4)) if draw(st.integers(0, 4)) == 0 else draw(st.integers(2, 4))
    odd = not draw(st.integers(0, 2))  # a third of the files have odd names, cells or row lengths
    rows = []
    if draw(st.integers(0, 6)):
        names = st.sampled_from(["x", "y", "a b", '"q,r"', "größe"] + (["", "1", "<b>"] if odd else []))
        rows.append(delimiter.join(draw(st.lists(names, min_size=width, max_size=width))))
    cells = st.one_of(_NUMBER_CELLS, _CELLS) if odd else _NUMBER_CELLS
    for _ in range(draw(st.integers(0, 6))):
        n = width if not odd or draw(st.integers(0, 8)) else draw(st.integers(0, 6))
        rows.append(delimiter.join(draw(st.lists(cells, min_size=n, max_size=n))))
    text = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"])).join(rows) + draw(st.sampled_from(["", "\n"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"] + (["utf-16-le", "latin-1"] if odd else [])))
    return text.encode(encoding, errors="replace")


@fuzz_settings(300)
@given(st.one_of(csv_texts(), csv_texts(), csv_texts(), st.binary(max_size=200)))
def test_csv_files_load_or_raise_config_error(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("csv") / "data.csv"
    path.write_bytes(content)
    with no_warnings():
        try:
            data = load_csv(path)
        except ConfigError as error:
            assert "\n" not in str(error) and len(str(error)) < 1000
            event("refused")
            return
    event("loaded")
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
            event("refused")
            return
    event("parsed")
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


@fuzz_settings(100)
@given(valid_configs())
# Newton's step takes Beale's analytic Hessian, whose y**k in Python floats raised OverflowError at y = 1e77
@example({"problem": "beale", "init": [0.0, 1e77], "optimizer": {"name": "newton"}, "steps": 1})
def test_valid_configs_frame_and_draw_their_loss_surface_without_warnings(config):
    """What the parameter space draws for any allowed config - a start anywhere finite, settings at their
    extremes: the framing, the loss grid (a two-parameter slice through the start for a larger problem), its
    colours and contours, the hover read-out and the latest step's arrows. A start of 2.8e77 overflowed the grid
    and no fuzzer drew it (starts were drawn within ±1e300, settings only at their bounds)."""
    try:
        trainer = Trainer(config)
    except ConfigError:  # parts allowed alone that do not go together (polyak without a known minimum, ...)
        event("refused")
        return
    trainer.advance(2)
    problem, start = trainer.problem, trainer.history.params[0]
    with no_warnings():
        (x0, x1), (y0, y1) = framing_bounds(problem.bounds, start[None, :])[:2]
        assert all(np.isfinite([x0, x1, y0, y1])) and x1 > x0 and y1 > y0
        xs, ys, Z = loss_grid(problem, (x0, x1), (y0, y1), 12, anchor=trainer.params)
        surface = display_surface(Z)
        assert np.isfinite(surface).all()
        iso_segments(xs, ys, surface, contour_levels(surface))
        hover_loss(problem, np.array(trainer.params, dtype=float), (xs, ys, Z), (xs[3], ys[3]))
        step_arrows(trainer.latest)


def _json_bytes(data) -> bytes:
    """``data`` as a JSON file's bytes (Python refuses to write an int of 4,300+ digits: the file holds "[]")."""
    try:
        return json.dumps(data).encode()
    except ValueError:
        return b"[]"


@fuzz_settings(200)
@given(st.lists(st.one_of(sessions().map(_json_bytes), st.binary(max_size=80),
                          st.sampled_from([b"", b"{", b"\xff\xfe", b"[]", b'{"format": "gdlab-session"}'])),
                min_size=1, max_size=4))
def test_a_lesson_folder_of_any_files_lists_each_as_a_lesson_unreadable_or_nothing(tmp_path_factory, contents):
    """The Lessons menu lists a folder's *.json files whatever they hold (a broken lesson, another tool's JSON,
    bytes): each is a lesson (by title), a file that cannot be read (named, with why), or nothing - never two of
    these, never an exception."""
    from gd_core.lessons import read_lesson_folder

    folder = tmp_path_factory.mktemp("lessons")
    for k, content in enumerate(contents):
        (folder / f"{k}.json").write_bytes(content)
    with no_warnings():
        listing = read_lesson_folder(str(folder))
        lessons = {os.path.basename(path) for path, title in listing.lessons if title.strip()}
        unreadable = listing.unreadable
    assert listing.unread == 0
    assert all(why for _, why in unreadable)
    assert not lessons & {name for name, _ in unreadable}


@fuzz_settings(300)
@given(st.floats(min_value=5e-324, max_value=1e300, allow_nan=False), st.integers(-40, 40))
@example(5e-324, -1)  # the least float stepped down to itself (a campaign's find): its rung below reads as it
def test_a_log_step_from_any_value_moves_the_way_asked_to_a_readable_value(value, steps):
    """The learning rate's box (any log-scale box) steps from any value typed or stepped to: up is more, down is
    less (or 0 below the least float), the landing value has one or two digits, and a step there and back is
    the same value."""
    from gd_core.spec import log_step

    landed = log_step(value, steps)
    if steps > 0:
        assert landed > value
    elif steps < 0:
        assert landed < value
    if 0 < landed < float("inf") and landed > 1e-300:
        assert float(f"{landed:.2g}") == landed
        assert log_step(log_step(landed, 1), -1) == landed


#: JSON a hand or another program writes that Python's json module reads as something: in a string, lone halves of
#: a character (surrogate escapes; the low ones U+DC80..U+DCFF are how Python holds the bytes of a file name that
#: are not UTF-8), a pair, NUL, markup; for a number, NaN and the infinities (literals json reads), numbers beyond
#: the float range, many digits.
_STRING_TWISTS = ('"a\\udce9"', '"\\udce9.csv"', '"\\ud800"', '"\\udfff x"', '"\\ud83d\\ude00"', '"\\u0000"',
                  '"\\u202e<b>"', '""')
_NUMBER_TWISTS = ("NaN", "Infinity", "-Infinity", "1e999", "-1e999", "-0", "0.1e-400", "9" * 400)


def _count_leaves(value) -> int:
    """How many values and keys ``value`` holds (not counting its containers)."""
    if isinstance(value, dict):
        return sum(1 + _count_leaves(v) for v in value.values())
    if isinstance(value, list):
        return sum(_count_leaves(v) for v in value)
    return 1


@st.composite
def json_files(draw, structures) -> bytes:
    """A file of one of ``structures`` written as JSON, with up to three of its strings (keys too) or numbers
    replaced by one of :data:`_STRING_TWISTS` or :data:`_NUMBER_TWISTS`, in UTF-8 (a BOM sometimes) or rarely
    UTF-16, rarely cut short."""
    twists: list[str] = []
    structure = draw(structures)
    chosen = set(draw(st.lists(st.integers(0, _count_leaves(structure)), max_size=3)))
    seen = iter(range(10**9))

    def placed(value):
        if isinstance(value, dict):
            return {placed(k): placed(v) for k, v in value.items()}
        if isinstance(value, list):
            return [placed(v) for v in value]
        if next(seen) in chosen and isinstance(value, (str, int, float)):
            twists.append(draw(st.sampled_from(_STRING_TWISTS if isinstance(value, str) else _NUMBER_TWISTS)))
            return f"@@{len(twists) - 1}@@"
        return value

    try:
        text = json.dumps(placed(structure))
    except ValueError:  # an integer of more digits than Python writes
        text = "[]"
    for k, twist in enumerate(twists):
        text = text.replace(f'"@@{k}@@"', twist)
    data = text.encode(draw(st.sampled_from(["utf-8"] * 5 + ["utf-8-sig", "utf-16"])))
    return data[:draw(st.integers(0, len(data)))] if not draw(st.integers(0, 20)) else data


@st.composite
def plain_sessions(draw) -> dict:
    """Sessions of one or two allowed runs with a question and a challenge about them: files that open, and that
    the command line runs (their histories and summary written, their answers printed)."""
    names = draw(st.lists(st.sampled_from(["a", "run 2", "Ä/ä", "x" * 100, "Κλίση"]), min_size=1, max_size=2,
                          unique=True))
    runs = [{"name": name, "color": "#1f77b4", "config": draw(valid_configs())} for name in names]
    return {"format": FORMAT, "version": VERSION, "title": draw(st.sampled_from(["", "T", "Lesson & <b>"])),
            "text": "<p>text</p>", "runs": runs,
            "questions": [{"text": "How does it end?", "answer": {"status": names[0]}, "explain": "why"}],
            "challenge": {"text": "Go low", "run": names[-1], "goal": {"metric": "best_loss", "below": 1.0}}}


def _run_cli(argv: list[str], folder) -> None:
    """``main(argv)`` in ``folder``: exit 0, or 2 with one ``error:`` line; standard output as a terminal's (UTF-8,
    strict: a StringIO takes any string)."""
    out, err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.StringIO()
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        with no_warnings(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
            out.flush()
    finally:
        os.chdir(cwd)
    assert code in (0, 2), err.getvalue()[-2000:]
    if code == 2:
        lines = err.getvalue().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and len(lines[0]) < 1000


@fuzz_settings(150)
@given(st.one_of(json_files(plain_sessions()), json_files(sessions()), json_files(configs())))
# a run named with a lone half of a character: the command line's summary.csv ended in "UnicodeEncodeError:
# surrogates not allowed" (exit 1); one named with a file name's byte that is not UTF-8 alike, printing its answer
@example(b'{"format": "gdlab-session", "version": 1, "runs": [{"name": "a\\ud800", "color": "#1f77b4", "config": '
         b'{"problem": "quadratic", "steps": 3}}]}')
@example(b'{"format": "gdlab-session", "version": 1, "title": "T\\udce9", "runs": [{"name": "a\\udce9", "color": '
         b'"#1f77b4", "config": {"problem": "quadratic", "steps": 3}}], "questions": [{"text": "How does it end?", '
         b'"answer": {"status": "a\\udce9"}}]}')
@example(b'{"problem": "linear_regression", "data": {"name": "csv", "path": "caf\\udce9.csv"}}')
def test_session_and_config_files_of_any_json_text_load_or_are_refused_and_run(tmp_path_factory, content):
    """A session or config file as JSON text, with what json reads beyond the common (lone surrogate escapes,
    NaN, 1e999, NUL, a BOM, UTF-16, a file cut short): each loader gives its value or one ConfigError line; a
    session or config it gives runs from the command line (its files written, its answers printed) or exits 2
    with one error line - never a traceback."""
    from gd_core import load_config
    from gd_core.sessions import load_session

    folder = tmp_path_factory.mktemp("json")
    path = folder / "file.json"
    path.write_bytes(content)
    kinds = []
    for load in (load_session, lambda p: validate(load_config(p))):
        with no_warnings():
            try:
                load(str(path))
            except ConfigError as error:
                assert "\n" not in str(error) and len(str(error)) < 1000
                continue
        kinds.append(load)
    event(f"read as {len(kinds)} kind(s)")
    if kinds and kinds[0] is load_session:
        _run_cli(["--session", "file.json", "--out-dir", "out"], folder)
        _run_cli(["--session", "file.json", "--answers"], folder)
    elif kinds:
        _run_cli(["file.json", "--steps", "3"], folder)


_MARKUP = st.sampled_from(["<p>", "</p>", "<b>", "<br>", "<br/>", "</br>", "<script>", "</script>", "<style>",
                           "<img src=/dev/zero>", '<a href="x">', "<p onclick='x'>", "<!-- ", " -->", "<![CDATA[",
                           "]]>", "<?php ", "<!DOCTYPE html>", "&lt;", "&amp;", "&#60;", "&#x3c;", "&", "<", ">",
                           "<SPAN style=x>", "<li", "</ul", "<textarea>", "<title>", "\x00", "\u202e", "text"])


@fuzz_settings(300)
@given(st.one_of(st.text(max_size=60), st.lists(st.one_of(_MARKUP, st.text(max_size=5)), max_size=12).map("".join)))
def test_lesson_html_of_any_text_keeps_only_plain_allowed_tags(text):
    """A lesson's text (any file's, any typed in the lesson editor) is drawn as Qt rich text and written into the
    lab report: safe_html keeps only LESSON_TAGS without attributes and writes every other '<', '>' and '&' as
    text - never an exception; read again it is the same."""
    import re

    from gd_core.lessons import LESSON_TAGS, safe_html, strip_tags

    with no_warnings():
        out = safe_html(text)
        strip_tags(out)
    tags = re.findall(r"<[^<>]*>", out)
    assert all(re.fullmatch(r"</?([a-z0-9]+)>", tag) and re.fullmatch(r"</?([a-z0-9]+)>", tag).group(1)
               in LESSON_TAGS for tag in tags), tags
    assert "<" not in re.sub(r"<[^<>]*>", "", out) and ">" not in re.sub(r"<[^<>]*>", "", out)
    assert safe_html(out) == out


@fuzz_settings(300)
@given(st.one_of(st.text(max_size=40), st.text("0123456789+-.,eE _\u0661\u00b2 \t", max_size=40)),
       st.floats(allow_nan=False, allow_infinity=False), st.lists(st.integers(-10**29, 10**29), max_size=5))
def test_typed_values_read_as_a_number_or_none_and_exact_text_reads_back(text, value, integers):
    """What a student types in a number, count or list field, read by gd_core.spec: a finite number, a count, a
    list of integers or None - never an exception; the text exact_text writes for any finite number reads back
    as that number, and a list written with commas reads back as itself."""
    from gd_core.spec import commas_group_thousands, counting_number, exact_text, integer_list, typed_number

    with no_warnings():
        number = typed_number(text)
        count = counting_number(text, 6)
        listed = integer_list(text)
        assert isinstance(commas_group_thousands(text), bool)
    assert number is None or (isinstance(number, float) and np.isfinite(number))
    assert count is None or (isinstance(count, int) and 0 <= count < 10**6)
    assert listed is None or all(isinstance(k, int) for k in listed)
    assert typed_number(exact_text(value)) == value
    assert integer_list(", ".join(map(str, integers))) == integers


@fuzz_settings(300)
@given(st.lists(st.binary(min_size=1, max_size=12).map(lambda b: b.replace(b"/", b"_").replace(b"\x00", b"_")),
                min_size=1, max_size=4), st.text(max_size=30))
def test_a_path_in_any_bytes_is_kept_whole_as_text_and_shown_readably(parts, text):
    """A file name in bytes that are not UTF-8 (Open Recent, the folder the dialogs open in, messages): path_text
    gives text Qt keeps (UTF-8) that path_from_text reads back as the path itself, shown_path text a message can
    show; whatever text a settings file holds reads as some path."""
    from gd_core.files import path_from_text, path_text, shown_path

    path = os.fsdecode(b"/" + b"/".join(parts))
    with no_warnings():
        kept, shown = path_text(path), shown_path(path)
        kept.encode("utf-8")
        shown.encode("utf-8")
        assert path_from_text(kept) == path
        assert isinstance(path_from_text(text), str)


#: A title of any Unicode text: any character (halves of one too, as a file name's bytes come), and words of
#: scripts other than Latin, decomposed accents, reserved device names, path separators and control characters.
_TITLES = st.one_of(st.text(st.characters(exclude_categories=()), max_size=120), st.lists(st.sampled_from(
    ["Градиентный", "спуск", "Κλίση", "学习率", "𠀀", "e\u0301", "\u0928\u093f", "١٢", "CON", "nul", "COM¹", ".", " ",
     "/", "\\", ":", "\x00", "\n", "\u202e", "\udce9", "-", "_", "😀"]), max_size=60).map("".join))


#: The names Windows gives its devices (COM¹ is COM1 too).
WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL"} | {f"{port}{k}" for port in ("COM", "LPT") for k in "0123456789¹²³"}


@fuzz_settings(300)
@given(st.lists(_TITLES, min_size=1, max_size=4))
@example(["Градиентный спуск", "Κλίση", "ΚΛΊΣΗ", "Straße"])
def test_any_title_gives_a_safe_file_stem_that_keeps_its_letters_and_digits(tmp_path_factory, titles):
    """The name proposed for a lesson's session, Save as lesson and the exports (gd_core.files.file_stem): a
    title with no ASCII letter or digit ("Градиентный спуск", "Κλίση") was proposed as run.gdlab.json. A stem
    keeps the title's letters, marks and digits of any script in order (all of them within its length), composed
    (NFC), and is a name any common file system takes: no separator, control or format character, no leading or
    trailing dot, no name Windows reserves, at most 200 bytes of UTF-8 - so with the longest suffix GD Lab adds
    it is a file here. unique_stems gives names distinct case-folded."""
    import unicodedata

    from gd_core.files import file_stem, unique_stems

    def kept(text):
        return "".join(c for c in text if unicodedata.category(c)[0] in "LMN")

    folder = tmp_path_factory.mktemp("stems")
    stems = unique_stems(titles)
    for title, stem in zip(titles, stems):
        alone = file_stem(title)
        assert stem.startswith(alone) and alone == file_stem(alone)
        assert unicodedata.normalize("NFC", alone) == alone and len(alone.encode("utf-8")) <= 200
        letters = kept(unicodedata.normalize("NFC", title))
        if not any(unicodedata.category(c)[0] in "LN" for c in letters):
            letters = "run"  # a title without a letter or digit
        assert kept(alone) == letters[:len(kept(alone))]
        if len(unicodedata.normalize("NFC", title)) <= 40:
            assert kept(alone) == letters
        assert all(unicodedata.category(c)[0] in "LMN" or c in "._-" for c in alone)
        assert not alone.startswith(".") and not alone.endswith(".")
        assert alone.partition(".")[0].upper() not in WINDOWS_DEVICES
        (folder / f"{stem}-report.html").write_text("x")
    assert len({s.casefold() for s in stems}) == len(stems)
