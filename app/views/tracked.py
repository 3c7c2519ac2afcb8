"""Quantities measured along runs (gd_core.tracking) over steps: the sharpness with the edge of stability 2/lr,
and the gradient noise scale with each run's batch size. A header switch measures the quantity on the selected
run every k steps (its config's "track"); the plot draws every visible run that measures it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox

import gd_core
from gd_core.display import LevelLine, MeasuredPoints, drawn_values
from gd_core.samplers import samples_per_step
from gd_core.tracking import NOISE_SCALE_CEILING, TRACKED, noise_scale_drawn, stability_edge

from ..theme import theme
from ..widgets import SpinBox
from .base import DASHED, AxisNameFit, RunItemsView, stronger

#: Measure every this many steps unless the user says otherwise.
DEFAULT_EVERY = 10


class TrackedView(RunItemsView):
    """One tracked quantity (``quantity``, a :data:`gd_core.tracking.TRACKED` name) against steps; a subclass
    gives each run's reference line in :meth:`reference` (x, y), or None."""

    quantity = ""
    view_keys = ()  # it draws by no view setting
    reference_name = ""  # the legend's name of the dashed lines (each run's reference line, in its colour)
    log_y = False
    shows_heading = False
    beside_results = True
    live_refresh_s = 0.2  # measurements come every k steps: a few redraws a second show them all

    def __init__(self, model, parent=None):
        self._items: dict[int, _Drawn] = {}
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
        for run_id in list(self._items):
            self._take_items(run_id)
        for run in self.visible_runs():
            self._items[id(run)] = self._made(run)
        self._settle(None)

    def _made(self, run) -> _Drawn:
        """A run's items, added to the plot."""
        look, color = theme(), stronger(run.color)
        # a curve and its symbols as items of their own (not a PlotDataItem): new measurements are appended
        # to the symbols, not all of them set again (pyqtgraph sets up each symbol in Python)
        curve = pg.PlotCurveItem(pen=self.bold_pen(run))
        points = pg.ScatterPlotItem(symbol="o", size=4, pen=None, brush=color)
        line = pg.PlotCurveItem(pen=look.pen(color, 1, style=Qt.PenStyle.DashLine))
        # values beyond what the plot draws (see drawn()): a triangle pointing up at the top of the range
        beyond = pg.ScatterPlotItem(symbol="t1", size=9, pen=None, brush=color)
        drawn = _Drawn(curve, points, line, beyond, MeasuredPoints(lambda values, run=run: self.drawn(run, values)))
        for item in drawn.items:
            # the points' symbols pad the range no more than the line through them (as one PlotDataItem)
            self.plot.addItem(item, ignoreBounds=item is points)
        return drawn

    def _main_line(self, drawn: _Drawn) -> pg.PlotCurveItem:
        return drawn.curve

    def _take_items(self, run_id: int) -> None:
        for item in self._items.pop(run_id).items:
            self.plot.removeItem(item)

    def _settle(self, moved: set[int] | None) -> None:
        """The switch, the note and the legend again, the runs ``moved`` redrawn, and an empty plot framed."""
        self.note.setText("")
        self._show_switch()
        self._set_legend()
        self.refresh(moved)
        if not self.measured_any:  # an empty plot keeps the range of what it last showed (another session's)
            self.plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
            self.plot.enableAutoRange()

    def _set_legend(self) -> None:
        runs = self.visible_runs()
        # a line style's key, as the loss view's "╍╍ validation": dashed, in the text's colour (each run's own
        # dashed line is in its colour; the selected run's colour read as one more run, drawn solid)
        reference = [(theme().color("text"), self.reference_name, DASHED)] if self.reference_name and runs else []
        self.set_legend([(stronger(run.color), run.name) for run in runs], keys=reference)

    def _restyle_items(self, run, what: str) -> bool:
        """A colour or a name changes that run's pens and the legend alone (nothing is measured again)."""
        drawn = self._items.get(id(run))
        if what == "color" and drawn is not None:
            look, color = theme(), stronger(run.color)
            drawn.curve.setPen(self.bold_pen(run))
            drawn.line.setPen(look.pen(color, 1, style=Qt.PenStyle.DashLine))
            for symbols in (drawn.points, drawn.beyond):
                symbols.setBrush(color)
        self._set_legend()
        return True

    def refresh(self, moved: set[int] | None = None) -> None:
        """Redraw the runs that stepped (``moved``; None: every run), each from the rows it recorded since the
        last redraw (:class:`~gd_core.display.MeasuredPoints`): a point is set only when a measurement came."""
        super().refresh(moved)
        for run in self.visible_runs():
            drawn = self._items.get(id(run))
            if drawn is not None and (moved is None or id(run) in moved):
                self._draw(run, drawn)
        spans = [drawn.span for drawn in self._items.values() if drawn.span is not None]
        self.span_x(spans)
        self.measured_any = measured_any = bool(spans)
        if not measured_any and not self.note.text().startswith("Not measured"):
            self.note.setText("not measured yet")
        elif measured_any and self.note.text() == "not measured yet":
            self.note.setText("")

    def nothing_to_picture(self) -> str:
        """No visible run has measured the quantity: its picture (File > Export, the lab report) would be an empty
        plot."""
        for run in self.visible_runs():
            if self.quantity in run.history.columns and not np.isnan(run.history.column(self.quantity)).all():
                return ""
        return f"no run has measured its {TRACKED[self.quantity].title} (tick 'every' in its tab)"

    def _draw(self, run, drawn: _Drawn) -> None:
        history, measured = run.history, drawn.measured
        tracked = self.quantity in history.columns  # (a column is only added, or comes with a new record)
        column = history.column(self.quantity) if tracked else history.step[:0]
        if measured.update(history.step, column, source=(history, history.stride, tracked)):
            new = slice(measured.kept, None)
            if measured.kept < drawn.shown:  # points changed, not only added: set them all
                drawn.points.setData(measured.x, measured.y)
                drawn.beyond.setData(measured.x[measured.beyond], measured.y[measured.beyond])
            else:
                drawn.points.addPoints(measured.x[new], measured.y[new])
                beyond = measured.beyond[new]
                if beyond.any():
                    drawn.beyond.addPoints(measured.x[new][beyond], measured.y[new][beyond])
            drawn.shown = len(measured.x)
            drawn.curve.setData(measured.x, measured.y)
            drawn.span = (measured.x[0], measured.x[-1], measured.y[0]) if len(measured.x) else None
        reference = self.reference(run, drawn) if drawn.span is not None else None
        drawn.line.setData(*reference) if reference is not None else drawn.line.clear()

    def reference(self, run, drawn: _Drawn):
        return None

    def drawn(self, run, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(measured ``values`` as drawn - NaN where they are not -, which are beyond the plot's range: drawn at
        its edge, with a triangle)."""
        return drawn_values(values, self.log_y), np.zeros(len(values), dtype=bool)


@dataclass(eq=False)
class _Drawn:
    """A run's items - the line through its measured points, the points, its reference line, its points beyond
    the range - and what they show: its measured points, the reference line's rows, how many points are drawn,
    and (first x, last x, first height) of them."""
    curve: pg.PlotCurveItem
    points: pg.ScatterPlotItem
    line: pg.PlotCurveItem
    beyond: pg.ScatterPlotItem
    measured: MeasuredPoints
    level: LevelLine | None = None
    shown: int = 0
    span: tuple | None = None

    @property
    def items(self) -> tuple:
        return self.curve, self.points, self.line, self.beyond


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

    def reference(self, run, drawn):
        """Each row's edge, worked out for new rows only (the rows of a level stretch are left out: a constant
        rate's edge is one line of three points however long the run)."""
        optimizer, history = run.config["optimizer"], run.history
        if stability_edge(optimizer, 1.0) is None:
            return None
        if drawn.level is None:
            drawn.level = LevelLine(lambda lr: drawn_values(stability_edge(run.config["optimizer"], lr)))
        return drawn.level.update(history.step, history.lr, source=(history, history.stride, str(optimizer)))


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
        values, beyond = noise_scale_drawn(values, run.trainer.problem.n_samples)
        return drawn_values(values, log=True), beyond

    def reference(self, run, drawn):
        config = run.config
        per_step = samples_per_step(run.trainer.problem.n_samples, config["variant"], config["batch_size"])
        return run.history.step[[0, -1]], np.full(2, np.log10(per_step))
