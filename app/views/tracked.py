"""Quantities measured along runs (gd_core.tracking) over steps: the sharpness with the edge of stability 2/lr,
and the gradient noise scale with each run's batch size. A header switch measures the quantity on the selected
run every k steps (its config's "track"); the plot draws every visible run that measures it."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox

import gd_core
from gd_core.samplers import samples_per_step
from gd_core.tracking import NOISE_SCALE_CEILING, TRACKED, noise_scale_drawn, stability_edge

from ..theme import theme
from ..widgets import SpinBox
from .base import AxisNameFit, PlotView, stronger

#: Measure every this many steps unless the user says otherwise.
DEFAULT_EVERY = 10


class TrackedView(PlotView):
    """One tracked quantity (``quantity``, a :data:`gd_core.tracking.TRACKED` name) against steps; a subclass
    gives each run's reference line in :meth:`reference` (x, y), or None."""

    quantity = ""
    reference_name = ""  # the legend's name of the selected run's dashed line
    log_y = False
    shows_heading = False
    beside_results = True
    live_refresh_s = 0.2  # measurements come every k steps: a few redraws a second show them all

    def __init__(self, model, parent=None):
        self._items: dict[int, tuple] = {}
        self.measured_any = False
        super().__init__(model, parent)
        spec = TRACKED[self.quantity]
        self.measure = QCheckBox("every")  # reads "Sharpness [x] every [10 steps]"
        self.measure.setObjectName(f"track_{self.quantity}")
        self.measure.setToolTip(f"Measure the selected run's {spec.title} at its current step and then every so "
                                f"many steps. {spec.doc}")
        self.every = SpinBox()
        self.every.widest_text = "100000 steps"  # the dock tabs with the update rule: its header stays narrow
        self.every.setObjectName(f"track_{self.quantity}_every")
        self.every.setRange(1, 100_000)
        self.every.setValue(DEFAULT_EVERY)
        self.every.setSuffix(" steps")
        self.every.setToolTip("Every how many steps to measure: each measurement costs some passes over the data, "
                              "so a larger k trains faster (a long run's record rounds k up to its stride).")
        self.measure.toggled.connect(lambda on: self._set_tracking())
        self.every.valueChanged.connect(lambda value: self.measure.isChecked() and self._set_tracking())
        self.note = self.info  # a line that never resizes the window
        self.note.setObjectName(f"{self.quantity}_note")
        for widget in (self.measure, self.every):
            self.controls.addWidget(widget)
        # the title ends with its symbol ("gradient noise scale B"): the symbol alone where the plot is short
        AxisNameFit(self.plot.getPlotItem().getAxis("left"), spec.title, spec.title.rsplit(" ", 1)[-1])
        self.plot.setLabel("bottom", "step")
        self.plot.setToolTip(spec.doc)
        self.rebuild()

    # -- the switch ------------------------------------------------------------------------------------------
    def _set_tracking(self) -> None:
        run = self.model.selected
        config = self.model.config_copy(run)
        track = dict(config.get("track", {}))
        if self.measure.isChecked():
            track[self.quantity] = self.every.value()
        else:
            track.pop(self.quantity, None)
        config["track"] = track
        try:
            self.model.update_config(run, config)
        except gd_core.ConfigError as error:
            self.note.setText(f"Not measured - {error}")
            self._show_switch()

    def _show_switch(self) -> None:
        run = self.model.selected
        every = run.config.get("track", {}).get(self.quantity)
        usable = not TRACKED[self.quantity].needs_data or run.trainer.problem.dataset is not None
        for widget, value in ((self.measure, every is not None), (self.every, every or self.every.value())):
            widget.blockSignals(True)
            widget.setChecked(value) if widget is self.measure else widget.setValue(value)
            widget.blockSignals(False)
        self.measure.setEnabled(usable)
        if not usable:
            self.note.setText("a function of x and y has no samples")

    # -- drawing ---------------------------------------------------------------------------------------------
    def _rebuild(self) -> None:
        for items in self._items.values():
            for item in items:
                if item is not None:
                    self.plot.removeItem(item)
        self._items = {}
        self.note.setText("")
        self._show_switch()
        look, legend = theme(), []
        for run in self.visible_runs():
            color = stronger(run.color)
            points = pg.PlotDataItem(pen=look.pen(color, 2 if run is self.model.selected else 1),
                                     symbol="o", symbolSize=4, symbolPen=None, symbolBrush=color)
            line = pg.PlotCurveItem(pen=look.pen(color, 1, style=Qt.PenStyle.DashLine))
            # values beyond what the plot draws (see drawn()): a triangle pointing up at the top of the range
            beyond = pg.PlotDataItem(pen=None, symbol="t1", symbolSize=9, symbolPen=None, symbolBrush=color)
            for item in (points, line, beyond):
                self.plot.addItem(item)
            self._items[id(run)] = (points, line, beyond)
            legend.append((color, run.name))
        if self.reference_name and self.visible_runs():
            legend.append((stronger(self.model.selected.color), f"{self.reference_name} (dashed)"))
        self.set_legend(legend)
        self.refresh()
        if not self.measured_any:  # an empty plot keeps the range of what it last showed (another session's)
            self.plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
            self.plot.enableAutoRange()

    def refresh(self, moved: set[int] | None = None) -> None:
        super().refresh(moved)
        measured_any, spans = False, []
        for run in self.visible_runs():
            items = self._items.get(id(run))
            if items is None:
                continue
            points, line, beyond = items
            history = run.history
            values, above = self.drawn(run, history.measured(self.quantity))
            with np.errstate(invalid="ignore"):
                rows = np.flatnonzero(np.isfinite(values) & (values > 0 if self.log_y else True))
            measured_any |= len(rows) > 0
            points.setData(history.step[rows], values[rows])
            if len(rows):
                height = values[rows[0]]  # (the points are PlotDataItems: pyqtgraph takes their log itself)
                spans.append((history.step[rows[0]], history.step[rows[-1]],
                              np.log10(height) if self.log_y else height))
            beyond.setData(history.step[above], values[above])
            reference = self.reference(run) if len(rows) else None
            line.setData(*reference) if reference is not None else line.clear()
        self.span_x(spans)
        self.measured_any = measured_any
        if not measured_any and not self.note.text().startswith("Not measured"):
            self.note.setText("not measured yet")
        elif measured_any and self.note.text() == "not measured yet":
            self.note.setText("")

    def reference(self, run):
        return None

    def drawn(self, run, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(``values`` as drawn, which are beyond the plot's range - drawn at its edge with a triangle)."""
        return values, np.zeros(len(values), dtype=bool)


class SharpnessView(TrackedView):
    """The sharpness λ_max with each run's edge of stability: 2/lr_t for plain GD (its schedule's rate at each
    step), (2 + 2β)/lr for momentum, minus any weight decay; full-batch training of a network climbs to it and
    stays there, while on a quadratic the sharpness is a constant and the line is where runs diverge."""

    title = "Sharpness"
    quantity = "sharpness"
    reference_name = "edge of stability (2/lr)"

    def __init__(self, model, parent=None):
        super().__init__(model, parent)
        self.plot.setToolTip(self.plot.toolTip() + " Dashed: the edge of stability of each run's method and "
                                                   "learning rate (2/lr for plain gradient descent).")

    def reference(self, run):
        history = run.history
        edge = stability_edge(run.config["optimizer"], history.lr)
        if edge is None:
            return None
        return history.step, np.where(np.isfinite(edge), edge, np.nan)


class NoiseScaleView(TrackedView):
    """The gradient noise scale B_simple with each run's batch size (dashed): a batch well below B still cuts the
    steps nearly in proportion; well above it, it mostly costs samples."""

    title = "Noise scale"
    quantity = "noise_scale"
    reference_name = "batch size"
    log_y = True

    def __init__(self, model, parent=None):
        super().__init__(model, parent)
        self.plot.setLogMode(y=True)
        self.plot.setToolTip(self.plot.toolTip() + " Dashed: each run's batch size (samples per step). A triangle "
                             f"at the top: B beyond {NOISE_SCALE_CEILING} times the data's size, where every batch "
                             "is far below it (near a minimum the full gradient vanishes and B grows without "
                             "bound).")

    def drawn(self, run, values):
        return noise_scale_drawn(values, run.trainer.problem.n_samples)

    def reference(self, run):
        config = run.config
        per_step = samples_per_step(run.trainer.problem.n_samples, config["variant"], config["batch_size"])
        return run.history.step[[0, -1]], np.full(2, np.log10(per_step))
