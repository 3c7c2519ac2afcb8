"""A progress dialog for replaying runs (opening a session saved at step 100,000, undoing a change made late in
a long run): it appears only when the replay takes longer than half a second."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog

#: The dialog shows once a replay is expected to take longer than this (milliseconds).
SHOW_AFTER_MS = 500


class Cancelled(Exception):
    """The user cancelled the replay."""


class ReplayProgress:
    """A ``progress(done, total)`` callback for :func:`gd_core.replay.replay` and the model's load and undo."""

    def __init__(self, parent, label: str, cancellable: bool):
        self.parent, self.label, self.cancellable = parent, label, cancellable
        self.dialog: QProgressDialog | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.dialog is None:
            self.dialog = QProgressDialog(self.label, "Cancel" if self.cancellable else None, 0, 1000, self.parent)
            self.dialog.setObjectName("replay_progress")
            self.dialog.setWindowTitle("GD Lab")
            self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
            self.dialog.setMinimumDuration(SHOW_AFTER_MS)
            self.dialog.setAutoReset(False)
            self.dialog.setValue(0)
        self.dialog.setValue(round(1000 * done / max(total, 1)))  # lets events through once it shows
        if self.dialog.wasCanceled():
            raise Cancelled

    def close(self) -> None:
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None

    def __enter__(self) -> ReplayProgress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
