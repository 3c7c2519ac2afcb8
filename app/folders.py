"""Where every file dialog opens: the folder of the last file the student opened, saved or exported through one
(a session, a lesson, a plot, the window, the run histories, a lab report, an animation, training data),
remembered between launches; else their Documents folder, else their home folder - never the folder the app was
launched from (Save opened in the launch folder, a plot's Export in the home folder: the same lab's files went to
two places).
"""

from __future__ import annotations

import os
import re

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QMessageBox

from gd_core.files import path_from_text, path_text, shown_path

FOLDER_KEY = "files/last_folder"


def stored(settings: QSettings, key: str, kind, default):
    """The remembered value of ``key`` where it is a ``kind``, else ``default``: a settings file edited by hand or
    written by another program may hold anything there (an ini file reads "a, b" as a list, and text where Qt
    wrote bytes) - gdlab failed to start with a TypeError on a theme of "dark, light"."""
    value = settings.value(key, default)
    return value if isinstance(value, kind) else default


def _settings() -> QSettings:
    return QSettings("GD Lab", "GD Lab")


def error_text(error: OSError) -> str:
    """Why a file could not be written, as a message shows it (the path it may name: :func:`shown_path`)."""
    return shown_path(error.strerror or str(error))


def start_folder() -> str:
    """The folder a file dialog opens in: the last one used while it exists (a folder that is gone would show up
    in the dialog as a file name), else Documents, else home. A folder whose name holds bytes that are not UTF-8
    is kept whole, and the dialog opens in the nearest folder above it that Qt can name."""
    last = nameable(path_from_text(stored(_settings(), FOLDER_KEY, str, "")))
    if last and os.path.isdir(last):
        return last
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return documents if documents and os.path.isdir(documents) else os.path.expanduser("~")


def nameable(path: str) -> str:
    """``path``, or the nearest folder above it whose name Qt's strings keep: they drop bytes that are not UTF-8,
    and a dialog opened on "caf\\udce9" would open on "caf" - another folder, or none."""
    while path_text(path) != path:
        path = os.path.dirname(path)
    return path


def remember_folder(path: str) -> None:
    """Remember where a file was opened or written: ``path`` is the file, or a folder."""
    path = os.path.abspath(os.fspath(path))
    # a name in any bytes kept whole (Qt's strings dropped those not UTF-8: another folder, "caf" for "caf\udce9")
    _settings().setValue(FOLDER_KEY, path_text(path if os.path.isdir(path) else os.path.dirname(path)))


def start_path(name: str) -> str:
    """``name`` in :func:`start_folder`: what a save dialog proposes."""
    return os.path.join(start_folder(), name)


def may_replace(parent, folder: str, names: list[str]) -> bool:
    """Ask whether files ``names`` already in ``folder`` may be replaced (No is the default answer)."""
    shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
    answer = QMessageBox.question(parent, "Replace files?",
                                  f"{shown_path(folder)} already holds {shown}.\n\nReplace them?",
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def suffixed_path(parent, typed: str, path: str) -> str | None:
    """``path`` - the name ``typed`` in a save dialog, its extension added (:func:`with_chosen_suffix`) - where it
    may be written: the dialog asked before replacing the file typed, never the one with the extension ("win" was
    written over an existing win.png, "lab" over lab.gdlab.json, without a word). None: the user keeps that file."""
    if path == typed or not os.path.exists(path):
        return path
    return path if may_replace(parent, os.path.dirname(path), [os.path.basename(path)]) else None


def with_chosen_suffix(path: str, chosen: str) -> str:
    """``path`` with the extension of the file dialog's chosen filter ("PNG image (*.png)": ``.png``) when its name
    has none: a plot or the window exported as "loss" was refused ("choose a .png or .svg file")."""
    if os.path.splitext(os.path.basename(path))[1]:
        return path
    match = re.search(r"\*(\.\w+)", chosen)
    return path + match.group(1) if match else path


def ask_save_path(parent, caption: str, start: str, filters: str, suffix=None) -> str | None:
    """Ask where to write a file: the save dialog with ``start`` proposed, the name given the extension of the type
    chosen (``suffix(path)`` where the types' patterns do not give it: ".gdlab.json") and, where that names
    another file already there, the user asked before it is replaced (:func:`suffixed_path`). None: cancelled, or
    that file kept."""
    path, chosen = QFileDialog.getSaveFileName(parent, caption, start, filters)
    if not path:
        return None
    return suffixed_path(parent, path, suffix(path) if suffix else with_chosen_suffix(path, chosen or filters))
