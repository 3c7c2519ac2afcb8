"""A crash handler that reports instead of vanishing, and a clean exit while runs train."""

import os
import subprocess
import sys

from app.crash import install


def test_crash_handler_writes_a_report_and_the_session(window, tmp_path, monkeypatch):
    monkeypatch.setenv("GDLAB_CRASH_DIR", str(tmp_path))
    previous = sys.excepthook
    try:
        install(window)
        window.model.step(5)
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            window.crash_handler(*sys.exc_info())
    finally:
        sys.excepthook = previous
    reports = sorted(p.name for p in tmp_path.iterdir())
    assert len(reports) == 2 and reports[0].endswith(".gdlab.json") and reports[1].endswith(".txt")
    text = (tmp_path / reports[1]).read_text()
    assert "RuntimeError: boom" in text and "PySide6" in text
    from gd_core.sessions import load_session
    assert load_session(tmp_path / reports[0]).runs[0].name == "run 1"  # the work is not lost
    assert "Something went wrong (RuntimeError: boom)" in window.banner.text()
    window.model.step(1)  # and the window goes on working
    assert window.model.selected.trainer.step == 6


CLOSE_WHILE_TRAINING = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
from app import create_window, guard
guard.ask_to_save = lambda parent, before: print("asked before", before) or "discard"  # the user discards
window = create_window(lesson="04_batch_size_noise")
window.show()
window.speed.setCurrentText("Max")
window.space_view.arrows.setChecked(True)
window.runner.start()
QTimer.singleShot(400, lambda: window.space_view.mode.setCurrentIndex(1))
QTimer.singleShot(900, window.close)
sys.exit(app.exec())
"""


def test_closing_while_runs_train_exits_cleanly(tmp_path):
    result = subprocess.run([sys.executable, "-c", CLOSE_WHILE_TRAINING], capture_output=True, text=True,
                            timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen",
                                              "GDLAB_CRASH_DIR": str(tmp_path)})
    noise = "This plugin does not support propagateSizeHints()"
    warnings = [line for line in result.stderr.splitlines() if line.strip() and noise not in line]
    assert result.returncode == 0 and warnings == []
    assert result.stdout == "asked before closing GD Lab\n"  # the runs had trained: their progress was unsaved


DELETED_WHILE_A_SURFACE_COMPUTES = """
import time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
from app import create_window
window = create_window()
window.show()
started = []

def slow_surface():  # pure Python: the worker thread needs the GIL to go on
    started.append(True)
    end = time.perf_counter() + 1.0
    while time.perf_counter() < end:
        pass

window.space_view.worker.submit("slow", slow_surface)
while not started:
    time.sleep(0.01)
window.deleteLater()  # as qtbot's teardown does: the job is still running
QTimer.singleShot(1500, app.quit)
app.exec()
print("deleted")
"""


def test_a_window_deleted_while_a_surface_computes_does_not_hang(tmp_path):
    """A window deleted (deleteLater) while its parameter space computed a surface hung for good: its Python
    event() was on the stack with the GIL held while Qt waited for the worker's job, which needed the GIL to end.
    Tests hung this way now and then (the suite's ten-minute timeout)."""
    result = subprocess.run([sys.executable, "-c", DELETED_WHILE_A_SURFACE_COMPUTES], capture_output=True,
                            text=True, timeout=60, env={**os.environ, "QT_QPA_PLATFORM": "offscreen",
                                                        "GDLAB_CRASH_DIR": str(tmp_path)})
    assert result.returncode == 0 and result.stdout == "deleted\n", result.stderr


QUIT_AFTER_THE_OPTIMIZER_STATE = """
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
from app import create_window, guard
guard.ask_to_save = lambda parent, before: "discard"
window = create_window(lesson="06")
window.show()

def shown():
    window.state_dock.show()
    window.state_dock.raise_()
    window.model.step(5)
    QTimer.singleShot(300, window.close)
    QTimer.singleShot(600, app.quit)
QTimer.singleShot(300, shown)
app.exec()
print("quit")
"""


def test_quitting_after_the_optimizer_state_was_shown_exits_cleanly(tmp_path):
    """The Optimizer state's axes keep their labels inside their own plot (EdgeAxis): Qt asks an item for its
    boundingRect while its parent is destroyed, and asking the half-destroyed plot for its own crashed every
    quit (exit 139, a segmentation fault after the window had closed)."""
    result = subprocess.run([sys.executable, "-c", QUIT_AFTER_THE_OPTIMIZER_STATE], capture_output=True, text=True,
                            timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen",
                                              "GDLAB_CRASH_DIR": str(tmp_path)})
    assert result.returncode == 0 and result.stdout == "quit\n", result.stderr[-2000:]
