"""Test set-up: Qt renders offscreen; this runs before any QApplication exists."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
