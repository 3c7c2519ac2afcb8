"""The learning-rate sweep runs off the window's thread: the event loop keeps running, results arrive series by
series, and Stop stops it mid-way."""

import time

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QProcess, QTimer

import gd_core


def _long_sweep(window, steps):
    """One series (plain gradient descent) of runs of ``steps`` steps on a function: a single long job."""
    model = window.model
    config = gd_core.switch_problem(dict(model.selected.config), "rosenbrock")
    config.pop("epochs", None)
    model.update_config(model.selected, {**config, "steps": steps})
    window.open_sweep()
    sweep = window.sweep_window
    sweep.series.setCurrentIndex(1)
    for name, box in sweep.optimizers.items():
        box.setChecked(name in ("plain", "adam"))
    sweep.low.setValue(1e-5)
    sweep.high.setValue(1e-3)
    sweep.count.setValue(4)
    return sweep


def test_the_event_loop_runs_while_a_series_is_computed(window, qtbot):
    sweep = _long_sweep(window, 20_000)  # about 0.5 s a series
    ticks = []
    timer = QTimer(window)
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(sweep.running))
    timer.start()
    started = time.perf_counter()
    with qtbot.waitSignal(sweep.finished, timeout=60_000):
        sweep.compute_button.click()
        assert sweep.running and not sweep.compute_button.isEnabled() and sweep.stop_button.isEnabled()
    timer.stop()
    assert sum(ticks) >= 5, (sum(ticks), time.perf_counter() - started)  # timer events while the sweep ran
    assert set(sweep.results) == {"plain", "adam"} and sweep.progress_bar.value() == sweep.progress_bar.maximum()
    expected = gd_core.sweep.final_losses(gd_core.run_many(gd_core.sweep.series_configs(
        {**window.model.config_copy(window.model.selected), "init": [-1.2, 1.0]}, sweep.lrs, "optimizer",
        ["plain"])["plain"]))
    np.testing.assert_allclose(sweep.results["plain"], expected, rtol=1e-12)


def test_a_function_gets_no_heat_map_box_to_tick_and_its_tooltip_says_why(window):
    """The heat map's rows are batch sizes: for a function of x and y (no samples) its box was ticked and enabled,
    and only after computing a message said there was no map. Selecting such a run unticks and disables it, with
    the reason; a run with data gets it back as the user left it."""
    model = window.model
    window.open_sweep()
    sweep = window.sweep_window
    data_run = model.selected
    assert sweep.with_grid.isEnabled() and sweep.with_grid.isChecked()
    function = model.add_run(gd_core.switch_problem(dict(data_run.config), "rosenbrock"))  # selected
    assert not sweep.with_grid.isEnabled() and not sweep.with_grid.isChecked()
    assert "No heat map: a function of x and y has no samples to batch" in sweep.with_grid.toolTip()
    model.select(data_run)
    assert sweep.with_grid.isEnabled() and sweep.with_grid.isChecked() and "batch sizes" in sweep.with_grid.toolTip()
    sweep.with_grid.setChecked(False)
    model.select(function)
    model.select(data_run)
    assert sweep.with_grid.isEnabled() and not sweep.with_grid.isChecked()  # as the user left it


def test_a_sweep_stops_mid_way_and_keeps_what_it_computed(window, qtbot):
    sweep = _long_sweep(window, 4_000)
    start = sweep.runner.start
    # the worker holds 30 s after each finished series, so Stop comes between two series on any machine
    sweep.runner.start = lambda jobs, config: start(jobs, config, hold=30.0)
    sweep.compute_button.click()
    qtbot.waitUntil(lambda: "plain" in sweep.results, timeout=60_000)  # the first series is drawn at once
    assert sweep.running and 0 < sweep.progress_bar.value() < sweep.progress_bar.maximum()
    sweep.stop_button.click()
    qtbot.waitUntil(lambda: not sweep.running, timeout=10_000)
    assert "Stopped: 1 of 2 series computed" in sweep.progress.text()
    assert set(sweep.results) == {"plain"} and sweep.compute_button.isEnabled() and not sweep.stop_button.isEnabled()
    qtbot.waitUntil(lambda: sweep.runner.process.state() == QProcess.ProcessState.NotRunning, timeout=10_000)
    assert len(sweep._series_items["plain"].getData()[0]) == len(sweep.lrs)


def test_closing_the_window_stops_a_running_sweep(window, qtbot):
    sweep = _long_sweep(window, 300_000)
    sweep.compute_button.click()
    assert sweep.running
    sweep.close()
    assert sweep.runner.process.state() == QProcess.ProcessState.NotRunning and not sweep.running


def test_the_heat_map_shows_only_this_sweeps_computed_rows(window, qtbot):
    """A second sweep stopped before its heat-map rows (or without them) still showed the last sweep's whole
    map, and rows not computed were painted in the worst colour, like diverged runs."""
    window.open_sweep()
    sweep = window.sweep_window
    assert sweep.lr_line.value() == pytest.approx(np.log10(0.05))  # the run's own rate, before any sweep too
    sweep.count.setValue(4)
    with qtbot.waitSignal(sweep.finished, timeout=60_000):
        sweep.compute_button.click()
    assert "mini-batch" in sweep.legend.text() and "minibatch" not in sweep.legend.text()  # as the window says it
    # the computed curves are framed: the range of the empty frame (the run's own losses) stayed, and curves
    # below it were cut off - a series in the legend, not in the plot (lesson 1, a student found)
    view = sweep.curves.getViewBox()
    view.prepareForPaint()
    (_, _), (y0, y1) = view.viewRange()
    for item in sweep._series_items.values():
        low, high = item.dataBounds(1)
        assert y0 <= low and high <= y1, (item.name(), low, high, y0, y1)
    image = sweep.heat_image.image
    assert image is not None and image.shape == (len(sweep.sizes), 4) and np.isfinite(image).all()
    sweep.grid[2:] = np.nan  # as if Stop had come after two rows: theirs drawn, the others transparent
    sweep._grid_done = {0, 1}
    sweep._draw_grid()
    assert np.isfinite(sweep.heat_image.image[:2]).all() and np.isnan(sweep.heat_image.image[2:]).all()
    sweep.with_grid.setChecked(False)
    with qtbot.waitSignal(sweep.finished, timeout=60_000):
        sweep.compute_button.click()
    assert sweep.heat_image.image is None and not len(sweep.diverged.data)


def test_before_a_sweep_the_plots_span_the_rates_to_be_swept(window):
    """The empty plots were ranged around the dashed line alone: a span of 0.001 labelled "(x0.001)", log ticks
    printed over one another, and a map of batch sizes -500..500."""
    window.open_sweep()
    sweep = window.sweep_window
    for plot in (sweep.curves, sweep.heat):
        (x0, x1), _ = plot.getViewBox().viewRange()
        assert x0 <= -3 < 0 <= x1 and x1 - x0 < 4  # log10 of 0.001 .. 1
        assert plot.getPlotItem().getAxis("bottom").autoSIPrefixScale == 1
    ticks = sweep.heat.getPlotItem().getAxis("left")._tickLevels[0]
    assert [label for _, label in ticks] == [str(k) for k in gd_core.sweep.batch_sizes(200)]
    sweep.high.setValue(100.0)  # the range follows the boxes while nothing is computed
    (x0, x1), _ = sweep.curves.getViewBox().viewRange()
    assert x0 <= -3 and 2 <= x1 < 3


def test_no_axis_of_any_plot_scales_its_ticks_by_an_si_prefix(window):
    """A sweep whose losses reach 1e9 labelled its log axis "final loss (x1e+09)" and scaled its tick labels by
    1e-9; the sweep, the rate finder and the batch-size scaling had pyqtgraph's prefixes, the views not."""
    window.model.selected.history.loss[0] = 2.6e9  # as after a run that diverged
    window.open_sweep()
    window.open_lr_finder()
    window.open_batch_scaling()
    widgets = [window.sweep_window.curves, window.sweep_window.heat, window.lr_finder.plot,
               window.scaling_window.steps_plot, window.scaling_window.epochs_plot, window.space_view.plot,
               window.loss_view.plot, window.state_plot.layout_widget]
    axes = [item for widget in widgets for item in widget.scene().items() if isinstance(item, pg.AxisItem)]
    assert len(axes) >= 17 and not any(axis.autoSIPrefix for axis in axes)
    (_, _), (y0, y1) = window.sweep_window.curves.getViewBox().viewRange()
    axis = window.sweep_window.curves.getPlotItem().getAxis("left")
    assert y1 > 9 and axis.autoSIPrefixScale == 1 and "x1e" not in axis.labelString()
