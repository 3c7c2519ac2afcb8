"""Space presses the button the keyboard moved to, as everywhere on the desktop; elsewhere it stays Run.

Space is the window's Run shortcut, and a window shortcut wins over a focused button (buttons do not claim the
keys they use). A student who pressed Tab until "Check answers" had the focus and then Space ran the lesson
instead. :class:`SpaceForTabbedButtons` lets the button take Space - but only when the keyboard brought the focus
to it: a button clicked with the mouse keeps the focus too, and Space must go on running.

It follows the application's focusChanged signal and filters the events of the focused button alone: a filter on
the whole application would run Python for every event of every widget (thousands at launch).
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget


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


def give_space_to_tabbed_buttons(app: QApplication) -> None:
    """Set up :class:`SpaceForTabbedButtons` for ``app`` (once, however many windows it opens)."""
    if app.findChild(SpaceForTabbedButtons) is None:
        SpaceForTabbedButtons(app)
