"""A line on the terminal while a long test runs, even while pytest captures output, so that no test sits
silent for minutes: ``progress("robustness: 50 of 300 examples, 21 s")``."""

from __future__ import annotations

from contextlib import nullcontext

_config = None


def configure(config) -> None:
    """Called by tests/conftest.py's pytest_configure: progress lines go to this session's terminal."""
    global _config
    _config = config


def progress(text: str) -> None:
    """Write ``text`` as a line of its own on the terminal now (nothing outside a pytest session)."""
    reporter = _config.pluginmanager.get_plugin("terminalreporter") if _config is not None else None
    if reporter is None:
        return
    capture = _config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture is not None else nullcontext():
        reporter.write_line(text)
