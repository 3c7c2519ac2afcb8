"""The results table: per run its state, final and best full loss, with a validation split the best validation
loss and the step where it was reached, and the steps, epochs and samples it took
to come within a tolerance of the known minimum. A function has no data: its epochs and samples are "-"."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from gd_core.results import TOLERANCE, run_summary, state_word, summary_text

from ..theme import theme
from ..throttle import Throttle
from ..widgets import NumberSpinBox

COLUMNS = ("run", "status", "final loss", "best loss", "best val. loss", "at step", "steps", "epochs", "samples",
           "steps to tol.", "epochs to tol.", "samples to tol.")
DATA_COLUMNS = ("epochs", "samples", "epochs to tol.", "samples to tol.")  # "-" for a function (no data)
VALIDATION_COLUMNS = ("best val. loss", "at step")  # "-" without a validation split
REFRESH_S = 0.5  # while training, the table follows at most twice a second


def run_state(run, running: bool) -> str:
    """:func:`gd_core.results.state_word` of ``run``."""
    return state_word(run.history.status, run.trainer.step, running)



class ResultsTable(QWidget):
    def __init__(self, model, runner, parent=None):
        super().__init__(parent)
        self.model, self.runner = model, runner
        self.throttle = Throttle(REFRESH_S, self._refresh, self)
        self._fitted_lengths: list[int] | None = None  # each column's longest text when last fitted
        self._shown_states: list[str] = []  # the status column as last drawn
        self.tolerance = NumberSpinBox(TOLERANCE.low, TOLERANCE.high, log=True)
        self.tolerance.setObjectName("results_tolerance")
        self.tolerance.setToolTip(f"{TOLERANCE.doc} Allowed: {TOLERANCE.allowed()}.")
        self.tolerance.setValue(model.view["tolerance"])
        self.tolerance.valueChanged.connect(lambda v: model.set_view("tolerance", v))
        header = QHBoxLayout()
        header.addWidget(QLabel("tolerance"))
        header.addWidget(self.tolerance)
        header.addStretch(1)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("results_table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self._fit_rows()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(header)
        layout.addWidget(self.table, 1)
        events = model.events
        for event in (events.run_added, events.run_removed, events.run_styled, events.run_changed):
            event.connect(lambda *_: self.refresh())
        events.run_reset.connect(lambda *_: self.refresh())
        events.session_loaded.connect(self.refresh)
        events.view_changed.connect(lambda key: self.refresh() if key == "tolerance" else None)
        events.advanced.connect(self._advanced)
        runner.running_changed.connect(lambda _: self.refresh())
        theme().changed.connect(self.refresh)
        self.refresh()

    def rows(self) -> list[dict]:
        tolerance = self.model.view["tolerance"]
        return [run_summary(run.history, tolerance, run.trainer.problem.min_loss) for run in self.model.runs]

    def refresh(self) -> None:
        self.throttle.now()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """A new text size reaches the table after the theme's signal: fit the columns to it then."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fitted_lengths = None
            self._fit_rows()
            self.refresh()

    def _fit_rows(self) -> None:
        """Rows as tall as the text size needs, and room for the header, two rows and the horizontal scroll bar
        (no more: the dock stays small on a 720-px screen; with fixed 22-px rows and no room for the scroll bar,
        the second row was cut in half at Large text)."""
        table = self.table
        row = max(22, self.fontMetrics().height() + 6)
        table.verticalHeader().setDefaultSectionSize(row)
        table.setMinimumHeight(table.horizontalHeader().sizeHint().height() + 2 * row
                               + table.horizontalScrollBar().sizeHint().height() + 2 * table.frameWidth())

    def _states(self) -> list[str]:
        return [run_state(run, self.runner.running) for run in self.model.runs]

    def _advanced(self, runs) -> None:
        """While training, follow a few times a second; a step taken by hand (Step, S) or a run that changes
        state (ends, say) shows at once, as in the status bar."""
        if not self.runner.running or self._states() != self._shown_states:
            self.refresh()
        else:
            self.throttle.request()

    def _refresh(self) -> None:
        self.tolerance.blockSignals(True)
        self.tolerance.setValue(self.model.view["tolerance"])
        self.tolerance.blockSignals(False)
        running = self.runner.running
        self._shown_states = self._states()
        rows = [self._cells(run, summary, running) for run, summary in zip(self.model.runs, self.rows())]
        # fitting the columns costs more than filling them: only when a column's longest text changes length
        lengths = [max(map(len, column)) for column in zip(*rows)]
        resize = lengths != self._fitted_lengths
        self._fitted_lengths = lengths
        self.table.setRowCount(len(rows))
        for r, (run, cells) in enumerate(zip(self.model.runs, rows)):
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 0:
                    item.setForeground(theme().shade(run.color, "text"))
                elif c == 1:
                    item.setForeground(QColor(theme().semantic(text)[0]))
                    item.setToolTip(run.history.message)
                else:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        if resize:
            self.table.resizeColumnsToContents()

    @staticmethod
    def _cells(run, s: dict, running: bool) -> tuple[str, ...]:
        cells = dict(zip(COLUMNS, (
            run.name, run_state(run, running), summary_text(s["final_loss"]), summary_text(s["best_loss"]),
            summary_text(s["best_val_loss"] if s["best_val_step"] is not None else None),
            summary_text(s["best_val_step"], True), summary_text(s["steps"], True), summary_text(s["epochs"]),
            summary_text(s["samples_seen"], True),
            summary_text(s["steps_to_tolerance"], True), summary_text(s["epochs_to_tolerance"]),
            summary_text(s["samples_to_tolerance"], True))))
        if run.trainer.problem.dataset is None:
            cells.update(dict.fromkeys(DATA_COLUMNS, "-"))
        if run.trainer.problem.held_out is None:
            cells.update(dict.fromkeys(VALIDATION_COLUMNS, "-"))
        return tuple(cells[c] for c in COLUMNS)
