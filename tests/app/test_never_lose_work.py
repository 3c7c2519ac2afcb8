"""Never lose a student's work (issue 11): the modified marker, Save / Discard / Cancel before anything discards
the session, save names, sessions that reopen where they were saved, autosave and recovery, Run after
completion, recent files."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

import gd_core
from app import create_window, recovery
from app.export_menu import save_picture
from app.files import SESSION_FILTER
from app.guard import ask_to_save  # the real one: the tests' fixture answers in its place
from app.progress import ReplayProgress
from gd_core.lesson_library import list_lessons, load_lesson
from gd_core.sessions import load_session, save_session

from .conftest import panel
from .test_undo import ACTIONS, snapshot


@pytest.fixture
def answers(monkeypatch):
    """Answer "save your changes?" from a list (then Discard, as the window closes after the test); records
    each question."""
    queue, asked = [], []

    def answer(parent, before):
        asked.append(before)
        return queue.pop(0) if queue else "discard"

    monkeypatch.setattr("app.guard.ask_to_save", answer)
    return queue, asked


def saved_window(qtbot, tmp_path, steps=30):
    """A window whose session (trained ``steps`` steps) is saved: not modified."""
    win = create_window()
    qtbot.addWidget(win)
    win.model.step(steps)
    assert win.files.save_to(str(tmp_path / "work.gdlab.json"))
    assert not win.isWindowModified()
    return win


# -- modified marker -----------------------------------------------------------------------------------------
def test_every_kind_of_change_marks_the_session_modified_and_a_save_clears_it(window, monkeypatch, tmp_path):
    assert window.windowTitle().endswith("[*]") and not window.isWindowModified()
    path = str(tmp_path / "s.gdlab.json")
    window.model.add_run(gd_core.validate({**window.model.selected.config, "seed": 3}))
    changes = {**ACTIONS, "training progress": lambda win, mp, tmp: win.model.step(3)}
    for name, change in changes.items():
        assert window.files.save_to(path) and not window.isWindowModified(), name
        change(window, monkeypatch, tmp_path)
        assert window.isWindowModified(), name
    assert window.files.save_to(path) and not window.isWindowModified()
    window.undo.undo_action.trigger()  # undo is a change too; undo back to the saved state is not
    assert window.isWindowModified()
    window.undo.redo_action.trigger()
    assert not window.isWindowModified()


def test_the_modified_marker_shows_in_the_title(window, qtbot, tmp_path):
    assert window.files.save_to(str(tmp_path / "lab.gdlab.json"))
    assert window.windowTitle() == "GD Lab - lab.gdlab.json[*]" and not window.isWindowModified()
    window.model.step(1)
    assert window.isWindowModified()


# -- ask before discarding ------------------------------------------------------------------------------------
DISCARDING = {
    "new": lambda win: win.files.new(),
    "open": lambda win: win.files.open_dialog(),
    "lesson": lambda win: win.files.open_lesson(list_lessons()[0][0]),
    "recent file": lambda win: win.files.open_recent(win.files.recent()[-1]),
    "quit (Ctrl+Q)": lambda win: win.action_quit.trigger(),
    "close button": lambda win: win.close(),
}


@pytest.fixture
def other_file(tmp_path, monkeypatch):
    """Another saved session, offered by the Open dialog and listed in Open Recent."""
    path = str(tmp_path / "other.gdlab.json")
    save_session(load_session_of({"problem": "booth", "steps": 10}), path)
    monkeypatch.setattr("app.files.QFileDialog.getOpenFileName", lambda *args: (path, SESSION_FILTER))
    return path


def load_session_of(config):
    from gd_core.sessions import Session, SessionRun
    return Session(runs=[SessionRun("other", "#123456", config)])


@pytest.mark.parametrize("action", list(DISCARDING))
def test_cancel_leaves_everything_exactly_as_it_was(qtbot, tmp_path, answers, other_file, action):
    win = saved_window(qtbot, tmp_path)
    win.files.remember(other_file)
    win.files.remember(win.files.path)  # the window's own file comes first; the other one is last
    win.show()
    panel(win, "LearningRatePanel").spin.setValue(0.2)
    win.model.step(5)
    before, path, count = snapshot(win), win.files.path, win.undo.stack.count()
    answers[0].append("cancel")
    DISCARDING[action](win)
    assert len(answers[1]) == 1  # asked once
    assert snapshot(win) == before and win.files.path == path and win.undo.stack.count() == count
    assert win.isVisible() and win.isWindowModified()


@pytest.mark.parametrize("action", list(DISCARDING))
def test_discard_goes_ahead_without_saving(qtbot, tmp_path, answers, other_file, action):
    win = saved_window(qtbot, tmp_path)
    win.files.remember(other_file)
    win.files.remember(win.files.path)
    win.show()
    on_disk = (tmp_path / "work.gdlab.json").read_text()
    win.model.step(5)
    answers[0].append("discard")
    DISCARDING[action](win)
    assert answers[1] and (tmp_path / "work.gdlab.json").read_text() == on_disk  # not saved
    if "quit" in action or "close" in action:
        assert not win.isVisible()
    else:
        assert win.model.selected.trainer.step == 0 and not win.isWindowModified()


@pytest.mark.parametrize("action", ["new", "lesson", "quit (Ctrl+Q)"])
def test_save_saves_then_goes_ahead(qtbot, tmp_path, answers, action):
    win = saved_window(qtbot, tmp_path)
    win.show()
    win.model.step(5)
    answers[0].append("save")
    DISCARDING[action](win)
    assert load_session(tmp_path / "work.gdlab.json").runs[0].steps == 35
    assert not win.isVisible() if "quit" in action else win.model.selected.trainer.step == 0


def test_a_save_that_fails_keeps_the_window_open_with_the_work(qtbot, tmp_path, answers, monkeypatch):
    win = saved_window(qtbot, tmp_path)
    win.show()
    win.model.step(5)
    before = snapshot(win)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("gd_core.sessions.write_text", full_disk)
    answers[0].append("save")
    win.close()
    assert win.isVisible() and snapshot(win) == before and win.isWindowModified()
    assert "No space left on device" in win.banner.text()
    answers[0].append("save")  # a Save As that is cancelled keeps it open too
    win.files.path = None
    monkeypatch.setattr("app.files.QFileDialog.getSaveFileName", lambda *args: ("", ""))
    win.action_quit.trigger()
    assert win.isVisible() and snapshot(win) == before


def test_an_unmodified_session_is_discarded_without_a_question(window, answers):
    window.files.new()
    window.close()
    assert answers[1] == [] and not window.isVisible()


def answer_box(name: str, answer) -> None:
    """Once the message box ``name`` shows, call ``answer(box)`` (which clicks one of its buttons)."""
    def poll():
        box = next((w for w in QApplication.topLevelWidgets() if w.objectName() == name and w.isVisible()), None)
        if box is None:
            QTimer.singleShot(10, poll)
        else:
            answer(box)
    QTimer.singleShot(0, poll)


def test_the_question_is_a_save_discard_cancel_box(window):
    """The real dialog, answered by clicking its Cancel button."""
    seen = {}

    def answer(box):
        seen["text"], seen["info"] = box.text(), box.informativeText()
        seen["buttons"] = box.standardButtons()
        box.button(QMessageBox.StandardButton.Cancel).click()

    answer_box("save_changes", answer)
    assert ask_to_save(window, "starting a new session") == "cancel"
    assert seen["text"] == "This session has changes that are not saved."
    assert seen["info"] == "Save them before starting a new session?"
    buttons = QMessageBox.StandardButton
    assert seen["buttons"] == buttons.Save | buttons.Discard | buttons.Cancel


# -- save names ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("typed,written", [("mysession", "mysession.gdlab.json"), ("lab.json", "lab.json"),
                                           ("v1.gdlab.json", "v1.gdlab.json")])
def test_save_as_appends_the_extension_when_the_name_has_none(window, tmp_path, monkeypatch, typed, written):
    monkeypatch.setattr("app.files.QFileDialog.getSaveFileName", lambda *args: (str(tmp_path / typed), ""))
    assert window.files.save_as()
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == [written]
    assert window.files.path == str(tmp_path / written)


def test_save_proposes_a_file_named_after_the_lesson_the_session_came_from(qtbot, tmp_path, monkeypatch):
    """Save on a session opened from a lesson proposed its folder and no name: the student had to make one up.
    It proposes the lesson's title as a safe file name (letters, digits, '-', '_', '.'); a session saved once
    proposes its own file at Save As; a new session, without a title, the folder alone."""
    from app.folders import start_folder

    proposed = []
    monkeypatch.setattr("app.files.QFileDialog.getSaveFileName",
                        lambda parent, caption, start, filters: proposed.append(start) or ("", ""))
    win = create_window(lesson="03_learning_rate_bound")
    qtbot.addWidget(win)
    assert win.model.title == "Learning rate too small, right, too large - and the bound 2/L"
    assert not win.files.save()  # (cancelled)
    assert proposed.pop() == os.path.join(start_folder(),
                                          "Learning_rate_too_small_right_too_large_-_and_the_bound_2_L.gdlab.json")
    win.files.save_to(str(tmp_path / "mine.gdlab.json"))
    win.files.save_as()
    assert proposed.pop() == str(tmp_path / "mine.gdlab.json")
    win.files.new()
    win.files.save()
    assert proposed.pop() == start_folder()
    # (review of caeae61) a file named in bytes that are not UTF-8: Qt's strings drop them, and Save As proposed
    # "caf.gdlab.json" - another file; its folder now
    odd = os.path.join(str(tmp_path), os.fsdecode(b"caf\xe9.gdlab.json"))
    if win.files.save_to(odd):  # (a file system that takes the name)
        win.files.save_as()
        assert proposed.pop() == str(tmp_path)


def test_open_shows_gdlab_json_and_json_files_and_all_files(window, monkeypatch):
    filters = []
    monkeypatch.setattr("app.files.QFileDialog.getOpenFileName",
                        lambda parent, caption, folder, filter: filters.append(filter) or ("", ""))
    window.files.open_dialog()
    assert filters == ["GD Lab sessions (*.gdlab.json);;JSON files (*.json);;All files (*)"]


# -- sessions keep progress ------------------------------------------------------------------------------------
def test_a_session_saved_at_step_n_reopens_at_step_n_with_the_identical_trajectory(qtbot, tmp_path):
    win = create_window()
    qtbot.addWidget(win)
    model = win.model
    model.add_run(gd_core.validate({**model.selected.config, "seed": 2, "variant": "stochastic"}))
    model.step(40)
    panel(win, "LearningRatePanel").spin.setValue(0.01)  # a live change half way
    model.step(33)
    path = str(tmp_path / "progress.gdlab.json")
    assert win.files.save_to(path)
    again = create_window(path)
    qtbot.addWidget(again)
    assert snapshot(again) == snapshot(win)
    assert [r.trainer.step for r in again.model.runs] == [73, 73]
    assert again.step_label.text() == "step 73" and not again.isWindowModified()
    again.model.step(10)  # and they go on exactly as the originals do
    model.step(10)
    assert snapshot(again) == snapshot(win)


def test_opening_a_long_session_shows_progress_and_cancel_leaves_the_current_one(window, tmp_path, monkeypatch):
    config = {"problem": "quadratic", "optimizer": {"name": "momentum", "lr": 0.001}, "steps": 30_000}
    from gd_core.sessions import Session, SessionRun
    save_session(Session(runs=[SessionRun("long", "#123456", config, steps=30_000)]), tmp_path / "long.gdlab.json")
    seen = []
    monkeypatch.setattr("app.progress.SHOW_AFTER_MS", 0)
    original = ReplayProgress.__call__

    def watch(self, done, total):
        seen.append((done, total))
        original(self, done, total)
        assert self.dialog.isVisible() and "long.gdlab.json" in self.dialog.labelText()

    monkeypatch.setattr("app.progress.ReplayProgress.__call__", watch)
    assert window.files.open_path(str(tmp_path / "long.gdlab.json"))
    assert seen[-1] == (30_000, 30_000) and window.model.selected.trainer.step == 30_000
    window.files.new()
    before = snapshot(window)

    def cancel(self, done, total):
        original(self, done, total)
        self.dialog.cancel()
        original(self, done, total)

    monkeypatch.setattr("app.progress.ReplayProgress.__call__", cancel)
    assert not window.files.open_path(str(tmp_path / "long.gdlab.json"))
    assert snapshot(window) == before and "cancelled" in window.banner.text()


def test_version_1_session_files_still_open(window, tmp_path):
    data = {"format": "gdlab-session", "version": 1, "title": "old",
            "runs": [{"name": "a", "color": "#123456", "config": {"problem": "booth", "steps": 9}}]}
    (tmp_path / "old.json").write_text(json.dumps(data))
    assert window.files.open_path(str(tmp_path / "old.json"))
    assert window.model.selected.name == "a" and window.model.selected.trainer.step == 0


# -- Run after completion ---------------------------------------------------------------------------------------
def test_run_after_completion_says_it_restarts_and_a_longer_budget_continues(window, qtbot):
    run, model = window.model.selected, window.model
    model.update_config(run, {**run.config, "epochs": 1})
    model.step(100)
    assert run.trainer.done and window.action_run.text() == "Run again"
    assert window.state_label.text() == "Completed - Run restarts"
    finished = run.history.params.copy()
    window.action_run.trigger()
    window.runner.pause()
    assert run.trainer.step < 13 and "Restarted every run" in window.banner.text()
    window.undo.undo_action.trigger()  # the restart is one undoable action: the finished run comes back
    np.testing.assert_array_equal(run.history.params, finished)
    panel(window, "RunPanel").length.setValue(3)  # 3 epochs: the run continues instead
    assert window.action_run.text() == "Run" and window.state_label.text() == "Paused"
    window.action_run.trigger()
    qtbot.waitUntil(lambda: run.trainer.step > 13, timeout=5000)
    window.runner.pause()
    np.testing.assert_array_equal(run.history.params[:14], finished)  # continued from where it ended


# -- recent files ----------------------------------------------------------------------------------------------
def test_a_missing_recent_file_leaves_the_list_with_a_message(window, tmp_path, answers):
    path = str(tmp_path / "gone.gdlab.json")
    window.files.save_to(path)
    window.model.step(3)  # modified: yet nothing is asked, since nothing would be opened
    os.remove(path)
    assert window.files.recent() == [path]
    window.files.recent_menu.actions()[0].trigger()
    assert window.files.recent() == [] and not window.files.recent_menu.isEnabled()
    assert "gone.gdlab.json is no longer at" in window.banner.text() and answers[1] == []
    assert window.model.selected.trainer.step == 3


def test_recent_files_are_remembered_across_launches(qtbot, tmp_path):
    first = saved_window(qtbot, tmp_path)
    second = create_window()
    qtbot.addWidget(second)
    path = first.files.path
    assert second.files.recent() == [path]
    # the menu names it whole, or by its end where long (80 characters: a pytest-xdist worker's temporary folder
    # is 10 longer, and this test failed in one), and whole in its tooltip
    [entry] = second.files.recent_menu.actions()
    assert entry.toolTip() == path
    assert entry.text() == path or entry.text().startswith("…") and path.endswith(entry.text()[1:])


# -- autosave and recovery -----------------------------------------------------------------------------------------
def test_autosave_copies_unsaved_work_and_saving_or_closing_deletes_it(window, tmp_path):
    assert window.autosaver.save_now() is None  # nothing unsaved: nothing copied
    window.model.step(12)
    path = window.autosaver.save_now()
    assert path.startswith(str(tmp_path / "reports")) and load_session(path).runs[0].steps == 12
    assert recovery.orphaned_autosaves() == []  # this window lives: its copy is not offered
    window.files.save_to(str(tmp_path / "s.gdlab.json"))
    assert not os.path.exists(path)
    window.model.step(1)
    path = window.autosaver.save_now()
    window.close()
    assert not os.path.exists(path) and os.listdir(tmp_path / "reports") == []


KILLED = """
import os, signal
from PySide6.QtWidgets import QApplication
app = QApplication([])
from app import create_window
window = create_window()
window.model.step(40)
window.files.save_to(os.environ["GDLAB_TEST_SAVE"])  # saved once, then changed: the copy knows its file
window.model.update_config(window.model.selected, {**window.model.selected.config, "optimizer": "adam"})
window.model.step(17)
print(window.autosaver.save_now(), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_after_a_killed_process_the_next_launch_restores_the_autosaved_work(window, tmp_path, monkeypatch):
    folder = tmp_path / "reports"
    saved = str(tmp_path / "lab.gdlab.json")
    result = subprocess.run([sys.executable, "-c", KILLED], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "GDLAB_CRASH_DIR": str(folder),
                                 "GDLAB_TEST_SAVE": saved})
    assert result.returncode == -9
    copy = result.stdout.strip()
    assert os.path.exists(copy) and recovery.orphaned_autosaves() == [copy]
    offered = []
    monkeypatch.setattr("app.recovery.choose_autosave",
                        lambda parent, copies: offered.append(copies) or (recovery.RESTORE, copies[0].path))
    assert recovery.offer_restore(window)
    run = window.model.selected
    assert len(offered) == 1 and run.trainer.step == 57 and run.config["optimizer"]["name"] == "adam"
    reference = gd_core.Trainer(run.timeline[0][1])
    reference.advance(40)
    reference.apply(run.config)
    reference.advance(17)
    np.testing.assert_array_equal(run.history.params, reference.history.params)
    assert window.isWindowModified() and "Restored the session autosaved" in window.banner.text()
    assert window.files.path == saved and "lab.gdlab.json" in window.windowTitle()  # its name again: Save goes there
    assert not os.path.exists(copy) and not os.path.exists(copy + recovery.ORIGIN)  # restored: deleted
    assert recovery.offer_restore(window) is False and offered == [offered[0]]  # nothing offered twice


def test_a_crash_folder_that_cannot_be_made_opens_the_window_and_the_autosave_says_why(window, tmp_path,
                                                                                     monkeypatch):
    """GDLAB_CRASH_DIR naming a file (or a device, or a place that cannot be made: the default folder in a read-only
    home alike) stopped gdlab at launch - offering the autosaved copies raised FileExistsError - and an autosave
    said only "File exists". Now there is nothing to offer, and the autosave says what is wrong."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("GDLAB_CRASH_DIR", str(blocker))
    assert recovery.offer_restore(window) is False
    window.model.step(3)
    assert window.autosaver.save_now() is None
    assert window.banner.text() == f"Could not write the autosave copy: {blocker} is a file, not a folder."


def test_a_declined_autosave_is_deleted_and_the_window_untouched(qtbot, tmp_path, monkeypatch):
    crashed = create_window()
    qtbot.addWidget(crashed)
    crashed.model.step(9)
    copy = crashed.autosaver.save_now()
    crashed.autosaver._lock.unlock()  # as a killed process leaves it: the lock no longer held
    crashed.autosaver.path = None  # (and this window forgets its copy, so closing it does not delete it)
    window = create_window()
    qtbot.addWidget(window)
    before = snapshot(window)
    monkeypatch.setattr("app.recovery.choose_autosave", lambda parent, copies: (recovery.DISCARD_ALL, None))
    assert not recovery.offer_restore(window)
    assert not os.path.exists(copy) and snapshot(window) == before and not window.isWindowModified()


def crashed_copies(folder, lessons: list[str | None]) -> list[str]:
    """One autosaved copy per lesson (None: an untitled one-run session) with its origin, as windows killed one
    after another leave them (no lock held); newest last."""
    os.makedirs(folder, exist_ok=True)
    copies = []
    for k, lesson in enumerate(lessons):
        data = load_lesson(lesson or "03_learning_rate_bound").to_dict()
        if lesson is None:
            data = {key: data[key] for key in ("format", "version", "runs")}
            data["runs"] = data["runs"][1:2]
        path = os.path.join(folder, f"autosave-{k:012d}.gdlab.json")
        with open(path, "w") as f:
            json.dump(data, f)
        with open(path + recovery.ORIGIN, "w") as f:
            json.dump({"path": None, "lesson": lesson}, f)
        os.utime(path, (1_700_000_000 + 60 * k,) * 2)  # a minute apart
        copies.append(path)
    return copies


def test_several_crashed_copies_are_offered_in_one_dialog(qtbot, tmp_path):
    """Three windows crashed: one dialog lists the three (newest first, with time, session and run count); the
    one chosen is restored, the others stay for the next launch - no second dialog."""
    copies = crashed_copies(tmp_path / "reports", ["03_learning_rate_bound", None, "07_saddle_escape"])
    window = create_window()
    qtbot.addWidget(window)
    seen = []

    def answer(dialog):
        rows = [[dialog.list.topLevelItem(r).text(c) for c in range(3)] for r in range(dialog.list.topLevelItemCount())]
        seen.append((rows, [b.text() for b in (dialog.restore, dialog.discard, dialog.later)]))
        dialog.list.setCurrentItem(dialog.list.topLevelItem(1))  # the plain session, in the middle
        dialog.restore.click()

    answer_box("restore_autosave", answer)
    assert recovery.offer_restore(window)
    (rows, buttons), = seen
    assert [row[1] for row in rows] == [f"Lesson 7: {load_lesson('07_saddle_escape').title}", "untitled session",
                                        f"Lesson 3: {load_lesson('03_learning_rate_bound').title}"]
    assert [row[2] for row in rows] == ["3", "1", str(len(load_session(copies[0]).runs))]
    assert rows[0][0] > rows[1][0] > rows[2][0]  # newest first, by the minute
    assert buttons == ["&Restore", "&Discard All", "&Keep for Later"]
    assert [run.name for run in window.model.runs] == [load_lesson("03_learning_rate_bound").runs[1].name]
    assert window.model.lesson_name is None and window.isWindowModified()
    assert [os.path.exists(c) for c in copies] == [True, False, True]  # the others stay
    assert "2 other copies stay for the next launch" in window.banner.text()


def test_the_banner_counts_the_copies_kept_in_words():
    assert recovery.others_kept(1) == " The other copy stays for the next launch."  # was: "The 1 other copy stay"
    assert recovery.others_kept(2) == " The 2 other copies stay for the next launch." and not recovery.others_kept(0)


@pytest.mark.parametrize("button", ["discard", "later"])
def test_discard_all_deletes_every_copy_and_keep_for_later_none(qtbot, tmp_path, button):
    copies = crashed_copies(tmp_path / "reports", ["03_learning_rate_bound", None])
    window = create_window()
    qtbot.addWidget(window)
    before = snapshot(window)
    answer_box("restore_autosave", lambda dialog: getattr(dialog, button).click())
    assert not recovery.offer_restore(window)
    assert [os.path.exists(c) for c in copies] == [button == "later"] * 2
    assert snapshot(window) == before and not window.isWindowModified()
    if button == "later":  # offered again at the next launch, Escape also keeps them
        answer_box("restore_autosave", lambda dialog: dialog.reject())
        assert not recovery.offer_restore(window) and all(map(os.path.exists, copies))


def test_training_pauses_while_asking_and_goes_on_after_cancel(window, answers, monkeypatch):
    run = window.model.selected
    window.model.update_config(run, {**run.config, "epochs": 500})
    window.runner.start()
    window.model.step(3)
    steps = []
    monkeypatch.setattr("app.guard.ask_to_save", lambda parent, before: steps.append(
        (window.runner.running, run.trainer.step)) or "cancel")
    window.files.new()
    assert steps == [(False, 3)] and window.runner.running and run.trainer.step == 3
    window.runner.pause()


def test_file_dialogs_start_in_the_last_folder_used_else_documents_never_the_launch_folder(tmp_path, monkeypatch):
    """Save opened in the folder GD Lab was launched from, a plot's Export in the home folder."""
    from PySide6.QtCore import QStandardPaths

    from app.folders import remember_folder, start_folder
    monkeypatch.chdir(tmp_path)
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    fallback = documents if os.path.isdir(documents) else os.path.expanduser("~")
    assert start_folder() == fallback != str(tmp_path)
    gone = tmp_path / "gone"
    gone.mkdir()
    remember_folder(str(gone / "lab.gdlab.json"))
    assert start_folder() == str(gone)
    gone.rmdir()
    assert start_folder() == fallback  # not the folder that is gone, which the dialog would show as a file name


def test_a_students_answers_are_a_change_saved_with_the_session_and_reopened(qtbot, tmp_path):
    win = create_window(lesson="03_learning_rate_bound")
    qtbot.addWidget(win)
    assert not win.isWindowModified() and win.model.questions
    win.model.set_answer(0, "0.5")
    assert win.isWindowModified()  # an answer typed is work to keep
    path = tmp_path / "lab.gdlab.json"
    assert win.files.save_to(path) and not win.isWindowModified()
    assert load_session(path).answers == {0: "0.5"}
    win.model.set_answer(0, "")
    assert win.isWindowModified()  # an answer taken back differs from the saved one
    again = create_window(path)
    qtbot.addWidget(again)
    assert again.model.answers == {0: "0.5"} and not again.isWindowModified()
    assert again.lesson_panel.question_rows[0].given() == "0.5"  # shown in the lesson panel
    assert win.files.save_to(path) and not win.isWindowModified()  # (closing asks nothing)


def test_exporting_histories_again_asks_before_replacing_the_files(window, tmp_path, monkeypatch):
    """File > Export > Run histories into a folder that holds a run's CSV already replaced it without a word (a
    student's earlier export, or a file of their own): it asks first, and No keeps every file as it was."""
    folder = tmp_path / "csv"
    folder.mkdir()
    monkeypatch.setattr("app.files.QFileDialog.getExistingDirectory", lambda *args, **kwargs: str(folder))
    asked, answer = [], []
    monkeypatch.setattr("app.files.may_replace", lambda parent, where, names: asked.append((where, names))
                        or answer[-1], raising=False)
    window.run_list.duplicate()
    window.model.step(3)
    window.files.export_histories()  # an empty folder: nothing to ask
    assert asked == [] and sorted(p.name for p in folder.iterdir()) == ["run_1.csv", "run_1_copy.csv"]
    (folder / "run_1.csv").write_text("mine\n")
    answer.append(False)
    window.files.export_histories()
    assert asked == [(str(folder), ["run_1.csv", "run_1_copy.csv"])]
    assert (folder / "run_1.csv").read_text() == "mine\n" and "kept" in window.banner.text()
    answer.append(True)
    window.files.export_histories()
    assert (folder / "run_1.csv").read_text().startswith("step,") and len(asked) == 2


def test_every_file_dialog_opens_where_the_last_file_went(window, tmp_path, monkeypatch):
    """A plot's Export remembered its folder, File > Export > Run histories, Window and Lab report opened in the
    session's folder, Save and Open in the launch folder, Load CSV in the current one: a student saving and
    exporting a lab's files went looking for the folder each time. Now each opens where the last file was opened,
    saved or exported."""
    from PySide6.QtWidgets import QDialog

    from app.exports import Picture
    first, second, third = tmp_path / "lab", tmp_path / "csv", tmp_path / "data"
    for folder in (first, second, third):
        folder.mkdir()
    (third / "points.csv").write_text("x,y\n1,2\n")
    opened, answer = [], []

    def dialog(parent, title, start, *rest, **kwargs):
        opened.append(os.path.dirname(start) if os.path.splitext(start)[1] else start)
        return (answer.pop(0), "") if title != "Export run histories to folder" else answer.pop(0)

    for name in ("getSaveFileName", "getOpenFileName", "getExistingDirectory"):
        monkeypatch.setattr(f"app.files.QFileDialog.{name}", dialog)
    monkeypatch.setattr("app.exports.export_plot", lambda *args: None)
    monkeypatch.setattr("app.panels.problem.CsvPreview.exec", lambda self: QDialog.DialogCode.Rejected)
    steps = [(window.files.save_as, first / "lab.gdlab.json"),  # written in lab/
             (window.files.export_window, first / "window.png"),  # opens in lab/
             (window.files.export_histories, second),  # opens in lab/, written to csv/
             (lambda: save_picture(window, Picture("Loss", window.loss_view.plot.getPlotItem())),
              second / "loss.png"),  # opens in csv/
             (panel(window, "ProblemPanel")._choose_csv, third / "points.csv"),  # opens in csv/, read from data/
             (window.files.open_dialog, first / "nothing.gdlab.json")]  # opens in data/ (nothing there: refused)
    for step, chosen in steps:
        answer.append(str(chosen))
        step()
    assert opened == [opened[0], str(first), str(first), str(second), str(second), str(third)]
    assert (first / "lab.gdlab.json").exists() and (first / "window.png").exists()


def test_a_lesson_saved_with_runs_the_student_added_opens_again():
    """Lesson 1, Duplicate, Compare variants, Save: Open said "questions[0].choices: must offer every possible
    answer; mini-batch 16 copy is missing" - the question picking a run now picks among the lesson's runs."""
    from app.session import SessionModel
    from gd_core.sessions import parse_session

    model = SessionModel()
    model.load_session(load_lesson("01_variants_same_epochs"), "01_variants_same_epochs")
    lesson_runs = [run.name for run in model.runs]
    model.duplicate_run(model.runs[2])
    model.compare_variants(model.runs[0])
    reread = parse_session(json.loads(json.dumps(model.to_session().to_dict())))
    assert len(reread.runs) == 7 and reread.questions[0].choices == tuple(lesson_runs)
    assert reread.questions[0].answer == {"lowest": "final_loss", "among": lesson_runs}


def test_run_names_stay_within_what_a_session_holds():
    """A run name of 400,000 characters took 10 s to open (every label wraps it), so a session holds names of at
    most 100: a longer rename is refused, and a copy of a copy of a long name is cut to fit - else the session
    saved with it would not open again."""
    from app.session import SessionModel
    from gd_core.sessions import MAX_NAME_CHARS, parse_session

    model = SessionModel()
    run = model.runs[0]
    with pytest.raises(ValueError, match="a run name has at most 100 characters; this one has 101"):
        model.rename(run, "n" * 101)
    model.rename(run, "n" * MAX_NAME_CHARS)
    for _ in range(3):
        model.duplicate_run(model.runs[-1])
    names = [r.name for r in model.runs]
    assert len(set(names)) == 4 and max(map(len, names)) == MAX_NAME_CHARS
    assert [r.name for r in parse_session(model.to_session().to_dict()).runs] == names


def test_a_run_the_lessons_questions_ask_about_is_neither_removed_nor_renamed():
    """Lesson 1 with "stochastic" removed or renamed was saved (and autosaved) as a file that did not open:
    "questions[1].answer.run: names no run of this lesson". Such a run stays (untick it to hide it); the
    student's own runs go and change names freely."""
    from app.session import SessionModel
    from gd_core.sessions import parse_session

    model = SessionModel()
    model.load_session(load_lesson("01_variants_same_epochs"), "01_variants_same_epochs")
    stochastic = model.runs[1]
    with pytest.raises(ValueError, match="ask about stochastic; untick it to hide it instead"):
        model.remove_run(stochastic)
    with pytest.raises(ValueError, match="ask about stochastic"):
        model.rename(stochastic, "sgd")
    copy = model.duplicate_run(stochastic)
    model.rename(copy, "mine")
    model.remove_run(copy)
    assert [run.name for run in model.runs] == ["batch", "stochastic", "mini-batch 16"]
    parse_session(json.loads(json.dumps(model.to_session().to_dict())))


def test_an_autosaved_copy_that_does_not_open_is_kept_aside_not_deleted(window, tmp_path, monkeypatch):
    copy = tmp_path / "autosave-000000000001.gdlab.json"
    copy.write_text('{"format": "gdlab-session", "version": 2, "runs": []}')
    monkeypatch.setattr("app.recovery.choose_autosave", lambda parent, copies: (recovery.RESTORE, copies[0].path))
    assert not recovery.offer_restore(window, str(tmp_path))
    kept = tmp_path / "autosave-000000000001-unrestored.json"
    assert kept.read_text().startswith('{"format"') and not copy.exists()  # was: deleted, the work with it
    assert f"The copy is kept as {kept}" in window.banner.text() and recovery.orphaned_autosaves(str(tmp_path)) == []


def test_a_copy_set_aside_keeps_its_bytes_whatever_made_it_fail(tmp_path, monkeypatch):
    """Bytes that are not UTF-8 stay as they were (they were replaced by U+FFFD), and a copy over the size a
    session may have is kept too (it was deleted: the bounded read refused it)."""
    copy = tmp_path / "autosave-000000000002.gdlab.json"
    data = b'{"format": "gdlab-session", "title": "caf\xe9 \xff", "runs": []}'
    copy.write_bytes(data)
    (tmp_path / "autosave-000000000002.gdlab.json.lock").write_bytes(b"")
    monkeypatch.setattr("app.recovery.MAX_SESSION_BYTES", 10)  # as if the copy were too large to read
    kept = recovery.set_aside(str(copy))
    assert kept == str(tmp_path / "autosave-000000000002-unrestored.json")
    assert (tmp_path / "autosave-000000000002-unrestored.json").read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["autosave-000000000002-unrestored.json"]


@pytest.mark.parametrize("flag", [[], ["--session"]])
def test_a_session_opened_from_the_command_line_goes_to_open_recent(qtbot, tmp_path, monkeypatch, flag):
    """`gdlab FILE` (and `gdlab --session FILE`) opened the session but left it out of File > Open Recent, where
    File > Open and Save put every session: the next launch had to find it again. It is first there now, as
    its whole path, and the next window lists it too."""
    from app import __main__ as gdlab

    path = tmp_path / "from the shell.gdlab.json"
    save_session(load_lesson("01_variants_same_epochs"), str(path))
    monkeypatch.chdir(tmp_path)  # named as a shell names it: relative to where it runs
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # the window installs its crash handler
    seen = []

    def event_loop():
        [win] = [w for w in QApplication.topLevelWidgets() if type(w).__name__ == "MainWindow" and w.isVisible()]
        qtbot.addWidget(win)
        seen.append((win.files.recent(), [a.toolTip() for a in win.files.recent_menu.actions()]))
        win.runner.pause()
        return 0

    monkeypatch.setattr(QApplication, "exec", staticmethod(event_loop))
    assert gdlab.main([*flag, path.name]) == 0
    assert seen == [([str(path)], [str(path)])]
    later = create_window()
    qtbot.addWidget(later)
    assert later.files.recent() == [str(path)]
