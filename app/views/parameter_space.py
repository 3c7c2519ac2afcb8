"""The parameter space: the loss surface as a heat map with iso-lines, the runs' paths, start, current point
and known minima. A click sets a new start point for the selected run."""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QComboBox, QGraphicsItem, QLabel

import gd_core
from gd_core.landscape import contour_levels, display_stride, display_surface, iso_segments, loss_grid

from .base import PlotView

RESOLUTION = 140
MAX_PATH_POINTS = 3_000  # a longer path is drawn every k-th point (the last point always)
SLICE_REFRESH_S = 0.5  # with more than two parameters the slice follows the others at most this often
# A light, low-saturation surface (cream = low loss, grey-blue = high) so that the runs' saturated colours stand out.
SURFACE_COLORS = pg.ColorMap([0.0, 0.3, 0.65, 1.0], ["#fdfcf3", "#e4eed8", "#b9cfdc", "#8597b8"])


class ParameterSpaceView(PlotView):
    title = "Parameter space"

    def __init__(self, model, parent=None):
        self._items: dict[int, tuple] = {}
        self._surface_key = None
        self._surface_time = 0.0
        super().__init__(model, parent)
        self.plot.setAspectLocked(False)
        self.pair_x, self.pair_y = QComboBox(), QComboBox()
        for box, axis in ((self.pair_x, "horizontal"), (self.pair_y, "vertical")):
            box.setToolTip(f"The parameter on the {axis} axis; the others are held at the run's current values.")
            box.currentIndexChanged.connect(self._pair_chosen)
        self.pair_label = QLabel("pair:")
        for w in (self.pair_label, self.pair_x, self.pair_y):
            self.header.addWidget(w)
        self.readout = QLabel("")
        self.readout.setObjectName("space_readout")
        self.header.insertWidget(1, self.readout)
        self.plot.setToolTip("Click to start the selected run from that point.")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(SURFACE_COLORS)
        self.image.setZValue(-20)
        self.plot.addItem(self.image)
        self.colorbar = pg.ColorBarItem(colorMap=SURFACE_COLORS, interactive=False, width=12,
                                        label="log10(1 + loss − min)")
        self.colorbar.setImageItem(self.image, insert_in=self.plot.getPlotItem())
        self.isolines = pg.PlotDataItem(pen=pg.mkPen((40, 60, 90, 90), width=1), connect="pairs")
        self.isolines.setZValue(-10)
        self.plot.addItem(self.isolines)
        for item in (self.image, self.isolines.curve):  # static layers: repaint from a pixmap, not the path
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.legend = self.plot.addLegend(offset=(10, 10), brush=(255, 255, 255, 200))
        self.minima = pg.ScatterPlotItem(symbol="star", size=18, pen=pg.mkPen("k", width=1), brush="#ffd54f")
        self.minima.setZValue(15)  # above the paths: a run sitting on a minimum still shows the star
        self.plot.addItem(self.minima)
        self.plot.scene().sigMouseClicked.connect(self._clicked)
        self.plot.scene().sigMouseMoved.connect(self._hovered)
        self.rebuild()

    # -- surface ---------------------------------------------------------------------------------------------
    @property
    def problem(self) -> gd_core.Problem:
        return self.model.selected.trainer.problem

    def pair(self) -> tuple[int, int]:
        return tuple(self.model.view["pair"]) if self.problem.n_params > 2 else (0, 1)

    def _anchor(self):
        return self.model.selected.trainer.params

    def _update_surface(self, force: bool = False) -> None:
        problem, (i, j) = self.problem, self.pair()
        anchor_key = tuple(np.round(np.delete(self._anchor(), [i, j]), 6)) if problem.n_params > 2 else ()
        key = (id(problem), i, j, anchor_key)
        if key == self._surface_key:
            return
        if (not force and self._surface_key is not None and key[:3] == self._surface_key[:3]
                and time.perf_counter() - self._surface_time < SLICE_REFRESH_S):
            return
        self._surface_key, self._surface_time = key, time.perf_counter()
        (x0, x1), (y0, y1) = problem.bounds[i], problem.bounds[j]
        xs, ys, Z = loss_grid(problem, (x0, x1), (y0, y1), RESOLUTION, pair=(i, j), anchor=self._anchor())
        surface = display_surface(Z)
        self.image.setImage(surface, autoLevels=False, levels=(surface.min(), surface.max() or 1.0))
        dx, dy = xs[1] - xs[0], ys[1] - ys[0]
        self.image.setRect(QRectF(x0 - dx / 2, y0 - dy / 2, dx * RESOLUTION, dy * RESOLUTION))
        self.colorbar.setLevels((float(surface.min()), float(surface.max()) or 1.0))
        self.isolines.setData(*iso_segments(xs, ys, surface, contour_levels(surface, 10)))
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    # -- runs ------------------------------------------------------------------------------------------------
    def _pair_chosen(self) -> None:
        i, j = self.pair_x.currentIndex(), self.pair_y.currentIndex()
        if i >= 0 and j >= 0 and i != j:
            self.model.set_view("pair", (i, j))

    def rebuild(self) -> None:
        problem = self.problem
        names = problem.param_names
        for box, index in ((self.pair_x, self.pair()[0]), (self.pair_y, self.pair()[1])):
            box.blockSignals(True)
            box.clear()
            box.addItems(names)
            box.setCurrentIndex(index)
            box.blockSignals(False)
        many = problem.n_params > 2
        for w in (self.pair_label, self.pair_x, self.pair_y):
            w.setVisible(many)
        i, j = self.pair()
        self.plot.setLabel("bottom", names[i])
        self.plot.setLabel("left", names[j])
        self._surface_key = None
        self._update_surface(force=True)
        minima = problem.minima
        self.minima.setData(minima[:, i], minima[:, j]) if len(minima) else self.minima.clear()
        for items in self._items.values():
            for item in items:
                self.plot.removeItem(item)
        self._items = {}
        self.legend.clear()
        runs = self.runs_on_selected_problem()
        for run in runs:
            path = pg.PlotDataItem(pen=pg.mkPen(run.color, width=2), connect="finite")
            start = pg.ScatterPlotItem(symbol="o", size=11, pen=pg.mkPen(run.color, width=2), brush="w")
            current = pg.ScatterPlotItem(symbol="o", size=11, pen=pg.mkPen("w", width=1.5), brush=run.color)
            for z, item in enumerate((path, start, current)):
                item.setZValue(10 + z)
                self.plot.addItem(item)
            self._items[id(run)] = (path, start, current)
            if len(runs) > 1:
                self.legend.addItem(path, run.name)
        self.refresh()

    def refresh(self) -> None:
        super().refresh()
        i, j = self.pair()
        if self.problem.n_params > 2:
            self._update_surface()
        for run in self.runs_on_selected_problem():
            items = self._items.get(id(run))
            if items is None:
                continue
            path, start, current = items
            params = run.history.params
            stride = display_stride(len(params), MAX_PATH_POINTS)
            shown = params[::stride] if stride == 1 else np.vstack([params[::stride], params[-1:]])
            with np.errstate(invalid="ignore"):
                finite = np.where(np.isfinite(shown).all(axis=1)[:, None], shown, np.nan)
            path.setData(finite[:, i], finite[:, j])
            start.setData([params[0, i]], [params[0, j]])
            last = params[-1]
            current.setData([last[i]], [last[j]]) if np.isfinite(last[[i, j]]).all() else current.clear()

    # -- mouse -----------------------------------------------------------------------------------------------
    def _to_view(self, scene_pos):
        vb = self.plot.getPlotItem().vb
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        point = vb.mapSceneToView(scene_pos)
        return point.x(), point.y()

    def _clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or event.double():
            return
        pos = self._to_view(event.scenePos())
        if pos is not None:
            self.set_start(*pos)

    def set_start(self, x: float, y: float) -> None:
        """Restart the selected run from (x, y) in the shown pair; other parameters keep their start values."""
        run = self.model.selected
        start = np.array(run.history.params[0], dtype=float)
        i, j = self.pair()
        start[i], start[j] = x, y
        self.model.set_start(run, start)

    def _hovered(self, scene_pos) -> None:
        pos = self._to_view(scene_pos)
        if pos is None:
            self.readout.setText("")
            return
        i, j = self.pair()
        point = np.array(self._anchor(), dtype=float)
        if not np.isfinite(point).all():
            point = np.array(self.model.selected.history.params[0], dtype=float)
        point[i], point[j] = pos
        names = self.problem.param_names
        loss = float(self.problem.full_loss(point))
        self.readout.setText(f"{names[i]} = {pos[0]:.4g}, {names[j]} = {pos[1]:.4g}, loss = {loss:.5g}")
