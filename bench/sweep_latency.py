"""Event-loop lateness while a learning-rate sweep runs in its worker process.

Opens the window offscreen, starts the sweep of the selected run (the default lesson, or rosenbrock with
--steps STEPS for longer series), and lets a 10 ms QTimer measure how late each of its ticks comes. Prints the
lateness p50 / p95 / max during the sweep, the sweep's time, and for reference the longest single series - how
long the window froze when the sweep ran on its thread, one series at a time.

    python bench/sweep_latency.py [--steps 20000]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import gd_core  # noqa: E402
from app import create_window  # noqa: E402

INTERVAL_MS = 10


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=0, help="rosenbrock runs of this many steps (0: the default "
                                                               "lesson with its heat map)")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    window = create_window()
    window.guard.interactive = False  # nobody answers "save changes?" when it closes
    window.show()
    model = window.model
    if args.steps:
        config = gd_core.switch_problem(dict(model.selected.config), "rosenbrock")
        config.pop("epochs", None)
        model.update_config(model.selected, {**config, "steps": args.steps})
    window.open_sweep()
    sweep = window.sweep_window
    lateness, last = [], [None]

    def tick():
        now = time.perf_counter()
        if last[0] is not None and sweep.running:  # both ticks inside the sweep
            lateness.append(now - last[0] - INTERVAL_MS / 1000)
        last[0] = now if sweep.running else None

    timer = QTimer()
    timer.setInterval(INTERVAL_MS)
    timer.timeout.connect(tick)
    timer.start()
    jobs = []
    sweep.runner.arrived.connect(lambda update: jobs.append(update.job))
    _spin(app, 0.5)  # the window's first paints are not the sweep's doing
    started = time.perf_counter()
    sweep.compute()
    _spin(app, None, until=lambda: not sweep.running)
    elapsed = time.perf_counter() - started
    timer.stop()
    longest = max(_series_time(job, sweep.model.selected.trainer.problem) for job in jobs)
    late = np.array(lateness) * 1000
    print(f"sweep of {len(jobs)} series x {len(sweep.lrs)} rates: {elapsed:.2f} s, {len(late)} timer ticks")
    print(f"  event-loop lateness: p50 {np.percentile(late, 50):5.1f} ms, p95 {np.percentile(late, 95):5.1f} ms, "
          f"max {late.max():5.1f} ms")
    print(f"  longest series alone: {longest * 1000:.0f} ms (the freeze when a series ran on the window's thread)")
    window.close()


def _spin(app, seconds, until=lambda: False) -> None:
    """Run the event loop for ``seconds`` (None: until ``until()``)."""
    end = None if seconds is None else time.perf_counter() + seconds
    while not until() and (end is None or time.perf_counter() < end):
        app.processEvents()
        time.sleep(0.001)


def _series_time(job, problem) -> float:
    start = time.perf_counter()
    gd_core.run_many(job.configs)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
