"""Stepping a number field (the wheel while it has the keyboard, the arrow keys, its arrow buttons): a field on a
log scale steps to readable values, and a burst of steps on one field is one step to undo."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from .conftest import panel
from .test_bad_input import type_into


def lr(window) -> float:
    return window.model.selected.config["optimizer"]["lr"]


def wheel(window, box, notches: int) -> None:
    """``notches`` of the wheel over ``box`` (up where positive)."""
    centre = QPointF(box.mapTo(window, box.rect().center()))
    for _ in range(abs(notches)):
        QTest.wheelEvent(window.windowHandle(), centre, QPoint(0, 120 if notches > 0 else -120))
    QApplication.processEvents()


def test_a_log_field_steps_to_readable_values_and_a_typed_value_stays_as_typed(window):
    """The learning rate stepped by 10^(1/10): 0.05 went to 0.0629463, 0.0792447, ... Its steps now land on 1,
    1.5, 2, 3, 5, 7 of each decade; a typed value is kept exactly and steps from there to the next of them."""
    rate = panel(window, "LearningRatePanel").spin
    window.settings_scroll.ensureWidgetVisible(rate)
    rate.setFocus()
    assert lr(window) == 0.05
    seen = []
    for _ in range(3):
        QTest.keyClick(rate, Qt.Key.Key_Up)
        seen.append((lr(window), rate.text()))
    assert seen == [(0.07, "0.07"), (0.1, "0.1"), (0.15, "0.15")]
    wheel(window, rate, -4)  # the wheel, as the box has the keyboard
    assert (lr(window), rate.text()) == (0.03, "0.03")
    type_into(rate, "0.038")
    assert (lr(window), rate.text()) == (0.038, "0.038")
    rate.setFocus()
    QTest.keyClick(rate, Qt.Key.Key_Down)
    assert lr(window) == 0.03
    type_into(rate, "0.0123456789")
    rate.setFocus()
    QTest.keyClick(rate, Qt.Key.Key_Up)
    assert lr(window) == 0.015
    QTest.keyClick(rate, Qt.Key.Key_PageDown)  # ten steps: a decade and two thirds
    assert lr(window) == 0.0003
