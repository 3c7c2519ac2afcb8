"""Drives the session's trainers from a QTimer in the GUI thread, in time-budgeted chunks.

Each tick (about 60 per second) advances the unfinished runs for at most a few milliseconds, or by the number
of steps the speed setting makes due, then the model tells the views to redraw - so redraws happen at most
once per tick whatever the step rate, and the window never waits on training. Paused, the timer is stopped:
nothing repaints and no CPU is used. (Steps cost microseconds and numpy holds the GIL on tiny arrays, so a
worker thread would buy nothing here.)
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal

import gd_core

from .session import SessionModel

#: Speed settings: label -> steps per second (None = as fast as the core goes).
SPEEDS = {
    "1 step/s": 1, "3 steps/s": 3, "10 steps/s": 10, "30 steps/s": 30, "100 steps/s": 100,
    "1,000 steps/s": 1000, "10,000 steps/s": 10_000, "Max": None,
}
DEFAULT_SPEED = "100 steps/s"
#: A lesson opens at a speed that finishes its longest run within about this many seconds (never slower than
#: the default): its point shows while the class still watches.
LESSON_SECONDS = 10.0


def planned_steps(run) -> int:
    """How many updates ``run`` makes if nothing stops it early: its steps, or epochs times steps per epoch."""
    return gd_core.planned_steps(run.config, run.trainer.problem.n_samples)


def speed_for(steps: int, seconds: float = LESSON_SECONDS) -> str:
    """The slowest speed setting, but not slower than the default, that makes ``steps`` updates in ``seconds``."""
    floor = SPEEDS[DEFAULT_SPEED]
    for label, rate in SPEEDS.items():
        if rate is None or (rate >= floor and steps <= rate * seconds):
            return label
    return "Max"


class Runner(QObject):
    """Run / pause / step for a :class:`SessionModel`; measures the achieved steps per second."""

    running_changed = Signal(bool)
    rate_measured = Signal(float)

    TICK_MS = 16
    STEP_BUDGET = 0.005  # seconds of training per tick, leaving the rest of the frame to drawing

    def __init__(self, model: SessionModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.steps_per_second: float | None = SPEEDS[DEFAULT_SPEED]
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(self.TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0
        self._carry = 0.0
        self._recent: deque[tuple[float, int]] = deque()
        #: While an animation records: the most steps a run may make before its next frame (0: wait for it).
        self.limit: Callable[[], int] | None = None

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def set_speed(self, label: str) -> None:
        self.steps_per_second = SPEEDS[label]

    def start(self) -> bool:
        """Start training; returns False when every run has already finished."""
        if self.running:
            return True
        if self.model.all_done:
            return False
        self._last = time.perf_counter()
        self._carry = 1.0  # the first step happens at once, even at 1 step/s
        self._recent.clear()
        self._timer.start()
        self.running_changed.emit(True)
        return True

    def pause(self) -> None:
        if self.running:
            self._timer.stop()
            self.running_changed.emit(False)
            self.rate_measured.emit(0.0)

    def step_once(self) -> int:
        """Pause, then advance every unfinished run by exactly one update."""
        self.pause()
        return self.model.step(1)

    def _tick(self) -> None:
        now = time.perf_counter()
        elapsed, self._last = now - self._last, now
        limit = self.limit() if self.limit is not None else None
        if self.steps_per_second is None:
            done = self.model.advance(self.STEP_BUDGET, max_steps=limit) if limit != 0 else 0
        else:
            # steps fall due at the set rate; after a stall, catch up by at most a tenth of a second
            self._carry = min(self._carry + self.steps_per_second * elapsed, 1.0 + self.steps_per_second * 0.1)
            due = int(self._carry) if limit is None else min(int(self._carry), limit)
            done = self.model.advance(self.STEP_BUDGET, max_steps=due) if due else 0
            self._carry -= due
        self._measure(now, done)
        if self.model.all_done:
            self.pause()

    def _measure(self, now: float, done: int) -> None:
        self._recent.append((now, done))
        while self._recent and now - self._recent[0][0] > 1.0:
            self._recent.popleft()
        span = now - self._recent[0][0]
        if span > 0.25:
            self.rate_measured.emit(sum(d for _, d in self._recent) / span)
