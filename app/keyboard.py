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
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QApplication, QWidget


class SpaceForTabbedButtons(QObject):
    """Lets the button that the keyboard focused claim Space (see the module doc): focus that arrives while no
    mouse button is down came from the keyboard (Tab, Shift+Tab) or from the window, never from a click."""

    def __init__(self, app: QApplication):
        super().__init__(app)
        self._button: QAbstractButton | None = None
        app.focusChanged.connect(self._focus_moved)

    def _focus_moved(self, old: QWidget | None, now: QWidget | None) -> None:
        if self._button is not None and shiboken6.isValid(self._button):
            self._button.removeEventFilter(self)
        self._button = None
        if isinstance(now, QAbstractButton) and QApplication.mouseButtons() == Qt.MouseButton.NoButton:
            self._button = now
            now.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if (event.type() == QEvent.Type.ShortcutOverride and event.key() == Qt.Key.Key_Space
                and event.modifiers() == Qt.KeyboardModifier.NoModifier):
            event.accept()  # the key press goes to the button, not to the Run shortcut
        return False


class TabLeavesItemViews(QObject):
    """Tab and Shift+Tab move on from a table or list instead of between its cells (see the module doc)."""

    def __init__(self, app: QApplication):
        super().__init__(app)
        app.focusChanged.connect(self._focus_moved)

    @staticmethod
    def _focus_moved(old: QWidget | None, now: QWidget | None) -> None:
        if isinstance(now, QAbstractItemView) and now.tabKeyNavigation():
            now.setTabKeyNavigation(False)


def install_keyboard_rules(app: QApplication) -> None:
    """Set up :class:`SpaceForTabbedButtons` and :class:`TabLeavesItemViews` for ``app`` (once, however many
    windows it opens)."""
    for rule in (SpaceForTabbedButtons, TabLeavesItemViews):
        if app.findChild(rule) is None:
            rule(app)
