"""The "Load CSV..." preview: the file's first rows, its features and target column, or why it is refused."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout

import gd_core
from gd_core.files import file_name

from .theme import theme

PREVIEW_ROWS = 12


class CsvPreview(QDialog):
    """Reads the whole file with gd_core.load_csv; OK is enabled only when it is usable."""

    def __init__(self, path: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"Load {file_name(path)}")
        self.setObjectName("csv_preview")
        self.resize(560, 420)
        self.path = path
        self.summary = QLabel("")
        self.summary.setObjectName("csv_summary")
        self.summary.setWordWrap(True)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        try:
            self.dataset = gd_core.load_csv(path)
        except gd_core.ConfigError as error:
            self.dataset = None
            problem = html.escape(error.problem, quote=False)  # it quotes the file's text: never markup
            self.summary.setText(f"<b>This file cannot be used.</b><br>{problem}<br><br>A usable file has a header "
                                 "row and rows of numbers; the last column is the target.")
            self.summary.setStyleSheet(f"color: {theme().semantic('error')[0]};")
            self.table.hide()
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
            return
        data = self.dataset
        self.summary.setText(f"{data.n_samples:,} samples · features: {', '.join(data.feature_names)} · "
                             f"<b>target: {data.target_name}</b> (the last column)")
        header = [*data.feature_names, f"{data.target_name} (target)"]
        shown = min(PREVIEW_ROWS, data.n_samples)
        self.table.setColumnCount(len(header))
        self.table.setRowCount(shown)
        self.table.setHorizontalHeaderLabels(header)
        for r in range(shown):
            for c, value in enumerate([*data.X[r], data.y[r]]):
                self.table.setItem(r, c, QTableWidgetItem(f"{value:.6g}"))
        self.table.resizeColumnsToContents()
