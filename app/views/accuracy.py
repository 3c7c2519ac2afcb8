"""A classifier's accuracy along each run: the fraction of training samples classified right (solid) and, with
a validation split, of the held-out samples (dashed, the run's colour), against the loss plot's x-axis."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from ..session import X_AXES
from ..theme import theme
from .base import DASHED, RunItemsView, stronger

#: At most about this many points per curve (every k-th row of a longer record: accuracy moves in small steps).
MAX_POINTS = 2000
#: Why the plot is empty where no run's problem is a classifier (its note, and File > Export's refusal).
NO_ACCURACY = "only classifiers (logistic regression, MLP) have an accuracy"


class AccuracyView(RunItemsView):
    title = "Accuracy"
    view_keys = ("x_axis",)
    shows_heading = False
    beside_results = True
    live_refresh_s = 0.2

    def __init__(self, model, parent=None):
        self._items: dict[int, tuple] = {}
        super().__init__(model, parent)
        self.note = self.info
        self.note.setObjectName("accuracy_note")
        self.plot.setLabel("left", "accuracy")
        self.plot.setToolTip("Solid: the fraction of training samples the run's classifier gets right. Dashed: "
                             "the fraction of held-out (validation) samples - what it does on data it never saw.")
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
        """A run's items, added to the plot: its training and validation accuracy."""
        look, color = theme(), stronger(run.color)
        train = pg.PlotCurveItem(pen=self.bold_pen(run), connect="finite")
        held = pg.PlotCurveItem(pen=look.pen(color, 1.5, style=Qt.PenStyle.DashLine), connect="finite")
        self.plot.addItem(train)
        self.plot.addItem(held)
        return train, held

    def _main_line(self, items) -> pg.PlotCurveItem:
        return items[0]  # the training accuracy

    def _take_items(self, run_id: int) -> None:
        for item in self._items.pop(run_id):
            self.plot.removeItem(item)

    def _settle(self, moved: set[int] | None) -> None:
        """After the items changed: the legend and the note again, the runs ``moved`` redrawn (None: all)."""
        look, runs = theme(), self._drawn_runs()
        validates = any(run.trainer.problem.held_out is not None for run in runs)
        self.set_legend([(stronger(run.color), run.name) for run in runs],
                        keys=[(look.color("text"), "validation", DASHED)] if validates else [])
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
            rows = np.r_[0:len(history):every, len(history) - 1]
            x = x[rows]
            items[0].setData(x, history.accuracy[rows])
            items[1].setData(x, history.val_accuracy[rows]) if run.trainer.problem.held_out is not None \
                else items[1].clear()
        self.span_x(spans)
