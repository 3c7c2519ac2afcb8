"""The main window: panels in a left dock, the three plots in splitters, a toolbar and menus, a status bar."""

from __future__ import annotations

import os

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QLabel,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from .files import FileActions
from .lesson_panel import LessonPanel
from .panels import PANELS
from .run_list import RunList
from .runner import DEFAULT_SPEED, SPEEDS, Runner
from .session import SessionModel
from .views.data_view import DataView
from .views.formula import FormulaPanel
from .views.loss_curve import LossCurveView
from .views.optimizer_state import OptimizerStatePlot
from .views.parameter_space import ParameterSpaceView
from .views.results_table import ResultsTable
from .views.tracked import NoiseScaleView, SharpnessView

STATUS_STYLES = {
    "diverged": "background: #fdecea; color: #8a1c12; border: 1px solid #f5c2bd;",
    "converged": "background: #e8f5e9; color: #1b5e20; border: 1px solid #b9dfbb;",
    "completed": "background: #eef3fb; color: #1a3e6e; border: 1px solid #c9d8ef;",
    "info": "background: #fff8e1; color: #5d4300; border: 1px solid #f0dc9a;",
    "error": "background: #fdecea; color: #8a1c12; border: 1px solid #f5c2bd;",
}

pg.setConfigOptions(background="w", foreground="#333", imageAxisOrder="row-major", useOpenGL=False)


class MainWindow(QMainWindow):
    def __init__(self, model: SessionModel):
        super().__init__()
        self.model = model
        self.runner = Runner(model, self)
        self.setWindowTitle("GD Lab")
        self.resize(1560, 960)
        self._build_views()
        self._build_panels()
        self.files = FileActions(self)  # before the docks: the lesson dock lists the lessons it knows
        self._build_docks()
        self._build_actions()
        self._build_status()
        self.sweep_window = self.lr_finder = self.scaling_window = None  # made when first opened
        events = model.events
        events.advanced.connect(self._update_status)
        events.run_changed.connect(lambda run: self._update_status())
        events.selection_changed.connect(lambda run: self._update_status())
        events.run_reset.connect(self._on_reset)
        events.session_loaded.connect(self._on_session_loaded)
        self.runner.running_changed.connect(self._running_changed)
        self.runner.rate_measured.connect(lambda rate: self.rate_label.setText(f"{rate:,.0f} steps/s"))
        self._on_session_loaded()

    # -- layout ----------------------------------------------------------------------------------------------
    def _build_views(self) -> None:
        self.space_view = ParameterSpaceView(self.model)
        self.loss_view = LossCurveView(self.model)
        self.data_view = DataView(self.model)
        self.banner = QLabel("")
        self.banner.setObjectName("run_message")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)  # messages quote user text: never markup that loads files
        self.banner.hide()
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.loss_view)
        right.addWidget(self.data_view)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.space_view)
        split.addWidget(right)
        split.setSizes([560, 440])
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)
        self.setCentralWidget(central)

    def _build_panels(self) -> None:
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(4, 4, 4, 4)
        self.panels = [panel_type(self.model, self.show_message) for panel_type in PANELS]
        for panel in self.panels:
            column.addWidget(panel)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(holder)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(min(420, holder.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint()
                                   .width() + 6))
        self.settings_dock = self._dock("settings_dock", "Settings", scroll, Qt.DockWidgetArea.LeftDockWidgetArea)

    def _dock(self, name: str, title: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        self.run_list = RunList(self.model, self.show_message)
        self.runs_dock = self._dock("runs_dock", "Runs", self.run_list, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.results = ResultsTable(self.model)
        self.results_dock = self._dock("results_dock", "Results", self.results, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.lesson_panel = LessonPanel(self.model, lambda name: self.files.open_lesson(name),
                                        lambda: self.files.lesson_names())
        self.lesson_text = self.lesson_panel.text
        self.lesson_dock = self._dock("lesson_dock", "Lesson", self.lesson_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.lesson_dock.setMinimumWidth(300)
        self.formula = FormulaPanel(self.model)
        right = Qt.DockWidgetArea.RightDockWidgetArea
        self.formula_dock = self._dock("formula_dock", "Update rule", self.formula, right)
        self.state_plot = OptimizerStatePlot(self.model)
        self.state_dock = self._dock("state_dock", "Optimizer state", self.state_plot, right)
        self.state_dock.visibilityChanged.connect(self.state_plot.shown)
        self.tabifyDockWidget(self.formula_dock, self.state_dock)
        self.sharpness_view, self.noise_scale_view = SharpnessView(self.model), NoiseScaleView(self.model)
        self.sharpness_dock = self._dock("sharpness_dock", "Sharpness", self.sharpness_view, right)
        self.noise_scale_dock = self._dock("noise_scale_dock", "Noise scale", self.noise_scale_view, right)
        for dock in (self.sharpness_dock, self.noise_scale_dock):
            self.tabifyDockWidget(self.state_dock, dock)
        self.formula_dock.raise_()
        self.resizeDocks([self.formula_dock], [330], Qt.Orientation.Horizontal)
        self.resizeDocks([self.results_dock], [150], Qt.Orientation.Vertical)
        self.resizeDocks([self.settings_dock, self.runs_dock], [700, 150], Qt.Orientation.Vertical)

    def _action(self, name: str, text: str, shortcut: str, tip: str, slot) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setToolTip(f"{tip} ({shortcut})")
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.action_run = self._action("action_run", "Run", "Space", "Run or pause training", self.toggle_run)
        self.action_step = self._action("action_step", "Step", "S", "Make exactly one update, then pause",
                                        self.step_once)
        self.action_reset = self._action("action_reset", "Reset", "R", "Return the run to its start point",
                                         self.reset)
        self.action_quit = self._action("action_quit", "Quit", "Ctrl+Q", "Close GD Lab", self.close)
        self.files.file_menu.addAction(self.action_quit)
        run_menu = self.menuBar().addMenu("&Run")
        for action in (self.action_run, self.action_step, self.action_reset):
            run_menu.addAction(action)
        runs_menu = self.menuBar().addMenu("R&uns")
        self.action_compare = self._action("action_compare", "Compare variants", "Ctrl+K",
                                           "Batch, stochastic and mini-batch copies of the selected run with its "
                                           "start, seed and epoch budget", self.compare_variants)
        self.action_sweep = self._action("action_sweep", "Learning-rate sweep...", "Ctrl+L",
                                         "Final loss against learning rate for the selected run", self.open_sweep)
        for name, text, slot in (("add", "Add run", self.run_list.add),
                                 ("duplicate", "Duplicate run", self.run_list.duplicate),
                                 ("remove", "Remove run", self.run_list.remove)):
            action = runs_menu.addAction(text, slot)
            action.setObjectName(f"action_{name}_run")
        runs_menu.addSeparator()
        runs_menu.addAction(self.action_compare)
        runs_menu.addAction(self.action_sweep)
        self.action_find_lr = self._action("action_find_lr", "Find learning rate...", "Ctrl+Shift+L",
                                           "The learning-rate range test of the selected run, with a suggestion",
                                           self.open_lr_finder)
        runs_menu.addAction(self.action_find_lr)
        self.action_scaling = self._action("action_scaling", "Batch-size scaling...", "Ctrl+Shift+B",
                                           "Steps and epochs to a target loss against the batch size, with the "
                                           "critical batch size fitted", self.open_batch_scaling)
        runs_menu.addAction(self.action_scaling)
        view_menu = self.menuBar().addMenu("&View")
        for dock in (self.settings_dock, self.runs_dock, self.results_dock, self.lesson_dock, self.formula_dock,
                     self.state_dock, self.sharpness_dock, self.noise_scale_dock):
            view_menu.addAction(dock.toggleViewAction())
        toolbar = self.addToolBar("Run")
        toolbar.setObjectName("run_toolbar")
        toolbar.setMovable(False)
        for action in (self.action_run, self.action_step, self.action_reset):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addWidget(QLabel(" Speed "))
        self.speed = QComboBox()
        self.speed.setObjectName("speed")
        self.speed.addItems(list(SPEEDS))
        self.speed.setCurrentText(DEFAULT_SPEED)
        self.speed.setToolTip("Steps per second: slow to watch single steps, Max to go as fast as the core can.")
        self.speed.currentTextChanged.connect(self.runner.set_speed)
        toolbar.addWidget(self.speed)
        toolbar.addSeparator()
        toolbar.addAction(self.action_compare)
        toolbar.addAction(self.action_sweep)

    def _build_status(self) -> None:
        bar = self.statusBar()
        self.state_label, self.step_label, self.epoch_label = QLabel(), QLabel(), QLabel()
        self.loss_label, self.rate_label = QLabel(), QLabel("0 steps/s")
        for name, label in (("status_state", self.state_label), ("status_step", self.step_label),
                            ("status_epoch", self.epoch_label), ("status_loss", self.loss_label),
                            ("status_rate", self.rate_label)):
            label.setObjectName(name)
            label.setMinimumWidth(90)
            bar.addPermanentWidget(label)

    # -- behaviour -------------------------------------------------------------------------------------------
    def toggle_run(self) -> None:
        if self.runner.running:
            self.runner.pause()
            return
        if self.model.all_done:  # run again from the start
            for run in self.model.runs:
                self.model.reset(run)
        self.runner.start()

    def step_once(self) -> None:
        if self.model.all_done:
            self.show_message("The run has ended: press Reset (R) to start again, or make it longer.", "info")
            self.runner.pause()
            return
        self.runner.step_once()

    def reset(self) -> None:
        self.runner.pause()
        for run in self.model.runs:
            self.model.reset(run)

    def compare_variants(self) -> None:
        self.runner.pause()
        try:
            copies = self.model.compare_variants(self.model.selected)
        except ValueError as error:
            self.show_message(f"Nothing to compare: {error}.", "info")
            return
        self.show_message(f"Added {', '.join(r.name for r in copies)}: same start, seed and epoch budget; the loss "
                          "is drawn per epoch. Press Space to run them together.", "info")

    def open_lr_finder(self) -> None:
        if self.lr_finder is None:
            from .views.lr_finder import LearningRateFinder
            self.lr_finder = LearningRateFinder(self.model, self)
        self.lr_finder.show()
        self.lr_finder.raise_()

    def open_sweep(self) -> None:
        if self.sweep_window is None:
            from .views.sweep import SweepWindow
            self.sweep_window = SweepWindow(self.model, self)
        self.sweep_window.show()
        self.sweep_window.raise_()

    def open_batch_scaling(self) -> None:
        if self.scaling_window is None:
            from .views.batch_scaling import BatchScalingWindow
            self.scaling_window = BatchScalingWindow(self.model, self)
        self.scaling_window.suggest_target()
        self.scaling_window.show()
        self.scaling_window.raise_()

    def update_title(self) -> None:
        name = os.path.basename(self.files.path) if self.files.path else self.model.title
        self.setWindowTitle(f"GD Lab - {name}" if name else "GD Lab")

    def _on_session_loaded(self) -> None:
        model = self.model
        self.lesson_dock.setVisible(bool(model.title or model.text or model.questions or model.challenge))
        self.banner.hide()
        self.update_title()
        self._update_status()

    def _on_reset(self, run, reason) -> None:
        self.show_message(reason, "info")
        self._update_status()

    def _running_changed(self, running: bool) -> None:
        self.action_run.setText("Pause" if running else "Run")
        self._update_status()

    def show_message(self, text: str, kind: str = "info") -> None:
        """Show a one-line message above the plots (no dialogs: a diverging run must not open a dialog storm)."""
        self.banner.setText(text)
        self.banner.setStyleSheet(f"QLabel {{ {STATUS_STYLES[kind]} padding: 5px 8px; border-radius: 3px; }}")
        self.banner.setVisible(bool(text))

    def closeEvent(self, event) -> None:
        self.runner.pause()  # no tick may reach views that are going away
        self.space_view.worker.wait()  # nor a surface still being computed
        for window in (self.sweep_window, self.scaling_window):
            if window is not None:
                window.runner.wait()  # nor a sweep or a scaling
        super().closeEvent(event)

    def _update_status(self) -> None:
        run = self.model.selected
        self.action_compare.setEnabled(run.trainer.problem.dataset is not None)
        history, trainer = run.history, run.trainer
        status = history.status
        state = ("running" if self.runner.running else "paused") if status == "running" else status
        self.state_label.setText(state.capitalize())
        self.step_label.setText(f"step {trainer.step:,}")
        self.epoch_label.setText(f"epoch {history.epoch[-1]:.3g}")
        self.loss_label.setText(f"loss {history.loss[-1]:.5g}")
        if status != "running":
            self.show_message(f"{run.name}: {history.message}", status)
