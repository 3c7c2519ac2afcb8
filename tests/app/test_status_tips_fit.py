"""The status bar's tips end in "…" where they meet the status labels, never cut mid-sentence against them."""

from app.theme import theme
from app.views.parameter_space import START_STATUS


def test_a_status_tip_too_wide_for_extra_large_text_ends_in_an_ellipsis(window, qtbot):
    """At Extra large text on 1366 px, the parameter space's tip read "Double-click to start the selected runReady":
    cut where the state label begins, no sign that words were missing."""
    theme().set_text_size("huge")
    window.resize(1280, 720)
    bar = window.statusBar()
    qtbot.waitUntil(lambda: window.state_label.geometry().left() < bar.fontMetrics().horizontalAdvance(START_STATUS))
    bar.showMessage(START_STATUS)
    shown = bar.currentMessage()
    room = window.state_label.geometry().left()
    assert shown.endswith("…") and START_STATUS.startswith(shown[:-1])
    assert bar.fontMetrics().horizontalAdvance(shown) < room
    window.resize(2400, 720)  # wider: the whole tip again (one shown before the window was laid out, as at launch,
    qtbot.waitUntil(lambda: bar.currentMessage() == START_STATUS)  # stayed cut)
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: bar.currentMessage() == shown)
    theme().set_text_size("normal")
    qtbot.waitUntil(lambda: window.state_label.geometry().left() > bar.fontMetrics().horizontalAdvance(START_STATUS))
    bar.showMessage(START_STATUS)
    assert bar.currentMessage() == START_STATUS  # where it fits, it is whole
