"""The loss plot on a log axis: a run whose loss reached 0 stays in sight on the plot's floor, and a plot with
nothing to draw shows a fresh frame, not the range of the curves that are gone."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from app.views.loss_curve import LossCurveView

from .conftest import counted, lesson_view


@pytest.fixture
def lesson_18(qtbot):
    """Lesson 18's loss plot, trained to the end, on a log axis: Newton reaches a loss of exactly 0 at step 1 on
    the quadratic, at step ~5 on Rosenbrock; gradient descent stays above 0.1."""
    model, view = lesson_view(qtbot, "18", LossCurveView, (400, 320))
    model.step(300)
    model.set_view("log_y", True)
    return model, view


def test_a_loss_that_reached_0_is_drawn_on_the_log_axis_floor_marked_and_read_as_0(lesson_18):
    model, view = lesson_18
    newton, descent = model.runs[0], model.runs[1]
    assert newton.history.loss[1] == 0 and descent.history.loss[-1] > 0.1
    _, full, _, zero, _ = view._items[id(newton)]
    x, y = full.getData()
    floor = view.floor
    drawn = np.concatenate([item.getData()[1] for run in model.runs for item in view._items[id(run)][1:2]])
    assert floor is not None and floor <= np.nanmin(drawn) and floor + 1 <= np.nanmin(drawn[drawn > floor])
    np.testing.assert_array_equal(y[1:], floor)  # every step from the first at 0, on the floor: the curve shows
    assert zero.data["x"].tolist() == [1.0] and zero.data["y"].tolist() == [floor]  # where it got there
    assert "Newton, quadratic (reached 0)" in view.legend.text()
    assert "GD 0.0199, quadratic (" not in view.legend.text()
    axis = view.plot.getPlotItem().getAxis("left")
    low, high = view.plot.getPlotItem().vb.viewRange()[1]
    levels = axis.tickValues(low, high, axis.height())
    values = [v for _, level in levels for v in level]
    assert floor in values and not any(floor < v < floor + 1 for v in values)  # no tick reads as 10^floor
    assert axis.tickStrings([floor], 1, 1) == ["0"]
    vb = view.plot.getPlotItem().vb
    view._hovered(vb.mapViewToScene(QPointF(100, 0)))
    assert "loss 0" in view.readout.text()
    assert view.hover.data["y"].tolist() == [floor]
    model.set_view("log_y", False)  # on a linear axis 0 is a value like any other
    _, full, _, zero, _ = view._items[id(newton)]
    assert view.floor is None and "reached 0" not in view.legend.text() and not len(zero.data)
    assert full.getData()[1][-1] == 0


def test_the_reached_0_marks_are_set_only_when_they_change(lesson_18, monkeypatch):
    """A frame that moves no mark sets none (every frame set every run's mark or cleared it: 0.37 -> 0.71 ms a
    frame in lesson 18)."""
    model, view = lesson_18
    calls = []
    for run in model.runs:
        zero = view._items[id(run)][3]
        for method in ("setData", "clear"):
            monkeypatch.setattr(zero, method, counted(getattr(zero, method), (run.name, method), calls))
    for _ in range(3):
        view.refresh()  # every run redrawn
    assert not calls
    zero = view._items[id(model.runs[0])][3]
    assert zero.data["x"].tolist() == [1.0] and zero.data["y"].tolist() == [view.floor]  # still drawn


def test_with_no_visible_run_the_log_plot_frames_an_empty_decade_range_and_recovers(lesson_18, qtbot):
    model, view = lesson_18
    vb = view.plot.getPlotItem().vb
    for run in model.runs:
        model.set_visible(run, False)
    qtbot.waitUntil(lambda: -1.5 < vb.viewRange()[1][0] <= -1 and 1 <= vb.viewRange()[1][1] < 1.5, timeout=1000)
    assert -0.5 < vb.viewRange()[0][0] <= 0 and 1 <= vb.viewRange()[0][1] < 1.5
    descent = model.runs[1]
    model.set_visible(descent, True)
    y = np.log10(descent.history.loss)
    qtbot.waitUntil(lambda: vb.viewRange()[1][0] <= y.min() and y.max() <= vb.viewRange()[1][1] < y.max() + 1,
                    timeout=1000)
    assert vb.viewRange()[0][1] >= 300


def test_a_loss_near_the_end_of_the_float_range_is_framed_on_a_linear_axis(qtbot):
    """A start where the loss is 9.2e307: pyqtgraph's range sums its ends, which overflowed - 'Cannot set range
    [-inf, inf]' on every redraw. The curve is drawn within ±DRAWN_LIMIT; the read-out says the loss itself."""
    from gd_core.display import DRAWN_LIMIT

    model, view = lesson_view(qtbot, "01", LossCurveView, (400, 320))  # linear regression
    model.set_view("log_y", False)
    run = model.runs[0]
    for other in model.runs[1:]:  # its one point alone: a range of none, padded about it
        model.set_visible(other, False)
    model.update_config(run, {**model.config_copy(run), "init": [1e154, 0.0]})
    assert run.history.loss[0] == pytest.approx(9.24e307, rel=0.01)
    vb = view.plot.getPlotItem().vb
    vb.prepareForPaint()
    assert view._items[id(run)][1].getData()[1].max() == DRAWN_LIMIT and vb.viewRange()[1][1] >= DRAWN_LIMIT
