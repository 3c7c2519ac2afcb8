"""Never lose a student's work: the title's modified marker, and Save / Discard / Cancel before anything throws a
modified session away (New, Open, a lesson, a recent file, Quit).

The session is modified when the undo stack is away from its clean index (every user change goes through it,
see :mod:`app.undo`) or when any run's training progress or the lesson's answers differ from what was saved -
the one place that decides, so no slot sets a flag of its own. Saving, opening and New make it clean.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox


def ask_to_save(parent, before: str) -> str:
    """Ask whether to save the changes ``before`` doing something: "save", "discard" or "cancel"."""
    buttons = QMessageBox.StandardButton
    box = QMessageBox(QMessageBox.Icon.Warning, "GD Lab", "This session has changes that are not saved.",
                      buttons.Save | buttons.Discard | buttons.Cancel, parent)
    box.setObjectName("save_changes")
    box.setInformativeText(f"Save them before {before}?")
    box.setDefaultButton(buttons.Save)
    box.setEscapeButton(buttons.Cancel)
    answer = box.exec()
    return {buttons.Save: "save", buttons.Discard: "discard"}.get(buttons(answer), "cancel")


class WorkGuard(QObject):
    """Tracks whether the window's session is modified and asks before it is discarded."""

    def __init__(self, window):
        super().__init__(window)
        self.window, self.model, self.stack = window, window.model, window.undo.stack
        self.interactive = True  # False where nobody can answer (the screenshot mode): never ask
        self._unsaved = False  # work that exists nowhere on disk (restored from an autosave)
        self._saved_progress = self._progress()
        self._clean = True
        self.stack.cleanChanged.connect(self._clean_changed)
        events = self.model.events
        events.advanced.connect(lambda runs: self.refresh())
        events.run_reset.connect(lambda run, reason: self.refresh())
        events.answered.connect(self.refresh)
        events.session_loaded.connect(self.mark_saved)  # what was opened is what is on disk
        window.files.saved.connect(self.mark_saved)
        self.refresh()

    def _progress(self) -> tuple:
        """What a save records beyond the undo stack: each run's step count and the student's answers."""
        steps = tuple((id(run), run.trainer.step) for run in self.model.runs)
        return steps, tuple(sorted(self.model.answers.items()))

    @property
    def modified(self) -> bool:
        return self._unsaved or not self._clean or self._progress() != self._saved_progress

    def _clean_changed(self, clean: bool) -> None:
        self._clean = clean  # kept here: the stack emits this while it is being deleted, too
        self.refresh()

    def refresh(self, *_) -> None:
        if shiboken6.isValid(self.window):  # the undo stack says "clean" once more as the window is deleted
            self.window.setWindowModified(self.modified)

    def mark_saved(self, *_) -> None:
        self.stack.setClean()
        self._clean = True
        self._saved_progress = self._progress()
        self._unsaved = False
        self.refresh()

    def mark_unsaved(self) -> None:
        """The session holds work that is not in any file (restored after a crash)."""
        self._unsaved = True
        self.refresh()

    def may_discard(self, before: str) -> bool:
        """Whether the session may be thrown away now: not modified, or the user saved it or chose to discard
        it. Cancel, or a Save that failed or was cancelled, leaves everything as it was (training paused while
        asking goes on again)."""
        if not self.modified or not self.interactive:
            return True
        runner = self.window.runner
        was_running = runner.running
        runner.pause()
        answer = ask_to_save(self.window, before)
        if answer == "discard" or (answer == "save" and self.window.files.save()):
            return True
        if was_running:
            runner.start()
        return False
