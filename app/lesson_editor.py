"""File > Save as lesson...: an instructor turns the current session into a lesson file.

The dialog edits the title, the text (an HTML subset, previewed as students will see it), the questions, an
optional challenge and which controls the students may not change. Questions are built from a few forms that
cover what a lab asks ("which run has the lowest ...", "the ... of one run", "how does a run end"); the answers
are never typed in - they are computed from the runs when a student checks. Everything is checked by the same
reader that opens the file, before anything is written.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyle,
    QVBoxLayout,
    QWidget,
)

import gd_core
from gd_core.errors import ConfigError
from gd_core.files import quote
from gd_core.lessons import LESSON_TAGS, LOCKS, lacks_minimum, safe_html
from gd_core.sessions import Session, parse_session
from gd_core.spec import MAX_STEPS, exact_text, typed_number

from .widgets import ComboBox, LessonText, SpinBox

#: Metrics an instructor can ask about, as the form offers them: (label, metric).
METRICS = (("final loss", "final_loss"), ("best loss", "best_loss"), ("loss above the minimum", "excess_loss"),
           ("steps", "steps"), ("epochs", "epochs"), ("steps to the tolerance", "steps_to_tolerance"),
           ("distance to the minimum", "distance_to_minimum"), ("final learning rate", "final_lr"))
#: Room left on the screen for the dialog's title bar and the desktop's frame (px).
TITLE_BAR = 48
#: Question forms: (label, builder of the answer expression from (metric, run)).
FORMS = (("Which run has the lowest ...", lambda metric, run: {"lowest": metric}),
         ("Which run has the highest ...", lambda metric, run: {"highest": metric}),
         ("The ... of one run (a number)", lambda metric, run: {"metric": metric, "run": run}),
         ("How does a run end?", lambda metric, run: {"status": run}))


def _metric_label(metric) -> str:
    """A lesson's metric that the form does not offer, in words: ``min loss``, ``loss_at (step 50)``."""
    if isinstance(metric, str):
        return metric.replace("_", " ")
    return f"{metric['name']} ({', '.join(f'{k} {v}' for k, v in metric.items() if k != 'name')})"


class QuestionForm(QGroupBox):
    """Compose one question; :meth:`item` gives its JSON object."""

    def __init__(self, run_names: list[str], parent=None):
        super().__init__("New question", parent)
        layout = QFormLayout(self)
        self.text = QLineEdit()
        self.text.setObjectName("question_text")
        self.text.setPlaceholderText("e.g. Which run gets closest to the minimum in 100 steps?")
        self.form = ComboBox()
        self.form.setObjectName("question_form")
        self.form.addItems([label for label, _ in FORMS])
        self.metric_box = ComboBox()
        self.metric_box.setObjectName("question_metric")
        for label, name in METRICS:
            self.metric_box.addItem(label, name)
        self.run = ComboBox()
        self.run.setObjectName("question_run")
        self.run.addItems(run_names)
        self.tolerance = QDoubleSpinBox()
        self.tolerance.setObjectName("question_tolerance")
        self.tolerance.setRange(0, 100)
        self.tolerance.setSuffix(" %")
        self.tolerance.setValue(5)
        self.tolerance.setToolTip("A number answer is right within this relative distance of the computed one.")
        self.explain = QLineEdit()
        self.explain.setObjectName("question_explain")
        self.explain.setPlaceholderText("why (shown with the answer)")
        for label, widget in (("question", self.text), ("form", self.form), ("metric", self.metric_box),
                              ("run", self.run), ("tolerance", self.tolerance), ("explanation", self.explain)):
            layout.addRow(label, widget)
        self.form.currentIndexChanged.connect(self._form_changed)
        self._form_changed()

    def _form_changed(self) -> None:
        index = self.form.currentIndex()
        self.metric_box.setEnabled(index != 3)
        self.run.setEnabled(index >= 2)
        self.tolerance.setEnabled(index == 2)

    def item(self) -> dict:
        index = self.form.currentIndex()
        item = {"text": self.text.text().strip(),
                "answer": FORMS[index][1](self.metric_box.currentData(), self.run.currentText())}
        if index == 2:
            item["tolerance"] = round(self.tolerance.value() / 100, 6)
        if self.explain.text().strip():
            item["explain"] = self.explain.text().strip()
        return item


class LessonEditor(QDialog):
    """Edit a session's lesson parts; :meth:`session` gives the checked result (or raises ConfigError)."""

    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Save as lesson")
        self.base = session
        self.questions = [q.to_dict() for q in session.questions]
        names = [r.name for r in session.runs]
        self.title = QLineEdit(session.title)
        self.title.setObjectName("lesson_title")
        self.text = QPlainTextEdit(session.text)
        self.text.setObjectName("lesson_body")
        self.text.setTabChangesFocus(True)  # Tab typed tab characters: the keyboard never left the text box
        # every tag the reader keeps (the tip named 9 of its 18, so <br>, <em>, <ol> read as dropped)
        self.text.setToolTip("HTML subset: " + ", ".join(f"<{t}>" for t in sorted(LESSON_TAGS))
                             + " (other tags and every attribute are dropped)")
        self.text.setPlaceholderText("The lesson's text, in HTML: <p>A paragraph with <b>bold</b> words.</p> "
                                     "(the tooltip lists the tags)")
        self.preview = LessonText()
        self.text.textChanged.connect(lambda: self.preview.setHtml(safe_html(self.text.toPlainText())))
        self.preview.setHtml(safe_html(session.text))
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.text)
        split.addWidget(self.preview)
        self.question_list = QListWidget()
        self.question_list.setObjectName("lesson_question_list")
        self.question_list.setToolTip("Double-click a question to change its words (its answer stays)")
        self.question_list.itemChanged.connect(self._reworded)
        self.question_list.setWordWrap(True)  # a question reads whole (it ran off the list's right edge)
        self.question_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.question_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.question_form = QuestionForm(names)
        add = QPushButton("Add question")
        add.setObjectName("lesson_add_question")
        add.clicked.connect(self.add_question)
        remove = QPushButton("Remove selected")
        remove.clicked.connect(self.remove_question)
        self.challenge_text = QLineEdit(session.challenge.text if session.challenge else "")
        self.challenge_text.setObjectName("lesson_challenge_text")
        self.challenge_text.setPlaceholderText("optional, e.g. Reach a loss below 1e-3 within 100 steps")
        self.challenge_run = ComboBox()
        self.challenge_run.addItem("the selected run", "")
        for name in names:
            self.challenge_run.addItem(name, name)
        if session.challenge:  # its run: the selected one was shown, and saved, for any
            self.challenge_run.setCurrentIndex(names.index(session.challenge.run) + 1 if session.challenge.run else 0)
        # the goal's metric: the lesson's own kept as it is where this form offers no such (re-saving wrote every
        # goal as the best loss - "final loss below 0.01", "distance to the minimum below 0.1" changed meaning)
        self.challenge_metric = ComboBox()
        self.challenge_metric.setObjectName("lesson_challenge_metric")
        self.goal_metrics = [name for _, name in METRICS]
        for label, _ in METRICS:
            self.challenge_metric.addItem(label)
        kept = session.challenge.metric if session.challenge else "best_loss"
        if kept not in self.goal_metrics:
            self.goal_metrics.append(kept)
            self.challenge_metric.addItem(_metric_label(kept))
        self.challenge_metric.setCurrentIndex(self.goal_metrics.index(kept))
        self.challenge_below = QLineEdit(exact_text(session.challenge.below) if session.challenge else "1e-3")
        self.challenge_below.setObjectName("lesson_challenge_below")
        self.challenge_steps = SpinBox()
        self.challenge_steps.setObjectName("lesson_challenge_steps")
        self.challenge_steps.setRange(0, MAX_STEPS)  # what a lesson file may hold (gd_core.lessons.parse_challenge)
        self.challenge_steps.setSpecialValueText("any number of")
        self.challenge_steps.setValue((session.challenge.within_steps or 0) if session.challenge else 100)
        self.locks = {}
        locks_box = QGroupBox("Students may not change")
        locks_layout = QGridLayout(locks_box)
        for i, (group, what) in enumerate(LOCKS.items()):
            box = QCheckBox(what)
            box.setObjectName(f"lock_{group}")
            box.setChecked(group in session.locked)
            locks_layout.addWidget(box, i // 2, i % 2)
            self.locks[group] = box
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        for field in (self.question_form.text, self.question_form.explain):
            field.returnPressed.connect(self.add_question)  # Enter there adds the question (see keyPressEvent)
        self.error = QLabel()
        self.error.setObjectName("lesson_error")
        self.error.setWordWrap(True)

        body = QWidget()  # scrolls: at Extra large text it needed 750 px of height, more than a 720-px projector
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        form.addRow("title", self.title)
        layout.addLayout(form)
        layout.addWidget(QLabel("Text (left) and how students see it (right):"))
        layout.addWidget(split, 3)
        questions = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(QLabel("Questions (answers are computed from the runs):"))
        left.addWidget(self.question_list)
        left.addWidget(remove)
        questions.addLayout(left, 1)
        right = QVBoxLayout()
        right.addWidget(self.question_form)
        right.addWidget(add)
        questions.addLayout(right, 1)
        layout.addLayout(questions, 2)
        challenge = QFormLayout()  # its text a row of its own: beside the goal's fields it had 85 px ("optio...")
        goal = QHBoxLayout()
        for label, widget in (("", self.challenge_run), ("", self.challenge_metric), ("below", self.challenge_below),
                              ("within", self.challenge_steps)):
            if label:
                goal.addWidget(QLabel(label))
            goal.addWidget(widget)
        goal.addWidget(QLabel("steps"))
        goal.addStretch(1)
        challenge.addRow("Challenge", self.challenge_text)
        challenge.addRow("on", goal)
        layout.addLayout(challenge)
        layout.addWidget(locks_box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no unmarked Tab stop of its own after Cancel
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.addWidget(scroll, 1)
        outer.addWidget(self.error)
        outer.addWidget(self.buttons)
        self._fit_screen(body)
        self._fill_questions()
        self._start = self._state()
        self._problems: dict = {}  # built once each: see _problem

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """Enter is no Save: typed in the new question it saved the lesson without that question, in the title a
        lesson half written. It adds the question there (its fields' returnPressed) and presses a button that has
        the keyboard; elsewhere it does nothing."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            button = self.focusWidget()
            if isinstance(button, QPushButton) and button.isEnabled():
                button.click()
            return
        super().keyPressEvent(event)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """No button is drawn as the default one, since Enter presses none (:meth:`keyPressEvent`): Qt's button
        box makes Save the default at each showing, drawn with the default's frame, and gives a focused button
        that frame (auto-default) which Save took back as the keyboard left it."""
        super().showEvent(event)
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)

    def _fit_screen(self, body: QWidget) -> None:
        """Open as large as the whole form wants, within the screen (a title bar's room left): beyond, it scrolls."""
        room = (self.parentWidget() or self).screen().availableGeometry()
        chrome = self.error.sizeHint().height() + self.buttons.sizeHint().height() + 4 * self.layout().spacing()
        margins = self.layout().contentsMargins()
        want = body.sizeHint() + QSize(margins.left() + margins.right() + self.style().pixelMetric(
            QStyle.PixelMetric.PM_ScrollBarExtent), margins.top() + margins.bottom() + chrome)
        self.resize(min(want.width(), room.width() - TITLE_BAR), min(want.height(), room.height() - TITLE_BAR))

    def _state(self) -> tuple:
        """Everything typed or chosen here, to tell whether closing would throw work away."""
        form = self.question_form
        return (self.title.text(), self.text.toPlainText(), repr(self.questions), self.challenge_text.text(),
                self.challenge_run.currentIndex(), self.challenge_metric.currentIndex(), self.challenge_below.text(),
                self.challenge_steps.value(), tuple(box.isChecked() for box in self.locks.values()), form.text.text(),
                form.explain.text())

    def reject(self) -> None:
        """Close without saving - after asking, when something was written here (Escape closed the dialog and
        threw an instructor's title, text and questions away without a word)."""
        if self._state() != self._start:
            buttons = QMessageBox.StandardButton
            answer = QMessageBox.question(self, "Save as lesson", "Discard the lesson written here? It is not "
                                          "saved.", buttons.Discard | buttons.Cancel, buttons.Cancel)
            if answer != buttons.Discard:
                return
        super().reject()

    def _fill_questions(self) -> None:
        self.question_list.blockSignals(True)
        self.question_list.clear()
        for i, item in enumerate(self.questions):
            row = QListWidgetItem(f"{i + 1}. {item['text']}")
            row.setFlags(row.flags() | Qt.ItemFlag.ItemIsEditable)
            self.question_list.addItem(row)
        self.question_list.blockSignals(False)

    def _reworded(self, row: QListWidgetItem) -> None:
        """A question's words changed in the list (a reopened lesson's questions could only be removed and
        written again - and those of forms this dialog does not offer, such as a ratio, not at all)."""
        index, text = self.question_list.row(row), row.text().strip()
        number = f"{index + 1}."  # the row's own number, which the list shows before the words: not the words'
        text = text[len(number):].strip() if text == number or text.startswith(number + " ") else text
        if text:
            self.questions[index] = {**self.questions[index], "text": text}
            self.error.setText("")
        else:
            self.error.setText(f"Not changed - question {index + 1}: its words must not be empty")
        # the row shows the words kept, numbered - set in place, not refilled: it is the row being edited
        self.question_list.blockSignals(True)
        row.setText(f"{index + 1}. {self.questions[index]['text']}")
        self.question_list.blockSignals(False)

    def add_question(self) -> None:
        item = self.question_form.item()
        trial = self.questions + [item]
        try:  # checked alone: an empty title or a half-written challenge is no reason to refuse a question
            parse_session({**self.base.to_dict(), "questions": trial})
        except ConfigError as error:
            self.error.setText(f"Not added - {self._question_problem(error, len(trial) - 1)}")
            return
        label, run = self._without_minimum(item["answer"])
        if run:
            self.error.setText(f"Not added - metric: {label} needs a known minimum, and the problem of {run} has "
                               "none (the runs would always answer 'never'); ask about the final or best loss")
            return
        self.questions = trial
        self.question_form.text.clear()
        self.question_form.explain.clear()
        self.error.setText("")
        self._fill_questions()

    def _without_minimum(self, answer: dict) -> tuple[str, str]:
        """(the metric's label, a run it asks about whose problem has no known minimum) where the metric needs one
        (:func:`gd_core.lessons.lacks_minimum`), else ("", "")."""
        metric = answer.get("lowest") or answer.get("highest") or answer.get("metric")
        for run in self.base.runs:
            if answer.get("run", run.name) == run.name and lacks_minimum(metric, self._problem(run.config)):
                return dict((name, label) for label, name in METRICS).get(metric) or _metric_label(metric), run.name
        return "", ""

    def _problem(self, config: dict):
        """The problem of a run's ``config``, built once per problem and data (each question added built every
        run's problem again)."""
        checked = gd_core.validate(config)
        key = gd_core.problem_key(checked)
        if key not in self._problems:
            self._problems[key] = gd_core.build_problem(checked)
        return self._problems[key]

    def _question_problem(self, error: ConfigError, index: int) -> str:
        """``error`` about the new question said in this form's words (it named the file's keys, such as
        "questions[0].answer.among", which the form never shows); any other error as it is."""
        prefix = f"questions[{index}]."
        if not error.key.startswith(prefix):
            return str(error)
        key = error.key[len(prefix):]
        if key.startswith("answer.among"):
            return ("a \"which run\" question needs at least two runs to choose from, and this session has one. "
                    "Add a run first (Runs > Add run), or ask about one run (form \"The ... of one run\")."
                    if len(self.base.runs) < 2 else error.problem)
        field = next((label for start, label in (("text", "question"), ("answer.run", "run"),
                                                 ("answer.status", "run"), ("answer", "metric"),
                                                 ("tolerance", "tolerance"), ("explain", "explanation"))
                      if key.startswith(start)), "question")
        return f"{field}: {error.problem}"

    def remove_question(self) -> None:
        row = self.question_list.currentRow()
        if 0 <= row < len(self.questions):
            del self.questions[row]
            self._fill_questions()

    def _lesson_parts(self) -> dict:
        parts: dict = {"title": self.title.text().strip(), "text": self.text.toPlainText()}
        if self.questions:
            parts["questions"] = self.questions
        if self.challenge_text.text().strip():
            text = self.challenge_below.text()
            below = typed_number(text)
            if below is None:
                raise ConfigError("challenge.goal.below", f"must be a number like 1e-3; got {quote(text.strip())}")
            challenge = {"text": self.challenge_text.text().strip(),
                         "goal": {"metric": self.goal_metrics[self.challenge_metric.currentIndex()], "below": below}}
            if self.challenge_run.currentData():
                challenge["run"] = self.challenge_run.currentData()
            if self.challenge_steps.value():
                challenge["within_steps"] = self.challenge_steps.value()
            parts["challenge"] = challenge
        locked = [group for group, box in self.locks.items() if box.isChecked()]
        if locked:
            parts["locked"] = locked
        return parts

    def _check(self) -> Session:
        data = {**self.base.to_dict(), **self._lesson_parts()}
        # a lesson opens ready to run: its runs at their start, in their current settings, no answers given (the
        # instructor's trial runs went into the file - students opened it at step 203, the prediction spoiled -
        # with the settings of earlier steps that the answers, computed from each run's settings, never saw)
        data.pop("answers", None)
        data["runs"] = [{key: value for key, value in run.items() if key not in ("steps", "earlier")}
                        for run in data["runs"]]
        for key in ("questions", "challenge", "locked"):
            if key in data and not data[key] and key != "challenge":
                del data[key]
        if not data["title"]:
            raise ConfigError("title", "a lesson needs a title (it names the lesson in the Lessons menu)")
        lesson = parse_session(data)
        goal = lesson.challenge
        label, run = self._without_minimum({"metric": goal.metric, "run": goal.run} if goal and goal.run else
                                           {"metric": goal.metric} if goal else {})
        if run:  # (as a question about it is refused: see add_question)
            raise ConfigError("challenge.goal.metric", f"{label} needs a known minimum, and the problem of {run} "
                                                       "has none (the challenge could never be met); set a goal on "
                                                       "the final or best loss")
        return lesson

    def session(self) -> Session:
        """The lesson as checked by the session reader (raises ConfigError naming what is wrong)."""
        return self._check()

    def _accept(self) -> None:
        try:
            self.session()
        except ConfigError as error:
            self.error.setText(f"Not saved - {self._field_problem(error)}")
            return
        self.accept()

    def _field_problem(self, error: ConfigError) -> str:
        """``error`` named by the field it is about, as this dialog labels it, which takes the keyboard ("Not
        saved - challenge.goal.below: ..." named the file's key, not the box 'best loss below')."""
        below = f"{self.challenge_metric.currentText()} below"
        for key, label, box in (("title", "title", self.title), ("challenge.goal.below", below, self.challenge_below),
                                ("challenge.goal.metric", "the goal", self.challenge_metric),
                                ("challenge.within_steps", "within ... steps", self.challenge_steps),
                                ("challenge.run", "challenge on", self.challenge_run),
                                ("challenge", "Challenge", self.challenge_text)):
            if error.key == key or error.key.startswith(key + "."):
                box.setFocus()
                return f"{label}: {error.problem}"
        return str(error)
