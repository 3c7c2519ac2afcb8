"""The optimizer's state over time for the selected run: each parameter, the gradient norm, the learning rate
(with its schedule) and the effective step size of each parameter, |Δθᵢ| / |gᵢ|."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ..session import PALETTE

MAX_LINES = 8  # parameters drawn one line each; more are summarised by the first ones


class OptimizerStatePlot(QWidget):
    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.model = model
        self.redraw_count = 0
        self.note = QLabel("")
        self.note.setStyleSheet("color: #555;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.note)
        self.plots = {}
        self._curves: dict[str, list] = {}
        events = model.events
        events.selection_changed.connect(lambda run: self.rebuild())
        events.run_styled.connect(lambda run, what: run is self.model.selected and self.rebuild())
        events.run_reset.connect(lambda *_: self.rebuild())
        events.session_loaded.connect(self.rebuild)
        events.run_changed.connect(lambda *_: self.refresh())
        events.advanced.connect(lambda runs: self.model.selected in runs and self.refresh())

    def _build(self) -> None:
        """The four plots, made the first time the dock is seen (they cost start-up time otherwise)."""
        self.layout_widget = pg.GraphicsLayoutWidget()
        self.layout_widget.setObjectName("optimizer_state")
        self.layout().addWidget(self.layout_widget, 1)
        for row, (key, label, log) in enumerate((("params", "parameters θᵢ", False),
                                                 ("grad_norm", "|∇L| (all data)", True),
                                                 ("lr", "learning rate γₜ", False),
                                                 ("steps", "step size |Δθᵢ|/|gᵢ|", True))):
            plot = self.layout_widget.addPlot(row=row, col=0)
            plot.setLabel("left", label)
            plot.setLogMode(y=log)
            plot.setDownsampling(auto=True, mode="peak")
            plot.setClipToView(True)
            plot.getAxis("left").setWidth(70)
            if row:
                plot.setXLink(self.plots["params"])
            self.plots[key] = plot
        self.plots["steps"].setLabel("bottom", "step")
        self.plots["params"].addLegend(offset=(-5, 5), brush=(255, 255, 255, 200), labelTextSize="8pt")

    def rebuild(self) -> None:
        if not self.plots:
            return
        for plot in self.plots.values():
            for item in list(plot.listDataItems()):
                plot.removeItem(item)
        legend = self.plots["params"].legend
        legend.clear()
        run = self.model.selected
        names = run.trainer.problem.param_names
        shown = names[:MAX_LINES]
        self.note.setText(f"{run.name}" + (f" - the first {MAX_LINES} of {len(names)} parameters"
                                           if len(names) > MAX_LINES else ""))
        colors = [PALETTE[k % len(PALETTE)] for k in range(len(shown))]
        self._curves = {"params": [self.plots["params"].plot(pen=pg.mkPen(c, width=1), name=n, connect="finite")
                                   for c, n in zip(colors, shown)],
                        "steps": [self.plots["steps"].plot(pen=pg.mkPen(c, width=1), connect="finite")
                                  for c in colors],
                        "grad_norm": [self.plots["grad_norm"].plot(pen=pg.mkPen("#333", width=1), connect="finite")],
                        "lr": [self.plots["lr"].plot(pen=pg.mkPen(run.color, width=2), connect="finite")]}
        self.refresh()

    def refresh(self) -> None:
        if self.visibleRegion().isEmpty() or not self.plots:
            return  # a closed dock, or one behind another tab, costs nothing
        self.redraw_count += 1
        history = self.model.selected.history
        step = history.step
        with np.errstate(invalid="ignore", divide="ignore"):
            params = np.where(np.isfinite(history.params), history.params, np.nan)
            steps = history.effective_step_sizes()
            steps = np.where(steps > 0, steps, np.nan)
            norms = np.where(history.grad_norm > 0, history.grad_norm, np.nan)
        for k, curve in enumerate(self._curves["params"]):
            curve.setData(step, params[:, k])
        for k, curve in enumerate(self._curves["steps"]):
            curve.setData(step[1:], steps[1:, k])
        self._curves["grad_norm"][0].setData(step, norms)
        self._curves["lr"][0].setData(step, history.lr)

    def shown(self, visible: bool) -> None:
        """The dock became visible (its tab chosen) or hidden: build the plots the first time, then catch up."""
        if visible:
            if not self.plots:
                self._build()
                self.rebuild()
            self.refresh()
