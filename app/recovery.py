"""Autosave and recovery: every few minutes a modified session is copied next to the crash reports; the next
launch after a crash or a killed process offers to restore it.

Each window writes its own ``autosave-<id>.gdlab.json`` (a version-2 session: the runs reopen at the step they
had) and holds a QLockFile beside it while it lives; ``<copy>.origin`` names the file or lesson the session came
from, so a restored session has its name again and Save writes where the work was meant to go. The copies whose
lock is free - their process is gone - are offered at the next launch, all in one dialog (several windows may
have crashed together): restore one (the others stay for the launch after), discard them all, or keep them for
later. Closing the
window on purpose (after Save or Discard) deletes the window's own copy, and so does saving (the work is then on
disk).
"""

from __future__ import annotations

import datetime
import glob
import json
import os
import uuid
from dataclasses import dataclass

from PySide6.QtCore import QLockFile, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

import gd_core
from gd_core.files import file_name, read_json, rename, write_text
from gd_core.lesson_library import lesson_number
from gd_core.sessions import MAX_SESSION_BYTES, load_session

from .crash import report_dir

#: How often a modified session is copied (milliseconds).
AUTOSAVE_INTERVAL_MS = 2 * 60 * 1000
PATTERN = "autosave-*.gdlab.json"
ORIGIN = ".origin"  # beside a copy: {"path": the session's file or null, "lesson": its lesson name or null}


def _lock_for(path: str) -> QLockFile:
    lock = QLockFile(path + ".lock")
    lock.setStaleLockTime(0)  # a lock is stale only when its process is gone, however long a session lasts
    return lock


def set_aside(path: str) -> str | None:
    """Keep a copy that does not open under a name no launch offers (``autosave-<id>-unrestored.json``), so the
    work in it is not deleted with it (its runs' settings can still be read); returns that name, or None when
    it could not be moved (then it is deleted: offered again, it would fail again). Renamed, not read and
    written again: a copy that did not open for its size or its bytes (not UTF-8) is kept as it was - a bounded
    read refused the one and a decode replaced the others."""
    kept = path.removesuffix(".gdlab.json") + "-unrestored.json"
    try:
        rename(path, kept)  # atomic: the copy under one name or the other, never half of it
    except OSError:
        kept = None
    _remove(path)
    return kept


def _remove(path: str) -> None:
    for name in (path, path + ".lock", path + ORIGIN):
        try:
            os.remove(name)
        except FileNotFoundError:
            pass


class Autosaver(QObject):
    """Copies the window's session every :data:`AUTOSAVE_INTERVAL_MS` while it has unsaved changes."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.path: str | None = None  # chosen at the first copy (the folder is made then)
        self._lock: QLockFile | None = None
        self._written: str | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(AUTOSAVE_INTERVAL_MS)
        self.timer.timeout.connect(self.save_now)
        self.timer.start()
        window.files.saved.connect(lambda path: self.discard())

    def save_now(self) -> str | None:
        """Copy the session if it is modified and changed since the last copy; returns the copy's path."""
        if not self.window.guard.modified:
            return None
        text = json.dumps(self.window.model.to_session().to_dict(), indent=1) + "\n"
        path = self.window.files.path
        origin = json.dumps({"path": os.fspath(path) if path else None, "lesson": self.window.model.lesson_name})
        if text == self._written:
            return self.path
        try:
            if self.path is None:
                self.path = os.path.join(report_dir(), f"autosave-{uuid.uuid4().hex[:12]}.gdlab.json")
                self._lock = _lock_for(self.path)
                self._lock.tryLock(0)
            write_text(self.path, text)
            write_text(self.path + ORIGIN, origin)
        except OSError as error:  # a full disk must not interrupt the lab; the next round tries again
            self.window.show_message(f"Could not write the autosave copy: {error.strerror or error}.", "error")
            return None
        self._written = text
        return self.path

    def discard(self) -> None:
        """Delete this window's copy (the work was saved, or the window closed on purpose)."""
        if self.path is not None:
            if self._lock is not None:
                self._lock.unlock()
            _remove(self.path)
        self.path, self._lock, self._written = None, None, None


def orphaned_autosaves(folder: str | None = None) -> list[str]:
    """Copies whose window is gone (no live process holds their lock), newest first."""
    found = []
    try:
        folder = folder or report_dir()
    except OSError:  # no folder for copies (a file by its name, a read-only place): none to offer - the window
        return []    # must open all the same, and its first autosave says why it cannot copy
    for path in glob.glob(os.path.join(folder, PATTERN)):
        if not os.path.isfile(path):  # a dangling link, a FIFO or a folder by that name is no copy of ours
            continue
        lock = _lock_for(path)
        if lock.tryLock(0):  # free, or left by a process that no longer runs
            lock.unlock()
            found.append(path)
    return sorted(found, key=_modified, reverse=True)


def _modified(path: str) -> float:
    """When the copy was last written (0 if it went meanwhile: another launch may discard it)."""
    try:
        return os.path.getmtime(path)
    except OSError:
        return 0.0


def _origin(path: str) -> dict:
    """Where the copy's session came from (its file, its lesson); {} when that is unknown or unreadable."""
    try:
        origin = read_json(path + ORIGIN, "autosave origin", 64 * 1024)
    except gd_core.ConfigError:  # missing, unreadable or not JSON: the copy opens untitled
        return {}
    if not isinstance(origin, dict):
        return {}
    return {key: value for key, value in origin.items()
            if key in ("path", "lesson") and isinstance(value, str) and value and "\0" not in value}


@dataclass(frozen=True)
class AutosaveCopy:
    """An orphaned copy as the restore dialog lists it."""

    path: str
    when: str  # when it was last written, "2026-11-29 06:19"
    what: str  # the lesson, file or session title it holds
    runs: int | None  # how many runs (None: the copy cannot be read)


def describe(path: str) -> AutosaveCopy:
    """What the dialog says of the copy at ``path``: read as JSON only (no run is built)."""
    when = datetime.datetime.fromtimestamp(_modified(path)).strftime("%Y-%m-%d %H:%M")
    origin = _origin(path)
    try:
        data = read_json(path, "autosave", MAX_SESSION_BYTES, "autosave copy")
    except gd_core.ConfigError:
        data = None
    runs = len(data["runs"]) if isinstance(data, dict) and isinstance(data.get("runs"), list) else None
    title = data.get("title") if isinstance(data, dict) and isinstance(data.get("title"), str) else ""
    if "lesson" in origin:
        number = lesson_number(origin["lesson"])
        what = f"Lesson {number}: {title}" if number is not None and title else f"lesson {origin['lesson']}"
    elif "path" in origin:
        what = file_name(origin["path"])
    else:
        what = title or "untitled session"
    return AutosaveCopy(path, when, what if runs is not None else f"{what} (unreadable)", runs)


#: The restore dialog's answers.
RESTORE, DISCARD_ALL, LATER = "restore", "discard", "later"


class RestoreDialog(QDialog):
    """The autosaved copies of crashed windows, newest first, in one list: Restore the chosen one (Enter, or a
    double click), Discard All, or Keep for Later (Escape, or closing the dialog: nothing is deleted)."""

    def __init__(self, copies: list[AutosaveCopy], parent=None):
        super().__init__(parent)
        self.setObjectName("restore_autosave")
        self.setWindowTitle("GD Lab - Unsaved work")
        self.answer = LATER
        many = len(copies) > 1
        self.message = QLabel(
            "<b>GD Lab did not close properly last time.</b><br>"
            + (f"{len(copies)} sessions had unsaved work. Restore one (the others stay for the next launch), or "
               "discard them all." if many else "A session had unsaved work. Restore it, or discard it."))
        self.message.setWordWrap(True)
        self.list = QTreeWidget()
        self.list.setObjectName("autosave_copies")
        self.list.setHeaderLabels(["saved at", "session", "runs"])
        self.list.setRootIsDecorated(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for copy in copies:
            item = QTreeWidgetItem([copy.when, copy.what, "" if copy.runs is None else str(copy.runs)])
            item.setData(0, Qt.ItemDataRole.UserRole, copy.path)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setToolTip(1, copy.path)
            self.list.addTopLevelItem(item)
        for column in (0, 2):
            self.list.resizeColumnToContents(column)
        self.list.setCurrentItem(self.list.topLevelItem(0))  # the newest
        shown = min(len(copies), 8)  # as tall as its rows (a long list scrolls), not a box of empty lines
        self.list.setFixedHeight(self.list.header().sizeHint().height() + shown * self.list.sizeHintForRow(0)
                                 + 2 * self.list.frameWidth() + 2)
        self.list.itemDoubleClicked.connect(lambda item, column: self._answer(RESTORE))
        buttons = QDialogButtonBox()  # in the platform's order
        self.restore = buttons.addButton("&Restore", QDialogButtonBox.ButtonRole.AcceptRole)
        self.discard = buttons.addButton("&Discard All" if many else "&Discard",
                                         QDialogButtonBox.ButtonRole.DestructiveRole)
        self.later = buttons.addButton("&Keep for Later", QDialogButtonBox.ButtonRole.RejectRole)
        self.restore.setDefault(True)  # Enter restores the chosen copy
        self.discard.setToolTip("Delete the unsaved copies: their work is lost.")
        self.later.setToolTip("Leave the copies where they are: the next launch offers them again.")
        self.restore.clicked.connect(lambda: self._answer(RESTORE))
        self.discard.clicked.connect(lambda: self._answer(DISCARD_ALL))
        self.later.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.message, self.list, buttons):
            layout.addWidget(widget)
        self.resize(max(self.sizeHint().width(), 560), self.sizeHint().height())

    def chosen(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else item.data(0, Qt.ItemDataRole.UserRole)

    def _answer(self, answer: str) -> None:
        self.answer = answer
        self.accept()


def choose_autosave(parent, copies: list[AutosaveCopy]) -> tuple[str, str | None]:
    """Ask what to do with the orphaned ``copies``: (RESTORE, the chosen copy's path), (DISCARD_ALL, None) or
    (LATER, None)."""
    dialog = RestoreDialog(copies, parent)
    dialog.exec()
    if dialog.answer == RESTORE and dialog.chosen():
        return RESTORE, dialog.chosen()
    return (DISCARD_ALL if dialog.answer == DISCARD_ALL else LATER), None


def offer_restore(window, folder: str | None = None) -> bool:
    """At launch: offer the orphaned copies in one dialog and do what it answers - restore the chosen copy into
    ``window`` (then delete it; the others stay for the next launch), delete them all, or leave them all. True
    when one was restored."""
    copies = [describe(path) for path in orphaned_autosaves(folder)]
    if not copies:
        return False
    answer, path = choose_autosave(window, copies)
    if answer == DISCARD_ALL:
        for copy in copies:
            _remove(copy.path)
    if answer != RESTORE:
        return False
    when = next(copy.when for copy in copies if copy.path == path)
    try:
        session = load_session(path)
    except gd_core.ConfigError as error:
        kept = set_aside(path)
        where = f" The copy is kept as {kept} (never offered again)." if kept else ""
        window.show_message(f"Could not restore the autosaved session: {error}.{where}", "error")
        return False
    origin = _origin(path)
    if not window.files.show_session(session, origin.get("path"), origin.get("lesson")):
        return False  # cancelled while replaying: the copy stays for the next launch
    _remove(path)
    window.guard.mark_unsaved()
    window.show_message(f"Restored the session autosaved at {when}. Save it (Ctrl+S) to keep it."
                        f"{others_kept(len(copies) - 1)}", "info")
    return True


def others_kept(others: int) -> str:
    """What the banner says of the copies not restored (it said "The 1 other copy stay")."""
    if not others:
        return ""
    return " The other copy stays for the next launch." if others == 1 else \
        f" The {others} other copies stay for the next launch."
