"""Surface 3D: the loss over the two parameters the parameter space shows (its slice: the others held at the
selected run's current values; or, in its "PCA plane" mode, the plane of the selected run's path) as a surface,
the paths of the visible runs on it - each point at the height of its loss - their current points and the known
minima. Drag to rotate, wheel to zoom; "log height" lifts the valley floor (log10(1 + loss - min)).

It needs OpenGL (pyqtgraph.opengl over PyOpenGL, the optional extra ``gdlab[3d]``). Where there is none - the
offscreen platform, a display without GLX, PyOpenGL missing - the view says so in one line and nothing else
changes. Heights come from :func:`gd_core.landscape.surface_heights`; the grid from
:func:`gd_core.landscape.loss_grid` or :func:`gd_core.landscape.plane_grid`, off the window's thread.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QGuiApplication, QMatrix4x4, QOpenGLContext
from PySide6.QtWidgets import QCheckBox, QDialog, QHBoxLayout, QLabel, QVBoxLayout

from gd_core.landscape import (
    affordable_resolution,
    loss_grid,
    plane_extent,
    plane_grid,
    surface_heights,
    trajectory_plane,
)

from ..palette import MINIMUM_COLOR, SURFACE_COLORS
from ..theme import theme
from .surface_worker import SurfaceWorker

RESOLUTION = 60  # a 60x60 mesh: smooth enough to read, cheap to rotate
SURFACE_MAP = pg.ColorMap([0.0, 0.3, 0.65, 1.0], list(SURFACE_COLORS))
HEIGHT = 0.8  # the surface's height in the unit box its two parameters span


def opengl_problem() -> str:
    """Why 3D cannot be drawn here, in one line ("" when it can)."""
    if QGuiApplication.platformName() in ("offscreen", "minimal"):
        return "The 3D view needs OpenGL, which this display (offscreen) does not have; every other view works."
    try:
        import OpenGL.GL  # noqa: F401  (pyqtgraph.opengl draws through PyOpenGL)
    except Exception:
        return "The 3D view needs PyOpenGL: pip install 'gdlab[3d]'. Every other view works."
    context = QOpenGLContext()
    if not context.create():
        return "The 3D view needs OpenGL, and this display offers none (no GLX); every other view works."
    return ""


def _rgba(color, alpha: float = 1.0) -> tuple:
    c = QColor(color)
    return (c.redF(), c.greenF(), c.blueF(), alpha)


class Surface3DWindow(QDialog):
    """The 3D view, in a window of its own beside the main one (View > Surface 3D)."""

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Surface 3D")
        self.setObjectName("surface3d_window")
        self.resize(640, 520)
        self.model = model
        self.problem_text = opengl_problem()
        self.log_height = QCheckBox("log height")
        self.log_height.setObjectName("surface3d_log")
        self.log_height.setToolTip("Height log10(1 + loss − min): a valley's floor keeps its shape under high walls.")
        self.info = QLabel(self.problem_text or "Drag to rotate, wheel to zoom.")
        self.info.setObjectName("surface3d_info")
        top = QHBoxLayout()
        top.addWidget(self.info, 1)
        top.addWidget(self.log_height)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        self.view = None
        self.paths: dict[int, object] = {}
        self.plane = None  # the trajectory plane shown (PCA plane mode), fitted to this many rows:
        self._plane_rows = 0
        self._grid = None  # (key, xs, ys, Z)
        self.log_height.setEnabled(not self.problem_text)
        if self.problem_text:
            return
        import pyqtgraph.opengl as gl  # imported only where OpenGL works

        self.gl = gl
        self.view = gl.GLViewWidget()
        self.view.setObjectName("surface3d_view")
        self.view.setCameraPosition(distance=3.2, elevation=28, azimuth=-60)
        layout.addWidget(self.view, 1)
        self.surface = gl.GLSurfacePlotItem(smooth=True, drawEdges=False)
        self.surface.hide()  # an empty mesh cannot be painted (pyqtgraph fails on it): shown with its first grid
        self.view.addItem(self.surface)
        self.currents = gl.GLScatterPlotItem(size=11, pxMode=True)
        self.minima = gl.GLScatterPlotItem(size=16, pxMode=True, color=_rgba(MINIMUM_COLOR))
        from OpenGL import GL

        on_top = {GL.GL_DEPTH_TEST: False, GL.GL_BLEND: True,  # markers sit on the surface: never half hidden by it
                  "glBlendFunc": (GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA)}
        for item in (self.currents, self.minima):
            item.setGLOptions(on_top)
            self.view.addItem(item)
        self.worker = SurfaceWorker(self)
        self.worker.ready.connect(self._grid_ready)
        self.log_height.toggled.connect(lambda: self.redraw())
        events = model.events
        for event in (events.run_added, events.run_removed, events.selection_changed, events.session_loaded,
                      events.run_changed, events.view_changed):
            event.connect(lambda *_: self.rebuild())
        events.run_reset.connect(lambda *_: self.rebuild())
        events.run_styled.connect(lambda *_: self.rebuild())
        events.advanced.connect(lambda runs: self.redraw())
        theme().changed.connect(self._restyle)
        self._restyle()
        self.rebuild()

    def _restyle(self) -> None:
        if self.view is not None:
            self.view.setBackgroundColor(theme().color("base"))

    # -- what is shown ---------------------------------------------------------------------------------------
    def pair(self) -> tuple[int, int]:
        problem = self.model.selected.trainer.problem
        i, j = tuple(self.model.view["pair"]) if problem.n_params > 2 else (0, 1)
        return (i, j) if max(i, j) < problem.n_params else (0, 1)

    @property
    def plane_mode(self) -> bool:
        return self.model.selected.trainer.problem.n_params > 2 and self.model.view["space_mode"] == "plane"

    def to_plot(self, params: np.ndarray) -> np.ndarray:
        """Parameter vectors (T, d) as surface coordinates (T, 2): the pair, or coordinates in the plane."""
        if self.plane_mode:
            return self.plane.project(params) if self.plane is not None else np.full((len(params), 2), np.nan)
        i, j = self.pair()
        return params[:, [i, j]]

    def rebuild(self) -> None:
        """Compute the grid of the selected run's problem and pair or plane (off the GUI thread), then draw."""
        if self.view is None:
            return
        run = self.model.selected
        problem = run.trainer.problem
        if self.plane_mode:
            self._fit_plane()
            return
        self.plane = None
        i, j = self.pair()
        anchor = np.array(run.trainer.params, dtype=float)
        if not np.isfinite(anchor).all():
            anchor = np.array(run.history.params[0], dtype=float)
        key = (id(problem), i, j, tuple(np.round(np.delete(anchor, [i, j]), 6)))
        if self._grid is not None and self._grid[0] == key:
            self.redraw()
            return
        (x0, x1), (y0, y1) = problem.bounds[i], problem.bounds[j]
        resolution = affordable_resolution(problem, RESOLUTION)
        names = problem.param_names
        self.info.setText(f"computing the loss over {names[i]} and {names[j]}…")
        self.worker.submit(key, lambda: loss_grid(problem, (x0, x1), (y0, y1), resolution, pair=(i, j),
                                                  anchor=anchor))

    def _fit_plane(self) -> None:
        """The plane of the selected run's path, as the parameter space fits it, and the loss over it."""
        run = self.model.selected
        problem, params = run.trainer.problem, run.history.params
        with np.errstate(invalid="ignore"):
            finite = params[np.isfinite(params).all(axis=1)]
        rows = finite if len(finite) else params[:1]
        self.plane, self._plane_rows = trajectory_plane(rows), len(params)
        a_range, b_range = plane_extent(self.plane.project(rows))
        plane, resolution = self.plane, affordable_resolution(problem, RESOLUTION)
        key = ("plane", id(problem), id(run.trainer), len(params))
        self.info.setText(f"computing the loss on the plane of {run.name}'s path…")
        self.worker.submit(key, lambda: plane_grid(problem, plane, a_range, b_range, resolution))

    def _grid_ready(self, key, result) -> None:
        if isinstance(result, Exception):
            self.info.setText(f"could not compute the surface: {result}")
            return
        self._grid = (key, *result)
        names = self.model.selected.trainer.problem.param_names
        i, j = self.pair()
        other = ", the others at the selected run's values" if self.model.selected.trainer.problem.n_params > 2 else ""
        shown = (f"the plane of {self.model.selected.name}'s path (its two principal directions), the paths "
                 "projected onto it" if self.plane_mode else f"{names[i]} (x) and {names[j]} (y){other}")
        self.info.setText(f"loss over {shown}; drag to rotate, wheel to zoom")
        self.redraw()

    def heights(self, loss) -> np.ndarray:
        """The height of a loss value in this view (the grid's range, log or linear)."""
        _, _, _, Z = self._grid
        finite = Z[np.isfinite(Z)]
        low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
        return surface_heights(loss, low, high, self.log_height.isChecked(), HEIGHT)

    def redraw(self) -> None:
        if self.view is None or self._grid is None:
            return
        if self.plane_mode and len(self.model.selected.history) >= 2 * max(self._plane_rows, 1):
            self._fit_plane()  # the path outgrew its plane (doubling: a few refits a run), as the parameter space
            return
        _, xs, ys, Z = self._grid
        heights = self.heights(Z)
        top = np.nanmax(heights) if np.isfinite(heights).any() else 1.0
        shown = np.where(np.isfinite(heights), heights, top)
        colors = SURFACE_MAP.map(shown / (top or 1.0), mode="float")
        # GLSurfacePlotItem takes z[x index, y index]; loss_grid's Z is [y index, x index]
        self.surface.setData(x=xs, y=ys, z=shown.T, colors=np.swapaxes(colors, 0, 1))
        self.surface.show()
        problem = self.model.selected.trainer.problem
        i, j = self.pair()
        box = QMatrix4x4()  # the two parameters' ranges drawn as a unit square (a wide x range stays in view)
        box.scale(2.0 / max(xs[-1] - xs[0], 1e-12), 2.0 / max(ys[-1] - ys[0], 1e-12), 1.0)
        box.translate(-(xs[0] + xs[-1]) / 2, -(ys[0] + ys[-1]) / 2, -HEIGHT / 2)
        runs = [run for run in self.model.runs if run.visible and run.problem_key == self.model.selected.problem_key]
        for key in set(self.paths) - {id(run) for run in runs}:
            self.view.removeItem(self.paths.pop(key))
        currents, colors = [], []
        for run in runs:
            history = run.history
            points = np.column_stack([self.to_plot(history.params), self.heights(history.loss)])
            if id(run) not in self.paths:
                self.paths[id(run)] = self.gl.GLLinePlotItem(width=2 if run is self.model.selected else 1,
                                                             antialias=True)
                self.view.addItem(self.paths[id(run)])
            self.paths[id(run)].setData(pos=points, color=_rgba(run.color))
            if np.isfinite(points[-1]).all():
                currents.append(points[-1])
                colors.append(_rgba(run.color))
        self.currents.setData(pos=np.reshape(currents, (-1, 3)), color=np.reshape(colors, (-1, 4)))
        minima = problem.minima
        if len(minima) and not self.plane_mode:
            losses = [problem.full_loss(m) for m in minima]
            self.minima.setData(pos=np.column_stack([minima[:, i], minima[:, j], self.heights(losses)]))
        else:
            self.minima.setData(pos=np.empty((0, 3)))
        for item in [self.surface, self.currents, self.minima, *self.paths.values()]:
            item.setTransform(box)
