"""Soak: four runs at full speed in the window for two minutes. Every interval it prints the steps per second,
the redraws per second and the process memory; the last interval's rates as a ratio to the first show whether
anything slows down over time.

    QT_QPA_PLATFORM=offscreen python bench/soak.py [--seconds 120] [--interval 20]
"""

from __future__ import annotations

import argparse
import os
import resource
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
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from app import create_window

    window = create_window()
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
            print(f"  t = {now - start:5.0f} s: {rows[-1][0]:8,.0f} steps/s (4 runs), {rows[-1][1]:5.1f} redraws/s, "
                  f"memory {rows[-1][2]:6.0f} MiB, longest history {rows[-1][3]:,} rows")
            steps0, redraws0, last = steps, redraws, now
    window.runner.pause()
    if len(rows) >= 2:
        print(f"last / first interval: steps/s {rows[-1][0] / rows[0][0]:.2f}, redraws/s {rows[-1][1] / rows[0][1]:.2f}"
              f"; memory grew {rows[-1][2] - rows[0][2]:+.0f} MiB")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
