"""The window's behaviour: run, pause, step, reset, live edits, divergence, start-point clicks, labels."""

import math

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolBar

from app import create_window

from .conftest import double_click, panel


def action(win, name) -> QAction:
    found = win.findChild(QAction, name)
    assert found is not None, name
    return found


def test_window_opens_ready_to_run(window):
    assert window.windowTitle() == "GD Lab[*]"
    config = window.model.selected.config
    assert config["problem"] == "linear_regression" and config["variant"] == "minibatch"
    assert config["data"]["name"] == "linear"
    for name, key in (("action_run", "Space"), ("action_step", "S"), ("action_reset", "R"), ("action_quit", "Ctrl+Q")):
        assert action(window, name).shortcut().toString() == key


def test_space_runs_and_curves_grow_then_pause_stops_them(window, qtbot):
    QTest.keyClick(window, Qt.Key.Key_Space)
    assert window.runner.running
    trainer = window.model.selected.trainer
    qtbot.waitUntil(lambda: trainer.step >= 5, timeout=5000)
    full = window.loss_view._items[id(window.model.selected)][1]
    qtbot.waitUntil(lambda: len(full.getData()[0]) > 5, timeout=5000)
    QTest.keyClick(window, Qt.Key.Key_Space)
    assert not window.runner.running
    steps, redraws = trainer.step, window.loss_view.redraw_count
    qtbot.wait(200)
    assert trainer.step == steps and window.loss_view.redraw_count == redraws  # paused: no work, no repaint
    assert window.state_label.text() == "Paused"


def test_step_advances_exactly_one_update(window):
    trainer = window.model.selected.trainer
    for expected in (1, 2, 3):
        action(window, "action_step").trigger()
        assert trainer.step == expected and len(trainer.history) == expected + 1
    assert window.step_label.text() == "step 3"


def test_reset_restores_the_start(window, qtbot):
    start = window.model.selected.history.params[0].copy()
    window.model.step(25)
    action(window, "action_reset").trigger()
    trainer = window.model.selected.trainer
    assert trainer.step == 0 and len(trainer.history) == 1
    np.testing.assert_array_equal(trainer.params, start)
    path = window.space_view.paths[id(window.model.selected)]
    assert len(path.getData()[0]) == 1


def test_live_learning_rate_change_applies_to_the_next_step(window):
    window.model.step(5)
    lr_panel = panel(window, "LearningRatePanel")
    lr_panel.spin.setValue(0.2)
    trainer = window.model.selected.trainer
    assert trainer.step == 5  # not reset
    before = trainer.params.copy()
    action(window, "action_step").trigger()
    assert trainer.history.lr[-1] == 0.2 and trainer.history.lr[-2] == 0.05
    assert not np.array_equal(before, trainer.params)


def test_live_batch_size_and_variant_changes(window):
    window.model.step(3)
    variant = panel(window, "VariantPanel")
    variant.batch_size.setValue(50)
    assert variant.per_epoch.text().startswith("4 ")
    action(window, "action_step").trigger()
    history = window.model.selected.history
    assert history.samples_seen[-1] - history.samples_seen[-2] == 50 and window.model.selected.trainer.step == 4
    variant.buttons.button(0).click()  # batch
    assert window.model.selected.config["variant"] == "batch"
    assert variant.per_epoch.text().startswith("1 ")
    action(window, "action_step").trigger()
    assert history.samples_seen[-1] - history.samples_seen[-2] == 200


def test_steps_per_epoch_label(window):
    variant = panel(window, "VariantPanel")
    for k, expected in ((16, "13"), (1, "200"), (200, "1"), (64, "4")):
        variant.batch_size.setValue(k)
        assert variant.per_epoch.text().split()[0] == expected


def test_problem_change_resets_and_says_so(window):
    window.model.step(10)
    problem = panel(window, "ProblemPanel")
    problem.problem.setCurrentIndex(problem.problem.findData("rosenbrock"))
    problem.problem.activated.emit(problem.problem.currentIndex())
    run = window.model.selected
    assert run.config["problem"] == "rosenbrock" and run.trainer.step == 0
    assert "Reset" in window.banner.text() and window.banner.isVisible()
    assert window.space_view.plot.getPlotItem().getAxis("bottom").labelText == "x"


def test_divergence_shows_its_message_and_keeps_finite_ranges(window, qtbot):
    problem = panel(window, "ProblemPanel")
    problem.problem.setCurrentIndex(problem.problem.findData("quadratic"))
    problem.problem.activated.emit(problem.problem.currentIndex())
    rate = panel(window, "LearningRatePanel")
    rate.spin.setValue(0.5)
    assert rate.bound.text() == "Stable below 2/L = 0.2 - this rate is above it: expect divergence."
    rate.set_key("optimizer", {"name": "momentum", "momentum": 0.9, "lr": 0.5})  # the panel follows the optimizer
    assert rate.bound.text().startswith("Stable below 2(1+μ)/L = 0.38 - this rate is above it")
    rate.set_key("optimizer", {"name": "plain", "lr": 0.5})
    window.speed.setCurrentText("Max")
    action(window, "action_run").trigger()
    qtbot.waitUntil(lambda: not window.runner.running, timeout=5000)
    assert window.model.selected.history.status == "diverged"
    assert "diverged at step" in window.banner.text() and "2/L = 0.2" in window.banner.text()
    assert window.state_label.text() == "Diverged - Run restarts" and action(window, "action_run").text() == "Run again"
    for view in (window.loss_view, window.space_view):
        for low, high in view.plot.getPlotItem().vb.viewRange():
            assert math.isfinite(low) and math.isfinite(high)
    action(window, "action_step").trigger()  # the app goes on working
    assert "Reset" in window.banner.text() or "ended" in window.banner.text()


def test_double_click_in_parameter_space_sets_the_start(window, qtbot):
    view = window.space_view
    vb = view.plot.getPlotItem().vb
    scene_point = vb.mapViewToScene(pg_point(1.5, 2.0))
    widget_point = view.plot.mapFromScene(scene_point)
    double_click(view.plot.viewport(), QPoint(int(widget_point.x()), int(widget_point.y())))
    qtbot.waitUntil(lambda: window.model.selected.config["init"] is not None, timeout=2000)
    start = window.model.selected.history.params[0]
    pixel = (vb.viewPixelSize()[0] * 2, vb.viewPixelSize()[1] * 2)
    assert abs(start[0] - 1.5) < pixel[0] and abs(start[1] - 2.0) < pixel[1]
    assert window.model.selected.trainer.step == 0


def pg_point(x, y):
    from PySide6.QtCore import QPointF
    return QPointF(x, y)


def test_bad_typed_value_is_reported_and_the_run_is_untouched(window):
    run = window.model.selected
    window.model.step(4)
    panel(window, "RunPanel").edit(lambda config: config.update(batch_size=5000))
    assert "Not applied" in window.banner.text() and "batch_size" in window.banner.text()
    assert run.trainer.step == 4 and run.config["batch_size"] == 16


def test_a_message_stays_as_long_as_it_matters(window, qtbot, monkeypatch):
    """The banner kept every message until the next one: an error after its cause was fixed ("Not applied -
    early_stopping: needs validation" with early stopping already off), an info line for good - and, while other
    runs trained, the selected run's "completed" was written again at each tick over a refused edit's error.
    Now every message has a close button; an error stays until closed, replaced or an edit succeeds; an info
    message goes by itself once read; a run's end is told once."""
    from app import main_window
    from app.theme import theme
    monkeypatch.setattr(main_window, "reading_time", lambda text: 100, raising=False)
    model, banner = window.model, window.banner
    first = model.selected
    model.update_config(first, {**first.config, "validation": 0.2, "early_stopping": {"patience": 1000},
                                "epochs": 1})
    second = model.duplicate_run(first)
    model.update_config(second, {**second.config, "early_stopping": None, "epochs": 10_000})
    model.select(first)
    window.action_run.trigger()
    qtbot.waitUntil(lambda: first.history.status != "running", timeout=5000)
    qtbot.waitUntil(lambda: banner.text().startswith(f"{first.name}: "), timeout=1000)  # its end, told
    form = panel(window, "ProblemPanel").settings_form
    form.editors["validation"].setValue(0.0)  # refused: early stopping needs validation samples
    assert banner.text().startswith("Not applied - early_stopping")
    assert theme().semantic("error")[1] in banner.styleSheet()  # an error looks like one
    qtbot.wait(400)  # the other run trains on; an info message would have gone
    assert second.history.status == "running" and banner.text().startswith("Not applied")
    window.runner.pause()
    form.editors["early_stopping"].on.setChecked(False)  # the cause fixed: the error is out of date
    assert first.config["early_stopping"] is None and not banner.text().startswith("Not applied")
    close = banner.close_button
    window.show_message("Not saved: permission denied", "error")
    assert close.isVisible() and banner.contentsRect().right() < close.geometry().left()  # beside the text
    qtbot.wait(400)
    assert banner.text() == "Not saved: permission denied"  # an error never goes unread
    qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
    assert banner.text() == "" and not close.isVisible()
    window.show_message("Saved s1.gdlab.json.", "info")
    assert close.isVisible()
    qtbot.waitUntil(lambda: banner.text() == "", timeout=1000)  # read: gone by itself


def test_x_axis_and_log_toggle(window):
    window.model.step(30)
    view = window.loss_view
    view.x_axis.setCurrentIndex(1)
    assert window.model.view["x_axis"] == "epoch"
    full = view._items[id(window.model.selected)][1]
    np.testing.assert_allclose(full.getData()[0][-1], window.model.selected.history.epoch[-1])
    view.log_y.setChecked(True)
    assert view.plot.getPlotItem().ctrl.logYCheck.isChecked()
    full = view._items[id(window.model.selected)][1]  # the curve items draw log10(loss) under log ticks
    np.testing.assert_allclose(full.getData()[1], np.log10(window.model.selected.history.loss))


def test_the_loss_axis_grows_in_round_steps(window):
    view = window.loss_view
    vb = view.plot.getPlotItem().vb
    window.model.step(37)
    vb.prepareForPaint()
    low, high = vb.viewRange()[0]
    assert low <= 0 and 40 <= high < 45  # ends past step 37 at the round 40 (plus the auto-range padding)
    window.model.step(2)
    vb.prepareForPaint()
    assert vb.viewRange()[0][1] == high  # still 40: the axis did not move
    window.model.step(2)
    vb.prepareForPaint()
    assert 50 <= vb.viewRange()[0][1] < 56  # step 41: the next round end


def test_every_control_has_a_tooltip(window):
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QSlider, QWidget
    controls = (QAbstractSpinBox, QComboBox, QAbstractButton, QSlider)
    checked = 0
    for panel_widget in window.panels:
        for widget in panel_widget.findChildren(QWidget):
            if isinstance(widget, controls) and widget.isVisibleTo(panel_widget):
                assert widget.toolTip(), f"{type(panel_widget).__name__}: {widget.objectName()}"
                checked += 1
    assert checked > 20


@pytest.mark.parametrize("problem", ["logistic_regression", "himmelblau", "beale", "saddle"])
def test_other_problems_open_and_step(qtbot, tmp_path, problem):
    import json
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"problem": problem, "steps": 50}))
    win = create_window(path)
    qtbot.addWidget(win)
    win.model.step(20)
    assert win.model.selected.trainer.step == 20


def test_keys_s_and_r_step_and_reset(window):
    trainer = window.model.selected.trainer
    QTest.keyClick(window, Qt.Key.Key_S)
    QTest.keyClick(window, Qt.Key.Key_S)
    assert window.model.selected.trainer.step == 2
    QTest.keyClick(window, Qt.Key.Key_R)
    assert window.model.selected.trainer.step == 0 and trainer is not window.model.selected.trainer


def test_live_optimizer_hyperparameter_change_keeps_the_run(window):
    optimizer = panel(window, "OptimizerPanel")
    optimizer.choice.setCurrentIndex(optimizer.choice.findData("momentum"))
    optimizer.choice.activated.emit(optimizer.choice.currentIndex())
    window.model.step(5)
    run = window.model.selected
    assert run.config["optimizer"] == {"name": "momentum", "lr": 0.05, "momentum": 0.9, "dampening": 0.0,
                                       "weight_decay": 0.0}
    optimizer.form.editors["momentum"].setValue(0.5)
    assert run.config["optimizer"]["momentum"] == 0.5 and run.trainer.step == 5
    velocity = run.trainer.state.velocity.copy()
    grad = run.trainer.problem.loss_and_grad(run.trainer.params, None)[1]
    assert np.isfinite(velocity).all() and np.isfinite(grad).all()
    window.model.step(1)
    assert run.trainer.step == 6 and run.trainer.state.count == 6  # state kept: no restart of the momentum


def test_quit_closes_the_window(qtbot):
    win = create_window()
    qtbot.addWidget(win)
    win.show()
    action(win, "action_quit").trigger()
    assert not win.isVisible()


def test_the_status_bar_writes_epochs_as_people_read_them():
    from gd_core.results import epoch_text
    assert [epoch_text(e) for e in (2250.0, 3.2, 0.3125, 0.0, 0.004, 12_345_678.0)] == [
        "2,250", "3.2", "0.31", "0", "0.004", "1.23e+07"]


def test_the_buttons_after_run_stay_put_when_it_says_pause_or_run_again(window, qtbot):
    """Run -> Pause -> Run again changes the button's text; the Step button must not move under the pointer."""
    from app.main_window import RUN_TEXTS
    from app.theme import theme
    step = window.findChild(QToolBar, "run_toolbar").widgetForAction(window.action_step)
    for size in ("normal", "huge"):
        theme().text_size = size
        theme().apply()
        qtbot.wait(20)  # the button is fitted again after the text size changes
        places = set()
        for text in RUN_TEXTS:
            window.action_run.setText(text)
            qtbot.wait(5)
            places.add(step.geometry().x())
            assert window.run_button.width() >= window.run_button.sizeHint().width()  # the whole text shows
        assert len(places) == 1, (size, places)


def test_a_message_moves_no_plot(window, qtbot):
    """Messages live in the toolbar's free room: a plot under the pointer stays where it is when one appears
    (it used to open a row above the plots and push them down by two lines) and when it goes."""
    def places():
        return [view.plot.mapTo(window, view.plot.rect().topLeft()) for view in (window.space_view, window.loss_view)]
    window.resize(1280, 720)  # not the test screen's 800 px: the window at its least width
    qtbot.wait(20)
    before = places()
    for text in ("Reset run 1: the seed or start point changed.", "a long message " * 40, ""):
        window.show_message(text, "error" if text else "info")
        qtbot.wait(20)
        assert places() == before and window.banner.text() == text
    # the room left of the toolbar's row at this size (the speed box shows "10,000 steps/s" whole: 4 px less)
    assert window.banner.geometry().width() >= 300


@pytest.mark.parametrize("size", [(1280, 720), (1366, 768)])
@pytest.mark.parametrize("lesson, runs", [("01_variants_same_epochs", 3), ("08_himmelblau_starts", 4),
                                          ("19_line_search", 5)])
def test_a_lessons_runs_are_rows_of_the_results_table_in_view(qtbot, size, lesson, runs):
    """The results strip kept room for two rows: lessons compare 3 to 5 runs, and their third and fourth rows were a
    scroll away (HL's walk of lessons 01-12; lesson 08 asks what the table says of its four starts). As a session
    opens the strip takes the rows of up to four runs (MainWindow._results_rows_in_view, 0e2ca43, pinned there on
    lesson 23): every run of a lesson of three or four, four of five, on 1280x720 and 1366x768."""
    window = create_window(lesson=lesson)
    qtbot.addWidget(window)
    window.resize(*size)  # as the app opens: sized to the screen, then shown
    window.show()
    qtbot.waitExposed(window)
    window.runner.pause()
    table = window.results.table
    assert table.rowCount() == runs

    def whole() -> list[bool]:
        view = table.viewport().rect()
        return [view.contains(table.visualRect(table.model().index(row, 0))) for row in range(runs)]
    try:
        qtbot.waitUntil(lambda: whole() == [row < 4 for row in range(runs)], timeout=2000)
    except AssertionError:
        raise AssertionError(whole()) from None
