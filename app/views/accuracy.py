"""A classifier's accuracy along each run: the fraction of training samples classified right (solid) and, with
a validation split, of the held-out samples (dashed, the run's colour), against the loss plot's x-axis. A run that
takes several steps an epoch jumps from step to step (one sample moves the boundary): its lines are then the mean
over the last epoch, over a light band of each step's values - a line through the steps themselves drew one band
the runs merged in (lesson 25 at batch size 1)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from gd_core.display import epoch_means, peak_band
from gd_core.samplers import steps_per_epoch

from ..session import X_AXES
from ..theme import theme
from .base import DASHED, LoneDot, RunItemsView, stronger
from .loss_curve import BatchLossBand

#: At most about this many points per curve (every k-th row of a longer record: accuracy moves in small steps).
MAX_POINTS = 2000
#: Why the plot is empty where no run's problem is a classifier (its note, and File > Export's refusal).
NO_ACCURACY = "only classifiers (logistic regression, MLP) have an accuracy"
#: The legend's keys where a run takes several steps an epoch: its lines, and the bands under them (two short
#: keys: a narrow legend wraps between them, never inside one).
BAND_KEYS = (("epoch means", "━━"), ("each step", "▒▒"))
#: The bands' blocks: each step's values are noise about the mean line, drawn at half the lines' resolution.
BAND_BLOCKS = 200


class AccuracyView(RunItemsView):
    title = "Accuracy"
    view_keys = ("x_axis",)
    shows_heading = False
    beside_results = True
    live_refresh_s = 0.2

    def __init__(self, model, parent=None):
        self._items: dict[int, tuple] = {}
        self._lones: dict[int, tuple] = {}  # per run: its two lines' lone points (step 0) as dots
        super().__init__(model, parent)
        self.note = self.info
        self.note.setObjectName("accuracy_note")
        self.plot.setLabel("left", "accuracy")
        self.plot.setToolTip("Solid: the fraction of training samples the run's classifier gets right. Dashed: "
                             "the fraction of held-out (validation) samples - what it does on data it never saw. "
                             "A run of several steps an epoch: the lines are the mean over the last epoch, the "
                             "light band each step's value.")
        self.rebuild()

    def _rebuild(self) -> None:
        for run_id in list(self._items):
            self._take_items(run_id)
        for run in self._drawn_runs():
            self._items[id(run)] = self._made(run)
        self.plot.setLabel("bottom", X_AXES[self.model.view["x_axis"]].lower())
        self._settle(None)

    def _drawn_runs(self) -> list:
        return [run for run in self.model.runs if self._draws(run)]

    def _made(self, run) -> tuple:
        """A run's items, added to the plot: its training and validation accuracy, and their bands of each step's
        value under them (empty where a run takes one step an epoch)."""
        look, color = theme(), stronger(run.color)
        bands = StepBand(self.plot, run), StepBand(self.plot, run)
        for item in (item for band in bands for item in band.items):
            item.setZValue(-1)  # under every run's lines, not only its own
        train = pg.PlotCurveItem(pen=self.bold_pen(run), connect="finite")
        held = pg.PlotCurveItem(pen=look.pen(color, 1.5, style=Qt.PenStyle.DashLine), connect="finite")
        self.plot.addItem(train)
        self.plot.addItem(held)
        self._lones[id(run)] = LoneDot(self.plot, color), LoneDot(self.plot, color)
        return train, held, *bands

    def _main_line(self, items) -> pg.PlotCurveItem:
        return items[0]  # the training accuracy

    def _take_items(self, run_id: int) -> None:
        train, held, *bands = self._items.pop(run_id)
        for item in (train, held, *self._lones.pop(run_id), *(item for band in bands for item in band.items)):
            self.plot.removeItem(item)

    def _settle(self, moved: set[int] | None) -> None:
        """After the items changed: the legend and the note again, the runs ``moved`` redrawn (None: all)."""
        look, runs = theme(), self._drawn_runs()
        validates = any(run.trainer.problem.held_out is not None for run in runs)
        keys = [(look.color("text"), "validation", DASHED)] if validates else []
        if any(map(_averaged, runs)):
            keys += [(look.color("text"), *BAND_KEYS[0]), (look.color("muted"), *BAND_KEYS[1])]
        self.set_legend([(stronger(run.color), run.name) for run in runs], keys=keys)
        self.note.setText("" if runs else NO_ACCURACY)
        self.refresh(moved)

    def nothing_to_picture(self) -> str:
        """No run's problem is a classifier: File > Export > Accuracy wrote an empty plot, unsaid."""
        return "" if any(run.trainer.problem.can("accuracy") for run in self.model.runs) else NO_ACCURACY

    def _draws(self, run) -> bool:
        return run.visible and run.trainer.problem.can("accuracy")

    def _restyle_items(self, run, what: str) -> bool:
        """A colour or a name changes that run's pens and the legend alone (its curves are not set again)."""
        items = self._items.get(id(run))
        if what == "color" and items is not None:
            look, color = theme(), stronger(run.color)
            items[0].setPen(self.bold_pen(run))
            items[1].setPen(look.pen(color, 1.5, style=Qt.PenStyle.DashLine))
            for lone in self._lones[id(run)]:
                lone.setBrush(color)
            for band in items[2:]:
                band.style(run)
        self._settle(set())
        return True

    def refresh(self, moved: set[int] | None = None) -> None:
        super().refresh(moved)
        key = self.model.view["x_axis"]
        spans = []
        for run in self.visible_runs():
            items = self._items.get(id(run))
            if items is None:
                continue
            history = run.history
            x = history.column(key)
            spans.append((x[0], x[-1], history.accuracy[0]))
            if moved is not None and id(run) not in moved:
                continue
            every = max(1, len(history) // MAX_POINTS)
            rows = np.arange(0, len(history), every)
            rows = rows if rows[-1] == len(history) - 1 else np.r_[rows, len(history) - 1]  # the last row, once
            columns = [history.accuracy] + ([history.val_accuracy] if run.trainer.problem.held_out is not None else [])
            averaged = _averaged(run)
            lones = self._lones[id(run)]
            for line, band, lone, y in zip(items[:2], items[2:], lones, columns):
                drawn = _means(x, history.epoch, y) if averaged else (x[rows], y[rows])
                line.setData(*drawn)
                lone.follow(*drawn)
                band.set_band(*peak_band(x, y, BAND_BLOCKS)) if averaged else band.clear()
            for line, band, lone in list(zip(items[:2], items[2:], lones))[len(columns):]:
                line.clear()
                band.clear()
                lone.follow((), ())
        self.span_x(spans)


class StepBand(BatchLossBand):
    """A run's accuracy at each step as a light band (each block's lowest and highest value), its edges counted in
    the plot's range and not drawn: thin edges zigzagged beside the run's mean lines and read as more lines."""

    def __init__(self, plot: pg.PlotWidget, run):
        super().__init__(plot, run, bounds=True)

    def style(self, run) -> None:
        super().style(run)
        for edge in (self.low, self.high):
            edge.setPen(None)


def _means(x: np.ndarray, epoch: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """y's mean over each epoch at the x of the epoch's end (the last row: over the epoch so far); over each few
    epochs where a run has more than MAX_POINTS of them."""
    rows, means = epoch_means(epoch, y, MAX_POINTS)
    return x[rows], means


def _averaged(run) -> bool:
    """Whether a run's accuracies are drawn as their mean over the last epoch, over a band of each step's: it
    takes several steps an epoch."""
    config = run.config
    return steps_per_epoch(run.trainer.problem.n_samples, config["variant"], config.get("batch_size") or 1) > 1
