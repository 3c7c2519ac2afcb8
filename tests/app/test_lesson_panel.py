"""The lesson dock: questions answered before the run and checked after it, Previous/Next, the challenge."""

import base64
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit

from app import create_window
from app.theme import theme
from gd_core.lesson_library import lesson_name, list_lessons, load_lesson
from gd_core.lessons import run_lesson
from gd_core.sessions import load_session, parse_session

from .conftest import shown_window


@pytest.fixture
def lesson_window(qtbot):
    win = create_window(lesson="03_learning_rate_bound")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.runner.pause()


def run_to_end(win):
    while not win.model.all_done:
        win.model.step(500)


def test_questions_are_asked_before_and_checked_after_the_runs(lesson_window, qtbot):
    win, panel = lesson_window, lesson_window.lesson_panel
    assert len(panel.question_rows) == len(load_lesson("03_learning_rate_bound").questions) == 3
    assert not panel.check.isEnabled() and "run the lesson to the end" in panel.score.text()
    factor, status, first = (row.input for row in panel.question_rows)
    assert isinstance(factor, QLineEdit) and isinstance(status, QComboBox)
    factor.setFocus()
    qtbot.keyClicks(factor, "-0.9")
    QTest.keyClick(factor, Qt.Key.Key_Return)  # Enter gives the keyboard back: the next Space runs, not types
    assert not factor.hasFocus() and win.space_view.plot.hasFocus()
    status.setCurrentText("completed")  # wrong: it diverges
    assert win.model.answers == {0: "-0.9", 1: "completed"}
    run_to_end(win)
    assert panel.check.isEnabled()
    theme().set_text_size("large")
    try:
        QApplication.processEvents()
        panel.check.click()
        QApplication.processEvents()  # the verdict shown (polished) at the projector's size
    finally:
        theme().set_text_size("normal")  # back from the projector: a right verdict stays bold, in normal size
        QApplication.processEvents()
    verdict = panel.question_rows[0].verdict.font()
    assert verdict.bold() and verdict.pointSizeF() == panel.score.font().pointSizeF()  # was: stuck at large
    verdicts = [row.verdict.text() for row in panel.question_rows]
    assert verdicts[0].startswith("Right") and "The runs say: diverged" in verdicts[1]
    assert "Not answered; the runs say: lr 0.1 = 1/L" in verdicts[2]
    assert panel.score.text() == "1 of 3 right."


def test_answers_come_from_the_lessons_own_runs_not_the_students_edits(lesson_window):
    win, panel = lesson_window, lesson_window.lesson_panel
    run = next(r for r in win.model.runs if r.name == "lr 0.21 (too large)")
    config = win.model.config_copy(run)
    config["optimizer"]["lr"] = 0.05  # the student calms the diverging run down
    win.model.update_config(run, config)
    run_to_end(win)
    assert run.history.status == "completed"
    assert panel.truths()[1] == "diverged"  # the lesson's own run still diverges


def test_previous_and_next_walk_the_lessons(lesson_window):
    win, panel = lesson_window, lesson_window.lesson_panel
    names = [n for n, _ in list_lessons()]
    assert panel.position.text() == "Lesson 3" and panel.position.toolTip().startswith(f"3 of the {len(names)} ")
    panel.next.click()
    assert win.model.lesson_name == "04_batch_size_noise" and win.model.title == load_lesson(names[3]).title
    panel.previous.click()
    panel.previous.click()
    panel.previous.click()
    assert win.model.lesson_name == names[0] and not panel.previous.isEnabled()
    win.files.new()
    assert panel.previous.isHidden() and panel.next.isHidden()  # not a lesson


def test_a_challenge_is_checked_live(qtbot):
    data = load_lesson("05_momentum_valley").to_dict()
    data["challenge"] = {"text": "Loss below 1e-3 within 50 steps.", "run": "Nesterov 0.9",
                         "goal": {"metric": "best_loss", "below": 1e-3}, "within_steps": 50}
    win = create_window()
    qtbot.addWidget(win)
    win.files.show_session(parse_session(data), None)
    panel = win.lesson_panel
    assert "not met yet (Nesterov 0.9)" in panel.challenge.text()
    win.model.step(10)
    panel._update_challenge()
    assert "not met yet" in panel.challenge.text()
    win.model.step(10)
    panel._update_challenge()
    assert "met by Nesterov 0.9 (step 20)" in panel.challenge.text() and win.model.challenge_met


def test_lesson_text_never_loads_a_resource(tmp_path):
    """An <img> naming a FIFO would block forever, /dev/zero would exhaust memory: nothing is fetched."""
    import os
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    script = textwrap.dedent(f"""
        import os
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtWidgets import QApplication
        from app.widgets import LessonText
        app = QApplication([])
        text = LessonText()
        text.setHtml('<p>x<img src="{fifo}"><img src="/dev/zero"><img src="file:///dev/zero"></p>')
        text.resize(300, 200)
        text.show()
        app.processEvents()
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "ok", done.stderr


def test_lab_report_from_the_window(lesson_window, tmp_path):
    from app.exports import export_lab_report

    win, panel = lesson_window, lesson_window.lesson_panel
    panel.question_rows[1].input.setCurrentText("diverged")
    run_to_end(win)
    path = tmp_path / "report.html"
    export_lab_report(win, str(path), "Ada")
    page = path.read_text(encoding="utf-8")
    assert "not revealed yet" in page and "by Ada" in page  # answers stay hidden until checked
    assert page.count("data:image/png;base64,") == 2 and "lr 0.21 (too large)" in page  # no data view: no data
    panel.check.click()
    export_lab_report(win, str(path), "Ada")
    page = path.read_text(encoding="utf-8")
    assert "not revealed yet" not in page and '<span class="right">right</span>' in page
    with pytest.raises(OSError, match=".html"):
        export_lab_report(win, str(tmp_path / "report.txt"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]  # nothing half-written


def test_the_lab_reports_pictures_name_their_runs(lesson_window, qtbot):
    """The report's pictures are the exported ones, legend included: in the window a plot's legend is a row
    outside the plot, and the report's grabs of the plots named no run (its table's swatches only)."""
    from app.exports import lab_report, picture_image

    win = lesson_window
    win.model.step(20)
    qtbot.wait(50)  # the views catch up, as before any click on Export
    page = lab_report(win)
    images = [base64.b64decode(data) for data in re.findall(r'data:image/png;base64,([^"]+)"', page)]
    shown = [view for view in (win.space_view, win.loss_view) if view.isVisible()]
    assert len(images) == len(shown) == 2 and all(view.picture().legend for view in shown)
    for data, view in zip(images, shown):
        expected = picture_image(view.picture(), 1)
        assert QImage.fromData(data).convertToFormat(expected.format()) == expected, view.title


def test_locked_controls_stay_locked_after_saving_and_reopening(qtbot, tmp_path):
    from gd_core.sessions import save_session

    data = load_lesson("03_learning_rate_bound").to_dict()
    data["locked"] = ["problem", "optimizer", "start", "runs"]
    path = tmp_path / "locked.gdlab.json"
    save_session(parse_session(data), str(path))
    win = create_window(str(path))
    qtbot.addWidget(win)
    panels = {type(p).__name__: p for p in win.panels}
    assert not panels["ProblemPanel"].isEnabled() and not panels["OptimizerPanel"].isEnabled()
    assert "The lesson fixes the problem" in panels["ProblemPanel"].toolTip()
    assert panels["LearningRatePanel"].isEnabled() and panels["VariantPanel"].isEnabled()
    run = win.model.selected
    before = win.model.config_copy(run)
    win.space_view.set_start(1.0, 1.0)  # a click in the parameter space
    assert win.model.selected.config == before and "fixes the start point" in win.space_view.readout.text()
    buttons = win.run_list.buttons
    assert not any(buttons[k].isEnabled() for k in ("add", "duplicate", "remove")) and buttons["color"].isEnabled()
    assert "The lesson fixes the list of runs" in buttons["add"].toolTip()
    win.run_list.add()  # as the Runs menu would
    win.run_list.duplicate()
    win.run_list.remove()
    assert len(win.model.runs) == 4 and "fixes the list of runs" in win.banner.text()
    faster = win.model.config_copy(run)
    faster["optimizer"]["lr"] = 0.05  # the learning rate stays free
    win.model.update_config(run, faster)
    win.files.save_to(str(tmp_path / "again.gdlab.json"))
    assert load_locked(tmp_path / "again.gdlab.json") == ["problem", "optimizer", "start", "runs"]


def load_locked(path):
    import json
    return json.loads(path.read_text(encoding="utf-8"))["locked"]


def test_save_as_lesson_round_trip(window, tmp_path, monkeypatch):
    """An instructor writes a lesson with a question and locks; it reopens the same on another machine."""
    from PySide6.QtWidgets import QDialog, QFileDialog

    from app.lesson_editor import LessonEditor

    def fill(editor):
        editor.title.setText("My lab")
        editor.text.setPlainText("<p>Tune <b>only</b> the rate.</p><script>x</script>")
        assert "only" in editor.preview.toPlainText() and "x" not in editor.preview.toPlainText()
        form = editor.question_form
        form.text.setText("How many steps does the run make?")
        form.form.setCurrentIndex(2)
        form.metric_box.setCurrentIndex(form.metric_box.findData("steps"))
        form.tolerance.setValue(0)
        editor.add_question()
        assert editor.question_list.count() == 1 and not editor.error.text()
        form.text.setText("")
        editor.add_question()  # an empty question is refused with a message
        assert editor.question_list.count() == 1 and "question: must not be empty" in editor.error.text()
        editor.locks["problem"].setChecked(True)
        editor.challenge_text.setText("Get below 0.3.")
        editor.challenge_below.setText("0.3")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(LessonEditor, "exec", lambda self: fill(self))
    path = tmp_path / "mylab"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    assert window.files.save_as_lesson()
    saved = tmp_path / "mylab.gdlab.json"
    assert saved.exists() and window.model.title == "My lab" and "problem" in window.model.locked
    lesson = load_session(str(saved))
    assert lesson.title == "My lab" and lesson.locked == {"problem"} and "<script>" in lesson.text
    assert lesson.questions[0].answer == {"metric": "steps", "run": "run 1"} and lesson.questions[0].tolerance == 0
    assert lesson.challenge.below == 0.3 and lesson.challenge.within_steps == 100


@pytest.mark.parametrize("typed", ["1_0", "nan", "1e400", "0,3"])
def test_the_lesson_editors_goal_refuses_a_number_written_with_an_underscore(window, typed):
    """The editor's 'best loss below' took "1_0" as 10 (Python's float() reads an underscore between digits):
    now it refuses it as any number field refuses what is no number, saying what was typed; "0.3" and "١e-٢"
    (digits of another script) are numbers, as in every box of the window."""
    from PySide6.QtWidgets import QDialog

    from app.lesson_editor import LessonEditor

    editor = LessonEditor(window.model.to_session(), window)
    editor.title.setText("My lab")
    editor.challenge_text.setText("Get below it.")
    editor.challenge_below.setText(typed)
    editor._accept()
    assert editor.error.text() == f"Not saved - best loss below: must be a number like 1e-3; got '{typed}'"
    assert editor.result() != QDialog.DialogCode.Accepted
    for number, value in (("0.3", 0.3), ("\u0661e-\u0662", 0.01)):
        editor.challenge_below.setText(number)
        assert editor.session().challenge.below == value
    editor.deleteLater()


def test_lessons_from_a_folder_join_the_menu_and_the_navigation(window, tmp_path):
    import json
    import os

    from gd_core.sessions import save_session

    folder = tmp_path / "lessons"
    folder.mkdir()
    for i, title in enumerate(("Alpha lab", "Beta lab")):
        data = load_lesson("03_learning_rate_bound").to_dict()
        data["title"] = title
        save_session(parse_session(data), str(folder / f"{i}_{title.split()[0].lower()}.json"))
    (folder / "2_foreign.json").write_text(json.dumps({"hello": 1}))
    (folder / "3_broken.json").write_text("{")
    os.mkfifo(folder / "4_fifo.json")
    window.files.settings.setValue("lessons/folder", str(folder))
    window.files.fill_lessons()
    titles = [a.text() for a in window.files.lessons_menu.actions() if a.text()]
    # the broken file and the FIFO are named, greyed, with why (the foreign JSON is no lesson)
    assert titles[len(list_lessons()):] == ["From lessons", "Alpha lab", "Beta lab", "3_broken.json (cannot be read)",
                                            "4_fifo.json (cannot be read)", "Choose lesson folder..."]
    assert not any(a.isEnabled() for a in window.files.lessons_menu.actions() if "cannot be read" in a.text())
    window.files.open_lesson(list_lessons()[-1][0])
    panel = window.lesson_panel
    panel.next.click()
    assert window.model.title == "Alpha lab" and panel.position.text().endswith(f"of {len(list_lessons()) + 2}")
    panel.next.click()
    assert window.model.title == "Beta lab" and not panel.next.isEnabled()



def test_batch_losses_can_be_hidden_and_lessons_hide_them_where_they_cover_the_noise_floors(qtbot):
    win = create_window(lesson="04_batch_size_noise")
    qtbot.addWidget(win)
    view = win.loss_view
    win.model.step(300)
    view.refresh()
    assert not view.batch_losses.isChecked()
    assert all(batch.low.getData()[0] is None or len(batch.low.getData()[0]) == 0 for batch, *_ in view._items.values())
    view.batch_losses.setChecked(True)
    assert win.model.view["batch_losses"] and win.isWindowModified()
    drawn = [len(batch.low.getData()[0]) for batch, *_ in view._items.values() if batch.low.getData()[0] is not None]
    assert sum(drawn) > 0  # the three mini-batch runs draw their light curves again
    assert win.undo.stack.undoText() == "Set batch losses to on"
    win.undo.stack.undo()
    assert not win.model.view["batch_losses"] and not view.batch_losses.isChecked()


def test_the_trajectory_plane_follows_the_path_and_says_how_much_it_holds(qtbot):
    win = create_window(lesson="11_mlp_landscape")
    qtbot.addWidget(win)
    space = win.space_view
    assert space.plane_mode
    fitted = []
    for _ in range(40):
        win.model.step(20)
        space.refresh()
        fitted.append(space._plane_rows)
        if win.model.all_done:
            break
    while not win.model.all_done:
        win.model.step(500)
    space.refresh()
    rows = len(win.model.selected.history)
    assert space._plane_rows == rows  # refitted at the end of the run
    assert len(set(fitted)) >= 3  # and along the way, as the path doubled
    qtbot.waitUntil(lambda: "% of its" in space.plot.getPlotItem().getAxis("bottom").labelText, timeout=20_000)
    xy = space.to_plot(win.model.selected.history.params)
    (x0, x1), (y0, y1) = space.plot.getPlotItem().vb.viewRange()
    inside = (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
    assert inside.mean() > 0.95  # the path stays in view


def test_each_arrow_head_has_its_arrows_colour(qtbot):
    from PySide6.QtGui import QColor

    from app.palette import BATCH_COLOR, ON_SURFACE

    win = create_window(lesson="12_batch_surface")
    qtbot.addWidget(win)
    win.model.step(3)
    space = win.space_view
    space.refresh()
    space._update_overlays(force=True)
    expected = {"full_gradient": ON_SURFACE, "step_gradient": BATCH_COLOR, "update": win.model.selected.color}
    for key, (line, head) in space.arrow_items.items():
        assert head.isVisible()
        assert head.brush().color() == QColor(expected[key]), key  # was pyqtgraph's default blue
        assert line.opts["pen"].color() == QColor(expected[key]), key


def test_log_axes_label_only_one_two_and_five_of_each_decade(window):
    axis = window.loss_view.plot.getPlotItem().getAxis("left")
    values = np.log10([0.2, 0.3, 0.5, 0.8, 0.9, 1.0, 2.0, 3.0, 5.0, 10.0])
    axis.setLogMode(True)  # (as with "log y" ticked; the ticks placed choose the axis's notation)
    axis.tickValues(values[0], values[-1], 300)
    labels = axis.logTickStrings(list(values), 1.0, 0.1)
    assert [bool(t) for t in labels] == [True, False, True, False, False, True, True, False, True, True]
    assert [t for t in labels if t] == ["0.2", "0.5", "1", "2", "5", "10"]  # plain numbers, not 5·10⁻¹
    axis.tickValues(5.0, 6.1, 300)
    far = axis.logTickStrings(list(np.log10([2e5, 1e6])), 1.0, 1.0)
    assert far == ["2·10⁵", "10⁶"]  # powers of ten where plain numbers get long


def test_checking_reuses_the_windows_untouched_finished_runs(lesson_window, monkeypatch):
    """Checking lesson 16's answers ran both networks again on the window's thread (9 s of a frozen window):
    a run that ran the lesson's config unchanged to its end is the lesson's own run already."""
    import app.lesson_panel as lesson_panel

    win, panel = lesson_window, lesson_window.lesson_panel
    asked = []
    monkeypatch.setattr(lesson_panel, "run_lesson", lambda configs: asked.append(set(configs)) or
                        run_lesson(configs))
    edited = next(r for r in win.model.runs if r.name == "lr 0.21 (too large)")
    config = win.model.config_copy(edited)
    config["optimizer"]["lr"] = 0.05
    win.model.update_config(edited, config)
    run_to_end(win)
    panel.check.click()
    assert asked == [{edited.name}]  # only the edited run is run again, headless
    assert panel.truths()[1] == "diverged" and asked == [{edited.name}]  # and only once
    untouched = next(r for r in win.model.runs if r is not edited)
    assert panel.lesson_results()[untouched.name].history is untouched.history
    assert panel.score.text() == "0 of 3 right."  # nothing was answered; the message of the wait is gone


def test_lessons_are_numbered_by_their_own_number_in_the_menu_the_panel_and_the_command_line(window):
    """The built-in numbering has gaps (12, then 16): "open lesson 16" means 16_edge_of_stability everywhere."""
    window.files.fill_lessons()
    menu = {a.objectName(): a.text() for a in window.files.lessons_menu.actions()}
    assert menu["lesson_16_edge_of_stability"] == "16. The edge of stability"  # was "13. ..."
    assert menu["lesson_01_variants_same_epochs"].startswith("1. ")
    window.files.open_lesson(lesson_name("16"))
    assert window.model.lesson_name == "16_edge_of_stability"
    assert window.lesson_panel.position.text() == "Lesson 16"


def _scroll_to_the_end(panel):
    for bar in (panel.text.verticalScrollBar(), panel.questions_scroll.verticalScrollBar()):
        bar.setValue(bar.maximum())
    return panel.text.verticalScrollBar().value(), panel.questions_scroll.verticalScrollBar().value()


def test_a_new_lesson_opens_at_its_start(qtbot):
    """Next and Previous open the lesson scrolled to the top, text and questions (lesson 2 opened at its second
    question: the questions kept the last lesson's scroll position), even with the last answer focused - or
    *Check answers*: disabled in the new lesson, it passed the focus on to a question, which the questions
    scrolled to (lesson 11 opened at its last question)."""
    win = shown_window(qtbot, "01_variants_same_epochs", (1280, 720))
    panel = win.lesson_panel
    run_to_end(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)  # focus is real
    for button, focus in ((panel.next, panel.check), (panel.previous, None)):
        qtbot.waitUntil(lambda: min(_scroll_to_the_end(panel)) > 0, timeout=3000)  # both scroll at 1280x720
        (focus or panel.question_rows[-1].input).setFocus()
        button.click()
        assert win.space_view.plot.hasFocus()  # was: the new lesson's first question
        qtbot.wait(50)  # the old rows deleted, the new ones laid out
        assert (panel.text.verticalScrollBar().value(), panel.questions_scroll.verticalScrollBar().value()) == (0, 0)


def test_the_wheel_scrolls_the_questions_and_never_changes_an_answer(qtbot):
    """Lesson 03, question 3 (a choice) focused and answered: the wheel over it scrolls the questions."""
    win = shown_window(qtbot, "03_learning_rate_bound", (1280, 720))
    panel = win.lesson_panel
    bar, choice = panel.questions_scroll.verticalScrollBar(), panel.question_rows[2].input
    assert isinstance(choice, QComboBox)
    choice.setFocus()
    choice.setCurrentIndex(1)
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=3000)
    panel.questions_scroll.ensureWidgetVisible(choice)
    QApplication.processEvents()
    before = bar.value()
    delta = 120 if before == bar.maximum() else -120  # towards where the questions can go
    centre = QPointF(choice.mapTo(win, choice.rect().center()))
    QTest.wheelEvent(win.windowHandle(), centre, QPoint(0, delta))
    QApplication.processEvents()
    assert choice.hasFocus() and choice.currentIndex() == 1 and bar.value() != before


def test_tab_walks_the_answers_to_check_and_an_unread_number_is_said_at_once(qtbot):
    """Lesson 19 alone in its panel (no window): Tab from the last answer reached *Check answers* (it left the
    dock, and the Space meant for the button ran every finished run again); "abc" was judged wrong beside the runs'
    number with no word that it was not read as one."""
    from app.lesson_panel import LessonPanel
    from app.session import SessionModel

    model = SessionModel()
    model.load_session(load_lesson("19_line_search"))
    panel = LessonPanel(model, lambda name: None, lambda: [])
    qtbot.addWidget(panel)
    panel.resize(340, 900)
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()
    assert QTest.qWaitForWindowActive(panel)
    while not model.all_done:
        model.step(500)
    rows = panel.question_rows
    typed = rows[1].input
    assert isinstance(typed, QLineEdit) and panel.check.isEnabled()
    typed.setFocus()
    qtbot.keyClicks(typed, "abc")
    QTest.keyClick(typed, Qt.Key.Key_Tab)
    assert rows[2].input.hasFocus()
    assert rows[1].verdict.isVisible() and "'abc' is not a number: type one number" in rows[1].verdict.text()
    QTest.keyClick(rows[2].input, Qt.Key.Key_Tab)
    assert panel.check.hasFocus()  # was: the Update rule dock, then Space = Run again
    rows[0].input.setFocus()
    QTest.keyClick(rows[0].input, Qt.Key.Key_Backtab)
    assert panel.text.hasFocus()
    panel.check.click()
    assert rows[1].verdict.text().startswith("'abc' is not a number") and "The runs say: " in rows[1].verdict.text()


def test_a_pasted_page_as_an_answer_keeps_the_session_openable(lesson_window, tmp_path):
    """The number box took any length: a page pasted as an answer was saved, and the session (its autosave too)
    then did not open again ("an answer has at most 200" characters). The box takes no more than a session keeps."""
    from gd_core.sessions import MAX_ANSWER_CHARS, load_session

    box = lesson_window.lesson_panel.question_rows[0].input
    box.setFocus()
    box.insert("1" * 500)  # as a paste
    box.editingFinished.emit()
    assert lesson_window.model.answers == {0: "1" * MAX_ANSWER_CHARS}
    assert lesson_window.files.save_to(str(tmp_path / "lab.gdlab.json"))
    assert load_session(tmp_path / "lab.gdlab.json").answers == {0: "1" * MAX_ANSWER_CHARS}


def test_a_lab_report_of_a_window_not_shown_leaves_out_a_view_with_nothing_to_picture(qtbot):
    """A window not shown (a report made before the window opens, or by a script) puts every view in: lesson 03's
    data view, on a function of x and y with no data, went in as an empty plot (HR)."""
    from app.exports import lab_report

    win = create_window(lesson="03_learning_rate_bound")
    qtbot.addWidget(win)
    win.model.step(5)
    assert win.data_view.nothing_to_picture()
    assert lab_report(win).count("data:image/png;base64,") == 2
