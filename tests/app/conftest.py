"""Fixtures for the GUI tests (pytest-qt, offscreen)."""

import pytest

from app import create_window


@pytest.fixture
def window(qtbot):
    win = create_window()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.runner.pause()


def panel(win, kind):
    return next(p for p in win.panels if type(p).__name__ == kind)
