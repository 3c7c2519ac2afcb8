"""What the plot views share: a titled header row over a pyqtgraph PlotWidget, and per-run item bookkeeping."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..session import Run, SessionModel
from ..throttle import Throttle


def lighter(color: str, amount: float = 0.6) -> QColor:
    """``color`` blended towards white: an opaque light shade (opaque pens draw much faster than alpha)."""
    c = QColor(color)
    return QColor(*(round(v + (255 - v) * amount) for v in (c.red(), c.green(), c.blue())))


def darker(color: str, amount: float = 0.25) -> QColor:
    """``color`` blended towards black."""
    c = QColor(color)
    return QColor(*(round(v * (1 - amount)) for v in (c.red(), c.green(), c.blue())))


class PlotView(QWidget):
    """A view: a header (title + controls) above one PlotWidget, subscribed to the session model."""

    title = ""
    #: While runs train, redraw at most this often (seconds; 0: on every tick). Any other change redraws at once.
    live_refresh_s = 0.0

    def __init__(self, model: SessionModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.header = QHBoxLayout()
        self.header.setContentsMargins(6, 2, 6, 0)
        self.header.setSpacing(12)
        heading = QLabel(f"<b>{self.title}</b>")
        heading.setTextFormat(Qt.TextFormat.RichText)
        self.header.addWidget(heading)
        self.header.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(self.header)
        layout.addWidget(self.plot, 1)
        self.redraw_count = 0
        self._moved: set[int] = set()  # ids of the runs that stepped since the last redraw
        events = model.events
        events.run_added.connect(lambda run: self.rebuild())
        events.run_removed.connect(lambda run: self.rebuild())
        events.run_styled.connect(self.restyle)
        events.session_loaded.connect(self.rebuild)
        events.run_reset.connect(lambda run, reason: self.rebuild())
        events.run_changed.connect(lambda run: self.refresh())
        events.selection_changed.connect(lambda run: self.rebuild())
        self._live = Throttle(self.live_refresh_s, self._draw_moved, self) if self.live_refresh_s else None
        events.advanced.connect(self._advanced)
        events.view_changed.connect(lambda key: self.rebuild())

    def visible_runs(self) -> list[Run]:
        return [run for run in self.model.runs if run.visible]

    def runs_on_selected_problem(self) -> list[Run]:
        """Visible runs on the selected run's problem and data: the ones a landscape or data plot can show."""
        key = self.model.selected.problem_key
        return [run for run in self.visible_runs() if run.problem_key == key]

    def rebuild(self) -> None:
        """Recreate what depends on the problem, the runs and the view settings - unless none of that changed
        since the last rebuild (adding a run, say, announces the run and then its selection)."""
        model = self.model
        token = (id(model.selected), tuple((id(r), id(r.trainer), r.visible, r.color, r.name) for r in model.runs),
                 tuple(sorted((k, str(v)) for k, v in model.view.items())))
        if token == getattr(self, "_token", None):
            return
        self._token = token
        self._rebuild()

    def _rebuild(self) -> None:
        self.refresh()

    def restyle(self, run: Run, what: str) -> None:
        """``run``'s name, colour or visibility (``what``) changed; a view whose items are per run restyles
        that run's items alone, others rebuild."""
        self.rebuild()

    def _advanced(self, runs: list[Run]) -> None:
        """``runs`` made steps: redraw what shows them, at most every ``live_refresh_s``."""
        self._moved.update(id(run) for run in runs)
        self._live.request() if self._live is not None else self._draw_moved()

    def _draw_moved(self) -> None:
        moved, self._moved = self._moved, set()
        self.refresh(moved)

    def refresh(self, moved: set[int] | None = None) -> None:
        """Redraw from the current histories (cheap: setData on existing items). ``moved``: the ids of the runs
        that stepped since the last redraw, the only ones whose curves changed (None: any may have)."""
        self.redraw_count += 1
