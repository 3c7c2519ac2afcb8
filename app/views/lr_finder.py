"""Runs > Find learning rate: the range test (gd_core.lr_finder) of the selected run - the smoothed loss against an
exponentially growing rate, the steepest descent and the minimum marked, and one click to use a suggestion."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

import gd_core
from gd_core.lr_finder import empty_frame, find_lr, range_config
from gd_core.sweep import series_work

from ..export_menu import ExportButton
from ..exports import Picture
from ..palette import OKABE_ITO
from ..theme import theme
from ..widgets import NumberSpinBox, SpinBox
from .base import plot_widget, use_sparse_log_axes, with_run_named

#: The most work the test may do on the window's thread (about one second; see gd_core's MAX_PASS_WORK).
MAX_TEST_WORK = 1e10


class LearningRateFinder(QDialog):
    """The range test of the selected run; ``apply(lr)`` sets the run's learning rate."""

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.model = model
        self.tested = None  # the run of the last range test (named as it is called now)
        self.setWindowTitle("Find learning rate")
        self.test = None
        self.low = NumberSpinBox(1e-12, 1e3, log=True)
        self.low.setObjectName("finder_low")
        self.low.setValue(1e-6)
        self.high = NumberSpinBox(1e-9, 1e6, log=True)
        self.high.setObjectName("finder_high")
        self.high.setValue(10.0)
        self.steps = SpinBox()
        self.steps.setObjectName("finder_steps")
        self.steps.setRange(5, 10_000)
        self.steps.setValue(100)
        for box in (self.low, self.high, self.steps):
            box.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.run_button = QPushButton("Run the test")
        self.run_button.setObjectName("finder_run")
        self.run_button.clicked.connect(self.run_test)
        form = QFormLayout()
        form.addRow("from rate", self.low)
        form.addRow("to rate", self.high)
        form.addRow("over steps", self.steps)
        self.plot = plot_widget()
        self.plot.setObjectName("finder_plot")
        use_sparse_log_axes(self.plot, "bottom")
        self.plot.setLogMode(x=True)
        self.plot.setLabel("bottom", "learning rate")
        self.plot.setLabel("left", "loss (smoothed)")
        self.plot.setMouseEnabled(x=False, y=False)
        look = theme()
        self.raw, self.curve = self.plot.plot([], []), self.plot.plot([], [])
        self.steepest_line, self.minimum_line = pg.InfiniteLine(angle=90), pg.InfiniteLine(angle=90)
        self._restyle()
        look.changed.connect(self._restyle)
        for line in (self.steepest_line, self.minimum_line):
            line.hide()
            self.plot.addItem(line)
        self.summary = QLabel("Runs the selected run's settings for a few steps with the rate growing from "
                              "'from' to 'to', and marks where the loss falls fastest (Smith 2017; fastai's "
                              "lr_find).")
        self.summary.setObjectName("finder_summary")
        self.summary.setWordWrap(True)
        self.use_steepest = QPushButton("Use steepest")
        self.use_steepest.setObjectName("finder_use_steepest")
        self.use_steepest.setToolTip("Set the selected run's learning rate to the rate of steepest descent")
        self.use_tenth = QPushButton("Use minimum / 10")
        self.use_tenth.setObjectName("finder_use_tenth")
        self.use_tenth.setToolTip("Set the selected run's learning rate to a tenth of the rate of the smallest loss")
        self.use_steepest.clicked.connect(lambda: self.apply(self.test.steepest_lr))
        self.use_tenth.clicked.connect(lambda: self.apply(self.test.minimum_tenth))
        for button in (self.use_steepest, self.use_tenth):
            button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(ExportButton(lambda: [self.picture()]))
        buttons.addStretch(1)
        buttons.addWidget(self.use_steepest)
        buttons.addWidget(self.use_tenth)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        self.resize(640, 480)
        for box in (self.low, self.high):
            box.valueChanged.connect(lambda value: self.test is None and self._frame_empty())
        self._frame_empty()

    def picture(self) -> Picture:
        """The range test's plot, for Export, naming the run tested (before the first test: the selected run)."""
        plot = self.plot.getPlotItem()
        return Picture("Learning-rate finder", plot, plot, with_run_named((self.tested or self.model.selected).name))

    def _frame_empty(self) -> None:
        """Before a test: the plot spans the rates it will try, and the losses from the selected run's start down
        (gd_core.lr_finder.empty_frame; not pyqtgraph's 1..10 by 0..1, whatever the run)."""
        run = self.model.selected
        self.plot.setRange(xRange=sorted(np.log10([self.low.value(), self.high.value()])),
                           yRange=empty_frame(float(run.history.loss[0]), run.trainer.problem.min_loss))

    def _restyle(self) -> None:
        """Plot and line colours from the palette (the Okabe-Ito colours in this theme's shades)."""
        look = theme()
        look.style_plot(self.plot)
        self.raw.setPen(look.pen(look.color("muted")))
        self.curve.setPen(look.pen(look.shade(OKABE_ITO["blue"]), 2))
        self.steepest_line.setPen(look.pen(look.shade(OKABE_ITO["vermillion"]), 2))
        self.minimum_line.setPen(look.pen(look.shade(OKABE_ITO["bluish_green"]), 2, style=Qt.PenStyle.DashLine))

    def run_test(self) -> None:
        run = self.model.selected
        try:
            config = range_config(run.config, self.low.value(), self.high.value(), self.steps.value())
            work = series_work([gd_core.resolve(config)[0]], run.trainer.problem)
            if work > MAX_TEST_WORK:
                raise gd_core.ConfigError("steps", "the test would take more than about a second on this "
                                                   "problem; use fewer steps or a smaller problem")
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                self.test = find_lr(run.config, self.low.value(), self.high.value(), self.steps.value())
            finally:
                QApplication.restoreOverrideCursor()
        except gd_core.ConfigError as error:
            self.summary.setText(f"Not run - {error}")
            return
        self.tested = run  # whose test a picture shows (a refused test leaves the last one's curve)
        test = self.test
        self.plot.enableAutoRange()  # the test's own range, no longer the empty frame's
        self.raw.setData(test.lrs, test.losses)
        self.curve.setData(test.lrs, test.smoothed)
        self.steepest_line.setValue(np.log10(test.steepest_lr))
        self.minimum_line.setValue(np.log10(test.minimum_lr))
        for item in (self.steepest_line, self.minimum_line):
            item.show()
        self.summary.setText(f"Steepest descent at lr {test.steepest_lr:.3g} (solid line; the usual choice). "
                             f"Smallest loss at lr {test.minimum_lr:.3g} (dashed); a tenth of it is "
                             f"{test.minimum_tenth:.3g}. The curve stops where {test.stop}.")
        self.use_steepest.setText(f"Use steepest ({test.steepest_lr:.3g})")
        self.use_tenth.setText(f"Use minimum / 10 ({test.minimum_tenth:.3g})")
        for button in (self.use_steepest, self.use_tenth):
            button.setEnabled(True)

    def apply(self, lr: float) -> None:
        """Give the selected run the learning rate ``lr`` (rounded to 3 digits), as an edit in the panel would."""
        run = self.model.selected
        config = self.model.config_copy(run)
        config["optimizer"]["lr"] = float(f"{lr:.3g}")
        try:
            self.model.update_config(run, config)
        except gd_core.ConfigError as error:
            self.summary.setText(f"Not applied - {error}")
            return
        self.summary.setText(f"{run.name} now trains at lr {config['optimizer']['lr']:g}.")
