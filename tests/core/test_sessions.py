"""Session files and lessons: round trip, refusal of corrupt or foreign files, and the headless commands."""

import json

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import gd_core
from gd_core import ConfigError
from gd_core.cli import main
from gd_core.lesson_library import lesson_name, lesson_number, list_lessons, load_lesson
from gd_core.results import run_summary
from gd_core.sessions import TABS, VIEW_DEFAULTS, Session, SessionRun, load_session, parse_session, save_session

from .lesson_runs import lesson

RUN = {"name": "a", "color": "#1f77b4", "config": {"problem": "quadratic", "steps": 20}}


def session_dict(**changes):
    data = {"format": "gdlab-session", "version": 1, "title": "t", "text": "x", "runs": [RUN], "view": {}}
    data.update(changes)
    return data


def test_round_trip(tmp_path):
    session = Session("Title", "<p>text</p>", [SessionRun("a", "#112233", {"problem": "booth", "steps": 5}),
                                               SessionRun("b", "#445566", {"steps": 7}, visible=False)],
                      {**VIEW_DEFAULTS, "x_axis": "epoch", "log_y": True, "tolerance": 0.01, "selected": 1,
                       "space_mode": "plane", "arrows": True, "tab": "accuracy"})
    save_session(session, tmp_path / "s.json")
    again = load_session(tmp_path / "s.json")
    assert again == session
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".gdlab-")]


@pytest.mark.parametrize("content,message", [
    (b"", "line 1 column 1: invalid JSON"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "line 1: not UTF-8 text; a session file is UTF-8 JSON"),
    (b"[1, 2]", "not a GD Lab session (expected \"format\""),
    (json.dumps({"format": "other"}).encode(), "not a GD Lab session"),
    (json.dumps(session_dict(version=3)).encode(), "version 3 is not supported"),
    (json.dumps(session_dict(runs=[])).encode(), "holds no run"),
    (json.dumps(session_dict(extra=1)).encode(), "session.extra: unknown key"),
    (json.dumps(session_dict(runs=[{**RUN, "color": "blue"}])).encode(), "runs[0].color: must be a colour"),
    # a key left out said "got None", a word the file never held
    (json.dumps(session_dict(runs=[{"name": "a", "config": RUN["config"]}])).encode(),
     'runs[0].color: must be a colour like "#1f77b4"; none given'),
    (json.dumps(session_dict(runs=[RUN, RUN])).encode(), "runs[1].name: 'a' is used by another run"),
    (json.dumps(session_dict(runs=[{**RUN, "config": {"steps": -1}}])).encode(), "runs[0].config.steps: must be"),
    (json.dumps(session_dict(view={"x_axis": "time"})).encode(), "view.x_axis: must be one of"),
    (json.dumps(session_dict(view={"selected": 3})).encode(), "view.selected: must be a run index in 0..0"),
    (json.dumps(session_dict(view={"zoom": 3})).encode(), "view.zoom: unknown view setting"),
    (json.dumps(session_dict(view={"tab": "loss"})).encode(),
     "view.tab: must be one of update_rule, optimizer_state, sharpness, noise_scale, accuracy; got 'loss'"),
])
def test_corrupt_or_foreign_files_are_refused(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("(", r"\(")):
        load_session(path)


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.sampled_from(TABS), st.text(max_size=12), st.none(), st.booleans(), st.integers(),
                 st.lists(st.sampled_from(TABS), max_size=2), st.dictionaries(st.sampled_from(TABS), st.none())))
def test_the_tab_a_session_brings_to_the_front_is_a_tab_or_refused_with_the_list(value):
    """A lesson's "view": {"tab": T} (the tab its text asks for, brought to the front): one of TABS, else one
    message naming the key and every allowed name."""
    try:
        session = parse_session(session_dict(view={"tab": value}))
    except ConfigError as error:
        assert value not in TABS
        assert str(error).startswith("view.tab: must be one of " + ", ".join(TABS) + "; got ")
        return
    assert session.view["tab"] == value in TABS


def test_unwritable_and_missing_paths(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_session(tmp_path / "missing.json")
    with pytest.raises(ConfigError, match="cannot write"):
        save_session(load_lesson("01_variants_same_epochs"), tmp_path / "no" / "dir" / "s.json")


def test_a_failed_save_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "s.json"
    session = load_lesson("02_what_is_a_batch")
    save_session(session, path)
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("gd_core.sessions.os.replace", broken)
    with pytest.raises(ConfigError, match="No space left"):
        save_session(load_lesson("03_learning_rate_bound"), path)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["s.json"]


def test_at_least_ten_lessons_each_valid_with_title_text_and_runs():
    lessons = list_lessons()
    assert len(lessons) >= 10
    for name, title in lessons:
        session = load_lesson(name)
        assert session.title == title and len(session.text) > 200 and session.runs
        assert load_lesson(name.split("_", 1)[1]) == session  # the name without its number works too
        assert load_lesson(str(lesson_number(name))) == session  # and its number alone ("7", "16")
    assert lesson_number("16_edge_of_stability") == 16 and lesson_number("/a/b/07_x.json") == 7
    assert lesson_number("edge") is None and lesson_name("07") == "07_saddle_escape"


@pytest.mark.parametrize("name", [n for n, _ in list_lessons()])
def test_every_lesson_runs_and_tells_the_truth_it_claims(name):
    session, results = lesson(name)  # run_many of the lesson's runs, shared with the lesson-claims tests
    histories = [results[r.name].history for r in session.runs]
    statuses = {r.name: h.status for r, h in zip(session.runs, histories)}
    final = {r.name: h.loss[-1] for r, h in zip(session.runs, histories)}
    if name == "03_learning_rate_bound":
        assert statuses["lr 0.21 (too large)"] == "diverged"
        assert final["lr 0.1 = 1/L"] < final["lr 0.02 (too small)"]
    elif name == "07_saddle_escape":
        assert statuses == {"on the ridge": "converged", "with noise": "diverged", "tiny offset": "diverged"}
    elif name == "08_himmelblau_starts":
        minima = gd_core.build_problem(gd_core.validate({"problem": "himmelblau"})).minima
        ends = [np.abs(minima - h.params[-1]).max(axis=1).argmin() for h in histories]
        assert sorted(ends) == [0, 1, 2, 3]
    elif name == "09_feature_scaling":
        assert final["standardised"] < final["raw (scale 10)"]
    elif name == "05_momentum_valley":
        assert final["Nesterov 0.9"] < final["momentum 0.9"] < final["plain 0.02"]
    elif name == "06_adaptive_rosenbrock":
        assert final["Adam"] < 1e-6 < final["plain"]
    elif name == "10_lr_decay_sgd":
        assert min(final["step decay"], final["inverse time"], final["exponential"]) < final["constant 0.1"]
    elif name == "23_overfitting_early_stopping":  # early stopping ends its run; the others complete
        assert statuses.pop("degree 9, early stopping") == "stopped early" and set(statuses.values()) == {"completed"}
        assert final["degree 9"] < final["degree 1"]
    elif name == "19_line_search":  # the fixed rate above 2/L diverges; every line search completes
        assert statuses.pop("fixed 0.21") == "diverged" and set(statuses.values()) == {"completed"}
    else:
        assert all(s == "completed" for s in statuses.values())


def test_run_summary_counts_steps_to_tolerance():
    history = gd_core.run({"problem": "quadratic", "optimizer": {"name": "plain", "lr": 0.1}, "steps": 100})
    s = run_summary(history, 1e-3, 0.0)
    k = int(np.flatnonzero(history.loss <= 1e-3)[0])
    assert s["steps_to_tolerance"] == k and s["epochs_to_tolerance"] == k and s["status"] == "completed"
    assert s["best_loss"] == history.loss.min() and s["steps"] == 100
    assert run_summary(history, 1e-30, 0.0)["steps_to_tolerance"] is None


def test_a_run_without_a_finite_loss_has_no_best_loss():
    """A start where the loss overflows diverges at row 0: there is no best loss - the results table and the lab
    report show "-", not "nan"."""
    history = gd_core.run({"problem": "rosenbrock", "init": [1e200, -1e200]})
    s = run_summary(history)
    assert s["status"] == "diverged" and s["best_loss"] is None and s["final_loss"] == np.inf


def test_headless_lesson_writes_every_run_and_a_summary(tmp_path, capsys):
    assert main(["--lesson", "03_learning_rate_bound", "--out-dir", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["lr_0.02_too_small.csv", "lr_0.19_just_stable.csv", "lr_0.1_1_L.csv",
                     "lr_0.21_too_large.csv", "summary.csv"]
    summary = (tmp_path / "out" / "summary.csv").read_text().splitlines()
    assert summary[0] == "run,status,final_loss,steps,steps_to_tolerance"
    assert summary[4].startswith("lr 0.21 (too large),diverged,") and len(summary) == 5
    assert "lr 0.21 (too large): diverged" in out


def test_headless_session_file(tmp_path, capsys):
    save_session(Session("t", "", [SessionRun("one", "#000000", {"problem": "booth", "steps": 30}),
                                   SessionRun("one/two", "#ffffff", {"problem": "booth", "steps": 10})]),
                 tmp_path / "s.json")
    assert main(["--session", str(tmp_path / "s.json"), "--out-dir", str(tmp_path / "o")]) == 0
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["one.csv", "one_two.csv", "summary.csv"]
    assert len((tmp_path / "o" / "one.csv").read_text().splitlines()) == 32


def test_listing_a_lesson_folder_reads_a_bounded_number_of_bytes(tmp_path, monkeypatch):
    """A folder of another tool's JSON files was read whole (a thousand data files of 10 MB: 10 GB) each time
    the Lessons menu opened after a change; a listing reads at most MAX_FOLDER_BYTES of files, and counts the
    files it left."""
    import gd_core.lessons

    monkeypatch.setattr(gd_core.lessons, "MAX_FOLDER_BYTES", 1500)
    (tmp_path / "0.json").write_text(json.dumps(session_dict(title="First")))
    for k in range(1, 5):
        (tmp_path / f"{k}.json").write_text(json.dumps({"values": "x" * 990}))  # 1,004 bytes each
    listing = gd_core.lessons.read_lesson_folder(str(tmp_path))
    assert [title for _, title in listing.lessons] == ["First"] and listing.unreadable == []
    assert listing.unread == 3


def test_listing_lessons_reads_a_file_again_only_when_it_changed(tmp_path, monkeypatch):
    """The Lessons menu, the lesson panel and each lesson opened list the lessons: every listing read every
    file (2,970 reads in one walk through the lessons). A file is read again when it changed, not before."""
    import gd_core.files
    import gd_core.lesson_library
    from gd_core.lessons import folder_lessons

    reads = []
    real = gd_core.files.read_bytes
    monkeypatch.setattr(gd_core.files, "read_bytes", lambda path, *a, **k: (reads.append(path),
                                                                           real(path, *a, **k))[1])
    shipped = list_lessons()  # (read here, or by an earlier test)
    reads.clear()
    assert list_lessons() == shipped and lesson_name("07") == "07_saddle_escape" and not reads
    for where, listing in (("shipped", list_lessons), ("folder", lambda: folder_lessons(str(tmp_path)))):
        monkeypatch.setattr(gd_core.lesson_library, "_lessons_dir", lambda: tmp_path)
        lesson = tmp_path / "01_a.json"
        lesson.write_text(json.dumps(session_dict(title="Alpha")))
        (tmp_path / "02_b.json").write_text(json.dumps(session_dict(title="Beta")))
        titles = [title for _, title in listing()]
        assert titles == ["Alpha", "Beta"] and len(reads) == 2, where
        assert [title for _, title in listing()] == titles and len(reads) == 2, where  # read once each
        lesson.write_text(json.dumps(session_dict(title="Alpha, edited")))  # edited: read again
        assert [title for _, title in listing()] == ["Alpha, edited", "Beta"] and len(reads) == 3, where
        replacement = tmp_path / "new.tmp"  # replaced by a rename (as GD Lab saves): read again
        replacement.write_text(json.dumps(session_dict(title="Beta, saved")))
        replacement.rename(tmp_path / "02_b.json")
        assert [title for _, title in listing()] == ["Alpha, edited", "Beta, saved"] and len(reads) == 4, where
        for f in tmp_path.iterdir():
            f.unlink()
        reads.clear()


def test_list_lessons(capsys):
    assert main(["--list-lessons"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) >= 10 and lines[0].startswith("01_variants_same_epochs\t")
    assert main(["--list-presets"]) == 0 and capsys.readouterr().out.splitlines() == lines  # the older name


def test_preset_is_an_older_name_of_lesson(capsys):
    assert main(["--preset", "03_learning_rate_bound", "--answers"]) == 0
    by_preset = capsys.readouterr().out
    assert main(["--lesson", "03_learning_rate_bound", "--answers"]) == 0
    assert capsys.readouterr().out == by_preset and by_preset


@pytest.mark.parametrize("args,message", [
    (["--lesson", "nope"], "error: lesson: unknown lesson 'nope'"),
    (["--session", "/no/file.json"], "error: session: cannot read /no/file.json"),
    (["--lesson", "07_saddle_escape", "--steps", "4"], "error: --steps: does not go with --lesson"),
    (["--lesson", "07_saddle_escape", "--session", "x.json"], "error: argument --session: not allowed with"),
    (["--out-dir", "d"], "error: --out-dir: goes with --lesson or --session"),
])
def test_headless_errors_exit_2_and_write_nothing(tmp_path, capsys, args, message):
    code = main([*args, "--out-dir", str(tmp_path / "out")] if "--out-dir" not in args else args)
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(message) and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_headless_corrupt_session_writes_nothing(tmp_path, capsys):
    (tmp_path / "bad.json").write_text('{"format": "gdlab-session", "version": 1, "runs": [{"name": "a", '
                                       '"color": "#000000", "config": {"optimizer": "sgd"}}]}')
    assert main(["--session", str(tmp_path / "bad.json"), "--out-dir", str(tmp_path / "out")]) == 2
    assert "runs[0].config.optimizer.name" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_answers_round_trip_and_bad_ones_are_refused_by_key(tmp_path):
    session = load_lesson("03_learning_rate_bound")
    session.answers = {0: "0.5", 1: "diverges"}
    path = tmp_path / "s.gdlab.json"
    save_session(session, path)
    assert load_session(path).answers == {0: "0.5", 1: "diverges"}
    data = session.to_dict()
    for answers, key in (({"9": "1"}, "session.answers.9"), ({"x": "1"}, "session.answers.x"),
                         ({"0": 5}, "session.answers.0"), ({"0": "9" * 201}, "session.answers.0"),
                         ([], "session.answers")):
        with pytest.raises(gd_core.ConfigError) as error:
            parse_session({**data, "answers": answers})
        assert error.value.key == key


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5), st.lists(st.text(max_size=3)),
                 st.dictionaries(st.text(max_size=4), st.one_of(st.text(max_size=300), st.integers(), st.none()),
                                 max_size=4)))
@example({"9" * 5000: "1"})  # a question number int() refuses (over 4,300 digits) raised ValueError
def test_any_answers_value_is_read_or_refused_by_key(answers):
    """Fuzzer of the session's "answers": whatever it holds is either read back exactly or refused naming it."""
    data = {**load_lesson("03_learning_rate_bound").to_dict(), "answers": answers}
    try:
        session = parse_session(data)
    except gd_core.ConfigError as error:
        assert error.key.startswith("session.answers")
        return
    assert session.answers == {int(k): v for k, v in answers.items()}
