"""The update rule of the selected run's optimizer, written out, with the numbers of its latest step:
gradient, velocity or moments, bias corrections, and the effective step size of each parameter."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from gd_core import OPTIMIZERS
from gd_core.optimizers import explain
from gd_core.update_rule import update_rule

from ..theme import theme
from ..throttle import Throttle
from ..widgets import formula_label, note_label

MAX_COLUMNS = 6  # more parameters than this: show the norm, smallest and largest entry instead
REFRESH_S = 0.1


def _text(value) -> str:
    return f"{value:.4g}" if isinstance(value, (float, np.floating)) else str(value)


def _setting_text(key: str, value) -> str:
    """A hyperparameter as the panel names it: "lr = 0.01", "line_search off" (not "= None"), a sub-setting's
    fields in brackets."""
    if value is None:
        return f"{key} off"
    if isinstance(value, dict):
        return f"{key} ({', '.join(_setting_text(k, v) for k, v in value.items())})"
    return f"{key} = {value:g}" if isinstance(value, float) else f"{key} = {value}"


class FormulaPanel(QWidget):
    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.model = model
        self.throttle = Throttle(REFRESH_S, self._refresh, self)
        self.title = QLabel("")
        self.title.setObjectName("formula_title")
        self.rule = formula_label("formula_rule")
        self.title.setWordWrap(True)
        self.note = note_label()
        self.table = QTableWidget(0, 0)
        self.table.setObjectName("formula_table")
        # symbols with combining accents (m̂, v̂): the default sans font of many systems (DejaVu Sans) does not
        # place the accent on m or v, and Adam's table showed "m" and "v" twice; the monospace font does
        theme().mark_monospace(self.table)
        theme().mark_monospace(self.table.verticalHeader())
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setToolTip("The latest update with its numbers: each row a quantity of the rule above, each "
                              "column a parameter.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        for w in (self.title, self.rule, self.note):
            layout.addWidget(w)
        layout.addWidget(self.table, 1)
        layout.addStretch()  # the table hidden (no numbers yet): the rule and its note stay together at the top
        self.table.setMinimumHeight(6 * 24)  # room for a few rows; the dock scrolls when it is shorter
        events = model.events
        for event in (events.run_changed, events.selection_changed):
            event.connect(lambda *_: self.refresh())
        events.run_reset.connect(lambda *_: self.refresh())
        events.session_loaded.connect(self.refresh)
        events.advanced.connect(lambda runs: self.visibleRegion().isEmpty() or self.model.selected not in runs
                                or self.throttle.request())
        self.refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh()

    def rows(self) -> list[tuple[str, object]]:
        """(symbol, value) of the selected run's latest update; empty before the first step."""
        run = self.model.selected
        step = run.trainer.latest
        if step is None or step.optimizer.name != run.config["optimizer"]["name"]:  # none yet by this rule
            return []
        return explain(step)

    def refresh(self) -> None:
        self.throttle.now()

    def _refresh(self) -> None:
        run = self.model.selected
        spec = OPTIMIZERS[run.config["optimizer"]["name"]]
        hp = {key: value for key, value in run.config["optimizer"].items() if key != "name"}
        settings = ", ".join(_setting_text(k, v) for k, v in hp.items())
        self.title.setText(f"<b>{spec.title}</b> ({spec.torch})")
        self.rule.setText(update_rule(run.config))  # the rule these settings make, not every variant of it
        rows = self.rows()
        self.note.setText(f"{settings}. " + ("Numbers of the latest step (press S to step):" if rows
                                               else "Take a step (S) to see the rule with its numbers."))
        names = run.trainer.problem.param_names
        wide = len(names) > MAX_COLUMNS
        headers = (["‖·‖", "min", "max"] if wide else list(names)) if rows else []  # no numbers yet: no crammed header
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(rows))
        self.table.setVerticalHeaderLabels([symbol for symbol, _ in rows])
        for r, (_, value) in enumerate(rows):
            array = np.atleast_1d(np.asarray(value, dtype=float))
            if array.size == 1 and np.ndim(value) == 0:
                cells = [_text(value)] + [""] * (len(headers) - 1)
            elif wide:
                cells = [_text(float(np.linalg.norm(array))), _text(float(array.min())), _text(float(array.max()))]
            else:
                cells = [_text(float(v)) for v in array]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        # no numbers, no table: an empty one kept its height, and a dock scrolled down to the last step's numbers
        # (then reset, or another lesson) showed a blank box with the note above it scrolled out of sight
        self.table.setVisible(bool(rows))
