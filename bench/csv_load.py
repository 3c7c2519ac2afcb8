"""CSV loading: time and peak memory of gd_core.load_csv on a file at the documented limits (1,000,000 rows of
9 features and a target, 47.7 MiB), against numpy's own np.loadtxt of the same file measured in the same run.

    python bench/csv_load.py [--rows 1000000]

Each measurement runs in a fresh process, so its peak memory is its own (ru_maxrss after the imports is the
baseline). The file is written by another process too: a child inherits its parent's peak, so the parent stays
small. Ratios near 1 mean GD Lab's checks cost little beyond numpy's parser.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

_WRITE = """
import sys
import numpy as np
rows, path = int(sys.argv[1]), sys.argv[2]
table = np.random.default_rng(0).random((rows, 10))
with open(path, "w", encoding="utf-8") as fh:
    fh.write(",".join([f"x{j + 1}" for j in range(9)] + ["y"]) + "\\n")
    np.savetxt(fh, table, fmt="%.2f", delimiter=",")
"""

_MEASURE = """
import resource, sys, time
import numpy as np
import gd_core
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
if sys.argv[1] == "load_csv":
    gd_core.load_csv(sys.argv[2])
else:
    np.loadtxt(sys.argv[2], delimiter=",", skiprows=1, ndmin=2)
seconds = time.perf_counter() - start
print(seconds, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024)
"""


def measure(what: str, path: str) -> tuple[float, float]:
    """(seconds, peak MiB above the baseline) of one load in a fresh process; the best time of three."""
    runs = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", _MEASURE, what, path], capture_output=True, text=True,
                             check=True)
        runs.append(tuple(map(float, out.stdout.split())))
    return min(r[0] for r in runs), max(r[1] for r in runs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "big.csv")
        subprocess.run([sys.executable, "-c", _WRITE, str(args.rows), path], check=True)
        print(f"file: {args.rows:,} rows x 10 columns, {os.path.getsize(path) / 2**20:.1f} MiB")
        ours, reference = measure("load_csv", path), measure("loadtxt", path)
        print(f"gd_core.load_csv: {ours[0]:6.2f} s, peak +{ours[1]:5.0f} MiB")
        print(f"np.loadtxt:       {reference[0]:6.2f} s, peak +{reference[1]:5.0f} MiB")
        print(f"ratio load_csv / np.loadtxt: time {ours[0] / reference[0]:.2f}, peak memory "
              f"{ours[1] / reference[1]:.2f}")


if __name__ == "__main__":
    main()
