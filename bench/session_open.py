"""Opening the largest allowed session (MAX_RUNS runs) in the window, offscreen: File > Open until the window has
drawn it, against opening a one-run session in the same process.

    python bench/session_open.py [--problem linear_regression|quadratic|mlp]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from timing import best_time  # noqa: E402

CONFIGS = {
    "linear_regression": lambda i: {"problem": "linear_regression", "data": {"name": "linear", "seed": i % 5},
                                    "optimizer": {"name": "adam", "lr": 0.01 + i * 1e-4}, "epochs": 20},
    "quadratic": lambda i: {"problem": "quadratic", "optimizer": {"name": "momentum", "lr": 0.01 + i * 1e-4}},
    "mlp": lambda i: {"problem": "mlp", "data": {"name": "moons", "seed": i % 5}, "optimizer": {"name": "adam"},
                      "steps": 300},
}


def write_session(folder: str, problem: str, n_runs: int) -> str:
    from gd_core.sessions import FORMAT, VERSION
    runs = [{"name": f"run {i}", "color": "#%06x" % (i * 40503 % 0xFFFFFF), "config": CONFIGS[problem](i)}
            for i in range(n_runs)]
    path = os.path.join(folder, f"{problem}_{n_runs}.gdlab.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"format": FORMAT, "version": VERSION, "runs": runs}, fh)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problem", choices=list(CONFIGS), default="linear_regression")
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    from app import create_window
    from gd_core.sessions import MAX_RUNS

    app = QApplication.instance() or QApplication([])
    window = create_window()
    window.show()
    app.processEvents()

    def open_and_draw(path: str) -> None:
        assert window.files.open_path(path), window.banner.text()
        app.processEvents()
        window.grab()  # every view painted

    with tempfile.TemporaryDirectory() as folder:
        one, most = write_session(folder, args.problem, 1), write_session(folder, args.problem, MAX_RUNS)
        t_one, t_most = best_time(lambda: open_and_draw(one)), best_time(lambda: open_and_draw(most))
    print(f"{args.problem}: open and draw 1 run {t_one * 1e3:7.1f} ms, {MAX_RUNS} runs {t_most * 1e3:7.1f} ms")
    print(f"ratio {MAX_RUNS} runs / 1 run: {t_most / t_one:.1f} (per run: {t_most / t_one / MAX_RUNS:.2f})")


if __name__ == "__main__":
    main()
