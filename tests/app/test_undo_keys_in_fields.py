"""Ctrl+Z and Ctrl+Shift+Z are the Edit menu's Undo and Redo while a settings field has the focus, unless the field
holds typing of its own to take back."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractSpinBox

from .conftest import panel

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def degree_box(window):
    return panel(window, "ProblemPanel").findChild(QAbstractSpinBox, "param_degree")


def test_undo_and_redo_keys_work_with_the_focus_in_a_field(window, qtbot):
    """A degree typed and applied (Enter), then a click back into the field and Ctrl+Z: nothing happened - the
    field took the keys for its own (empty) undo, and the Edit menu's Undo never ran."""
    box = degree_box(window)
    box.setFocus()
    qtbot.waitUntil(box.hasFocus)
    box.lineEdit().selectAll()
    QTest.keyClicks(box, "2")
    QTest.keyClick(box, Qt.Key.Key_Return)
    run = window.model.selected
    assert run.config["degree"] == 2
    box.setFocus()  # clicked into again
    qtbot.waitUntil(box.hasFocus)
    QTest.keyClick(box, Qt.Key.Key_Z, CTRL)
    assert run.config["degree"] == 1 and box.value() == 1
    QTest.keyClick(box, Qt.Key.Key_Z, CTRL | SHIFT)
    assert run.config["degree"] == 2
    box.lineEdit().selectAll()
    QTest.keyClicks(box, "3")  # typing not yet applied: Ctrl+Z takes the typing back, the session stays
    QTest.keyClick(box, Qt.Key.Key_Z, CTRL)
    assert box.lineEdit().text() == "2" and run.config["degree"] == 2
