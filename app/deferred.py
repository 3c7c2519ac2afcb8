"""A widget built the first time it is needed: the window's docks that start behind another tab (the sharpness,
noise-scale, accuracy and optimizer-state plots) cost no start-up time.

Each of those views is a pyqtgraph plot subscribed to the session model; built at start-up they cost about 25 ms
of the window's 130 ms of construction (measured on the 2-core test machine), for docks most sessions never open.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDockWidget, QVBoxLayout, QWidget


class Deferred(QWidget):
    """Holds the widget ``build()`` makes, built the first time its dock is seen (see :meth:`build_when_seen`) or
    :meth:`built` is called (an export, a menu action reaching the view) - whichever comes first; it then fills
    this one."""

    def __init__(self, build: Callable[[], QWidget], parent=None):
        super().__init__(parent)
        self._build = build
        self._widget: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    def built(self) -> QWidget:
        """The widget, built now if it was not yet."""
        if self._widget is None:
            self._widget = self._build()
            self.layout().addWidget(self._widget)
            if self.isVisible():  # a child added to a shown widget stays hidden until shown
                self._widget.show()
        return self._widget

    def build_when_seen(self, dock: QDockWidget) -> None:
        """Build when ``dock``, which holds this widget, is first seen: opened, or its tab chosen. (Being shown
        is not enough: Qt shows every dock of a tab group, the ones behind the front tab too.)"""
        dock.visibilityChanged.connect(lambda seen: seen and self.built())


def deferred_view(dock: str) -> property:
    """A read-only attribute giving the widget of the :class:`Deferred` in the dock the attribute ``dock`` names,
    built when first read: ``window.noise_scale_view`` stays the view wherever it is asked for."""
    return property(lambda self: getattr(self, dock).widget().built(),
                    doc=f"The view in {dock} (built when first read or shown).")
