"""Run every benchmark and write docs/PERFORMANCE.md with the commands and what they printed.

    QT_QPA_PLATFORM=offscreen python bench/report.py [--quick]

--quick shortens the soak and the long run (for a look, not for the report).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def benchmarks(quick: bool):
    return [
        ("Core speed against a hand-written numpy loop; full-loss and contour cost against dataset size",
         ["core_speed.py"]),
        ("run_many scaling: 64 vectorised runs against one", ["run_many_speed.py"]),
        ("Landscape projection of an MLP (trajectory plane)", ["projection_speed.py"]),
        ("GUI: start-up, redraws and event-loop lateness, one run growing to 100,000 rows",
         ["gui_speed.py", "--seconds", "10", "--runs", "1"]),
        ("GUI: the same with 4 runs", ["gui_speed.py", "--seconds", "10", "--runs", "4"]),
        ("Memory of a long run", ["memory.py", "--steps", "200000" if quick else "1000000"]),
        ("Soak: four runs at full speed", ["soak.py", "--seconds", "30" if quick else "120",
                                           "--interval", "10" if quick else "30"]),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    out = ["# GD Lab performance report", "",
           f"Produced by `python bench/report.py` on {datetime.date.today()} - {platform.platform()}, "
           f"{os.cpu_count()} cores, Python {platform.python_version()}. Every figure that matters is a ratio "
           "against a reference measured in the same run; this machine is shared and noisy, so absolute times "
           "vary from run to run.", ""]
    for title, command in benchmarks(args.quick):
        print(f"== {title}", flush=True)
        result = subprocess.run([sys.executable, os.path.join(HERE, command[0]), *command[1:]], cwd=ROOT, env=env,
                                capture_output=True, text=True)
        text = "\n".join(line for line in result.stdout.splitlines() if "propagateSizeHints" not in line)
        print(text, flush=True)
        out += [f"## {title}", "", f"    python bench/{' '.join(command)}", "", "```", text.strip(), "```", ""]
    with open(os.path.join(ROOT, "docs", "PERFORMANCE.md"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
