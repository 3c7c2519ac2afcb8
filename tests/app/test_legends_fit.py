"""Issue 15 review: the Accuracy tab's legend fits a narrow dock (1280x720, lesson dock open) - a legend row wraps
whole entries onto another line instead of clipping them - and an axis a view replaces (the loss plot's log axis)
is styled like its others, at any text size."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontMetrics, QImage, QPainter, QTextDocument
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea

from app import create_window
from app.theme import theme
from app.views.base import (
    CASED_LINE,
    DASHED,
    WORD_JOINER,
    Cased,
    EdgeAxis,
    PlotView,
    legend_html,
    plot_widget,
    use_sparse_log_axes,
)

from .conftest import shown_window


def shown_whole(label) -> bool:
    """Whether ``label``'s rich text is drawn whole in its rectangle: laid out at the label's width when it wraps
    (unbroken when it does not), no line is wider and the lines are not taller than the label."""
    rect = label.contentsRect()
    doc = QTextDocument()
    doc.setDocumentMargin(0)
    doc.setDefaultFont(label.font())
    doc.setHtml(label.text())
    doc.setTextWidth(rect.width() if label.wordWrap() else -1)
    return doc.idealWidth() <= rect.width() and doc.size().height() <= rect.height() + 1


@pytest.fixture
def lesson_25(qtbot):
    win = shown_window(qtbot, "25_small_batch_generalization", (1280, 720))
    win.accuracy_dock.show()
    win.accuracy_dock.raise_()
    qtbot.wait(50)
    yield win
    win.runner.pause()


def test_the_accuracy_legend_fits_a_narrow_dock(lesson_25, qtbot):
    win = lesson_25
    view = win.accuracy_view
    win.accuracy_dock.setFloating(True)  # as narrow as the column beside the lesson, where it once was
    win.accuracy_dock.resize(300, 400)
    qtbot.wait(50)
    assert win.lesson_dock.isVisible() and view.isVisible()
    assert view.legend.width() < 320  # where the entries once clipped
    assert DASHED in view.legend.text() and "validation" in view.legend.text()
    assert shown_whole(view.legend)
    for name in ("a third run", "and a fourth with a long name"):  # more runs: more lines, never clipped ones
        win.model.add_run(dict(win.model.selected.config), name=name, select=False)
        qtbot.wait(20)
        for each in (view, win.loss_view, win.data_view):
            assert each.legend.isVisible() and shown_whole(each.legend), type(each).__name__
    assert view.legend.height() > view.legend.fontMetrics().height() * 1.5  # wrapped onto a second line
    assert view.plot.height() > 60  # and the plot keeps its room


def test_with_several_runs_the_loss_legend_still_says_what_dashed_means(lesson_25):
    text = lesson_25.loss_view.legend.text()
    assert "batch 1" in text and "full batch" in text and DASHED in text and "validation" in text


@pytest.mark.parametrize("size", ["normal", "large"])
def test_every_axis_of_every_view_is_styled_by_the_theme(qtbot, size):
    app = QApplication.instance()
    before = theme().text_size
    theme().set_text_size(size)
    try:
        win = create_window()
        qtbot.addWidget(win)
        point_size = f"{app.font().pointSizeF():g}pt"
        views = win.findChildren(PlotView)
        assert win.loss_view in views
        for view in views:
            assert isinstance(view.plot.getPlotItem().getAxis("left"), EdgeAxis), type(view).__name__
            for item in view.plot.scene().items():
                if isinstance(item, pg.AxisItem) and item.isVisible():
                    name = f"{type(view).__name__} {item.orientation}"
                    assert item.labelStyle.get("font-size") == point_size, name
                    assert item.style["tickFont"] is not None and item.style["tickFont"].pointSizeF() == \
                        app.font().pointSizeF(), name
                    assert item.pen().color() == theme().color("muted"), name
    finally:
        theme().set_text_size(before)


def test_a_legend_breaks_lines_between_entries_never_inside_a_name(qapp):
    """At Large text on a projector the loss legend of lesson 01 read "mini-" at the end of a line and "batch 16"
    on the next: Qt breaks after a hyphen or a slash even inside <nobr>. Laid out at any width, every run's name
    stays on one line."""
    names = ["batch", "stochastic", "mini-batch 16", "lr 0.02 (too small)", "Adam/AMSGrad-β2", "x-y-z"]
    text, _ = legend_html([("#0072B2", name) for name in names])

    def laid_out(html_text, width=-1):
        doc = QTextDocument()
        doc.setHtml(html_text)
        doc.setTextWidth(width)
        doc.documentLayout().documentSize()
        return doc

    widest = max(laid_out(legend_html([("#0072B2", name)])[0]).idealWidth() for name in names)
    for width in range(int(widest) + 1, int(laid_out(text).idealWidth()) + 20, 5):
        doc = laid_out(text, width)
        layout = doc.begin().layout()
        lines = [doc.begin().text()[line.textStart():line.textStart() + line.textLength()]
                 for line in (layout.lineAt(k) for k in range(layout.lineCount()))]
        shown = [line.replace(WORD_JOINER, "").replace("\xa0", " ") for line in lines]
        for name in names:
            assert any(name in line for line in shown), (width, name, shown)


def test_a_wrapped_legend_of_cased_swatches_keeps_each_line_apart(qtbot):
    """The parameter space's swatches are blocks of the casing as tall as the line: in a legend that wraps (many
    runs, a narrow view) the first swatches of the lines stacked into one black column. A gap parts the lines."""
    casing = "#1a1a1a"
    text, _ = legend_html([(Cased(color, casing), f"run {k}", CASED_LINE)
                           for k, color in enumerate(["#0072B2", "#E69F00", "#CC79A7", "#D55E00", "#009E73"])])
    label = QLabel(text)
    qtbot.addWidget(label)
    label.setWordWrap(True)
    label.setContentsMargins(0, 0, 0, 0)
    label.setFixedWidth(90)  # two entries a line at most: three lines, each starting with a swatch
    label.setFixedHeight(label.heightForWidth(90))
    image = label.grab().toImage()
    column = [image.pixelColor(0, y).name() == casing for y in range(image.height())]  # the swatches' left rims
    runs = "".join("#" if dark else "." for dark in column).strip(".").split(".")
    assert len([run for run in runs if run]) >= 3, runs  # a block per line, not one column


def drawn_tick_labels(axis) -> dict[str, QRectF]:
    """The tick labels ``axis`` draws now, by text, as rectangles in its plot widget's viewport."""
    image = QImage(1, 1, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    view = axis.getViewWidget()
    return {text: view.mapFromScene(axis.mapRectToScene(rect)).boundingRect().toRectF()
            for rect, _, text in texts}


def shown_plot(qtbot, log: bool, y_range: tuple, size: tuple, x_axis: bool = True,
               sparse: bool = True) -> pg.PlotWidget:
    """A plot widget of the views' kind showing ``y_range`` (log10 units on a log axis: the loss plot's sparse one,
    or with ``sparse`` False the plain log axis of the sweep's plot) at ``size``."""
    plot = plot_widget()
    qtbot.addWidget(plot)
    theme().style_plot(plot)
    if log and sparse:
        use_sparse_log_axes(plot, "left")
    if log:
        plot.setLogMode(y=True)
    if not x_axis:
        plot.getPlotItem().hideAxis("bottom")
    plot.setYRange(*y_range, padding=0)
    plot.resize(*size)
    plot.show()
    qtbot.waitExposed(plot)
    QApplication.processEvents()
    return plot


@pytest.mark.parametrize("log", [True, False])
def test_a_y_axis_label_at_the_plots_top_edge_is_left_out_not_cut_in_half(qtbot, log):
    """pyqtgraph draws a vertical axis's labels up to 15 px past its ends, and the widget's edge cut the top one in
    half, touching the legend row above: the loss plot's log axis; lesson 5's parameter space at Large text on
    1280x720, whose "3" was drawn at y -6..9 of the plot. A label is drawn whole inside the plot widget, or not at
    all; every view's y axis is such an axis (test_every_axis_of_every_view_is_styled_by_the_theme)."""
    theme().set_text_size("normal" if log else "large")
    try:
        plot = shown_plot(qtbot, log, (-1.3, 0.001) if log else (0, 3), (300, 200))  # a tick ("1", "3") on the top
        labels = drawn_tick_labels(plot.getPlotItem().getAxis("left"))
        inside = QRectF(plot.viewport().rect())
        assert all(inside.contains(rect) for rect in labels.values()), labels
        # the top one left out, no other (the bottom one reaches into the x axis's room: kept)
        assert sorted(labels) == (["0.1", "0.2", "0.5"] if log else ["0", "0.5", "1", "1.5", "2", "2.5"])
    finally:
        theme().set_text_size("normal")


@pytest.mark.parametrize("size, screen", [("large", (1264, 680)), ("huge", (1350, 728))])
def test_with_six_runs_at_large_text_every_plot_keeps_its_least_height(qtbot, size, screen):
    """Lesson 24 with its variants compared (six runs) and the Sharpness tab in front, in the window the app opens
    on a 1280x720 projector (Large text) or a 1366x768 laptop (Extra large): the legends wrapped onto three to five
    lines and left the loss, data and sharpness plots 68 px each - 24 px of data under their x axes, the tick
    labels over each other. A legend now yields first: the plot keeps its least height, the legend names what fits
    ("+4 more", what a dashed line means always), its tooltip all; the window still fits the screen."""
    theme().set_text_size(size)
    win = shown_window(qtbot, "24_weight_decay_overfitting", screen)
    win.action_compare.trigger()
    win.sharpness_dock.raise_()
    qtbot.wait(100)
    assert len(win.model.runs) == 6  # its three, and batch, stochastic and mini-batch copies of the selected
    for view in (win.loss_view, win.data_view, win.sharpness_view):
        assert view.isVisible() and view.legend.isVisible()
        assert view.plot.height() >= 110, type(view).__name__  # was 68: 24 px of data under the x axis
        assert view.plot.geometry().bottom() < view.height()  # all of it shown, its x axis too
        labels = sorted(drawn_tick_labels(view.plot.getPlotItem().getAxis("left")).values(), key=QRectF.top)
        # (each rectangle rounded outwards to whole pixels: 1 px)
        assert all(upper.bottom() <= lower.top() + 1 for upper, lower in zip(labels, labels[1:])), labels
    loss = win.loss_view.legend
    assert "more" in loss.text() and DASHED in loss.text() and "validation" in loss.text()
    assert all(run.name in loss.toolTip().replace(WORD_JOINER, "") for run in win.model.runs)
    assert shown_whole(loss)
    assert win.minimumSizeHint().height() <= screen[1]



@pytest.mark.parametrize("size, log, span", [("large", False, (-3.5, 6)), ("huge", True, (1, 40))])
def test_a_short_plots_tick_labels_stay_a_label_apart(qtbot, size, log, span):
    """pyqtgraph puts 2.25 tick intervals at least on an axis of any length, whatever the text size: lesson 24's data
    plot, 66 px of data at Large text, wrote 4, 2, 0 and -2 each into the next, and its loss plot at Extra large
    wrote 10 into 5. Upright labels are at least a label's height apart (as pyqtgraph measures one: 0.8 of a line):
    0, 2.5 and 5.0 there (a step of 2.5 written with its decimal), 2 and 10 here."""
    theme().set_text_size(size)
    plot = shown_plot(qtbot, log, np.log10(span) if log else span, (300, 66), x_axis=False)
    labels = drawn_tick_labels(plot.getPlotItem().getAxis("left"))
    centres = sorted(rect.center().y() for rect in labels.values())
    assert len(centres) >= 2, labels
    tall = 0.8 * QFontMetrics(QApplication.font()).height()
    assert all(lower - upper >= tall for upper, lower in zip(centres, centres[1:])), labels
    assert {"2.5", "5.0"} <= set(labels) if not log else {"2", "10"} <= set(labels), labels


def test_a_legend_beside_the_results_yields_to_its_plot_as_the_strip_grows(qtbot):
    """The sharpness view (its legend in its header, beside the results) squeezed to 131 px and then given 175 (the
    Sharpness tab brought to the front, lesson 24 with six runs at Large text on 1280x720): its legend kept the
    height its header's layout had cached, a line too tall, and the plot below lost its x axis's name."""
    from app.views.tracked import SharpnessView

    from .conftest import lesson_view
    theme().set_text_size("large")
    model, view = lesson_view(qtbot, "24_weight_decay_overfitting", SharpnessView, (967, 131))
    model.compare_variants(model.selected)
    qtbot.wait(20)
    view.resize(967, 175)
    qtbot.wait(20)
    assert view.legend.geometry().bottom() < view.plot.geometry().top()
    assert view.plot.height() >= 110 and view.plot.geometry().bottom() < view.height()
    assert "edge of stability" in view.legend.text()  # the dashed line's key, always shown


@pytest.fixture
def large_text_state(qtbot):
    """Lesson 25's optimizer state at Large text on 1280x720, 980 steps taken, its tab in front."""
    theme().set_text_size("large")
    window = shown_window(qtbot, "25_small_batch_generalization", (1264, 680))
    window.model.step(980)
    window.state_dock.raise_()
    qtbot.waitUntil(lambda: window.state_plot.isVisible() and bool(window.state_plot.plots), timeout=3000)
    qtbot.wait(50)
    state = window.state_plot
    state.refresh(force=True)
    QApplication.processEvents()
    yield state
    window.runner.pause()


def test_the_optimizer_states_tick_labels_stay_in_their_own_plots_and_apart(large_text_state):
    """Lesson 25 at Large text on 1280x720, 980 steps taken, the Optimizer state tab in front: its four plots were
    ~40 px tall; the learning rate's plain axis wrote 0.054 to 0.046 over each other, its top label reaching into
    the plot above, and pyqtgraph lets a label reach 15 px past its axis's end (the widget's edge kept only the top
    plot's inside). Every plot's labels are drawn inside that plot, a label apart."""
    state = large_text_state
    view = state.layout_widget
    for key, plot in state.plots.items():
        axis = plot.getAxis("left")
        own = view.mapFromScene(plot.mapRectToScene(plot.boundingRect())).boundingRect().toRectF()
        labels = drawn_tick_labels(axis)
        assert labels, key
        assert all(own.adjusted(0, -1, 0, 1).contains(rect) for rect in labels.values()), (key, own, labels)
        centres = sorted(rect.center().y() for rect in labels.values())
        tall = 0.8 * QFontMetrics(QApplication.font()).height()
        assert all(lower - upper >= tall for upper, lower in zip(centres, centres[1:])), (key, labels)


def notation(label: str) -> str:
    """How a tick label writes its number: "power" (10⁻⁶, 2·10⁻⁵) or "plain" (0.0001, 10,000)."""
    return "power" if any(c in label for c in "⁰¹²³⁴⁵⁶⁷⁸⁹") else "plain"


@pytest.mark.parametrize("sparse", [True, False])
@pytest.mark.parametrize("span, written", [((-6.2, 1.2), "power"), ((-2.6, 3.6), "plain")])
def test_a_log_axis_writes_every_label_in_one_notation(qtbot, sparse, span, written):
    """The loss plot of a long run on a log scale (lesson 5, 150 steps) read 10, 1, 0.1, 0.01, 0.001, 0.0001, then
    10⁻⁵ ... 10⁻¹¹ down the same axis, and the learning-rate sweep's pyqtgraph labels (each "%g" of its value) mixed
    0.5 with 10¹: one axis, two scales to read. Every label of an axis is a plain number (0.001 to 10,000) or every
    one a power of ten - the loss plot's sparse axis and the plain log axes of the sweep, batch-size and noise-scale
    plots alike."""
    plot = shown_plot(qtbot, True, span, (300, 400), sparse=sparse)
    labels = drawn_tick_labels(plot.getPlotItem().getAxis("left"))
    assert len(labels) >= 3, labels
    assert {notation(label) for label in labels} == {written}, sorted(labels)


@pytest.mark.parametrize("size", ["normal", "large"])
@pytest.mark.parametrize("span", [(0, 1), (0, 1000), (-0.25, 0.25)])
def test_a_narrow_plots_x_labels_keep_a_gap(qtbot, size, span):
    """pyqtgraph draws its widest level's labels whatever they cover: a narrow plot's x axis read "0.20.40.60.8"
    (lesson 11's views at 1280x720, Large text; 160 px of plot). Along an axis the spacing widens (fewer ticks)
    until its labels keep at least a quarter of a line between them, at any width."""
    theme().set_text_size(size)
    gap = QFontMetrics(QApplication.font()).height() / 4
    plot = shown_plot(qtbot, False, (0, 1), (400, 200))
    plot.setXRange(*span, padding=0)
    for width in range(120, 420, 20):
        plot.resize(width, 200)
        QApplication.processEvents()
        rects = sorted(drawn_tick_labels(plot.getPlotItem().getAxis("bottom")).values(), key=QRectF.left)
        assert all(right.left() - left.right() >= gap for left, right in zip(rects, rects[1:])), (width, rects)


@pytest.mark.parametrize("size", ["normal", "large"])
@pytest.mark.parametrize("sparse", [True, False])
@pytest.mark.parametrize("span", [(-6, 1), (-3, 1), (-0.3, 0.7)])
def test_a_log_axis_along_a_plot_keeps_its_labels_apart(qtbot, size, sparse, span):
    """Along a log axis pyqtgraph writes every minor tick it thinks it has room for, and a decade's labels crowd
    at its top: the sweep's learning rates over less than a decade read "0.60.70.80.9" at any width, the learning-
    rate finder 120 px wide "0.010.11". The labels keep a quarter of a line apart (the decades kept first, then
    the 5s, the 2s), at least one is written, and a tick without a label keeps its mark."""
    theme().set_text_size(size)
    gap = QFontMetrics(QApplication.font()).height() / 4
    plot = shown_plot(qtbot, False, (0, 1), (400, 200))
    if sparse:
        use_sparse_log_axes(plot, "bottom")
    plot.setLogMode(x=True)
    plot.setXRange(*span, padding=0)
    axis = plot.getPlotItem().getAxis("bottom")
    for width in range(120, 520, 40):
        plot.resize(width, 200)
        QApplication.processEvents()
        labels = drawn_tick_labels(axis)
        rects = sorted(labels.values(), key=QRectF.left)
        assert rects, width
        assert all(right.left() - left.right() >= gap for left, right in zip(rects, rects[1:])), (width, labels)
    marks = axis.tickValues(*axis.range, axis.width())
    assert sum(len(values) for _, values in marks) > len(labels)  # the minor ticks still marked


def test_the_optimizer_states_plots_keep_a_readable_height_in_a_short_dock(large_text_state):
    """There the four plots were ~40 px tall, one tick label each (θᵢ read "0", γₜ "0.050"): each plot now keeps room
    for three labels a label apart, and the plots scroll within the dock, the step axis under the last one."""
    state = large_text_state
    tall = 0.8 * QFontMetrics(QApplication.font()).height()
    for key, plot in state.plots.items():
        assert plot.vb.height() >= 3 * tall, (key, plot.vb.height())
        assert len(drawn_tick_labels(plot.getAxis("left"))) >= 2, key
    scroll = state.findChild(QScrollArea, "state_scroll")
    assert scroll.verticalScrollBar().maximum() > 0  # the dock is shorter than the plots: they scroll
    assert state.layout_widget.height() > scroll.viewport().height()


def test_a_short_data_legend_names_the_held_out_samples(qtbot):
    """Lesson 25 at Large text on 1280x720 with a tab below the plots in front: the data legend had one line and read
    "● training samples … and 2 more" - the hollow circles, the held-out samples the lesson asks about, were named
    only in its tooltip. A short legend names the held-out samples first (filled dots read as the samples anyway),
    on one line."""
    theme().set_text_size("large")
    window = shown_window(qtbot, "25_small_batch_generalization", (1280, 720))
    window.model.step(980)
    window.accuracy_dock.raise_()
    window.state_dock.raise_()
    qtbot.wait(50)
    legend = window.data_view.legend
    text = legend.text().replace(WORD_JOINER, "")
    assert "more" in text, text  # the row is short: not every entry is named
    assert "held-out samples" in text, text
    assert legend.height() < 2 * legend.fontMetrics().height(), text  # one line
    assert shown_whole(legend)
    window.runner.pause()


def test_a_pictures_legend_wraps_and_its_plot_is_framed_as_on_screen(qtbot):
    """An exported picture wrote its legend on one row: lesson 8's four runs widened the parameter space's picture
    from 417 to 580 px, and its kept aspect then showed x from -7.7 to 7.7 against -5 to 5 on screen (the loss
    plot's from 328 to 483 px). The legend wraps between entries at the plot's width, as the legend row above the
    plot does, and the picture grows by its height: the plot is framed as on screen."""
    from app import exports

    win = shown_window(qtbot, "08_himmelblau_starts", (1280, 720))
    qtbot.wait(50)
    # drawn once and laid out again before the frame is read: read before, it could change inside legend_shown's own
    # event processing, legend or not (a view box 18 px wider, -5.26..5.26 against -5.58..5.58: one run in three of
    # this file once the window's least width shrank, never alone)
    win.grab()
    QApplication.processEvents()
    line = QFontMetrics(QApplication.font()).height()
    for view in (win.space_view, win.loss_view):
        picture = view.picture()
        item = picture.item
        frame, box, width = np.ravel(item.vb.viewRange()), item.vb.size().toTuple(), item.width()
        with exports.legend_shown(picture):
            QApplication.processEvents()
            assert np.ravel(item.vb.viewRange()) == pytest.approx(frame, abs=1e-6), view.title
            assert item.vb.size().toTuple() == pytest.approx(box), view.title
            assert item.titleLabel.height() > 1.5 * line, view.title  # four runs: two lines at this width
        image = exports.picture_image(picture, 1)
        assert image.width() == round(width) and image.height() > item.height() + line, view.title
        assert np.ravel(item.vb.viewRange()) == pytest.approx(frame, abs=1e-6)  # the window's plot as it was


def test_a_taller_picture_keeps_every_plots_tick_labels_and_its_width(large_text_state):
    """A picture taller than its plot widget by the legend above lost the tick labels the widget does not show (the
    y axes draw only inside the window's view): the optimizer state's picture at Large text had no labels on its
    learning-rate and step-size plots. Its legend wraps across the whole picture, which keeps the widget's width;
    the picture grows by the legend's height, every plot as tall as on screen (the first was ~10 px shorter)."""
    from app import exports

    state = large_text_state
    picture = state.pictures()[0]
    labels = {key: sorted(drawn_tick_labels(plot.getAxis("left"))) for key, plot in state.plots.items()}
    boxes = [plot.vb.size().toTuple() for plot in state.plots.values()]
    grid = picture.item.layout
    rows = [(grid.rowMinimumHeight(row), grid.rowMaximumHeight(row)) for row in range(grid.rowCount())]
    width = picture.item.width()
    with exports.legend_shown(picture):
        QApplication.processEvents()
        assert {key: sorted(drawn_tick_labels(plot.getAxis("left"))) for key, plot in state.plots.items()} == labels
        # every plot framed as on screen: the legend's row is added above the first, not taken from the plots
        assert [plot.vb.size().toTuple() for plot in state.plots.values()] == [pytest.approx(box) for box in boxes]
        assert picture.item.width() == pytest.approx(width)
        assert picture.legend_plot.titleLabel.width() > 0.9 * width  # across the picture, not the plot's column
    QApplication.processEvents()
    assert [plot.vb.size().toTuple() for plot in state.plots.values()] == [pytest.approx(box) for box in boxes]
    grid = picture.item.layout  # the rows' heights are free again (a taller dock makes the plots taller)
    assert [(grid.rowMinimumHeight(row), grid.rowMaximumHeight(row)) for row in range(grid.rowCount())] == rows


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_an_entry_wider_than_its_legend_row_breaks_between_words_not_off_its_end(qtbot, mode):
    """Lesson 4 at Extra large text on 1280x720, a step taken: the data plot's legend read "◯ latest batch (sky blue,
    not" - the entry (351 px) was wider than the row (276 px), and a legend breaks only between entries. Such an
    entry breaks between its words, its every word shown; an entry that fits stays whole."""
    theme().mode = mode
    theme().set_text_size("huge")
    window = shown_window(qtbot, "04_batch_size_noise", (1280, 720))
    window.model.step(2)
    qtbot.wait(50)
    legend = window.data_view.legend
    doc = QTextDocument()
    doc.setHtml(legend.text())
    words = doc.toPlainText().replace(WORD_JOINER, "").replace("\xa0", " ")
    assert "latest batch (sky blue, not orange)" in words, words
    assert legend.fontMetrics().horizontalAdvance("◯ latest batch (sky blue, not orange)") > legend.width()
    assert shown_whole(legend)
    window.runner.pause()
