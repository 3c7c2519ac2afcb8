"""The parameter space: the loss surface as a heat map with iso-lines, the runs' paths, start, current point and
known minima; a double-click sets a new start point for the selected run (a single click only says so: clicking
to focus the plot, or a slip of the hand, must never throw a run's progress away).

With more than two parameters it shows either a slice through a chosen pair (the others held at the run's
current values) or the plane of the trajectory's two principal directions (Li et al. 2018), computed on demand
off the GUI thread. Optional overlays: the loss of the latest step's batch alone (dashed), and arrows for the
full-data gradient, the gradient the step used and the update it made.

Both axes are drawn to the same scale where the two parameters share units (the 2D functions, whose parameters
are the coordinates x and y); elsewhere "equal aspect" is a toggle. "Reset view" frames the surface again,
"zoom to paths" frames the visible runs' paths.
"""

from __future__ import annotations

import math
import time
import weakref

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QPainterPath, QPen
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsItem,
    QHBoxLayout,
    QLayout,
    QMenu,
    QPushButton,
    QToolButton,
)

import gd_core
from gd_core.landscape import (
    affordable_resolution,
    batch_contours,
    contour_levels,
    display_stride,
    display_surface,
    framing_bounds,
    hover_loss,
    iso_segments,
    loss_grid,
    plane_extent,
    plane_grid,
    slice_minimum,
    step_arrows,
    step_trials,
    trajectory_plane,
)

from ..palette import (
    BATCH_COLOR,
    CASING_WIDTH,
    ISOLINE_COLOR,
    MINIMUM_COLOR,
    ON_SURFACE,
    SURFACE_CASING,
    SURFACE_COLORS,
    color_name,
    on_casing,
    surface_backdrop,
)
from ..theme import theme
from ..widgets import ComboBox
from .base import CASED_LINE, AxisNameFit, Cased, PlotView, batch_name, crisp_color_bar
from .off_view import OffViewArrows
from .surface_worker import SurfaceWorker

RESOLUTION = 140  # two-parameter problems: cheap (sufficient statistics or a closed form)
SLICE_RESOLUTION = 80  # slices of larger problems: every point is a full pass over the data
PLANE_RESOLUTION = 70
MAX_PATH_POINTS = 3_000  # a longer path is drawn every k-th point (the last point always)
SLICE_REFRESH_S = 0.5  # with more than two parameters the slice follows the others at most this often
INLINE_GRID_WORK = 2e9  # a two-parameter surface up to this work (~0.2 s) is drawn at once, larger off-thread
OVERLAY_REFRESH_S = 0.1  # batch surface and arrows follow a running run at most ten times a second
#: How to set a start point, on the plot's tooltip (Help > Keyboard shortcuts lists it too)
START_HINT = "Double-click to start the selected run from that point (Ctrl+Z undoes it)."
#: Its status bar words: whole beside the status labels at Large text on 1280 px (the hint took 586 px of 433)
START_STATUS = "Double-click to start the selected run there"
SURFACE_MAP = pg.ColorMap([0.0, 0.3, 0.65, 1.0], list(SURFACE_COLORS))
# (key, pen width, head length): the full gradient in ON_SURFACE, the step's (the batch's) in the selected run's
# batch_color, the update in the run's own colour. Arrows that coincide (plain GD: the update is -lr times the
# step's gradient; batch GD: the step's gradient is the full one) stay distinguishable - each is drawn narrower and
# on top of the one before, like nested stripes, and its head is smaller. Their casings lie under all three (one
# arrow's casing over another's stripe would hide it).
ARROWS = (("full_gradient", 6.0, 20), ("step_gradient", 3.5, 15), ("update", 1.5, 10))
ARROW_Z = 25  # the arrows' z-values: 25, 26, 27 - over the paths (10)
#: The start and current points lie over the arrows: the latest step's arrows start at its first point and run
#: over the current one (plain GD's batch arrow is 1/lr times the update), which they hid. A known minimum's star
#: lies over them all (a run sitting on the minimum still shows it); the off-view arrows (z 30) over everything.
MARKER_Z = {"starts": 28, "currents": 29, "minima": 29.5}
#: Every line and marker on the surface is cased: outlined in SURFACE_CASING, CASING_WIDTH px on each side - what
#: gives it 3:1 against every colour of the surface, its own colour inside it (see app.palette.SURFACE_CASING).
#: A path's casing is its curve's shadow pen: the same path stroked twice, no second item to update per frame.
FIT_PADDING = 0.08  # "zoom to paths" leaves this share of the span around the paths


def _ring(inner: float = 0.2) -> QPainterPath:
    """A start point's symbol: a ring (a disc of diameter 1 with a hole of radius ``inner``), filled with the
    run's colour and cased on both edges - the surface shows through its middle, as through the old hollow one."""
    path = QPainterPath()  # odd-even fill: the inner circle is a hole
    path.addEllipse(QRectF(-0.5, -0.5, 1.0, 1.0))
    path.addEllipse(QRectF(-inner, -inner, 2 * inner, 2 * inner))
    return path


START_SYMBOL = _ring()


def _path_entry(run) -> tuple:
    """A run's legend entry: its swatch as its path is drawn on the surface, its colour inside its casing (not the
    theme's shade for plain plots: a yellow run's path is yellow here, its loss curve olive on the light theme)."""
    return Cased(on_casing(run.color), SURFACE_CASING), run.name, CASED_LINE


def _path_casing(width: float) -> QPen:
    """The casing of a path ``width`` px wide. Flat caps and bevel joins: Qt strokes such a wide pen about a third
    faster than with square caps (and round ones cost three times as much); the markers cover the path's ends."""
    pen = theme().pen(SURFACE_CASING, width + 2 * CASING_WIDTH)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    pen.setJoinStyle(Qt.PenJoinStyle.BevelJoin)
    return pen

class WholeBox(ComboBox):
    """A choice box never narrower than its longest choice: a parameter's name cut short names nothing ("W1[0,3]"
    read "W1[("), and a lesson names the mode it asks for ("PCA plane" read "PCA plar")."""

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return self.sizeHint()


def least_width(layout: QLayout) -> int:
    """The least width of a row ``layout`` from its shown widgets' least widths, its spacing and its margins,
    measured now (a layout's own figure is the one it cached when last laid out)."""
    widths = []
    for k in range(layout.count()):
        item = layout.itemAt(k)
        widget, inner = item.widget(), item.layout()
        if widget is not None and not widget.isHidden():
            widths.append(max(widget.minimumWidth(), widget.minimumSizeHint().width()))
        elif inner is not None and least_width(inner) > 0:
            widths.append(least_width(inner))
    margins = layout.contentsMargins()
    return sum(widths) + layout.spacing() * max(0, len(widths) - 1) + (margins.left() + margins.right() if widths
                                                                         else 0)


class ParameterSpaceView(PlotView):
    title = "Parameter space"
    view_keys = ("pair", "space_mode", "equal_aspect", "arrows", "batch_surface")
    readout_row = True

    def __init__(self, model, parent=None):
        self.paths: dict[int, pg.PlotCurveItem] = {}  # by id(run)
        self._marked: list = []  # the runs whose start and current point the two marker items show, in order
        self._ends: dict[int, tuple] = {}  # (start xy, current xy) of each marked run's path as last drawn
        self._run_brushes: list = []  # the marked runs' colours, in order
        self._surface_key = None
        self._framed = None  # (the problem, weakly; the surface's kind, pair or plane) the view was last framed on
        self._surface_time = 0.0
        self._overlay_time = 0.0
        self._batch_key = None  # what the batch surface's lines show: (problem, grid, samples)
        self._grid_loss = None
        self.plane = None
        self._plane_source = None
        self._plane_rows = 0  # the selected run's history rows the plane was fitted to
        self._plane_extent = None  # the path's extent on the plane: the range its loss is computed over
        self._hover_text = ""
        self._hint_at = None  # where a single click showed how to set the start: the hint stays while the pointer does
        self.status = ""
        super().__init__(model, parent)
        # names that fit their axis (a short form where the plane's long one would be cut: Large text, 1280 px)
        self.axis_names = {side: AxisNameFit(self.plot.getPlotItem().getAxis(side), "", "") for side in
                           ("bottom", "left")}
        # its y axis keeps the room its widest labels took: with a 1:1 aspect a narrower axis widened the view box,
        # the taller range's labels were wider again, and the axis alternated between 34.6 and 46.0 px for good
        # (lesson 22 at 1264x680, the results strip a row taller) - the surface, computed once resizing pauses,
        # never was, and an empty band stayed beside it
        self.plot.getPlotItem().getAxis("left").setStyle(autoReduceTextSpace=False)
        self.worker = SurfaceWorker(self)
        self.worker.ready.connect(self._surface_ready)
        # with a locked 1:1 aspect the surface covers the plot's shape: a new shape computes it again (once the
        # resizing pauses)
        self._reshaped = QTimer(self, singleShot=True, interval=150)
        self._reshaped.timeout.connect(lambda: not self.plane_mode and self._update_surface(force=True))
        self.plot.getPlotItem().vb.sigResized.connect(lambda _: self.equal_aspect_on and self._reshaped.start())
        self.mode = WholeBox()
        self.mode.setObjectName("space_mode")
        self.mode.addItem("slice", "slice")
        self.mode.addItem("PCA plane", "plane")
        self.mode.setItemData(0, "slice through a pair of parameters", Qt.ItemDataRole.ToolTipRole)
        self.mode.setItemData(1, "plane of the trajectory (principal components)", Qt.ItemDataRole.ToolTipRole)
        self.mode.setToolTip("Slice: the loss over two chosen parameters, the others at their current values. "
                             "Plane: the loss on the plane of the path's two principal directions through its "
                             "final point (Li et al. 2018), with the path projected onto it.")
        self.mode.currentIndexChanged.connect(lambda: model.set_view("space_mode", self.mode.currentData()))
        self.recompute = QPushButton("Recompute")
        self.recompute.setObjectName("space_recompute")
        self.recompute.setToolTip("Recompute plane: fit the plane to the path as it is now and evaluate the loss "
                                  "on it.")
        self.recompute.clicked.connect(self.compute_plane)
        self.pair_x, self.pair_y = WholeBox(), WholeBox()
        for box, axis in ((self.pair_x, "horizontal"), (self.pair_y, "vertical")):
            box.setObjectName(f"space_pair_{axis}")
            box.setToolTip(f"The parameter on the {axis} axis; the others are held at the run's current values.")
            box.currentIndexChanged.connect(self._pair_chosen)
        # where the header has no room for them whole, these boxes (or Recompute) sit on a row of their own under it
        self.choice_row = QHBoxLayout()
        self.choice_row.setContentsMargins(6, 0, 6, 0)
        self.choice_row.setSpacing(8)
        self.choice_row.addStretch(1)
        self.layout().insertLayout(1, self.choice_row)
        self._build_options_menu()
        self.readout = self.info  # the hovered point's coordinates and loss, else what the surface shows
        self.readout.setObjectName("space_readout")
        for w in (self.mode, self.recompute, self.pair_x, self.pair_y, self.options):
            self.controls.addWidget(w)
        self.plot.setToolTip(START_HINT)
        self.plot.setStatusTip(START_STATUS)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(SURFACE_MAP)
        self.image.setZValue(-20)
        self.plot.addItem(self.image)
        self.colorbar = pg.ColorBarItem(colorMap=SURFACE_MAP, interactive=False, width=12)
        self.colorbar.setImageItem(self.image, insert_in=self.plot.getPlotItem())
        crisp_color_bar(self.colorbar)
        # a short plot (Extra large text at 1280x720) cut the name at both ends: "g10(1 + loss −"
        AxisNameFit(self.colorbar.getAxis("left"), "log10(1 + loss − min)", "log(1+ΔL)")  # (pyqtgraph's side)
        theme().style_plot(self.plot)  # the colour bar's axis too
        isoline = pg.mkColor(ISOLINE_COLOR)
        isoline.setAlpha(90)
        self.isolines = pg.PlotDataItem(pen=pg.mkPen(isoline, width=1), connect="pairs")
        self.isolines.setZValue(-10)
        self.batch_lines = pg.PlotDataItem(connect="finite")  # whole lines: dashed along each contour
        self.batch_lines.setZValue(-5)
        for item in (self.isolines, self.batch_lines):
            self.plot.addItem(item, ignoreBounds=True)
        # static layers (the batch lines change at most ten times a second): repaint from a pixmap, not the path
        for item in (self.image, self.isolines.curve, self.batch_lines.curve):
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.arrow_items, self.arrow_casings = {}, {}
        for z, (key, _, head_length) in enumerate(ARROWS):
            line, casing = pg.PlotDataItem(), pg.PlotDataItem()
            head = pg.ArrowItem(headLen=head_length, tipAngle=30)
            for item in (line, head):
                item.setZValue(ARROW_Z + z)  # each arrow above the wider one before it
                self.plot.addItem(item, ignoreBounds=True)
            casing.setZValue(ARROW_Z - 0.5)  # under every arrow
            self.plot.addItem(casing, ignoreBounds=True)
            self.arrow_items[key] = (line, head)
            self.arrow_casings[key] = casing
        # the points the latest step of the selected run tried (line search, LBFGS, CG): small crosses
        self.trials = pg.ScatterPlotItem(symbol="x", size=9, pen=pg.mkPen(ON_SURFACE, width=1.2), brush=None)
        self.trials.setZValue(ARROW_Z - 1)
        self.plot.addItem(self.trials, ignoreBounds=True)
        self.minima = pg.ScatterPlotItem(symbol="star", size=18, brush=MINIMUM_COLOR)
        self.minima.setZValue(MARKER_Z["minima"])
        self.plot.addItem(self.minima)
        # every run's start (a ring in its colour) and current point (a disc in its colour), both cased: one item
        # each for all runs - a scatter item costs about the same to paint for one point as for many
        self.starts = pg.ScatterPlotItem(symbol=START_SYMBOL, size=13)
        self.currents = pg.ScatterPlotItem(symbol="o", size=11)
        for name, item in (("starts", self.starts), ("currents", self.currents)):
            item.setZValue(MARKER_Z[name])
            self.plot.addItem(item)
        self.off_view = OffViewArrows(self.plot, SURFACE_CASING)  # current points the view does not show
        self.plot.scene().sigMouseClicked.connect(self._clicked)
        self.follow_pointer(self._hovered)
        self.rebuild()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self._place_choices()
        super().resizeEvent(event)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """The least size with the choices of :meth:`_place_choices` on the row under the header: in the header
        they take only room the view has to spare, never widen it."""
        hint = super().minimumSizeHint()
        shown = self._choices()
        if shown and self.controls.indexOf(shown[0]) >= 0:
            widths = [box.minimumSizeHint().width() for box in shown]
            margins = self.choice_row.contentsMargins()
            hint.setWidth(max(hint.width() - sum(widths) - len(widths) * self.controls.spacing(),
                              sum(widths) + self.choice_row.spacing() * (len(widths) - 1) + margins.left()
                              + margins.right()))
        return hint

    def _choices(self) -> list:
        """What the header shows after the mode: the slice's two parameters, or the plane's Recompute."""
        return [w for w in (self.recompute, self.pair_x, self.pair_y) if not w.isHidden()]

    def _place_choices(self) -> None:
        """The slice's parameter boxes (or the plane's Recompute) in the header, after the mode, where it has room
        for them whole; else on a row of their own under it (at Large text in the window's least width on 1280 px
        the header left the boxes 63 px each: W1[0,0] read "W1[(")."""
        movable = (self.recompute, self.pair_x, self.pair_y)
        in_header = self.controls.indexOf(self.pair_x) >= 0
        need = least_width(self.header)
        if not in_header:
            need += sum(w.minimumSizeHint().width() + self.controls.spacing() for w in self._choices())
        if in_header == (self.width() >= need):
            return
        for w in movable:
            (self.controls if in_header else self.choice_row).removeWidget(w)
        at = self.controls.indexOf(self.mode) + 1
        for k, w in enumerate(movable):
            self.choice_row.addWidget(w) if in_header else self.controls.insertWidget(at + k, w)

    def _build_options_menu(self) -> None:
        """The "View" button: overlays, equal aspect, and framing the view."""
        self.options = QToolButton()
        self.options.setObjectName("space_options")
        self.options.setText("View")
        self.options.setToolTip("Overlays (batch surface, arrows), equal aspect, reset view, zoom to paths.")
        self.options.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.options)
        self.options.setMenu(menu)
        model = self.model

        def toggle(name: str, text: str, tips: tuple[str, str], key: str) -> QAction:
            action = menu.addAction(text)
            action.setObjectName(name)
            action.setCheckable(True)
            action.setToolTip(tips[0])
            action.setStatusTip(tips[1])
            action.toggled.connect(lambda on: model.set_view(key, on))
            return action
        menu.setToolTipsVisible(True)
        surface_tips, arrows_tips = batch_tips(BATCH_COLOR)  # named again for each selected run (_rebuild)
        self.batch_surface = toggle("space_batch_surface", "Batch surface", surface_tips, "batch_surface")
        self.arrows = toggle("space_arrows", "Arrows", arrows_tips, "arrows")
        self.equal_aspect = toggle("space_equal_aspect", "Equal aspect (1:1)",
                                   ("Draw both axes to the same scale: circles stay round. On by default for the 2D "
                                    "functions, whose parameters are the coordinates x and y.",
                                    "Both axes to one scale: circles stay round"), "equal_aspect")
        menu.addSeparator()
        self.reset_view = menu.addAction("Reset view", self.frame_surface)
        self.reset_view.setObjectName("space_reset_view")
        self.zoom_paths = menu.addAction("Zoom to paths", self.frame_paths)
        self.zoom_paths.setObjectName("space_zoom_paths")
        self.export_in(menu)

    # -- what is shown ---------------------------------------------------------------------------------------
    @property
    def equal_aspect_on(self) -> bool:
        """Equal aspect as chosen in the session, or by default where both parameters share units: a 2D
        function's x and y (a slice or plane of a larger problem mixes weights and biases)."""
        chosen = self.model.view.get("equal_aspect")
        return chosen if chosen is not None else self.problem.dataset is None

    def frame_surface(self) -> None:
        """Reset view: show the problem's bounds (a slice; with a 1:1 aspect the plot widens one side to its
        shape, which the surface then covers), or the plane's extent."""
        grid = getattr(self, "_grid", None)
        if grid is None:
            return
        if not self.plane_mode:
            i, j = self.pair()
            bounds = self.slice_bounds()
            self.plot.setRange(xRange=bounds[i], yRange=bounds[j], padding=0)
            return
        xs, ys = grid
        self.plot.setRange(xRange=(xs[0], xs[-1]), yRange=(ys[0], ys[-1]), padding=0)

    def frame_paths(self) -> None:
        """Zoom to paths: frame every shown run's path (its finite points) with a little room around."""
        points = [path.getData() for path in self.paths.values()]
        xs = np.concatenate([p[0] for p in points if p[0] is not None] or [np.empty(0)])
        ys = np.concatenate([p[1] for p in points if p[1] is not None] or [np.empty(0)])
        finite = np.isfinite(xs) & np.isfinite(ys)
        if not finite.any():
            return
        (x0, x1), (y0, y1) = (xs[finite].min(), xs[finite].max()), (ys[finite].min(), ys[finite].max())
        pad_x, pad_y = max(x1 - x0, 1e-9) * FIT_PADDING, max(y1 - y0, 1e-9) * FIT_PADDING
        self.plot.setRange(xRange=(x0 - pad_x, x1 + pad_x), yRange=(y0 - pad_y, y1 + pad_y), padding=0)

    @property
    def problem(self) -> gd_core.Problem:
        return self.model.selected.trainer.problem

    @property
    def plane_mode(self) -> bool:
        return self.problem.n_params > 2 and self.model.view["space_mode"] == "plane"

    @property
    def surface_ready(self) -> bool:
        return self._surface_key is not None and self._surface_key == self._shown_key

    def pair(self) -> tuple[int, int]:
        return tuple(self.model.view["pair"]) if self.problem.n_params > 2 else (0, 1)

    def to_plot(self, params: np.ndarray) -> np.ndarray:
        """Parameter vectors (T, d) as plot coordinates (T, 2): the chosen pair, or plane coordinates."""
        if self.plane_mode:
            return self.plane.project(params) if self.plane is not None else np.full((len(params), 2), np.nan)
        i, j = self.pair()
        return params[:, [i, j]]

    def vector_to_plot(self, vector: np.ndarray) -> np.ndarray:
        if self.plane_mode:
            return self.plane.directions @ vector if self.plane is not None else np.zeros(2)
        i, j = self.pair()
        return vector[[i, j]]

    def from_plot(self, x: float, y: float) -> np.ndarray:
        """The parameter vector at plot point (x, y) (other parameters from the run's start)."""
        if self.plane_mode and self.plane is not None:
            return self.plane.points(np.array(x), np.array(y))
        start = np.array(self.model.selected.history.params[0], dtype=float)
        i, j = self.pair()
        start[i], start[j] = x, y
        return start

    # -- surface ---------------------------------------------------------------------------------------------
    def _update_surface(self, force: bool = False) -> None:
        problem = self.problem
        if self.plane_mode:  # refit only for another run or a fresh one; otherwise on demand (Recompute)
            run = self.model.selected
            if self.plane is None or self._plane_source != (id(run), id(run.trainer)):
                self.compute_plane()
            elif self._surface_key is None:  # a rebuild dropped its surface, or the result under way: again
                self._submit_plane()
            return
        i, j = self.pair()
        anchor = np.array(self.model.selected.trainer.params, dtype=float)
        if not np.isfinite(anchor).all():
            anchor = np.array(self.model.selected.history.params[0], dtype=float)
        anchor_key = tuple(np.round(np.delete(anchor, [i, j]), 6)) if problem.n_params > 2 else ()
        bounds = self.slice_bounds()
        (x0, x1), (y0, y1) = self._surface_box(bounds[i], bounds[j])
        # the slice's bounds travel with it: what it is framed on when it arrives (_surface_ready)
        key = ("slice", id(problem), i, j, anchor_key, (x0, x1, y0, y1), tuple(bounds[[i, j]].ravel().tolist()))
        if key == self._surface_key:
            return
        if (not force and self._surface_key is not None and key[:4] == self._surface_key[:4]
                and time.perf_counter() - self._surface_time < SLICE_REFRESH_S):
            return
        self._surface_key, self._surface_time = key, time.perf_counter()

        resolution = affordable_resolution(problem, RESOLUTION if problem.n_params == 2 else SLICE_RESOLUTION)

        def compute(cancelled=lambda: False):
            return loss_grid(problem, (x0, x1), (y0, y1), resolution, pair=(i, j), anchor=anchor, cancelled=cancelled)
        if problem.n_params == 2 and resolution ** 2 * problem.pass_work <= INLINE_GRID_WORK:  # draw it now
            self._surface_ready(key, compute())
        else:
            self._set_status(f"computing the loss surface ({_grid_text(resolution)})…")
            self.worker.submit(key, compute)

    def slice_bounds(self) -> np.ndarray:
        """The slice's range per parameter: the problem's bounds, taking in the start of every shown run of it
        and where the slice through each start closes (:func:`~gd_core.landscape.slice_minimum`): the bounds lie
        around the minimum θ*, and a slice of a larger problem may close far from θ*'s pair - lessons 23 and
        24 framed their degree-9 slice on θ* with its own minimum, where the runs went, off its top right.
        Starts only, never the paths: the frame does not move while the runs train."""
        problem = self.problem
        starts = [np.asarray(run.history.params[0], dtype=float) for run in self.runs_on_selected_problem()]
        closes = [slice_minimum(problem, self.pair(), start) for start in starts] if problem.n_params > 2 else []
        points = starts + [point for point in closes if point is not None]
        return framing_bounds(problem.bounds, np.array(points, dtype=float).reshape(-1, problem.n_params))

    def _surface_box(self, x_bounds, y_bounds) -> tuple[tuple[float, float], tuple[float, float]]:
        """The box the slice's surface covers: the problem's bounds, widened along one axis to the plot's shape
        when the aspect is locked 1:1 - so the surface fills the plot instead of a band inside it."""
        (x0, x1), (y0, y1) = x_bounds, y_bounds
        vb = self.plot.getPlotItem().vb
        width, height = vb.width(), vb.height()
        if not self.equal_aspect_on or width < 50 or height < 50:
            return (x0, x1), (y0, y1)
        # the shape in 5 % steps (a few pixels of resizing compute nothing again), the widened side 5 % longer
        # than it so the rounding never leaves a sliver
        shape = math.exp(round(math.log(width / height) * 20) / 20)
        if (x1 - x0) / (y1 - y0) < shape:
            half = 1.05 * (y1 - y0) * shape / 2
            return ((x0 + x1) / 2 - half, (x0 + x1) / 2 + half), (y0, y1)
        half = 1.05 * (x1 - x0) / shape / 2
        return (x0, x1), ((y0 + y1) / 2 - half, (y0 + y1) / 2 + half)

    def compute_plane(self) -> None:
        """Fit the trajectory plane of the selected run and evaluate the loss on it (off the GUI thread)."""
        params = self.model.selected.history.params
        with np.errstate(invalid="ignore"):
            finite = params[np.isfinite(params).all(axis=1)]
        self.plane = trajectory_plane(finite if len(finite) else params[:1])
        self._plane_source = (id(self.model.selected), id(self.model.selected.trainer))
        self._plane_rows = len(params)
        self._plane_extent = plane_extent(self.plane.project(finite if len(finite) else params[:1]))
        self._submit_plane()
        self.refresh()

    def _submit_plane(self) -> None:
        """Evaluate the loss on the fitted plane, over the path's extent, off the GUI thread."""
        problem, plane, (a_range, b_range) = self.problem, self.plane, self._plane_extent
        key = ("plane", id(problem), self._plane_rows, id(plane))
        self._surface_key, self._surface_time = key, time.perf_counter()
        resolution = affordable_resolution(problem, PLANE_RESOLUTION)
        self._set_status(f"computing the loss on the plane ({_grid_text(resolution)})…")
        self.worker.submit(key, lambda cancelled: plane_grid(problem, plane, a_range, b_range, resolution, cancelled))

    def _surface_ready(self, key, result) -> None:
        if key != self._surface_key:
            return
        if isinstance(result, Exception):
            self._set_status(f"could not compute the surface: {result}")
            return
        self._shown_key = key
        xs, ys, Z = result
        surface = display_surface(Z)
        self.image.setImage(surface, autoLevels=False, levels=(surface.min(), surface.max() or 1.0))
        dx, dy = xs[1] - xs[0], ys[1] - ys[0]
        self.image.setRect(QRectF(xs[0] - dx / 2, ys[0] - dy / 2, dx * len(xs), dy * len(ys)))
        self.colorbar.setLevels((float(surface.min()), float(surface.max()) or 1.0))
        self.isolines.setData(*iso_segments(xs, ys, surface, contour_levels(surface, 10)))
        self._grid = (xs, ys)
        self._grid_loss = (xs, ys, Z)  # what a hover over a large problem reads instead of a pass over its data
        # framed afresh for another surface (problem, pair, mode or plane), aspect or slice range (a start moved
        # beyond the problem's bounds: a start typed far out would lie off the view), never for a restyle, another
        # run of the same problem or a theme: the student's zoom stays. A slice's anchor moves while training: not
        # a new surface. The problem is held weakly: a freed problem's id may come back for the next session's.
        if key[0] == "slice":
            surface = (key[0], *key[2:4], key[6])
        else:
            surface = (key[0], *key[2:])
        framing = (*surface, self.equal_aspect_on)
        if self._framed is None or self._framed[0]() is not self.problem or self._framed[1] != framing:
            self._framed = (weakref.ref(self.problem), framing)
            self.frame_surface()
        coarse = f"; a coarse {len(xs)}×{len(ys)} grid" if len(xs) < PLANE_RESOLUTION else ""
        if self.plane_mode:
            share = 100 * self.plane.explained.sum()
            others = "; other runs projected onto it" if len(self.visible_runs()) > 1 else ""
            self._set_status(f"plane of {self.model.selected.name}'s path: its two principal directions "
                             f"({share:.0f}% of its variance){others}{coarse}")
            first, second = 100 * self.plane.explained[:2]  # on the axes too: the header may be too narrow
            self.axis_names["bottom"].rename(f"direction 1 of {self.model.selected.name}'s path ({first:.0f}% of "
                                             "its variance)", f"direction 1 ({first:.0f}%)")
            self.axis_names["left"].rename(f"direction 2 ({second:.0f}%)", f"direction 2 ({second:.0f}%)")
        else:
            self._set_status(coarse and f"a coarse {len(xs)}×{len(ys)} grid: each point is a pass over all the data")
        self._update_overlays(force=True)

    def _set_status(self, text: str) -> None:
        """What the surface shows, in the read-out row while the pointer is not over the plot (the row is as
        tall as a read-out needs; the tooltip holds a longer status whole)."""
        self.status = text
        self.info.setToolTip(text)
        self._show_info()

    def _show_info(self) -> None:
        self.info.setText(self._hover_text or self.status)

    # -- runs ------------------------------------------------------------------------------------------------
    def _pair_chosen(self) -> None:
        i, j = self.pair_x.currentIndex(), self.pair_y.currentIndex()
        if i >= 0 and j >= 0 and i != j:
            self.model.set_view("pair", (i, j))

    def _rebuild(self) -> None:
        problem = self.problem
        view = self.model.view
        for box, checked in ((self.batch_surface, view["batch_surface"]), (self.arrows, view["arrows"]),
                             (self.equal_aspect, self.equal_aspect_on)):
            box.blockSignals(True)
            box.setChecked(checked)
            box.blockSignals(False)
        self.plot.getPlotItem().vb.setAspectLocked(self.equal_aspect_on, ratio=1.0)
        self._hover_text = ""  # a read-out of the old problem or start would be stale
        self._show_info()
        self.mode.blockSignals(True)
        self.mode.setCurrentIndex(self.mode.findData(view["space_mode"]))
        self.mode.blockSignals(False)
        if not self.plane_mode:
            self.plane = None
        names = problem.param_names
        i, j = self.pair() if self.pair()[0] < problem.n_params and self.pair()[1] < problem.n_params else (0, 1)
        if (i, j) != self.pair():
            self.model.view["pair"] = (i, j)
        for box, index in ((self.pair_x, i), (self.pair_y, j)):
            box.blockSignals(True)
            box.clear()
            box.addItems(names)
            box.setCurrentIndex(index)
            box.blockSignals(False)
        wide = -8.8888e-88  # as wide as the read-out's number formats get
        self.readout.reserve(hover_text(self._axis_names(), (wide, wide), (wide, False)))
        many = problem.n_params > 2
        self.mode.setVisible(many)
        self.recompute.setVisible(many and self.plane_mode)
        for w in (self.pair_x, self.pair_y):
            w.setVisible(many and not self.plane_mode)
        self._place_choices()
        has_data = problem.dataset is not None
        self.batch_surface.setVisible(has_data and not many)
        if self.plane_mode:
            self.axis_names["bottom"].rename("direction 1 (PCA of the path)", "direction 1")
            self.axis_names["left"].rename("direction 2", "direction 2")
            self.minima.clear()
        else:
            self.axis_names["bottom"].rename(names[i], names[i])
            self.axis_names["left"].rename(names[j], names[j])
            minima = problem.minima
            self.minima.setData(minima[:, i], minima[:, j]) if len(minima) else self.minima.clear()
        for path in self.paths.values():  # the old runs' items go first: a refresh from the surface update
            self.plot.removeItem(path)       # below must not project them onto the new problem
        self.paths, self._marked = {}, []
        self._surface_key = None
        self._shown_key = None
        self._update_surface(force=True)
        self._bounds = None if self.plane_mode else self.slice_bounds()
        self._marked = runs = self.runs_on_selected_problem()
        look = theme()
        for run in runs:
            self.paths[id(run)] = self._path(run)
        # the surface's backdrop: where it is not drawn (zoomed out past its grid, or not computed yet) the casings
        # meet this, not the dark theme's near-black plot (the light theme's plot is one already: nothing to paint)
        base, backdrop = look.color("base").name(), surface_backdrop(look.color("base").name())
        self.plot.getPlotItem().vb.setBackgroundColor(None if backdrop == base else backdrop)
        for item in (self.starts, self.currents):
            item.setPen(look.pen(SURFACE_CASING, CASING_WIDTH))
        self.minima.setPen(look.pen(ON_SURFACE))
        self._style_selected()
        self._redraw_paths()

    def _style_selected(self) -> None:
        """What takes the selected run's colours: the batch's contours and arrow (apart from the selected run's
        update arrow beside it, and where it can be from the other runs' paths), its update arrow, the legend."""
        look, selected = theme(), self.model.selected
        batch = self._batch = self.batch_color()
        self._set_runs()
        for action, (tip, status) in zip((self.batch_surface, self.arrows), batch_tips(batch)):
            action.setToolTip(tip)
            action.setStatusTip(status)
        # dashes of 8 px, each cased: the casing's dash pattern (in units of its width) lines up with the line's,
        # and its square caps reach past each dash's ends - the gaps show the surface, as the old dashes did
        self.batch_lines.setPen(look.pen(batch, 2, dash=[4, 4]))
        self.batch_lines.setShadowPen(look.pen(SURFACE_CASING, 2 + 2 * CASING_WIDTH, dash=[2, 2]))
        colors = {"full_gradient": ON_SURFACE, "step_gradient": batch, "update": on_casing(selected.color)}
        for key, width, _ in ARROWS:
            line, head = self.arrow_items[key]
            self.arrow_casings[key].setPen(look.pen(SURFACE_CASING, width + 2 * CASING_WIDTH))
            line.setPen(look.pen(colors[key], width))
            # ArrowItem.setStyle re-applies its own brush: set it there
            head.setStyle(pen=look.pen(SURFACE_CASING, CASING_WIDTH), brush=colors[key])

    def _reselect(self, previous) -> bool:
        """Another run of the same two-parameter problem selected: its path bold, the last one's thin, the batch's
        and the update arrow's colours and the overlays for it (a slice of a larger problem goes through the
        selected run's parameters, a plane through its path: they rebuild)."""
        if previous.problem_key != self.model.selected.problem_key or self.problem.n_params > 2:
            return False
        for run in (previous, self.model.selected):
            path = self.paths.get(id(run))
            if path is not None:
                width = 2 if run is self.model.selected else 1
                path.setPen(theme().pen(on_casing(run.color), width))
                path.setShadowPen(_path_casing(width))
        self._style_selected()
        self._hover_text = ""
        self._show_info()
        self._update_overlays(force=True)
        return True

    def _path(self, run) -> pg.PlotCurveItem:
        """A run's path, added to the plot: bold for the selected run, the others thin (1-px pens draw several
        times faster). A bare curve item: its data is set every frame, and PlotDataItem.setData costs about 8
        times as much."""
        width = 2 if run is self.model.selected else 1
        path = pg.PlotCurveItem(pen=theme().pen(on_casing(run.color), width), connect="finite",
                                shadowPen=_path_casing(width))
        path.setSegmentedLineMode("off")  # one path stroked twice: a third cheaper than two sets of segments
        path.setZValue(10)
        self.plot.addItem(path)
        return path

    def _set_runs(self) -> None:
        """The marked runs, their markers' colours and the legend, for the runs on the selected problem."""
        self._marked = runs = self.runs_on_selected_problem()
        self._run_brushes = [pg.mkBrush(on_casing(run.color)) for run in runs]
        view, batch, many = self.model.view, self._batch, self.problem.n_params > 2
        shows_batch = batch != BATCH_COLOR and self.problem.dataset is not None and (
            view["arrows"] or (view["batch_surface"] and not many))
        self.set_legend([_path_entry(run) for run in runs] if len(runs) > 1 else [],
                        keys=[(Cased(batch, SURFACE_CASING), f"batch arrow and contours ({batch_name(batch)})", "╍╍")]
                        if shows_batch else [])

    def _redraw_paths(self) -> None:
        """Every path and marker set afresh (a path's points depend on how many there are), the read-out
        forgotten."""
        self._hover_text = ""
        self._show_info()
        self.starts.clear()
        self.currents.clear()
        self._ends = {}
        self.refresh()

    def _in_place_here(self, run) -> bool | None:
        """Whether a change of ``run`` alone can be drawn in place: None where it changes nothing drawn (it is not
        on the selected problem), False where the view must rebuild - the plane (fitted to the runs' paths), the
        slice's range (it takes in every run's start) or the batch's colour changed."""
        if self.plane_mode:
            return False
        if run.problem_key != self.model.selected.problem_key:
            return None
        return np.array_equal(self.slice_bounds(), self._bounds) and self.batch_color() == self._batch

    def _add_items(self, run) -> bool:
        here = self._in_place_here(run)
        if here and run.visible:
            if not self.last_drawn(run, self.paths):
                return False
            self.paths[id(run)] = self._path(run)
            self._set_runs()
            self._redraw_paths()
        return here is not False

    def _remove_items(self, run) -> bool:
        here = self._in_place_here(run)
        if here and id(run) in self.paths:
            self.plot.removeItem(self.paths.pop(id(run)))
            self._set_runs()
            self._redraw_paths()
        return here is not False

    def _restyle_items(self, run, what: str) -> bool:
        """A colour changes that run's path, markers and legend entry (the selected run's, its update arrow too);
        a name its legend entry."""
        here = self._in_place_here(run)
        if here and what == "color" and run is self.model.selected:
            self._style_selected()  # its update arrow
        if here and id(run) in self.paths:
            self.paths[id(run)].setPen(theme().pen(on_casing(run.color), 2 if run is self.model.selected else 1))
            self._set_runs()
            self._redraw_paths()
        return here is not False

    def picture_legend(self) -> tuple[list[tuple], str]:
        """A lone path has no legend row (its run is the selected one): the picture names its run."""
        entries, symbol = super().picture_legend()
        return ([_path_entry(self._marked[0])] if len(self._marked) == 1 else []) + entries, symbol

    def refresh(self, moved: set[int] | None = None) -> None:
        super().refresh(moved)
        if self.problem.n_params > 2 and not self.plane_mode:
            self._update_surface()
        elif self.plane_mode and self.plane is not None:
            run = self.model.selected
            rows = len(run.history.params)  # the plane's rows (see compute_plane)
            if rows >= 2 * self._plane_rows or (run.trainer.done and rows != self._plane_rows):
                self.compute_plane()  # the path outgrew its plane: refit (doubling: a few times a run, and at its end)
                return
        ends = []  # (start xy, current xy) per marked run
        for run in self._marked:
            if moved is not None and id(run) not in moved and id(run) in self._ends:  # its path is as drawn
                ends.append(self._ends[id(run)])
                continue
            params = run.history.params
            stride = display_stride(len(params), MAX_PATH_POINTS // max(1, len(self._marked)))
            shown = params[::stride] if stride == 1 else np.vstack([params[::stride], params[-1:]])
            with np.errstate(invalid="ignore", over="ignore"):
                xy = self.to_plot(shown)
                xy = np.where(np.isfinite(xy).all(axis=1)[:, None], xy, np.nan)
            self.paths[id(run)].setData(xy[:, 0], xy[:, 1])
            self._ends[id(run)] = (xy[0], xy[-1])
            ends.append(self._ends[id(run)])
        self._mark(self.starts, [start for start, _ in ends], brush=self._run_brushes, data=self._marked)
        self._mark(self.currents, [current for _, current in ends], brush=self._run_brushes, data=self._marked)
        self.off_view.show([(float(current[0]), float(current[1]), on_casing(run.color))
                            for run, (_, current) in zip(self._marked, ends)])
        self._update_overlays()

    def _mark(self, item: pg.ScatterPlotItem, points: list, **style) -> None:
        """Show one marker per run at ``points`` (a non-finite point: none); unchanged points are not reset."""
        points = np.reshape(points, (-1, 2))
        shown = np.isfinite(points).all(axis=1)
        x, y = points[shown, 0], points[shown, 1]
        if np.array_equal(item.data["x"], x) and np.array_equal(item.data["y"], y):
            return
        item.setData(x=x, y=y, **{key: [v for v, keep in zip(values, shown) if keep] for key, values in style.items()})

    def marker(self, item: pg.ScatterPlotItem, run) -> tuple[float, float] | None:
        """Where ``item`` (:attr:`starts` or :attr:`currents`) marks ``run``; None where it shows no marker."""
        spots = [spot for spot in item.points() if spot.data() is run]
        return (spots[0].pos().x(), spots[0].pos().y()) if spots else None

    # -- overlays: the latest step's batch surface and arrows ------------------------------------------------
    def _update_overlays(self, force: bool = False) -> None:
        if not force and time.perf_counter() - self._overlay_time < OVERLAY_REFRESH_S:
            return
        self._overlay_time = time.perf_counter()
        run = self.model.selected
        step = step_arrows(run.trainer.latest) if (self.arrows.isChecked() or self.batch_surface.isChecked()) \
            else None
        with np.errstate(all="ignore"):
            self._draw_batch_surface(run, step)
            self._draw_arrows(run, step)
            self._draw_trials(run)

    def _draw_trials(self, run) -> None:
        trials = step_trials(run.trainer.latest)
        if trials is None or (self.plane_mode and self.plane is None):
            self.trials.setData(x=[], y=[])
            return
        xy = self.to_plot(trials)
        self.trials.setData(x=xy[:, 0], y=xy[:, 1])
        self.trials.setToolTip(f"The {len(trials)} points the latest step evaluated the loss at (line search "
                               "trials, L-BFGS and CG evaluations), in order; the step took the last accepted one.")

    def _draw_batch_surface(self, run, step) -> None:
        trainer = run.trainer
        if (step is None or not self.batch_surface.isVisible() or not self.batch_surface.isChecked()
                or getattr(self, "_grid", None) is None or trainer.problem.n_params != 2):
            self.batch_lines.clear()
            self._batch_key = None
            return
        indices = trainer.latest.indices
        xs, ys = self._grid
        key = (id(trainer.problem), xs[0], xs[-1], len(xs), ys[0], ys[-1], len(ys),
               None if indices is None else indices.tobytes())
        if key != self._batch_key:  # the same samples over the same grid: the same lines (batch variant: always)
            self._batch_key = key
            self.batch_lines.setData(*batch_contours(trainer.problem, *self._grid, indices))

    def _draw_arrows(self, run, step) -> None:
        shown = step is not None and self.arrows.isChecked() and np.isfinite(step["update"]).all()
        if not shown or (self.plane_mode and self.plane is None):
            for key, (line, head) in self.arrow_items.items():
                line.clear()
                self.arrow_casings[key].clear()
                head.hide()
            return
        vectors = {key: step[key] for key in ("full_gradient", "step_gradient", "update")}
        if run.trainer.problem.dataset is None:  # without data the step's gradient is the full one
            vectors.pop("step_gradient")
        origin = self.to_plot(step["origin"][None, :])[0]
        planar = {k: self.vector_to_plot(v) for k, v in vectors.items()}
        (x0, x1), (y0, y1) = self.plot.getPlotItem().vb.viewRange()
        longest = max(max(np.hypot(v[0] / (x1 - x0), v[1] / (y1 - y0)) for v in planar.values()), 1e-300)
        scale = 0.18 / longest  # the longest arrow spans about a fifth of the view; ratios are kept
        vb = self.plot.getPlotItem().vb
        for key, (line, head) in self.arrow_items.items():
            if key not in planar:
                line.clear()
                self.arrow_casings[key].clear()
                head.hide()
                continue
            tip = origin + scale * planar[key]
            line.setData([origin[0], tip[0]], [origin[1], tip[1]])
            self.arrow_casings[key].setData([origin[0], tip[0]], [origin[1], tip[1]])
            a, b = vb.mapViewToDevice(pg.Point(*origin)), vb.mapViewToDevice(pg.Point(*tip))
            angle = math.degrees(math.atan2(b.y() - a.y(), b.x() - a.x()))  # device y grows downwards
            head.setStyle(angle=180 + angle)
            head.setPos(*tip)
            head.show()

    # -- mouse -----------------------------------------------------------------------------------------------
    def _to_view(self, scene_pos):
        vb = self.plot.getPlotItem().vb
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        point = vb.mapSceneToView(scene_pos)
        return point.x(), point.y()

    def _clicked(self, event) -> None:
        """A double-click restarts the selected run from the point; a single click (its first half too) shows
        how, in the read-out, until the pointer moves on."""
        if event.button() != Qt.MouseButton.LeftButton:
            return
        pos = self._to_view(event.scenePos())
        if pos is None:
            return
        if event.double():
            self._hint_at = None
            self.set_start(*pos)
            return
        self._hint_at = event.scenePos()
        self._hover_text = self._start_hint(*pos)
        self._show_info()

    def _start_hint(self, x: float, y: float) -> str:
        """What a double-click at the plot point (x, y) would do, or why it would not (no longer than the
        coordinates' read-out: the row is as tall as that needs)."""
        run = self.model.selected
        try:
            self.model.check_unlocked(run.config, {**run.config, "init": [float(v) for v in self.from_plot(x, y)]})
        except gd_core.ConfigError as error:
            return f"{error.problem[0].upper()}{error.problem[1:]}."
        return "Double-click to start the selected run here."

    def set_start(self, x: float, y: float) -> None:
        """Restart the selected run from the plot point (x, y) - unless the lesson fixes the start point."""
        try:
            self.model.set_start(self.model.selected, self.from_plot(x, y))
        except gd_core.ConfigError as error:
            self.readout.setText(f"Not moved: {error.problem}.")

    def _hovered(self, scene_pos) -> None:
        """The coordinates and loss under the pointer (None: it left the plot; the surface's status again)."""
        if self._hint_at is not None and scene_pos is not None and \
                (scene_pos - self._hint_at).manhattanLength() <= QApplication.startDragDistance():
            return  # a hand on the mouse wobbles: the hint a click showed stays until the pointer moves on
        self._hint_at = None
        pos = None if scene_pos is None else self._to_view(scene_pos)
        if pos is None or (self.plane_mode and self.plane is None):
            self._hover_text = ""
            self._show_info()
            return
        point = self.from_plot(*pos)
        if not self.plane_mode:
            anchor = self.model.selected.trainer.params
            if np.isfinite(anchor).all():
                i, j = self.pair()
                point = np.array(anchor, dtype=float)
                point[i], point[j] = pos
        shown = self._grid_loss if self.surface_ready else None
        self._hover_text = hover_text(self._axis_names(), pos, hover_loss(self.problem, point, shown, pos))
        self._show_info()

    def _axis_names(self) -> tuple[str, str]:
        """What the read-out calls the two plotted coordinates."""
        if self.plane_mode:
            return "a", "b"
        names, (i, j) = self.problem.param_names, self.pair()
        return names[i], names[j]


def batch_tips(color: str) -> tuple[tuple[str, str], tuple[str, str]]:
    """(tooltip, status tip) of View > Batch surface and of View > Arrows, naming the colour the batch is drawn in
    (and, in the tooltip, why where it is not orange: see app.palette.batch_color). The status tips are short: the
    status bar beside the run's state has ~430 px at 1280x720 and Large text."""
    name = color_name(color)
    why = "" if color == BATCH_COLOR else (f" {batch_name(color).capitalize()}: the selected run's own colour is "
                                           "too close to orange to tell the two apart.")
    return ((f"Dashed {name}: the loss of the latest step's batch alone - the surface that step descended, next to "
             f"the full loss.{why}", f"The latest batch's own loss (dashed {name})"),
            (f"At the latest step's start: −gradient on all data (wide, black), −gradient the step used ({name}) and "
             f"the update it made (narrow, run colour), scaled together.{why}",
             f"The latest step's gradients ({name}: its batch)"))


def hover_text(names: tuple[str, str], pos: tuple[float, float], loss: tuple[float, bool] | None) -> str:
    """The read-out of the point ``pos`` named ``names``, with its ``(loss, exact)`` when known."""
    text = f"{names[0]} = {pos[0]:.4g}, {names[1]} = {pos[1]:.4g}"
    return text if loss is None else f"{text}, loss {'=' if loss[1] else '≈'} {loss[0]:.5g}"


def _grid_text(resolution: int) -> str:
    coarse = " - coarse: every point is a pass over all the data" if resolution < SLICE_RESOLUTION else ""
    return f"{resolution}×{resolution} points{coarse}"
