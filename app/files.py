"""The File and Lessons menus: new, open, save, save as, recent files, lessons, and exports.

Opening reads and checks the whole file before the current work is touched; saving writes a temp file and
renames it. Every failure is one clear message in the window. New, Open, a lesson and a recent file ask first
when the session has unsaved changes (:mod:`app.guard`); a saved session reopens at the step it was saved at.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu

import gd_core
from gd_core.files import file_name, file_stem, path_from_text, path_text, shown_path
from gd_core.lesson_library import lesson_name, lesson_number, list_lessons, load_lesson
from gd_core.lessons import folder_lessons, read_lesson_folder
from gd_core.sessions import Session, SessionRun, load_session, save_session

from .export_menu import copy_picture, save_picture
from .folders import (
    ask_save_path,
    error_text,
    may_replace,
    nameable,
    remember_folder,
    start_folder,
    start_path,
    stored,
)
from .palette import RUN_COLORS
from .progress import Cancelled, ReplayProgress
from .session import DEFAULT_CONFIG
from .widgets import menu_label

MAX_RECENT = 8
#: The Lessons menu names at most this many files of the lesson folder that cannot be read, then says how many more.
MAX_GREYED_LESSONS = 10
SESSION_SUFFIX = ".gdlab.json"
SESSION_FILTER = "GD Lab sessions (*.gdlab.json);;JSON files (*.json);;All files (*)"


def with_session_suffix(path: str) -> str:
    """``path`` with ``.gdlab.json`` appended when its name has no extension (so Open's filter shows it)."""
    return path if os.path.splitext(os.path.basename(path))[1] else path + SESSION_SUFFIX


class FileActions(QObject):
    saved = Signal(str)  # the session was written to this path

    def __init__(self, window):
        super().__init__(window)
        self.window, self.model = window, window.model
        self.path: str | None = None
        self.animation_dialog = None  # made when first opened
        self.settings = QSettings("GD Lab", "GD Lab")
        menu = window.menuBar().addMenu("&File")
        menu.setObjectName("file_menu")
        self.actions = {}
        for name, text, key, slot in (("new", "&New", QKeySequence.StandardKey.New, self.new),
                                      ("open", "&Open...", QKeySequence.StandardKey.Open, self.open_dialog),
                                      ("save", "&Save", QKeySequence.StandardKey.Save, self.save),
                                      ("save_as", "Save &As...", QKeySequence.StandardKey.SaveAs, self.save_as)):
            action = QAction(text, window)
            action.setObjectName(f"action_{name}")
            action.setShortcut(key)
            action.triggered.connect(slot)
            menu.addAction(action)
            self.actions[name] = action
        self.recent_menu = QMenu("Open &Recent", menu)
        self.recent_menu.setObjectName("recent_menu")
        menu.addMenu(self.recent_menu)
        menu.addSeparator()
        export = menu.addMenu("&Export")
        plots = (("space_view", "Parameter space"), ("loss_view", "Loss curve"), ("data_view", "Data view"),
                 ("state_plot", "Optimizer state"), ("sharpness_view", "Sharpness"),
                 ("noise_scale_view", "Noise scale"), ("accuracy_view", "Accuracy"))
        for view_name, label in plots:
            export.addAction(f"{label} as PNG or SVG...", lambda v=view_name: self.export_plot(v))
        export.addAction("Surface 3D as PNG...", lambda: self.export_plot("surface_view"))  # a picture: no SVG
        export.addAction("Window as PNG...", self.export_window)
        export.addAction("Run histories as CSV...", self.export_histories)
        export.addAction("Lab report (HTML)...", self.export_lab_report).setObjectName("action_lab_report")
        export.addAction("Animation (GIF or MP4)...", self.export_animation).setObjectName("action_animation")
        export.addSeparator()
        for view_name, label in (*plots, ("surface_view", "Surface 3D")):
            export.addAction(f"Copy {label[0].lower() + label[1:]} to clipboard",
                             lambda v=view_name: self.copy_plot(v))
        menu.addSeparator()
        self.file_menu = menu
        self.lessons_menu = window.menuBar().addMenu("&Lessons")
        self.lessons_menu.setObjectName("lessons_menu")
        self.lessons_menu.aboutToShow.connect(self.fill_lessons)  # read the lesson files when wanted
        self.save_lesson_action = QAction("Save as &Lesson...", window)
        self.save_lesson_action.setObjectName("action_save_lesson")
        self.save_lesson_action.setToolTip("Turn this session into a lesson: title, text, questions, locks")
        self.save_lesson_action.setStatusTip("Turn this session into a lesson")  # whole at 1280 px, Large text
        self.save_lesson_action.triggered.connect(self.save_as_lesson)
        menu.insertAction(self.recent_menu.menuAction(), self.save_lesson_action)
        self._fill_recent()

    # -- lessons ---------------------------------------------------------------------------------------------
    @property
    def lesson_folder(self) -> str:
        """The instructor's folder of lessons ("" when none is chosen)."""
        return stored(self.settings, "lessons/folder", str, "")

    def lesson_names(self) -> list[str]:
        """Every lesson in menu order: the built-in ones by name, then the folder's by path."""
        return [name for name, _ in list_lessons()] + [path for path, _ in folder_lessons(self.lesson_folder)]

    def fill_lessons(self) -> None:
        menu = self.lessons_menu
        menu.clear()
        menu.setToolTipsVisible(True)  # a title cut short is whole in its tooltip
        for name, title in list_lessons():
            number = lesson_number(name)  # its own, not its place in the menu: "open lesson 16" finds it
            action = menu.addAction(menu_label(title if number is None else f"{number}. {title}"),
                                    lambda n=name: self.open_lesson(n))
            action.setObjectName(f"lesson_{name}")
        folder = self.lesson_folder
        if folder:
            listing = read_lesson_folder(folder)
            menu.addSection(menu_label(f"From {file_name(folder.rstrip(os.sep)) or shown_path(folder)}"))
            for path, title in listing.lessons:
                action = menu.addAction(menu_label(title), lambda p=path: self.open_lesson(p))
                action.setToolTip(f"{title}\n{shown_path(path)}")
                action.setObjectName(f"lesson_file_{os.path.basename(path)}")
            # greyed, saying why: a lesson broken by hand vanished without a word - the first few, then how many
            # more (a folder of other JSON files filled the menu past the screen)
            for name, problem in listing.unreadable[:MAX_GREYED_LESSONS]:
                action = menu.addAction(menu_label(f"{shown_path(name)} (cannot be read)"))
                action.setEnabled(False)
                action.setToolTip(shown_path(problem))
                action.setObjectName(f"lesson_unreadable_{name}")
            more = len(listing.unreadable) - MAX_GREYED_LESSONS
            for count, what, key in ((more, "cannot be read", "unreadable"), (listing.unread, "not read", "unread")):
                if count > 0:
                    action = menu.addAction(f"{count:,} more file{'s' if count != 1 else ''} {what}")
                    action.setEnabled(False)
                    action.setObjectName(f"lessons_{key}_more")
            if not listing.lessons and not listing.unreadable and not listing.unread:
                menu.addAction("(no lessons in this folder)").setEnabled(False)
        menu.addSeparator()
        menu.addAction("Choose lesson folder...", self.choose_lesson_folder).setObjectName("action_lesson_folder")

    def choose_lesson_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.window, "Folder of your lessons", self.lesson_folder
                                                  or start_folder())
        if folder:
            self.settings.setValue("lessons/folder", folder)
            count = len(folder_lessons(folder))
            self.window.show_message(f"{count} lesson{'s' if count != 1 else ''} in {shown_path(folder)} "
                                     "now appear in the Lessons menu.", "info")

    def open_lesson(self, name: str) -> None:
        """Open a built-in lesson by name, or a folder lesson by path (asking first about unsaved changes)."""
        if not self.window.guard.may_discard("opening the lesson"):
            return
        if os.path.isabs(name):
            if self.open_path(name):
                self.model.lesson_name = name
                self.window.lesson_panel.load()
        else:
            self.open_builtin_lesson(name)

    def save_as_lesson(self) -> bool:
        """Edit the lesson parts of this session, then save it as a lesson file (in the lesson folder)."""
        from .lesson_editor import LessonEditor  # imported on first use

        editor = LessonEditor(self.model.to_session(), self.window)
        while True:  # a file dialog cancelled, or a file not written, goes back to the lesson as it was written
            if editor.exec() != LessonEditor.DialogCode.Accepted:
                return False
            lesson = editor.session()
            folder = self.lesson_folder or start_folder()
            proposed = os.path.join(folder, file_stem(lesson.title) + SESSION_SUFFIX)
            path = ask_save_path(self.window, "Save lesson", proposed, SESSION_FILTER, with_session_suffix)
            if not path:  # (cancelled, or a file of that name kept)
                continue
            try:
                save_session(lesson, path)
                break
            except gd_core.ConfigError as error:
                editor.error.setText(f"Not saved: {error}")
        self.show_session(lesson, path)  # the window shows what the file holds: the lesson as students open it
        self.remember(path)
        self.window.show_message(f"Saved the lesson {file_name(path)}; it is open as students will see it, its "
                                 "runs at their start.", "info")
        return True

    # -- sessions --------------------------------------------------------------------------------------------
    def show_session(self, session: Session, path: str | None, lesson_name: str | None = None) -> bool:
        """Replace the session by ``session`` (its runs replayed to where they were saved, with a progress
        dialog that can cancel - leaving the current session as it was); False when cancelled."""
        self.window.runner.pause()
        name = file_name(path) if path else session.title or "the session"
        try:
            with ReplayProgress(self.window, f"Opening {name}: replaying its runs...", cancellable=True) as progress:
                self.model.load_session(session, lesson_name, progress)  # builds every run before it replaces any
        except Cancelled:
            self.window.show_message(f"Did not open {name}: cancelled; this session is as it was.", "info")
            return False
        self.path = path
        self.window.update_title()
        return True

    def new(self) -> None:
        if not self.window.guard.may_discard("starting a new session"):
            return
        self.show_session(Session(runs=[SessionRun("run 1", RUN_COLORS[0], DEFAULT_CONFIG)]), None)
        self.window.show_message("New session.", "info")

    def open_dialog(self) -> None:
        if not self.window.guard.may_discard("opening another session"):
            return
        path, _ = QFileDialog.getOpenFileName(self.window, "Open session", start_folder(), SESSION_FILTER)
        if path:
            self.open_path(path)

    def open_recent(self, path: str) -> bool:
        """Open a file from Open Recent; one that is no longer there leaves the list, with a message."""
        if not os.path.exists(path):
            self._forget(path)
            self.window.show_message(f"{file_name(path)} is no longer at {shown_path(os.path.dirname(path))}; removed "
                                     "it from Open Recent.", "error")
            return False
        return self.window.guard.may_discard("opening another session") and self.open_path(path)

    def open_path(self, path: str) -> bool:
        """Open a session file; a bad file is reported and the current work stays as it is."""
        try:
            if not self.show_session(load_session(path), path):
                return False
        except gd_core.ConfigError as error:
            self.window.show_message(f"Could not open {file_name(path)}: {error}", "error")
            self._forget(path)
            return False
        self.remember(path)
        # a run that diverged at its start (a start where the loss overflows) says so now: later messages come
        # from steps, and it takes none
        stuck = [run for run in self.model.runs if run.history.status == "diverged" and len(run.history) == 1]
        said = "".join(f" {run.name}: {run.history.message}." for run in stuck[:1])
        others = len(stuck) - 1
        more = f" ({others} more run{'s' if others > 1 else ''} too.)" if others > 0 else ""
        self.window.show_message(f"Opened {file_name(path)}.{said}{more}", "diverged" if stuck else "info")
        return True

    def open_builtin_lesson(self, name: str) -> None:
        self.show_session(load_lesson(name), None, lesson_name(name))
        self.window.show_message(f"Lesson: {self.model.title}", "info")

    def save(self) -> bool:
        return self.save_to(self.path) if self.path else self.save_as()

    def save_as(self) -> bool:
        path = ask_save_path(self.window, "Save session", self.proposed_path(), SESSION_FILTER, with_session_suffix)
        return self.save_to(path) if path else False

    def proposed_path(self) -> str:
        """Where Save As proposes to write the session: its own file; else, for a session with a title (a lesson
        opened), a file named after it (:func:`gd_core.files.file_stem`) - Save proposed no name at all -; else
        the folder alone. A file whose name Qt cannot hold (bytes that are not UTF-8): its folder, or the nearest
        above it Qt can name (the dialog proposed the name without those bytes, another file)."""
        if self.path:
            return nameable(os.path.abspath(self.path))
        return start_path(file_stem(self.model.title) + SESSION_SUFFIX) if self.model.title else start_folder()

    def save_to(self, path: str) -> bool:
        try:
            save_session(self.model.to_session(), path)
        except gd_core.ConfigError as error:
            self.window.show_message(f"Not saved: {error.problem}", "error")
            return False
        self.path = path = os.fspath(path)
        self.remember(path)
        self.window.update_title()
        self.window.show_message(f"Saved {file_name(path)}.", "info")
        self.saved.emit(path)
        return True

    # -- recent files ----------------------------------------------------------------------------------------
    def recent(self) -> list[str]:
        value = stored(self.settings, "recent", (list, str), [])
        return [path_from_text(path) for path in ([value] if isinstance(value, str) else value)
                if isinstance(path, str) and path]

    def _keep_recent(self, paths: list[str]) -> None:
        self.settings.setValue("recent", [path_text(path) for path in paths])  # a name in any bytes kept whole
        self._fill_recent()

    def remember(self, path: str) -> None:
        """Put ``path``, just opened or saved, first in Open Recent; its folder is where file dialogs open next."""
        path = os.path.abspath(path)
        remember_folder(path)
        self._keep_recent(([path] + [p for p in self.recent() if p != path])[:MAX_RECENT])

    def _forget(self, path: str) -> None:
        path = os.path.abspath(path)
        if path in self.recent():
            self._keep_recent([p for p in self.recent() if p != path])

    def _fill_recent(self) -> None:
        for action in self.recent_menu.actions():  # not clear(): the action being triggered may be among them
            self.recent_menu.removeAction(action)
            action.deleteLater()
        self.recent_menu.setToolTipsVisible(True)
        for path in self.recent():
            shown = shown_path(path)
            self.recent_menu.addAction(menu_label(shown, keep_end=True), lambda p=path: self.open_recent(p)).setToolTip(
                shown)
        self.recent_menu.setEnabled(bool(self.recent()))

    # -- exports ---------------------------------------------------------------------------------------------
    @staticmethod
    def _exports():
        from . import exports  # imported on first use: its SVG support costs start-up time
        return exports

    def _report(self, done: str, action, written: str) -> None:
        """Run an export that writes ``written`` (a file or a folder) and say how it went; the folder of an export
        that was written is where the next export dialog opens."""
        try:
            action()
        except OSError as error:
            self.window.show_message(f"Not exported: {error_text(error)}", "error")
            return
        remember_folder(written)
        self.window.show_message(done, "info")

    def _picture(self, view_name: str):
        """The view's picture; the optimizer state's dock is shown first (its plots are made when first seen)."""
        if view_name == "state_plot":
            self.window.state_dock.show()
            self.window.state_dock.raise_()
            self.window.state_plot.shown(True)
        if view_name == "surface_view":
            self.window.show_surface3d()  # its tab in front: made when first shown
            missing = self.window.surface_view.missing()
            if missing:
                self.window.show_message(f"Not exported: the 3D view needs {missing}.", "error")
                return None
        view = getattr(self.window, view_name)
        nothing = view.nothing_to_picture() if hasattr(view, "nothing_to_picture") else ""
        if nothing:  # (lesson 03's data view exported lesson 04's samples, titled with lesson 03's run)
            self.window.show_message(f"Not exported: {nothing}.", "error")
            return None
        pictures = view.export_menu.pictures()
        return pictures[0] if pictures else None

    def export_plot(self, view_name: str) -> None:
        """File > Export > a plot: the same as the plot's own Export button (:mod:`app.export_menu`)."""
        picture = self._picture(view_name)
        if picture is not None:
            save_picture(self.window, picture)

    def export_window(self) -> None:
        path = ask_save_path(self.window, "Export window", start_folder(), "PNG image (*.png)")
        if path:
            self._report(f"Exported {file_name(path)}.",
                         lambda: self._exports().export_window(self.window, path), path)

    def export_histories(self) -> None:
        """Ask for a folder and write every run's history there as CSV, after asking before any file of the same
        name is replaced (a second export to the same folder overwrote the first without a word)."""
        folder = QFileDialog.getExistingDirectory(self.window, "Export run histories to folder",
                                                  start_folder())
        if not folder:
            return
        taken = [name for name in self._exports().history_file_names(self.model)
                 if os.path.lexists(os.path.join(folder, name))]
        if taken and not may_replace(self.window, folder, taken):
            self.window.show_message("Not exported: the files there are kept.", "info")
            return
        self._report(f"Exported {len(self.model.runs)} run histories to {shown_path(folder)}.",
                     lambda: self._exports().export_histories(self.model, folder), folder)

    def export_lab_report(self) -> None:
        """Ask for the student's name (remembered) and a file, then write the lab report."""
        name, ok = QInputDialog.getText(self.window, "Lab report", "Your name (printed on the report):",
                                        text=stored(self.settings, "report/author", str, ""))
        if not ok:
            return
        self.settings.setValue("report/author", name.strip())
        stem = file_stem(self.model.title or "gdlab") + "-report.html"
        path = ask_save_path(self.window, "Export lab report", start_path(stem), "Web page (*.html)")
        if path:
            self._report(f"Exported the lab report {file_name(path)}.",
                         lambda: self._exports().export_lab_report(self.window, path, name.strip()), path)

    def export_animation(self) -> None:
        """Open the animation dialog (one per window: it stays open while it records)."""
        from .animation_dialog import AnimationDialog  # imported on first use

        if self.animation_dialog is None:
            self.animation_dialog = AnimationDialog(self.window)
        self.animation_dialog.show()
        self.animation_dialog.raise_()

    def copy_plot(self, view_name: str) -> None:
        picture = self._picture(view_name)
        if picture is not None:
            copy_picture(self.window, picture)
