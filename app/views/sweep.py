"""Learning-rate sweep: the final loss against the learning rate (log axes), one curve per variant or optimizer,
and a learning rate x batch size heat map - for the selected run, computed by gd_core.sweep.run_sweep on a
worker process (gd_core.sweep_worker): a progress bar, each series drawn as it arrives, and Stop (as Orange's MDS
widget runs its optimizer). The window only schedules and draws."""

from __future__ import annotations

import sys

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QProcess, QRectF, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

import gd_core
from gd_core import OPTIMIZERS, sweep, sweep_worker
from gd_core.samplers import VARIANTS

from ..export_menu import ExportButton
from ..exports import Picture
from ..palette import SEMANTIC, VARIANT_COLORS, run_color
from ..theme import theme
from ..widgets import ComboBox, NumberSpinBox, SpinBox
from .base import crisp_color_bar, plot_widget, with_run_named

#: The heat map's colours: viridis, whose lightness rises steadily from the lowest loss to the highest for every
#: student, protan-, deuter- and tritanopes too (Machado 2009) - the order reads without telling hues apart.
HEAT_COLORS = pg.colormap.get("viridis")
#: The cross on a diverged run's cell, which is drawn in the map's top colour (viridis' yellow): the map looks the
#: same in both themes, so its mark does too - the light theme's dark red, 7.4:1 on the yellow (the dark theme's
#: light red had 1.35:1 there).
DIVERGED_MARK = SEMANTIC["light"]["diverged"][0]
PROGRESS_STEPS = 1000


class SweepRunner(QObject):
    """Runs a sweep (or a batch-size scaling) in a process of its own (:mod:`gd_core.sweep_worker`; why not a
    thread: see there) and turns its output into signals in the GUI thread: ``progressed(fraction)``,
    ``arrived(update)`` for each finished series (or batch size) and ``ended(status)`` once ("done", "stopped" or
    an error message)."""

    progressed = Signal(float)
    arrived = Signal(object)
    ended = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.process: QProcess | None = None
        self._jobs: list = []
        self._buffer = b""
        self._ended = True

    @property
    def running(self) -> bool:
        return not self._ended

    def start(self, jobs, problem_config: dict, hold: float = 0.0) -> None:
        self.start_request(sweep_worker.request_text(problem_config, jobs, hold), jobs)

    def start_request(self, request: str, jobs=()) -> None:
        """Start the worker on a request (see gd_core.sweep_worker): a sweep of ``jobs``, or a batch-size
        scaling, whose updates arrive as they are (:class:`gd_core.batch_scaling.ScalingUpdate`)."""
        self.wait()
        self._jobs, self._buffer, self._ended = jobs, b"", False
        process = QProcess(self)
        process.setProgram(sys.executable)
        process.setArguments(["-m", "gd_core.sweep_worker"])
        process.readyReadStandardOutput.connect(self._read)
        process.finished.connect(self._finished)
        process.errorOccurred.connect(self._failed)
        self.process = process
        process.start()
        process.write(request.encode("utf-8"))
        process.closeWriteChannel()

    def stop(self) -> None:
        """Stop at once: the worker process is ended; the series that arrived stay."""
        if self.process is not None and not self._ended:
            self._end("stopped")
            self.process.kill()

    def wait(self, timeout_ms: int = 5000) -> None:
        """Stop and wait for the worker (closing the window)."""
        self.stop()
        if self.process is not None:
            self.process.waitForFinished(timeout_ms)

    def _end(self, status: str) -> None:
        if not self._ended:
            self._ended = True
            self.ended.emit(status)

    def _read(self) -> None:
        self._buffer += bytes(self.process.readAllStandardOutput())
        *lines, self._buffer = self._buffer.split(b"\n")
        progress = None
        for line in lines:
            if self._ended:
                return
            message = sweep_worker.parse_line(line.decode("utf-8"))
            if "end" in message:
                if progress is not None:
                    self.progressed.emit(progress)
                self._end("done" if message["end"] == "done" else message["message"])
                self.process.waitForFinished(2000)  # it exits right after its last line (ended first: this
                return  # wait delivers the finished signal)
            progress = message["progress"]
            if "job" in message:
                self.arrived.emit(sweep.SweepUpdate(progress, self._jobs[message["job"]],
                                                    np.array(message["losses"], dtype=float)))
            elif "update" in message:
                self.arrived.emit(message["update"])
        if progress is not None:
            self.progressed.emit(progress)

    def _finished(self, code, status) -> None:
        self._read()
        self._end(f"The sweep failed: its worker ended unexpectedly (exit code {code}).")

    def _failed(self, error) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._end(f"The sweep could not start its worker: {self.process.errorString()}")


class SweepDialog(QDialog):
    """A non-modal window that computes on a :class:`SweepRunner`: Compute and Stop buttons and a progress bar
    that follows the worker. A subclass lays them out, starts the work with :meth:`_begin`, takes each update in
    ``_arrived`` and says how the work ended in ``_show_end`` ("done", "stopped" or an error message); closing
    the window stops the worker. ``finished`` is emitted once a computation is done."""

    finished = Signal()

    def __init__(self, model, title: str, name: str, parent=None):
        super().__init__(parent)
        self.computed_for = None  # the run whose settings the last Compute took (named as it is called now)
        self.setWindowTitle(title)
        self.setObjectName(name)
        self.resize(1100, 560)
        self.model = model
        self.compute_button = QPushButton("Compute")
        self.compute_button.clicked.connect(self.compute)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, PROGRESS_STEPS)
        self.progress_bar.setTextVisible(False)
        self.runner = SweepRunner(self)
        self.runner.progressed.connect(lambda fraction: self.progress_bar.setValue(round(fraction * PROGRESS_STEPS)))
        self.runner.arrived.connect(self._arrived)
        self.runner.ended.connect(self._ended)

    def compute(self) -> None:
        raise NotImplementedError

    def whose(self) -> str:
        """The name of the run whose settings the plots show: the last Compute's, else the selected run's."""
        return (self.computed_for or self.model.selected).name

    def _arrived(self, update) -> None:
        raise NotImplementedError

    def _show_end(self, status: str) -> None:
        raise NotImplementedError

    def _lay_out(self, controls, *plots) -> None:
        """``controls`` on the left; on the right the legend row (``self.legend``, and Export of
        ``self.pictures``) over ``plots`` side by side."""
        layout = QHBoxLayout(self)
        layout.addLayout(controls)
        column = QVBoxLayout()
        top = QHBoxLayout()
        top.addWidget(self.legend, 1)
        top.addWidget(ExportButton(self.pictures))
        column.addLayout(top)
        row = QHBoxLayout()
        for plot in plots:
            row.addWidget(plot, 1)
        column.addLayout(row)
        layout.addLayout(column, 1)

    def _begin(self) -> None:
        """The work is about to start: Stop, not Compute, and an empty bar."""
        self.compute_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.progress_bar.setValue(0)

    def stop(self) -> None:
        """Stop the work at hand (what arrived so far stays drawn)."""
        self.runner.stop()

    @property
    def running(self) -> bool:
        return self.runner.running

    def _ended(self, status: str) -> None:
        self.compute_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        if status == "done":
            self.progress_bar.setValue(PROGRESS_STEPS)
        self._show_end(status)
        if status == "done":
            self.finished.emit()

    def closeEvent(self, event) -> None:
        self.runner.wait()  # a closed window computes nothing more
        super().closeEvent(event)


class SweepWindow(SweepDialog):
    """Non-modal: compute, watch the curves fill in, compare with the run's own learning rate (dashed line)."""

    def __init__(self, model, parent=None):
        super().__init__(model, "Learning-rate sweep", "sweep_window", parent)
        self.results: dict[str, np.ndarray] = {}
        self.by = "variant"  # what the computed series are: variants or optimizers
        self.grid: np.ndarray | None = None
        controls = QFormLayout()
        self.low, self.high = NumberSpinBox(1e-8, 1e4, log=True), NumberSpinBox(1e-8, 1e4, log=True)
        self.low.setValue(1e-3)
        self.high.setValue(1.0)
        self.low.setToolTip("Smallest learning rate of the sweep.")
        self.high.setToolTip("Largest learning rate of the sweep.")
        self.count = SpinBox()
        self.count.setRange(2, 64)
        self.count.setValue(16)
        self.count.setToolTip("How many learning rates, evenly spaced on a log scale (each is one run).")
        self.series = ComboBox()
        self.series.addItem("variants (batch, stochastic, mini-batch)", "variant")
        self.series.addItem("optimizers", "optimizer")
        self.series.setToolTip("One curve per variant (same epoch budget) or per optimizer (same run otherwise).")
        self.series.currentIndexChanged.connect(self._series_changed)
        self.optimizers = {name: QCheckBox(name) for name in OPTIMIZERS}
        for name, box in self.optimizers.items():
            box.setChecked(name in ("plain", "momentum", "adam"))
            box.setToolTip(OPTIMIZERS[name].doc)
        grid = QGridLayout()
        for i, box in enumerate(self.optimizers.values()):
            grid.addWidget(box, i // 4, i % 4)
        self.with_grid = QCheckBox("learning rate × batch size heat map")
        self.with_grid.setChecked(True)
        self._grid_wanted = True  # the box as the user left it, while a problem without samples unticks it
        self.with_grid.toggled.connect(lambda on: self.with_grid.isEnabled() and setattr(self, "_grid_wanted", on))
        controls.addRow("from", self.low)
        controls.addRow("to", self.high)
        controls.addRow("rates", self.count)
        controls.addRow("curves", self.series)
        controls.addRow(grid)
        controls.addRow(self.with_grid)
        self.compute_button.setObjectName("sweep_compute")
        self.compute_button.setToolTip("Run the sweep for the selected run (its start, seed and data).")
        self.stop_button.setObjectName("sweep_stop")
        self.stop_button.setToolTip("Stop the sweep; the series computed so far stay drawn.")
        self.progress_bar.setObjectName("sweep_progress")
        self.progress = QLabel("")
        self.progress.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.compute_button)
        buttons.addWidget(self.stop_button)
        controls.addRow(buttons)
        controls.addRow(self.progress_bar)
        controls.addRow(self.progress)
        self.curves = plot_widget()
        self.curves.setLogMode(x=True, y=True)
        self.curves.setLabel("bottom", "learning rate")
        self.curves.setLabel("left", "final loss (diverged: not drawn)")
        # one curve per series name, made when first needed and refilled by later sweeps (emptied when unused);
        # the legend is a label above the plots
        self.lr_line = pg.InfiniteLine(angle=90)
        self.curves.addItem(self.lr_line)
        self._series_items: dict[str, pg.PlotDataItem] = {}
        self.legend = QLabel("")
        self.legend.setObjectName("sweep_legend")
        self.legend.setToolTip("The series drawn, in their colours; the dashed line is the run's own rate.")
        self.heat = plot_widget()
        self.heat.setLabel("bottom", "log10(learning rate)")
        self.heat.setLabel("left", "batch size")
        self.heat_image = pg.ImageItem(axisOrder="row-major")
        self.heat_image.setColorMap(HEAT_COLORS)
        self.heat.addItem(self.heat_image)
        self.heat_bar = pg.ColorBarItem(colorMap=HEAT_COLORS, interactive=False, width=12,
                                        label="log10(final loss)   × = diverged")
        self.heat_bar.setImageItem(self.heat_image, insert_in=self.heat.getPlotItem())
        crisp_color_bar(self.heat_bar)
        self.diverged = pg.ScatterPlotItem(symbol="x", size=9)
        self.heat.addItem(self.diverged)
        for plot in (self.curves, self.heat):
            plot.setMenuEnabled(False)
        self._restyle()
        theme().changed.connect(self._restyle)
        self._lay_out(controls, self.curves, self.heat)
        self._series_changed()
        for box in (self.low, self.high):
            box.valueChanged.connect(lambda value: self.isVisible() and not (self.results or self.running)
                                     and self._frame_empty())
        self._offer_grid()
        events = model.events
        for event in (events.selection_changed, events.run_reset, events.run_changed, events.session_loaded):
            event.connect(lambda *args: self._follow_selected())

    def _follow_selected(self) -> None:
        """Another run, lesson or setting: the heat map's box again and, before a sweep, the empty frame of the
        run selected now (open over another lesson, the dashed line stayed at the last lesson's rate)."""
        self._offer_grid()
        if self.isVisible() and not (self.results or self.running):
            self._frame_empty()

    def _offer_grid(self) -> None:
        """The heat map's box, for the selected run's problem: ticked as the user left it, or - where no map can
        be drawn (gd_core.sweep.grid_unavailable: no samples to batch) - unticked and disabled, saying why."""
        why = sweep.grid_unavailable(self.model.selected.trainer.problem)
        self.with_grid.setEnabled(not why)
        self.with_grid.setChecked(self._grid_wanted and not why)
        self.with_grid.setToolTip(f"No heat map: {why} (its rows are batch sizes)." if why else
                                  f"Also run up to {sweep.GRID_SIZES} batch sizes - the largest powers of two "
                                  "below n, and n - at every rate, on the same epoch budget.")

    def pictures(self) -> list[Picture]:
        """The sweep curves (with their legend) and the heat map, for Export."""
        curves, heat = self.curves.getPlotItem(), self.heat.getPlotItem()
        return [Picture("Sweep curves", curves, curves, with_run_named(self.whose(), self.legend.text())),
                Picture("Heat map", heat, heat, with_run_named(self.whose()))]

    def _restyle(self) -> None:
        look = theme()
        for plot in (self.curves, self.heat):
            look.style_plot(plot)
        self.lr_line.setPen(look.pen(look.color("text"), style=pg.QtCore.Qt.PenStyle.DashLine))
        self.diverged.setPen(look.pen(DIVERGED_MARK, 2))
        self._style_series()

    def series_color(self, key: str, index: int) -> str:
        """A variant's fixed colour (the same in every view), or the index-th run colour for an optimizer, in
        this palette's shade."""
        color = VARIANT_COLORS.get(key, run_color(index)) if self.by == "variant" else run_color(index)
        return theme().shade(color).name()

    def _style_series(self) -> None:
        """Pens of the series drawn so far and the legend naming them, in the palette's colours."""
        for i, name in enumerate(self.results):
            color = self.series_color(name, i)
            self._series_items[name].setPen(theme().pen(color, 2))
            self._series_items[name].setSymbolBrush(color)
        self.legend.setText("&nbsp;&nbsp;".join(f'<span style="color:{self.series_color(name, i)}">■</span> '
                                                f'{self.series_name(name)}' for i, name in enumerate(self.results)))

    def series_name(self, key: str) -> str:
        """A series as the rest of the window names it: "mini-batch" (the variant's title), or the optimizer."""
        return VARIANTS[key].title.lower() if self.by == "variant" else key

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self.results and not self.running:
            self._frame_empty()

    def _frame_empty(self) -> None:
        """Before a sweep: the dashed line at the selected run's rate, both plots spanning the rates to be swept
        and the map's rows the batch sizes it would run - not pyqtgraph's range around the dashed line alone (a
        span of 0.001 labelled "(x0.001)", its ticks printed over one another)."""
        run = self.model.selected
        rate = run.config["optimizer"].get("lr")
        if rate:
            self.lr_line.setValue(np.log10(rate))
        x = sorted(np.log10([self.low.value(), self.high.value()]))
        losses = run.history.loss[np.isfinite(run.history.loss) & (run.history.loss > 0)]
        y = np.log10([losses.min(), losses.max()]) if len(losses) else (-1.0, 1.0)
        self.curves.setRange(xRange=x, yRange=(y[0] - 0.5, y[1] + 0.5), padding=0.05)
        problem = run.trainer.problem
        sizes = sweep.batch_sizes(problem.n_samples) if problem.dataset is not None else []
        self.heat.getPlotItem().getAxis("left").setTicks([[(i, str(k)) for i, k in enumerate(sizes)]])
        self.heat.setRange(xRange=x, yRange=(-0.7, max(len(sizes), 1) - 0.3), padding=0.05)

    def _series_changed(self) -> None:
        by_optimizer = self.series.currentData() == "optimizer"
        for box in self.optimizers.values():
            box.setEnabled(by_optimizer)

    # -- computing -------------------------------------------------------------------------------------------
    def compute(self) -> None:
        run = self.model.selected
        try:
            lrs = sweep.learning_rates(self.low.value(), self.high.value(), self.count.value())
        except ValueError as error:
            self.progress.setText(f"Not computed: {error}.")
            return
        config = self.model.config_copy(run)
        config["init"] = [float(v) for v in run.history.params[0]]
        has_data = run.trainer.problem.dataset is not None
        by = self.series.currentData()
        if by == "variant" and not has_data:
            by = "optimizer"
            self.series.setCurrentIndex(1)
        names = sweep.SWEEP_VARIANTS if by == "variant" else [n for n, b in self.optimizers.items() if b.isChecked()]
        if not names:
            self.progress.setText("Not computed: tick at least one optimizer.")
            return
        self.sizes = sweep.batch_sizes(run.trainer.problem.n_samples) if has_data and self.with_grid.isChecked() \
            else []
        jobs = sweep.sweep_jobs(config, lrs, by, names, self.sizes)
        try:  # refused before anything is computed
            sweep.check_sweep_work(jobs, run.trainer.problem)
        except gd_core.ConfigError as error:
            self.progress.setText(f"Not computed: {error}")
            return
        self.computed_for = run  # (a refused Compute leaves the last one's results, and their run)
        self.lrs, self.results, self.grid, self._grid_done, self.by = lrs, {}, None, set(), by
        for item in self._series_items.values():
            item.setData([], [])
        self.curves.enableAutoRange()  # the series as they arrive: the empty frame (_frame_empty) cut them off
        self.lr_line.setValue(np.log10(config["optimizer"]["lr"]))
        self.legend.setText("")
        self.heat_image.clear()  # the last sweep's map is not this one's: stopped before its rows, or none asked
        self.diverged.clear()
        if self.sizes:
            self.grid = np.full((len(self.sizes), len(lrs)), np.nan)
        self._total, self._done = len(jobs), 0
        self._begin()
        self.progress.setText(f"Computing... 0/{self._total} series")
        self.runner.start(jobs, config)

    def _arrived(self, update) -> None:
        job, losses = update.job, update.losses
        if job.kind == "series":
            self.results[job.key] = losses
            finite = np.where(losses > 0, losses, np.nan)
            item = self._series_items.get(job.key)
            if item is None:
                item = self._series_items[job.key] = self.curves.plot([], [], symbol="o", symbolSize=5,
                                                                      symbolPen=None, connect="finite")
            shown = np.isfinite(finite).any()  # every run diverged: nothing to draw (the legend still names it)
            item.setData(self.lrs if shown else [], finite if shown else [])
            self._style_series()
        else:
            self.grid[job.key] = losses
            self._grid_done.add(job.key)
            self._draw_grid()
        self._done += 1
        self.progress.setText(f"Computing... {self._done}/{self._total} series")

    def _show_end(self, status: str) -> None:
        if status == "done":
            self.progress.setText(f"Done: {self._total} series of {len(self.lrs)} runs.")
        elif status == "stopped":
            self.progress.setText(f"Stopped: {self._done} of {self._total} series computed.")
        else:
            self.progress.setText(status)

    def _draw_grid(self) -> None:
        with np.errstate(divide="ignore", invalid="ignore"):
            shown = np.log10(np.where(self.grid > 0, self.grid, np.nan))
        finite = shown[np.isfinite(shown)]
        if not len(finite):
            return
        low, high = float(finite.min()), float(finite.max())
        computed = np.zeros(len(self.sizes), dtype=bool)
        computed[sorted(self._grid_done)] = True
        # a diverged run (NaN in a computed row) in the worst colour, under its cross; a row not computed yet
        # (or never: Stop) stays NaN, which the image leaves transparent
        image = np.where(np.isfinite(shown) | ~computed[:, None], shown, high)
        self.heat_image.setImage(image, autoLevels=False, levels=(low, high if high > low else low + 1))
        x = np.log10(self.lrs)
        dx = x[1] - x[0]
        self.heat_image.setRect(QRectF(x[0] - dx / 2, -0.5, dx * len(x), len(self.sizes)))
        self.heat_bar.setLevels((low, high if high > low else low + 1))
        rows, cols = np.nonzero(np.isnan(self.grid) & computed[:, None])  # NaN in a computed row: diverged
        self.diverged.setData(x[cols], rows.astype(float))
        self.heat.getPlotItem().getAxis("left").setTicks([[(i, str(k)) for i, k in enumerate(self.sizes)]])
        self.heat.setRange(xRange=(x[0] - dx, x[-1] + dx), yRange=(-0.7, len(self.sizes) - 0.3), padding=0)
