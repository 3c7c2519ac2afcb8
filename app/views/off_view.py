"""Runs whose current point lies outside a plot's view: a small arrow in the run's colour (the legend names it)
on the view's edge, pointing toward it.

The view does not follow the runs (a plot that reframes itself while a student points at it is a bug), yet no
run leaves the picture unnoticed: lesson 23's degree-9 path, say, leaves the slice's frame within a few steps.
View > Zoom to paths frames them all. The arrows sit ``MARGIN`` pixels inside the edge, on the line from the view's
centre to the point (so an arrow's place along the edge says where the point lies), and follow pans and zooms.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt

from ..theme import theme

MARGIN = 7  # px between an arrow's tip and the view's edge
HEAD = 13  # px, the arrow's length


class OffViewArrows:
    """The arrows of one plot: :meth:`show` the runs' current points (x, y, colour) after each redraw."""

    def __init__(self, plot: pg.PlotItem, outline):
        self.plot, self.outline = plot, outline
        self.arrows: list[pg.ArrowItem] = []
        self._targets: list[tuple[float, float, object]] = []
        plot.getViewBox().sigRangeChanged.connect(self._place)
        plot.getViewBox().sigResized.connect(self._place)

    def show(self, targets: list[tuple[float, float, object]]) -> None:
        """Point at each target (x, y, colour) outside the view; a non-finite one gets no arrow."""
        if targets != self._targets:
            self._targets = list(targets)
            self._place()

    def shown(self) -> list[pg.ArrowItem]:
        """The arrows on the plot now (one per run outside the view)."""
        return [arrow for arrow in self.arrows if arrow.isVisible()]

    def _arrow(self, index: int) -> pg.ArrowItem:
        while len(self.arrows) <= index:
            arrow = pg.ArrowItem(headLen=HEAD, tipAngle=40, tailLen=0)
            arrow.setZValue(30)  # above paths, markers and overlays
            arrow.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # clicks and drags go to the plot
            self.plot.addItem(arrow, ignoreBounds=True)
            self.arrows.append(arrow)
        return self.arrows[index]

    def _place(self, *_) -> None:
        view = self.plot.getViewBox()
        # Python floats: an overflow is inf, never a numpy warning (points may lie near the float limit)
        (x0, x1), (y0, y1) = ([float(v) for v in pair] for pair in view.viewRange())
        px, py = (float(size) for size in view.viewPixelSize())
        used = 0
        if px > 0 and py > 0:
            cx, cy = x0 / 2 + x1 / 2, y0 / 2 + y1 / 2  # halves: a range near the float limit has a finite centre
            half_x, half_y = (x1 - x0) / (2 * px) - MARGIN, (y1 - y0) / (2 * py) - MARGIN  # in pixels
            for x, y, color in self._targets:
                if not (math.isfinite(x) and math.isfinite(y)) or (x0 <= x <= x1 and y0 <= y <= y1):
                    continue
                # toward the point, in pixels (y up), scaled by its larger offset: a point near the float limit
                # (a start of 1e308) has a finite direction
                dx, dy = x / 2 - cx / 2, y / 2 - cy / 2
                scale = max(abs(dx), abs(dy)) or 1.0
                ux, uy = dx / scale / px, dy / scale / py
                t = max(0.0, min(half_x / abs(ux) if ux else math.inf, half_y / abs(uy) if uy else math.inf))
                tip = (cx + t * ux * px, cy + t * uy * py)
                if not (math.isfinite(tip[0]) and math.isfinite(tip[1])):
                    continue  # a view whose pixel size is not yet that of its range: placed again when it is
                arrow = self._arrow(used)
                used += 1
                # the tip on the edge; ArrowItem's angle 0 points left and turns clockwise on screen (y down)
                arrow.setStyle(angle=math.degrees(math.atan2(-uy, ux)) - 180, brush=pg.mkBrush(color),
                               pen=theme().pen(self.outline, 1))
                arrow.setPos(*tip)
                arrow.setVisible(True)
        for arrow in self.arrows[used:]:
            arrow.setVisible(False)
