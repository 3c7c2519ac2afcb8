"""The data: the samples, each run's current fit curve, decision boundary or class regions - whichever the
problem declares it can draw - and the samples of the selected run's latest step highlighted, so a student sees
what a batch is. With a validation split the held-out samples are drawn hollow: never trained on."""

from __future__ import annotations

import time
import weakref
from collections import Counter

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QLabel, QStackedWidget

from gd_core.landscape import class_regions, iso_segments, region_shading

from ..palette import BATCH_CASING, BATCH_COLOR, CASING_WIDTH, CLASS_COLORS, ON_SURFACE, batch_color, on_picture
from ..theme import theme
from .base import Cased, PlotView, batch_name, lighter, run_named, stronger

#: The classifier's class regions: each class colour, pale (the samples on them keep their full colour).
REGION_COLORS = tuple(lighter(color, 0.75).name() for color in CLASS_COLORS)
REGION_RESOLUTION = 90
REGION_REFRESH_S = 0.1
CURVE_POINTS = 200  # a fit curve's points across the feature's range
BATCH_CIRCLE = 11  # px across: around a 6-px sample, with a ring of the plot between them
ALL = "all"  # the batch of every sample (a batch step's: no index array)


def layout_kind(problem) -> str | None:
    """How a problem's data is drawn, from the capabilities it declares (never its name): over two features a
    straight decision "boundary" or class "regions"; over one feature a "curve" (a fit, or P(class 1)); else
    predicted against actual targets ("fitted"), or the "samples" alone. None without data."""
    if problem.dataset is None:
        return None
    two_d = problem.dataset.n_features >= 2
    if two_d and problem.can("boundary"):
        return "boundary"
    if two_d and problem.can("class_probabilities"):
        return "regions"
    if not two_d and problem.can("curve"):
        return "curve"
    return "fitted" if problem.can("predict") else "samples"


def _captions(problem) -> dict[str, str]:
    return {"boundary": "decision boundary w·x + b = 0",
            "regions": "the classifier's class regions" + (" and boundary P = 0.5" if problem.n_classes == 2 else ""),
            "curve": "P(class 1) over the feature" if problem.can("sample_classes") else "the fit over the feature",
            "fitted": "predicted vs. actual target (perfect fit on the diagonal)",
            "samples": "the samples (this problem draws no fit)"}


class DataView(PlotView):
    title = "Data"
    view_keys = ()  # it draws by no view setting
    live_refresh_s = 0.04  # 25 a second while training: enough for a fit line; the frames go to loss and path

    def __init__(self, model, parent=None):
        self._lines: dict[int, pg.PlotCurveItem] = {}  # bare curves, set every frame
        self._circled = None  # the batch whose samples are circled: its indices, ALL, or None (none drawn)
        self._batch = BATCH_COLOR  # the colour the batch is drawn in
        self._batch_named = False  # whether the legend names the batch: only once a step has circled one
        self._samples = None  # what the samples are drawn for: (the data, weakly; the kind of plot; the theme's)
        super().__init__(model, parent)
        self.caption = self.info
        self.caption.setObjectName("data_caption")
        self.placeholder = QLabel("")
        self.placeholder.setWordWrap(True)  # a page of the stack: its text must not widen the plots' column
        layout = self.layout()
        layout.removeWidget(self.plot)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.plot)
        self.stack.addWidget(self.placeholder)
        layout.addWidget(self.stack, 1)
        self.regions = pg.ImageItem(axisOrder="row-major")
        self.regions.setZValue(-10)
        self.plot.addItem(self.regions)
        self.region_line = pg.PlotCurveItem(connect="pairs")
        self.region_line.setZValue(3)
        self.plot.addItem(self.region_line)
        self._region_time = 0.0
        self.samples = pg.ScatterPlotItem(size=6, pen=None)
        # the latest batch's circles, each cased (a wider black circle under it) as the loss surface's items are
        self.batch = pg.ScatterPlotItem(size=BATCH_CIRCLE, brush=None)
        self.batch_casing = pg.ScatterPlotItem(size=BATCH_CIRCLE, brush=None)
        self.batch.setZValue(5)
        self.batch_casing.setZValue(4.5)
        self.held = pg.ScatterPlotItem(size=8, brush=None)  # validation samples: hollow, their class's colour
        for item in (self.samples, self.held, self.batch_casing, self.batch):
            self.plot.addItem(item)
        self.rebuild()

    def _rebuild(self) -> None:
        for line in self._lines.values():
            self.plot.removeItem(line)
        self._lines = {}
        problem = self.model.selected.trainer.problem
        kind = layout_kind(problem)
        look = theme()
        self.region_line.setPen(look.pen(ON_SURFACE, 2))
        self.batch_casing.setPen(look.pen(BATCH_CASING, 2 + 2 * CASING_WIDTH))
        self._style_batch()
        self.regions.clear()
        self.region_line.clear()
        self.held.clear()
        if kind is None:  # a function without data: give the room to the other plots
            self.placeholder.setText(f"No data: {problem.name} is a function of x and y.")
            self.stack.setCurrentWidget(self.placeholder)
            self.caption.setText("")
            self.set_legend([])
            self.hide()
            return
        self.show()
        self.stack.setCurrentWidget(self.plot)
        data = problem.dataset
        two_d = data.n_features >= 2
        self._draw_samples(problem, kind)
        if kind == "fitted":
            names = ("prediction", data.target_name)
            low, high = _span(_all_samples(problem)[1])
            diagonal = pg.PlotCurveItem([low, high], [low, high], pen=look.pen(look.color("muted")))
            self.plot.addItem(diagonal)
            self._lines[0] = diagonal
        elif two_d:
            names = data.feature_names[:2]
        else:
            names = (data.feature_names[0], data.target_name)
        held = problem.held_out
        if held is not None and kind != "fitted":  # where they lie; "fitted" draws them at their predictions
            self.held.setData(held.dataset.X[:, 0], held.dataset.X[:, 1] if two_d else held.dataset.y,
                              pen=_class_pens(held, look, kind), symbol="o")
        self._circled = None
        self.caption.setText(_captions(problem)[kind] + ("; hollow: held-out validation samples"
                                                         if held is not None else ""))
        # the caption ends in "…" in a narrow dock (its tooltip whole); the legend row wraps, so the split is always
        # explained
        self._set_legend()
        for run in self.runs_on_selected_problem():
            if kind in ("boundary", "curve"):
                self._lines[id(run)] = self._line(run)
        self.plot.setLabel("bottom", names[0])
        self.plot.setLabel("left", names[1])
        self.refresh()
        if kind == "fitted":  # predictions move; the frame is the targets' range on both axes
            targets = _span(_all_samples(problem)[1])
            self.plot.setRange(xRange=targets, yRange=targets)
        else:
            X, y = _all_samples(problem)
            self.plot.setRange(xRange=_span(X[:, 0]), yRange=_span(X[:, 1] if two_d else y))
        self.plot.disableAutoRange()

    def _draw_samples(self, problem, kind: str) -> None:
        """The samples where they lie, in their class's colour - set only for other data, another kind of plot or
        theme (a rebuild for a reset run, another run of the same data, set 20,000 samples again: ~0.25 s); a
        fit's samples are drawn at their predictions, moved at each redraw (:func:`_move`), in one style."""
        data, look = problem.dataset, theme()
        drawn = (kind, look.generation)
        if self._samples is not None and self._samples[0]() is data and self._samples[1:] == drawn:
            return
        self._samples = (weakref.ref(data), *drawn)  # (weakly: a freed dataset's id may come back for another)
        if kind == "fitted":
            self.samples.setData(x=[], y=[], brush=pg.mkBrush(look.color("faint")), pen=None)
            return
        if problem.can("sample_classes"):  # one brush per class, shared: pyqtgraph draws a symbol per brush object
            brushes = list(_per_class(problem, [pg.mkBrush(c) for c in _class_colors(look, kind)]))
        else:
            brushes = pg.mkBrush(look.color("faint"))
        outline = pg.mkPen(ON_SURFACE, width=0.5) if kind == "regions" else None  # samples on shaded regions
        self.samples.setData(data.X[:, 0], data.X[:, 1] if data.n_features >= 2 else data.y, brush=brushes,
                             pen=outline)

    def _set_legend(self) -> None:
        """The samples and the batch, in a row as tall as the legend of any run on the problem were it selected
        (the plot stays put): each colour's batch colour beside the others' (:meth:`PlotView.batch_color`), worked
        out once per colour - once per run cost O(runs²)."""
        if layout_kind(self.problem) is None:
            self.set_legend([])
            return
        look, held = theme(), self.problem.held_out is not None
        colors = Counter(run.color for run in self.runs_on_selected_problem())
        others = {batch_color(color, tuple(c for c in colors if c != color or colors[c] > 1)) for color in colors}
        # the batch named once circled: before a step the legend named a "latest batch" drawn nowhere (its room
        # kept among the reserve, so the first step moves no plot)
        self._batch_named = self.model.selected.trainer.latest is not None
        named = self._batch if self._batch_named else None
        # in a short row the hollow samples' entry first: "● training samples … and 2 more" (lesson 23-25, a tab
        # below the plots in front) left the held-out samples unexplained, while filled dots read as samples anyway
        self.set_legend(_legend(named, held, look),
                        reserve=[_legend(other, held, look) for other in sorted(others - {named})],
                        first=(HELD_OUT_ENTRY,) if held else ())

    @property
    def problem(self):
        return self.model.selected.trainer.problem

    def _line(self, run) -> pg.PlotCurveItem:
        """A run's fit line or decision boundary, added to the plot."""
        line = pg.PlotCurveItem(pen=theme().pen(theme().shade(run.color), 2))
        line.setZValue(4)
        self.plot.addItem(line)
        return line

    def _add_items(self, run) -> bool:
        if not self._same_batch():
            return False
        if run.visible and run.problem_key == self.model.selected.problem_key:
            if layout_kind(self.problem) in ("boundary", "curve"):
                if not self.last_drawn(run, self._lines):
                    return False
                self._lines[id(run)] = self._line(run)
            self._set_legend()
            self.refresh({id(run)})
        return True

    def _remove_items(self, run) -> bool:
        if not self._same_batch():
            return False
        line = self._lines.pop(id(run), None)
        if line is not None:
            self.plot.removeItem(line)
        if run.problem_key == self.model.selected.problem_key:
            self._set_legend()
        return True

    def _restyle_items(self, run, what: str) -> bool:
        """A colour changes that run's line and, where the batch keeps its colour, the legend's reserve; a name
        changes nothing drawn."""
        if not self._same_batch():
            return False
        line = self._lines.get(id(run))
        if what == "color" and line is not None:
            line.setPen(theme().pen(theme().shade(run.color), 2))
        if run.problem_key == self.model.selected.problem_key:
            self._set_legend()
        return True

    def _style_batch(self) -> None:
        """The latest batch's circles: the batch's colour in every view (apart from the selected run's, whose fit
        line is drawn here too), inside a black casing - they read on the plot, the class regions and on points
        of their own colour (an orange class, or a sky-blue one when the batch is sky blue)."""
        batch = self._batch = self.batch_color()
        self.batch.setPen(theme().pen(batch, 2))
        self.plot.setToolTip(f"Samples of the selected run's latest step are circled in {batch_name(batch)}: a "
                             "batch is a set of samples.")

    def _reselect(self, previous) -> bool:
        """Another run of the same problem and data selected: its batch circled (in its batch colour), its
        predictions or class regions drawn; another problem rebuilds."""
        if previous.problem_key != self.model.selected.problem_key:
            return False
        if layout_kind(self.problem) is not None:
            self._style_batch()
            self._set_legend()
            self._circled, self._region_time = None, 0.0  # the regions of the run selected now, at once
            self.refresh(set())
        return True

    def _same_batch(self) -> bool:
        """Whether the batch keeps the colour it is drawn in (another drawn in every view rebuilds)."""
        return layout_kind(self.problem) is None or self.batch_color() == self._batch

    def nothing_to_picture(self) -> str:
        """A function without data has no data view: the plot still held the last problem's samples."""
        problem = self.model.selected.trainer.problem
        return "" if layout_kind(problem) is not None else f"{problem.name} is a function of x and y, with no data"

    def picture_legend(self) -> tuple[list[tuple], str]:
        """The legend row names the samples and the batch; the picture names the runs too: each run whose fit line
        is drawn, or the selected run, whose regions, predictions or batch the plot shows."""
        entries, symbol = super().picture_legend()
        lined = [run for run in self.runs_on_selected_problem() if id(run) in self._lines]
        named = [(stronger(run.color), run.name) for run in lined] or [run_named(self.model.selected.name)]
        return named + entries, symbol

    def refresh(self, moved: set[int] | None = None) -> None:
        super().refresh(moved)
        selected = self.model.selected
        problem = selected.trainer.problem
        kind = layout_kind(problem)
        if kind is None:
            return
        data = problem.dataset
        x_range = _span(_all_samples(problem)[0][:, 0])
        with np.errstate(all="ignore"):  # a diverged run's params may be huge: draw what is finite
            if kind == "fitted":
                predictions = problem.predict(selected.trainer.params)
                finite = np.isfinite(predictions)  # a diverged run predicts nothing drawable
                _move(self.samples, predictions[finite], data.y[finite])
                if problem.held_out is not None:
                    self._draw_held_fitted(problem.held_out, selected.trainer.params)
            for run in self.runs_on_selected_problem():
                line = self._lines.get(id(run))
                if line is None or (moved is not None and id(run) not in moved):  # as drawn
                    continue
                params = run.trainer.params
                if kind == "boundary":
                    line.setData(*problem.boundary(params, x_range, _span(data.X[:, 1])))
                else:
                    xs = np.linspace(*x_range, CURVE_POINTS)
                    ys = problem.curve(params, xs)
                    line.setData(xs, ys) if np.isfinite(ys).all() else line.clear()
            if kind == "regions":
                self._draw_regions(problem, selected.trainer.params)
        self._highlight(selected.trainer, predictions if kind == "fitted" else None, kind)

    def _draw_held_fitted(self, held, params) -> None:
        """The held-out samples at (their prediction, their target), hollow: how the fit does on new data."""
        predictions = held.predict(params)
        finite = np.isfinite(predictions)
        self.held.setData(predictions[finite], held.dataset.y[finite], pen=_class_pens(held, theme(), "fitted"),
                          symbol="o")

    def _draw_regions(self, problem, params) -> None:
        """Class regions of the selected run's network over the data plane (other features at their means)."""
        if time.perf_counter() - self._region_time < REGION_REFRESH_S and self.model.selected.trainer.step:
            return
        self._region_time = time.perf_counter()
        if not np.isfinite(params).all():
            return
        X = problem.dataset.X
        xs, ys, probs = class_regions(problem, params, _span(X[:, 0], 0.1), _span(X[:, 1], 0.1), REGION_RESOLUTION)
        if probs.shape[-1] == 2:
            self.region_line.setData(*iso_segments(xs, ys, probs[..., 1], [0.5]))
        else:
            self.region_line.clear()
        colors = np.array([pg.mkColor(c).getRgb()[:3] for c in REGION_COLORS[:probs.shape[-1]]], dtype=float)
        winner, strength = region_shading(probs)  # fade towards white where the network hesitates
        rgb = 255 - (255 - colors[winner]) * strength[..., None]
        self.regions.setImage(rgb.astype(np.uint8), levels=(0, 255))
        dx, dy = xs[1] - xs[0], ys[1] - ys[0]
        self.regions.setRect(QRectF(xs[0] - dx / 2, ys[0] - dy / 2, dx * len(xs), dy * len(ys)))

    def _highlight(self, trainer, predictions, kind) -> None:
        if self._batch_named != (trainer.latest is not None):  # a first step, or none since a reset
            self._set_legend()
        if trainer.latest is None:
            self.batch.clear()
            self.batch_casing.clear()
            self._circled = None
            return
        data = trainer.problem.dataset
        idx = trainer.latest.indices
        if predictions is None:  # the circles stand on the samples: the same batch is drawn already
            if self._circled is not None and (idx is None if self._circled is ALL else
                                              idx is not None and np.array_equal(idx, self._circled)):
                return
            self._circled = ALL if idx is None else idx.copy()
        idx = np.arange(data.n_samples) if idx is None else idx
        x = data.X[idx, 0] if predictions is None else predictions[idx]
        y = data.X[idx, 1] if data.n_features >= 2 and kind != "fitted" else data.y[idx]
        with np.errstate(invalid="ignore"):
            finite = np.isfinite(x) & np.isfinite(y)
        _move(self.batch, x[finite], y[finite])
        _move(self.batch_casing, x[finite], y[finite])


def _move(item: pg.ScatterPlotItem, x: np.ndarray, y: np.ndarray) -> None:
    """Show ``item``'s points at (x, y): moved in place where it holds as many (all drawn in the item's one style),
    else set afresh. pyqtgraph's setData looks up each point's symbol in Python - ~40 ms for 20,000 points,
    three times (samples, batch circles and their casings) at every redraw of a fit's predictions."""
    data = item.data
    if len(data) != len(x) or not len(x):
        item.setData(x, y)
        return
    data["x"], data["y"], data["item"] = x, y, None  # (no stale spot objects: as setData)
    item.prepareGeometryChange()
    item.bounds = [None, None]
    item.invalidate()
    item.informViewBoundsChanged()
    item.sigPlotChanged.emit(item)


#: The index of the held-out samples' entry in :func:`_legend`'s entries (with a validation split).
HELD_OUT_ENTRY = 1


def _legend(batch: str | None, held_out: bool, look) -> list[tuple]:
    """The data view's legend entries: the filled and hollow samples with a validation split; the batch circles'
    colour where it is not orange, as the parameter space says it, so the window names one batch colour (None:
    no batch circled)."""
    legend = [(look.color("text"), "training samples", "●"),
              (look.color("text"), "held-out samples", "○")] if held_out else []
    if batch not in (None, BATCH_COLOR):
        legend.append((Cased(batch, BATCH_CASING), f"latest batch ({batch_name(batch)})", "◯"))
    return legend


def _all_samples(problem) -> tuple[np.ndarray, np.ndarray]:
    """Features and targets of the training samples and, with a validation split, the held-out ones."""
    data, held = problem.dataset, problem.held_out
    if held is None:
        return data.X, data.y
    return np.vstack([data.X, held.dataset.X]), np.concatenate([data.y, held.dataset.y])


def _class_pens(problem, look, kind: str):
    """One pen per sample, in an array: its class's colour (a classifier); else the faint sample colour, one pen."""
    if not problem.can("sample_classes"):
        return look.pen(look.color("muted"), 1.5)
    return _per_class(problem, [look.pen(c, 1.5) for c in _class_colors(look, kind)])


def _per_class(problem, styles: list) -> np.ndarray:
    """Each sample's class's entry of ``styles`` (one per class colour), the same object for a class's samples:
    pyqtgraph renders a symbol for every pen or brush object it is given (a brush made per sample cost 20,000
    renders, ~3 s, for 20,000 samples), and only one per distinct object."""
    table = np.empty(len(styles), dtype=object)
    table[:] = styles
    return table[problem.sample_classes() % len(styles)]


def _class_colors(look, kind: str) -> np.ndarray:
    """The class colours, 3:1 against what the samples lie on - the plot (this palette's shades) or, for
    ``kind`` "regions", the shaded class regions - as an array to index by class."""
    if kind == "regions":
        return np.array([on_picture(c, REGION_COLORS) for c in CLASS_COLORS])
    return np.array([look.shade(c).name() for c in CLASS_COLORS])


def _span(values, margin: float = 0.0) -> tuple[float, float]:
    low, high = float(values.min()), float(values.max())
    pad = (high - low) * margin
    return low - pad, high + pad
