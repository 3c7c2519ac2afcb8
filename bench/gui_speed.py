"""GUI speed: start-up time, redraws per second and event-loop lateness while long curves grow.

Start-up: a fresh interpreter's time to a shown, drawn GD Lab window, as a ratio to a fresh interpreter
showing a bare pyqtgraph PlotWidget of the same size (both import Qt and pyqtgraph, both with compiled modules;
target <= 1.5). Then a run grows its curves towards 100,000 points at full speed: redraws per second of the
loss view (target >= 30) and of the parameter space (paths decimated to MAX_PATH_POINTS), and the lateness of a
10 ms probe timer, p95 (target < 30 ms).

    QT_QPA_PLATFORM=offscreen python bench/gui_speed.py [--seconds 10] [--runs 1] [--lesson NAME]
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

BARE = ("from PySide6.QtWidgets import QApplication; import pyqtgraph as pg; app = QApplication([]); "
        "w = pg.PlotWidget(); w.resize(1560, 960); w.show(); app.processEvents()")  # GD Lab's window size
OURS = ("from PySide6.QtWidgets import QApplication; app = QApplication([]); from app import create_window; "
        "w = create_window(); w.show(); app.processEvents()")


def launch_time(code: str) -> float:
    """Wall time of a fresh interpreter that imports, shows its window, draws it once and exits."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                   env={**os.environ, "QT_QPA_PLATFORM": os.environ["QT_QPA_PLATFORM"]})
    return time.perf_counter() - start


def startup_ratio(repeats=7) -> tuple[float, float, float]:
    """Launch to a shown window, GD Lab against a bare pyqtgraph PlotWidget, both in fresh processes, taken in
    turns (so drifting machine load hits both alike); best of ``repeats`` each."""
    # a user's Python keeps compiled modules (.pyc) after the first launch; make sure ours exist here too, even
    # where PYTHONDONTWRITEBYTECODE is set, so that both sides are measured warm
    import app
    import gd_core
    for package in (app, gd_core):
        compileall.compile_dir(os.path.dirname(package.__file__), quiet=1)
    bare, ours = [], []
    for _ in range(repeats):
        bare.append(launch_time(BARE))
        ours.append(launch_time(OURS))
    return min(ours), min(bare), min(ours) / min(bare)


def grow(app, seconds: float, runs: int, points: int, lesson: str | None = None):
    from app import create_window

    window = create_window(lesson=lesson)
    window.show()
    model = window.model
    base = dict(model.selected.config, epochs=None)
    base.pop("epochs")
    base["steps"] = points
    model.update_config(model.selected, base)
    for k in range(1, runs):
        model.add_run({**base, "seed": k})
    model.step(points // 2)  # start with long curves, then grow them
    window.speed.setCurrentText("Max")
    lateness, last = [], [time.perf_counter()]

    def probe():
        now = time.perf_counter()
        lateness.append(max(0.0, now - last[0] - 0.010))
        last[0] = now

    timer = QTimer()
    timer.timeout.connect(probe)
    timer.start(10)
    redraws0, steps0 = window.loss_view.redraw_count, model.selected.trainer.step
    space0 = window.space_view.redraw_count
    window.runner.start()
    start = time.perf_counter()
    while time.perf_counter() - start < seconds and window.runner.running:
        app.processEvents()
    elapsed = time.perf_counter() - start
    window.runner.pause()
    timer.stop()
    redraws = (window.loss_view.redraw_count - redraws0) / elapsed
    space = (window.space_view.redraw_count - space0) / elapsed
    steps = (model.selected.trainer.step - steps0) / elapsed
    p95 = statistics.quantiles(lateness, n=20)[-1] * 1000 if len(lateness) > 20 else float("nan")
    return redraws, space, steps, p95, len(model.selected.history)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--lesson", help="grow this lesson's first run (e.g. 12_batch_surface: batch surface and "
                                         "arrows drawn over the parameter space) instead of the default window's")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    ours, bare, ratio = startup_ratio()
    print(f"launch to a shown window: GD Lab {ours * 1000:.0f} ms, bare pyqtgraph window {bare * 1000:.0f} ms, "
          f"ratio {ratio:.2f} (target <= 1.5)")
    redraws, space, steps, p95, rows = grow(app, args.seconds, args.runs, args.points, args.lesson)
    print(f"{args.runs} run(s) growing to {rows:,} rows: {redraws:.1f} redraws/s of the loss view (target >= 30), "
          f"{space:.1f} of the parameter space, "
          f"{steps:,.0f} steps/s per run, event-loop lateness p95 {p95:.1f} ms (target < 30)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
