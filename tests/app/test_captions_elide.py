"""Captions above the plots end in "…" where their dock is too narrow, with the whole text in their tooltip:
at 1280x720 lesson 17's data caption was cut mid-word ("predicted vs. actual target (pe") with nothing to say
more was there."""

import pytest
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QLabel, QProxyStyle, QStyle

import gd_core
from app.theme import theme

from .conftest import panel, shown_window

LONG = "predicted vs. actual target (perfect fit on the diagonal)"


def shown(label) -> str:
    return QLabel.text(label)  # what is drawn; ElidedLabel.text() is the whole text


def test_a_caption_too_long_for_its_dock_ends_in_an_ellipsis_and_keeps_its_whole_text(qtbot):
    window = shown_window(qtbot, "17_how_big_a_batch", (1280, 720))
    window.runner.pause()
    caption = window.data_view.caption
    qtbot.waitUntil(lambda: caption.isVisible() and caption.width() > 50)
    assert caption.text() == LONG and caption.toolTip() == LONG
    assert shown(caption).endswith("…") and LONG.startswith(shown(caption)[:-1])
    assert caption.fontMetrics().horizontalAdvance(shown(caption)) <= caption.contentsRect().width()
    caption.resize(caption.fontMetrics().horizontalAdvance(LONG) + 20, caption.height())  # room for all of it
    assert shown(caption) == LONG
    theme().set_text_size("large")  # a larger font: elided again to the width it has
    try:
        QApplication.processEvents()
        assert shown(caption).endswith("…")
        assert caption.fontMetrics().horizontalAdvance(shown(caption)) <= caption.contentsRect().width()
    finally:
        theme().set_text_size("normal")


class DrawnLabels(QProxyStyle):
    """The application's style, noting each combo box label it draws (the text as drawn)."""

    def __init__(self):
        super().__init__(QApplication.style().name())
        self.drawn: list[str] = []

    def drawControl(self, element, option, painter, widget=None):  # noqa: N802 (Qt's name)
        if element == QStyle.ControlElement.CE_ComboBoxLabel:
            self.drawn.append(option.currentText)
        super().drawControl(element, option, painter, widget)


@pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard")  # the list, opened offscreen
def test_a_choice_too_long_for_its_box_ends_in_an_ellipsis_with_the_whole_name_in_its_tooltip(qtbot):
    """A narrow settings panel showed "Neural network (MLP, cross-entr", clipped mid-word with nothing to say more
    was there: the choice now ends in "…", the tooltip starts with it whole, and the list shows every name whole."""
    window = shown_window(qtbot, None, (1280, 720))
    model, box = window.model, panel(window, "ProblemPanel").problem
    model.update_config(model.selected, gd_core.switch_problem(model.config_copy(model.selected), "mlp"))
    whole, tip = "Neural network (MLP, cross-entropy)", "The objective to minimise; changing it starts the run afresh."
    style = DrawnLabels()
    box.setStyle(style)
    metrics = box.fontMetrics()
    box.setFixedWidth(metrics.horizontalAdvance(whole) // 2 + 40)  # as narrow as a settings panel may make it
    box.grab()
    drawn = style.drawn[-1]
    assert box.currentText() == whole and drawn.endswith("…") and whole.startswith(drawn[:-1]) and len(drawn) > 5
    assert box.toolTip() == f"{whole}\n{tip}"
    box.setFixedWidth(box.sizeHint().width())  # room for it: whole, and the tooltip as it was
    box.grab()
    assert style.drawn[-1] == whole and box.toolTip() == tip
    box.setFixedWidth(metrics.horizontalAdvance(whole) // 2 + 40)
    box.showPopup()
    view = box.view()
    try:
        assert all(view.visualRect(box.model().index(row, 0)).width() >= metrics.horizontalAdvance(box.itemText(row))
                   for row in range(box.count()))
    finally:
        box.hidePopup()
    window.runner.pause()


def test_the_colour_bars_name_is_whole_or_short_or_none_never_cut(qtbot):
    """Lesson 21 at Extra large text on 1280x720: the parameter space is ~85 px tall, and its colour bar's name
    "log10(1 + loss − min)" was cut at both ends ("g10(1 + loss −"). The bar is named whole where it has room,
    "log(1+ΔL)" where only that fits, and not at all where nothing does."""
    window = shown_window(qtbot, "21_adam_radam_warmup", (1280, 720))
    window.runner.pause()
    qtbot.waitUntil(lambda: window.space_view.surface_ready, timeout=10000)
    axis = window.space_view.colorbar.getAxis("left")  # where pyqtgraph writes a colour bar's name
    plot = window.space_view.plot
    names = []
    try:
        for height in (500, 160, 80, 40):
            plot.setFixedHeight(height)
            QApplication.processEvents()
            name = axis.label.toPlainText().strip() if axis.label.isVisible() else ""
            names.append(name)
            assert name in ("log10(1 + loss − min)", "log(1+ΔL)", ""), name
            drawn = QFontMetrics(axis.label.font()).horizontalAdvance(name)
            assert drawn <= axis.height(), (height, name, axis.height())
    finally:
        plot.setMinimumHeight(0)
        plot.setMaximumHeight(16777215)
    assert names[0] == "log10(1 + loss − min)" and "log(1+ΔL)" in names and names[-1] == "", names
