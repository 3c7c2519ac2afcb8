"""The loss curve: full loss (bold), mini-batch loss (a light band, see :class:`BatchLossBand`) and, with a
validation split, the held-out samples' loss (dashed, the run's colour) with a hollow diamond at its lowest - the
best step, which early stopping keeps - against steps, epochs or samples seen."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QCheckBox, QMenu, QToolButton

from gd_core.display import (
    FirstAtOrBelowZero,
    LowestRow,
    PeakEnvelope,
    drawn_values,
    empty_frame,
    log_floor,
    on_floor,
    peak_band,
    zigzag,
)
from gd_core.results import epoch_text

from ..session import X_AXES
from ..theme import theme
from ..widgets import ComboBox, FloatingReadout
from .base import (
    DASHED,
    LoneDot,
    RunItemsView,
    fainter,
    run_named,
    stronger,
    use_sparse_log_axes,
)


class LossCurveView(RunItemsView):
    title = "Loss"
    view_keys = ("x_axis", "log_y", "batch_losses")
    has_caption = False  # the hover read-out floats over the plot

    def __init__(self, model, parent=None):
        self._items: dict[int, tuple] = {}
        self._extents: dict[int, tuple | None] = {}
        self._envelopes: dict[tuple, PeakEnvelope] = {}
        self._curves: dict[int, tuple] = {}  # per run: its full and validation loss as drawn, before flooring
        self._zeros: dict[int, FirstAtOrBelowZero] = {}
        self._marks: dict[int, tuple | None] = {}  # per run: (x, y) of its mark as drawn (None: none drawn)
        self._lowest: dict[int, LowestRow] = {}  # per run: the row of its lowest validation loss
        self._bests: dict[int, tuple | None] = {}  # per run: (x, y) of its best-validation mark as drawn
        self._lones: dict[int, LoneDot] = {}  # per run: its full loss's lone point (step 0) as a dot
        self._notes: dict[int, str] = {}  # per run: "reached 0" and the like, for its legend entry
        self.floor: float | None = None  # log10 y of the floor that losses <= 0 are drawn on (log_floor)
        super().__init__(model, parent)
        # the hovered step's numbers, over the plot's data area (or the whole view where that is too short)
        self.readout = FloatingReadout("loss_readout", self)
        self.x_axis = ComboBox()
        self.x_axis.setObjectName("loss_x_axis")
        for key, label in X_AXES.items():
            self.x_axis.addItem(label, key)
        self.x_axis.setToolTip("What the horizontal axis counts. Compare variants per epoch or per sample seen: "
                               "a stochastic step sees one sample, a batch step all n. Compare methods per "
                               "evaluation: a line search, L-BFGS or Newton (its Hessian) spends several a step.")
        self.x_axis.currentIndexChanged.connect(lambda: model.set_view("x_axis", self.x_axis.currentData()))
        self.log_y = QCheckBox("log y")
        self.log_y.setObjectName("loss_log_y")
        self.log_y.setToolTip("Logarithmic loss axis: shows steady (linear) convergence as a straight line.")
        self.log_y.toggled.connect(lambda on: model.set_view("log_y", on))
        self.plot.setToolTip("Bold: the full loss at each step's parameters (with a validation split: of the "
                             "training samples). Dashed: the loss of the held-out validation samples. Light: the "
                             "loss of the samples the step used (mini-batch or single sample).")
        # a menu, not one more box: the header must fit a projector's width
        self.options = QToolButton()
        self.options.setObjectName("loss_options")
        self.options.setText("View")
        self.options.setToolTip("What the loss plot draws besides the full loss.")
        self.options.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.options)
        self.options.setMenu(menu)
        self.batch_losses = menu.addAction("Batch losses")
        self.batch_losses.setObjectName("loss_batch_losses")
        self.batch_losses.setCheckable(True)
        self.batch_losses.setToolTip("Also draw, light, the loss of the samples each step used (mini-batch or "
                                     "single sample): noisy, so off it shows the full losses' noise floors.")
        menu.setToolTipsVisible(True)
        self.batch_losses.toggled.connect(lambda on: model.set_view("batch_losses", on))
        self.export_in(menu)
        self.controls.addWidget(self.x_axis)
        self.controls.addWidget(self.log_y)
        self.controls.addWidget(self.options)
        # long curves are peak-decimated here to about the plot's pixel width, incrementally while they grow
        # (PeakEnvelope); a zoomed view decimates the shown rows afresh
        self.plot.getPlotItem().vb.sigXRangeChanged.connect(self._zoomed)
        # a zoom is into one session's curves on one axis: another lesson or axis is framed whole again (a zoom
        # into lesson 23 stayed on for lesson 24, its curves cut to a corner)
        model.events.session_loaded.connect(self.plot.enableAutoRange)
        model.events.view_changed.connect(lambda key: self.plot.enableAutoRange() if key in ("x_axis", "log_y")
                                          else None)
        self.hover = pg.ScatterPlotItem(size=9)
        self._hovered_point: tuple[float, float] | None = None  # where the hover marker is drawn
        self.hover.setZValue(20)
        self.plot.addItem(self.hover, ignoreBounds=True)  # the plot must not move under the pointer
        use_sparse_log_axes(self.plot, "left")
        self.plot.setLabel("left", "loss")
        self.follow_pointer(self._hovered)
        self.rebuild()

    def _rebuild(self) -> None:
        key = self.model.view["x_axis"]
        self.x_axis.blockSignals(True)
        self.x_axis.setCurrentIndex(list(X_AXES).index(key))
        self.x_axis.blockSignals(False)
        self.log_y.blockSignals(True)
        self.log_y.setChecked(self.model.view["log_y"])
        self.log_y.blockSignals(False)
        self.batch_losses.blockSignals(True)
        self.batch_losses.setChecked(self.model.view["batch_losses"])
        self.batch_losses.blockSignals(False)
        self.plot.setLabel("bottom", X_AXES[key].lower())
        self.plot.setLogMode(y=self.model.view["log_y"])  # log ticks; the curves get log10 values (drawn_values)
        for run_id in list(self._items):
            self._take_items(run_id)
        self._envelopes, self._extents = {}, {}
        self._curves, self._zeros, self._marks, self._notes, self.floor = {}, {}, {}, {}, None
        self._lowest, self._bests = {}, {}
        for run in self.visible_runs():
            self._items[id(run)] = self._made(run)
        look = theme()
        self.hover.setPen(look.pen(look.color("text")))
        self.hover.setBrush(look.color("base"))
        self._settle(None)

    def _made(self, run) -> tuple:
        """A run's items, added to the plot: its batch-loss band, full loss, validation loss, reached-0 mark and
        best-validation mark."""
        # Opaque pens; only the full loss is wide (Qt's stroker is slow), which is cheap because the plot
        # peak-downsamples every curve to about two points per pixel column.
        # bare curve items: PlotDataItem.setData costs about 8 times as much, and it is called every frame
        batch = BatchLossBand(self.plot, run)
        full = pg.PlotCurveItem(pen=self.bold_pen(run), connect="finite")
        val = pg.PlotCurveItem(pen=_validation_pen(run), connect="finite")
        zero = pg.ScatterPlotItem(size=11, symbol="t")  # where the loss reached 0: a mark on the floor
        zero.setZValue(10)
        _style_zero(zero, run)
        best = pg.ScatterPlotItem(size=10, symbol="d")  # the lowest validation loss: a hollow diamond on its curve
        best.setZValue(10)
        _style_best(best, run)
        for item in (full, val, zero, best):
            self.plot.addItem(item)
        self._lones[id(run)] = LoneDot(self.plot, stronger(run.color))
        return batch, full, val, zero, best

    def _main_line(self, items) -> pg.PlotCurveItem:
        return items[1]  # the full loss

    def _take_items(self, run_id: int) -> None:
        """Take a run's items off the plot and forget what they showed."""
        band, full, val, zero, best = self._items.pop(run_id)
        for item in (*band.items, full, val, zero, best, self._lones.pop(run_id)):
            self.plot.removeItem(item)
        for kept in (self._extents, self._curves, self._zeros, self._marks, self._notes, self._lowest, self._bests):
            kept.pop(run_id, None)
        for column in ("loss", "val_loss", "batch_loss"):
            self._envelopes.pop((run_id, column), None)

    def _forget_hover(self) -> None:
        self.hover.clear()
        self._hovered_point = None
        self.readout.setText("")  # a read-out of the old runs would be stale

    def _settle(self, moved: set[int] | None) -> None:
        """The legend again, the read-out forgotten, the runs ``moved`` redrawn."""
        self._set_legend(self.visible_runs())
        self._forget_hover()
        self.refresh(moved)

    def _set_legend(self, runs) -> None:
        """One entry per run (its faint shade is the loss of the samples each step used); a single run's entries
        name its curves instead."""
        if len(runs) > 1:
            validation = [(theme().color("text"), f"validation {BEST}", DASHED)] if any(map(_validates, runs)) else []
            self.set_legend([(stronger(run.color), run.name + self._note(run)) for run in runs], keys=validation)
            return
        legend = []
        for run in runs:
            full = "training loss" if _validates(run) else "full loss"
            legend.append((stronger(run.color), full + self._note(run)))
            if _validates(run):
                legend.append((stronger(run.color), f"validation loss {BEST}", DASHED))
            if self._draws_batch_loss(run):
                what = "mini-batch loss" if run.config["variant"] == "minibatch" else "single-sample loss"
                legend.append((fainter(run.color), what))
        self.set_legend(legend)

    def picture_legend(self) -> tuple[list[tuple], str]:
        """A lone run's entries name its curves ("full loss"): the picture names the run too."""
        entries, symbol = super().picture_legend()
        runs = self.visible_runs()
        return ([run_named(runs[0].name)] if len(runs) == 1 else []) + entries, symbol

    def _note(self, run) -> str:
        """What a run's legend entry adds when its loss left the log axis's scale: " (reached 0)"."""
        note = self._notes.get(id(run))
        return f" ({note})" if note else ""

    def _restyle_items(self, run, what: str) -> bool:
        """A colour or a name changes that run's pens and the legend alone."""
        items = self._items.get(id(run))
        if what == "color" and items is not None:
            batch, full, val, zero, best = items
            batch.style(run)
            self._lones[id(run)].setBrush(stronger(run.color))
            full.setPen(self.bold_pen(run))
            val.setPen(_validation_pen(run))
            _style_zero(zero, run)
            _style_best(best, run)
        self._set_legend(self.visible_runs())
        return True

    def _zoomed(self) -> None:
        if not self.plot.getPlotItem().vb.autoRangeEnabled()[0]:  # the user zoomed: decimate what is shown
            self.refresh()

    def refresh(self, moved: set[int] | None = None) -> None:
        super().refresh(moved)
        vb = self.plot.getPlotItem().vb
        width = max(100, int(vb.width()))
        zoomed = not vb.autoRangeEnabled()[0]
        changed = []
        for run in self.visible_runs():
            items = self._items.get(id(run))
            if items is None or (moved is not None and id(run) not in moved and not zoomed):  # as drawn
                continue
            changed.append(run)
            batch = items[0]
            self._curves[id(run)] = (self._curve(run, "loss", 2 * width),
                                     self._curve(run, "val_loss", width) if _validates(run) else None)
            if self._draws_batch_loss(run):
                batch.set_band(*self._band(run, "batch_loss", width))  # at half the resolution: it is noise
            else:
                batch.clear()
        self._draw_floored(changed)
        extent = [e for e in self._extents.values() if e is not None]  # (first x, last x, a drawn y) per curve
        self.span_x(extent, empty=empty_frame(self.model.view["log_y"]))  # no curve: not the gone curves' range
        # settle the auto-range now, not while painting: a range change during paint costs a second paint
        vb.prepareForPaint()

    def _draw_floored(self, changed: list) -> None:
        """Draw the ``changed`` runs' curves, losses <= 0 on the log axis's floor (a loss of 0 has no logarithm:
        without it, a run that reached 0 - Newton on a quadratic, in one step - vanished from the plot), with a
        mark where each first got there and a legend note; every run's when the floor moved."""
        log = self.model.view["log_y"]
        below = {key for key, curves in self._curves.items() if any(
            c is not None and np.isneginf(c[1]).any() for c in curves)}
        floor = None
        if log and below:
            drawn = [c[1][np.isfinite(c[1])] for curves in self._curves.values() for c in curves if c is not None]
            finite = np.concatenate(drawn) if drawn else np.empty(0)
            floor = log_floor(*((finite.min(), finite.max()) if len(finite) else (np.nan, np.nan)))
        if floor != self.floor:
            self.floor = floor
            changed = [run for run in self.visible_runs() if id(run) in self._curves]
        notes = dict(self._notes)
        for run in changed:
            _, full, val, zero, best = self._items[id(run)]
            (x, y), validation = self._curves[id(run)]
            y = on_floor(y, floor) if id(run) in below else y
            full.setData(x, y)
            self._lones[id(run)].follow(x, y)
            if validation is None:
                val.clear()
            else:
                val.setData(validation[0], on_floor(validation[1], floor) if id(run) in below else validation[1])
            finite = y[np.isfinite(y)]
            self._extents[id(run)] = (x[0], x[-1], finite[-1]) if len(finite) else None
            self._mark_zero(run, zero, log)
            self._mark_best(run, best, log, id(run) in below)
        axis = self.plot.getPlotItem().getAxis("left")
        label = "≤ 0" if any(note != "reached 0" for note in self._notes.values()) else "0"
        if (axis.floor, axis.floor_label) != (floor, label):
            axis.floor, axis.floor_label = floor, label
            axis.picture = None  # its ticks are cached
            axis.update()
        if self._notes != notes:
            self._set_legend(self.visible_runs())

    def _mark_zero(self, run, zero: pg.ScatterPlotItem, log: bool) -> None:
        """Mark, on the floor, the step at which ``run``'s loss first reached 0 (or went below it), and note it
        for the legend; nothing on a linear axis, where 0 is a value like any other."""
        history = run.history
        scan = self._zeros.setdefault(id(run), FirstAtOrBelowZero())
        row, negative = scan.update(history.loss, source=(history, history.stride)) if log else (None, False)
        if row is None or self.floor is None:
            self._notes.pop(id(run), None)
            mark = None
        else:
            self._notes[id(run)] = "went below 0" if negative else "reached 0"
            mark = (float(history.column(self.model.view["x_axis"])[row]), self.floor)
        if mark != self._marks.get(id(run)):  # set only when it moves: a scatter's setData costs ~60 us a frame
            self._marks[id(run)] = mark
            zero.setData([mark[0]], [mark[1]]) if mark is not None else zero.clear()

    def _mark_best(self, run, best: pg.ScatterPlotItem, log: bool, floored: bool) -> None:
        """Mark the row of ``run``'s lowest validation loss (the best step the results table names, the one early
        stopping keeps and lesson 23 points to) on its dashed curve; set only when it moves."""
        history, mark = run.history, None
        if _validates(run):
            lowest = self._lowest.setdefault(id(run), LowestRow())
            row = lowest.update(history.val_loss, source=(history, history.stride))
            if row is not None:
                y = drawn_values(history.val_loss[row:row + 1], log)
                y = on_floor(y, self.floor) if floored else y
                if np.isfinite(y[0]):
                    mark = (float(history.column(self.model.view["x_axis"])[row]), float(y[0]))
        if mark != self._bests.get(id(run)):
            self._bests[id(run)] = mark
            best.setData([mark[0]], [mark[1]]) if mark is not None else best.clear()

    def _draws_batch_loss(self, run) -> bool:
        """A run's light batch-loss curve is drawn when asked for and when it differs from the full loss."""
        return self.model.view["batch_losses"] and run.trainer.problem.dataset is not None \
            and run.config["variant"] != "batch"

    def _curve(self, run, column: str, points: int) -> tuple[np.ndarray, np.ndarray]:
        """About ``points`` points that draw like the run's ``column`` against the x-axis column, as a line."""
        x, low, high = self._band(run, column, points)
        return (x, low) if low is high else zigzag(x, low, high)

    def _band(self, run, column: str, points: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The run's ``column`` against the x-axis column as a band ``(x, low, high)`` of about ``points / 2``
        blocks (``low is high``: the rows themselves): the growing envelope of the whole curve, or, zoomed in, a
        fresh decimation of the rows in view."""
        history, log = run.history, self.model.view["log_y"]
        x, y = history.column(self.model.view["x_axis"]), history.column(column)
        vb = self.plot.getPlotItem().vb
        if not vb.autoRangeEnabled()[0]:  # the user zoomed
            low, high = vb.viewRange()[0]
            rows = slice(max(0, int(np.searchsorted(x, low)) - 1), int(np.searchsorted(x, high)) + 1)
            return peak_band(x[rows], drawn_values(y[rows], log), points // 2)
        envelope = self._envelopes.get((id(run), column))
        if envelope is None or envelope.max_blocks != points // 2:
            envelope = self._envelopes[id(run), column] = PeakEnvelope(points, log)
        return envelope.band(x, y, source=(history, history.stride))

    def _mark_hovered(self, point: tuple[float, float] | None) -> None:
        """Mark the hovered step's ``point`` (None: none); set only when it moves (a scatter's setData costs
        ~100 us, and the pointer crosses many pixels of one step)."""
        if point != self._hovered_point:
            self._hovered_point = point
            self.hover.setData([point[0]], [point[1]]) if point is not None else self.hover.clear()

    @staticmethod
    def _shows_batch_loss(run) -> bool:
        """Whether the read-out names the loss of the samples a step used (not the full loss again)."""
        return run.config["variant"] != "batch" and run.trainer.problem.dataset is not None

    def _hovered(self, scene_pos) -> None:
        """The selected run's numbers at the step under the pointer, named when several runs are drawn (None: the
        pointer left the plot)."""
        vb = self.plot.getPlotItem().vb
        run = self.model.selected
        if run is None or scene_pos is None or not vb.sceneBoundingRect().contains(scene_pos) or not run.visible:
            self.readout.setText("")
            self._mark_hovered(None)
            return
        history = run.history
        x = history.column(self.model.view["x_axis"])
        row = int(np.clip(np.searchsorted(x, vb.mapSceneToView(scene_pos).x()), 0, len(x) - 1))
        loss = history.loss[row]
        batch = history.batch_loss[row] if self._shows_batch_loss(run) else np.nan
        y = drawn_values(np.array([loss]), self.model.view["log_y"])
        if self.floor is not None:  # a loss of 0 on the log axis's floor, where its curve is drawn
            y = on_floor(y, self.floor)
        self._mark_hovered((float(x[row]), float(y[0])) if np.isfinite(y).all() else None)  # no all-NaN scatter
        point = vb.mapViewToScene(QPointF(x[row], y[0])) if np.isfinite(y).all() else scene_pos
        axis = self.model.view["x_axis"]
        text = readout_text(int(history.step[row]), _epoch(run, history.epoch[row]), loss, batch,
                            history.val_loss[row], history.accuracy[row], history.val_accuracy[row],
                            (COUNTED_AXES[axis], float(x[row])) if axis in COUNTED_AXES else None)
        if len(self.visible_runs()) > 1:  # whose numbers: the selected run's, among several curves
            text = f"{run.name}: {text}"
        to_view = self.plot.viewport().mapTo(self, QPoint(0, 0))  # the plot's viewport to this view
        area = self.plot.mapFromScene(vb.sceneBoundingRect()).boundingRect().translated(to_view)
        self.readout.show_over(text, area, self.plot.mapFromScene(point).y() + to_view.y(), self.rect())


#: Opacity of a run's batch-loss band: light enough that the full loss reads over it and overlapping runs' bands
#: both show, in the run's own colour (Okabe-Ito: colour-blind-safe) on a light or a dark palette.
BAND_ALPHA = 0.3


class BatchLossBand:
    """A run's batch losses (of the samples each step used), drawn as a translucent band between each block's
    lowest and highest value. A line through them zigzags up and down in every pixel column of a long run: moiré
    stripes, and Qt strokes it slowly; the band is one filled shape holding the same numbers, edged by two thin
    lines (one point per block) in the run's faint shade, which have the 3:1 against the plot that the
    translucent fill cannot have without hiding the full loss drawn over it. A series too short to decimate is a
    thin faint line."""

    def __init__(self, plot: pg.PlotWidget, run, bounds: bool = False):
        self.low = pg.PlotCurveItem(connect="finite")
        self.high = pg.PlotCurveItem(connect="finite")
        self.fill = pg.FillBetweenItem(self.low, self.high)
        self.items = (self.fill, self.low, self.high)
        self.line = False  # whether the series is drawn as a line (too short for a band)
        for item in self.items:
            # the axes follow the full loss only (a single sample's loss can be ~0 and would stretch a log axis
            # over many empty decades), unless the band's ``bounds`` count (an accuracy's, between 0 and 1): its
            # edges' (the fill's bounds reach down to 0)
            plot.addItem(item, ignoreBounds=not bounds or item is self.fill)
        self.style(run)

    def style(self, run) -> None:
        fill = theme().shade(run.color)
        fill.setAlphaF(BAND_ALPHA)
        self.fill.setBrush(fill)
        for edge in (self.low, self.high):
            edge.setPen(theme().pen(fainter(run.color)))

    def set_band(self, x: np.ndarray, low: np.ndarray, high: np.ndarray) -> None:
        """Draw the band ``(x, low, high)``; ``low is high``: the values themselves, as a line."""
        self.line = low is high
        if self.line:
            self.high.clear()  # nothing to fill
            self.low.setData(x, low)
            return
        # a block whose one side is not drawable (0 on a log axis) collapses to the other: the two sides must
        # have their gaps in the same places, or the fill pairs the wrong pieces
        low, high = np.where(np.isfinite(low), low, high), np.where(np.isfinite(high), high, low)
        low, high = (np.where(np.isfinite(side), side, np.nan) for side in (low, high))  # a 0 batch loss: a gap
        self.low.setData(x, low)
        self.high.setData(x, high)

    def clear(self) -> None:
        self.low.clear()
        self.high.clear()


#: The x-axes the read-out names a count of beyond the step and the epoch (its label): on an axis of evaluations
#: the pointer's x is what a lesson asks about ("how many evaluations ... before its loss is below 1e-6?").
COUNTED_AXES = {"samples_seen": "samples", "evaluations": "evaluations"}


def readout_text(step: int, epoch: float, loss: float, batch: float, validation: float, accuracy: float,
                 val_accuracy: float, count: tuple[str, float] | None = None) -> str:
    """The hover read-out of one step, its counts written as the status bar and the results table write them
    ("step 1,438 · epoch 1,438", not "epoch 1.44e+03"); a non-finite value's field is left out. ``count``: the
    x-axis's own (label, value) where it counts something else than steps or epochs."""
    text = f"step {step:,}" + (f" · epoch {epoch_text(epoch)}" if np.isfinite(epoch) else "")
    text += (f" · {count[0]} {int(count[1]):,}" if count and np.isfinite(count[1]) else "") + f" · loss {loss:.5g}"
    if np.isfinite(batch):
        text += f" · batch {batch:.4g}"
    if np.isfinite(validation):
        text += f" · validation {validation:.5g}"
    if np.isfinite(accuracy):
        text += f" · accuracy {accuracy:.1%}"
        if np.isfinite(val_accuracy):
            text += f" (validation {val_accuracy:.1%})"
    return text


def _epoch(run, epoch: float) -> float:
    """A step's epoch for the read-out; NaN (left out) for a function of x, y, where it only repeats the step."""
    return epoch if run.trainer.problem.dataset is not None else np.nan


def _validates(run) -> bool:
    """Whether a run holds samples out (and so has a validation loss to draw)."""
    return run.trainer.problem.held_out is not None


def _validation_pen(run):
    """The held-out loss: the run's colour, dashed, as wide as its training loss."""
    return theme().pen(stronger(run.color), 1.5, style=Qt.PenStyle.DashLine)


#: What the validation curve's legend entry adds for the hollow diamond at each run's lowest validation loss: one
#: entry, not a key of its own (a second key took a line of its own in a narrow loss plot: lessons 23-25 at Extra
#: large text were 733-756 px tall at 1280 px wide).
BEST = "(◇ best)"


def _style_best(best: pg.ScatterPlotItem, run) -> None:
    """The mark of a run's lowest validation loss: a diamond rimmed in the run's colour, hollow (the plot's
    background inside), as wide as its curve's dashes."""
    best.setPen(theme().pen(stronger(run.color), 1.5))
    best.setBrush(theme().color("base"))


def _style_zero(zero: pg.ScatterPlotItem, run) -> None:
    """The mark of where a run's loss reached 0: a triangle pointing down in the run's colour, rimmed in the text
    colour so that it reads on the curve it sits on."""
    zero.setBrush(stronger(run.color))
    zero.setPen(theme().pen(theme().color("text")))
