"""The app runs numpy's BLAS on one thread (see app/__init__.py): a second BLAS thread made every matrix product
of a network's step wait on it whenever anything else ran on the machine."""

import os
import subprocess
import sys

import pytest

COUNT_THREADS = ("from app.__main__ import main\n"  # what the gdlab script imports, before anything else
                 "import os, numpy as np\n"
                 "a = np.ones((400, 400)); a @ a\n"
                 "print(os.environ['OPENBLAS_NUM_THREADS'], len(os.listdir('/proc/self/task')))")


def setting_and_threads(**env) -> list[str]:
    """OPENBLAS_NUM_THREADS and the process's thread count after a product, in a fresh app process."""
    inherited = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run([sys.executable, "-c", COUNT_THREADS], capture_output=True, text=True, timeout=60,
                          env={**inherited, "QT_QPA_PLATFORM": "offscreen", **env})
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads in /proc")
def test_the_app_multiplies_matrices_on_one_thread_unless_told_otherwise():
    assert setting_and_threads() == ["1", "1"]  # no BLAS worker thread started
    assert setting_and_threads(OPENBLAS_NUM_THREADS="2")[0] == "2"  # the user's own setting wins
