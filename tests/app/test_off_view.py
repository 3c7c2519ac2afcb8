"""A run whose current point leaves the parameter space's view gets an arrow on the view's edge pointing at it;
the view itself does not move."""

import math
import warnings

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from .conftest import shown_window


@pytest.fixture
def lesson_23(qtbot):
    win = shown_window(qtbot, "23_overfitting_early_stopping", (1366, 768))
    yield win
    win.runner.pause()


def tip_on_screen(space, arrow):
    """The arrow's tip in the view box's pixels, and the direction it points (unit vector, y down)."""
    view = space.plot.getViewBox()
    tip = view.mapViewToDevice(arrow.pos())
    angle = math.radians(arrow.opts["angle"] + 180)  # ArrowItem: angle 0 points left, turning clockwise
    return tip, (math.cos(angle), math.sin(angle))


def test_a_run_outside_the_view_gets_an_arrow_on_the_edge_pointing_at_it(lesson_23, qtbot):
    model, space = lesson_23.model, lesson_23.space_view
    view = space.plot.getViewBox()
    assert space.off_view.shown() == []  # every run starts inside the frame
    frame = view.viewRange()
    model.step(3000)  # the degree-9 run leaves the slice's frame late (w2 grows past its top)
    qtbot.wait(50)
    assert view.viewRange() == frame  # the view stays where it was
    (x0, x1), (y0, y1) = frame
    outside = [run for run in space.runs_on_selected_problem()
               if not (x0 <= run.trainer.params[0] <= x1 and y0 <= run.trainer.params[1] <= y1)]
    arrows = space.off_view.shown()
    assert outside and len(arrows) == len(outside)
    box = view.mapViewToDevice(view.viewRect()).boundingRect()
    for run, arrow in zip(outside, arrows):
        tip, (dx, dy) = tip_on_screen(space, arrow)
        assert box.contains(tip)  # on the plot, a few pixels inside one of its edges
        assert min(tip.x() - box.left(), box.right() - tip.x(), tip.y() - box.top(), box.bottom() - tip.y()) < 10
        target = view.mapViewToDevice(QPointF(*run.trainer.params[:2]))
        to_target = (target.x() - tip.x(), target.y() - tip.y())
        norm = math.hypot(*to_target)
        assert (dx * to_target[0] + dy * to_target[1]) / norm > 0.95  # it points at the run's current point
        assert arrow.opts["brush"].color() == run.color
    space.frame_paths()  # View > Zoom to paths: every current point in view, no arrow left
    assert space.off_view.shown() == []



def test_lesson_23s_slice_is_framed_where_it_closes_and_stays_put(lesson_23, qtbot):
    """The degree-9 slice was framed on the problem's bounds around θ* (w1 ≤ 0.60, w2 ≤ 0.48): its own minimum -
    the bright end of its contours, at (2.2, 0.6) through the start - lay off its top-right corner, and so did
    the runs, which head there: after 300 steps every run of the problem was off the view, drawn as triangles on
    its edge. The frame takes in where the slice through each start closes; it is set before the runs move and
    stays while they train."""
    model, space = lesson_23.model, lesson_23.space_view
    space.worker.settle()
    qtbot.wait(20)
    view = space.plot.getViewBox()
    (x0, x1), (y0, y1) = frame = view.viewRange()
    xs, ys, Z = space._grid_loss
    row, column = np.unravel_index(np.argmin(Z), Z.shape)
    assert x0 < xs[column] < x1 and y0 < ys[row] < y1
    assert min(x1 - xs[column], y1 - ys[row]) > 0.05 * min(x1 - x0, y1 - y0)  # inside, not cut at the edge
    model.step(300)
    space.worker.settle()
    qtbot.wait(50)
    assert view.viewRange() == frame  # the view stays where it was
    assert space.off_view.shown() == []  # every run of the problem still in view


def test_a_point_near_the_float_limit_gets_its_arrow_without_overflow(window):
    """A run at (1.8e308, -1.8e308) (a start far out) while the student zooms into the bowl: the arrow points at
    it, bottom right, on the edge - its direction in pixels overflowed (a RuntimeWarning per redraw, no arrow)."""
    big = 1.7976931348623157e308
    model, space = window.model, window.space_view
    model.update_config(model.selected, {"problem": "quadratic", "init": [big, -big]})
    window.catch_up()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        space.plot.getViewBox().setRange(xRange=(-3, 3), yRange=(-3, 3))
        window.catch_up()
    arrows = space.off_view.shown()
    assert len(arrows) == 1
    tip, (dx, dy) = tip_on_screen(space, arrows[0])
    assert math.isfinite(tip.x()) and math.isfinite(tip.y())
    assert dx > 0.5 and dy > 0.5  # toward the bottom right (y down on screen)
