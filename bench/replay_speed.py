"""Reopening a saved session: replaying a run of 100,000 steps of the default config (sessions version 2), with
and without a live change half way, against training the same steps in one ``advance`` call in this process.

    python bench/replay_speed.py [--steps 100000]
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from timing import best_time  # noqa: E402

import gd_core  # noqa: E402
from app.session import DEFAULT_CONFIG  # noqa: E402  (Qt-free)
from gd_core.replay import replay  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100_000)
    args = parser.parse_args()
    config = {k: v for k, v in DEFAULT_CONFIG.items() if k != "epochs"} | {"steps": args.steps}
    changed = {**config, "optimizer": {"name": "momentum", "lr": 0.01, "momentum": 0.9}}
    problem = gd_core.Trainer(config).problem  # built once, as the window shares it among runs

    def train():
        gd_core.Trainer(config, problem).advance(args.steps)

    t_train = best_time(train)
    t_replay = best_time(lambda: replay(((0, config),), args.steps, problem))
    t_changed = best_time(lambda: replay(((0, config), (args.steps // 2, changed)), args.steps, problem))
    print(f"{args.steps:,} steps of the default config: train in one call {t_train:.3f} s, replay {t_replay:.3f} s, "
          f"replay with a live change half way {t_changed:.3f} s")
    print(f"ratio replay / train: {t_replay / t_train:.2f} (with a change: {t_changed / t_train:.2f})")


if __name__ == "__main__":
    main()
