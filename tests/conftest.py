"""Test set-up: Qt renders offscreen, and keeps its settings (recent files, window layout) in a private folder
so that tests neither read nor change the user's; this runs before any QApplication exists. Crash reports and
autosaved copies go to a throwaway folder too (each GUI test has its own inside it: tests/app/conftest.py), never
to the folder the suite was started with - a developer's own GDLAB_CRASH_DIR, or the user's application data.
Each process of the session (pytest-xdist's workers and the process that steers them) makes its own two folders
as it imports this file, and removes them as its session ends."""

import os
import shutil
import tempfile
import warnings

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
CONFIG_DIR = os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="gdlab-test-config-")
CRASH_DIR = os.environ["GDLAB_CRASH_DIR"] = tempfile.mkdtemp(prefix="gdlab-test-crash-")


def pytest_configure(config):
    from .progress import configure
    configure(config)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session):
    """The session's two folders go with it (they piled up in the temporary folder, two a run): once the last
    test's and session's fixtures are torn down. Not later, at pytest_unconfigure: a pytest-xdist worker says it
    has finished just after this hook, and its process may be ended before it unconfigures (both workers' folders
    were left so under load)."""
    for folder in (CONFIG_DIR, CRASH_DIR):
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def nothing_left_in_the_crash_folder():
    """A test that leaves a crash report or an autosaved copy in the session's folder (a window that outlived
    its test and autosaved there) is named in a warning, and the folder emptied for the next test."""
    yield
    left = sorted(os.listdir(CRASH_DIR))
    for name in left:
        path = os.path.join(CRASH_DIR, name)
        if os.path.isfile(path) or os.path.islink(path):
            os.remove(path)
    if left:
        warnings.warn(f"left {', '.join(left)} in the test session's crash folder", stacklevel=1)
