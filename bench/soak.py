"""Soak: four runs at full speed in the window for two minutes. Every interval it prints the steps per second,
the redraws per second and the process memory; the last interval's rates as a ratio to the first show whether
anything slows down over time. ``--history-mib`` lowers the bound on each run's history (64 MiB by default) so
that the runs reach it within the soak, and the memory is seen to level off there rather than grow.

    QT_QPA_PLATFORM=offscreen python bench/soak.py [--seconds 120] [--interval 20] [--history-mib 8]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402


def rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--interval", type=float, default=20)
    parser.add_argument("--history-mib", type=float, default=None)
    args = parser.parse_args()
    if args.history_mib:
        import gd_core.history
        gd_core.history.MAX_HISTORY_BYTES = int(args.history_mib * 2**20)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from app import create_window

    window = create_window()
    window.guard.interactive = False  # nobody answers "save changes?" when it closes
    window.show()
    model = window.model
    run = model.selected
    config = model.config_copy(run)
    config.pop("epochs")
    config["steps"] = 10**8
    model.update_config(run, config)
    for k in range(3):
        model.add_run({**config, "seed": k + 1, "variant": ("batch", "stochastic", "minibatch")[k]})
    window.speed.setCurrentText("Max")
    window.runner.start()
    rows = []
    start = last = time.perf_counter()
    steps0, redraws0 = sum(r.trainer.step for r in model.runs), window.loss_view.redraw_count
    while time.perf_counter() - start < args.seconds:
        app.processEvents()
        now = time.perf_counter()
        if now - last >= args.interval:
            steps, redraws = sum(r.trainer.step for r in model.runs), window.loss_view.redraw_count
            rows.append(((steps - steps0) / (now - last), (redraws - redraws0) / (now - last), rss_mib(),
                         max(len(r.history) for r in model.runs)))
            print(f"t = {now - start:5.0f} s: {rows[-1][0]:8,.0f} steps/s (4 runs), {rows[-1][1]:5.1f} redraws/s, "
                  f"memory {rows[-1][2]:6.0f} MiB, longest history {rows[-1][3]:,} rows")
            steps0, redraws0, last = steps, redraws, now
    window.runner.pause()
    if len(rows) >= 3:
        from gd_core.history import MAX_HISTORY_BYTES
        (first_steps, first_redraws, first_memory, _), last = rows[0], rows[-1]
        print(f"last / first interval: steps/s {last[0] / first_steps:.2f}, redraws/s {last[1] / first_redraws:.2f}"
              f" (the first interval includes the start and the histories filling up)")
        later = rows[1:]  # after the first interval: the trend, each half's mean against the other's
        half = len(later) // 2

        def trend(k):
            return statistics.mean(r[k] for r in later[-half:]) / statistics.mean(r[k] for r in later[:half])
        print(f"later half / earlier half of the intervals after the first: steps/s {trend(0):.2f}, "
              f"redraws/s {trend(1):.2f}")
        print(f"memory grew {last[2] - first_memory:+.0f} MiB after the first interval, {last[2] - rows[-2][2]:+.0f} "
              f"MiB in the last (histories bounded at 4 x {MAX_HISTORY_BYTES / 2**20:.0f} MiB)")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
