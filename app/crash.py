"""When something unexpected goes wrong: write a report - and a copy of the session, so no work is lost -
say where, and keep the window working instead of vanishing."""

from __future__ import annotations

import datetime
import json
import os
import platform
import sys
import traceback

from gd_core.files import make_folder, text_writer, write_files


def report_dir() -> str:
    """Where reports go: $GDLAB_CRASH_DIR, or the per-user application data folder; made if it is not there (an
    OSError says why it cannot be: a file or a device by that name, a read-only place)."""
    folder = os.environ.get("GDLAB_CRASH_DIR")
    if not folder:
        from PySide6.QtCore import QStandardPaths
        base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation) or \
            os.path.join(os.path.expanduser("~"), ".gdlab")
        folder = os.path.join(base, "crash-reports")
    make_folder(folder)
    return folder


def write_report(exc_type, exc, tb, session: dict | None = None) -> str:
    """Write the traceback, versions and (if given) the session; return the report's path."""
    import numpy
    import pyqtgraph
    import PySide6

    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    path = os.path.join(report_dir(), f"gdlab-crash-{stamp}.txt")
    lines = [f"GD Lab crash report {stamp}",
             f"python {platform.python_version()} on {platform.platform()}; numpy {numpy.__version__}; "
             f"PySide6 {PySide6.__version__}; pyqtgraph {pyqtgraph.__version__}", "",
             "".join(traceback.format_exception(exc_type, exc, tb))]
    files = [(path, text_writer("\n".join(lines)))]
    if session is not None:
        try:
            files.append((path[:-4] + ".gdlab.json", text_writer(json.dumps(session, indent=2))))
        except (TypeError, ValueError):  # a broken model is what is being reported; the traceback matters more
            pass
    write_files(files)
    return path


def install(window) -> None:
    """Route uncaught exceptions (Qt calls sys.excepthook for errors in slots) to a report and a message."""
    def handler(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        try:
            session = window.model.to_session().to_dict()
        except Exception:  # the model itself may be what broke; the report matters more
            session = None
        try:
            path = write_report(exc_type, exc, tb, session)
        except OSError as error:
            path = f"(could not write a report: {error})"
        print(f"error: unexpected {exc_type.__name__}: {exc}; report: {path}", file=sys.stderr)
        try:
            window.runner.pause()
            window.show_message(f"Something went wrong ({exc_type.__name__}: {exc}). A report and a copy of "
                                f"your session were saved to {path}.", "error")
        except Exception:
            pass
    sys.excepthook = handler
    window.crash_handler = handler
