"""Space presses a button the keyboard moved to (Tab), and stays Run everywhere else - a button clicked with the
mouse included (see app/keyboard.py)."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QCheckBox


def test_space_presses_a_button_tabbed_to_and_runs_after_a_mouse_click(window, qtbot):
    add, runs = window.findChild(QAbstractButton, "run_add"), len(window.model.runs)
    add.setFocus(Qt.FocusReason.TabFocusReason)  # the keyboard moved the focus to the run list's Add button
    QTest.keyClick(add, Qt.Key.Key_Space)
    assert len(window.model.runs) == runs + 1 and not window.runner.running  # was: Run, and no run added
    box = next(b for b in window.findChildren(QCheckBox)
               if b.isVisible() and b.focusPolicy() & Qt.FocusPolicy.ClickFocus)
    QTest.mouseClick(box, Qt.MouseButton.LeftButton)  # a click takes the focus
    checked = box.isChecked()
    assert box.hasFocus()
    QTest.keyClick(box, Qt.Key.Key_Space)
    assert window.runner.running and box.isChecked() == checked  # Space is still Run
    window.runner.pause()
