"""Loss surfaces computed off the GUI thread (numpy releases the GIL in its heavy loops), so a large grid never
blocks the window; a result that arrives after the view moved on is dropped, and the job computing it is told to
stop (``compute(cancelled)`` asks ``cancelled()`` every gd_core.landscape.CANCEL_WORK of work)."""

from __future__ import annotations

import threading

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRunnable, QThreadPool, Signal


class _Carrier(QObject):
    done = Signal(object, object)  # key, result (or the exception raised)


class _Job(QRunnable):
    def __init__(self, key, compute, carrier, cancelled: threading.Event):
        super().__init__()
        self.key, self.compute, self.carrier, self.cancelled = key, compute, carrier, cancelled

    def run(self) -> None:
        try:
            result = self.compute(self.cancelled.is_set)
        except Exception as error:  # reported to the view, which shows it; a worker must not die silently
            result = error
        if not self.cancelled.is_set():  # nobody waits for a cancelled job's result (None)
            self.carrier.done.emit(self.key, result)


class SurfaceWorker(QObject):
    """``submit(key, compute)``; ``ready(key, result)`` fires in the GUI thread for the newest key only. A newer
    submission, or :meth:`cancel`, stops the job under way at its next question."""

    ready = Signal(object, object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.carrier = _Carrier(self)
        self.carrier.done.connect(self._done)
        self.latest = None
        self._cancelled = threading.Event()  # the newest job's (the pool owns and deletes the jobs themselves)

    def submit(self, key, compute) -> None:
        """Compute ``compute(cancelled)`` off the GUI thread; the result of an older submission is never wanted
        now: its job is stopped, or dropped if not started."""
        self.cancel()
        self.latest, self._cancelled = key, threading.Event()
        self.pool.start(_Job(key, compute, self.carrier, self._cancelled))

    def cancel(self) -> None:
        """Stop the job under way (at its next question, within CANCEL_WORK) and drop any queued; no result comes."""
        self.pool.clear()
        self._cancelled.set()
        self.latest = None

    def _done(self, key, result) -> None:
        if key == self.latest:
            self.ready.emit(key, result)

    def wait(self) -> None:
        self.pool.waitForDone()

    def stop(self) -> None:
        """Cancel the job under way and wait for it to stop (the window is closing: nobody will see its result)."""
        self.cancel()
        self.wait()

    def settle(self) -> None:
        """Wait for the job under way and deliver its result now, not at the next turn of the event loop (a
        picture about to be taken shows it)."""
        self.pool.waitForDone()
        QCoreApplication.sendPostedEvents(self, QEvent.Type.MetaCall)  # the result, queued from the worker thread
