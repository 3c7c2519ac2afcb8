"""The run list: add, duplicate, rename, recolour, hide and remove runs; the selection is the run the panels
edit."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QColorDialog,
    QGridLayout,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gd_core.lessons import LOCKS

from .contrast import away_from
from .session import DEFAULT_CONFIG, SessionModel
from .theme import theme

SWATCH_PX = 14
RING_PX = 2


def swatch(color: str) -> QIcon:
    """The run's colour as a square; on the selected row inside a ring in white or black, whichever stands out
    from the selection: Qt tinted the selected swatch with the selection colour, and a blue run's square (run 1's,
    every session's first) vanished into the blue of its selected row."""
    plain = QPixmap(SWATCH_PX, SWATCH_PX)
    plain.fill(QColor(color))
    highlight = QApplication.palette().color(QPalette.ColorRole.Highlight).name()
    selected = QPixmap(SWATCH_PX, SWATCH_PX)
    selected.fill(QColor(away_from(highlight)))
    painter = QPainter(selected)
    painter.fillRect(RING_PX, RING_PX, SWATCH_PX - 2 * RING_PX, SWATCH_PX - 2 * RING_PX, QColor(color))
    painter.end()
    icon = QIcon(plain)
    icon.addPixmap(selected, QIcon.Mode.Selected)
    return icon


class RunList(QWidget):
    """One row per run: colour swatch, editable name, a check box for visibility."""

    def __init__(self, model: SessionModel, report, parent=None):
        super().__init__(parent)
        self.model, self.report = model, report
        self.list = QListWidget()
        self.list.setObjectName("run_list")
        self.list.setToolTip("Runs of this session: tick to show, double-click to rename; the panels edit the "
                             "selected run.")
        self.list.currentRowChanged.connect(self._row_selected)
        self.list.itemChanged.connect(self._item_changed)
        self.button_grid = QGridLayout()
        self.buttons, self.tips = {}, {}
        for name, text, tip, slot in (
                ("add", "Add", "Add a run with the default settings.", self.add),
                ("duplicate", "Duplicate", "Copy the selected run: same settings, seed and start point.",
                 self.duplicate),
                ("color", "Colour...", "Choose the selected run's colour.", self.choose_color),
                ("remove", "Remove", "Remove the selected run (one run always remains).", self.remove)):
            button = QToolButton()  # a push button would insist on 80 px each: too wide for a small screen's dock
            button.setText(text)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setObjectName(f"run_{name}")
            button.setToolTip(tip)
            self.tips[name] = tip
            button.clicked.connect(slot)
            self.buttons[name] = button
        self._arrange_buttons()
        theme().changed.connect(self._arrange_buttons)
        theme().changed.connect(self.fill)  # the swatches: each run's colour in the new palette's shade
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list, 1)
        layout.addLayout(self.button_grid)
        events = model.events
        for event in (events.run_added, events.run_removed, events.run_styled, events.selection_changed):
            event.connect(lambda *_: self.fill())
        events.session_loaded.connect(self.fill)
        self.fill()

    def _arrange_buttons(self) -> None:
        """One row of buttons at normal text; two rows of two at larger text, where one row would widen the
        window's left column past what a 1280 x 720 projector shows beside the plots and the lesson."""
        columns = 4 if theme().scale <= 1 else 2
        grid = self.button_grid
        for i, button in enumerate(self.buttons.values()):
            grid.removeWidget(button)
            grid.addWidget(button, i // columns, i % columns)
        for column in range(4):
            grid.setColumnStretch(column, 1 if column < columns else 0)

    def fill(self) -> None:
        """Show the runs; existing rows are updated in place (a row may be the one being edited)."""
        self.list.blockSignals(True)
        while self.list.count() > len(self.model.runs):
            self.list.takeItem(self.list.count() - 1)
        while self.list.count() < len(self.model.runs):
            item = QListWidgetItem()
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsUserCheckable)
            self.list.addItem(item)
        for row, run in enumerate(self.model.runs):
            item = self.list.item(row)
            item.setIcon(swatch(theme().shade(run.color).name()))
            item.setText(run.name)
            item.setCheckState(Qt.CheckState.Checked if run.visible else Qt.CheckState.Unchecked)
            # a run the lesson's questions name keeps its name: no editor opens only to refuse what was typed
            asked = self.model.asked_about(run)
            editable = Qt.ItemFlag.ItemIsEditable
            item.setFlags(item.flags() & ~editable if asked else item.flags() | editable)
            item.setToolTip(f"{run.name}: {run.config['problem']}, {run.config['variant']}, "
                            f"{run.config['optimizer']['name']} lr={run.config['optimizer']['lr']:g}"
                            + (" - the lesson's questions ask about it: it keeps its name" if asked else ""))
        self.list.setCurrentRow(self.model.runs.index(self.model.selected))
        self.list.blockSignals(False)
        locked = "runs" in self.model.locked
        for name in ("add", "duplicate", "remove"):
            self.buttons[name].setEnabled(not locked and (name != "remove" or len(self.model.runs) > 1))
            self.buttons[name].setToolTip(f"The lesson fixes {LOCKS['runs']}." if locked else self.tips[name])

    def _row_selected(self, row: int) -> None:
        if 0 <= row < len(self.model.runs) and self.model.runs[row] is not self.model.selected:
            self.model.select(self.model.runs[row])

    def _item_changed(self, item: QListWidgetItem) -> None:
        run = self.model.runs[self.list.row(item)]
        visible = item.checkState() == Qt.CheckState.Checked
        if visible != run.visible:
            self.model.set_visible(run, visible)
        elif item.text() != run.name:
            try:
                self.model.rename(run, item.text())
            except ValueError as error:
                self.report(f"Not renamed - {error}.", "error")
                self.fill()

    def add(self) -> None:
        try:
            self.model.check_runs_unlocked()
            self.model.add_run(DEFAULT_CONFIG)
        except ValueError as error:
            self.report(f"Not added - {error}.", "error")

    def duplicate(self) -> None:
        try:
            self.model.duplicate_run(self.model.selected)
        except ValueError as error:
            self.report(f"Not duplicated - {error}.", "error")

    def remove(self) -> None:
        run = self.model.selected
        try:
            self.model.remove_run(run)
        except ValueError as error:
            self.report(f"Not removed - {error}.", "error")
            return
        # said, with the way back: the banner kept the last message (Compare variants' "Added ... mini-batch"
        # over a list the mini-batch run had just left)
        self.report(f"Removed {run.name} (Ctrl+Z brings it back).")

    def choose_color(self) -> None:
        run = self.model.selected
        color = QColorDialog.getColor(QColor(run.color), self, f"Colour of {run.name}")
        if color.isValid():
            self.model.set_color(run, color.name())
