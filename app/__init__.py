"""GD Lab's desktop application (PySide6 + pyqtgraph) over gd_core."""

from __future__ import annotations

import os

# numpy's OpenBLAS spreads each matrix product over every core. GD Lab's products are small (a batch of 32 through
# a 256-wide layer), the window trains in its own thread, and a surface worker and a sweep process (which inherits
# this) share the cores: a 66,817-parameter network's step took 9-33 ms with a second BLAS thread and 4-6 ms with
# one, whenever anything else ran on a 2-core machine. Set before numpy is first imported; the user's value wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def create_window(path: str | os.PathLike | None = None, lesson: str | None = None, session_file: bool = False):
    """Build the main window (not shown, no event loop): the default run, a config or session file, or a lesson.
    ``session_file``: ``path`` must be a session (``gdlab --session FILE``), not a run config.

    A QApplication must exist. Raises gd_core.ConfigError for a bad file or an unknown lesson.
    """
    import gd_core
    from gd_core.lesson_library import lesson_name, load_lesson
    from gd_core.sessions import load_session

    from .main_window import MainWindow
    from .session import SessionModel

    session = load_lesson(lesson) if lesson is not None else None
    config = None
    if path is not None:
        if session_file or _is_session(path):
            session = load_session(path)
        else:
            config = gd_core.load_config(path)
            gd_core.resolve(config)  # refuse a bad file before building anything
    model = SessionModel(config)
    if session is not None:
        model.load_session(session, lesson_name(lesson) if lesson is not None and path is None else None)
    window = MainWindow(model)
    if path is not None and session is not None:
        window.files.path = os.fspath(path)
        window.update_title()
    return window


def _is_session(path) -> bool:
    """Whether a JSON file is a session (it says "format": "gdlab-session") rather than a run config."""
    from gd_core.files import read_json
    from gd_core.sessions import MAX_SESSION_BYTES

    try:
        return isinstance(data := read_json(path, "file", MAX_SESSION_BYTES), dict) and "format" in data
    except ValueError:
        return False  # load_config reports what is wrong


__all__ = ["create_window"]
