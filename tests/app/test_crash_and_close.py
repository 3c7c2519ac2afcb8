"""A crash handler that reports instead of vanishing, and a clean exit while runs train."""

import os
import subprocess
import sys
import threading
import time

from app.crash import install
from app.views.surface_worker import SurfaceWorker

from .conftest import shown_window


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

def slow_surface(cancelled):  # pure Python: the worker thread needs the GIL to go on; it never asks cancelled()
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


def test_closing_a_window_stops_its_surface_instead_of_waiting_for_it(qtbot):
    """Closing lesson 21 took 0.96 s, 0.86 s of it waiting for the parameter space's loss surface, which nobody
    would see: the job is told to stop, and ends within gd_core.landscape.CANCEL_WORK. The close is measured
    against the wait for the same job of a window opened the same way, in the same test (the machine's load
    alike)."""
    measured = shown_window(qtbot, "21_adam_radam_warmup")
    assert measured.space_view.worker.pool.activeThreadCount() == 1  # its slice is being computed
    start = time.perf_counter()
    measured.space_view.worker.wait()
    job = time.perf_counter() - start
    closed = shown_window(qtbot, "21_adam_radam_warmup")
    assert closed.space_view.worker.pool.activeThreadCount() == 1
    start = time.perf_counter()
    closed.close()
    closing = time.perf_counter() - start
    assert closed.space_view.worker.pool.activeThreadCount() == 0  # stopped, not left running
    assert closing < job / 4, (closing, job)


QUIT_WHILE_A_SURFACE_COMPUTES = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
from app import create_window
window = create_window(lesson="21_adam_radam_warmup")
window.guard.interactive = False
window.show()
assert window.space_view.worker.pool.activeThreadCount() == 1  # its slice is being computed
QTimer.singleShot(0, window.close)  # the last window: the application quits, Python exits
code = app.exec()
print("quit", window.space_view.worker.pool.activeThreadCount())
sys.exit(code)
"""


def test_quitting_while_a_surface_computes_stops_it_and_exits_cleanly(tmp_path):
    """The job a closed window no longer waits for is stopped, not left running: nothing of it runs while Python
    exits (a thread that takes the GIL during finalisation can crash the interpreter)."""
    result = subprocess.run([sys.executable, "-c", QUIT_WHILE_A_SURFACE_COMPUTES], capture_output=True, text=True,
                            timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen",
                                              "GDLAB_CRASH_DIR": str(tmp_path)})
    noise = "This plugin does not support propagateSizeHints()"
    warnings = [line for line in result.stderr.splitlines() if line.strip() and noise not in line]
    assert result.returncode == 0 and warnings == [] and result.stdout == "quit 0\n", (result.stdout, warnings)


def test_a_newer_surface_stops_the_one_under_way():
    """Only the newest surface is shown: the job computing an older one is told to stop (it went on to its end,
    and the newer one waited for the pool's one thread), and its result never arrives."""
    worker, ready, asked = SurfaceWorker(), [], threading.Event()

    def older(cancelled):
        asked.set()
        end = time.perf_counter() + 10
        while not cancelled() and time.perf_counter() < end:
            time.sleep(0.001)
        return "older" if cancelled() else "ran to its end"

    worker.ready.connect(lambda key, result: ready.append((key, result)))
    worker.submit("older", older)
    assert asked.wait(5)
    start = time.perf_counter()
    worker.submit("newer", lambda cancelled: "newer")
    worker.settle()
    assert ready == [("newer", "newer")] and time.perf_counter() - start < 5
