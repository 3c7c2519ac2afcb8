"""The Help menu's dialogs: keyboard shortcuts, a short offline guide, and About (with every version a bug
report needs). Nothing here reaches the network."""

from __future__ import annotations

import html
import platform
from importlib import resources

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gd_core.files import read_bytes

from .widgets import LessonText

GUIDE_MAX_BYTES = 1 << 20

#: Keys that are not menu actions (the menus' own shortcuts are listed from the actions themselves).
OTHER_KEYS = (
    ("Enter", "In a field: apply the typed value and give the keyboard back to the plots"),
    ("Escape", "In a field: forget the typed value and give the keyboard back"),
    ("Tab / Shift+Tab", "Move between fields"),
    ("Space after Tab", "On a button: press it; in the runs' list: show or hide the run (elsewhere Space runs)"),
    ("Arrow keys / a letter", "On a choice (problem, optimizer, ...): open its list; Enter picks, Escape leaves it"),
    ("Mouse wheel", "Over a field without focus, or a choice: scroll the settings (click a number field first to "
                    "change it)"),
    ("Double-click", "In the parameter space: start the selected run from that point (Ctrl+Z undoes it; a "
                     "single click only focuses the plot)"),
    ("Drag / wheel", "Over a plot: pan / zoom (View ▸ Reset view in the parameter space frames it again)"),
)


def versions() -> dict[str, str]:
    """Versions of GD Lab and everything it runs on."""
    from importlib import metadata  # ~10 ms of imports (the email package): for this dialog, not at start-up

    import numpy
    import pyqtgraph
    import PySide6
    from PySide6.QtCore import qVersion
    try:
        gdlab = metadata.version("gdlab")
    except metadata.PackageNotFoundError:
        gdlab = "(not installed)"
    return {"GD Lab": gdlab, "Python": platform.python_version(), "Qt": qVersion(),
            "PySide6": PySide6.__version__, "pyqtgraph": pyqtgraph.__version__, "numpy": numpy.__version__}


def shortcut_rows(actions) -> list[tuple[str, str]]:
    """(keys, what they do) of every action with a shortcut, then the keys that are not actions."""
    rows, seen = [], set()
    for action in actions:
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys and keys not in seen:
            seen.add(keys)
            rows.append((keys, action.whatsThis() or action.statusTip() or action.text().replace("&", "")))
    return rows + list(OTHER_KEYS)


class ShortcutsDialog(QDialog):
    def __init__(self, actions, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setObjectName("shortcuts_dialog")
        rows = shortcut_rows(actions)
        self.table = QTableWidget(len(rows), 2)
        self.table.setObjectName("shortcuts_table")
        self.table.setHorizontalHeaderLabels(["Keys", "Does"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for r, (keys, what) in enumerate(rows):
            self.table.setItem(r, 0, QTableWidgetItem(keys))
            self.table.setItem(r, 1, QTableWidgetItem(what))
        # the keys as wide as they need, what they do wrapped in what is left: no sideways scrolling to read a row
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        _dialog_layout(self, self.table)
        self.resize(620, 460)


class GuideDialog(QDialog):
    """A short guide shipped with GD Lab (resources/guide.html): read offline, links to nothing outside."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("GD Lab guide")
        self.setObjectName("guide_dialog")
        self.text = LessonText()  # loads nothing, follows no link: the guide is one page
        self.text.setObjectName("guide_text")
        self.text.setHtml(guide_html())
        _dialog_layout(self, self.text)
        self.resize(640, 560)


def guide_html() -> str:
    """The guide shipped in resources/guide.html (read through gd_core.files, like every file)."""
    with resources.as_file(resources.files("gd_core.resources") / "guide.html") as path:
        return read_bytes(path, "guide", GUIDE_MAX_BYTES, "guide").decode("utf-8")


def _dialog_layout(dialog: QDialog, body: QWidget) -> None:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(body, 1)
    layout.addWidget(buttons)


def about_text() -> str:
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td>&nbsp;{html.escape(v)}</td></tr>" for k, v in versions().items())
    return ("<h3>GD Lab</h3><p>Learn and compare gradient descent: batch, stochastic and mini-batch variants, "
            "optimizers with the update rules of torch.optim, live loss curves and paths over the loss surface.</p>"
            f"<table>{rows}</table>")


def show_about(parent: QWidget) -> QMessageBox:
    box = QMessageBox(parent)
    box.setObjectName("about_box")
    box.setWindowTitle("About GD Lab")
    box.setText(about_text())
    box.setIcon(QMessageBox.Icon.Information)
    box.open()
    return box
