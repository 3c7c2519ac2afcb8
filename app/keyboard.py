"""Space presses the button the keyboard moved to, as everywhere on the desktop; elsewhere it stays Run; Tab
leaves a table.

Space is the window's Run shortcut, and a window shortcut wins over a focused button (buttons do not claim the
keys they use). A student who pressed Tab until "Check answers" had the focus and then Space ran the lesson
instead. :class:`SpaceForTabbedButtons` lets the button take Space - but only when the keyboard brought the focus
to it: a button clicked with the mouse keeps the focus too, and Space must go on running.

It follows the application's focusChanged signal and filters the events of the focused button alone: a filter on
the whole application would run Python for every event of every widget (thousands at launch).

A table (Qt's default) moved Tab from cell to cell and never let it go: a student tabbing through the window
was stuck in the results table, 12 cells a run, and never reached the lesson's questions. Every table here is
read, not edited: :class:`TabLeavesItemViews` turns that off on the first focus a table gets (wherever it was
built, now or later in a dock); the arrow keys still move between cells.

A dock behind another dock's tab keeps its widgets in the focus chain (Qt moves it out of sight, it does not
hide it): tabbing on from the lesson's answers, the focus went four stops into the Sharpness dock behind the
Results tab - its export button, plot, check box and spin box - where nobody could see it.
:class:`FocusShowsItsDock` brings such a dock's tab to the front when the focus arrives in it.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QApplication, QDockWidget, QTabBar, QWidget


class SpaceForTabbedButtons(QObject):
    """Lets the button (or the check list) that the keyboard focused claim Space (see the module doc): focus that
    arrives while no mouse button is down came from the keyboard (Tab, Shift+Tab) or from the window, never from a
    click."""

    def __init__(self, app: QApplication):
        super().__init__(app)
        self._button: QAbstractButton | None = None
        app.focusChanged.connect(self._focus_moved)

    def _focus_moved(self, old: QWidget | None, now: QWidget | None) -> None:
        if self._button is not None and shiboken6.isValid(self._button):
            self._button.removeEventFilter(self)
        self._button = None
        if (isinstance(now, (QAbstractButton, QAbstractItemView))
                and QApplication.mouseButtons() == Qt.MouseButton.NoButton):
            self._button = now
            now.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if (event.type() == QEvent.Type.ShortcutOverride and event.key() == Qt.Key.Key_Space
                and event.modifiers() == Qt.KeyboardModifier.NoModifier and _takes_space(watched)):
            event.accept()  # the key press goes to the button, not to the Run shortcut
        return False


def _takes_space(widget) -> bool:
    """A button, or a list whose current row has a check box (the runs' list: Space shows or hides the run - a
    run could be hidden with the mouse alone)."""
    if isinstance(widget, QAbstractButton):
        return True
    return bool(widget.currentIndex().flags() & Qt.ItemFlag.ItemIsUserCheckable)


class TabLeavesItemViews(QObject):
    """Tab and Shift+Tab move on from a table or list instead of between its cells (see the module doc)."""

    def __init__(self, app: QApplication):
        super().__init__(app)
        app.focusChanged.connect(self._focus_moved)

    @staticmethod
    def _focus_moved(old: QWidget | None, now: QWidget | None) -> None:
        if isinstance(now, QAbstractItemView) and now.tabKeyNavigation():
            now.setTabKeyNavigation(False)


class FocusShowsItsDock(QObject):
    """A docked widget that gets the focus behind another dock's tab brings its dock's tab to the front (see the
    module doc)."""

    def __init__(self, app: QApplication):
        super().__init__(app)
        app.focusChanged.connect(self._focus_moved)

    @staticmethod
    def _focus_moved(old: QWidget | None, now: QWidget | None) -> None:
        dock = now
        while dock is not None and not isinstance(dock, QDockWidget):
            dock = dock.parentWidget()
        if dock is None or dock.isFloating() or dock.parentWidget() is None:
            return
        # a main window's tab bars of tabbed docks are its own children, one tab per dock, named by its title
        for bar in dock.parentWidget().findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
            behind = [i for i in range(bar.count()) if bar.tabText(i) == dock.windowTitle()]
            if behind and bar.currentIndex() not in behind:
                dock.raise_()
                return


def install_keyboard_rules(app: QApplication) -> None:
    """Set up :class:`SpaceForTabbedButtons`, :class:`TabLeavesItemViews` and :class:`FocusShowsItsDock` for
    ``app`` (once, however many windows it opens)."""
    for rule in (SpaceForTabbedButtons, TabLeavesItemViews, FocusShowsItsDock):
        if app.findChild(rule) is None:
            rule(app)
