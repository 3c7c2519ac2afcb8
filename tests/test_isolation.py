"""The suite's own files stay in throwaway folders (tests/conftest.py)."""

import os
import tempfile


def test_crash_reports_and_autosaves_go_to_a_throwaway_folder():
    """Some test left default-session autosaves in the GDLAB_CRASH_DIR the suite was started with (a developer's
    own folder; without it, the user's application data): the session's folder is a fresh temporary one."""
    folder = os.environ.get("GDLAB_CRASH_DIR", "")
    assert os.path.dirname(folder) == tempfile.gettempdir()
    assert os.path.basename(folder).startswith("gdlab-test-crash-") and os.listdir(folder) == []
