"""What a student met walking lessons 01-12 and 19-25 in a real window (1366x768 and 1280x720, light and dark):
each test repeats the steps that showed the fault."""

import re

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from app.views.loss_curve import LossCurveView
from gd_core.lesson_library import load_lesson

from .conftest import lesson_view, shown_window
from .test_classroom_window import hover


def test_a_zoom_into_the_loss_plot_does_not_follow_the_student_to_the_next_lesson_or_axis(qtbot):
    """Zoomed into lesson 23's loss plot (steps 150-730), lesson 24 opened on the same range - its curves cut to a
    corner; and a zoom kept across a switch from steps to evaluations frames nothing that axis draws."""
    model, view = lesson_view(qtbot, "23_overfitting_early_stopping", LossCurveView, (600, 400))
    model.step(300)
    view.refresh()
    vb = view.plot.getPlotItem().vb
    vb.setRange(xRange=(150, 730), yRange=(-0.8, -0.2), padding=0)  # what the wheel does: its own range
    assert not any(vb.autoRangeEnabled())
    model.load_session(load_lesson("24_weight_decay_overfitting"))
    QApplication.processEvents()
    assert vb.autoRangeEnabled()[0] and vb.autoRangeEnabled()[1]
    model.step(100)
    view.refresh()
    vb.updateAutoRange()
    assert vb.viewRange()[0][0] < 1 and vb.viewRange()[0][1] >= 100  # the lesson's own steps, from the start
    vb.setRange(xRange=(40, 60), padding=0)
    model.set_view("x_axis", "evaluations")
    assert vb.autoRangeEnabled()[0]


def test_file_export_offers_the_accuracy_plot_as_it_offers_the_sharpness_and_the_noise_scale(qtbot):
    """Lesson 25's point is in its Accuracy tab, which has an export button of its own; File > Export listed
    the sharpness and the noise scale but not it (nor Copy ... to clipboard)."""
    win = shown_window(qtbot, "25_small_batch_generalization", (1366, 768))
    export = next(a for a in win.files.file_menu.actions() if a.text() == "&Export").menu()
    texts = [a.text() for a in export.actions()]
    assert "Accuracy as PNG or SVG..." in texts and "Copy accuracy to clipboard" in texts
    win.model.step(3)
    QApplication.processEvents()
    picture = win.files._picture("accuracy_view")
    assert picture is not None and picture.item is win.accuracy_view.plot.getPlotItem(), picture.title


def test_file_export_of_the_accuracy_of_no_classifier_says_there_is_none(qtbot):
    """The default window's run is a regression, which has no accuracy: File > Export > Accuracy (and Copy accuracy
    to clipboard) asked for a file and wrote an empty plot, unsaid - as the data view of a function says why not."""
    win = shown_window(qtbot, None, (1366, 768))
    assert not win.model.selected.trainer.problem.can("accuracy")
    assert win.files._picture("accuracy_view") is None
    assert "Not exported: only classifiers" in win.banner.text()


def test_lesson_25s_held_out_accuracy_at_the_end_is_in_the_loss_read_out_at_the_curves_right_end(qtbot):
    """Lesson 25 asks how many of the 30 held-out samples each run gets right at the end; batch 1's accuracies
    jump from step to step into a band in the Accuracy tab, where its last one cannot be read. The lesson points
    at the loss read-out: at the right end of the curve it gives the last step's, 26 of 30."""
    model, view = lesson_view(qtbot, "25_small_batch_generalization", LossCurveView, (600, 400))
    assert model.selected.name == "batch 1"
    while model.step(1000):
        pass
    view.refresh()
    QApplication.processEvents()
    rect = view.plot.viewport().rect()
    hover(view.plot.viewport(), QPoint(rect.right() - 3, rect.height() // 2))
    found = re.search(r"step ([\d,]+) .* \(validation ([\d.]+)%\)", view.readout.text())
    assert found, view.readout.text()
    assert found.group(1) == "7,000" and found.group(2) == f"{100 * 26 / 30:.1f}"


def test_lesson_25s_accuracy_tab_draws_each_runs_epoch_means_over_a_band_of_its_steps(qtbot):
    """At batch size 1 the accuracies jump from step to step (one sample moves the boundary): every third of
    batch 1's 7,000 steps drawn as a line made one orange band from 0.75 to 0.9, in which its training and its
    held-out accuracy - and the full batch's lines - could not be told apart. A run of several steps an epoch is
    now drawn as its mean over each epoch (101 points) over a light band of the steps; a run of one step an
    epoch as before, with no band."""
    import numpy as np

    from app.views.accuracy import BAND_KEYS, AccuracyView
    from gd_core.display import epoch_means

    model, view = lesson_view(qtbot, "25_small_batch_generalization", AccuracyView, (900, 300))
    while model.step(1000):
        pass
    one, full = model.runs
    model.select(full)
    while model.step(1000):
        pass
    view.refresh()
    assert all(key in view.legend.text() for key, _ in BAND_KEYS)
    train, held, *bands = view._items[id(one)]
    (x, y), (_, y_held) = train.getData(), held.getData()
    assert list(x) == list(range(101))
    np.testing.assert_array_equal(y, epoch_means(one.history.epoch, one.history.accuracy)[1])
    assert y[-10:].mean() - y_held[-10:].mean() > 0.03  # training above held-out at the end: two lines apart
    assert all(band.high.getData()[0] is not None and len(band.high.getData()[0]) > 100 for band in bands)
    train, held, *bands = view._items[id(full)]
    np.testing.assert_array_equal(train.getData()[1][:101], full.history.accuracy)  # one step an epoch: the steps
    assert all(band.low.getData()[0] is None or len(band.low.getData()[0]) == 0 for band in bands)


def test_an_open_sweep_window_frames_the_run_selected_now(qtbot):
    """Opened in lesson 16 (its run at lr 0.02), the learning-rate sweep stayed open over lesson 21: its dashed line
    still marked 0.02, not the selected RAdam run's 0.3, and its map's rows were the other data's batch sizes. Until
    a sweep is computed, the empty window frames whichever run is selected, in whichever lesson."""
    import numpy as np

    from app.session import SessionModel
    from app.views.sweep import SweepWindow

    model = SessionModel()
    model.load_session(load_lesson("19_line_search"))
    sweep = SweepWindow(model)
    qtbot.addWidget(sweep)
    sweep.show()
    assert sweep.lr_line.value() == np.log10(1.0)  # "line search from 1"
    model.select(model.runs[4])  # fixed 0.21
    assert sweep.lr_line.value() == np.log10(0.21)
    model.load_session(load_lesson("21_adam_radam_warmup"))  # RAdam 0.3 selected
    assert sweep.lr_line.value() == np.log10(0.3)
    ticks = sweep.heat.getPlotItem().getAxis("left")._tickLevels[0]
    assert [label for _, label in ticks][-1] == "200"  # the spiral's 200 samples, not a function's none


@pytest.mark.parametrize("size", [(1280, 720), (1366, 768)])
def test_lesson_21s_update_rule_shows_rho_and_r_whole_beside_the_lesson(qtbot, size):
    """Lesson 21 asks to read ρₜ and rₜ in the Update rule tab. At 1280x720 its RAdam table's row names ("step
    size γ·rₜ·√(1−β₂ᵗ)/(√v+ε)", 31 characters) took ~220 px of the ~270 px table: ρₜ's number was cut at the
    tab's edge (373 of 373.3) and the min and max columns were off to the side. Where names and numbers do not
    fit side by side, each name is a row of its own above its numbers: every name whole in view, every number
    whole in its cell, the first column's (ρₜ's, rₜ's) in view; where the columns fit the tab (3 or 4 digits),
    nothing scrolls sideways."""
    win = shown_window(qtbot, "21_adam_radam_warmup", size)
    win.formula_dock.raise_()
    win.model.select(win.model.runs[1])
    assert win.model.selected.name == "RAdam 0.3"
    for _ in range(6):
        win.action_step.trigger()
    formula = win.formula
    formula.refresh()
    QApplication.processEvents()
    table = formula.table
    assert formula.stacked and "ρₜ" in formula.names() and "rₜ (rectification)" in formula.names()
    assert float(formula.cells("ρₜ")[0]) > 5 and 0 < float(formula.cells("rₜ (rectification)")[0]) < 1
    viewport = table.viewport().rect()
    fits = table.horizontalScrollBar().maximum() == 0
    for r in range(table.rowCount()):
        for c in range(table.columnCount()):
            item = table.item(r, c)
            if item is None or not item.text():
                continue
            cell = table.visualItemRect(item)
            drawn = table.fontMetrics().boundingRect(cell.adjusted(3, 0, -3, 0), Qt.TextFlag.TextWordWrap,
                                                     item.text())
            whole = drawn.width() <= cell.width() - 6 and drawn.height() <= cell.height()  # one line, or wrapped
            in_view = cell.left() >= 0 and cell.right() <= viewport.right()
            assert whole and (in_view or (not fits and r % 2 == 1 and c > 0)), (item.text(), cell, viewport)
    numbers = sum(table.fontMetrics().horizontalAdvance(text) + 8 for text in formula.cells("Δθ (update)"))
    if numbers <= viewport.width():  # three numbers fit the tab: nothing scrolls sideways
        assert fits
    win.runner.pause()
