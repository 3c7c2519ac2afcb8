"""The lesson dock: the lesson's text, Previous/Next, its questions ("predict, then run") and its challenge.

A student answers each question before running; once every run has finished, *Check answers* reveals the answer
computed from the lesson's own runs (run headless as the lesson gives them, so a student's later edits do not
move the key) with a word on why. A challenge is checked live on its run while it trains.
"""

from __future__ import annotations

import html
import os

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gd_core import ConfigError
from gd_core.config import resolve
from gd_core.lesson_library import lesson_number
from gd_core.lessons import (
    RunResult,
    answer,
    challenge_met,
    format_answer,
    is_right,
    parse_number,
    run_lesson,
    safe_html,
)
from gd_core.sessions import MAX_ANSWER_CHARS

from .throttle import Throttle
from .widgets import ComboBox, LessonText, ShortestFitLabel, give_keyboard_back

PLACEHOLDER = "choose..."
CHALLENGE_REFRESH_S = 0.25
#: The most of the panel's height the questions take to show their tallest one whole: the text keeps the rest
QUESTIONS_MAX_SHARE = 0.5


def _wrapped(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # never widens the dock
    # as tall as its wrapped lines (a new policy drops the height-for-width that word wrap set: a question set
    # once was squeezed to a line and cut off when the dock was short, instead of the questions scrolling)
    policy.setHeightForWidth(True)
    label.setSizePolicy(policy)
    return label


def set_bold(label: QLabel, bold: bool) -> None:
    """Bold or not, in the window's text size: a font that sets the weight alone, its family and size still
    following the application's (a style sheet's font keeps the size it was polished at - View > Text size back
    to Normal left a verdict in projector size)."""
    font = QFont()
    font.setBold(bold)
    label.setFont(font)


class QuestionRow(QWidget):
    """One question: its text, an input (a choice or a number) and, once checked, the verdict."""

    edited = Signal()

    def __init__(self, index: int, question, parent=None):
        super().__init__(parent)
        self.question = question
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.addWidget(_wrapped(f"{index + 1}. {question.text}"))
        if question.is_choice:
            self.input = ComboBox()
            self.input.addItem(PLACEHOLDER)
            self.input.addItems(list(question.choices))
            self.input.currentIndexChanged.connect(self.edited)
        else:
            self.input = QLineEdit()
            # no longer than a session keeps: a pasted page was saved, and the file then did not open again
            self.input.setMaxLength(MAX_ANSWER_CHARS)
            self.input.setPlaceholderText("your estimate (a number)")
            self.input.textEdited.connect(self.edited)
            # Enter hands the keyboard back to the plots, as a settings field does: the next Space must run the
            # lesson ("Answer, then run... (Space)"), not type a space into the answer
            self.input.returnPressed.connect(lambda: give_keyboard_back(self.input))
            # said at once, not only at Check answers: "abc" or "1,5" was marked wrong beside the runs' number
            # with no word that it was not read as a number
            self.input.editingFinished.connect(self._refuse_unread)
        self.input.setObjectName(f"question_{index}")
        layout.addWidget(self.input)
        self.verdict = _wrapped()
        self.verdict.setObjectName(f"verdict_{index}")
        self.verdict.hide()
        layout.addWidget(self.verdict)

    def given(self) -> str:
        if isinstance(self.input, QComboBox):
            return "" if self.input.currentIndex() <= 0 else self.input.currentText()
        return self.input.text().strip()

    def set_given(self, value: str) -> None:
        if isinstance(self.input, QComboBox):
            index = self.input.findText(value)
            self.input.setCurrentIndex(max(index, 0))
        else:
            self.input.setText(value)

    def unread(self) -> str:
        """Why the typed answer cannot be read as a number and what may be typed ("" when it can, or is a
        choice, or is empty)."""
        mine = self.given()
        if self.question.is_choice or not mine:
            return ""
        try:
            parse_number(mine)
        except ValueError as error:
            return str(error)
        return ""

    def _refuse_unread(self) -> None:
        problem = self.unread()
        if problem and self.verdict.isHidden():  # a verdict already shown says it, beside the runs' answer
            self._show_verdict(problem + ".", right=False)

    def reveal(self, truth) -> bool:
        """Show the computed answer next to the student's; return whether the student was right."""
        mine = self.given()
        right = bool(mine) and is_right(self.question, mine, truth)
        said = format_answer(truth)
        head = ("Right" if right else f"The runs say: {said}") if mine else f"Not answered; the runs say: {said}"
        if problem := self.unread():
            head = f"{problem}. The runs say: {said}"
        self._show_verdict(head + (f". {self.question.explain}" if self.question.explain else ""), right)
        return right

    def _show_verdict(self, text: str, right: bool) -> None:
        self.verdict.setText(text)
        self.verdict.setProperty("verdict", "right" if right else "wrong")
        set_bold(self.verdict, right)
        self.verdict.show()


#: What the dock says where the session has no lesson (View > Lesson showed an empty box).
NO_LESSON = ("<p>This session has no lesson.</p><p>The <b>Lessons</b> menu opens one; <b>File ▸ Save as "
             "Lesson...</b> turns this session into one: a title, a text, questions and what students may "
             "not change.</p>")


class LessonPanel(QWidget):
    """The lesson dock's content. ``open_lesson(name)`` is called by Previous/Next with a lesson name."""

    def __init__(self, model, open_lesson, lesson_names, parent=None):
        super().__init__(parent)
        self.model, self.open_lesson, self.lesson_names = model, open_lesson, lesson_names
        self._results: dict[str, RunResult] | None = None  # the lesson's own runs, computed when first needed
        self._met_at: int | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        nav = QHBoxLayout()
        # tool buttons: a push button insists on 80 px, and the dock must fit a 1280-px screen beside the plots
        self.previous, self.next = QToolButton(), QToolButton()
        for button, text, name in ((self.previous, "< Previous", "lesson_previous"),
                                   (self.next, "Next >", "lesson_next")):
            button.setText(text)
            button.setObjectName(name)
            button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        # "Lesson 11", or "11" where the row has no room for it (Extra large text on a 1280-px projector: the
        # longer form set the dock's least width, and the window was 1,324 px wide)
        self.position = ShortestFitLabel("lesson_position")
        self.previous.clicked.connect(lambda: self._go(-1))
        self.next.clicked.connect(lambda: self._go(+1))
        nav.addWidget(self.previous)
        nav.addWidget(self.position, 1, Qt.AlignmentFlag.AlignCenter)
        nav.addWidget(self.next)
        layout.addLayout(nav)
        self.text = LessonText()
        self.text.setObjectName("lesson_text")
        layout.addWidget(self.text, 5)  # the text gets most of the dock: readable at once when the lesson opens
        self.questions_box = QFrame()
        self.questions_box.setObjectName("lesson_questions")
        box = QVBoxLayout(self.questions_box)
        box.setContentsMargins(4, 4, 4, 4)
        self.questions_heading = QLabel("<b>Predict, then run</b>")
        box.addWidget(self.questions_heading)
        self.rows_holder = QWidget()
        self.rows = QVBoxLayout(self.rows_holder)
        self.rows.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.rows_holder)
        buttons = QGridLayout()
        self.check = QPushButton("Check answers")
        self.check.setObjectName("lesson_check")
        self.check.setToolTip("Once the runs have finished: the answers computed from the lesson's runs")
        self.check.clicked.connect(self.check_answers)
        buttons.addWidget(self.check, 0, 0)
        self.score = _wrapped()
        self.score.setObjectName("lesson_score")
        buttons.addWidget(self.score, 0, 1)
        box.addLayout(buttons)
        self.challenge = _wrapped()
        self.challenge.setObjectName("lesson_challenge")
        box.addWidget(self.challenge)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        # no Tab stop of its own: an unmarked stop between the answers and the window, where Space runs
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setWidget(self.questions_box)
        self.questions_scroll = scroll
        layout.addWidget(scroll, 2)
        self.questions_box.installEventFilter(self)  # a question shown, answered, re-wrapped: fit it whole again
        self.question_rows: list[QuestionRow] = []
        self._challenge_throttle = Throttle(CHALLENGE_REFRESH_S, self._update_challenge, self)
        events = model.events
        events.session_loaded.connect(self.load)
        events.advanced.connect(lambda runs: self._on_progress())
        events.run_reset.connect(lambda run, reason: self._on_progress())
        events.selection_changed.connect(lambda run: self._on_progress())
        self.load()

    # -- room ------------------------------------------------------------------------------------------------
    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.questions_box and event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.Resize):
            self._fit_questions()
        return super().eventFilter(watched, event)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit_questions()

    def _fit_questions(self) -> None:
        """The questions' area is at least as tall as its heading with the first question, and as any question -
        each whole (text, input and, once checked, the verdict) at the width it has: a student reads the first
        question whole as the lesson opens, and any other once scrolled to (at 1280x720 the area showed a
        question's first lines). A challenge without questions shows whole under the heading. The lesson text
        above gives the room, down to half the panel (:data:`QUESTIONS_MAX_SHARE`). (Not the last question with
        *Check answers* as well: beside the button, its hint wraps to five lines in a narrow dock - that room
        would come out of the text's third of the window.)"""
        box = self.questions_box.layout()
        margins = box.contentsMargins()
        width = self.questions_box.width() - margins.left() - margins.right()
        if width <= 0:
            return

        def height(item) -> int:  # a widget or a layout, as tall as it is at that width
            return item.heightForWidth(width) if item.hasHeightForWidth() else item.sizeHint().height()

        head = self.questions_heading.sizeHint().height() + box.spacing()
        rows = [height(row) for row in self.question_rows]
        challenge = [] if self.challenge.isHidden() else [height(self.challenge)]
        spans = [head + rows[0], *rows] if rows else [head + sum(challenge)]
        need = max(spans) + margins.top() + margins.bottom() + 2 * self.questions_scroll.frameWidth()
        need = min(need, round(QUESTIONS_MAX_SHARE * self.height()))
        if need != self.questions_scroll.minimumHeight():
            self.questions_scroll.setMinimumHeight(need)

    # -- content ---------------------------------------------------------------------------------------------
    def load(self) -> None:
        model = self.model
        focus = QApplication.focusWidget()
        if focus is not None and self.isAncestorOf(focus):
            # the keyboard goes to the plots (Space runs the new lesson): a focused answer deleted, or *Check
            # answers* disabled, passed the focus on to a question, and the questions scrolled down to it
            give_keyboard_back(self)
        title = f"<h3>{html.escape(model.title)}</h3>" if model.title else ""
        lesson = title or model.text.strip() or model.questions or model.challenge is not None
        self.text.setHtml(title + safe_html(model.text) if lesson else NO_LESSON)
        self._results = None
        self._met_at = None
        for row in self.question_rows:
            row.hide()  # out of the layout and the focus chain at once; deleted back in the event loop
            row.deleteLater()
        self.question_rows = []
        for i, question in enumerate(model.questions):
            row = QuestionRow(i, question)
            row.set_given(model.answers.get(i, ""))
            row.edited.connect(lambda i=i, row=row: self._answered(i, row))
            self.rows.addWidget(row)
            self.question_rows.append(row)
        self._order_tabs()
        self.rows_holder.setVisible(bool(self.question_rows))
        self.check.setVisible(bool(self.question_rows))
        self.score.setText("")
        self.questions_scroll.setVisible(bool(self.question_rows) or model.challenge is not None)
        self._update_navigation()
        self._update_challenge()
        self._update_check()
        for bar in (self.text.verticalScrollBar(), self.questions_scroll.verticalScrollBar()):
            bar.setValue(0)  # a new lesson opens at its start, not where the last one was scrolled to

    def _order_tabs(self) -> None:
        """Tab walks the text, the answers in order, then *Check answers*. The rows are made after the button
        (each lesson makes its own), so the focus chain had them after it: Tab from the last answer left the
        dock, and the Space meant for *Check answers* ran every finished run again."""
        chain = [self.text, *(row.input for row in self.question_rows), self.check]
        for before, after in zip(chain, chain[1:]):
            QWidget.setTabOrder(before, after)

    def _answered(self, index: int, row: QuestionRow) -> None:
        self.model.set_answer(index, row.given())
        row.verdict.hide()

    def _update_navigation(self) -> None:
        name = self.model.lesson_name
        names = self.lesson_names() if name else []  # no lesson open: no need to read the lessons
        shown = name in names
        for widget in (self.previous, self.next, self.position):
            widget.setVisible(shown)
        if shown:
            i, number = names.index(name), lesson_number(name) if not os.path.isabs(name) else None
            # a built-in lesson by its own number (as in the Lessons menu and the lesson texts), a folder's by place
            count = len(names)
            self.position.set_forms(*((f"Lesson {i + 1} of {count}", f"{i + 1} of {count}", f"{i + 1}/{count}")
                                      if number is None else (f"Lesson {number}", f"{number}")))
            self.position.setToolTip(f"{i + 1} of the {len(names)} lessons Previous and Next walk through")
            self.previous.setEnabled(i > 0)
            self.next.setEnabled(i + 1 < len(names))

    def _go(self, delta: int) -> None:
        names = self.lesson_names()
        i = names.index(self.model.lesson_name) + delta
        if 0 <= i < len(names):
            self.open_lesson(names[i])

    # -- answers ---------------------------------------------------------------------------------------------
    def _on_progress(self) -> None:
        self._update_check()
        if self.model.challenge is not None:
            self._challenge_throttle.request()

    def _update_check(self) -> None:
        done = self.model.all_done
        self.check.setEnabled(done)
        if self.question_rows and not done and not self.score.text():
            self.score.setText("Answer, then run the lesson to the end (Space) to check.")
        elif done and self.score.text().startswith("Answer, then run"):
            self.score.setText("")

    def lesson_results(self) -> dict[str, RunResult]:
        """The lesson's own runs: a finished run of the window that ran the lesson's config from its start with
        no change on the way is one already (a network's lesson takes seconds to run again); the others are run
        headless, once per loaded lesson."""
        results, missing = {}, {}
        for name, config in self.model.lesson_configs.items():
            run = self._untouched_run(name, config)
            if run is not None:
                results[name] = RunResult(run.history, run.trainer.problem)
            else:
                missing[name] = config
        if self._results is None:
            self._results = {}
        todo = {name: config for name, config in missing.items() if name not in self._results}
        if todo:
            said = self.score.text()
            self.score.setText("Running the lesson's own runs to check your answers...")
            self.score.repaint()
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                self._results.update(run_lesson(todo))
            finally:
                QApplication.restoreOverrideCursor()
                self.score.setText(said)
        return {name: results.get(name) or self._results[name] for name in self.model.lesson_configs}

    def _untouched_run(self, name: str, config: dict):
        """The window's run called ``name`` if it ran ``config`` from its start to its end, unchanged, else None."""
        run = next((r for r in self.model.runs if r.name == name), None)
        if run is None or not run.trainer.done or len(run.timeline) != 1:
            return None
        try:  # completed as the trainer completes them (batch_size and the like), with the run's own problem
            same = resolve(run.timeline[0][1], run.trainer.problem)[0] == resolve(config, run.trainer.problem)[0]
        except ConfigError:
            return None
        return run if same else None

    def truths(self) -> list:
        results = self.lesson_results()
        return [answer(q, results, self.model.view["tolerance"]) for q in self.model.questions]

    def check_answers(self) -> None:
        if not self.model.all_done:
            self.score.setText("Run the lesson to the end first (Space): the answers come from its runs.")
            return
        rights = [row.reveal(truth) for row, truth in zip(self.question_rows, self.truths())]
        self.model.answers_revealed = True
        self.score.setText(f"{sum(rights)} of {len(rights)} right.")

    # -- challenge -------------------------------------------------------------------------------------------
    def challenge_run(self):
        challenge = self.model.challenge
        if challenge is None:
            return None
        if challenge.run:
            return next((r for r in self.model.runs if r.name == challenge.run), self.model.selected)
        return self.model.selected

    def _update_challenge(self) -> None:
        challenge = self.model.challenge
        self.challenge.setVisible(challenge is not None)
        if challenge is None:
            return
        run = self.challenge_run()
        result = RunResult(run.history, run.trainer.problem)
        met = challenge_met(challenge, result, self.model.view["tolerance"])
        self.model.challenge_met = met
        if met and self._met_at is None:
            self._met_at = run.trainer.step
        elif not met:
            self._met_at = None
        state = f"met by {run.name} (step {self._met_at:,})" if met else f"not met yet ({run.name})"
        self.challenge.setText(f"Challenge: {challenge.text} - {state}.")
        set_bold(self.challenge, met)
