"""The data: the samples, the current fit line (linear) or decision boundary (logistic), and the samples of
the latest step highlighted - so a student sees what a batch is."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QStackedWidget

from .base import PlotView

CLASS_COLORS = ("#4c72b0", "#dd8452")
BATCH_COLOR = "#e8000b"


class DataView(PlotView):
    title = "Data"

    def __init__(self, model, parent=None):
        super().__init__(model, parent)
        self.caption = QLabel("")
        self.caption.setStyleSheet("color: #555;")
        self.caption.setObjectName("data_caption")
        self.header.insertWidget(1, self.caption)
        self.placeholder = QLabel("")
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet("color: #666; padding: 16px;")
        layout = self.layout()
        layout.removeWidget(self.plot)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.plot)
        self.stack.addWidget(self.placeholder)
        layout.addWidget(self.stack, 1)
        self.samples = pg.ScatterPlotItem(size=6, pen=None)
        self.batch = pg.ScatterPlotItem(size=11, pen=pg.mkPen(BATCH_COLOR, width=2), brush=None)
        self.batch.setZValue(5)
        self.model_line = pg.PlotDataItem(pen=pg.mkPen("k", width=2))
        self.model_line.setZValue(4)
        for item in (self.samples, self.batch, self.model_line):
            self.plot.addItem(item)
        self.plot.setToolTip("Samples of the latest step are circled in red: a batch is a set of samples.")
        self.rebuild()

    def _layout_kind(self):
        problem = self.model.selected.trainer.problem
        if problem.dataset is None:
            return None
        p = problem.dataset.n_features
        if problem.name == "logistic_regression":
            return "boundary" if p >= 2 else "logistic1d"
        return "line" if p == 1 else "fitted"

    def rebuild(self) -> None:
        run = self.model.selected
        problem = run.trainer.problem
        kind = self._layout_kind()
        if kind is None:  # a function without data: give the room to the other plots
            self.placeholder.setText(f"No data: {problem.name} is a function of x and y.")
            self.stack.setCurrentWidget(self.placeholder)
            self.caption.setText("")
            self.hide()
            return
        self.show()
        self.stack.setCurrentWidget(self.plot)
        data = problem.dataset
        if kind in ("boundary", "logistic1d"):
            colors = np.array(CLASS_COLORS)[problem.dataset.y.astype(int)]
            x = data.X[:, 0]
            y = data.X[:, 1] if kind == "boundary" else problem.dataset.y
            brushes = [pg.mkBrush(c) for c in colors]
            self.samples.setData(x, y, brush=brushes)
            names = (data.feature_names[0], data.feature_names[1] if kind == "boundary" else "label")
            self.caption.setText("decision boundary w·x + b = 0" if kind == "boundary" else "P(label = 1)")
        elif kind == "line":
            self.samples.setData(data.X[:, 0], data.y, brush=pg.mkBrush(CLASS_COLORS[0]))
            names = (data.feature_names[0], data.target_name)
            self.caption.setText("fit line y = w·x + b")
        else:
            names = ("prediction", data.target_name)
            self.caption.setText("predicted vs. actual target (perfect fit on the diagonal)")
        self.plot.setLabel("bottom", names[0])
        self.plot.setLabel("left", names[1])
        self.refresh()
        if kind == "fitted":  # predictions move; the frame is the targets' range on both axes
            low, high = float(data.y.min()), float(data.y.max())
            self.plot.setRange(xRange=(low, high), yRange=(low, high))
        else:
            self.plot.setRange(xRange=_span(data.X[:, 0]), yRange=_span(data.X[:, 1] if kind == "boundary" else data.y))
        self.plot.disableAutoRange()

    def refresh(self) -> None:
        super().refresh()
        run = self.model.selected
        kind = self._layout_kind()
        if kind is None:
            return
        problem, trainer = run.trainer.problem, run.trainer
        data, params = problem.dataset, trainer.params
        predictions = None
        x_range = (float(data.X[:, 0].min()), float(data.X[:, 0].max()))
        with np.errstate(all="ignore"):  # a diverged run's params may be huge: draw what is finite
            if kind == "fitted":
                predictions = problem.predict(params)
                self.samples.setData(predictions, data.y, brush=pg.mkBrush(CLASS_COLORS[0]))
                low, high = float(data.y.min()), float(data.y.max())
                self.model_line.setData([low, high], [low, high])
            elif kind == "boundary":
                y_range = (float(data.X[:, 1].min()), float(data.X[:, 1].max()))
                self.model_line.setData(*problem.boundary(params, x_range, y_range))
            else:
                xs = np.linspace(*x_range, 2 if kind == "line" else 200)
                self.model_line.setData(xs, problem.curve(params, xs))
        self._highlight(trainer, predictions)

    def _highlight(self, trainer, predictions) -> None:
        if trainer.step == 0:
            self.batch.clear()
            return
        data = trainer.problem.dataset
        idx = trainer.last_indices
        idx = np.arange(data.n_samples) if idx is None else idx
        x = data.X[idx, 0] if predictions is None else predictions[idx]
        kind = self._layout_kind()
        y = data.X[idx, 1] if kind == "boundary" else data.y[idx]
        self.batch.setData(x, y)


def _span(values) -> tuple[float, float]:
    return float(values.min()), float(values.max())
