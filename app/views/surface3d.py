"""Surface 3D: the loss over the two parameters the parameter space shows (its slice: the others held at the
selected run's current values; or, in its "PCA plane" mode, the plane of the selected run's path) as a surface,
the paths of the visible runs on it - each point at the height of its loss - their current points and the known
minima. Drag to rotate, wheel to zoom; "log height" lifts the valley floor (log10(1 + loss - min)).

It is a tab beside the parameter space. It needs OpenGL (pyqtgraph.opengl over PyOpenGL, the optional extra
``gdlab[3d]``), and its OpenGL view is made when the tab is first shown: the window starts as fast without it,
and where there is no OpenGL - the offscreen platform, a display without GLX, PyOpenGL missing - the tab says so
in one line and nothing else changes. The scene is drawn off screen and shown as a picture
(:class:`app.views.gl_canvas.GLCanvas`): the window stays a raster window, its 2D plots as fast as before.
Heights come from :func:`gd_core.landscape.surface_heights`; the grid from :func:`gd_core.landscape.loss_grid`
or :func:`gd_core.landscape.plane_grid`, off the window's thread.

pyqtgraph.opengl compiles each shader program once per process and uses it in every GL widget: the application
must share its OpenGL contexts (``Qt.AA_ShareOpenGLContexts``, set before the QApplication is made, see
:func:`share_opengl_contexts`), or a second GL widget (another window, a widget moved to another window) draws
nothing and prints "invalid value" errors.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor, QGuiApplication, QMatrix4x4, QOpenGLContext, QPalette
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gd_core.landscape import (
    affordable_resolution,
    loss_grid,
    plane_extent,
    plane_grid,
    surface_heights,
    trajectory_plane,
    within_reach,
)

from ..export_menu import ExportButton
from ..exports import Picture
from ..palette import MINIMUM_COLOR, SURFACE_COLORS
from ..theme import theme
from ..widgets import ElidedLabel
from .base import legend_html
from .surface_worker import SurfaceWorker

RESOLUTION = 60  # a 60x60 mesh: smooth enough to read, cheap to rotate
SURFACE_MAP = pg.ColorMap([0.0, 0.3, 0.65, 1.0], list(SURFACE_COLORS))
HEIGHT = 0.8  # the surface's height in the unit box its two parameters span


def share_opengl_contexts() -> None:
    """Let every OpenGL widget of the application share one set of GL objects (pyqtgraph's compiled shaders).
    Call it before the QApplication exists; later it changes nothing."""
    if QCoreApplication.instance() is None:
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)


def opengl_missing() -> str:
    """What the 3D view lacks here, as the end of "The 3D view needs ..." ("" when it can draw)."""
    missing = []
    try:
        import OpenGL.GL  # noqa: F401  (pyqtgraph.opengl draws through PyOpenGL)
    except Exception:
        missing.append("PyOpenGL (pip install 'gdlab[3d]')")
    platform = QGuiApplication.platformName()
    if platform in ("offscreen", "minimal"):
        missing.append(f"a display with OpenGL (the {platform} platform has none: run with DISPLAY set, e.g. under "
                       "xvfb-run)")
    elif not QOpenGLContext().create():
        missing.append("OpenGL, which this display does not offer (no GLX)")
    return " and ".join(missing)


def _rgba(color, alpha: float = 1.0) -> tuple:
    c = QColor(color)
    return (c.redF(), c.greenF(), c.blueF(), alpha)


class Surface3DView(QWidget):
    """The 3D view, a tab beside the parameter space (View > Surface 3D brings it to the front)."""

    title = "Surface 3D"

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.setObjectName("surface3d")
        self.model = model
        self._missing = ""  # what the view lacks to draw here, known once it was first shown ("" = it draws)
        self.log_height = QCheckBox("log height")
        self.log_height.setObjectName("surface3d_log")
        self.log_height.setToolTip("Height log10(1 + loss − min): a valley's floor keeps its shape under high walls.")
        self.info = ElidedLabel("surface3d_info")  # what the surface shows; its changing text resizes nothing
        self.info.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._say("Drag to rotate, wheel to zoom.")
        header = QHBoxLayout()  # as the plot views' headers: the tab beside them does not jump
        header.setContentsMargins(6, 2, 6, 0)
        header.setSpacing(8)
        header.addWidget(self.info, 1)
        header.addWidget(self.log_height)
        self.export_button = ExportButton(lambda: [self.picture()] if self.view is not None else [])
        self.export_button.setToolTip("Export: save this view as a PNG image, or copy it to the clipboard.")
        self.export_button.hide()  # until there is a view to export
        self.export_menu = self.export_button.export_menu
        header.addWidget(self.export_button)
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(2)
        self.column.addLayout(header)
        self.column.addStretch(1)  # the GL widget's place, until it is made
        self.view = None
        self.built = False
        self._stale = True  # something changed while the tab was hidden: rebuild when it is shown
        self.paths: dict[int, object] = {}
        self.plane = None  # the trajectory plane shown (PCA plane mode), fitted to this many rows:
        self._plane_rows = 0
        self._grid = None  # (key, xs, ys, Z)
        self._meshed = None  # (grid, log height) the surface's mesh shows: a step redraws the paths alone
        self.log_height.toggled.connect(lambda: self.redraw())
        events = model.events
        for event in (events.run_added, events.run_removed, events.selection_changed, events.session_loaded,
                      events.run_changed, events.view_changed):
            event.connect(lambda *_: self.rebuild())
        events.run_reset.connect(lambda *_: self.rebuild())
        events.run_styled.connect(lambda *_: self.rebuild())
        events.advanced.connect(lambda runs: self.redraw())
        theme().changed.connect(self._restyle)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.build()
        if self._stale:
            self.rebuild()

    def build(self) -> bool:
        """Make the OpenGL widget, once (the first time the tab is shown); False where OpenGL is missing (the
        one line says what to install or where to run)."""
        if self.built:
            return self.view is not None
        self.built = True
        self._missing = opengl_missing()
        if self._missing:
            text = f"The 3D view needs {self._missing}; every other view works."
            self._say(text)
            # the header's line is cut at a 1280-px screen ("The 3D view needs PyOpenGL (pip install"): the
            # whole of it, wrapped and selectable (the command can be copied), fills the empty tab
            self.notice = QLabel(text)
            self.notice.setObjectName("surface3d_missing")
            self.notice.setWordWrap(True)
            self.notice.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.notice.setTextFormat(Qt.TextFormat.PlainText)
            self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.notice.setMargin(24)
            self.column.takeAt(1)  # the stretch
            self.column.addWidget(self.notice, 1)
            self.notice.show()  # now, not at the next turn of the event loop
            self.log_height.setEnabled(False)  # nothing to lift: say why, where the pointer asks
            self.log_height.setToolTip(f"Not available here: {text}")
            return False
        import pyqtgraph.opengl as gl  # imported only where OpenGL works
        from OpenGL import GL

        from .gl_canvas import GLCanvas

        self.gl = gl
        self.canvas = GLCanvas()  # the scene is drawn off screen: the window stays a raster window
        self.canvas.setObjectName("surface3d_view")
        self.view = self.canvas.scene
        self.view.setCameraPosition(distance=3.2, elevation=28, azimuth=-60)
        self.surface = gl.GLSurfacePlotItem(smooth=True, drawEdges=False)
        self.surface.hide()  # an empty mesh cannot be painted (pyqtgraph fails on it): shown with its first grid
        self.view.addItem(self.surface)
        self.currents = gl.GLScatterPlotItem(size=11, pxMode=True)
        self.minima = gl.GLScatterPlotItem(size=16, pxMode=True, color=_rgba(MINIMUM_COLOR))
        on_top = {GL.GL_DEPTH_TEST: False, GL.GL_BLEND: True,  # markers sit on the surface: never half hidden by it
                  "glBlendFunc": (GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA)}
        for item in (self.currents, self.minima):
            item.setGLOptions(on_top)
            self.view.addItem(item)
        self.axis_names = (gl.GLTextItem(alignment=Qt.AlignmentFlag.AlignCenter),  # there are no axes: the
                           gl.GLTextItem(alignment=Qt.AlignmentFlag.AlignCenter))  # names say which way is which
        for item in self.axis_names:
            self.view.addItem(item)
        self.worker = SurfaceWorker(self)
        self.worker.ready.connect(self._grid_ready)
        self._restyle()
        self.column.takeAt(1)  # the stretch held its place (last: adding the widget shows it, and may draw)
        self.export_button.show()
        self.column.addWidget(self.canvas, 1)
        self.canvas.show()  # now, not at the next turn of the event loop (as a widget added to a layout would):
        self.column.activate()  # a frame recorded right away shows it at its size
        return True

    def picture(self) -> Picture:
        """What Export saves: the scene as drawn, at the chosen resolution (PNG only), under :meth:`runs_legend`."""
        return Picture(self.title, self.canvas, legend=self.runs_legend())

    def runs_legend(self) -> str:
        """A legend naming each run whose path the scene draws, for a picture: the tab has no legend row (the
        other views' legends say which colour is which, and a picture leaves them behind)."""
        return legend_html([(run.color, run.name) for run in self.drawn_runs()])[0]

    def drawn_runs(self) -> list:
        """The runs whose paths the surface shows: the visible ones on the selected run's problem."""
        key = self.model.selected.problem_key
        return [run for run in self.model.runs if run.visible and run.problem_key == key]

    def _say(self, text: str) -> None:
        """One line above the view (ending in "…" where the tab is too narrow for it; the tooltip holds it whole)."""
        self.info.setText(text)

    def missing(self) -> str:
        """What the view lacks to draw here, as the end of "... needs " ("" when it draws); makes the OpenGL
        widget if it was not made yet."""
        self.build()
        return self._missing

    def stop(self) -> None:
        """Stop a surface still being computed (the window is closing: nobody will see it)."""
        if self.view is not None:
            self.worker.stop()

    def catch_up(self) -> None:
        """Take in a surface still being computed and draw it now (before a picture is taken)."""
        if self.view is not None and self.isVisible():
            self.worker.settle()
            if self._stale:
                self.rebuild()
            self.canvas.catch_up()

    def _drawable(self) -> bool:
        """Whether to draw now; a hidden tab only remembers that it must rebuild when shown."""
        if self.view is None or not self.isVisible():
            self._stale = True
            return False
        return True

    def _restyle(self) -> None:
        if self.view is not None:
            self.view.setBackgroundColor(theme().color("base"))
            for item in self.axis_names:
                item.setData(color=theme().color("text"), font=self.font())

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
        if not self._drawable():
            return
        self._stale = False
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
        self._say(f"computing the loss over {names[i]} and {names[j]}…")
        self.worker.submit(key, lambda cancelled: loss_grid(problem, (x0, x1), (y0, y1), resolution, pair=(i, j),
                                                            anchor=anchor, cancelled=cancelled))

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
        self._say(f"computing the loss on the plane of {run.name}'s path…")
        self.worker.submit(key, lambda cancelled: plane_grid(problem, plane, a_range, b_range, resolution, cancelled))

    def _grid_ready(self, key, result) -> None:
        if isinstance(result, Exception):
            self._say(f"could not compute the surface: {result}")
            return
        self._grid = (key, *result)
        names = self.model.selected.trainer.problem.param_names
        i, j = self.pair()
        other = ", the others at the selected run's values" if self.model.selected.trainer.problem.n_params > 2 else ""
        shown = (f"the plane of {self.model.selected.name}'s path (its two principal directions), the paths "
                 "projected onto it" if self.plane_mode else f"{names[i]} and {names[j]}{other}")
        self._say(f"loss over {shown} - drag to rotate, wheel to zoom")
        self.redraw()

    def heights(self, loss) -> np.ndarray:
        """The height of a loss value in this view (the grid's range, log or linear)."""
        _, _, _, Z = self._grid
        finite = Z[np.isfinite(Z)]
        low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
        return surface_heights(loss, low, high, self.log_height.isChecked(), HEIGHT)

    def redraw(self) -> None:
        if not self._drawable() or self._grid is None:
            return
        if self.plane_mode and len(self.model.selected.history.params) >= 2 * max(self._plane_rows, 1):
            self._fit_plane()  # the path outgrew its plane (doubling: a few refits a run), as the parameter space
            return
        _, xs, ys, Z = self._grid
        if self._meshed != (self._grid, self.log_height.isChecked()):  # a new mesh costs its normals: ~50 ms
            self._meshed = (self._grid, self.log_height.isChecked())
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
        runs = self.drawn_runs()
        for key in set(self.paths) - {id(run) for run in runs}:
            self.view.removeItem(self.paths.pop(key))
        currents, colors = [], []
        centre = np.array([(xs[0] + xs[-1]) / 2, (ys[0] + ys[-1]) / 2, HEIGHT / 2])
        half_widths = np.array([max(xs[-1] - xs[0], 1e-12) / 2, max(ys[-1] - ys[0], 1e-12) / 2, HEIGHT / 2])
        for run in runs:
            history = run.history
            points = within_reach(np.column_stack([self.to_plot(history.params),
                                                   self.heights(history.at_param_steps("loss"))]), centre, half_widths)
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
        names = ("first direction", "second direction") if self.plane_mode else \
            (problem.param_names[i], problem.param_names[j])
        self.axis_names[0].setData(text=names[0], pos=((xs[0] + xs[-1]) / 2, ys[0], 0.0))  # along the front edges
        self.axis_names[1].setData(text=names[1], pos=(xs[-1], (ys[0] + ys[-1]) / 2, 0.0))
        for item in [self.surface, self.currents, self.minima, *self.axis_names, *self.paths.values()]:
            item.setTransform(box)
