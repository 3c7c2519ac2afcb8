"""The suite's own files stay in throwaway folders (tests/conftest.py)."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_crash_reports_and_autosaves_go_to_a_throwaway_folder():
    """Some test left default-session autosaves in the GDLAB_CRASH_DIR the suite was started with (a developer's
    own folder; without it, the user's application data): the session's folder is a fresh temporary one."""
    folder = os.environ.get("GDLAB_CRASH_DIR", "")
    assert os.path.dirname(folder) == tempfile.gettempdir()
    assert os.path.basename(folder).startswith("gdlab-test-crash-") and os.listdir(folder) == []


def test_a_session_removes_its_folders_as_it_ends(tmp_path):
    """Every run left its two folders in the temporary folder (hundreds piled up): a session run in a temporary
    folder of its own, with two pytest-xdist workers, leaves none of them there - neither the workers' nor those
    of the process that steers them."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
                          f"{__file__}::test_crash_reports_and_autosaves_go_to_a_throwaway_folder"],
                         cwd=ROOT, env={**os.environ, "TMPDIR": str(temp)}, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and "1 passed" in run.stdout, run.stdout[-3000:] + run.stderr[-3000:]
    assert [name for name in os.listdir(temp) if name.startswith("gdlab-test-")] == []
