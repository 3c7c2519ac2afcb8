"""File > Export > Animation...: what to record (the window or one plot), the file (GIF or MP4, by its name), the
frame rate, the length in training steps, the number of frames and the width; Record, a progress bar and Stop.

The dialog is not modal: the runs train in the window as usual while it records (:class:`app.recorder.Recorder`
takes the frames). Stop writes the frames taken so far; a file that cannot be written is one message, and nothing
half-written is left.
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from gd_core.animation import (
    DEFAULT_WIDTH,
    FORMATS,
    MAX_FRAMES,
    MAX_STEPS,
    MAX_WIDTH,
    MIN_WIDTH,
    check_animation,
    default_frames,
    frame_size,
    frame_spacing,
    missing_extra,
)
from gd_core.errors import ConfigError
from gd_core.files import cannot_write, file_name

from .animation_views import RECORD_VIEWS
from .folders import remember_folder, start_path
from .recorder import Recorder, shown_size, target_widget
from .theme import theme
from .widgets import ComboBox, NumberSpinBox, SpinBox

FIELD_LABELS = {"file": "File", "steps": "Length", "fps": "Frame rate", "frames": "Frames", "width": "Width"}


class AnimationDialog(QDialog):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.recorder: Recorder | None = None
        self.last: Recorder | None = None  # the latest recording, once it ended
        self.setObjectName("animation_dialog")
        self.setWindowTitle("Export animation")
        self.target = ComboBox()
        self.target.setObjectName("animation_target")
        for key, row in RECORD_VIEWS.items():
            self.target.addItem(row.label, key)
        self.target.setCurrentIndex(list(RECORD_VIEWS).index("space"))
        self.target.setToolTip("What to record: the whole window or one plot.")
        self.path = QLineEdit(start_path("gdlab.gif"))
        self.path.setObjectName("animation_path")
        self.path.setToolTip("A .gif (animated picture, for slides and web pages) or .mp4 (video) file; the "
                             "format follows the name.")
        browse = QPushButton("Browse...")
        browse.clicked.connect(self.browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)
        self.fps = NumberSpinBox(0.1, max(f.max_fps for f in FORMATS.values()))
        self.fps.setObjectName("animation_fps")
        self.fps.setValue(10)
        self.fps.setToolTip("Frames per second when the animation plays (a GIF plays at most 50).")
        self.steps = SpinBox()
        self.steps.setObjectName("animation_steps")
        self.steps.setRange(1, MAX_STEPS)
        self.steps.setValue(100)
        self.steps.setToolTip("How many training steps the animation covers, from now on (counted on the run "
                              "that steps most).")
        self.frames = SpinBox()
        self.frames.setObjectName("animation_frames")
        self.frames.setRange(2, MAX_FRAMES)
        self.frames.setToolTip("How many pictures, evenly spread over the steps: the first shows the runs as they "
                               "are now, the last after the last step.")
        self.width_box = SpinBox()
        self.width_box.setObjectName("animation_width")
        self.width_box.setRange(MIN_WIDTH, MAX_WIDTH)
        self.width_box.setSuffix(" px")
        self.width_box.setToolTip("The animation's width; its height follows the view's shape.")
        self.summary = QLabel("")
        self.summary.setObjectName("animation_summary")
        self.progress = QProgressBar()
        self.progress.setObjectName("animation_progress")
        self.progress.setFormat("%v of %m frames")
        self.message = QLabel("")
        self.message.setObjectName("animation_message")
        for label in (self.summary, self.message):
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._fit_labels()
        theme().changed.connect(self._fit_labels)
        form = QFormLayout()
        form.addRow("Record", self.target)
        form.addRow(FIELD_LABELS["file"], file_row)
        form.addRow(FIELD_LABELS["fps"], self.fps)
        form.addRow(FIELD_LABELS["steps"], self.steps)
        form.addRow(FIELD_LABELS["frames"], self.frames)
        form.addRow(FIELD_LABELS["width"], self.width_box)
        form.addRow("", self.summary)
        self.record_button = QPushButton("Record")
        self.record_button.setObjectName("animation_record")
        self.record_button.setToolTip("Start recording; the runs start training if they are paused.")
        self.record_button.clicked.connect(self.record)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("animation_stop")
        self.stop_button.setToolTip("Stop recording and save the frames taken so far.")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.record_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.stop_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.inputs = (self.target, self.path, browse, self.fps, self.steps, self.frames, self.width_box)
        self._frames_edited = False  # set by the user: the frames no longer follow the steps and the rate
        self._suggesting = False
        self.frames.valueChanged.connect(self._frames_changed)
        for signal in (self.fps.valueChanged, self.steps.valueChanged):
            signal.connect(self._suggest_frames)
        self.target.currentIndexChanged.connect(self._suggest_width)
        for signal in (self.path.textChanged, self.width_box.valueChanged, self.frames.valueChanged):
            signal.connect(self._summarise)
        self._suggest_width()
        self._suggest_frames()

    def _fit_labels(self) -> None:
        """Room for the longest summary and message at the current text size: their text never resizes rows."""
        for label, lines in ((self.summary, 2), (self.message, 3)):
            label.setFixedHeight(lines * label.fontMetrics().lineSpacing() + 4)

    # -- the form --------------------------------------------------------------------------------------------
    def browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Record animation", self.path.text(),
                                              "Animated GIF (*.gif);;MP4 video (*.mp4)")
        if path:
            self.path.setText(path if os.path.splitext(path)[1] else path + ".gif")

    def _frames_changed(self) -> None:
        if not self._suggesting:
            self._frames_edited = True

    def _suggest_frames(self) -> None:
        """One frame per step, at most ten seconds of animation - until the user sets the frames."""
        self.frames.setMaximum(min(MAX_FRAMES, self.steps.value() + 1))
        if not self._frames_edited:
            self._suggesting = True
            self.frames.setValue(default_frames(self.steps.value(), self.fps.value()))
            self._suggesting = False
        self._summarise()

    def _suggest_width(self) -> None:
        self.width_box.setValue(max(MIN_WIDTH, min(shown_size(self._widget()).width(), DEFAULT_WIDTH)))
        self._summarise()

    def _widget(self):
        return target_widget(self.window, self.target.currentData())

    def animation(self):
        """The recording the form describes (a ConfigError names the field that is wrong)."""
        return check_animation(self.path.text().strip(), self.steps.value(), self.fps.value(), self.frames.value(),
                               self.width_box.value())

    def _summarise(self) -> None:
        try:
            animation = self.animation()
        except ConfigError as error:
            self.summary.setText(f"{FIELD_LABELS.get(error.key, error.key)}: {error.problem}")
            return
        shown = shown_size(self._widget())
        width, height = frame_size(shown.width(), shown.height(), animation)
        self.summary.setText(f"{animation.format.name}, {width} x {height} px, {animation.seconds:.3g} s; a frame "
                             f"{frame_spacing(animation.steps, animation.frames)}")

    # -- recording -------------------------------------------------------------------------------------------
    def record(self) -> None:
        try:
            animation = self.animation()
            problem = missing_extra(animation.path)
            if problem:
                raise ConfigError("", problem[0].upper() + problem[1:])
            if self.window.model.all_done:
                raise ConfigError("", "Every run has ended: press Reset (R) in the window, then record.")
            self.recorder = Recorder(self.window, self.target.currentData(), animation, self)
        except ConfigError as error:
            self._show(f"Not recording: {FIELD_LABELS.get(error.key, error.key)}: {error.problem}"
                       if error.key else str(error), "error")
            return
        except OSError as error:
            self._show(f"Not recording: {cannot_write(self.path.text().strip(), error)}", "error")
            return
        self.window.recorder = self.recorder
        self.recorder.progressed.connect(self._progressed)
        self.recorder.writing.connect(self._writing)
        self.recorder.finished.connect(self._finished)
        self.progress.setRange(0, animation.frames)
        self.progress.setValue(0)
        self._recording(True)
        self._show(f"Recording {animation.frames} frames of {self.target.currentText().lower()}...", "plain")
        self.recorder.start()
        if self.recorder is not None and not self.recorder.done:
            self.window.runner.start()  # training goes on as usual; the recorder paces it to its frames

    def stop(self) -> None:
        if self.recorder is not None:
            self.recorder.stop("you stopped; ")

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setValue(done)

    def _writing(self) -> None:
        self.stop_button.setEnabled(False)
        self._show(f"Writing {file_name(self.recorder.animation.path)}...", "plain")

    def _finished(self, ok: bool, message: str) -> None:
        self.last, self.recorder = self.recorder, None
        self.window.recorder = None
        if ok:
            remember_folder(self.last.animation.path)  # the next file dialog opens there
        message = message if ok else f"Not saved: {message}"
        self._recording(False)
        self._show(message, "good" if ok else "error")
        self.window.show_message(message, "info" if ok else "error")

    def _recording(self, on: bool) -> None:
        for widget in self.inputs:
            widget.setEnabled(not on)
        self.record_button.setEnabled(not on)
        self.stop_button.setEnabled(on)

    def _show(self, text: str, kind: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {theme().semantic(kind)[0]}")

    def closeEvent(self, event) -> None:
        self.stop()  # closing the dialog saves what was recorded
        super().closeEvent(event)
