"""Runs rebuilt by replay are identical to the originals; sessions (version 2) keep each run's progress."""

import json

import numpy as np
import pytest

import gd_core
from gd_core import ConfigError, history
from gd_core.cli import main
from gd_core.lesson_library import load_lesson
from gd_core.replay import replay
from gd_core.sessions import FORMAT, Session, SessionRun, load_session, parse_session, save_session

BASE = {"problem": "linear_regression", "data": {"name": "linear", "n_samples": 60, "seed": 1}, "variant": "minibatch",
        "batch_size": 8, "optimizer": {"name": "momentum", "lr": 0.02, "momentum": 0.9}, "steps": 300, "seed": 4}


def changed(config, **top):
    return {**json.loads(json.dumps(config)), **top}


def assert_same_history(a: gd_core.History, b: gd_core.History):
    assert len(a) == len(b) and a.status == b.status
    for column in ("step", "samples_seen", "lr", "loss", "batch_loss", "grad_norm"):
        np.testing.assert_array_equal(getattr(a, column), getattr(b, column), err_msg=column)
    np.testing.assert_array_equal(a.param_step, b.param_step)
    np.testing.assert_array_equal(a.params, b.params)
    np.testing.assert_array_equal(a.grads, b.grads)
    assert (a.stride, a.param_stride) == (b.stride, b.param_stride)


def live_run():
    """A run trained in uneven chunks, with live changes of rate, optimizer, variant, sampling and budget;
    returns it and its timeline."""
    trainer = gd_core.Trainer(BASE)
    timeline = [(0, trainer.config)]
    changes = [(37, changed(BASE, optimizer={"name": "adam", "lr": 0.05})),
               (90, changed(BASE, optimizer={"name": "adam", "lr": 0.01}, variant="stochastic")),
               (151, changed(BASE, optimizer={"name": "adam", "lr": 0.01}, variant="minibatch", batch_size=5,
                             sampling="replacement")),
               (300, changed(BASE, optimizer={"name": "adam", "lr": 0.01}, batch_size=5, sampling="replacement",
                             steps=420))]  # the budget grows after the run completed: it continues
    for at, config in changes:
        while trainer.step < at and not trainer.done:
            trainer.advance(min(7, at - trainer.step), time_budget=0.001)  # chunks as uneven as a timer's
        trainer.apply(config)
        timeline.append((trainer.step, trainer.config))
    trainer.advance(50)
    return trainer, tuple(timeline)


def test_replay_reproduces_a_run_with_live_changes_exactly():
    original, timeline = live_run()
    assert original.step == 350 and [at for at, _ in timeline] == [0, 37, 90, 151, 300]
    assert_same_history(replay(timeline, original.step).history, original.history)
    np.testing.assert_array_equal(replay(timeline, 120).history.params, original.history.params[:121])


def test_replay_reports_progress_and_can_be_cancelled():
    heard = []
    replay(((0, BASE),), 300, progress=lambda done, total: heard.append((done, total)))
    assert heard and heard[-1] == (300, 300)

    def cancel(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        replay(((0, BASE),), 300, progress=cancel)


def test_a_version_2_session_round_trips_with_progress(tmp_path):
    original, timeline = live_run()
    earlier = tuple((config, timeline[i + 1][0]) for i, (_, config) in enumerate(timeline[:-1]))
    session = Session("t", "", [SessionRun("a", "#112233", timeline[-1][1], True, original.step, earlier),
                                SessionRun("fresh", "#445566", {"problem": "booth", "steps": 9})])
    save_session(session, tmp_path / "s.gdlab.json")
    data = json.loads((tmp_path / "s.gdlab.json").read_text())
    assert data["version"] == 2 and data["runs"][0]["steps"] == 350 and len(data["runs"][0]["earlier"]) == 4
    assert "steps" not in data["runs"][1] and "earlier" not in data["runs"][1]  # nothing trained: nothing kept
    again = load_session(tmp_path / "s.gdlab.json")
    assert again == session
    assert_same_history(replay(again.runs[0].timeline(), again.runs[0].steps).history, original.history)


def test_a_thinned_two_budget_history_round_trips_through_a_session(tmp_path, monkeypatch):
    """A network's record past both its budgets (scalars every 4th step, parameters every 16th, from whole
    steps trained in uneven chunks with a live change of rate): saved with its progress, opened and replayed, it
    is the same record, row for row."""
    monkeypatch.setattr(history, "MAX_HISTORY_BYTES", 200_000)  # scalars 284 rows, 65 parameters 166
    config = {"problem": "mlp", "hidden": [16], "data": {"name": "moons", "n_samples": 40, "seed": 2},
              "batch_size": 8, "optimizer": {"name": "adam", "lr": 0.01}, "steps": 2_000, "seed": 3}
    trainer = gd_core.Trainer(config)
    while trainer.step < 700:
        trainer.advance(37, time_budget=0.001)
    before, faster = trainer.config, changed(trainer.config, optimizer={"name": "adam", "lr": 0.03})
    trainer.apply(faster)
    until = trainer.step
    trainer.advance(1_000)
    original = trainer.history
    assert (original.max_rows, original.param_max_rows) == history.row_budgets(65) == (284, 166)
    assert (original.stride, original.param_stride) == (8, 16) and len(original.params) < len(original)
    session = Session("t", "", [SessionRun("a", "#112233", faster, True, trainer.step, ((before, until),))])
    save_session(session, tmp_path / "s.gdlab.json")
    again = load_session(tmp_path / "s.gdlab.json")
    assert_same_history(replay(again.runs[0].timeline(), again.runs[0].steps).history, original)


def test_version_1_files_still_open_and_start_at_step_0(tmp_path):
    lesson = load_lesson("02_what_is_a_batch")  # the lessons are version 1
    assert all(r.steps is None and r.earlier == () for r in lesson.runs)
    data = {"format": FORMAT, "version": 1, "runs": [{"name": "a", "color": "#112233", "config": BASE}]}
    assert parse_session(data).runs[0].timeline() == ((0, BASE),)
    with pytest.raises(ConfigError, match=r"runs\[0\].steps: unknown key"):  # progress is a version-2 field
        parse_session({**data, "runs": [{**data["runs"][0], "steps": 3}]})


def v2(**run):
    return {"format": FORMAT, "version": 2,
            "runs": [{"name": "a", "color": "#112233", "config": changed(BASE, optimizer="adam"), **run}]}


@pytest.mark.parametrize("run,message", [
    ({"steps": -1}, r"runs\[0\].steps: must be a step count 0..100,000,000; got -1"),
    ({"steps": True}, r"runs\[0\].steps: must be a step count"),
    ({"steps": 10**9}, r"runs\[0\].steps: must be a step count"),
    ({"earlier": [{"config": BASE, "until": 3}]}, r"runs\[0\].earlier: needs \"steps\""),
    ({"steps": 5, "earlier": {"config": BASE}}, r"runs\[0\].earlier: must be a list"),
    ({"steps": 5, "earlier": [{"config": BASE}]}, r"runs\[0\].earlier\[0\]: must hold exactly"),
    ({"steps": 5, "earlier": [{"config": BASE, "until": 6}]}, r"earlier\[0\].until: must be a step in 0..5"),
    ({"steps": 9, "earlier": [{"config": BASE, "until": 6}, {"config": BASE, "until": 2}]},
     r"earlier\[1\].until: must be a step in 6..9"),
    ({"steps": 5, "earlier": [{"config": {**BASE, "lr": 1}, "until": 2}]}, r"earlier\[0\].config.lr: unknown"),
    ({"steps": 5, "earlier": [{"config": changed(BASE, seed=5), "until": 2}]},
     r"earlier\[0\].config: must have the same problem, data, seed and start"),
])
def test_bad_progress_is_refused_with_one_clear_message(run, message):
    with pytest.raises(ConfigError, match=message):
        parse_session(v2(**run))


def test_headless_session_runs_honour_the_saved_step(tmp_path, capsys):
    original, timeline = live_run()
    earlier = [{"config": config, "until": timeline[i + 1][0]} for i, (_, config) in enumerate(timeline[:-1])]
    data = {"format": FORMAT, "version": 2, "runs": [
        {"name": "saved", "color": "#112233", "config": timeline[-1][1], "steps": 200, "earlier": earlier[:3]},
        {"name": "fresh", "color": "#445566", "config": BASE}]}
    data["runs"][0]["config"] = timeline[3][1]  # saved at step 200, after the third change
    (tmp_path / "s.gdlab.json").write_text(json.dumps(data))
    assert main(["--session", str(tmp_path / "s.gdlab.json"), "--out-dir", str(tmp_path / "out")]) == 0
    assert "saved: running after 200 steps" in capsys.readouterr().out
    rows = (tmp_path / "out" / "saved.csv").read_text().splitlines()
    expected = original.history
    assert len(rows) == 1 + 201  # header, then rows 0..200: the run as it was saved
    params = np.array([[float(v) for v in row.split(",")[-2:]] for row in rows[1:]])
    np.testing.assert_array_equal(params, expected.params[:201])
    assert len((tmp_path / "out" / "fresh.csv").read_text().splitlines()) == 1 + 301  # no progress: to its end
