"""Test set-up: Qt renders offscreen; this runs before any QApplication exists."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pytest_configure(config):
    from .progress import configure
    configure(config)
