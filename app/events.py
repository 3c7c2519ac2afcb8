"""A minimal Qt-free event: the session model notifies its views without knowing Qt exists."""

from __future__ import annotations

from collections.abc import Callable


class Event:
    """Callbacks called in connection order on ``emit(*args)``."""

    def __init__(self) -> None:
        self._callbacks: list[Callable] = []

    def connect(self, callback: Callable) -> None:
        self._callbacks.append(callback)

    def disconnect(self, callback: Callable) -> None:
        self._callbacks.remove(callback)

    def emit(self, *args) -> None:
        for callback in list(self._callbacks):
            callback(*args)
