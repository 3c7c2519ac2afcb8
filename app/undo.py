"""Undo and redo: each user action the model records (:mod:`app.edits`) becomes one command on a QUndoStack,
with an Edit menu that says what Undo and Redo will do (Ctrl+Z, Ctrl+Shift+Z).

An undo or redo runs between two timer ticks (both live in the GUI thread), with the runner held while it
applies - a replay that shows a progress dialog lets events through, and no tick may advance a run whose
trainer is being swapped - then running again if it was.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QKeySequence, QUndoCommand, QUndoStack

from .edits import Edit, StepBurst
from .progress import Cancelled, ReplayProgress
from .widgets import menu_label

#: Actions kept for undo; each may hold a run's earlier trainer (its history), so the memory stays bounded.
UNDO_LIMIT = 100


#: The id of a command made by a step of an input (:class:`~app.edits.StepBurst`): the stack offers the next
#: one to it to merge (Qt's QUndoCommand.mergeWith); -1 (Qt's "never merge") for every other.
STEP = 1


def _menu_text(edit: Edit) -> str:
    """A command's text, and after a line break the Edit menu's words for it (Qt's action text): a '&' in a run's
    name as itself, a long name cut."""
    return f"{edit.text}\n{menu_label(edit.text)}"


class EditCommand(QUndoCommand):
    """A thin command over an :class:`~app.edits.Edit`: the action was already applied when it was pushed. The
    edits of one burst of steps on an input (wheel notches, arrow keys) merge into one command."""

    def __init__(self, edit: Edit, history: UndoHistory, burst: object | None = None):
        super().__init__(_menu_text(edit))
        self.edit, self._history, self._skip = edit, history, True  # QUndoStack.push calls redo: already done
        self.burst = burst

    def id(self) -> int:
        return STEP if self.burst is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt's name)
        if not isinstance(other, EditCommand) or other.burst is not self.burst or not self.edit.absorb(other.edit):
            return False
        self.setText(_menu_text(self.edit))
        return True

    def redo(self) -> None:
        if self._skip:
            self._skip = False
        elif not self._history.apply(self.edit.redo, f"Redone: {self.edit.text}.",
                                     f"Redo cancelled: {self.edit.text} stays undone."):
            index = self._history.stack.index()  # Qt moves it after redo() returns
            self._history.keep_index(self, index, index)

    def undo(self) -> None:
        if self._skip:
            self._skip = False
        elif not self._history.apply(self.edit.undo, f"Undone: {self.edit.text}.",
                                     f"Undo cancelled: {self.edit.text} stays."):
            index = self._history.stack.index()  # Qt moves it after undo() returns
            self._history.keep_index(self, index - 1, index)


class UndoHistory(QObject):
    """The window's undo stack and its Edit menu (placed after the File menu)."""

    def __init__(self, window):
        super().__init__(window)
        self.window, self.model = window, window.model
        self.stack = QUndoStack(self)
        self.stack.setUndoLimit(UNDO_LIMIT)
        self.model.events.edited.connect(lambda edit: self.stack.push(EditCommand(edit, self, StepBurst.current)))
        self.model.events.session_loaded.connect(self.stack.clear)  # another session: nothing to undo into
        self.undo_action = self.stack.createUndoAction(window, "&Undo")
        self.redo_action = self.stack.createRedoAction(window, "&Redo")
        for action, name, keys, tip in (
                (self.undo_action, "action_undo", QKeySequence.StandardKey.Undo, "Undo the last change"),
                (self.redo_action, "action_redo", QKeySequence("Ctrl+Shift+Z"), "Redo what was undone")):
            action.setObjectName(name)
            action.setShortcut(keys)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setStatusTip(tip)
            window.addAction(action)
        self.menu = window.menuBar().addMenu("&Edit")
        self.menu.setObjectName("edit_menu")
        self.menu.addAction(self.undo_action)
        self.menu.addAction(self.redo_action)
        actions = window.menuBar().actions()  # Edit goes right after File, where users look for it
        if len(actions) > 1 and actions[1] is not self.menu.menuAction():
            window.menuBar().insertMenu(actions[1], self.menu)

    def apply(self, operation, done: str, cancelled: str) -> bool:
        """Apply an undo or redo with the runner held; False when the user cancelled its replay (nothing
        changed: edits make their replays before they change anything)."""
        runner = self.window.runner
        was_running = runner.running
        runner.pause()
        try:
            with ReplayProgress(self.window, "Rebuilding the run...", cancellable=True) as progress, \
                    self.model.applying_edits(progress):
                operation(self.model)
        except Cancelled:
            self.window.show_message(cancelled, "info")
            return False
        finally:
            if was_running:
                runner.start()
        self.window.show_message(done, "info")
        return True

    def keep_index(self, command: EditCommand, position: int, index: int) -> None:
        """A cancelled undo or redo of ``command`` (at ``position`` on the stack): the stack moves its index once
        the call returns, but the session has not moved - put the index back to ``index`` right after, with
        nothing applied again (unless the user has since moved or replaced the command)."""
        command._skip = True

        def put_back():
            if command._skip and position < self.stack.count() and self.stack.command(position) is command:
                self.stack.setIndex(index)
        QTimer.singleShot(0, put_back)
