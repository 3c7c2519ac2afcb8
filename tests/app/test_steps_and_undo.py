"""Stepping a number field (the wheel while it has the keyboard, the arrow keys, its arrow buttons): a field on a
log scale steps to readable values, and a burst of steps on one field is one step to undo."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QStyle

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


def test_a_value_typed_and_stepped_before_enter_steps_from_what_was_typed(window):
    """Typed into the learning rate and stepped at once (no Enter): "0.038" then Up gave 0.07 - a step from the
    0.05 the box held before, the typed value thrown away - where a box on a linear scale takes the typed value
    first, as Qt does. Now 0.038 then Up is 0.05, then Down 0.03."""
    rate = panel(window, "LearningRatePanel").spin
    window.settings_scroll.ensureWidgetVisible(rate)
    rate.setFocus()
    assert lr(window) == 0.05
    rate.lineEdit().selectAll()
    QTest.keyClicks(rate, "0.038")
    QTest.keyClick(rate, Qt.Key.Key_Up)
    assert (lr(window), rate.text()) == (0.05, "0.05")
    rate.lineEdit().selectAll()
    QTest.keyClicks(rate, "0.038")
    QTest.keyClick(rate, Qt.Key.Key_Down)
    assert (lr(window), rate.text()) == (0.03, "0.03")


def test_a_burst_of_steps_on_one_field_is_one_step_to_undo_and_separate_edits_stay_separate(window, monkeypatch):
    """Each wheel notch on the learning rate was a step of its own to undo (five notches, five Ctrl+Z). A burst
    of steps on one field - the wheel, the arrow keys, the slider's keys - now merges into one (Qt's
    QUndoCommand.mergeWith); a typed value, another field, the keyboard leaving the field between bursts, or a
    pause between them makes another."""
    from app.edits import StepBurst

    model, stack, lr_panel = window.model, window.undo.stack, panel(window, "LearningRatePanel")
    rate = lr_panel.spin
    window.settings_scroll.ensureWidgetVisible(rate)
    rate.setFocus()
    for _ in range(3):
        QTest.keyClick(rate, Qt.Key.Key_Up)
    wheel(window, rate, 2)
    assert lr(window) == 0.3 and stack.count() == 1 and stack.undoText() == "Set lr to 0.3 (run 1)"
    stack.undo()
    assert lr(window) == 0.05 and rate.value() == 0.05
    stack.redo()
    assert lr(window) == 0.3
    type_into(rate, "0.04")  # typed: an edit of its own, and so are the steps after it
    rate.setFocus()
    QTest.keyClick(rate, Qt.Key.Key_Down)
    QTest.keyClick(rate, Qt.Key.Key_Down)
    assert lr(window) == 0.02 and stack.count() == 3
    decay = panel(window, "OptimizerPanel").form.editors["weight_decay"]  # another field: another edit
    decay.setFocus()
    QTest.keyClick(decay, Qt.Key.Key_Up)
    QTest.keyClick(decay, Qt.Key.Key_Up)
    assert stack.count() == 4 and model.selected.config["optimizer"]["weight_decay"] > 0
    rate.setFocus()  # back to the rate (its burst ended when it lost the keyboard): another edit
    QTest.keyClick(rate, Qt.Key.Key_Up)
    assert stack.count() == 5 and lr(window) == 0.03
    now = [1000.0]
    monkeypatch.setattr(StepBurst, "clock", staticmethod(lambda: now[0]))
    QTest.keyClick(rate, Qt.Key.Key_Up)  # the same burst still: one edit 0.02 -> 0.05
    assert stack.count() == 5 and lr(window) == 0.05
    now[0] += StepBurst.PAUSE + 0.1  # a pause, then more steps: another edit
    QTest.keyClick(rate, Qt.Key.Key_Up)
    QTest.keyClick(rate, Qt.Key.Key_Up)
    assert stack.count() == 6 and lr(window) == 0.1
    slider = lr_panel.slider  # the slider's steps (keys, the wheel while it has the keyboard) too
    slider.setFocus()
    for _ in range(4):
        QTest.keyClick(slider, Qt.Key.Key_Right)
    assert stack.count() == 7 and lr(window) > 0.1
    for expected in (0.1, 0.05, 0.02, 0.02, 0.04, 0.3, 0.05):  # (the fourth: the weight decay's burst)
        stack.undo()
        assert lr(window) == expected, expected
    assert model.selected.config["optimizer"]["weight_decay"] == 0 and stack.index() == 0


def test_the_rate_sliders_keys_and_wheel_step_to_the_values_the_box_beside_it_steps_to(window):
    """The learning-rate slider's own keys stepped one tick of 100 a decade: 0.05 went to 0.0512, 0.0524, ...
    (x1.023), while the box beside it steps 0.05, 0.07, 0.1. Each key of the slider now lands where the same key
    lands in the box, from a rate it was given, typed or dragged to; a wheel notch on it (as it has the keyboard)
    and a click on its groove step one value."""
    lr_panel = panel(window, "LearningRatePanel")
    slider, rate = lr_panel.slider, lr_panel.spin
    window.settings_scroll.ensureWidgetVisible(slider)
    keys = (Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Left, Qt.Key.Key_Down, Qt.Key.Key_PageUp,
            Qt.Key.Key_PageDown)
    for start in (0.05, 0.038, 0.0123456789, 1e-5, 7.0):
        for key in keys:
            type_into(rate, repr(start))
            assert lr(window) == start
            rate.setFocus()
            QTest.keyClick(rate, {Qt.Key.Key_Right: Qt.Key.Key_Up, Qt.Key.Key_Left: Qt.Key.Key_Down}.get(key, key))
            ended = min(max(lr(window), 1e-5), 10.0)  # the slider ends at 1e-5 and 10
            boxed = (ended, rate.text() if ended == lr(window) else f"{ended:g}")
            type_into(rate, repr(start))
            slider.setFocus()
            QTest.keyClick(slider, key)
            assert (lr(window), rate.text()) == boxed, (start, key)
    type_into(rate, "0.05")
    slider.setFocus()
    wheel(window, slider, 2)
    assert lr(window) == 0.1
    wheel(window, slider, -3)
    assert lr(window) == 0.03
    handle = slider.style().subControlRect(QStyle.ComplexControl.CC_Slider, slider_option(slider),
                                           QStyle.SubControl.SC_SliderHandle, slider)
    QTest.mouseClick(slider, Qt.MouseButton.LeftButton, pos=QPoint(slider.width() - 3, handle.center().y()))
    assert lr(window) == 0.05  # a click on the groove to the right of the handle: one value up
    slider.setSliderDown(True)  # dragged: the tick's value, as before
    slider.setSliderPosition(slider.sliderPosition() + 1)
    slider.setSliderDown(False)
    assert lr(window) == 0.0513  # (0.05 lies at the tick of 0.0501)


def slider_option(slider):
    from PySide6.QtWidgets import QStyleOptionSlider
    option = QStyleOptionSlider()
    slider.initStyleOption(option)
    return option
