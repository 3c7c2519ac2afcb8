"""The sharpness and noise-scale views, the batch size next to its noise scale, and Runs > Batch-size scaling."""

import numpy as np
import pytest

import gd_core
from app.views.base import stronger
from gd_core.tracking import SIDE_SIGN, about, batch_side, stability_edge

from .conftest import counted, lesson_view, panel, shown_window

SMALL_LINEAR = {"problem": "linear_regression", "data": {"name": "linear", "n_samples": 64, "noise": 1.0,
                                                         "n_features": 3}, "batch_size": 4,
                "optimizer": {"name": "plain", "lr": 0.05}, "epochs": 3}


def drawn(view, run):
    items = view._items[id(run)]
    return items.points.getData(), items.line.getData()


def test_the_switch_measures_the_selected_run_every_k_steps_and_the_views_draw_it(window):
    model = window.model
    sharp, noise = window.sharpness_view, window.noise_scale_view
    sharp.every.setValue(4)
    sharp.measure.setChecked(True)
    noise.measure.setChecked(True)
    run = model.selected
    assert run.config["track"] == {"sharpness": 4, "noise_scale": 10}
    model.step(20)
    sharp.refresh()
    noise.refresh()
    (x, y), (edge_x, edge_y) = drawn(sharp, run)
    assert list(x) == [0, 4, 8, 12, 16, 20]
    np.testing.assert_allclose(y, run.history.sharpness[[0, 4, 8, 12, 16, 20]])
    # 2/lr at every step: the line through its points (a constant rate's edge is level: a few points)
    np.testing.assert_allclose(np.interp(run.history.step, edge_x, edge_y),
                               stability_edge(run.config["optimizer"], run.history.lr))
    assert edge_y[-1] == pytest.approx(2 / 0.05)
    (x, y), (_, batch_line) = drawn(noise, run)
    assert list(x) == [0, 10, 20] and np.all(y > 0)  # drawn on a log axis
    assert batch_line == pytest.approx(np.log10([16, 16]))  # the run's batch size
    sharp.measure.setChecked(False)
    assert run.config["track"] == {"noise_scale": 10} and run.history.status == "running"  # no reset


def test_a_noise_scale_beyond_the_plots_ceiling_is_drawn_at_its_top_marked_and_squashes_no_run(qtbot):
    """Lesson 17's full-batch run reaches its minimum within 25 steps, where |G| -> 0: its B reached 1e30 and the
    plot's log axis ran from 1 to 1e30, every other run's B squashed into its floor."""
    window = shown_window(qtbot, "17_how_big_a_batch")
    model, view = window.model, window.noise_scale_view
    # below the plots it is given its readable height once shown (before, at the strip's least height, its ~30 px
    # of plot made the markers' pixel padding a decade and a half)
    qtbot.waitUntil(lambda: view.height() >= view.readable_height(), timeout=3000)
    model.step(60)
    view.refresh()
    full = next(run for run in model.runs if run.config["variant"] == "batch" or run.config["batch_size"] >= 1024)
    measured = full.history.noise_scale
    ceiling = gd_core.tracking.NOISE_SCALE_CEILING * 1024
    assert np.nanmax(measured) > 1e6 * ceiling  # the measurement itself is left as it is
    items = view._items[id(full)]
    x, y = items.points.getData()
    bx, by = items.beyond.getData()
    assert len(bx) and np.allclose(by, np.log10(ceiling)) and np.max(y) <= np.log10(ceiling) + 1e-9
    view.plot.getViewBox().updateAutoRange()  # as the next paint does
    (_, _), (y0, y1) = view.plot.getViewBox().viewRange()
    assert y1 < np.log10(ceiling) + 1  # the other runs' B (10..1000) keep most of the plot


def test_the_noise_scale_drawn_is_capped_at_its_ceiling_and_says_which():
    values = np.array([np.nan, 5.0, 99.0 * 64, 101.0 * 64, np.inf])
    drawn, beyond = gd_core.tracking.noise_scale_drawn(values, 64)
    assert list(beyond) == [False, False, False, True, True]
    np.testing.assert_array_equal(drawn[1:], [5.0, 99.0 * 64, 6400.0, 6400.0])
    assert np.isnan(drawn[0])


def test_a_measurement_too_costly_is_refused_in_one_line_and_functions_have_no_noise_scale(window):
    model = window.model
    model.update_config(model.selected, {"problem": "mlp", "data": {"name": "moons", "n_samples": 1000},
                                         "hidden": [256, 256], "steps": 10})
    sharp = window.sharpness_view
    sharp.measure.setChecked(True)
    assert "Not measured - track.sharpness" in sharp.note.text() and not sharp.measure.isChecked()
    assert "track" not in model.selected.config
    noise = panel(window, "VariantPanel").noise
    assert noise.text() == "not worked out" and "Too costly" in noise.toolTip()
    model.update_config(model.selected, {"problem": "rosenbrock", "steps": 10})
    assert not window.noise_scale_view.measure.isEnabled()
    assert panel(window, "VariantPanel").noise.text() == "none (no samples)"


def test_the_variant_panel_puts_the_noise_scale_next_to_the_batch_size(window):
    model = window.model
    model.update_config(model.selected, SMALL_LINEAR)
    noise = panel(window, "VariantPanel").noise
    scale = gd_core.gradient_noise_scale(SMALL_LINEAR, model.selected.trainer.params)
    assert noise.text() == f"≈ {about(scale)} {SIDE_SIGN[batch_side(4, scale)]} batch"
    assert noise.toolTip().startswith(f"Batch 4, noise scale about {about(scale)}")  # the sentence in the tooltip
    assert ("still speed up" in noise.toolTip()) == (4 < scale / 2)


def test_batch_scaling_draws_the_fit_and_the_measured_noise_scale(window, qtbot):
    model = window.model
    model.update_config(model.selected, SMALL_LINEAR)
    window.action_scaling.trigger()
    scaling = window.scaling_window
    assert scaling.isVisible()
    problem = model.selected.trainer.problem
    for plot in (scaling.steps_plot, scaling.epochs_plot):  # before: the batch sizes 1..n it will try
        (x0, x1), _ = plot.getViewBox().viewRange()
        assert x0 <= 0 and np.log10(problem.n_samples) <= x1 < np.log10(problem.n_samples) + 0.5
    start = problem.full_loss(model.selected.history.params[0])
    assert scaling.target.value() == pytest.approx(problem.min_loss + 0.01 * (start - problem.min_loss))
    scaling.target.setValue(problem.min_loss + 0.3)
    scaling.seeds.setValue(2)
    scaling.rates.setValue(6)
    with qtbot.waitSignal(scaling.finished, timeout=60_000):
        scaling.compute_button.click()
    assert [p.batch_size for p in scaling.points] == [1, 2, 4, 8, 16, 32, 64]
    measured, fitted, b_noise, b_simple = scaling.curves["steps"]
    x, y = measured.getData()
    assert len(x) >= 5 and len(fitted.getData()[0]) == 100
    scaling.steps_plot.getViewBox().updateAutoRange()  # as the next paint does: the points' own range
    (x0, x1), (y0, y1) = scaling.steps_plot.getViewBox().viewRange()
    assert x0 <= x.min() and x.max() <= x1 and y0 <= y.min() and y.max() <= y1  # getData: log10 on log axes
    assert b_noise.isVisible() and b_simple.isVisible()
    assert b_simple.value() == pytest.approx(np.log10(scaling.noise_scale))
    assert "B_noise ≈" in scaling.summary.text() and "B_simple ≈" in scaling.summary.text()
    scaling.noise_scale = scaling.fit.b_noise / 1.034  # lesson 17's 48 against 46.4 read "1 times it"
    assert scaling.describe().endswith("the fitted B_noise is 1.03 times it.")
    assert scaling.compute_button.isEnabled() and not scaling.stop_button.isEnabled()
    # opened again (lesson 17: computed at 1.1, closed, Ctrl+Shift+B), the box said the default 1.2928 over the
    # points and the fit computed for 1.1; it keeps the target its points were computed for
    scaling.close()
    window.action_scaling.trigger()
    assert scaling.isVisible() and scaling.target.value() == pytest.approx(problem.min_loss + 0.3)


def test_a_lesson_that_tracks_opens_with_its_view_in_front_and_readable_tabs(qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QTabBar

    win = shown_window(qtbot, "16_edge_of_stability")
    assert not win.sharpness_dock.visibleRegion().isEmpty()
    assert win.results_dock.visibleRegion().isEmpty()  # behind, in the same tab group
    bars = [bar for bar in win.findChildren(QTabBar) if bar.isVisible()]
    assert bars and all(bar.elideMode() == Qt.TextElideMode.ElideNone for bar in bars)
    texts = {bar.tabText(i) for bar in bars for i in range(bar.count())}
    assert {"Sharpness", "Noise scale", "Update rule"} <= texts


def test_a_lesson_brings_the_tab_its_text_asks_for_to_the_front(qtbot):
    """Lesson 25 asks about the Accuracy tab: it opens in front ("view": {"tab": "accuracy"}) and
    readable; every tab a session may name is one of the window's docks."""
    from gd_core.sessions import TABS

    win = shown_window(qtbot, "25_small_batch_generalization", (1280, 720))
    assert set(win.tab_docks) == set(TABS)
    qtbot.waitUntil(lambda: in_front(win.accuracy_dock), timeout=3000)
    assert not in_front(win.results_dock) and in_front(win.formula_dock)  # each in its own group
    view = win.accuracy_view
    qtbot.waitUntil(lambda: view.height() >= view.readable_height() - 16, timeout=3000)
    # a dock's tab names its view: no bold heading repeats "Accuracy" (or "Sharpness") above the plot
    assert all(win._view_in(dock).heading.isHidden() for dock in (win.accuracy_dock, win.sharpness_dock,
                                                                   win.noise_scale_dock))


def launched(qtbot, lesson):
    """A window opened as ``gdlab --lesson NAME`` opens it: the last launch's layout restored, then shown."""
    from app import create_window

    win = create_window(lesson=lesson)
    qtbot.addWidget(win)
    win.remember_layout()
    win.show()
    qtbot.waitExposed(win)
    return win


def in_front(dock) -> bool:
    return not dock.visibleRegion().isEmpty()


def test_a_lesson_opened_over_a_remembered_layout_keeps_its_tab_in_front_and_every_tab_name_whole(qtbot):
    """`gdlab --lesson 17_...` after a launch of lesson 16 opened with the Sharpness tab in front (the restored
    layout's) and the tab names cut to "U... O... S..." (the restored layout's new tab bars elide)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QTabBar

    first = launched(qtbot, "16_edge_of_stability")
    assert in_front(first.sharpness_dock)
    first.close()
    win = launched(qtbot, "17_how_big_a_batch")
    assert in_front(win.noise_scale_dock) and not in_front(win.sharpness_dock)
    bars = [bar for bar in win.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
            if bar.isVisible()]
    assert bars and all(bar.elideMode() == Qt.TextElideMode.ElideNone and bar.usesScrollButtons() for bar in bars)
    win.files.open_builtin_lesson("16_edge_of_stability")  # from the Lessons menu: the same
    assert in_front(win.sharpness_dock)
    made = QTabBar(win)  # as Qt makes one for a new tab group (docks dragged together): it names them whole too
    made.setElideMode(Qt.TextElideMode.ElideRight)
    made.ensurePolished()
    assert made.elideMode() == Qt.TextElideMode.ElideNone
    made.deleteLater()
    action = next(a for a in win.actions() if a.objectName() == "action_reset_layout")
    action.trigger()  # the layout reset: the lesson's tab in front again
    assert in_front(win.sharpness_dock) and not in_front(win.results_dock) and in_front(win.formula_dock)


def test_a_layout_saved_with_a_grown_tab_in_front_opens_next_time_with_the_plots_room(qtbot):
    """Lesson 25 opens its Accuracy tab in front and grows the strip below the plots to make it readable (the room
    is given back when the results come to the front again). Closed so, the grown strip was saved: the next
    launch opened with the results in front in a strip ~65 px taller than View > Reset layout's, the loss plot that
    much shorter, for good. The layout is saved with the room given back."""
    first = launched(qtbot, "25_small_batch_generalization")
    first.resize(1280, 720)
    qtbot.waitUntil(lambda: first.results_dock in first._room_taken, timeout=3000)  # the Accuracy tab grown
    grown = first.accuracy_dock.height()
    first.close()
    win = launched(qtbot, None)
    qtbot.waitUntil(lambda: in_front(win.results_dock), timeout=3000)
    fresh = shown_window(qtbot, None, (win.width(), win.height()))
    qtbot.wait(100)
    assert fresh.results_dock.height() < grown - 30
    assert abs(win.results_dock.height() - fresh.results_dock.height()) <= 2
    assert win.loss_view.plot.height() >= fresh.loss_view.plot.height() - 2
    for each in (win, fresh):
        each.runner.pause()


def test_a_view_with_nothing_measured_forgets_the_last_sessions_range(window):
    """After lesson 17 (noise scales up to 1e30) a new session's empty noise-scale plot kept its axes: 1 to 1e30
    over 300 steps, for runs that measure nothing."""
    noise = window.noise_scale_view
    noise.measure.setChecked(True)
    window.model.step(300)
    noise.refresh()
    noise.plot.getPlotItem().vb.setRange(yRange=(0, 30))  # as the lesson's batch run drew it
    window.files.new()
    (x0, x1), (y0, y1) = noise.plot.getPlotItem().vb.viewRange()
    assert x1 < 10 and y1 < 5


def test_every_tab_name_is_whole_on_a_1280_px_screen(qtbot):
    """Five tabs beside the lesson needed 470 px in a 273-px column at 1280x720 (587 at Large text): the bar
    scrolled and names at its edges were cut ("...zer state"). Now two are beside the lesson and four below the
    plots: every bar holds its names whole, at Large text too."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QTabBar

    from app.theme import theme

    win = shown_window(qtbot, "16_edge_of_stability", (1280, 720))
    for size in ("normal", "large"):
        theme().set_text_size(size)
        qtbot.wait(20)  # the stale bars hidden after the first show
        bars = [bar for bar in win.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
                if bar.isVisible()]
        assert len(bars) == 2, size
        for bar in bars:
            needed = sum(bar.tabSizeHint(i).width() for i in range(bar.count()))
            assert needed <= bar.width(), (size, [bar.tabText(i) for i in range(bar.count())])


def test_no_lesson_asks_to_open_the_tab_it_opens_with():
    """Lesson 25 opens with the Accuracy tab in front but said "Open the Accuracy tab" (16 and 17 the same of the
    sharpness and the noise scale): a lesson names the tab it opens with as being in front, never as one to open."""
    import re

    from app.main_window import TAB_TITLES, front_tab
    from gd_core.lesson_library import list_lessons, load_lesson

    for name, _ in list_lessons():
        session = load_lesson(name)
        title = TAB_TITLES[front_tab(session.view, [run.config for run in session.runs])]
        text = re.sub(r"<[^>]+>", "", session.text)
        assert not re.search(rf"\bopen the {title} tab", text, re.IGNORECASE), name


def test_no_lesson_asks_to_switch_the_loss_axis_to_the_one_it_shows():
    """Lesson 19 opens with the loss over evaluations and said "Switch the loss plot's axis to Evaluations"."""
    import re

    from app.session import X_AXES
    from gd_core.lesson_library import list_lessons, load_lesson

    for name, _ in list_lessons():
        session = load_lesson(name)
        text = re.sub(r"<[^>]+>", "", session.text)
        for asked in re.findall(r"switch the (?:x-axis|loss plot's axis) to (\w+)", text, re.IGNORECASE):
            keys = [key for key, title in X_AXES.items() if asked.lower() in (key, title.lower())]
            assert keys and keys[0] != session.view["x_axis"], (name, asked)


def test_every_tab_a_lesson_names_is_one_of_the_windows():
    """Lessons 18 and 21 sent the student to "the formula panel" and lesson 20 to "the optimizer-state plot":
    the window calls them the Update rule and Optimizer state tabs."""
    import re

    from app.main_window import TAB_TITLES
    from gd_core.lesson_library import list_lessons, load_lesson

    tabs = {*TAB_TITLES.values(), "Results", "Parameter space", "Surface 3D"}
    for name, _ in list_lessons():
        text = re.sub(r"<[^>]+>", "", load_lesson(name).text)
        assert "formula panel" not in text and "optimizer-state plot" not in text, name
        for named in re.findall(r"\b[Tt]he ((?:[A-Z][a-z0-9]*)(?: [a-z0-9]+| [A-Z0-9]+)*) tab\b", text):
            assert named in tabs, (name, named)


def test_measured_plots_below_the_plots_count_from_the_first_step_with_the_legend_beside_the_controls(qtbot):
    """One measured point at step 0: the axis runs 0..1, not pyqtgraph's -0.5..0.5 around a lone point (the
    sharpness and accuracy plots of lesson 16 read steps and epochs -0.4..0.4 until the run moved). And their
    legends sit in their header rows."""
    win = shown_window(qtbot, "16_edge_of_stability")
    win.accuracy_dock.raise_()
    qtbot.waitUntil(lambda: win.accuracy_view.isVisible(), timeout=3000)
    for view in (win.sharpness_view, win.accuracy_view):
        # below the plots, as wide as they are: the legend shares the controls' row (it took a row of its own,
        # 16 px of a ~110-px plot at 1280x720)
        legend, export = view.legend.geometry(), view.export_button.geometry()
        assert view.legend.isVisible() and legend.top() < export.bottom() and export.top() < legend.bottom()
        assert view.plot.geometry().top() >= legend.bottom()
        view.refresh()
        view.plot.getPlotItem().vb.prepareForPaint()  # auto-range settles before painting
        x_range = view.plot.getPlotItem().vb.viewRange()[0]
        assert x_range[0] >= -0.1 and x_range[1] >= 0.9, (view.title, x_range)
    win.runner.pause()


def test_a_new_session_frames_its_run_not_the_heights_of_the_runs_it_replaced(window, monkeypatch):
    """One point has no height of its own, and pyqtgraph then keeps the last range's: after a run that diverged
    to 1e9, File > New showed the new run's loss of 4.8 on an axis of ±5.7e8 (a student found it), and Reset did
    not help."""
    model = window.model
    config = model.config_copy(model.selected)
    model.update_config(model.selected, {**config, "optimizer": {**config["optimizer"], "lr": 2.5}})
    model.step(40)
    window.catch_up()
    vb = window.loss_view.plot.getPlotItem().vb
    vb.prepareForPaint()
    assert vb.viewRange()[1][1] > 1e6  # the diverging run's heights
    monkeypatch.setattr(window.guard, "may_discard", lambda *args: True)
    window.files.new()
    vb.prepareForPaint()
    loss = float(model.selected.history.loss[0])
    low, high = vb.viewRange()[1]
    assert low < loss < high and high - low < 10 * loss, (low, high, loss)


def test_a_sharpness_redraw_works_out_only_what_changed(qtbot, monkeypatch):
    """Each redraw of the sharpness view: a run that did not step is left as drawn, a new measurement is appended
    to the run's points (not all of them set again), the edge of stability is worked out for the new rows only,
    and a new colour draws nothing again (it redrew every run's every row: 3 ms a redraw at 3,000 steps)."""
    from app.views import tracked

    model, view = lesson_view(qtbot, "16", tracked.SharpnessView, (500, 260))
    first, second = model.runs  # each measured every 50 steps
    model.step(100)
    view.refresh()
    rows, calls = [], []
    edge = tracked.stability_edge
    monkeypatch.setattr(tracked, "stability_edge", lambda optimizer, lr: (rows.append(np.size(lr)),
                                                                          edge(optimizer, lr))[1])
    for run in model.runs:
        for role in ("curve", "points", "line", "beyond"):
            item = getattr(view._items[id(run)], role)
            for method in ("setData", "addPoints", "clear"):
                if hasattr(item, method):
                    monkeypatch.setattr(item, method, counted(getattr(item, method), (run.name, role, method), calls))
    first.trainer.advance(50)  # a measurement at step 150
    view.refresh({id(first)})
    assert {call[0] for call in calls} == {first.name}  # the other run is left as drawn
    assert (first.name, "points", "addPoints", 1) in calls and not any(c[1:3] == ("points", "setData") for c in calls)
    assert sum(rows) <= 50 + 5  # the new rows' edges (and the latest row's), not all 151
    np.testing.assert_array_equal(view._items[id(first)].points.getData()[0], [0, 50, 100, 150])
    calls.clear()
    model.set_color(second, "#123456")
    assert not calls and view._items[id(second)].curve.opts["pen"].color() == stronger("#123456")
    assert stronger("#123456").name() in view.legend.text()


@pytest.mark.parametrize("lesson, view_name, key", [("16", "SharpnessView", "edge of stability (2/lr)"),
                                                    ("17", "NoiseScaleView", "batch size")])
def test_the_dashed_lines_key_is_a_dashed_mark_in_the_texts_colour(qtbot, lesson, view_name, key):
    """Each run draws its reference line dashed in its own colour; the legend's key for them read 'batch size
    (dashed)' beside a solid swatch in the selected run's colour - one more run, by its look (lesson 17)."""
    from app.theme import theme
    from app.views import tracked
    from app.views.base import DASHED

    model, view = lesson_view(qtbot, lesson, getattr(tracked, view_name), (700, 260))
    model.step(10)
    view.refresh()
    entries, _ = view._legend_entries
    assert entries[-1] == (theme().color("text"), key, DASHED)
    assert [entry[1] for entry in entries[:-1]] == [run.name for run in model.runs]
