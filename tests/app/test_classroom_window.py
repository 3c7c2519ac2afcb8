"""The window in a classroom (issue 10): it fits small screens and stays put under the pointer, the wheel and the
keys do what people expect, axes and legends show the data, colours follow the palette and survive
colour-blindness, and the menus hold what an instructor needs. (The real-X-window checks: test_real_window.py.)"""

import json
import math
import os
import re
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
import shiboken6
from hypothesis import example, given
from hypothesis import strategies as st
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QColor, QFont, QImage, QMouseEvent, QPainter, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QLabel, QSlider, QTabBar, QWidget

import gd_core
from app import create_window, main_window
from app.palette import OKABE_ITO, RUN_COLORS, VARIANT_COLORS
from app.runner import SPEEDS, planned_steps
from app.theme import theme
from app.views.loss_curve import LossCurveView
from app.views.parameter_space import ARROWS, ParameterSpaceView
from app.widgets import CalmInput
from gd_core.lesson_library import list_lessons

from ..hostile import fuzz_settings
from .conftest import double_click, lesson_view, panel, shown_window

LESSONS = [name for name, _ in list_lessons()]
SMALL_SCREEN = QRect(0, 0, 1280, 720)  # a classroom projector
APP = Path(__file__).resolve().parents[2] / "app"


def action(win, name) -> QAction:
    found = win.findChild(QAction, name)
    assert found is not None, name
    return found


def widget_point(view, x, y) -> QPoint:
    """The pixel of the parameter-space view's plot widget at plot coordinates (x, y)."""
    vb = view.plot.getPlotItem().vb
    point = view.plot.mapFromScene(vb.mapViewToScene(pg.Point(x, y)))
    return QPoint(round(point.x()), round(point.y()))


def hover(widget: QWidget, pos: QPoint) -> None:
    """The pointer moves over ``widget`` to ``pos`` (QTest.mouseMove does not reach an offscreen scene)."""
    event = QMouseEvent(QEvent.Type.MouseMove, QPointF(pos), QPointF(widget.mapToGlobal(pos)), Qt.MouseButton.NoButton,
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)
    QApplication.processEvents()


def hover_everywhere(win) -> None:
    for view in (win.space_view, win.loss_view, win.data_view):
        if view.isVisible():
            rect = view.plot.viewport().rect()
            for fx, fy in ((0.3, 0.3), (0.5, 0.6), (0.8, 0.4)):
                hover(view.plot.viewport(), QPoint(int(rect.width() * fx), int(rect.height() * fy)))


# -- fits every screen ----------------------------------------------------------------------------------------------
def test_first_size_comes_from_the_screen(qtbot, monkeypatch):
    monkeypatch.setattr(main_window.MainWindow, "available", lambda self: SMALL_SCREEN)
    win = create_window()
    qtbot.addWidget(win)
    allowed = SMALL_SCREEN.size() - main_window.FRAME_ALLOWANCE
    assert win.width() <= allowed.width() and win.height() <= allowed.height()
    assert SMALL_SCREEN.contains(win.geometry())


@pytest.mark.parametrize("lesson", [None, *LESSONS])
def test_no_lesson_needs_more_than_a_projector_screen(qtbot, lesson):
    """The window's minimum size (docks, panels, headers) fits 1280x720 less a frame, for every lesson."""
    win = create_window(lesson=lesson)
    qtbot.addWidget(win)
    win.show()
    allowed = SMALL_SCREEN.size() - main_window.FRAME_ALLOWANCE
    hint = win.minimumSizeHint()
    assert hint.width() <= allowed.width() and hint.height() <= allowed.height(), (lesson, hint)


def test_hovering_changes_no_size_and_read_outs_do_not_go_stale(window, qtbot):
    window.resize(1264, 680)
    window.show_message("A short message.")
    qtbot.wait(50)
    before = (window.size(), window.minimumSizeHint(), window.sizeHint(), window.space_view.plot.geometry(),
              window.loss_view.plot.geometry())
    hover_everywhere(window)
    assert window.space_view.readout.text() and window.loss_view.readout.text()  # the read-outs read out
    window.space_view._hovered(QPointF(window.space_view.plot.mapToScene(QPoint(40, 40))))
    long_text = "w = 123456.789, b = -98765.4321, loss = 1.23456e+300 " * 4
    window.space_view.readout.setText(long_text)  # however long a read-out or banner grows...
    window.show_message(long_text)
    QApplication.processEvents()
    after = (window.size(), window.minimumSizeHint(), window.sizeHint(), window.space_view.plot.geometry(),
             window.loss_view.plot.geometry())
    assert after[:3] == before[:3] and after[3].width() == before[3].width()  # ...nothing re-flows sideways
    window.reset()
    assert window.loss_view.readout.text() == ""  # the old run's numbers are gone
    window.files.open_lesson("08_himmelblau_starts")
    assert "loss" not in window.space_view.readout.text()


def test_a_double_click_after_a_hover_lands_where_the_pointer_was(qtbot):
    win = shown_window(qtbot, "08_himmelblau_starts", (1264, 680))
    view = win.space_view
    still = []  # laid out (on a loaded machine that takes more than a moment): the point stops moving

    def settled() -> bool:
        still.append(widget_point(view, 0.0, 0.0))
        return len(still) > 3 and still[-1] == still[-2] == still[-3]
    qtbot.waitUntil(settled, timeout=5000)
    pixel = still[-1]
    for dx in range(-30, 31, 15):  # hovering around, then onto the point: the read-out follows, the plot stays
        hover(view.plot.viewport(), pixel + QPoint(dx, dx))
        assert view.readout.text().startswith("x = ")
    hover(view.plot.viewport(), pixel)
    assert widget_point(view, 0.0, 0.0) == pixel
    double_click(view.plot.viewport(), pixel)
    qtbot.waitUntil(lambda: win.model.selected.config["init"] is not None, timeout=2000)
    start = win.model.selected.history.params[0]
    size = view.plot.getPlotItem().vb.viewPixelSize()
    assert abs(start[0]) < 2 * size[0] and abs(start[1]) < 2 * size[1]  # (0, 0), not (-2, 0)


def test_a_single_click_in_the_parameter_space_keeps_the_run_and_says_how_to_move_its_start(qtbot):
    """Students click the plot to focus it: a single click restarted the selected run from the clicked point."""
    from app.help import shortcut_rows
    from gd_core.lesson_library import load_lesson

    win = shown_window(qtbot, "08_himmelblau_starts", (1264, 680))
    view, run = win.space_view, win.model.selected
    win.model.step(5)
    start, edits, pixel = list(run.config["init"]), win.undo.stack.count(), widget_point(view, 1.5, 1.5)
    QTest.mouseClick(view.plot.viewport(), Qt.MouseButton.LeftButton, pos=pixel)
    assert run.config["init"] == start and run.trainer.step == 5 and win.undo.stack.count() == edits
    assert view.readout.text() == "Double-click to start the selected run here."
    hover(view.plot.viewport(), pixel + QPoint(1, 1))  # the hand wobbles: the hint stays
    assert view.readout.text().startswith("Double-click")
    hover(view.plot.viewport(), pixel + QPoint(12, 0))  # the pointer moves on: the coordinates again
    assert view.readout.text().startswith("x = ")
    win.model.locked = frozenset({"start"})  # a lesson that fixes the start says so at the first click
    QTest.mouseClick(view.plot.viewport(), Qt.MouseButton.LeftButton, pos=pixel)
    assert view.readout.text() == "The lesson fixes the start point."
    # the gesture is told where people look: the plot's tooltip and status tip, the shortcuts, the lessons (the
    # only click a lesson asks for is the parameter space's: "by clicking" would now be untrue)
    assert "Double-click" in view.plot.toolTip() and view.plot.statusTip().startswith("Double-click to start")
    assert "Double-click" in dict(shortcut_rows(win.findChildren(QAction)))
    for name in LESSONS:
        assert not re.search(r"(?<!double-)\bclick", load_lesson(name).text, re.IGNORECASE), name


# -- the wheel and the keys -----------------------------------------------------------------------------------------
def test_every_input_of_the_window_is_calm(window):
    inputs = window.findChildren(QAbstractSpinBox) + window.findChildren(QComboBox) + window.findChildren(QSlider)
    assert inputs and all(isinstance(w, CalmInput) for w in inputs), [w for w in inputs
                                                                      if not isinstance(w, CalmInput)]


def _settings_inputs(win) -> list[QWidget]:
    holder = win.settings_scroll.widget()
    found = holder.findChildren(QAbstractSpinBox) + holder.findChildren(QComboBox) + holder.findChildren(QSlider)
    return [w for w in found if w.isVisibleTo(holder) and w.isEnabled()]


def _value(w):
    return w.currentText() if isinstance(w, QComboBox) else (w.value(), w.text() if hasattr(w, "text") else None)


def test_the_wheel_over_an_unfocused_input_scrolls_the_settings_and_changes_nothing(window, qtbot):
    """Every problem, optimizer and schedule form: no value moves under the wheel; the panel scrolls."""
    window.resize(1264, 680)
    model, scroll = window.model, window.settings_scroll
    configs = [gd_core.switch_problem(dict(model.selected.config), name) for name in gd_core.PROBLEMS]
    base = model.config_copy(model.selected)
    configs += [{**base, "optimizer": {"name": name, "lr": 0.05}} for name in gd_core.OPTIMIZERS]
    configs += [{**base, "schedule": {"name": name}} for name in gd_core.schedules.SCHEDULES]
    window.keyboard_home()
    scrolled = checked = 0
    for config in configs:
        model.update_config(model.selected, config)
        QApplication.processEvents()
        inputs = _settings_inputs(window)
        for w in inputs:
            scroll.ensureWidgetVisible(w)
            QApplication.processEvents()
            values, position = [_value(v) for v in inputs], scroll.verticalScrollBar().value()
            centre = w.mapTo(window, w.rect().center())
            bar = scroll.verticalScrollBar()
            delta = 120 if bar.value() == bar.maximum() else -120  # towards where the panel can go
            QTest.wheelEvent(window.windowHandle(), QPointF(centre), QPoint(0, delta))
            QApplication.processEvents()
            assert [_value(v) for v in inputs] == values, (config["problem"], w.objectName())
            scrolled += bar.value() != position or bar.maximum() == 0
            checked += 1
    assert scrolled == checked > 10 * len(configs)  # every time, the wheel went to the panel


def test_opening_a_lesson_shows_the_settings_from_their_top(window):
    """The settings panel kept its scroll position: a lesson opened after scrolling to the schedule showed the
    middle of its form (the problem out of sight). Each lesson, and a session opened, shows them from the top."""
    window.resize(1280, 720)
    bar = window.settings_scroll.verticalScrollBar()
    for lesson in ("05_momentum_valley", "11_mlp_landscape"):
        QApplication.processEvents()
        assert bar.maximum() > 0  # there is somewhere to scroll to
        bar.setValue(bar.maximum())
        window.files.open_lesson(lesson)
        QApplication.processEvents()
        assert window.model.title and bar.value() == 0, lesson


def test_a_focused_choice_box_leaves_the_wheel_to_the_panel(window, qtbot):
    """The problem box just chosen from kept the keyboard, and the next turn of the wheel over it - meant for the
    panel - switched the problem, the run starting afresh. A choice box never takes the wheel (its choice is made
    in its list, as its keys open it: test_keyboard.py): the settings scroll, the run keeps its steps."""
    model = window.model
    model.step(5)
    box = panel(window, "ProblemPanel").problem
    bar = window.settings_scroll.verticalScrollBar()
    bar.setValue(0)
    box.setFocus()
    qtbot.waitUntil(box.hasFocus)
    before = model.selected.config["problem"]
    QTest.wheelEvent(window.windowHandle(), QPointF(box.mapTo(window, box.rect().center())), QPoint(0, -120))
    QApplication.processEvents()
    assert model.selected.config["problem"] == before and model.selected.trainer.step == 5
    assert bar.value() > 0  # the panel scrolled


def test_a_focused_input_still_takes_the_wheel(window):
    box = panel(window, "VariantPanel").batch_size
    window.settings_scroll.ensureWidgetVisible(box)
    box.setFocus()
    QApplication.processEvents()
    value = box.value()
    QTest.wheelEvent(window.windowHandle(), QPointF(box.mapTo(window, box.rect().center())), QPoint(0, 120))
    assert box.value() == value + 1


def test_enter_commits_gives_the_keyboard_back_and_space_s_r_work(window, qtbot):
    lr = panel(window, "LearningRatePanel").spin
    lr.setFocus()
    lr.lineEdit().selectAll()
    QTest.keyClicks(lr.lineEdit(), "0.2")
    QTest.keyClick(lr.lineEdit(), Qt.Key.Key_Return)
    assert window.model.selected.config["optimizer"]["lr"] == 0.2
    assert window.space_view.plot.hasFocus()  # the keyboard is back with the plots
    focused = QApplication.focusWidget()
    QTest.keyClick(focused, Qt.Key.Key_S)
    assert window.model.selected.trainer.step == 1
    QTest.keyClick(focused, Qt.Key.Key_Space)
    assert window.runner.running and lr.text() == "0.2"  # Space ran; it blanked no field
    QTest.keyClick(focused, Qt.Key.Key_Space)
    assert not window.runner.running
    QTest.keyClick(focused, Qt.Key.Key_R)
    assert window.model.selected.trainer.step == 0


def test_escape_reverts_a_typed_value_and_leaves(window):
    box = panel(window, "VariantPanel").batch_size
    box.setFocus()
    box.lineEdit().selectAll()
    QTest.keyClicks(box.lineEdit(), "99")
    QTest.keyClick(box.lineEdit(), Qt.Key.Key_Escape)
    assert window.model.selected.config["batch_size"] == 16 and box.text() == "16"
    assert not box.hasFocus()


# -- what the plots show --------------------------------------------------------------------------------------------
def _scale(view) -> float:
    """Plot units per pixel, x over y: 1 when both axes are drawn to the same scale."""
    px, py = view.plot.getPlotItem().vb.viewPixelSize()
    return px / py


def test_equal_aspect_on_functions_a_toggle_elsewhere_and_framing(qtbot):
    win = create_window(lesson="05_momentum_valley")
    qtbot.addWidget(win)
    win.resize(1264, 680)
    win.show()
    qtbot.waitExposed(win)
    view = win.space_view
    assert view.equal_aspect.isChecked() and _scale(view) == pytest.approx(1.0, rel=1e-3)
    view.frame_paths()  # only the start points: a tiny frame, still 1:1
    assert _scale(view) == pytest.approx(1.0, rel=1e-3)
    (x0, x1), (y0, y1) = view.plot.getPlotItem().vb.viewRange()
    assert x1 - x0 < 1 or y1 - y0 < 1
    view.reset_view.trigger()
    (x0, x1), (y0, y1) = view.plot.getPlotItem().vb.viewRange()
    (bx0, bx1), (by0, by1) = view.problem.bounds
    assert x0 <= bx0 + 0.2 and x1 >= bx1 - 0.2 and y0 <= by0 + 0.2 and y1 >= by1 - 0.2
    win.files.new()  # linear regression: w and b differ in units - off until asked for
    assert not view.equal_aspect.isChecked()
    view.equal_aspect.trigger()
    assert win.model.view["equal_aspect"] is True and _scale(view) == pytest.approx(1.0, rel=1e-3)
    win.files.open_lesson("09_feature_scaling")  # the lesson about round and thin valleys asks for it
    assert view.equal_aspect.isChecked() and _scale(view) == pytest.approx(1.0, rel=1e-3)


def test_a_start_outside_the_problems_bounds_is_on_the_plot_and_the_surface(qtbot):
    """Lesson 17 starts its runs at (-2, -2, ...): the plot showed -0.5..4.5 by -1.5..2.5 and the paths came in
    from beyond its edge, no start to be seen."""
    win = shown_window(qtbot, "17_how_big_a_batch")
    view = win.space_view
    qtbot.waitUntil(lambda: view.surface_ready, timeout=10_000)
    view.reset_view.trigger()
    (x0, x1), (y0, y1) = view.plot.getPlotItem().vb.viewRange()
    xs, ys = view._grid
    for run in win.model.runs:
        x, y = run.history.params[0][list(view.pair())]
        assert x0 < x < x1 and y0 < y < y1 and xs[0] < x < xs[-1] and ys[0] < y < ys[-1]


def test_optimizer_state_axes_show_the_curves_after_reset_and_step(window, qtbot):
    window.state_dock.raise_()
    qtbot.waitUntil(lambda: bool(window.state_plot.plots), timeout=2000)
    window.model.step(2000)
    window.reset()
    window.step_once()
    window.step_once()
    plots = window.state_plot.plots
    (x0, x1), _ = plots["params"].vb.viewRange()
    assert x0 <= 0 and 2 <= x1 < 3  # the two steps fill the axis
    history = window.model.selected.history
    for key, values in (("params", history.params), ("lr", history.lr)):
        (_, _), (y0, y1) = plots[key].vb.viewRange()
        assert y0 <= np.nanmin(values) and np.nanmax(values) <= y1 and y1 - y0 < 1
    (_, _), (y0, y1) = plots["lr"].vb.viewRange()
    assert y0 < 0.05 < y1 and y1 - y0 <= 0.011  # a constant 0.05 in the middle of a small range
    for plot in plots.values():
        for side in ("left", "bottom"):
            assert not plot.getAxis(side).autoSIPrefix  # no "(x0.001)"
    assert all(item.parentItem() is not plot for plot in plots.values() for item in plot.items
               if isinstance(item, pg.LegendItem))
    assert "w" in window.state_plot.legend.text() and "b" in window.state_plot.legend.text()


def test_a_reset_plot_has_axes_around_its_one_point(window):
    window.model.step(300)
    window.reset()
    vb = window.loss_view.plot.getPlotItem().vb
    (x0, x1), (y0, y1) = vb.viewRange()
    loss = window.model.selected.history.loss[-1]
    assert x1 - x0 < 2 and y0 < loss < y1 and y1 - y0 < 2 * loss  # not the old run's axes, not -100..100


def test_results_and_status_bar_say_the_same_state(window, qtbot):
    def states():
        return window.results.table.item(0, 1).text(), window.state_label.text().lower().split(" - ")[0]
    assert states() == ("ready", "ready")
    window.toggle_run()
    window.results.refresh()
    assert states() == ("running", "running")
    qtbot.waitUntil(lambda: window.model.selected.trainer.step > 0, timeout=5000)
    window.toggle_run()
    assert states() == ("paused", "paused")
    window.model.step(10_000)
    window.results.refresh()
    assert states() == ("completed", "completed")


def test_a_function_has_no_epochs_or_samples(qtbot):
    win = create_window(lesson="08_himmelblau_starts")
    qtbot.addWidget(win)
    win.model.step(5)
    win.results.refresh()
    win._update_status()
    columns = {win.results.table.horizontalHeaderItem(c).text(): c for c in range(win.results.table.columnCount())}
    for name in ("epochs", "samples", "epochs to tol.", "samples to tol."):
        assert win.results.table.item(0, columns[name]).text() == "-"
    assert win.results.table.item(0, columns["steps"]).text() == "5" and win.epoch_label.text() == "epoch -"


def _drawn(text: str, font: QFont) -> QImage:
    image = QImage(80, 40, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setFont(font)
    painter.drawText(5, 30, text)
    painter.end()
    return image


def test_adam_shows_its_hats(window):
    window.model.update_config(window.model.selected, {**window.model.selected.config,
                                                       "optimizer": {"name": "adam", "lr": 0.05}})
    window.step_once()
    window.formula.refresh()
    table = window.formula.table
    labels = [name.split(" = ")[0] for name in window.formula.names()]
    assert "m" in labels and "m\u0302" in labels and "v\u0302" in labels
    font = table.verticalHeader().font()
    for letter in "mv":  # the accent is drawn: "m̂" does not look like "m"
        assert _drawn(letter + "\u0302", font) != _drawn(letter, font), letter


def test_the_settings_dock_is_wide_enough_for_every_form(window):
    scroll = window.settings_scroll
    assert scroll.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    model = window.model
    for name in list(gd_core.PROBLEMS) + ["adam", "nadam"]:
        config = (gd_core.switch_problem(dict(model.selected.config), name) if name in gd_core.PROBLEMS
                  else {**model.selected.config, "optimizer": {"name": name, "lr": 0.05}})
        model.update_config(model.selected, config)
        QApplication.processEvents()
        QApplication.processEvents()
        assert scroll.viewport().width() >= scroll.widget().minimumSizeHint().width(), name  # nothing clipped
        assert scroll.minimumWidth() <= main_window.SETTINGS_MAX_WIDTH


# -- colours --------------------------------------------------------------------------------------------------------
def test_runs_and_variants_take_okabe_ito_colours_the_same_everywhere(window, qtbot):
    assert set(RUN_COLORS) == set(OKABE_ITO.values())
    assert window.model.selected.color == OKABE_ITO["blue"]
    window.model.set_color(window.model.selected, OKABE_ITO["black"])  # the variants' colours all free
    copies = window.model.compare_variants(window.model.selected)
    assert [run.color for run in copies] == [VARIANT_COLORS[v] for v in ("batch", "stochastic", "minibatch")]
    window.open_sweep()
    sweep = window.sweep_window
    sweep.count.setValue(3)
    sweep.with_grid.setChecked(False)
    with qtbot.waitSignal(sweep.finished, timeout=30_000):
        sweep.compute()
    for name, item in sweep._series_items.items():
        assert item.opts["pen"].color() == theme().shade(VARIANT_COLORS[name]), name  # as the runs' lines
    for lesson in LESSONS:  # the lessons' runs: Okabe-Ito, and a comparison of variants in their colours
        data = json.loads((APP.parent / "resources" / "lessons" / f"{lesson}.json").read_text())
        variants = {run["config"].get("variant", "batch") for run in data["runs"]}
        for run in data["runs"]:
            assert run["color"] in RUN_COLORS, (lesson, run["name"])
            if len(variants) == len(data["runs"]):
                assert run["color"] == VARIANT_COLORS[run["config"].get("variant", "batch")], (lesson, run["name"])


def test_no_view_hard_codes_a_colour():
    """Colours live in app/palette.py (what they mean) and app/theme.py (the palette); nowhere else."""
    offenders = []
    for path in APP.rglob("*.py"):
        if path.name in ("palette.py", "theme.py"):
            continue
        text = path.read_text()
        found = re.findall(r"#[0-9a-fA-F]{6}\b|mkPen\(\s*\"[a-z]\"|brush=\"[a-z]\"", text)
        offenders += [(path.name, m) for m in found]
    assert not offenders


def test_coinciding_arrows_stay_distinguishable(qtbot):
    win = create_window(lesson="12_batch_surface")
    qtbot.addWidget(win)
    win.show()
    run = win.model.selected
    win.model.update_config(run, {**run.config, "variant": "batch"})  # step gradient = full gradient = -update/lr
    win.step_once()
    win.space_view._update_overlays(force=True)
    items = win.space_view.arrow_items
    lines = [items[key][0] for key, *_ in ARROWS]
    tips = [line.getData()[0][-1] for line in lines]
    assert tips == pytest.approx([tips[0]] * 3)  # all three coincide...
    widths = [line.opts["pen"].widthF() for line in lines]
    assert widths == sorted(widths, reverse=True) and len(set(widths)) == 3  # ...as nested stripes
    assert [line.zValue() for line in lines] == sorted(line.zValue() for line in lines)  # narrowest on top
    heads = [items[key][1].opts["headLen"] for key, *_ in ARROWS]
    assert heads == sorted(heads, reverse=True) and len(set(heads)) == 3


def test_legends_sit_above_the_plots_and_stay_cheap(qtbot):
    """(The views alone: in a window each of the 40 runs added rebuilt every view - 11 s in the suite.)"""
    _, space_view = lesson_view(qtbot, "08_himmelblau_starts", ParameterSpaceView, (600, 400))
    model, loss_view = lesson_view(qtbot, "08_himmelblau_starts", LossCurveView, (600, 400))
    for view in (space_view, loss_view):
        assert not any(isinstance(item, pg.LegendItem) for item in view.plot.scene().items())
        assert "start (+1, +1)" in view.legend.text() and view.legend.isVisible()
    for k in range(40):
        model.add_run(dict(model.selected.config), name=f"extra {k}", select=False)
    text = loss_view.legend.text()
    assert "extra 7" in text and "extra 39" not in text and "+32 more" in text
    assert "extra 39" in loss_view.legend.toolTip()


# -- theme and text size --------------------------------------------------------------------------------------------
def test_dark_theme_reaches_plots_formula_boxes_banners_and_the_status_column(window):
    action(window, "action_theme_dark").trigger()
    QApplication.processEvents()
    look = theme()
    assert look.dark
    base = look.color("base")
    assert window.space_view.plot.backgroundBrush().color() == base and base.lightness() < 60
    assert pg.mkColor(pg.getConfigOption("background")) == base  # plots made from now on too
    rule = window.formula.rule
    assert rule.autoFillBackground() and rule.backgroundRole() == QPalette.ColorRole.AlternateBase
    assert rule.palette().color(rule.backgroundRole()).lightness() < 80  # no white box under white text
    window.show_message("hello", "info")
    assert look.semantic("info")[1] in window.banner.styleSheet()
    window.results.refresh()
    status = window.results.table.item(0, 1)
    assert status.foreground().color().lightness() > 120  # readable on the dark table
    axis = window.loss_view.plot.getPlotItem().getAxis("left")
    assert axis.textPen().color() == look.color("text")
    action(window, "action_theme_light").trigger()
    assert not theme().dark and window.space_view.plot.backgroundBrush().color().lightness() > 200


def test_text_size_changes_survive_deleted_monospace_widgets(qapp):
    """The theme restyles only the monospace widgets still alive (walking allWidgets() crashed CI with SIGSEGV
    when a widget was half-way through destruction)."""
    look = theme()
    gone, kept = QLabel("gone"), QLabel("kept")
    look.mark_monospace(gone)
    look.mark_monospace(kept)
    normal = kept.font().pointSizeF()
    shiboken6.delete(gone)
    try:
        look.set_text_size("huge")
        assert kept.font().pointSizeF() == pytest.approx(normal * 1.6, rel=0.05)
        assert all(shiboken6.isValid(widget) for widget in look._monospace)
    finally:
        look.set_text_size("normal")


def test_text_size_for_a_projector_makes_text_larger_and_lines_thicker(window):
    size = QApplication.font().pointSizeF()
    path = window.space_view.paths[id(window.model.selected)]
    width = path.opts["pen"].widthF()
    action(window, "action_text_huge").trigger()
    assert QApplication.font().pointSizeF() == pytest.approx(1.6 * size)
    path = window.space_view.paths[id(window.model.selected)]
    assert path.opts["pen"].widthF() == pytest.approx(1.6 * width)
    action(window, "action_text_normal").trigger()
    assert QApplication.font().pointSizeF() == pytest.approx(size)


# -- menus, layout, lessons ------------------------------------------------------------------------------------------
def test_help_menu_shortcuts_about_and_guide(window, qtbot):
    window.show_shortcuts()
    table = window._shortcuts.table
    keys = {table.item(r, 0).text() for r in range(table.rowCount())}
    assert {"Space", "S", "R", "Ctrl+Q", "Ctrl+Shift+N", "Ctrl+D", "Ctrl+Del", "F1"} <= keys, keys
    qtbot.waitExposed(window._shortcuts)
    # every row reads whole without scrolling sideways: what a key does wraps in the column left to it
    assert table.horizontalScrollBar().maximum() == 0
    width = table.columnWidth(1)
    assert table.columnWidth(0) + width <= table.viewport().width()
    for r in range(table.rowCount()):
        text = table.item(r, 1).text()
        needed = table.fontMetrics().boundingRect(QRect(0, 0, width - 8, 10_000), Qt.TextFlag.TextWordWrap, text)
        assert table.rowHeight(r) >= needed.height(), text
    window._shortcuts.close()
    window.model.step(10_000)  # every run ended: Run says "Run again", its status tip "Restart every run ..."
    window._update_run_action()
    window.show_shortcuts()
    table = window._shortcuts.table
    does = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert does["Space"].startswith("Run or pause training") and does["R"] == "Return every run to its start point"
    window._shortcuts.close()
    window.run_list.duplicate()
    window.reset()
    assert window.banner.text() == "Reset every run to its start."  # was "Reset run 1 copy to its start."
    window.show_about()
    text = window._about.text()
    for name in ("GD Lab", "Python", "Qt", "PySide6", "pyqtgraph", "numpy"):
        assert f"<td>{name}</td>" in text
    assert np.__version__ in text and pg.__version__ in text
    window._about.close()
    window.show_guide()
    guide = window._guide.text.toPlainText()
    assert "Space" in guide and "Reset layout" in guide and "href" not in window._guide.text.toHtml()
    window._guide.close()


def test_add_duplicate_and_remove_run_have_shortcuts(window):
    runs = window.model.runs
    QTest.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(runs) == 2
    QTest.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert len(runs) == 3 and runs[2].name.endswith("copy")
    QTest.keyClick(window, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    assert len(runs) == 2


def launched(qtbot):
    """A window launched as gdlab launches it: the last launch's layout remembered, then shown."""
    win = create_window()
    qtbot.addWidget(win)
    win.remember_layout()
    win.show()
    return win


def test_a_settings_file_holding_anything_still_launches(qtbot):
    """A settings file edited by hand or written by another program may hold anything: gdlab failed to start with
    a TypeError on a theme of "dark, light" (an ini file reads it as a list) and on a window geometry of text.
    Each such value is ignored as if it were not there."""
    from app.folders import FOLDER_KEY, start_folder

    settings = QSettings("GD Lab", "GD Lab")
    for key, value in (("view/theme", ["dark", "light"]), ("view/text_size", ["large", "huge"]),
                       ("window/geometry", "junk"), ("window/state", "junk"), ("recent", ["/a.gdlab.json", ""]),
                       ("lessons/folder", ["a", "b"]), (FOLDER_KEY, ["a", "b"])):
        settings.setValue(key, value)
    settings.sync()
    win = launched(qtbot)
    assert (theme().mode, theme().text_size) == ("system", "normal")
    assert win.files.recent() == ["/a.gdlab.json"] and win.files.lesson_folder == "" and start_folder() != "a, b"


#: Everything the window remembers between launches, by key (app.main_window, app.files, app.folders, app.export_menu).
REMEMBERED = ("view/theme", "view/text_size", "window/geometry", "window/state", "recent", "lessons/folder",
              "files/last_folder", "export/png_scale")
#: What a settings file edited by hand, or written by another program or version, may hold under any of them (not a
#: valid theme or text size: a valid one would restyle the window, the test's cost, and is the plain test's case).
STORED = st.one_of(st.text(max_size=8), st.lists(st.text(max_size=5), max_size=3),
                   st.integers(-2**63, 2**63 - 1), st.floats(),  # (QSettings takes 64-bit integers: 2**63 overflowed)
                   st.binary(max_size=12), st.booleans(), st.sampled_from(["/dev/zero", "/", "a, b", "@Invalid()"]))


@fuzz_settings(15)
@given(values=st.dictionaries(st.sampled_from(REMEMBERED), STORED, max_size=4))
@example(values={"lessons/folder": "a\x00b"})  # the Lessons menu raised "ValueError: embedded null byte"
@example(values={"export/png_scale": float("inf")})  # every picture export raised OverflowError (int(inf))
def test_any_settings_file_launches_and_lists_what_it_can(window, values):
    """Fuzzer of the settings file: whatever it holds, the launch's readers (the layout, Open Recent, the lessons
    menu, the file dialogs' folder, the PNG scale) go through, with a remembered value of the wrong kind ignored."""
    from app.export_menu import PNG_SCALES, png_scale
    from app.folders import start_folder

    settings = QSettings("GD Lab", "GD Lab")
    settings.clear()
    for key, value in values.items():
        settings.setValue(key, value)
    settings.sync()
    window.remember_layout()
    assert (theme().mode, theme().text_size) == ("system", "normal")
    assert all(isinstance(path, str) and path for path in window.files.recent())
    window.files._fill_recent()
    window.files.fill_lessons()
    home = os.path.expanduser("~")  # (the last resort, where a test runs with a HOME that does not exist)
    assert isinstance(window.files.lesson_folder, str) and (os.path.isdir(start_folder()) or start_folder() == home)
    assert png_scale() in PNG_SCALES


def test_the_lab_report_asks_for_the_remembered_name_only_where_one_is_remembered(window, monkeypatch):
    """A settings file holding a list as the report's author ("Ada, Bob": an ini file reads it as a list) offered
    "['Ada', 'Bob']" as the student's name."""
    from PySide6.QtWidgets import QInputDialog

    asked = []
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *args, **kwargs: asked.append(kwargs["text"])
                                                              or ("", False)))
    settings = QSettings("GD Lab", "GD Lab")
    for value in (["Ada", "Bob"], "Ada"):
        settings.setValue("report/author", value)
        window.files.export_lab_report()
    assert asked == ["", "Ada"]


def test_layout_persists_between_launches_and_resets(qtbot):
    QSettings("GD Lab", "GD Lab").clear()
    first = launched(qtbot)
    first.results_dock.hide()
    first.removeDockWidget(first.runs_dock)
    first.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, first.runs_dock)
    action(first, "action_text_large").trigger()
    first.close()
    theme().set_text_size("normal")
    second = launched(qtbot)
    assert not second.results_dock.isVisible()
    assert second.dockWidgetArea(second.runs_dock) == Qt.DockWidgetArea.RightDockWidgetArea
    assert theme().text_size == "large" and action(second, "action_text_large").isChecked()
    action(second, "action_reset_layout").trigger()
    assert second.results_dock.isVisible() and second.formula_dock.isVisible()
    assert second.dockWidgetArea(second.runs_dock) == Qt.DockWidgetArea.LeftDockWidgetArea
    qtbot.wait(50)
    # the docks are tabbed again, and none of Qt's old tab bars stays on screen
    bars = [bar for bar in second.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
            if bar.isVisible() and second.rect().contains(bar.geometry())]  # the docks' (not the plots' tabs)
    assert sorted([bar.tabText(i) for i in range(bar.count())] for bar in bars) == [
        ["Results", "Sharpness", "Noise scale", "Accuracy"], ["Update rule", "Optimizer state"]]
    assert not second.lesson_dock.isVisible()  # no lesson: no lesson dock
    QSettings("GD Lab", "GD Lab").clear()


def test_a_layout_saved_on_a_larger_screen_is_kept_inside_this_one(qtbot, monkeypatch):
    win = create_window()
    qtbot.addWidget(win)
    monkeypatch.setattr(main_window.MainWindow, "available", lambda self: SMALL_SCREEN)
    win.setGeometry(300, 200, 1900, 1000)  # as saved on a 1920x1080 screen
    win.keep_on_screen()
    assert SMALL_SCREEN.contains(win.geometry())


@pytest.mark.parametrize("lesson", ["01_variants_same_epochs", "06_adaptive_rosenbrock", "11_mlp_landscape"])
def test_a_lesson_opens_with_readable_text(window, lesson):
    window.resize(1264, 680)
    window.files.open_lesson(lesson)
    QApplication.processEvents()
    assert window.lesson_dock.isVisible()
    assert window.lesson_text.height() >= window.height() / 3


def test_long_lessons_start_at_a_speed_that_shows_their_point_within_seconds(window):
    for lesson in LESSONS:
        window.files.open_lesson(lesson)
        steps = max(planned_steps(run) for run in window.model.runs)
        rate = SPEEDS[window.speed.currentText()]
        assert rate is None or steps / rate <= 10, (lesson, steps, rate)
        assert rate is None or rate >= 100  # never slower than the default
        if lesson.startswith(("04", "06", "10")):
            assert rate is None or rate > 100, lesson


def test_load_csv_asks_for_the_selected_run_or_all_runs(window, tmp_path, qtbot):
    path = tmp_path / "data.csv"
    path.write_text("x,y\n" + "".join(f"{i},{2 * i + 1}\n" for i in range(20)))
    problems = panel(window, "ProblemPanel")
    assert problems.ask_scope(str(path)) == "selected"  # one run: nothing to ask
    window.model.duplicate_run(window.model.selected)
    function = window.model.add_run(gd_core.switch_problem(dict(window.model.selected.config), "rosenbrock"),
                                    select=False)
    QTimer.singleShot(0, lambda: problems.scope_box.buttons()[1].click())
    assert problems.ask_scope(str(path)) == "all"
    assert problems.load_path(str(path), "all")
    runs = window.model.runs
    assert runs[0].config["data"]["name"] == runs[1].config["data"]["name"] == "csv"
    assert function.config["problem"] == "rosenbrock"
    assert "for 2 runs" in window.banner.text() and "a 2D function" in window.banner.text()
    QTimer.singleShot(0, lambda: problems.scope_box.button(problems.scope_box.StandardButton.Cancel).click())
    assert problems.ask_scope(str(path)) is None
    assert math.isfinite(window.model.selected.history.loss[-1])


@pytest.mark.parametrize("lesson", ["05_momentum_valley", "22_second_order_per_evaluation"])
def test_with_equal_aspect_the_surface_fills_the_plot(qtbot, lesson):
    """A 1:1 aspect widens the plot's range along one side; the surface is computed over that shape, so no empty
    band is left around it (and again after the plot changes shape)."""
    win = create_window(lesson=lesson)
    qtbot.addWidget(win)
    win.resize(1264, 680)
    win.show()
    qtbot.waitExposed(win)
    view = win.space_view

    def covered() -> bool:
        (x0, x1), (y0, y1) = view.plot.getPlotItem().vb.viewRange()
        rect = view.image.mapRectToParent(view.image.boundingRect())
        slack_x, slack_y = 0.02 * (x1 - x0), 0.02 * (y1 - y0)
        return (rect.left() <= x0 + slack_x and rect.right() >= x1 - slack_x
                and rect.top() <= y0 + slack_y and rect.bottom() >= y1 - slack_y)
    view.reset_view.trigger()
    qtbot.waitUntil(covered, timeout=3000)
    win.resize(900, 680)  # another shape
    qtbot.waitUntil(covered, timeout=3000)


def test_dock_sizes_persist_between_launches(qtbot):
    """Places, visibility and tabs came back, but the first show set every dock's default size again."""
    QSettings("GD Lab", "GD Lab").clear()
    first = launched(qtbot)
    qtbot.waitUntil(lambda: first.settings_dock.width() > 100)
    first.resizeDocks([first.settings_dock], [first.settings_dock.width() + 60], Qt.Orientation.Horizontal)
    first.resizeDocks([first.results_dock], [first.results_dock.height() + 40], Qt.Orientation.Vertical)
    qtbot.wait(20)
    sizes = first.size(), first.settings_dock.width(), first.results_dock.height()
    first.close()
    second = launched(qtbot)
    second.resize(sizes[0])  # the screen here is smaller than the window: keep_on_screen shrank it
    qtbot.waitUntil(lambda: second.size() == sizes[0])
    qtbot.wait(20)
    assert abs(second.settings_dock.width() - sizes[1]) <= 4 and abs(second.results_dock.height() - sizes[2]) <= 4
    QSettings("GD Lab", "GD Lab").clear()
