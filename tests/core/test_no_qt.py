"""gd_core is numpy only: importing it (and running it) pulls in no Qt module."""

import subprocess
import sys


def test_importing_and_running_gd_core_loads_no_qt():
    code = ("import sys, gd_core, gd_core.cli; gd_core.run({'steps': 5}); "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('PySide6', 'PyQt5', 'PyQt6', 'PySide2', 'shiboken6', 'pyqtgraph', 'app')); print(bad)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
