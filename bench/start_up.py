"""Start-up of GD Lab's sweep worker process, against a fresh interpreter that imports numpy (which it needs).

The sweep worker (``python -m gd_core.sweep_worker``, started for each learning-rate sweep and each batch-size
scaling): started and sent a one-rate sweep of 1 step on the default problem, to its first line out, then read to
its end. A ratio to ``python -c "import numpy"`` measured in turns with it (so drifting machine load hits both
alike), best of ``--repeats`` each, with compiled modules (.pyc) as a user's Python keeps them: the wall time to the
first answer, and the process's CPU time (user + system, the steadier figure on a shared machine).

    python bench/start_up.py [--repeats 9]
"""

from __future__ import annotations

import argparse
import compileall
import os
import subprocess
import sys
import time

import gd_core
from gd_core import sweep, sweep_worker


def _cpu(process: subprocess.Popen) -> float:
    """The ended ``process``'s CPU time (user + system)."""
    _, _, usage = os.wait4(process.pid, 0)
    process.returncode = 0
    return usage.ru_utime + usage.ru_stime


def numpy_time() -> tuple[float, float]:
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", "import numpy"])
    cpu = _cpu(process)
    return time.perf_counter() - start, cpu


def sweep_request() -> str:
    config, _ = gd_core.resolve({"steps": 1})
    return sweep_worker.request_text(config, sweep.sweep_jobs(config, [0.01], "optimizer", ["plain"]))


def sweep_worker_time(request: str) -> tuple[float, float]:
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "gd_core.sweep_worker"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    process.stdin.write(request)
    process.stdin.close()
    first = process.stdout.readline()
    took = time.perf_counter() - start
    rest = process.stdout.read().splitlines()
    assert "progress" in first and rest[-1] == '{"end": "done"}', (first, rest)
    return took, _cpu(process)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    compileall.compile_dir(os.path.dirname(gd_core.__file__), quiet=1)
    request = sweep_request()
    times: dict[str, list[tuple[float, float]]] = {"numpy": [], "sweep": []}
    for _ in range(args.repeats):
        times["numpy"].append(numpy_time())
        times["sweep"].append(sweep_worker_time(request))
    (wall0, cpu0), (wall, cpu) = ((min(w for w, _ in times[k]), min(c for _, c in times[k]))
                                  for k in ("numpy", "sweep"))
    print(f"python -c 'import numpy' (the reference): {wall0 * 1000:.0f} ms, CPU {cpu0 * 1000:.0f} ms")
    print(f"sweep worker, started to its first line: {wall * 1000:.0f} ms, ratio {wall / wall0:.2f}; "
          f"CPU {cpu * 1000:.0f} ms, ratio {cpu / cpu0:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
