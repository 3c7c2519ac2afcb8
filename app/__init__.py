"""GD Lab's desktop application (PySide6 + pyqtgraph) over gd_core."""

from __future__ import annotations

import os


def create_window(path: str | os.PathLike | None = None):
    """Build the main window (not shown, no event loop) for a config file, or the default run.

    A QApplication must exist. Raises gd_core.ConfigError for a bad config file.
    """
    import gd_core

    from .main_window import MainWindow
    from .session import SessionModel

    config = gd_core.load_config(path) if path is not None else None
    if config is not None:
        gd_core.resolve(config)  # refuse a bad file before building anything
    return MainWindow(SessionModel(config))


__all__ = ["create_window"]
