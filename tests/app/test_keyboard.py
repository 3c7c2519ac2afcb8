"""Space presses a button the keyboard moved to (Tab), and stays Run everywhere else - a button clicked with the
mouse included (see app/keyboard.py)."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QCheckBox


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


def test_tab_leaves_a_table_instead_of_walking_its_cells(qtbot):
    """The results table kept Tab among its cells for ever: the lesson's questions were out of the keyboard's
    reach. A table built after the rules were installed (docks are built lazily) lets Tab go too."""
    from PySide6.QtWidgets import QPushButton, QTableWidget, QVBoxLayout, QWidget

    from app.keyboard import install_keyboard_rules

    install_keyboard_rules(QApplication.instance())
    holder = QWidget()
    qtbot.addWidget(holder)
    layout = QVBoxLayout(holder)
    table, after = QTableWidget(3, 4), QPushButton("after")
    layout.addWidget(table)
    layout.addWidget(after)
    holder.show()
    qtbot.waitExposed(holder)
    holder.activateWindow()
    assert QTest.qWaitForWindowActive(holder)
    table.setFocus(Qt.FocusReason.TabFocusReason)
    table.setCurrentCell(0, 0)
    QTest.keyClick(table, Qt.Key.Key_Tab)
    assert after.hasFocus()
    table.setFocus()
    QTest.keyClick(table, Qt.Key.Key_Right)
    assert table.currentColumn() == 1  # the arrows still walk the cells


def test_the_focus_arriving_in_a_dock_behind_a_tab_brings_the_tab_to_the_front(qtbot):
    """A bare main window with two tabbed docks (no GD Lab window): Tab reached the Sharpness dock's widgets behind
    the Results tab, and the focus was nowhere to be seen for four stops."""
    from PySide6.QtWidgets import QDockWidget, QMainWindow, QPushButton, QTabBar

    from app.keyboard import install_keyboard_rules

    install_keyboard_rules(QApplication.instance())
    window = QMainWindow()
    qtbot.addWidget(window)
    window.setCentralWidget(QPushButton("centre"))
    front, back = QDockWidget("Results"), QDockWidget("Sharpness")
    front.setWidget(QPushButton("in front"))
    back.setWidget(QPushButton("behind"))
    for dock in (back, front):
        dock.setObjectName(dock.windowTitle())
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    window.tabifyDockWidget(back, front)
    window.show()
    qtbot.waitExposed(window)
    front.raise_()
    QApplication.processEvents()
    bar = window.findChild(QTabBar)
    assert bar.tabText(bar.currentIndex()) == "Results"
    back.widget().setFocus(Qt.FocusReason.TabFocusReason)
    QApplication.processEvents()
    assert bar.tabText(bar.currentIndex()) == "Sharpness"  # was: still Results, the focus out of sight
    front.widget().setFocus(Qt.FocusReason.TabFocusReason)
    QApplication.processEvents()
    assert bar.tabText(bar.currentIndex()) == "Results"


@pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard")  # the list, opened offscreen
def test_a_key_on_a_closed_choice_box_opens_its_list_and_changes_nothing_until_chosen(window, qtbot):
    """Down on the focused problem box switched the problem at once (Qt's way), starting the run afresh - a
    student moving through the panel with the keyboard lost the run at each press. Every choice box now opens its
    list for such a key (an arrow, PageUp/PageDown, Home/End, a letter: the first choice so named is marked); the
    choice is made there with Enter, and Escape leaves it as it was. The schedule box too: one rule for all."""
    from .conftest import panel

    model = window.model
    model.step(5)
    problem = panel(window, "ProblemPanel").problem
    schedule = panel(window, "LearningRatePanel").schedule
    for box, key in ((problem, "problem"), (schedule, "schedule")):
        window.settings_scroll.ensureWidgetVisible(box)
        before = model.selected.config[key]
        for pressed in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_End, Qt.Key.Key_Q):
            box.setFocus()
            qtbot.waitUntil(box.hasFocus)
            QTest.keyClick(box, pressed)
            assert model.selected.config[key] == before and model.selected.trainer.step == 5, (key, pressed)
            qtbot.waitUntil(box.view().isVisible)  # the list, open
            QTest.keyClick(box.view(), Qt.Key.Key_Escape)
            qtbot.waitUntil(lambda b=box: not b.view().isVisible())
            assert model.selected.config[key] == before and model.selected.trainer.step == 5, (key, pressed)
    box = problem
    box.setFocus()
    QTest.keyClick(box, Qt.Key.Key_Q)  # marks the quadratic bowl in the list
    qtbot.waitUntil(box.view().isVisible)
    QTest.keyClick(box.view(), Qt.Key.Key_Return)  # chosen: now it changes
    qtbot.waitUntil(lambda: model.selected.config["problem"] == "quadratic")
