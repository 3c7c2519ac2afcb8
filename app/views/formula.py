"""The update rule of the selected run's optimizer, written out, with the numbers of its latest step:
gradient, velocity or moments, bias corrections, and the effective step size of each parameter."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from gd_core import OPTIMIZERS
from gd_core.optimizers import explain
from gd_core.update_rule import update_rule

from ..theme import theme
from ..throttle import Throttle
from ..widgets import formula_label, note_label

#: A cell's room beside its text (Qt's item margins and focus frame), pixels.
CELL_PADDING = 8
MAX_COLUMNS = 6  # more parameters than this: show the norm, smallest and largest entry instead
REFRESH_S = 0.1


def _text(value, digits: int = 4) -> str:
    return f"{value:.{digits}g}" if isinstance(value, (float, np.floating)) else str(value)


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
        self._filled: tuple[list[str], list[tuple[str, list]]] = ([], [])  # headers, (name, numbers) a row
        self.stacked = False  # whether each quantity's name is a row of its own above its numbers (_lay_out)
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
        filled = []
        for symbol, value in rows:
            array = np.atleast_1d(np.asarray(value, dtype=float))
            if array.size == 1 and np.ndim(value) == 0:
                numbers = [value]
            elif wide:
                numbers = [float(np.linalg.norm(array)), float(array.min()), float(array.max())]
            else:
                numbers = [float(v) for v in array]
            filled.append((symbol, numbers))
        self._filled = headers, filled
        self._lay_out()
        # no numbers, no table: an empty one kept its height, and a dock scrolled down to the last step's numbers
        # (then reset, or another lesson) showed a blank box with the note above it scrolled out of sight
        self.table.setVisible(bool(rows))

    def names(self) -> list[str]:
        """The names of the quantities the table shows, in order."""
        return [name for name, _ in self._filled[1]]

    def cells(self, name: str) -> list[str]:
        """The texts of the numbers the table shows for the quantity ``name``."""
        row = self.names().index(name)
        row = 2 * row + 1 if self.stacked else row
        return [self.table.item(row, c).text() for c in range(self.table.columnCount())]

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._lay_out()

    def _lay_out(self) -> None:
        """Each quantity's name beside its numbers where both fit the table's width, else above them (a row of its
        own across the columns, which share the width), the numbers to as many digits as fit (4 or 3; where even 3
        do not, 4 and the table scrolls sideways): beside a lesson at 1280x720 RAdam's "step size γ·rₜ·√(1−β₂ᵗ)/
        (√v+ε)" took ~220 px of a ~270 px table, and ρₜ's and rₜ's numbers were cut at its edge, the min and max
        columns off to the side."""
        headers, rows = self._filled
        table = self.table
        margins = self.layout().contentsMargins()  # the table is as wide as the panel's layout (even while hidden)
        room = self.width() - margins.left() - margins.right() - 2 * table.frameWidth() \
            - table.verticalScrollBar().sizeHint().width()  # room for the bar, shown or not: no flip-flop
        table.clearSpans()
        table.clearContents()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.setColumnCount(len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.setRowCount(len(rows))
        table.verticalHeader().show()
        for r, (name, numbers) in enumerate(rows):
            table.setVerticalHeaderItem(r, QTableWidgetItem(name))
            self._put(r, numbers, 4)
        table.resizeColumnsToContents()
        numbers_width = sum(map(table.columnWidth, range(len(headers))))
        self.stacked = bool(rows) and table.verticalHeader().sizeHint().width() + numbers_width > room
        if not self.stacked:
            return
        column, metrics = room // len(headers), table.fontMetrics()
        def widest(digits: int) -> int:
            return max(metrics.horizontalAdvance(_text(v, digits)) for _, numbers in rows for v in numbers)
        digits = next((d for d in (4, 3) if widest(d) + CELL_PADDING <= column), None)
        if digits is not None:  # else the numbers keep their widths and four digits, and the table scrolls
            table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
            span, width = len(headers), room
        else:  # each name across the columns in view, wrapped there: whole without scrolling
            widths = np.cumsum([table.columnWidth(c) for c in range(len(headers))])
            span = max(1, int(np.searchsorted(widths, room, side="right")))
            width = int(widths[span - 1])
        table.clearContents()
        table.verticalHeader().hide()
        table.setRowCount(2 * len(rows))
        for r, (name, numbers) in enumerate(rows):
            label = QTableWidgetItem(name)
            label.setFlags(Qt.ItemFlag.ItemIsEnabled)
            table.setItem(2 * r, 0, label)
            if span > 1:
                table.setSpan(2 * r, 0, 1, span)
            self._put(2 * r + 1, numbers, digits or 4)
            # a name wider than the table: on two lines ("step size" above its formula), measured at the width it
            # will have (the header stretches its columns later: a row sized to contents now was sometimes 1 line)
            lines = metrics.boundingRect(QRect(0, 0, width - CELL_PADDING, 10_000), Qt.TextFlag.TextWordWrap, name)
            table.setRowHeight(2 * r, max(table.verticalHeader().defaultSectionSize(), lines.height() + CELL_PADDING))

    def _put(self, row: int, numbers: list, digits: int) -> None:
        """The ``numbers`` of one quantity in the table's ``row``, each to ``digits`` significant digits."""
        for c in range(self.table.columnCount()):
            item = QTableWidgetItem(_text(numbers[c], digits) if c < len(numbers) else "")
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, c, item)
