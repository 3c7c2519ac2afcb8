"""Run every benchmark and write docs/PERFORMANCE.md with the commands and what they printed.

    QT_QPA_PLATFORM=offscreen python bench/report.py [--quick]

--quick shortens the soak and the long run (for a look, not for the report).

On a Linux machine shared with other sessions (each terminal or job its own scheduling autogroup, where a process's
nice value weighs only against its own group's), give the report a group of its own at the highest weight (root):

    setsid sh -c 'echo -20 > /proc/$$/autogroup; exec python bench/report.py'

Measured so beside four other sessions' test runs, three runs of bench/run_many_speed.py --rounds 9: one run
39.0-40.8 ms, 64 runs with one seed 78.7-80.8 ms, with a seed each (two threads) 138-155 ms; at the default weight
the same 64 runs took 77-230 ms. The report's header says which weight it ran at.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def benchmarks(quick: bool):
    return [
        ("Core speed against a hand-written numpy loop; full-loss and contour cost against dataset size",
         ["core_speed.py"]),
        ("run_many scaling: 64 vectorised runs against one", ["run_many_speed.py"]),
        ("Event-loop lateness while a learning-rate sweep runs in its worker process", ["sweep_latency.py"]),
        ("Start-up of the sweep worker process against importing numpy", ["start_up.py"]),
        ("Landscape projection of an MLP (trajectory plane)", ["projection_speed.py"]),
        ("GUI: start-up, redraws and event-loop lateness, one run growing to 100,000 rows",
         ["gui_speed.py", "--seconds", "10", "--runs", "1"]),
        ("GUI: the same with 4 runs", ["gui_speed.py", "--seconds", "10", "--runs", "4"]),
        ("Views: a measured quantity's redraw, a log-axis loss frame and a hover move, against redoing all of it",
         ["view_redraw.py"]),
        ("Animations: recording speed and file size (gdlab --record)", ["animation_speed.py"]),
        ("Memory of a long run", ["memory.py", "--steps", "200000" if quick else "1000000"]),
        ("Soak: four runs at full speed, their histories bounded at 8 MiB each so the bound is reached",
         ["soak.py", "--seconds", "30" if quick else "120", "--interval", "10" if quick else "20",
          "--history-mib", "8"]),
    ]


#: (figure, target and the issue that set it, pattern in the benchmark outputs, how to show what it matched,
#: whether the matched number meets the target)
TARGETS = (
    ("gd_core.run / hand-written loop", ">= 0.5 (2)", r"ratio core / hand\s*:\s*([\d.]+)", "{}",
     lambda v: v >= 0.5),
    ("full loss, n = 1e6 / n = 1e3 (time)", "flat (2)", r"full loss\s+time ratio.*?:\s*([\d.]+)", "{}",
     lambda v: 0.5 <= v <= 2),
    ("contour grid, n = 1e6 / n = 1e3 (time)", "flat (2)", r"grid\s+time ratio.*?:\s*([\d.]+)", "{}",
     lambda v: 0.5 <= v <= 2),
    ("64 runs / 1 run, one seed", "<= 2 (13)", r"64 runs, one seed\s*:.*?ratio\s+([\d.]+)", "{}",
     lambda v: v <= 2),
    ("64 runs / 1 run, one seed each", "<= 3 (13)", r"64 runs, one seed each\s*:.*?ratio\s+([\d.]+)", "{}",
     lambda v: v <= 3),
    ("event-loop lateness p95 during a sweep", "responsive (13)", r"lateness: .*?p95\s+([\d.]+) ms", "{} ms",
     lambda v: v < 30),
    ("launch to a shown window / bare pyqtgraph window", "<= 1.5 (3)", r"ratio ([\d.]+) \(target <= 1.5\)", "{}",
     lambda v: v <= 1.5),
    ("redraws per second, 1 run growing to 100,000 rows", ">= 30 (3)",
     r"1 run\(s\).*?: ([\d.]+) redraws/s", "{}", lambda v: v >= 30),
    ("event-loop lateness p95, 1 run", "< 30 ms (3)", r"1 run\(s\).*?lateness p95 ([\d.]+) ms", "{} ms",
     lambda v: v < 30),
    ("redraws per second, 4 runs", ">= 30 (3, 6)", r"4 run\(s\).*?: ([\d.]+) redraws/s", "{}", lambda v: v >= 30),
    ("event-loop lateness p95, 4 runs", "< 30 ms (3, 6)", r"4 run\(s\).*?lateness p95 ([\d.]+) ms", "{} ms",
     lambda v: v < 30),
    ("history of a 1,000,000-step run / its bound", "bounded (6)", r"1,000,000 steps.*?ratio ([\d.]+)", "{}",
     lambda v: v <= 1.0),
    ("soak, steps/s later half / earlier half", "no slowdown (6)",
     r"later half / earlier half.*?steps/s ([\d.]+)", "{}", lambda v: v >= 0.9),
    ("soak, memory growth in the last interval", "bounded (6)", r"MiB after the first interval, ([+-]\d+) MiB",
     "{} MiB", lambda v: v <= 5),
)


def targets_table(outputs: str) -> list[str]:
    """The figures the issues set targets for, found in the benchmarks' outputs, against their targets."""
    lines = ["## Against the targets", "", "| figure | target (issue) | this report |", "| --- | --- | --- |"]
    for figure, target, pattern, shown, met in TARGETS:
        found = re.search(pattern, outputs)
        if found is None:
            lines.append(f"| {figure} | {target} | **not measured** |")
            continue
        value = float(found.group(1))
        text = shown.format(found.group(1))
        lines.append(f"| {figure} | {target} | {text if met(value) else f'**{text} - misses**'} |")
    return lines + [""]


def scheduling_note() -> str:
    """Where the report ran at its scheduling autogroup's highest weight (see the module doc), it says so."""
    try:
        with open("/proc/self/autogroup", encoding="ascii") as fh:
            nice = int(fh.read().rsplit("nice", 1)[1])
    except (OSError, ValueError, IndexError):
        return ""
    return f" It ran in a scheduling group of its own at nice {nice}." if nice < 0 \
        else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    out = ["# GD Lab performance report", "",
           f"Produced by `python bench/report.py` on {datetime.date.today()} - {platform.platform()}, "
           f"{os.cpu_count()} cores, Python {platform.python_version()}. Every figure that matters is a ratio "
           "against a reference measured in the same run; this machine is shared and noisy, so absolute times "
           f"vary from run to run.{scheduling_note()}", ""]
    outputs = []
    for title, command in benchmarks(args.quick):
        print(f"== {title}", flush=True)
        result = subprocess.run([sys.executable, os.path.join(HERE, command[0]), *command[1:]], cwd=ROOT, env=env,
                                capture_output=True, text=True)
        text = "\n".join(line for line in result.stdout.splitlines() if "propagateSizeHints" not in line)
        print(text, flush=True)
        outputs.append(text)
        out += [f"## {title}", "", f"    python bench/{' '.join(command)}", "", "```", text.strip(), "```", ""]
    out += targets_table("\n".join(outputs))
    with open(os.path.join(ROOT, "docs", "PERFORMANCE.md"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
