"""Captions above the plots end in "…" where their dock is too narrow, with the whole text in their tooltip:
at 1280x720 lesson 17's data caption was cut mid-word ("predicted vs. actual target (pe") with nothing to say
more was there."""

from PySide6.QtWidgets import QApplication, QLabel

from app.theme import theme

from .conftest import shown_window

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
