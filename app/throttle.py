"""Calls a refresh at most every so often, with a trailing call so the last change is always shown."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer


class Throttle(QObject):
    def __init__(self, interval_s: float, callback: Callable[[], None], parent=None):
        super().__init__(parent)
        self.interval_s, self.callback = interval_s, callback
        self.last = 0.0
        self._pending = QTimer(self)
        self._pending.setSingleShot(True)
        self._pending.timeout.connect(self.now)

    def request(self) -> None:
        """Refresh now if the interval has passed, else once it has."""
        if time.perf_counter() - self.last >= self.interval_s:
            self.now()
        elif not self._pending.isActive():
            self._pending.start(int(self.interval_s * 1000))

    def now(self) -> None:
        self._pending.stop()
        self.last = time.perf_counter()
        self.callback()
