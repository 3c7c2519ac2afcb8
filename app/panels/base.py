"""A settings panel: shows the selected run's config and turns edits into model.update_config calls."""

from __future__ import annotations

import copy
from collections.abc import Callable

from PySide6.QtWidgets import QGroupBox, QVBoxLayout

import gd_core
from gd_core.lessons import LOCKS

from ..session import SessionModel
from ..theme import theme
from ..widgets import ParamForm


class Panel(QGroupBox):
    """Subclasses build widgets in ``__init__`` and fill them from a config in :meth:`show_config`.

    ``lock`` names the lesson lock group (:data:`gd_core.lessons.LOCKS`) of what the panel edits: a lesson that
    fixes it shows the panel disabled, with a tooltip saying so.
    """

    lock = ""

    def __init__(self, title: str, model: SessionModel, report: Callable[..., None], parent=None):
        super().__init__(title, parent)
        self.model = model
        self.report = report  # shows a one-line message (an error, or what an edit did)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(8, 6, 8, 8)
        self.body.setSpacing(4)
        events = model.events
        events.selection_changed.connect(lambda run: self.refresh())
        events.run_reset.connect(lambda run, reason: self.refresh())
        events.run_changed.connect(lambda run: self.refresh())
        events.session_loaded.connect(self.refresh)
        theme().changed.connect(self.refresh)  # colours that mean something follow the palette
        events.session_loaded.connect(self._apply_lock)
        self._apply_lock()

    def _apply_lock(self) -> None:
        locked = self.lock in self.model.locked
        self.setEnabled(not locked)
        self.setToolTip(f"The lesson fixes {LOCKS[self.lock]}." if locked else "")

    @property
    def config(self) -> dict:
        return self.model.selected.config

    def refresh(self) -> None:
        if self.model.selected is not None:
            self.show_config(self.config, self.model.selected.trainer)

    def show_config(self, config: dict, trainer: gd_core.Trainer) -> None:
        raise NotImplementedError

    def edit(self, change: Callable[[dict], dict | None]) -> bool:
        """Apply ``change`` to a copy of the selected run's config and send it to the model.

        A bad value is reported in one line and the panel shows the run's config again; the run is untouched.
        """
        run = self.model.selected
        config = copy.deepcopy(run.config)
        config = change(config) or config
        try:
            self.model.update_config(run, config)
        except gd_core.ConfigError as error:
            self.report(f"Not applied - {error}", "error")
            self.refresh()
            return False
        return True

    def set_key(self, key: str, value) -> bool:
        def change(config):
            config[key] = value
        return self.edit(change)

    def set_in(self, section: str, key: str, value) -> bool:
        """Set ``config[section][key]`` (a data, optimizer or schedule setting)."""
        def change(config):
            config[section][key] = value
        return self.edit(change)

    def form_for(self, current: ParamForm | None, params, on_edit, place, labels=None,
                 prefix: str = "param_") -> ParamForm:
        """The form for ``params``: ``current`` if it already shows them, else a new one put in by ``place``
        (the old one deleted); its editors are named ``prefix + name``."""
        if current is not None and current.params == {p.name: p for p in params}:
            return current
        if current is not None:
            current.hide()  # gone from view at once; deleted when control is back in the event loop
            current.deleteLater()
        form = ParamForm(tuple(params), labels, prefix)
        form.edited.connect(on_edit)
        place(form)
        return form
