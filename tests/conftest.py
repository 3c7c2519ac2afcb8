"""Test set-up: Qt renders offscreen, and keeps its settings (recent files, window layout) in a private folder
so that tests neither read nor change the user's; this runs before any QApplication exists."""

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="gdlab-test-config-")


def pytest_configure(config):
    from .progress import configure
    configure(config)
