"""Autosave and recovery: every few minutes a modified session is copied next to the crash reports; the next
launch after a crash or a killed process offers to restore it.

Each window writes its own ``autosave-<id>.gdlab.json`` (a version-2 session: the runs reopen at the step they
had) and holds a QLockFile beside it while it lives; ``<copy>.origin`` names the file or lesson the session came
from, so a restored session has its name again and Save writes where the work was meant to go. A copy whose lock
is free - its process is gone - is offered at the next launch, and deleted once restored or declined. Closing the
window on purpose (after Save or Discard) deletes the window's own copy, and so does saving (the work is then on
disk).
"""

from __future__ import annotations

import datetime
import glob
import json
import os
import uuid

from PySide6.QtCore import QLockFile, QObject, QTimer
from PySide6.QtWidgets import QMessageBox

import gd_core
from gd_core.files import read_json, write_text
from gd_core.sessions import load_session

from .crash import report_dir

#: How often a modified session is copied (milliseconds).
AUTOSAVE_INTERVAL_MS = 2 * 60 * 1000
PATTERN = "autosave-*.gdlab.json"
ORIGIN = ".origin"  # beside a copy: {"path": the session's file or null, "lesson": its lesson name or null}


def _lock_for(path: str) -> QLockFile:
    lock = QLockFile(path + ".lock")
    lock.setStaleLockTime(0)  # a lock is stale only when its process is gone, however long a session lasts
    return lock


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
    for path in glob.glob(os.path.join(folder or report_dir(), PATTERN)):
        lock = _lock_for(path)
        if lock.tryLock(0):  # free, or left by a process that no longer runs
            lock.unlock()
            found.append(path)
    return sorted(found, key=os.path.getmtime, reverse=True)


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


def ask_to_restore(parent, when: str) -> bool:
    """Whether to restore the unsaved work autosaved at ``when``."""
    buttons = QMessageBox.StandardButton
    box = QMessageBox(QMessageBox.Icon.Question, "GD Lab", "GD Lab did not close properly last time.",
                      buttons.NoButton, parent)
    box.setObjectName("restore_autosave")
    box.setInformativeText(f"Restore the unsaved session copied at {when}? (Discard deletes the copy.)")
    restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(buttons.Discard)
    box.setDefaultButton(restore)
    box.exec()
    return box.clickedButton() is restore


def offer_restore(window, folder: str | None = None) -> bool:
    """At launch: offer each orphaned copy; restore the first one accepted into ``window``. Every copy
    offered is deleted (restored or declined); True when one was restored."""
    for path in orphaned_autosaves(folder):
        when = datetime.datetime.fromtimestamp(os.path.getmtime(path)).strftime("%Y-%m-%d %H:%M")
        if not ask_to_restore(window, when):
            _remove(path)
            continue
        try:
            session = load_session(path)
        except gd_core.ConfigError as error:
            window.show_message(f"Could not restore the autosaved session: {error}", "error")
            _remove(path)
            continue
        origin = _origin(path)
        if not window.files.show_session(session, origin.get("path"), origin.get("lesson")):
            return False  # cancelled while replaying: the copy stays for the next launch
        _remove(path)
        window.guard.mark_unsaved()
        window.show_message(f"Restored the session autosaved at {when}. Save it (Ctrl+S) to keep it.", "info")
        return True
    return False
