"""Room at 1280x720: a hover read-out has the room its text needs, its coming and going moves no plot, and it goes
(with the hover marker) when the pointer leaves the plot; the optimizer state's plots are readable under a lesson."""

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF
from PySide6.QtWidgets import QApplication

from .conftest import counted, lesson_view, shown_window
from .test_classroom_window import hover


def _hover_middle(view) -> None:
    rect = view.plot.viewport().rect()
    hover(view.plot.viewport(), QPoint(rect.width() // 2, rect.height() // 2))


def _leave(view) -> None:
    QApplication.sendEvent(view.plot, QEvent(QEvent.Type.Leave))  # what Qt sends when the pointer goes elsewhere
    QApplication.processEvents()


def _fits(label) -> bool:
    """The label shows its whole text: its box is as tall as the text, wrapped at its width, needs."""
    return label.width() >= 200 and label.heightForWidth(label.width()) <= label.height()


def test_the_loss_read_out_floats_over_the_plot_and_never_moves_it(qtbot):
    # a classifier with a validation split, one sample a step: the longest read-out there is
    win = shown_window(qtbot, "25_small_batch_generalization", (1280, 720))
    view = win.loss_view
    win.model.step(30)
    QApplication.processEvents()
    plot_before = view.plot.geometry()
    # no row is kept for it: the plot has the view's height but the header's and the legend's (it had 104 of
    # 192 px in lesson 16 at 1280x720 with a reserved three-line row)
    assert plot_before.height() >= view.height() - view.legend.height() - 40
    _hover_middle(view)
    text = view.readout.text()
    assert "batch" in text and "validation" in text and "accuracy" in text
    assert text.startswith(f"{win.model.selected.name}: step ")  # whose numbers, of the two curves
    assert view.readout.isVisible() and _fits(view.readout), (view.readout.width(), view.readout.height(), text)
    vb = view.plot.getPlotItem().vb
    area = view.plot.mapFromScene(vb.sceneBoundingRect()).boundingRect()
    area.translate(view.plot.viewport().mapTo(view, QPoint(0, 0)))  # (the read-out is the view's)
    assert area.contains(view.readout.geometry())  # over the data area, not the axes
    assert view.plot.geometry() == plot_before
    _leave(view)
    assert not view.readout.isVisible() and not view.hover.data.size  # the numbers and the marker go with the pointer
    assert view.plot.geometry() == plot_before
    win.runner.pause()


def test_a_floating_read_out_keeps_the_point_it_reads_in_sight(qtbot):
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QWidget

    from app.widgets import FloatingReadout

    plot = QWidget()
    qtbot.addWidget(plot)
    readout = FloatingReadout("readout", plot)
    area = QRect(40, 10, 300, 200)
    readout.show_over("step 12 · loss 0.5", area, point_y=180)  # a point low in the plot: the text on top
    assert readout.geometry().top() == area.top() + readout.MARGIN
    readout.show_over("step 12 · loss 0.5", area, point_y=20)  # a point high up: the text along the bottom
    assert readout.geometry().bottom() == area.bottom() - readout.MARGIN
    assert not readout.geometry().contains(readout.geometry().left(), 20)
    # taller than half the area (Large text): along an edge of the larger room, at its width, where that leaves
    # the point in sight (the data area's top edge hid the whole loss curve of lesson 25 at 1280x720)
    short, room, tall = QRect(40, 60, 300, 60), QRect(0, 0, 340, 200), "step 12\nloss 0.5\nbatch 0.4\naccuracy 1"
    readout.setText(tall)
    assert readout.heightForWidth(room.width()) > short.height() // 2
    for point_y in (65, 90, 115):
        readout.show_over(tall, short, point_y, room)
        place = readout.geometry()
        assert place.width() == room.width() - 2 * readout.MARGIN and room.contains(place)
        assert not place.top() - readout.CLEAR <= point_y <= place.bottom() + readout.CLEAR, point_y
    readout.show_over("", area, point_y=20)
    assert readout.isHidden()


def test_a_hover_move_over_the_same_step_sets_and_lays_out_nothing_again(qtbot, monkeypatch):
    """A hover move costs what changed: over the step already read nothing is set, styled or laid out again, and
    a text read before keeps its wrapped height (each move restyled the read-out and laid its text out twice, and
    set the marker: 180-280 us a move, 37-104 before the read-out floated)."""
    from app.views.loss_curve import LossCurveView

    model, view = lesson_view(qtbot, "25", LossCurveView, (700, 360))
    model.step(30)
    view.refresh()
    readout, calls = view.readout, []
    for method in ("setPalette", "heightForWidth", "setGeometry", "raise_"):
        monkeypatch.setattr(readout, method, counted(getattr(readout, method), (method,), calls))
    monkeypatch.setattr(view.hover, "setData", counted(view.hover.setData, ("marker",), calls))
    vb, x = view.plot.getPlotItem().vb, model.selected.history.column(model.view["x_axis"])

    def move(row: int) -> None:  # to the selected run's row, half-way up the plot
        view.plot.scene().sigMouseMoved.emit(vb.mapViewToScene(QPointF(x[row], np.mean(vb.viewRange()[1]))))

    move(20)
    text, place = readout.text(), readout.geometry()
    assert text.startswith(f"{model.selected.name}: step ") and readout.isVisible() and calls
    calls.clear()
    move(20)
    move(20)
    assert not calls and readout.text() == text and readout.geometry() == place
    move(10)  # another step, and back
    assert readout.text() != text and [call[0] for call in calls].count("heightForWidth") == 1
    calls.clear()
    move(20)
    assert readout.text() == text and readout.geometry() == place
    assert {call[0] for call in calls} <= {"marker", "setGeometry"}  # its height remembered, not restyled


def test_the_parameter_space_read_out_goes_when_the_pointer_leaves(qtbot):
    win = shown_window(qtbot, "08_himmelblau_starts", (1280, 720))
    view = win.space_view
    _hover_middle(view)
    assert view.readout.text().startswith("x = ") and _fits(view.readout)
    _leave(view)
    assert view.readout.text() == view.status  # back to what the surface shows


def test_the_optimizer_state_is_readable_under_a_lesson(qtbot):
    win = shown_window(qtbot, "06_adaptive_rosenbrock", (1280, 720))
    lesson_before = win.lesson_dock.height()
    win.state_dock.raise_()  # the student chooses its tab
    qtbot.waitUntil(lambda: len(win.state_plot.plots) == 4, timeout=3000)
    plots = win.state_plot.plots.values()
    # the dock had 153 px for a legend and four plots (pyqtgraph's layout spacing rounds a pixel or two away)
    qtbot.waitUntil(lambda: win.state_plot.height() >= win.state_plot.readable_height() - 16, timeout=3000)
    qtbot.waitUntil(lambda: min(plot.vb.height() for plot in plots) >= 40, timeout=3000)
    assert win.lesson_dock.height() >= 100 < lesson_before  # the room came from the lesson, which keeps some
    heights = (win.lesson_dock.height(), win.state_dock.height())
    # the update rule back in front: the lesson gets back the room the plots took (it kept its text squeezed to
    # two lines, as the results below the plots did not), and the optimizer state, chosen again, the same room
    win.formula_dock.raise_()
    qtbot.waitUntil(lambda: win.lesson_dock.height() >= lesson_before - 4, timeout=3000)
    win.state_dock.raise_()
    qtbot.waitUntil(lambda: (win.lesson_dock.height(), win.state_dock.height()) == heights, timeout=3000)


def in_front(dock) -> bool:
    return not dock.visibleRegion().isEmpty()


def test_a_tracked_view_in_front_is_readable_and_leaves_the_lesson_its_room(qtbot):
    # lesson 17 brings the noise scale to the front: at 1280x720 its plot was ~45 px under the lesson, and then,
    # given room there, the lesson text kept ~120 px; below the plots it is as wide as they are
    win = shown_window(qtbot, "17_how_big_a_batch", (1280, 720))
    view = win.noise_scale_view
    qtbot.waitUntil(lambda: view.height() >= view.readable_height(), timeout=3000)
    assert view.plot.getViewBox().height() >= 90 and view.plot.getViewBox().width() >= 600
    assert win.lesson_panel.text.height() >= 250  # the lesson keeps its room
    grown = win.noise_scale_dock.height()
    # the plots tabbed with the results ask for no height of their own: the strip's least height is the table's
    assert win.noise_scale_dock.minimumSizeHint().height() <= win.results_dock.minimumSizeHint().height()
    win.results_dock.raise_()  # the results back in front: the plots above get their room back
    qtbot.waitUntil(lambda: win.results_dock.height() < grown - 40, timeout=3000)
    win.noise_scale_dock.raise_()  # and the plot its room again
    qtbot.waitUntil(lambda: view.height() >= view.readable_height(), timeout=3000)
    # a lesson that measures nothing (the results in front), and the student picks the sharpness tab: the same
    win.files.open_lesson("06_adaptive_rosenbrock")
    qtbot.waitUntil(lambda: in_front(win.results_dock), timeout=3000)
    win.sharpness_dock.raise_()
    view = win.sharpness_view
    qtbot.waitUntil(lambda: view.height() >= view.readable_height(), timeout=3000)


def test_a_status_longer_than_the_read_out_rows_room_ends_in_an_ellipsis_at_a_word(qtbot):
    """The parameter space's row is as tall as a hover read-out needs; a longer status ("plane of Adam's path:
    its two principal directions (98% ...", lesson 11 at 1280x720) was cut mid-word with nothing to say so."""
    from PySide6.QtWidgets import QLabel

    from app.widgets import ReadoutLabel

    label = ReadoutLabel("readout")
    qtbot.addWidget(label)
    label.resize(220, 10)
    label.reserve("x = -8.889e-88, y = -8.889e-88")
    long = "plane of Adam's path: its two principal directions (98% of its variance), through its last point"
    label.setText(long)
    shown = QLabel.text(label)
    assert label.text() == long and shown.endswith("…") and long.startswith(shown[:-1])
    assert long[len(shown) - 1] == " " and label.heightForWidth(label.width()) <= label.height()
    label.setText("x = 1, y = 2")  # a text that fits is shown whole
    assert QLabel.text(label) == "x = 1, y = 2"


def test_the_hover_marker_moves_no_axis(qtbot):
    """The plot stays where it is under the pointer: the marker on the curve's highest point (the start) took part in
    the auto-range, and its symbol widened the range by a few pixels - the plot moved as the pointer reached it."""
    from app.views.loss_curve import LossCurveView

    model, view = lesson_view(qtbot, "25", LossCurveView, (700, 360))
    model.step(30)
    view.refresh()
    vb, x = view.plot.getPlotItem().vb, model.selected.history.column(model.view["x_axis"])
    before = vb.viewRange()
    for row in (0, 30, 15):  # the start (the highest loss), the latest step (the right edge), one between
        view.plot.scene().sigMouseMoved.emit(vb.mapViewToScene(QPointF(x[row], np.mean(before[1]))))
        vb.updateAutoRange()
        assert len(view.hover.getData()[0]) == 1 and vb.viewRange() == before, row


def test_the_read_out_writes_counts_as_the_status_bar_does():
    from app.views.loss_curve import readout_text

    nan = float("nan")
    assert readout_text(1438, 1438.0, 0.44663, nan, 0.13643, nan, nan) \
        == "step 1,438 · epoch 1,438 · loss 0.44663 · validation 0.13643"  # it read "epoch 1.44e+03"


def test_on_an_axis_of_evaluations_the_read_out_names_them(qtbot):
    """Lessons 19 and 22 draw the loss against evaluations and ask how many a run spends before its loss is below
    a level; the read-out named only the step and the loss ("L-BFGS: step 3 · loss 3.9"), so the pointer on the
    curve could not answer them."""
    import re

    from app.views.loss_curve import LossCurveView

    model, view = lesson_view(qtbot, "22_second_order_per_evaluation", LossCurveView, (600, 400))
    assert model.view["x_axis"] == "evaluations" and model.selected.name == "L-BFGS"
    model.step(5)
    view.refresh()
    QApplication.processEvents()
    _hover_middle(view)
    found = re.search(r"step (\d+) · evaluations (\d+) · loss", view.readout.text())
    assert found, view.readout.text()
    history = model.selected.history
    step, evaluations = (int(n) for n in found.groups())
    assert evaluations == history.evaluations[history.step == step][0] > step  # a step of L-BFGS spends several


def test_the_read_out_names_the_count_of_its_axis():
    from app.views.loss_curve import readout_text

    nan = float("nan")
    assert readout_text(46, nan, 2.4674e-10, nan, nan, nan, nan, ("evaluations", 131.0)) \
        == "step 46 · evaluations 131 · loss 2.4674e-10"
    assert readout_text(3, 3.0, 0.5, nan, nan, nan, nan, ("samples", 1200.0)) \
        == "step 3 · epoch 3 · samples 1,200 · loss 0.5"
    assert readout_text(3, nan, 0.5, nan, nan, nan, nan, ("evaluations", nan)) == "step 3 · loss 0.5"
