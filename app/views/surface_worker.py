"""Loss surfaces computed off the GUI thread (numpy releases the GIL in its heavy loops), so a large grid never
blocks the window; a result that arrives after the view moved on is dropped."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRunnable, QThreadPool, Signal


class _Carrier(QObject):
    done = Signal(object, object)  # key, result (or the exception raised)


class _Job(QRunnable):
    def __init__(self, key, compute, carrier):
        super().__init__()
        self.key, self.compute, self.carrier = key, compute, carrier

    def run(self) -> None:
        try:
            result = self.compute()
        except Exception as error:  # reported to the view, which shows it; a worker must not die silently
            result = error
        self.carrier.done.emit(self.key, result)


class SurfaceWorker(QObject):
    """``submit(key, compute)``; ``ready(key, result)`` fires in the GUI thread for the newest key only."""

    ready = Signal(object, object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.carrier = _Carrier(self)
        self.carrier.done.connect(self._done)
        self.latest = None

    def submit(self, key, compute) -> None:
        self.latest = key
        self.pool.clear()  # drop queued (not started) jobs: only the newest matters
        self.pool.start(_Job(key, compute, self.carrier))

    def _done(self, key, result) -> None:
        if key == self.latest:
            self.ready.emit(key, result)

    def wait(self) -> None:
        self.pool.waitForDone()

    def settle(self) -> None:
        """Wait for the job under way and deliver its result now, not at the next turn of the event loop (a
        picture about to be taken shows it)."""
        self.pool.waitForDone()
        QCoreApplication.sendPostedEvents(self, QEvent.Type.MetaCall)  # the result, queued from the worker thread
