"""Learning-rate sweep: the final loss against the learning rate (log axes), one curve per variant or optimizer,
and a learning rate x batch size heat map - for the selected run, computed with gd_core.run_many one series at
a time so the window stays responsive."""

from __future__ import annotations

from collections import deque

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

import gd_core
from gd_core import OPTIMIZERS, sweep

from ..session import PALETTE
from ..widgets import NumberSpinBox

HEAT_COLORS = pg.colormap.get("viridis")


class SweepWindow(QDialog):
    """Non-modal: compute, watch the curves fill in, compare with the run's own learning rate (dashed line)."""

    finished = Signal()

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Learning-rate sweep")
        self.setObjectName("sweep_window")
        self.resize(1100, 560)
        self.model = model
        self._jobs: deque = deque()
        self.results: dict[str, np.ndarray] = {}
        self.grid: np.ndarray | None = None
        controls = QFormLayout()
        self.low, self.high = NumberSpinBox(1e-8, 1e4, log=True), NumberSpinBox(1e-8, 1e4, log=True)
        self.low.setValue(1e-3)
        self.high.setValue(1.0)
        self.low.setToolTip("Smallest learning rate of the sweep.")
        self.high.setToolTip("Largest learning rate of the sweep.")
        self.count = QSpinBox()
        self.count.setRange(2, 64)
        self.count.setValue(16)
        self.count.setToolTip("How many learning rates, evenly spaced on a log scale (each is one run).")
        self.series = QComboBox()
        self.series.addItem("variants (batch, stochastic, mini-batch)", "variant")
        self.series.addItem("optimizers", "optimizer")
        self.series.setToolTip("One curve per variant (same epoch budget) or per optimizer (same run otherwise).")
        self.series.currentIndexChanged.connect(self._series_changed)
        self.optimizers = {name: QCheckBox(name) for name in OPTIMIZERS}
        for name, box in self.optimizers.items():
            box.setChecked(name in ("plain", "momentum", "adam"))
            box.setToolTip(OPTIMIZERS[name].doc)
        grid = QGridLayout()
        for i, box in enumerate(self.optimizers.values()):
            grid.addWidget(box, i // 4, i % 4)
        self.with_grid = QCheckBox("learning rate × batch size heat map")
        self.with_grid.setChecked(True)
        self.with_grid.setToolTip("Also run every batch size from 1 to n (powers of two) at every rate, on the "
                                  "same epoch budget.")
        controls.addRow("from", self.low)
        controls.addRow("to", self.high)
        controls.addRow("rates", self.count)
        controls.addRow("curves", self.series)
        controls.addRow(grid)
        controls.addRow(self.with_grid)
        self.compute_button = QPushButton("Compute")
        self.compute_button.setObjectName("sweep_compute")
        self.compute_button.setToolTip("Run the sweep for the selected run (its start, seed and data).")
        self.compute_button.clicked.connect(self.compute)
        self.progress = QLabel("")
        self.progress.setWordWrap(True)
        controls.addRow(self.compute_button)
        controls.addRow(self.progress)
        self.curves = pg.PlotWidget()
        self.curves.setLogMode(x=True, y=True)
        self.curves.setLabel("bottom", "learning rate")
        self.curves.setLabel("left", "final loss (diverged: not drawn)")
        # one curve per series name, made when first needed and refilled by later sweeps (emptied when unused);
        # the legend is a label above the plots
        self.lr_line = pg.InfiniteLine(angle=90, pen=pg.mkPen("#444", width=1, style=pg.QtCore.Qt.PenStyle.DashLine))
        self.curves.addItem(self.lr_line)
        self._series_items: dict[str, pg.PlotDataItem] = {}
        self.legend = QLabel("")
        self.legend.setObjectName("sweep_legend")
        self.legend.setToolTip("The series drawn, in their colours; the dashed line is the run's own rate.")
        self.heat = pg.PlotWidget()
        self.heat.setLabel("bottom", "log10(learning rate)")
        self.heat.setLabel("left", "batch size")
        self.heat_image = pg.ImageItem(axisOrder="row-major")
        self.heat_image.setColorMap(HEAT_COLORS)
        self.heat.addItem(self.heat_image)
        self.heat_bar = pg.ColorBarItem(colorMap=HEAT_COLORS, interactive=False, width=12,
                                        label="log10(final loss)   × = diverged")
        self.heat_bar.setImageItem(self.heat_image, insert_in=self.heat.getPlotItem())
        self.diverged = pg.ScatterPlotItem(symbol="x", size=9, pen=pg.mkPen("#b00020", width=2))
        self.heat.addItem(self.diverged)
        for plot in (self.curves, self.heat):
            plot.setMenuEnabled(False)
        layout = QHBoxLayout(self)
        layout.addLayout(controls)
        plots = QVBoxLayout()
        plots.addWidget(self.legend)
        row = QHBoxLayout()
        row.addWidget(self.curves, 1)
        row.addWidget(self.heat, 1)
        plots.addLayout(row)
        layout.addLayout(plots, 1)
        self._series_changed()

    def _series_changed(self) -> None:
        by_optimizer = self.series.currentData() == "optimizer"
        for box in self.optimizers.values():
            box.setEnabled(by_optimizer)

    # -- computing -------------------------------------------------------------------------------------------
    def compute(self) -> None:
        run = self.model.selected
        try:
            lrs = sweep.learning_rates(self.low.value(), self.high.value(), self.count.value())
        except ValueError as error:
            self.progress.setText(f"Not computed: {error}.")
            return
        config = self.model.config_copy(run)
        config["init"] = [float(v) for v in run.history.params[0]]
        has_data = run.trainer.problem.dataset is not None
        by = self.series.currentData()
        if by == "variant" and not has_data:
            by = "optimizer"
            self.series.setCurrentIndex(1)
        names = sweep.SWEEP_VARIANTS if by == "variant" else [n for n, b in self.optimizers.items() if b.isChecked()]
        if not names:
            self.progress.setText("Not computed: tick at least one optimizer.")
            return
        self.lrs, self.results, self.grid, self._grid_done = lrs, {}, None, set()
        for item in self._series_items.values():
            item.setData([], [])
        self.lr_line.setValue(np.log10(config["optimizer"]["lr"]))
        self.legend.setText("")
        jobs = [("series", name, configs) for name, configs in sweep.series_configs(config, lrs, by, names).items()]
        self.sizes = sweep.batch_sizes(run.trainer.problem.n_samples) if has_data and self.with_grid.isChecked() \
            else []
        if self.sizes:
            self.grid = np.full((len(self.sizes), len(lrs)), np.nan)
            jobs += [("grid", i, row) for i, row in enumerate(sweep.grid_configs(config, lrs, self.sizes))]
        try:  # refused before anything is computed: a series runs on the window's thread
            sweep.check_series_work({key if kind == "series" else f"batch size {self.sizes[key]}": configs
                                     for kind, key, configs in jobs}, run.trainer.problem)
        except gd_core.ConfigError as error:
            self.progress.setText(f"Not computed: {error}")
            return
        self._total = len(jobs)
        self._jobs = deque(jobs)
        self.compute_button.setEnabled(False)
        self._next()

    def _next(self) -> None:
        if not self._jobs:
            self.compute_button.setEnabled(True)
            self.progress.setText(f"Done: {self._total} series of {len(self.lrs)} runs.")
            self.finished.emit()
            return
        kind, key, configs = self._jobs.popleft()
        try:
            losses = sweep.final_losses(gd_core.run_many(configs))
        except gd_core.ConfigError as error:
            self.progress.setText(f"Not computed: {error}")
            self._jobs.clear()
            self.compute_button.setEnabled(True)
            return
        if kind == "series":
            self.results[key] = losses
            color = PALETTE[(len(self.results) - 1) % len(PALETTE)]
            finite = np.where(losses > 0, losses, np.nan)
            item = self._series_items.get(key)
            if item is None:
                item = self._series_items[key] = self.curves.plot([], [], symbol="o", symbolSize=5, symbolPen=None,
                                                                  connect="finite")
            shown = np.isfinite(finite).any()  # every run diverged: nothing to draw (the legend still names it)
            item.setData(self.lrs if shown else [], finite if shown else [], pen=pg.mkPen(color, width=2),
                         symbolBrush=color)
            self.legend.setText("&nbsp;&nbsp;".join(f'<span style="color:{PALETTE[i % len(PALETTE)]}">■</span> {name}'
                                                    for i, name in enumerate(self.results)))
        else:
            self.grid[key] = losses
            self._grid_done.add(key)
            self._draw_grid()
        done = self._total - len(self._jobs)
        self.progress.setText(f"Computing... {done}/{self._total} series")
        QTimer.singleShot(0, self._next)  # let the window breathe between series

    def _draw_grid(self) -> None:
        with np.errstate(divide="ignore", invalid="ignore"):
            shown = np.log10(np.where(self.grid > 0, self.grid, np.nan))
        finite = shown[np.isfinite(shown)]
        if not len(finite):
            return
        low, high = float(finite.min()), float(finite.max())
        image = np.where(np.isfinite(shown), shown, high)
        self.heat_image.setImage(image, autoLevels=False, levels=(low, high if high > low else low + 1))
        x = np.log10(self.lrs)
        dx = x[1] - x[0]
        self.heat_image.setRect(QRectF(x[0] - dx / 2, -0.5, dx * len(x), len(self.sizes)))
        self.heat_bar.setLevels((low, high if high > low else low + 1))
        computed = np.zeros(len(self.sizes), dtype=bool)
        computed[sorted(self._grid_done)] = True
        rows, cols = np.nonzero(np.isnan(self.grid) & computed[:, None])  # NaN in a computed row: diverged
        self.diverged.setData(x[cols], rows.astype(float))
        self.heat.getPlotItem().getAxis("left").setTicks([[(i, str(k)) for i, k in enumerate(self.sizes)]])
        self.heat.setRange(xRange=(x[0] - dx, x[-1] + dx), yRange=(-0.7, len(self.sizes) - 0.3), padding=0)
