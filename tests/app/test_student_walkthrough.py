"""What a student met going through lessons 01-12 at 1280x720 (pytest-qt, offscreen)."""

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QLabel

from app.lesson_panel import QUESTIONS_MAX_SHARE

from .conftest import shown_window


def test_a_question_is_never_cut_off_in_a_short_lesson_dock(qtbot):
    """The questions scroll when the dock is short; each question keeps the height of its wrapped lines (its
    label lost its height-for-width to a size policy set after the word wrap, and was squeezed to a line)."""
    win = shown_window(qtbot, "06_adaptive_rosenbrock", (1280, 720))
    panel = win.lesson_panel
    panel.questions_scroll.setFixedHeight(90)  # a short dock: room for less than one question
    QApplication.processEvents()
    labels = [label for row in panel.question_rows for label in row.findChildren(QLabel) if label.isVisible()]
    assert labels
    for label in labels:
        assert label.sizePolicy().hasHeightForWidth(), label.text()  # what the layout sizes a wrapped label by
        assert label.height() >= label.heightForWidth(label.width()) > label.fontMetrics().height(), label.text()
    assert panel.questions_scroll.verticalScrollBar().maximum() > 0  # they scroll instead


def test_a_combo_box_shows_its_choice_whole_where_its_row_has_room(qtbot):
    """Lesson 11 asks to switch "the box above the plot from PCA plane to slice": at 1280x720 and 1366x768 it
    read "PCA plan" with room to spare beside it (the combo asked for its minimum, four characters). It asks for
    its longest choice now, and never less: where the header is short, what follows it moves to a row below
    (test_the_parameter_pair_boxes_show_whole_names_in_the_least_window_at_large_text) - cut to its minimum, it
    read "PCA plar" at Large text in the window's least width."""
    win = shown_window(qtbot, "11_mlp_landscape", (1280, 720))
    QApplication.processEvents()
    box = win.space_view.mode
    text = box.fontMetrics().horizontalAdvance("PCA plane")
    assert box.currentText() == "PCA plane" and box.width() > text + 20  # the text and the drop-down arrow
    assert box.minimumSizeHint().width() == box.sizeHint().width()  # never cut


def test_selecting_another_run_moves_no_plot(qtbot):
    """Lesson 01 at 1280x720: selecting the batch run moved the loss plot up 14 px, and selecting another run
    moved it down again (its read-out row was as tall as the selected run's read-out needs, and the batch run
    has no batch loss to read)."""
    win = shown_window(qtbot, "01_variants_same_epochs", (1280, 720))
    view = win.loss_view
    places = []
    for run in (*win.model.runs, win.model.runs[0]):
        win.model.select(run)
        QApplication.processEvents()
        places.append(view.plot.mapTo(win, view.plot.rect().topLeft()))
    assert places.count(places[0]) == len(places), places


def test_a_whole_question_shows_without_scrolling_at_1280x720_and_the_text_keeps_its_room(qtbot):
    """The questions' area kept its height whatever it held: after Check answers a question with its verdict and
    explanation (lesson 05: 126-156 px) was cut in the ~100 px it had at 1280x720, and at Large text the longest
    questions were cut before any check. Now the first question shows whole under the heading, and any question
    whole when scrolled to, checked or not; the lesson text, which gives the room, keeps at least half the
    panel."""
    for lesson in ("05_momentum_valley", "08_himmelblau_starts", "18_newton_vs_gradient_descent"):
        win = shown_window(qtbot, lesson, (1280, 720))
        panel = win.lesson_panel
        scroll, rows = panel.questions_scroll, panel.question_rows
        bar, viewport = scroll.verticalScrollBar(), scroll.viewport()
        for checked in (False, True):
            if checked:
                for row in rows:  # the verdicts and their explanations, as Check answers shows them
                    row.reveal(row.question.choices[0] if row.question.is_choice else 1.0)
            QApplication.processEvents()
            if not checked:  # as the lesson opens: the heading and the first question
                bar.setValue(bar.minimum())
                QApplication.processEvents()
                assert rows[0].mapTo(viewport, QPoint(0, rows[0].height())).y() <= viewport.height(), lesson
            for row in rows:  # scrolled to
                scroll.ensureWidgetVisible(row, 0, 0)
                QApplication.processEvents()
                top = row.mapTo(viewport, QPoint(0, 0)).y()
                assert 0 <= top and top + row.height() <= viewport.height(), (lesson, checked, row.question.text)
            least = panel.height() * (1 - QUESTIONS_MAX_SHARE) - panel.previous.height() - 2 * panel.layout().spacing()
            assert panel.text.height() >= least, (lesson, checked)
        win.close()


def test_lesson_11_asks_of_the_update_rule_only_what_its_table_shows(qtbot):
    """Lesson 11 asked "which weights get the largest effective step sizes under Adam?" of the Update rule tab,
    which shows 33 parameters as the norm, smallest and largest entry of each row - no weight by name. It asks
    how far apart the step-size row's min and max are, which the table shows (0.12 and 15.7 at step 3)."""
    win = shown_window(qtbot, "11_mlp_landscape", (1280, 720))
    assert win.model.selected.config["optimizer"]["name"] == "adam"
    assert "how far apart are the smallest and the largest effective step size (the min and max of its step-size " \
           "row)?" in win.lesson_panel.text.toPlainText()
    for _ in range(3):
        win.action_step.trigger()
    table = win.formula.table
    win.formula.refresh()
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers == ["‖·‖", "min", "max"] and "step size γ/(√v̂+ε)" in win.formula.names()
    smallest, largest = (float(text) for text in win.formula.cells("step size γ/(√v̂+ε)")[1:])
    assert largest > 100 * smallest  # far apart: one rate, very different steps per weight
    win.runner.pause()
