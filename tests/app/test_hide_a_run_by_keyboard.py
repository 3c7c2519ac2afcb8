"""A run can be hidden and shown again from the keyboard."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest


def test_space_in_the_runs_list_reached_by_tab_hides_and_shows_the_run(window, qtbot):
    """Tab to the runs' list, Space: the Run shortcut ran the runs - a run could be hidden with the mouse alone.
    Now Space there ticks the current run as a click on its box does; clicked with the mouse, Space still runs."""
    runs = window.run_list.list
    run = window.model.selected
    runs.setFocus(Qt.FocusReason.TabFocusReason)  # as Tab brings it (no mouse button down)
    qtbot.waitUntil(runs.hasFocus)
    QTest.keyClick(runs, Qt.Key.Key_Space)
    assert not run.visible and not window.runner.running
    QTest.keyClick(runs, Qt.Key.Key_Space)
    assert run.visible
    window.undo.stack.undo()
    assert not run.visible  # one undoable edit each
    runs.clearFocus()
    window.keyboard_home()
    rect = runs.visualItemRect(runs.item(0))
    QTest.mouseClick(runs.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # the name, not its box
    qtbot.waitUntil(runs.hasFocus)
    QTest.keyClick(runs, Qt.Key.Key_Space)
    assert window.runner.running and not run.visible
    window.runner.pause()
