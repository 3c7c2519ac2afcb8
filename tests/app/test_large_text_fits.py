"""Large (projector) text with a lesson open: the window still fits a 1366 x 768 laptop's screen."""

from PySide6.QtWidgets import QApplication

from app.run_list import RunList
from app.theme import theme

from .conftest import shown_window


def button_rows(window) -> set[int]:
    runs = window.findChild(RunList)
    grid = runs.button_grid
    return {grid.getItemPosition(grid.indexOf(button))[0] for button in runs.buttons.values()}


def test_large_text_with_a_lesson_fits_a_laptop_screen(qtbot):
    window = shown_window(qtbot, "23_overfitting_early_stopping", (1366, 768))
    try:
        theme().set_text_size("large")
        QApplication.processEvents()
        assert window.minimumSizeHint().width() <= 1366  # was 1,407: the lesson's Next button off screen
        assert button_rows(window) == {0, 1}  # the run buttons in two rows of two
        theme().set_text_size("normal")
        QApplication.processEvents()
        assert button_rows(window) == {0}  # one row where it fits
    finally:
        theme().set_text_size("normal")
