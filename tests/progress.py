"""A line on the terminal while a long test runs, even while pytest captures output, so that no test sits
silent for minutes: ``progress("robustness: 50 of 300 examples, 21 s")``."""

from __future__ import annotations

import sys
from contextlib import nullcontext

_config = None


def configure(config) -> None:
    """Called by tests/conftest.py's pytest_configure: progress lines go to this session's terminal."""
    global _config
    _config = config


def progress(text: str) -> None:
    """Write ``text`` as a line of its own on the terminal now (nothing outside a pytest session). In a
    pytest-xdist worker, whose standard output goes nowhere, the line goes to its standard error - the terminal's -
    named by the worker: ``[gw1] robustness: ...``."""
    if _config is None:
        return
    capture = _config.pluginmanager.get_plugin("capturemanager")
    worker = getattr(_config, "workerinput", None)
    reporter = _config.pluginmanager.get_plugin("terminalreporter")
    if worker is None and reporter is None:
        return
    with capture.global_and_fixture_disabled() if capture is not None else nullcontext():
        if worker is None:
            reporter.write_line(text)
        else:
            sys.stderr.write(f"\n[{worker['workerid']}] {text}\n")
            sys.stderr.flush()
