"""The loss curve: full loss (bold) and mini-batch loss (thin, light) against steps, epochs or samples seen."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel

from gd_core.history import peak_decimate

from ..session import X_AXES
from .base import PlotView, darker, lighter


class LossCurveView(PlotView):
    title = "Loss"

    def __init__(self, model, parent=None):
        self._items: dict[int, tuple] = {}
        super().__init__(model, parent)
        self.readout = QLabel("")
        self.readout.setObjectName("loss_readout")
        self.header.insertWidget(1, self.readout)
        self.x_axis = QComboBox()
        self.x_axis.setObjectName("loss_x_axis")
        for key, label in X_AXES.items():
            self.x_axis.addItem(label, key)
        self.x_axis.setToolTip("What the horizontal axis counts. Compare variants per epoch or per sample seen: "
                               "a stochastic step sees one sample, a batch step all n.")
        self.x_axis.currentIndexChanged.connect(lambda: model.set_view("x_axis", self.x_axis.currentData()))
        self.log_y = QCheckBox("log y")
        self.log_y.setObjectName("loss_log_y")
        self.log_y.setToolTip("Logarithmic loss axis: shows steady (linear) convergence as a straight line.")
        self.log_y.toggled.connect(lambda on: model.set_view("log_y", on))
        self.plot.setToolTip("Bold: the full loss at each step's parameters. Light: the loss of the samples "
                             "the step used (mini-batch or single sample).")
        self.header.addWidget(self.x_axis)
        self.header.addWidget(self.log_y)
        # long curves are peak-decimated here, to the plot's pixel width over the shown x-range (one pass of
        # numpy instead of pyqtgraph's per-item work on every row, which dominated frames with several runs)
        self.plot.getPlotItem().vb.sigXRangeChanged.connect(self._zoomed)
        self.legend = self.plot.addLegend(offset=(-10, 10), brush=(255, 255, 255, 210))
        self.hover = pg.ScatterPlotItem(size=9, pen=pg.mkPen("k"), brush="w")
        self.hover.setZValue(20)
        self.plot.addItem(self.hover)
        self.plot.setLabel("left", "loss")
        self.plot.getPlotItem().getAxis("left").enableAutoSIPrefix(False)
        self.plot.getPlotItem().getAxis("bottom").enableAutoSIPrefix(False)
        self.plot.scene().sigMouseMoved.connect(self._hovered)
        self.rebuild()

    def _rebuild(self) -> None:
        key = self.model.view["x_axis"]
        self.x_axis.blockSignals(True)
        self.x_axis.setCurrentIndex(list(X_AXES).index(key))
        self.x_axis.blockSignals(False)
        self.log_y.blockSignals(True)
        self.log_y.setChecked(self.model.view["log_y"])
        self.log_y.blockSignals(False)
        self.plot.setLabel("bottom", X_AXES[key].lower())
        self.plot.setLogMode(y=self.model.view["log_y"])
        for items in self._items.values():
            for item in items:
                self.plot.removeItem(item)
        self.legend.clear()
        self._items = {}
        several = len(self.visible_runs()) > 1
        for run in self.visible_runs():
            # Opaque pens; only the full loss is wide (Qt's stroker is slow), which is cheap because the plot
            # peak-downsamples every curve to about two points per pixel column.
            batch = pg.PlotDataItem(pen=pg.mkPen(lighter(run.color, 0.65), width=1), connect="finite")
            bold = run is self.model.selected  # wide pens cost; only the selected run's full loss is bold
            full = pg.PlotDataItem(pen=pg.mkPen(darker(run.color), width=2 if bold else 1), connect="finite")
            for item in (batch, full):
                # the axes follow the full loss only (a single sample's loss can be ~0 and would stretch a log
                # axis over many empty decades)
                self.plot.addItem(item, ignoreBounds=item is batch)
            self._items[id(run)] = (batch, full)
            if several:  # one entry per run; its light shade is the loss of the samples each step used
                self.legend.addItem(full, run.name)
                continue
            self.legend.addItem(full, "full loss")
            if run.trainer.problem.dataset is not None and run.config["variant"] != "batch":
                what = "mini-batch loss" if run.config["variant"] == "minibatch" else "single-sample loss"
                self.legend.addItem(batch, what)
        self.hover.clear()
        self.refresh()

    def _zoomed(self) -> None:
        if not self.plot.getPlotItem().vb.autoRangeEnabled()[0]:  # the user zoomed: decimate what is shown
            self.refresh()

    def _shown_rows(self, x: np.ndarray) -> slice:
        vb = self.plot.getPlotItem().vb
        if vb.autoRangeEnabled()[0]:
            return slice(0, len(x))
        low, high = vb.viewRange()[0]
        return slice(max(0, int(np.searchsorted(x, low)) - 1), int(np.searchsorted(x, high)) + 1)

    def refresh(self) -> None:
        super().refresh()
        key = self.model.view["x_axis"]
        bins = max(100, int(self.plot.getPlotItem().vb.width()))
        log = self.model.view["log_y"]
        for run in self.visible_runs():
            items = self._items.get(id(run))
            if items is None:
                continue
            batch, full = items
            history = run.history
            x = history.column(key)
            rows = self._shown_rows(x)
            full.setData(*peak_decimate(x[rows], _plottable(history.loss[rows], log), bins))
            show_batch = run.trainer.problem.dataset is not None and run.config["variant"] != "batch"
            # the light batch-loss envelope at half the resolution: it zigzags, and long zigzags are slow to draw
            batch.setData(*peak_decimate(x[rows], _plottable(history.batch_loss[rows], log), bins // 2)) \
                if show_batch else batch.clear()
        # settle the auto-range now, not while painting: a range change during paint costs a second paint
        self.plot.getPlotItem().vb.prepareForPaint()

    def _hovered(self, scene_pos) -> None:
        vb = self.plot.getPlotItem().vb
        run = self.model.selected
        if run is None or not vb.sceneBoundingRect().contains(scene_pos) or not run.visible:
            self.readout.setText("")
            self.hover.clear()
            return
        history = run.history
        x = history.column(self.model.view["x_axis"])
        row = int(np.clip(np.searchsorted(x, vb.mapSceneToView(scene_pos).x()), 0, len(x) - 1))
        loss = history.loss[row]
        text = f"step {int(history.step[row])} · epoch {history.epoch[row]:.3g} · loss {loss:.5g}"
        if np.isfinite(history.batch_loss[row]) and run.config["variant"] != "batch":
            text += f" · batch {history.batch_loss[row]:.4g}"
        self.readout.setText(text)
        y = _plottable(np.array([loss]), self.model.view["log_y"])
        self.hover.setData([x[row]], np.log10(y) if self.model.view["log_y"] else y)


def _plottable(values: np.ndarray, log: bool) -> np.ndarray:
    """Non-finite values (a diverged run's last rows) and, on a log axis, non-positive ones become NaN gaps, so
    axis ranges stay finite."""
    bad = ~np.isfinite(values)
    if log:
        bad |= values <= 0
    return np.where(bad, np.nan, values) if bad.any() else values
