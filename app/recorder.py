"""Records an animation of the window or one plot while the runs train (File > Export > Animation..., and
``gdlab --record``).

The recording counts steps on the leading run: frame i is taken once some run has made
``gd_core.animation.frame_steps(...)[i]`` steps since the recording started. While it waits for a frame the
runner makes no more steps than bring the runs to it (:attr:`app.runner.Runner.limit`), so a fast run never
skips a frame; the picture is taken right after, once Qt has laid out what changed, with every view caught up.
Training otherwise goes on as usual: pause, step, change speed. Resetting the runs or opening another session
ends the recording and writes the frames taken so far; so do Stop, and runs that all end early. The file is
written on a worker thread (as the parameter space computes its surfaces), so the window never waits for it.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QRunnable, QSize, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QStackedWidget, QWidget

from gd_core.animation import Animation, AnimationWriter, animation_writer, frame_size, frame_steps
from gd_core.errors import ConfigError
from gd_core.files import cannot_write, shown_path

from .animation_views import RECORD_VIEWS


def target_widget(window, target: str) -> QWidget:
    """The widget ``target`` (a key of :data:`RECORD_VIEWS`) names in ``window``."""
    attribute = RECORD_VIEWS[target].attribute
    return getattr(window, attribute) if attribute else window


def shown_size(widget: QWidget) -> QSize:
    """The size ``widget`` has in front: a tab behind another (which may never have been laid out) takes the size
    of the tab in front, as it will when recorded."""
    stack = widget.parentWidget()
    return stack.size() if isinstance(stack, QStackedWidget) and not widget.isVisible() else widget.size()


def rgb_frame(widget: QWidget, size: tuple[int, int]) -> np.ndarray:
    """A picture of ``widget`` scaled to ``size`` (width, height), as height x width x 3 bytes (RGB)."""
    image = widget.grab().toImage().scaled(*size, Qt.AspectRatioMode.IgnoreAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation)
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height = size
    rows = np.frombuffer(image.constBits(), np.uint8, image.bytesPerLine() * height).reshape(height, -1)
    return rows[:, :3 * width].reshape(height, width, 3).copy()  # rows are padded to 4 bytes


class _Carrier(QObject):
    done = Signal(object, str, object)  # writer, why it stopped early, the file's size or the exception raised


class _Write(QRunnable):
    """Finish a writer on a worker thread; the result goes back to the GUI thread through the carrier."""

    def __init__(self, writer: AnimationWriter, why: str, carrier: _Carrier):
        super().__init__()
        self.writer, self.why, self.carrier = writer, why, carrier

    def run(self) -> None:
        try:
            result = self.writer.finish()  # all or nothing
        except Exception as error:  # noqa: BLE001 - reported in the window; a worker must not die silently
            result = error
        self.carrier.done.emit(self.writer, self.why, result)


class Recorder(QObject):
    """One recording: ``start()``; ``progressed(frames taken, frames in all)`` after each frame; ``finished(ok,
    message)`` once the file is written (ok) or could not be (the message says why; nothing is left behind).

    Building it checks the target and the file (a folder, a device, a FIFO, a missing folder raise OSError; a
    missing optional extra or a GIF too large raise ConfigError) before anything is recorded.
    """

    progressed = Signal(int, int)
    writing = Signal()  # the frames are taken; the file is being written (a GIF takes a moment)
    finished = Signal(bool, str)

    def __init__(self, window, target: str, animation: Animation, parent=None, paced_by_runner: bool = True):
        super().__init__(parent)
        self.paced_by_runner = paced_by_runner  # False: the caller steps the runs and calls take() (headless)
        self.window, self.model, self.animation = window, window.model, animation
        self.widget = target_widget(window, target)
        self.label = RECORD_VIEWS[target].label
        window.bring_to_front(self.widget)  # a plot in a tab behind another (the 3D view) is recorded in front
        missing = self.widget.missing() if hasattr(self.widget, "missing") else ""
        if missing:  # the 3D view without OpenGL
            raise ConfigError("", f"{self.label} needs {missing}; record another view")
        if not self.widget.isVisibleTo(window) and self.widget is not window:
            raise ConfigError("", f"the {self.label.lower()} is not shown for the selected run; record another view")
        if min(self.widget.width(), self.widget.height()) < 2:
            raise ConfigError("", f"the {self.label.lower()} has no room in the window; drag its splitter open")
        self.size = frame_size(self.widget.width(), self.widget.height(), animation)
        self.writer: AnimationWriter | None = animation_writer(animation, self.size)
        self.targets = frame_steps(animation.steps, animation.frames)
        self.shown_steps: list[int] = []  # the step (since the start) each frame taken shows
        self._origin: dict[int, int] = {}
        self._due = False
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._carrier = _Carrier(self)
        self._carrier.done.connect(self._written)

    # -- the clock -------------------------------------------------------------------------------------------
    def elapsed(self) -> int:
        """Steps the leading run made since the recording started (runs added since count from their start)."""
        return max((run.trainer.step - self._origin.setdefault(id(run), run.trainer.step)
                    for run in self.model.runs), default=0)

    def limit(self) -> int:
        """The most steps a run may make before the next frame is taken (0 while one is due)."""
        if self._due or self.done:
            return 0
        return max(0, self.targets[len(self.shown_steps)] - self.elapsed())

    @property
    def done(self) -> bool:
        return self.writer is None

    # -- recording -------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Take the first frame (the runs as they are now) and follow the runs from here."""
        for run in self.model.runs:
            self._origin[id(run)] = run.trainer.step
        events = self.model.events
        events.advanced.connect(self._advanced)
        events.run_reset.connect(self._interrupted)
        events.session_loaded.connect(self._interrupted)
        events.run_removed.connect(self._forget)
        if self.paced_by_runner:
            self.window.runner.limit = self.limit
        self.take()

    @property
    def due(self) -> bool:
        """Whether the runs have reached the next frame (or ended) and it is not taken yet."""
        return self._due

    def _advanced(self, runs) -> None:
        if self.done or self._due:
            return
        if self.elapsed() >= self.targets[len(self.shown_steps)] or self.model.all_done:
            self._due = True
            if self.paced_by_runner:
                QTimer.singleShot(0, self.take)  # once Qt has laid out the change (labels, ranges)

    def take(self) -> None:
        """Take the next frame now."""
        self._due = False
        if self.done:
            return
        self.window.catch_up()
        elapsed = self.elapsed()
        try:
            self.writer.add(rgb_frame(self.widget, self.size))
        except Exception as error:  # noqa: BLE001 - any failure ends the recording with a message
            self._fail(error)
            return
        self.shown_steps.append(elapsed)
        self.progressed.emit(len(self.shown_steps), len(self.targets))
        if len(self.shown_steps) == len(self.targets):
            self.stop()
        elif self.model.all_done:
            self.stop(f"the runs ended after {elapsed:,} steps; ")

    def _forget(self, run) -> None:
        self._origin.pop(id(run), None)  # a run added later may get the same id

    def _interrupted(self, *_) -> None:
        if not self.done:
            self.stop("the runs were reset; ")

    def stop(self, why: str = "") -> None:
        """End the recording and write the frames taken so far, off the window's thread (a GIF of a few
        hundred frames takes a second or two); ``finished`` follows."""
        if self.done:
            return
        writer = self._detach()
        self.writing.emit()
        self._pool.start(_Write(writer, why, self._carrier))

    def wait(self) -> None:
        """Wait until the file is written (closing the window, a headless recording)."""
        self._pool.waitForDone()

    def _written(self, writer: AnimationWriter, why: str, result) -> None:
        if isinstance(result, Exception):  # a full disk, an encoder's refusal: one message, no file
            self._report_failure(result)
            return
        count = writer.count
        early = f" ({why}stopped at frame {count} of {len(self.targets)})" if count < len(self.targets) else ""
        self.finished.emit(True, f"Saved {shown_path(self.animation.path)}: {count} frames of {self.size[0]} x "
                                 f"{self.size[1]} ({self.label}), {result / 1024:,.0f} KiB{early}.")

    def cancel(self) -> None:
        """End the recording and write nothing (the window is closing)."""
        if not self.done:
            self._detach().discard()

    def _fail(self, error: Exception) -> None:
        self._detach().discard()
        self._report_failure(error)

    def _report_failure(self, error: Exception) -> None:
        reason = cannot_write(self.animation.path, error) if isinstance(error, OSError) else \
            f"cannot write {self.animation.path}: {error}"
        self.finished.emit(False, shown_path(reason))

    def _detach(self) -> AnimationWriter:
        """Stop following the runs; the writer, to finish or discard."""
        writer, self.writer = self.writer, None
        self._disconnect()
        return writer

    def _disconnect(self) -> None:
        events = self.model.events
        for event, slot in ((events.advanced, self._advanced), (events.run_reset, self._interrupted),
                            (events.session_loaded, self._interrupted), (events.run_removed, self._forget)):
            event.disconnect(slot)
        if self.window.runner.limit == self.limit:
            self.window.runner.limit = None
