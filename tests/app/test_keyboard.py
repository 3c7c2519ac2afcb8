"""Space presses a button the keyboard moved to (Tab), and stays Run everywhere else - a button clicked with the
mouse included (see app/keyboard.py)."""

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
