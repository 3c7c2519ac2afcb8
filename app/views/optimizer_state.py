"""The optimizer's state over time for the selected run: each parameter, the gradient norm, the learning rate
(with its schedule) and the effective step size of each parameter, |Δθᵢ| / |gᵢ|.

The axes are set from the data on every refresh (never left to auto-range with clipping, which kept a reset
run's curves outside a stale -1000..1000 view): x spans the steps so far, y the finite values with a margin, and
a constant curve (a constant learning rate) sits in the middle of a small range around its value.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from ..export_menu import ExportButton
from ..exports import Picture
from ..palette import run_color
from ..theme import theme
from ..widgets import ElidedLabel, info_label
from .base import (
    LONE_POINT_SIZE,
    AxisNameFit,
    EdgeAxis,
    SparseLogAxis,
    least_size,
    legend_html,
    lone_point,
    run_named,
)

MAX_LINES = 8  # parameters drawn one line each; more are summarised by the first ones
Y_MARGIN = 0.06  # share of the span left above and below the curves
LONE_MARGIN = 0.2  # the same for lone points (step 0): room for all of the dots at the top and the bottom
#: Per plot: its key, its name along the y-axis, the symbol shown instead where the name is longer than the plot is
#: tall (large text, a short dock: the names would run into each other), and whether its axis is logarithmic.
ROWS = (("params", "parameters θᵢ", "θᵢ", False), ("grad_norm", "|∇L| (all data)", "|∇L|", True),
        ("lr", "learning rate γₜ", "γₜ", False), ("steps", "step size |Δθᵢ|/|gᵢ|", "|Δθᵢ|/|gᵢ|", True))
LOG_AXES = {key: log for key, _, _, log in ROWS}


#: The height (pixels at the normal text size) at which the four plots are readable: about 60 px each, with the
#: header, the legend and the step axis.
READABLE_HEIGHT = 320

#: Each plot's least height (pixels at the normal text size, :func:`app.views.base.least_size`): three tick labels
#: a label apart. The dock beside a lesson left the four ~40 px each at Large text on 1280x720, one tick label
#: each; shorter than that, the plots scroll.
LEAST_PLOT = 55
#: The step axis under the last plot: its labels and its name (pixels at the normal text size).
STEP_AXIS = 45

#: A relative spread below which a plotted series counts as constant (rounding, not a change to show).
CONSTANT_SPREAD = 1e-6
#: What a plot with nothing to draw says, on an axis without ticks: before the run's first step (its step sizes
#: come with the first), and later (none finite, or none above 0 on a log axis).
NO_STEP_YET = "no step yet"
NOTHING_TO_DRAW = "no value to draw"


def data_range(values: np.ndarray, log: bool, margin: float = Y_MARGIN) -> tuple[float, float] | None:
    """The y range that shows ``values`` (in log10 units on a log axis): their span with a margin; around a
    constant, ±10 % of its size (±1 at zero); None when nothing is drawable.

    Values within :data:`CONSTANT_SPREAD` of each other are a constant: plain SGD's |Δθᵢ|/|gᵢ| is γ up to the
    rounding of θ_t − θ_(t−1) (1e-11 relative), which a range fitted to it blew up into spikes."""
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values) & (values > 0)] if log else values[np.isfinite(values)]
    if not len(finite):
        return None
    low, high = float(finite.min()), float(finite.max())  # two logs, not one per point: this runs every frame
    constant = high - low <= CONSTANT_SPREAD * max(abs(low), abs(high), 1e-300)
    if log:
        low, high = np.log10(low), np.log10(high)
    if constant:
        half = 0.5 if log else (0.1 * abs(low) or 1.0)
        return low - half, high + half
    pad = (high - low) * margin
    return low - pad, high + pad


def _draw(curve: pg.PlotDataItem, x, y) -> None:
    """``curve`` through (x, y): a line, or its one point as a dot (:func:`app.views.base.lone_point`) - the
    symbol set only when that changes, and taken off before data without a finite point (a scatter of NaN alone
    warns as it is painted)."""
    lone = lone_point(x, y) is not None
    if not lone and curve.opts["symbol"] is not None:
        curve.setSymbol(None)
    curve.setData(x, y)
    if lone and curve.opts["symbol"] is None:
        curve.setSymbol("o")


class OptimizerStatePlot(QWidget):
    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.model = model
        self.redraw_count = 0
        # the run and how many of its parameters are drawn, elided: it never widens the column beside the lesson
        # (at Large text "batch 1 - the first 8 of 129 parameters" took 309 px of its 272 and moved every plot)
        self.note = ElidedLabel("state_note")
        self.note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.legend = info_label("state_legend")  # the parameters' colours, above the plots (never on them)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        top = QHBoxLayout()
        top.addWidget(self.note, 1)
        self.export_button = ExportButton(self.pictures)
        self.export_menu = self.export_button.export_menu
        top.addWidget(self.export_button)
        layout.addLayout(top)
        layout.addWidget(self.legend)
        self.plots = {}
        self._curves: dict[str, list] = {}
        self._nothing: dict[str, pg.TextItem] = {}  # per plot: what it says where it has nothing to draw
        events = model.events
        events.selection_changed.connect(lambda run: self.rebuild())
        events.run_styled.connect(lambda run, what: run is self.model.selected and self.rebuild())
        events.run_reset.connect(lambda *_: self.rebuild())
        events.session_loaded.connect(self.rebuild)
        events.run_changed.connect(lambda *_: self.refresh())
        events.advanced.connect(lambda runs: self.model.selected in runs and self.refresh())
        theme().changed.connect(self._restyle)
        self._build()

    def _build(self) -> None:
        """The four plots (the window builds this view when its dock is first seen: see app.deferred)."""
        self.layout_widget = pg.GraphicsLayoutWidget()
        self.layout_widget.setObjectName("optimizer_state")
        scroll = QScrollArea()  # the plots keep their least height (LEAST_PLOT) in a short dock: they scroll
        scroll.setObjectName("state_scroll")
        scroll.setWidget(self.layout_widget)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.layout().addWidget(scroll, 1)
        for row, (key, label, _, log) in enumerate(ROWS):
            # a log axis labels the 1, 2 and 5 of each decade only: every minor tick's label crowds a short plot
            # (an EdgeAxis either way: labels within the plot, never into the one above; a label apart at most)
            axes = {"left": SparseLogAxis("left") if log else EdgeAxis("left"), "bottom": EdgeAxis("bottom")}
            plot = self.layout_widget.addPlot(row=row, col=0, axisItems=axes)
            plot.setLabel("left", label)
            plot.setLogMode(y=log)
            plot.setDownsampling(auto=True, mode="peak")
            plot.setMenuEnabled(False)
            plot.disableAutoRange()  # refresh() sets both ranges from the data
            plot.getAxis("bottom").setTickDensity(0.6)  # steps like 12000 need room between labels
            if row:
                plot.setXLink(self.plots["params"])
            if row < len(ROWS) - 1:
                plot.getAxis("bottom").setStyle(showValues=False)  # one step axis, at the bottom
            self.plots[key] = plot
            self._nothing[key] = nothing = pg.TextItem("", anchor=(0.5, 0.5))
            plot.addItem(nothing, ignoreBounds=True)
            nothing.hide()
        for key, name, symbol, _ in ROWS:
            AxisNameFit(self.plots[key].getAxis("left"), name, symbol)
        self.plots["steps"].setLabel("bottom", "step")
        self._restyle()

    def pictures(self) -> list[Picture]:
        """The four plots as one picture, the run's name and the parameters' legend above the first, for Export
        (the note above the plots, which names the run, is not in it)."""
        self.refresh(force=True)
        legend = legend_html([run_named(self.model.selected.name)] + self._legend_entries)[0]
        return [Picture("Optimizer state", self.layout_widget.ci, self.plots["params"], legend)]

    def _restyle(self) -> None:
        look = theme()
        look.style_plot(self.layout_widget)
        for plot in self.plots.values():
            plot.getAxis("left").setWidth(round(70 * look.scale))
        for nothing in self._nothing.values():
            nothing.setColor(look.color("muted"))
        self.layout_widget.setMinimumHeight(least_size(len(ROWS) * LEAST_PLOT + STEP_AXIS))
        self.rebuild()

    def rebuild(self) -> None:
        for plot in self.plots.values():
            for item in list(plot.listDataItems()):
                plot.removeItem(item)
        run = self.model.selected
        names = run.trainer.problem.param_names
        shown = names[:MAX_LINES]
        self.note.setText(f"{run.name}" + (f" - the first {MAX_LINES} of {len(names)} parameters"
                                           if len(names) > MAX_LINES else ""))
        look = theme()
        colors = [look.shade(run_color(k)) for k in range(len(shown))]
        self._legend_entries = list(zip(colors, shown))
        text, tip = legend_html(self._legend_entries)
        self.legend.setText(text)
        self.legend.setToolTip(tip)
        self._curves = {"params": [self._line("params", c) for c in colors],
                        "steps": [self._line("steps", c) for c in colors],
                        "grad_norm": [self._line("grad_norm", look.color("text"))],
                        "lr": [self._line("lr", look.shade(run.color), 2)]}
        self.refresh()

    def _line(self, key: str, color, width: float = 1):
        """A curve on the plot ``key`` in ``color``, a dot of it where it has one point (:func:`_draw`)."""
        return self.plots[key].plot(pen=theme().pen(color, width), connect="finite", symbolBrush=color,
                                    symbolPen=None, symbolSize=LONE_POINT_SIZE)

    def refresh(self, force: bool = False) -> None:
        if self.visibleRegion().isEmpty() and not force:
            return  # a closed dock, or one behind another tab, costs nothing
        self.redraw_count += 1
        history = self.model.selected.history
        step = history.step
        with np.errstate(invalid="ignore", divide="ignore"):
            params = np.where(np.isfinite(history.params), history.params, np.nan)
            steps = history.effective_step_sizes()
            steps = np.where(steps > 0, steps, np.nan)
            norms = np.where(history.grad_norm > 0, history.grad_norm, np.nan)
        shown = min(len(self._curves["params"]), params.shape[1])
        kept = history.param_step  # a network's parameters are kept at a coarser stride than its scalars
        for k, curve in enumerate(self._curves["params"]):
            _draw(curve, kept, params[:, k])
        for k, curve in enumerate(self._curves["steps"]):
            _draw(curve, kept[1:], steps[1:, k])
        _draw(self._curves["grad_norm"][0], step, norms)
        _draw(self._curves["lr"][0], step, history.lr)
        end = max(float(step[-1]), 1.0)
        # a lone point sits on an edge (step 0's on the left, the step sizes' first on the right at step 1): room
        # for all of its dot, as the loss plot gives it
        self.plots["params"].setXRange(0, end, padding=0.02 if len(step) > 2 else 0.1)
        for key, values in (("params", params[:, :shown]), ("grad_norm", norms), ("lr", history.lr),
                            ("steps", steps[1:, :shown])):
            span = data_range(values, log=LOG_AXES[key], margin=Y_MARGIN if len(values) > 1 else LONE_MARGIN)
            self._say_nothing(key, "" if span is not None else NO_STEP_YET if len(step) < 2 else NOTHING_TO_DRAW,
                              end)
            self.plots[key].setYRange(*(span or (0.0, 1.0)), padding=0)

    def _say_nothing(self, key: str, words: str, end: float) -> None:
        """Where a plot has nothing to draw, its y-axis without ticks and ``words`` in its middle: it showed the
        ticks of the range it was last given - 2 and 5 on a log axis of no step sizes yet - as if they said
        something; else its ticks."""
        nothing = self._nothing[key]
        if nothing.isVisible() != bool(words):
            self.plots[key].getAxis("left").setTicks([[]] if words else None)
            nothing.setVisible(bool(words))
        if words and nothing.textItem.toPlainText() != words:
            nothing.setText(words)
        if words and nothing.pos().x() != end / 2:  # in the middle as the run goes on (the steps' axis grows)
            nothing.setPos(end / 2, 0.5)

    @staticmethod
    def readable_height() -> int:
        """:data:`READABLE_HEIGHT` at the current text size."""
        return round(READABLE_HEIGHT * theme().scale)

    def shown(self, visible: bool) -> None:
        """The dock became visible (its tab chosen) or hidden: catch up with the steps it did not draw."""
        if visible:
            self.refresh()
