"""Runs > Batch-size scaling: steps and epochs to a target loss against the batch size for the selected run
(gd_core.batch_scaling, computed in the sweep's worker process), with McCandlish's model fitted and drawn and the
noise scale measured along the full-batch run - the trade-off between batch, mini-batch and stochastic in one
picture. The window schedules and draws; a progress bar and Stop as in the learning-rate sweep."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
)

import gd_core
from gd_core import batch_scaling, sweep_worker

from ..exports import Picture
from ..palette import OKABE_ITO
from ..theme import theme
from ..widgets import NumberSpinBox, info_label
from .base import legend_html, plot_widget, with_run_named
from .sweep import SweepDialog

MEASURED, FITTED, NOISE = OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["bluish_green"]


class BatchScalingWindow(SweepDialog):
    """Non-modal: Compute runs the plan of the selected run; each batch size's point is drawn as it arrives."""

    def __init__(self, model, parent=None):
        super().__init__(model, "Batch-size scaling", "batch_scaling_window", parent)
        self.points: list[batch_scaling.ScalingPoint] = []
        self.noise_scale: float | None = None
        self.fit: batch_scaling.ScalingFit | None = None
        self.target = NumberSpinBox(-1e12, 1e12)
        self.target.setObjectName("scaling_target")
        self.target.setToolTip("The loss every batch size must reach (the loss averaged over the seeds). Default: "
                               "the minimum plus 1 % of the gap up to the start's loss, where the minimum is known.")
        self.rates = QSpinBox()
        self.rates.setRange(2, 40)
        self.rates.setValue(batch_scaling.DEFAULT_RATES)
        self.rates.setToolTip("Learning rates tried at each batch size (log-spaced up to the largest stable one "
                              "where the curvature is known): each batch size gets its best rate.")
        self.seeds = QSpinBox()
        self.seeds.setRange(1, 32)
        self.seeds.setValue(batch_scaling.DEFAULT_SEEDS)
        self.seeds.setToolTip("Seeds averaged: the steps to the target are those of the average loss (one seed's "
                              "noisy loss dips below a target early by luck).")
        self.epochs = NumberSpinBox(0.01, 1e4, log=True)
        self.epochs.setValue(batch_scaling.DEFAULT_EPOCHS)
        self.epochs.setToolTip("The most epochs a batch size may take before it counts as not reaching the target.")
        for box in (self.target, self.rates, self.seeds, self.epochs):
            box.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        form = QFormLayout()
        form.addRow("target loss", self.target)
        form.addRow("rates per batch size", self.rates)
        form.addRow("seeds", self.seeds)
        form.addRow("at most epochs", self.epochs)
        self.compute_button.setObjectName("scaling_compute")
        self.stop_button.setObjectName("scaling_stop")
        buttons = QHBoxLayout()
        buttons.addWidget(self.compute_button)
        buttons.addWidget(self.stop_button)
        form.addRow(buttons)
        form.addRow(self.progress_bar)
        self.summary = QLabel("Steps and epochs to reach the target at batch sizes 1, 2, 4, ... n, each at its best "
                              "rate; the model S = S_min(1 + B_noise/B), E = E_min(1 + B/B_noise) fitted (McCandlish "
                              "et al. 2018).")
        self.summary.setObjectName("scaling_summary")
        self.summary.setWordWrap(True)
        self.summary.setMinimumWidth(280)
        form.addRow(self.summary)
        self.steps_plot, self.epochs_plot = plot_widget(), plot_widget()
        self.curves = {}
        for plot, what in ((self.steps_plot, "steps"), (self.epochs_plot, "epochs")):
            plot.setObjectName(f"scaling_{what}")
            plot.setMenuEnabled(False)
            plot.setLogMode(x=True, y=True)
            plot.setLabel("bottom", "batch size B")
            plot.setLabel("left", f"{what} to the target")
            measured = plot.plot([], [], pen=None, symbol="o", symbolSize=8, symbolPen=None)
            fitted = plot.plot([], [])
            b_noise, b_simple = pg.InfiniteLine(angle=90), pg.InfiniteLine(angle=90)
            for line in (b_noise, b_simple):
                line.hide()
                plot.addItem(line)
            self.curves[what] = (measured, fitted, b_noise, b_simple)
        # the legend is a row above the plots (palette-aware, never over the points), as in the other views
        self.legend = info_label("scaling_legend")
        self.steps_plot.setToolTip("Below B_noise (dashed) twice the batch takes about half the steps; above it, "
                                   "the steps stop falling. Dotted: the gradient noise scale B_simple measured where "
                                   "the full-batch run reaches the target.")
        self.epochs_plot.setToolTip("Epochs (samples / n) to the target: flat below B_noise, growing in proportion "
                                    "to B above it - large batches spend samples for no fewer steps.")
        self._lay_out(form, self.steps_plot, self.epochs_plot)
        self._restyle()
        theme().changed.connect(self._restyle)
        model.events.selection_changed.connect(lambda run: self.suggest_target())
        self.suggest_target()

    def pictures(self) -> list[Picture]:
        """The steps and the epochs to the target, each with the legend, for Export."""
        plots = ((self.steps_plot, "Steps"), (self.epochs_plot, "Epochs"))
        legend = with_run_named(self.whose(), self.legend.text())
        return [Picture(f"{what} to the target", plot.getPlotItem(), plot.getPlotItem(), legend)
                for plot, what in plots]

    # -- computing -------------------------------------------------------------------------------------------
    def _plan(self, target: float | None = None) -> batch_scaling.ScalingPlan:
        run = self.model.selected
        config = self.model.config_copy(run)
        config["init"] = [float(v) for v in run.history.params[0]]
        return batch_scaling.plan_for(config, run.trainer.problem, target, seeds=self.seeds.value(),
                                      epochs=self.epochs.value(), rates=self.rates.value())

    def _restyle(self) -> None:
        look = theme()
        for plot in (self.steps_plot, self.epochs_plot):
            look.style_plot(plot)
        measured_color, fitted_color, noise_color = (look.shade(c) for c in (MEASURED, FITTED, NOISE))
        for measured, fitted, b_noise, b_simple in self.curves.values():
            measured.setSymbolBrush(measured_color)
            fitted.setPen(look.pen(fitted_color, 2))
            b_noise.setPen(look.pen(fitted_color, 1, style=Qt.PenStyle.DashLine))
            b_simple.setPen(look.pen(noise_color, 2, style=Qt.PenStyle.DotLine))
        text, tip = legend_html([(MEASURED, "measured (best rate)"), (FITTED, "fitted model"),
                                 (FITTED, "B_noise (fitted, dashed)"), (NOISE, "B_simple (measured, dotted)")])
        self.legend.setText(text)
        self.legend.setToolTip(tip)

    def suggest_target(self) -> None:
        """Set the target to the plan's default for the selected run (where it has data)."""
        try:
            self.target.setValue(self._plan().target)
        except gd_core.ConfigError:
            pass
        if not self.points and not self.running:
            self._frame_empty()

    def _frame_empty(self) -> None:
        """Before a computation: both plots span the batch sizes 1..n it will try (not pyqtgraph's 1..10)."""
        n = self.model.selected.trainer.problem.n_samples
        for plot in (self.steps_plot, self.epochs_plot):
            plot.setXRange(0.0, np.log10(max(n, 2)))

    def compute(self) -> None:
        run = self.model.selected
        try:
            plan = self._plan(self.target.value())
            batch_scaling.check_scaling_work(plan, run.trainer.problem)
        except gd_core.ConfigError as error:
            self.summary.setText(f"Not computed: {error}")
            return
        self.computed_for = run  # (a refused Compute leaves the last one's points, and their run)
        self.points, self.noise_scale, self.fit, self.n = [], None, None, run.trainer.problem.n_samples
        for plot in (self.steps_plot, self.epochs_plot):
            plot.enableAutoRange()  # the points' own range, no longer the empty frame's
        self._draw()
        self._begin()
        self.summary.setText(f"Computing... 0/{len(plan.sizes)} batch sizes")
        self._total = len(plan.sizes)
        self.runner.start_request(sweep_worker.scaling_request_text(plan.config, plan))

    def _arrived(self, update) -> None:
        self.points.append(update.point)
        if update.noise_scale is not None:
            self.noise_scale = update.noise_scale
        finite = [p for p in self.points if math.isfinite(p.steps)]
        self.fit = batch_scaling.fit([p.samples_per_step for p in finite], [p.steps for p in finite])
        self._draw()
        self.summary.setText(f"Computing... {len(self.points)}/{self._total} batch sizes")

    def _show_end(self, status: str) -> None:
        if status == "done":
            self.summary.setText(self.describe())
        elif status == "stopped":
            self.summary.setText(f"Stopped after {len(self.points)} of {self._total} batch sizes. " + self.describe())
        else:
            self.summary.setText(status)

    def describe(self) -> str:
        """The outcome in words: the fitted model and the measured noise scale."""
        missed = [p.batch_size for p in self.points if not math.isfinite(p.steps)]
        text = f"Batch sizes that did not reach the target: {', '.join(map(str, missed))}. " if missed else ""
        if self.fit is None:
            return text + "Too few batch sizes reached the target to fit the model."
        fit = self.fit
        text += (f"Fitted: S_min = {fit.s_min:.3g} steps, E_min = {fit.e_min / self.n:.3g} epochs, critical batch "
                 f"size B_noise ≈ {fit.b_noise:.3g}.")
        if self.noise_scale is not None and math.isfinite(self.noise_scale):
            text += (f" The noise scale measured where the full-batch run reaches the target is B_simple ≈ "
                     f"{self.noise_scale:.3g}: the fitted B_noise is {fit.b_noise / self.noise_scale:.2f} times it.")
        return text

    def _draw(self) -> None:
        points = [p for p in self.points if math.isfinite(p.steps)]
        B = np.array([p.samples_per_step for p in points])
        for what, values in (("steps", [p.steps for p in points]), ("epochs", [p.epochs for p in points])):
            measured, fitted, b_noise, b_simple = self.curves[what]
            measured.setData(B, np.array(values, dtype=float)) if len(points) else measured.setData([], [])
            if self.fit is not None and len(points):
                grid = np.geomspace(B.min(), B.max(), 100)
                model = self.fit.steps(grid) if what == "steps" else self.fit.samples(grid) / self.n
                fitted.setData(grid, model)
                b_noise.setValue(np.log10(self.fit.b_noise))
                b_noise.show()
            else:
                fitted.setData([], [])
                b_noise.hide()
            if self.noise_scale is not None and math.isfinite(self.noise_scale) and self.noise_scale > 0:
                b_simple.setValue(np.log10(self.noise_scale))
                b_simple.show()
            else:
                b_simple.hide()
