"""Undo and redo (issue 11): every kind of user action is one undo step, and undo / redo restore identical state
(configs, runs, step counts, trajectories), also while the runs train."""

import json

import numpy as np
import pytest
from pyqtgraph import Point
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtTest import QTest

import gd_core
from gd_core.replay import replay

from .conftest import double_click, panel


def snapshot(win) -> dict:
    """All a user could lose: each run's name, colour, visibility, config, step count and trajectory; the
    selection and the view settings."""
    model = win.model
    return {"runs": [(r.name, r.color, r.visible, json.dumps(r.config, sort_keys=True), r.trainer.step,
                      r.history.status, r.history.params.tobytes(), r.history.loss.tobytes(), r.history.lr.tobytes())
                     for r in model.runs],
            "selected": model.runs.index(model.selected), "view": dict(model.view)}


def click_start(win, x, y):
    view = win.space_view
    point = view.plot.mapFromScene(view.plot.getPlotItem().vb.mapViewToScene(Point(x, y)))
    double_click(view.plot.viewport(), QPoint(int(point.x()), int(point.y())))


def rename(win, name):
    win.run_list.list.item(win.model.runs.index(win.model.selected)).setText(name)


def hide(win):
    win.run_list.list.item(0).setCheckState(Qt.CheckState.Unchecked)


def recolour(win, monkeypatch):
    monkeypatch.setattr("app.run_list.QColorDialog.getColor", lambda *args: QColor("#123456"))
    win.run_list.choose_color()


def load_csv(win, tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("x,y\n" + "".join(f"{i / 10},{0.5 * i / 10 + 1}\n" for i in range(30)))
    assert panel(win, "ProblemPanel").load_path(str(path))


def switch_problem(win):
    box = panel(win, "ProblemPanel").problem
    box.setCurrentIndex(box.findData("rosenbrock"))
    box.activated.emit(box.currentIndex())


ACTIONS = {
    "learning rate (live)": lambda win, mp, tmp: panel(win, "LearningRatePanel").spin.setValue(0.2),
    "batch size (live)": lambda win, mp, tmp: panel(win, "VariantPanel").batch_size.setValue(40),
    "seed (restarts the run)": lambda win, mp, tmp: panel(win, "RunPanel").settings_form.editors["seed"].setValue(7),
    "problem": lambda win, mp, tmp: switch_problem(win),
    "start point click": lambda win, mp, tmp: click_start(win, 1.5, 2.0),
    "add run": lambda win, mp, tmp: win.run_list.add(),
    "duplicate run": lambda win, mp, tmp: win.run_list.duplicate(),
    "remove run": lambda win, mp, tmp: win.run_list.remove(),
    "rename": lambda win, mp, tmp: rename(win, "mine"),
    "recolour": lambda win, mp, tmp: recolour(win, mp),
    "hide": lambda win, mp, tmp: hide(win),
    "CSV load": lambda win, mp, tmp: load_csv(win, tmp),
    "log scale toggle": lambda win, mp, tmp: win.loss_view.log_y.setChecked(True),
    "tolerance": lambda win, mp, tmp: win.results.tolerance.setValue(0.01),
    "compare variants": lambda win, mp, tmp: win.action_compare.trigger(),
    "reset": lambda win, mp, tmp: win.action_reset.trigger(),
}


@pytest.mark.parametrize("name", list(ACTIONS))
def test_each_action_is_one_undo_step_and_undo_redo_restore_identical_state(window, monkeypatch, tmp_path, name):
    model, stack = window.model, window.undo.stack
    model.add_run(gd_core.validate({**model.selected.config, "seed": 3}))  # two runs, the second selected
    model.step(30)
    before, count = snapshot(window), stack.count()
    ACTIONS[name](window, monkeypatch, tmp_path)
    assert stack.count() == count + 1, [stack.text(i) for i in range(stack.count())]  # one step per action
    after = snapshot(window)
    assert after != before
    window.undo.undo_action.trigger()
    assert snapshot(window) == before
    window.undo.redo_action.trigger()
    assert snapshot(window) == after
    window.undo.undo_action.trigger()
    assert snapshot(window) == before


def test_redo_brings_back_the_training_made_after_the_action_and_undo_the_training_before_it(window):
    run, model = window.model.selected, window.model
    model.step(30)
    panel(window, "LearningRatePanel").spin.setValue(0.2)
    model.step(45)
    trained = run.history.params.copy()
    window.undo.undo_action.trigger()
    assert run.trainer.step == 30 and run.config["optimizer"]["lr"] == 0.05
    model.step(5)  # training the restored run: redo and undo keep this too
    window.undo.redo_action.trigger()
    assert run.trainer.step == 75
    np.testing.assert_array_equal(run.history.params, trained)
    window.undo.undo_action.trigger()
    assert run.trainer.step == 35 and run.config["optimizer"]["lr"] == 0.05


def test_undo_of_a_setting_restores_the_run_as_a_reset_with_the_old_setting(window):
    """Deterministic and seeded: the run after undo is the one the old config gives, replayed to its step."""
    run, model = window.model.selected, window.model
    old = gd_core.validate(run.config)
    model.step(40)
    panel(window, "LearningRatePanel").spin.setValue(0.3)  # live, at step 40
    model.step(25)
    panel(window, "RunPanel").settings_form.editors["seed"].setValue(9)  # restarts the run
    model.step(10)
    window.undo.undo_action.trigger()
    window.undo.undo_action.trigger()
    reference = gd_core.Trainer(old)
    reference.advance(40)
    assert run.trainer.step == 40
    np.testing.assert_array_equal(run.history.params, reference.history.params)
    np.testing.assert_array_equal(run.history.loss, reference.history.loss)
    assert run.config == reference.config


def test_the_edit_menu_says_what_undo_and_redo_will_do(window):
    undo, redo = window.undo.undo_action, window.undo.redo_action
    assert undo.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    assert redo.shortcut().toString() == "Ctrl+Shift+Z"
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus[:2] == ["&File", "&Edit"]
    assert not undo.isEnabled() and not redo.isEnabled()
    panel(window, "LearningRatePanel").spin.setValue(0.2)
    assert undo.isEnabled() and undo.text() == "&Undo Set lr to 0.2 (run 1)"
    config = window.model.config_copy(window.model.selected)
    window.model.update_config(window.model.selected, {**config, "optimizer": {"name": "adagrad", "lr": 0.2}})
    assert undo.text() == "&Undo Set optimizer to adagrad (run 1)"  # was "Change name, lr decay, ..."
    window.undo.undo_action.trigger()
    window.loss_view.log_y.setChecked(True)
    assert undo.text() == "&Undo Set log scale to on"
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not window.model.view["log_y"] and not window.loss_view.log_y.isChecked()  # the box shows it too
    assert redo.text() == "&Redo Set log scale to on" and undo.text() == "&Undo Set lr to 0.2 (run 1)"
    assert "Undone: Set log scale to on." in window.banner.text()
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.model.view["log_y"] and window.loss_view.log_y.isChecked()


def test_undo_while_training_never_corrupts_the_running_run(window, qtbot):
    """Undo applies between two timer ticks; training goes on afterwards, and the run stays exactly what its
    timeline replays to."""
    run = window.model.selected
    window.model.update_config(run, {**run.config, "epochs": 2000})
    window.speed.setCurrentText("Max")
    window.runner.start()
    qtbot.waitUntil(lambda: run.trainer.step > 100, timeout=5000)
    panel(window, "LearningRatePanel").spin.setValue(0.01)
    edited_at = run.trainer.step
    qtbot.waitUntil(lambda: run.trainer.step > edited_at + 100, timeout=5000)
    window.undo.undo_action.trigger()
    assert window.runner.running and run.config["optimizer"]["lr"] == 0.05
    assert run.trainer.step >= edited_at
    qtbot.waitUntil(lambda: run.trainer.step > edited_at + 200, timeout=5000)
    window.undo.redo_action.trigger()
    assert run.config["optimizer"]["lr"] == 0.01
    qtbot.waitUntil(lambda: run.trainer.step > edited_at + 300, timeout=5000)
    window.runner.pause()
    rebuilt = replay(run.timeline, run.trainer.step)
    np.testing.assert_array_equal(run.history.params, rebuilt.history.params)
    np.testing.assert_array_equal(run.history.lr, rebuilt.history.lr)


def test_opening_or_new_clears_what_could_be_undone(window):
    panel(window, "LearningRatePanel").spin.setValue(0.2)
    assert window.undo.stack.count() == 1
    window.files.new()
    assert window.undo.stack.count() == 0 and not window.undo.undo_action.isEnabled()


def cancel_on_replay(monkeypatch, at: int = 1) -> list:
    """The user presses the replay dialog's Cancel button at its ``at``-th report of progress (a short replay
    reports once; the dialog must offer Cancel)."""
    from app.progress import Cancelled, ReplayProgress
    calls = []

    def progress(self, done, total):
        assert self.cancellable  # a long undo can be cancelled
        calls.append((done, total))
        if len(calls) == at:
            raise Cancelled
    monkeypatch.setattr(ReplayProgress, "__call__", progress)
    return calls


def test_a_cancelled_undo_changes_nothing_and_undo_still_works(window, qtbot, monkeypatch):
    """Undoing a live change made late in a long run replays the run; Cancel on its dialog leaves the session,
    the undo stack and the Edit menu as they were, and a later undo works."""
    run, model, stack = window.model.selected, window.model, window.undo.stack
    model.step(30)
    panel(window, "LearningRatePanel").spin.setValue(0.2)  # live, at step 30: undo replays 30 steps
    model.step(45)
    before, index, text = snapshot(window), stack.index(), stack.undoText()
    with monkeypatch.context() as patch:
        calls = cancel_on_replay(patch)
        window.undo.undo_action.trigger()
        assert calls and snapshot(window) == before
        qtbot.waitUntil(lambda: stack.index() == index)
    assert stack.undoText() == text and not stack.canRedo() and snapshot(window) == before
    assert "Undo cancelled" in window.banner.text() + window.statusBar().currentMessage()
    window.undo.undo_action.trigger()
    assert run.trainer.step == 30 and run.config["optimizer"]["lr"] == 0.05 and stack.index() == index - 1


def test_a_cancelled_undo_of_one_action_on_several_runs_takes_back_its_first_runs(window, qtbot, monkeypatch):
    model, stack = window.model, window.undo.stack
    second = model.add_run(gd_core.validate({**model.selected.config, "seed": 3}))
    model.step(20)
    with model.edit_group("Two live changes"):
        for run, lr in zip(model.runs, (0.2, 0.3)):
            model.update_config(run, {**run.config, "optimizer": {**run.config["optimizer"], "lr": lr}})
    model.step(10)
    before, index = snapshot(window), stack.index()
    with monkeypatch.context() as patch:
        calls = cancel_on_replay(patch, at=2)  # the second run's replay is cancelled: the first is taken back
        window.undo.undo_action.trigger()
        assert len(calls) == 2 and snapshot(window) == before
        qtbot.waitUntil(lambda: stack.index() == index)
    window.undo.undo_action.trigger()
    assert [r.config["optimizer"]["lr"] for r in model.runs] == [0.05, 0.05] and second.trainer.step == 20


def test_removing_a_run_says_so_and_how_to_bring_it_back(qtbot):
    """A run list alone on a model (no window): Remove said nothing, and the banner kept the last message (after
    Compare variants: "Added ... mini-batch" over a list the mini-batch run had left)."""
    from app.run_list import RunList
    from app.session import DEFAULT_CONFIG, SessionModel

    model = SessionModel()
    model.add_run(DEFAULT_CONFIG, "second")
    said = []
    runs = RunList(model, lambda text, kind="info": said.append(text))
    qtbot.addWidget(runs)
    runs.remove()
    assert [r.name for r in model.runs] == ["run 1"] and said == ["Removed second (Ctrl+Z brings it back)."]
    runs.remove()
    assert len(model.runs) == 1 and said[-1].startswith("Not removed - ")


def test_a_run_the_lessons_questions_ask_about_opens_no_name_editor(qtbot):
    """Double-clicking such a run opened an editor and refused the new name only after it was typed (HW2)."""
    from PySide6.QtCore import Qt

    from app.run_list import RunList
    from app.session import SessionModel
    from gd_core.lesson_library import load_lesson

    model = SessionModel()
    model.load_session(load_lesson("01_variants_same_epochs"), "01_variants_same_epochs")
    model.duplicate_run(model.runs[1])
    runs = RunList(model, lambda text, kind="info": None)
    qtbot.addWidget(runs)
    editable = [bool(runs.list.item(row).flags() & Qt.ItemFlag.ItemIsEditable) for row in range(runs.list.count())]
    assert editable == [False, False, False, True]  # the lesson's three runs; the student's copy renames freely
    assert "ask about it" in runs.list.item(1).toolTip()


def test_compare_variants_adds_its_three_copies_or_none(window, monkeypatch):
    """A session holds at most MAX_RUNS runs (more would not open again). With room for one copy, Compare variants
    added the batch copy, hid the run and switched the loss axis, then stopped: a half comparison the banner called
    "Nothing to compare", with one undo step for it. Now an error part-way takes back all it did, records
    nothing, and says why."""
    monkeypatch.setattr("app.session.MAX_RUNS", 3)
    model, stack = window.model, window.undo.stack
    window.run_list.duplicate()
    before, index = snapshot(window), stack.index()
    window.compare_variants()
    assert snapshot(window) == before and stack.index() == index
    assert "Not compared - a session holds at most 3 runs: remove one first" in window.banner.text()
    window.run_list.add()
    assert len(model.runs) == 3
    window.run_list.add()
    assert len(model.runs) == 3 and "Not added - a session holds at most 3 runs" in window.banner.text()
    window.run_list.duplicate()
    assert len(model.runs) == 3 and "Not duplicated - a session holds at most 3 runs" in window.banner.text()


def test_a_session_of_as_many_runs_as_it_may_hold_saves_and_opens():
    from app.session import DEFAULT_CONFIG, SessionModel
    from gd_core.sessions import MAX_RUNS, parse_session
    model = SessionModel(DEFAULT_CONFIG)
    for _ in range(MAX_RUNS + 1):
        try:
            model.add_run(DEFAULT_CONFIG)
        except ValueError as error:
            assert str(error) == f"a session holds at most {MAX_RUNS} runs: remove one first"
    assert len(model.runs) == MAX_RUNS
    assert len(parse_session(json.loads(json.dumps(model.to_session().to_dict()))).runs) == MAX_RUNS
