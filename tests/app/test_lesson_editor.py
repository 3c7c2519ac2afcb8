"""File > Save as lesson: what an instructor writes in the lesson editor is never thrown away unasked, and its
messages speak of the form's fields."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QPushButton, QStyleOptionButton

from app.lesson_editor import LessonEditor
from gd_core.lesson_library import load_lesson
from gd_core.lessons import LOCKS
from gd_core.sessions import parse_session
from gd_core.spec import MAX_STEPS

from ..hostile import fuzz_settings


@pytest.fixture(autouse=True)
def discard_when_asked(monkeypatch):
    """Nobody answers "discard the lesson?" when the test's windows close: Discard."""
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)


def editor_of(qtbot, window):
    editor = LessonEditor(window.model.to_session(), window)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    return editor


def test_escape_asks_before_it_throws_the_written_lesson_away(window, qtbot, monkeypatch):
    """Escape (or Cancel) closed the editor at once: a title, a text and the questions written were gone."""
    answers, asked = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard], []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or answers.pop(0))
    editor = editor_of(qtbot, window)
    QTest.keyClick(editor.title, Qt.Key.Key_Escape)  # nothing written yet: closes without a question
    assert not editor.isVisible() and not asked
    editor = editor_of(qtbot, window)
    editor.title.setText("My lab")
    editor.text.setPlainText("<p>Compare the runs.</p>")
    QTest.keyClick(editor.title, Qt.Key.Key_Escape)
    assert asked == ["Discard the lesson written here? It is not saved."]
    assert editor.isVisible() and editor.title.text() == "My lab"  # Cancel: still there, as written
    editor.question_form.text.setText("a question typed but not added yet")
    editor.reject()
    assert len(asked) == 2 and not editor.isVisible() and editor.result() == QDialog.DialogCode.Rejected


def test_a_cancelled_file_dialog_goes_back_to_the_lesson_as_written(window, tmp_path, monkeypatch):
    """Save, then Cancel in the file dialog, lost the whole lesson: the editor came back empty."""
    shown = []

    def exec_(editor):
        shown.append(editor.title.text())
        if len(shown) == 1:
            editor.title.setText("My lab")
        return QDialog.DialogCode.Accepted

    paths = ["", str(tmp_path / "mylab")]
    monkeypatch.setattr(LessonEditor, "exec", exec_)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (paths.pop(0), ""))
    assert window.files.save_as_lesson()
    assert shown == ["", "My lab"]  # the second time the editor holds what was written the first
    assert (tmp_path / "mylab.gdlab.json").exists() and window.model.title == "My lab"


def test_a_refused_question_says_what_to_change_in_the_form(window, qtbot):
    """"Which run has the lowest ..." in a session of one run said "questions[0].answer.among: must name at
    least two runs" - a key the form never shows; and with no title written yet, every question was refused
    for the title ("Not added - title: a lesson needs a title")."""
    editor = editor_of(qtbot, window)
    assert len(window.model.runs) == 1 and not editor.title.text()
    editor.question_form.text.setText("Which run ends lowest?")
    editor.add_question()
    message = editor.error.text()
    assert editor.question_list.count() == 0
    assert "at least two runs" in message and "Runs > Add run" in message and "questions[" not in message
    editor.question_form.text.setText("")
    editor.add_question()
    assert editor.error.text() == "Not added - question: must not be empty"
    editor.question_form.text.setText("How many steps does run 1 make?")
    editor.question_form.form.setCurrentIndex(2)
    editor.add_question()
    assert editor.question_list.count() == 1 and not editor.error.text()


def test_the_editor_fits_a_projector_at_extra_large_text(window, qtbot):
    """At Extra large text the editor needed 750 px of height (its Save button below a 720-px projector's edge)
    and its challenge field had 85 px ("optio..."); now the form scrolls within the screen and the challenge's
    text has a row of its own."""
    from PySide6.QtWidgets import QScrollArea

    from app.theme import theme

    theme().set_text_size("huge")
    window.resize(1280, 720)
    editor = editor_of(qtbot, window)
    assert editor.minimumSizeHint().height() < 720 - 100
    assert editor.height() <= editor.screen().availableGeometry().height() - 40
    scroll = editor.findChild(QScrollArea)
    assert scroll.verticalScrollBar().maximum() > 0  # the whole form is there, scrolled
    assert editor.challenge_text.width() > editor.width() // 2
    theme().set_text_size("normal")
    small = editor_of(qtbot, window)
    small_scroll = small.findChild(QScrollArea)
    assert small_scroll.verticalScrollBar().maximum() == 0  # at Normal text on this screen it all shows at once


def test_the_text_box_names_every_tag_the_lesson_keeps(window, qtbot):
    """The text's tooltip named 9 of the 18 tags a lesson keeps: <br>, <em>, <ol>, <pre> ... read as dropped."""
    from gd_core.lessons import LESSON_TAGS

    editor = editor_of(qtbot, window)
    tip = editor.text.toolTip()
    assert all(f"<{tag}>" in tip for tag in LESSON_TAGS) and "<p>" in editor.text.placeholderText()


def test_a_reopened_lessons_question_can_be_reworded(window, qtbot):
    """Reopened, a lesson's questions could only be removed and written again - lesson 3's ratio question (a form
    the editor does not offer) not at all. A double-click on a question now changes its words; its answer
    stays. And each question reads whole in the list (they ran off its right edge)."""
    from PySide6.QtCore import Qt as QtCore_Qt

    window.files.open_builtin_lesson("03_learning_rate_bound")
    editor = editor_of(qtbot, window)
    row = editor.question_list.item(0)
    assert row.flags() & QtCore_Qt.ItemFlag.ItemIsEditable
    shown = editor.question_list
    qtbot.waitUntil(lambda: shown.visualItemRect(row).height() > 0)
    assert all(shown.visualItemRect(shown.item(i)).right() <= shown.viewport().width() for i in range(shown.count()))
    answer = editor.questions[0]["answer"]
    row.setText("1. For lr 0.19, by what factor does each step multiply the y error?")
    assert editor.questions[0]["text"] == "For lr 0.19, by what factor does each step multiply the y error?"
    assert editor.questions[0]["answer"] == answer and editor.question_list.item(0).text().startswith("1. For lr")
    lesson = editor.session()
    assert lesson.questions[0].text.startswith("For lr 0.19, by what factor")
    editor.question_list.item(1).setText("2. ")
    assert "must not be empty" in editor.error.text() and editor.questions[1]["text"]



def test_rewording_a_question_keeps_a_number_its_words_start_with(window, qtbot):
    """The list shows each question after its number ("1. ..."), taken off again when the words change - any
    number and full stop at the start: a question reworded without the row's number ("1.5 times faster: ...")
    lost "1." of its own words."""
    window.files.open_builtin_lesson("03_learning_rate_bound")
    editor = editor_of(qtbot, window)
    editor.question_list.item(0).setText("1.5 times faster: for lr 0.19, by what factor does each step shrink?")
    assert editor.questions[0]["text"] == "1.5 times faster: for lr 0.19, by what factor does each step shrink?"
    editor.question_list.item(1).setText("2. 10. steps: which run is closer?")
    assert editor.questions[1]["text"] == "10. steps: which run is closer?"


def test_tab_walks_the_whole_editor_and_back(window, qtbot):
    """Tab in the lesson's text box typed tab characters: the keyboard never left it. And after Cancel the form's
    scroll area was a Tab stop of its own, marked nowhere."""
    from PySide6.QtWidgets import QApplication

    editor = editor_of(qtbot, window)
    editor.title.setFocus()
    qtbot.waitUntil(editor.title.hasFocus)
    stops = []
    for _ in range(40):
        stops.append(QApplication.focusWidget())
        QTest.keyClick(stops[-1], Qt.Key.Key_Tab)
        if QApplication.focusWidget() is editor.title:
            break
    assert editor.text.toPlainText() == "" and QApplication.focusWidget() is editor.title
    names = [w.objectName() for w in stops]
    assert {"lesson_body", "question_text", "lesson_add_question", "lesson_challenge_text", "lock_runs"} <= set(names)
    assert stops[-1] is editor.buttons.button(editor.buttons.StandardButton.Cancel)


def test_a_refused_lesson_names_the_box_to_change_and_goes_there(window, qtbot):
    """Save said "Not saved - challenge.goal.below: must be a number ..." - the file's key, not the box 'best loss
    below' - and left the keyboard on Save."""
    editor = editor_of(qtbot, window)
    editor.challenge_text.setText("Get below it.")
    editor.challenge_below.setText("low")
    save = editor.buttons.button(editor.buttons.StandardButton.Save)
    save.click()
    assert editor.error.text() == "Not saved - best loss below: must be a number like 1e-3; got 'low'"
    assert editor.focusWidget() is editor.challenge_below and editor.isVisible()
    editor.challenge_below.setText("1e-3")
    save.click()
    assert editor.error.text() == "Not saved - title: a lesson needs a title (it names the lesson in the Lessons menu)"
    assert editor.focusWidget() is editor.title


def test_a_saved_lesson_opens_ready_to_run(window, tmp_path, monkeypatch):
    """Saved after a trial run, a lesson held the instructor's progress and answers: students opened it at step
    20 with the first answer filled in, and a run whose rate was changed half-way replayed the old rate first
    (while the answers are computed from its settings alone). Now a lesson's runs start at their start in their
    current settings, with no answers, and the window shows the lesson so."""
    from gd_core.sessions import load_session

    window.files.open_builtin_lesson("03_learning_rate_bound")
    model = window.model
    model.set_answer(0, "-0.9")
    model.step(20)
    run = model.runs[0]
    config = model.config_copy(run)
    config["optimizer"]["lr"] = 0.05
    model.update_config(run, config)
    model.step(5)
    monkeypatch.setattr(LessonEditor, "exec", lambda editor: QDialog.DialogCode.Accepted)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "lab.gdlab.json"), ""))
    assert window.files.save_as_lesson()
    lesson = load_session(str(tmp_path / "lab.gdlab.json"))
    assert not lesson.answers and all(not r.steps and not r.earlier for r in lesson.runs)
    assert lesson.runs[0].config["optimizer"]["lr"] == 0.05
    assert all(r.trainer.step == 0 for r in model.runs) and not model.answers
    assert not window.isWindowModified() and "runs at their start" in window.banner.text()


def test_a_question_about_a_minimum_the_problem_lacks_is_refused(qtbot):
    """On lesson 11's network (no known minimum) the editor took "the distance to the minimum of one run": the
    runs could only ever answer 'never'."""
    from app import create_window

    window = create_window(lesson="11_mlp_landscape")
    qtbot.addWidget(window)
    editor = editor_of(qtbot, window)
    form = editor.question_form
    run, before = window.model.runs[0].name, editor.question_list.count()
    for index, metric in ((2, "distance_to_minimum"), (0, "excess_loss")):
        form.text.setText("How close does it get?")
        form.form.setCurrentIndex(index)
        form.metric_box.setCurrentIndex(form.metric_box.findData(metric))
        editor.add_question()
        assert editor.question_list.count() == before and "needs a known minimum" in editor.error.text()
        assert run in editor.error.text()
    form.metric_box.setCurrentIndex(form.metric_box.findData("final_loss"))
    editor.add_question()
    assert editor.question_list.count() == before + 1 and not editor.error.text()


def test_a_challenge_on_a_minimum_the_problem_lacks_is_refused(qtbot):
    """A question about a minimum the problem lacks is refused (above); a challenge on one was saved - "distance
    to the minimum below 0.1" on lesson 11's network, which no run could ever meet. Save refuses it, naming the
    goal's metric and the run, with the keyboard at the metric; a goal on the final loss saves."""
    from app import create_window

    window = create_window(lesson="11_mlp_landscape")
    qtbot.addWidget(window)
    editor = editor_of(qtbot, window)
    accepted = []
    editor.accepted.connect(lambda: accepted.append(True))
    editor.challenge_text.setText("Get close to the minimum.")
    run = window.model.runs[0].name
    for metric in ("distance_to_minimum", "excess_loss"):
        editor.challenge_metric.setCurrentIndex(editor.goal_metrics.index(metric))
        editor.buttons.button(editor.buttons.StandardButton.Save).click()
        assert not accepted and "needs a known minimum" in editor.error.text() and run in editor.error.text()
        assert editor.error.text().startswith("Not saved - the goal: ")
        assert editor.focusWidget() is editor.challenge_metric
    editor.challenge_metric.setCurrentIndex(editor.goal_metrics.index("final_loss"))
    editor.buttons.button(editor.buttons.StandardButton.Save).click()
    assert accepted


def test_enter_in_a_new_question_adds_it_and_never_saves(window, qtbot):
    """Enter after typing a new question pressed Save: the lesson went to the file dialog without the question
    typed; Enter in the title saved a lesson half written."""
    editor = editor_of(qtbot, window)
    accepted = []
    editor.accepted.connect(lambda: accepted.append(True))
    editor.title.setText("My lab")
    form = editor.question_form
    form.form.setCurrentIndex(2)
    form.text.setFocus()
    qtbot.waitUntil(form.text.hasFocus)
    QTest.keyClicks(form.text, "How many steps does run 1 make?")
    QTest.keyClick(form.text, Qt.Key.Key_Return)
    assert editor.question_list.count() == 1 and not accepted and editor.isVisible()
    editor.title.setFocus()
    QTest.keyClick(editor.title, Qt.Key.Key_Return)
    assert not accepted and editor.isVisible()
    save = editor.buttons.button(editor.buttons.StandardButton.Save)
    save.setFocus()
    QTest.keyClick(save, Qt.Key.Key_Return)  # a button that has the keyboard still takes Enter
    assert accepted


def test_no_button_is_drawn_as_the_default_since_enter_presses_none(window, qtbot):
    """Save was drawn as the default button (Fusion's heavier frame: Enter presses it) while Enter in a field adds
    a question or does nothing; it came back as the default whenever the keyboard left another button. No button
    is the default now - shown, with the keyboard on a button and off it again, shown a second time - and a
    button that has the keyboard still takes Enter."""
    editor = editor_of(qtbot, window)
    buttons = editor.findChildren(QPushButton)
    assert {b.text() for b in buttons} >= {"Save", "Cancel", "Add question", "Remove selected"}

    def drawn_default() -> list[str]:
        option = QStyleOptionButton()
        defaults = []
        for button in buttons:
            button.initStyleOption(option)
            if button.isDefault() or option.features & QStyleOptionButton.ButtonFeature.DefaultButton:
                defaults.append(button.text())
        return defaults

    assert drawn_default() == []
    add = editor.findChild(QPushButton, "lesson_add_question")
    add.setFocus()
    qtbot.waitUntil(add.hasFocus)
    assert drawn_default() == []
    editor.title.setFocus()
    qtbot.waitUntil(editor.title.hasFocus)
    assert drawn_default() == []
    editor.hide()
    editor.show()
    assert drawn_default() == []
    editor.question_form.text.setText("How many steps does run 1 make?")
    editor.question_form.form.setCurrentIndex(2)
    add.setFocus()
    QTest.keyClick(add, Qt.Key.Key_Return)
    assert editor.question_list.count() == 1


GOAL_METRICS = st.one_of(st.sampled_from(["final_loss", "best_loss", "excess_loss", "min_loss", "steps",
                                          "distance_to_minimum", "final_lr", "evaluations"]),
                         st.builds(lambda k: {"name": "loss_at", "step": k}, st.integers(0, 10**6)),
                         st.builds(lambda v: {"name": "steps_to_loss", "below": v}, st.floats(1e-9, 1e3)))
WORDS = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(str.strip)


@fuzz_settings(60)
@given(metric=GOAL_METRICS, below=st.floats(allow_nan=False, allow_infinity=False), run=st.integers(-1, 3),
       within=st.one_of(st.none(), st.integers(1, MAX_STEPS), st.just(MAX_STEPS)), text=WORDS, title=WORDS,
       locked=st.sets(st.sampled_from(sorted(LOCKS))))
def test_a_lesson_opened_in_the_editor_and_saved_means_what_it_meant(qapp, metric, below, run, within, text, title,
                                                                     locked):
    """Re-saving a lesson wrote its challenge's goal as the best loss: "final loss below 0.01" or "distance to the
    minimum below 0.1" came back as "best loss below", and the goal's bound cut to six digits (0.0012345678 to
    0.00123457). A lesson put through the editor unchanged now reads back as the same lesson: title, questions,
    locks and challenge - its metric (one the form offers or not), bound, run and steps (any a lesson may hold:
    the box's range is the file's, 1..MAX_STEPS, and 0 for none)."""
    base = load_lesson("03_learning_rate_bound")
    challenge = {"text": text, "goal": {"metric": metric, "below": below}}
    if run >= 0:
        challenge["run"] = base.runs[run].name
    if within is not None:
        challenge["within_steps"] = within
    lesson = parse_session({**base.to_dict(), "title": title, "challenge": challenge, "locked": sorted(locked)})
    editor = LessonEditor(lesson)
    try:
        assert (editor.challenge_steps.minimum(), editor.challenge_steps.maximum()) == (0, MAX_STEPS)
        saved = editor.session()
    finally:
        editor.deleteLater()
    assert (saved.title, saved.text, saved.questions, saved.challenge, saved.locked) == \
        (lesson.title.strip(), lesson.text, lesson.questions, lesson.challenge, lesson.locked)  # (its outer spaces)
