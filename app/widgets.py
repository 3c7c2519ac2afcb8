"""Small reusable input widgets: a spin box for numbers of any magnitude, a log-scale slider, and a form
generated from gd_core's :class:`~gd_core.spec.Param` rows (one source of truth for ranges and tooltips).

Every spin box, combo box and slider here is *calm* (:class:`CalmInput`): in a scrolling panel the wheel
scrolls the panel unless the input has keyboard focus, Enter commits a typed value and Escape reverts it, and
both give the keyboard back to the window (so Space, S and R work again).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QKeyCombination, QObject, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QKeySequence, QPalette, QTextDocument, QValidator
from PySide6.QtWidgets import (
    QAbstractSlider,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QTextBrowser,
    QToolTip,
    QWidget,
)

from gd_core.files import quote
from gd_core.settings import Setting
from gd_core.spec import Param, commas_group_thousands, integer_list, log_step, typed_number

from .edits import StepBurst
from .theme import theme

#: Spin boxes cannot hold infinity; these stand in for an unbounded side.
UNBOUNDED = 1e12
_COMMIT_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
#: The keys with which Qt changes a closed combo box's choice at once (as if chosen from its list)
_CHOOSING_KEYS = (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown, Qt.Key.Key_Home,
                  Qt.Key.Key_End)


def _undo_key(event) -> bool:
    return any(event.matches(key) for key in (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo)) or (
        event.keyCombination() == QKeyCombination(Qt.KeyboardModifier.ControlModifier
                                                  | Qt.KeyboardModifier.ShiftModifier, Qt.Key.Key_Z))


def give_keyboard_back(widget: QWidget) -> None:
    """Move the focus from an input to where the window wants the keyboard (its plots), or just leave it."""
    home = getattr(widget.window(), "keyboard_home", None)
    if callable(home):
        home()
    else:
        widget.clearFocus()


class CalmInput:
    """Mixin for inputs in scrolling panels (the common Qt idiom): the wheel is theirs only while they have
    keyboard focus - otherwise the event goes on to the panel, which scrolls. Enter commits, Escape reverts
    (:meth:`revert`); both give the keyboard back (:func:`give_keyboard_back`)."""

    #: Whether the wheel edits the input while it has focus (a setting nudged on purpose); a choice box sets it off
    #: (:class:`ComboBox`): a student scrolling the questions with the pointer over the answer just chosen, or the
    #: settings over the problem just chosen, must not change it
    wheel_edits = True

    def calm(self) -> None:
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # never focused by the wheel
        self.burst = StepBurst()  # its steps in quick succession undo as one

    def wheelEvent(self, event) -> None:
        if self.wheel_edits and self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()  # an ignored wheel event propagates to the parent: the scroll area

    def focusOutEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.burst.end()  # the keyboard elsewhere: the next step here is another edit
        super().focusOutEvent(event)

    def event(self, event) -> bool:
        """Ctrl+Z and Ctrl+Shift+Z with nothing typed here to take back are the Edit menu's Undo and Redo: the
        field took them for its own empty undo, and the window's Undo never ran while a field had the focus."""
        if event.type() == QEvent.Type.ShortcutOverride and _undo_key(event) and not self._typed():
            event.ignore()  # not this field's: the window's shortcut takes the keys
            return True
        return super().event(event)

    def _typed(self) -> bool:
        """Whether typing here can be taken back (the field's own undo)."""
        edit = self if isinstance(self, QLineEdit) else getattr(self, "lineEdit", lambda: None)()
        return edit is not None and edit.isUndoAvailable()

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.revert()
            give_keyboard_back(self)
            return
        super().keyPressEvent(event)
        if key in _COMMIT_KEYS:
            give_keyboard_back(self)  # the focus-out commits what was typed

    def revert(self) -> None:
        """Forget what was typed: show the committed value again."""


def refuse_typed(box, text: str) -> None:
    """Say that ``box`` did not take the typed ``text`` (beyond its range, not a number: "1e40", "-1", "0x10",
    "nan" as far as it could be typed), naming what it takes: in the window's message row, or at the box where
    its window has none (a floating dock, the sweep's window). An emptied box just shows its value again."""
    if not text.strip():
        return
    name = getattr(box, "setting_name", "") or box.objectName() or "this box"
    message = f"Not applied - {name}: {quote(text.strip())} is not {box.allowed_text()}; the box shows its value again."
    show = getattr(box.window(), "show_message", None)
    if callable(show):
        show(message, "error")
    else:
        QToolTip.showText(box.mapToGlobal(box.rect().bottomLeft()), message, box)


class _CalmSpin(CalmInput):
    """A calm spin box that may shrink below its size hint (Qt's default policy makes the hint a minimum, so a
    form of spin boxes forced the settings dock wider than a small screen allows)."""

    #: The widest text a number field needs to show whole; it shrinks to half of it at the least.
    widest_text = "-1.23457e+12"

    def calm(self) -> None:
        super().calm()
        self.setSizePolicy(QSizePolicy.Policy.Preferred, self.sizePolicy().verticalPolicy())

    def revert(self) -> None:
        self.lineEdit().setText(self.textFromValue(self.value()))  # no keyboard tracking: value() is committed

    def stepBy(self, steps: int) -> None:  # noqa: N802 (Qt's name): the wheel, an arrow key or button
        with self.burst.stepping():
            self.step(steps)

    def step(self, steps: int) -> None:
        """Qt's step (a subclass may step otherwise)."""
        super().stepBy(steps)

    def fixup(self, text: str) -> str:
        """Qt calls this when the box commits text it cannot take (Enter, focus-out, an arrow after typing): say
        so (:func:`refuse_typed`); the box then shows its value again."""
        refuse_typed(self, text)
        return super().fixup(text)

    def allowed_text(self) -> str:
        """What the box takes, in words."""
        if getattr(self, "allowed", None):
            return self.allowed
        what = "an integer" if isinstance(self, QSpinBox) else "a number"
        special = f", or {self.specialValueText()!r}" if self.specialValueText() else ""
        return f"{what} in [{self.textFromValue(self.minimum())}, {self.textFromValue(self.maximum())}]{special}"

    def sizeHint(self) -> QSize:
        return QSize(self._text_width() + 30, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        return QSize(self._text_width() // 2 + 30, super().minimumSizeHint().height())

    def _text_width(self) -> int:
        return self.fontMetrics().horizontalAdvance(self.widest_text)


class SpinBox(_CalmSpin, QSpinBox):
    """An integer spin box that commits on Enter or focus-out, and is calm (:class:`CalmInput`)."""

    widest_text = "1234567890"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setKeyboardTracking(False)
        self.calm()

    def validate(self, text: str, pos: int):
        """Qt's check, except that text it would refuse keystroke by keystroke stays as typed and is refused by
        name when committed (:meth:`fixup`): Qt dropped the "e" of "1e40", and a seed became 140 unsaid. A comma
        is taken only where it groups thousands ("1,000"): Qt read "1,5" as 15, unsaid."""
        state, text, pos = super().validate(text, pos)
        if state == QValidator.State.Acceptable and not commas_group_thousands(text):
            state = QValidator.State.Intermediate
        return (QValidator.State.Intermediate if state == QValidator.State.Invalid else state), text, pos

    def fixup(self, text: str) -> str:
        if not commas_group_thousands(text):
            refuse_typed(self, text)
            return text  # as typed, still refused: Qt's own fixup drops the commas ("1,5" -> 15)
        return super().fixup(text)


class ComboBox(CalmInput, QComboBox):
    """A calm combo box (:class:`CalmInput`) that may shrink to its shortest useful text (its minimum contents
    length) but asks for its longest: where the row has room it shows its choice whole ("PCA plane" was cut to
    "PCA plan" in a header with room to spare). Where it has not, the choice ends in "…" and the tooltip starts
    with it whole (Qt clips it mid-letter: "Neural network (MLP, cross-entr" in a narrow settings panel); the
    list it opens shows every choice whole (Qt makes it as wide as its longest)."""

    #: The wheel never changes the choice, focused or not: it scrolls the panel (a choice is made in the list, as
    #: the keys that would change it open the list - :meth:`keyPressEvent`; Qt's macOS style rules so too,
    #: SH_ComboBox_AllowWheelScrolling). The problem box just chosen from, the pointer left over it, switched the
    #: problem again - the run started afresh - at the next turn of the wheel meant for the panel.
    wheel_edits = False

    def __init__(self, parent=None):
        self._tip = ""  # the tooltip as set; the shown one leads with the whole choice while it is drawn elided
        self._shown = None  # the text last drawn (None: not drawn yet)
        super().__init__(parent)
        self.calm()
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(5)

    def setToolTip(self, tip: str) -> None:  # noqa: N802 (Qt's name)
        self._tip = tip
        self._show_tip(self._shown)

    def shown_text(self) -> str:
        """The current choice as the box shows it: whole, or what fits its text field followed by "…"."""
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        field = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                            QStyle.SubControl.SC_ComboBoxEditField, self)
        room = field.width() - (option.iconSize.width() + 4 if not option.currentIcon.isNull() else 0)
        return self.fontMetrics().elidedText(option.currentText, Qt.TextElideMode.ElideRight, max(0, room))

    def _show_tip(self, shown: str | None) -> None:
        self._shown, whole = shown, self.currentText()
        tip = self._tip if shown in (None, whole) else f"{whole}\n{self._tip}" if self._tip else whole
        if tip != super().toolTip():
            super().setToolTip(tip)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name): Qt's own drawing, with the text elided
        painter = QStylePainter(self)
        painter.setPen(self.palette().color(QPalette.ColorRole.Text))
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        option.currentText = self.shown_text()
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)
        self._show_tip(option.currentText)  # the tooltip follows what is drawn (items change with signals blocked)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """A key that would change the choice of the closed box (an arrow, PageUp, PageDown, Home, End, a letter
        of a choice) opens its list there instead: the choice is made in the list (Enter, a click) and Escape
        leaves it as it was. Qt chose at once - Down on the problem box switched the problem, starting the run
        afresh, at each press of a student moving through the panel. Alt+Down and F4 open it too, as in Qt."""
        text = event.text()
        typed = bool(text) and text.isprintable() and not text.isspace()
        plain = not event.modifiers() & (Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ControlModifier)
        if self.isEditable() or not plain or not (event.key() in _CHOOSING_KEYS or typed):
            super().keyPressEvent(event)
            return
        self.showPopup()
        if typed:
            self.view().keyboardSearch(text)  # the first choice that starts so, marked in the list

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            # Qt forgets its measured least size on a style change, not on a font change: a box measured at the
            # normal text size kept that least width at Large text (and a box made at Large text had a wider one)
            super().changeEvent(QEvent(QEvent.Type.StyleChange))
            self.updateGeometry()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()  # room for minimumContentsLength() x's, as Qt measures it
        metrics = self.fontMetrics()
        longest = max((metrics.horizontalAdvance(self.itemText(k)) for k in range(self.count())), default=0)
        return QSize(hint.width() + max(0, longest - metrics.horizontalAdvance("x") * self.minimumContentsLength()),
                     hint.height())


class NumberSpinBox(_CalmSpin, QDoubleSpinBox):
    """A double spin box that shows and accepts any magnitude ("0.05", "1e-10", "2.5e+03").

    Values commit on Enter or focus-out (no keyboard tracking). With ``log=True`` the arrows and the wheel step
    along 1, 1.5, 2, 3, 5, 7 in each decade (:func:`gd_core.spec.log_step`) instead of adding a fixed step; a
    typed value stays as typed. Calm (:class:`CalmInput`). (QDoubleSpinBox would size itself
    for its range at 323 decimals - thousands of pixels; :class:`_CalmSpin` sizes it for "-1.23457e+12".)

    It holds every float of [low, high] exactly, as the config does: Qt rounds a value to 323 decimals (5e-324,
    the smallest positive float, to 0; other subnormals to fewer digits), so the box keeps the value it was
    given or that was typed beside the one Qt holds for it, and :meth:`value` gives it back while Qt still holds
    that; :meth:`valueChanged` carries Qt's, so a consumer reads :meth:`value`. ``allowed`` says in words what
    it takes (a setting's ``allowed()``, with its open bounds), for the refusal of a typed value.
    """

    def __init__(self, low: float, high: float, log: bool = False, allowed: str | None = None, parent=None):
        self._low, self._high, self.allowed = low, high, allowed  # the range as the config has it
        self._exact: tuple[float, float] | None = None  # (the value given, the one Qt holds for it)
        self._typed: float | None = None  # a typed value on its way to Qt (see _took)
        super().__init__(parent)
        self.calm()
        self.setDecimals(323)  # never round what the user typed
        self.setRange(low, high)
        self.valueChanged.connect(self._took)  # first: it runs before any consumer's slot
        self.editingFinished.connect(self._settle)
        self.setKeyboardTracking(False)
        self.setAccelerated(True)
        self.log = log
        self.setSingleStep(0.1)

    def setRange(self, low: float, high: float) -> None:
        """Take [low, high] as the config's range; Qt's minimum is the least value it holds in it (5e-324, which
        it rounds to 0, gives 1e-323: one 323rd decimal)."""
        self._low, self._high = low, high
        super().setRange(low, high)
        if self.minimum() < low:
            self.setMinimum(self.minimum() + 1e-323)

    def bounds(self) -> tuple[float, float]:
        """What the box takes, as the config's range has it (Qt's minimum may lie a little inside it: see the
        class doc), widened to a special value below it (:data:`NOT_SET`)."""
        return min(self._low, self.minimum()), max(self._high, self.maximum())

    def setValue(self, value: float) -> None:
        self._typed = None
        before, held = self.value(), super().value()
        self._exact = (float(value), None) if self._low <= value <= self._high else None  # shown as given
        super().setValue(value)
        if self._exact is not None:
            self._exact = (self._exact[0], super().value())
        if super().value() == held and self.value() != before:  # Qt held the same, so it said nothing: say it
            self.lineEdit().setText(self.textFromValue(held))
            self.valueChanged.emit(held)

    def value(self) -> float:
        held = super().value()
        return self._exact[0] if self._exact is not None and self._exact[1] == held else held

    def _keep(self, value: float) -> None:
        """Remember ``value`` beside what Qt holds for it, where it is in the box's range."""
        self._exact = (float(value), super().value()) if self._low <= value <= self._high else None

    def _took(self, held: float) -> None:
        """A typed value reached Qt (which rounded it, or took the nearest value it holds): keep it, and show it
        (Qt wrote its own before saying so)."""
        if self._typed is not None:
            self._keep(self._typed)
            self._typed = None
            self.lineEdit().setText(self.textFromValue(held))

    def _settle(self) -> None:
        """A typed value that Qt holds as the value it held (5e-324 where it held 1e-323) changed nothing in Qt,
        which then says nothing: take it, and say so as Qt would."""
        if self._typed is not None and self._typed != self.value():
            self.valueChanged.emit(super().value())  # _took keeps it
        self._typed = None

    def textFromValue(self, value: float) -> str:
        """Six significant digits, or the shortest text that reads back as the value where that is no longer
        ("5e-324", "1e-320": not "4.94066e-324", "9.99989e-321")."""
        if self._exact is not None and self._exact[1] in (None, value):
            value = self._exact[0]
        text, exact = f"{value:.6g}", repr(value)
        return exact if len(exact) <= len(text) else text

    def valueFromText(self, text: str) -> float:
        if text and text == self.specialValueText():
            return self.minimum()
        if text == self.textFromValue(super().value()):
            # the value as the box shows it (6 digits) is the value itself: Escape, or a refused text put back,
            # re-read "4.31419e+16" and changed a start of 4.314192263481925e16 - a reset run, unasked
            return super().value()
        value = typed_number(text)
        if value is None:
            return super().value()
        self._typed = value
        return value

    def validate(self, text: str, pos: int):
        if text and text == self.specialValueText():
            return QValidator.State.Acceptable
        value = typed_number(text)
        if value is None:  # "nan", "1e400", "1_0": typed whole, then refused by name (fixup)
            return QValidator.State.Intermediate
        if self._low <= value <= self._high:
            return QValidator.State.Acceptable
        return QValidator.State.Intermediate

    def fixup(self, text: str) -> str:
        refuse_typed(self, text)
        return self.textFromValue(super().value())

    def step(self, steps: int) -> None:
        if self.log:  # a value typed and not yet committed is where the step starts (Qt's own step reads it first)
            self.interpretText()
        if self.log and self.value() > 0:
            self.setValue(min(max(log_step(self.value(), steps), self.minimum()), self.maximum()))
        else:
            self._typed = None
            super().step(steps)


class LogSlider(CalmInput, QSlider):
    """A horizontal slider over [low, high] on a log10 scale, in 100 ticks per decade; emits float values.
    Calm (:class:`CalmInput`).

    Dragged, it moves by ticks. Stepped - an arrow key, a wheel notch while it has the keyboard, a click on
    its groove - it lands on the readable values the number box beside it steps to (1, 1.5, 2, 3, 5, 7 of each
    decade: :func:`gd_core.spec.log_step`), and emits that value exactly: its own steps of one tick went
    0.05, 0.0512, 0.0524. PageUp and PageDown step :attr:`PAGE` of them, as the box's do."""

    value_moved = Signal(float)
    TICKS_PER_DECADE = 100
    #: The values a PageUp or PageDown steps over: ten, as in Qt's spin boxes (the number box beside it).
    PAGE = 10

    def __init__(self, low: float, high: float, parent=None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.calm()
        self._low, self._high = low, high
        self._log_low = math.log10(low)
        self._value = low  # the value shown: given (set_float), stepped to, or dragged to
        self._keyed = self._wheeled = False  # the action under way comes from a key, from the wheel
        self.setRange(0, round((math.log10(high) - self._log_low) * self.TICKS_PER_DECADE))
        self.actionTriggered.connect(self._stepped)
        self.valueChanged.connect(self._moved)

    def wheelEvent(self, event) -> None:  # noqa: N802 (Qt's name): steps, in bursts (CalmInput.burst)
        with self.burst.stepping():
            self._wheeled = True
            try:
                super().wheelEvent(event)
            finally:
                self._wheeled = False

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        with self.burst.stepping():
            self._keyed = True
            try:
                super().keyPressEvent(event)
            finally:
                self._keyed = False

    def _stepped(self, action: int) -> None:
        """A step (Qt's action, the slider's position already moved by ticks): put it on the value
        :func:`~gd_core.spec.log_step` lands on instead."""
        actions = QAbstractSlider.SliderAction
        if action == actions.SliderMove.value and self._wheeled:  # Qt moves a wheel notch as a drag, by 3 ticks
            steps = (self.sliderPosition() > self.value()) - (self.sliderPosition() < self.value())
        else:
            page = self.PAGE if self._keyed else 1  # a click on the groove repeats while held: one value a time
            steps = {actions.SliderSingleStepAdd.value: 1, actions.SliderSingleStepSub.value: -1,
                     actions.SliderPageStepAdd.value: page, actions.SliderPageStepSub.value: -page}.get(action, 0)
        if not steps:
            return
        value = min(max(log_step(self._value, steps), self._low), self._high)
        if (value - self._value) * steps <= 0:  # at the slider's end (or beyond it: a rate typed above 10)
            return
        self._value = value
        self.setSliderPosition(self._tick(value))
        if self._tick(value) == self.value():  # no tick away (from a rate beyond the slider's end): Qt is silent
            self.value_moved.emit(value)

    def _moved(self, tick: int) -> None:
        if tick != self._tick(self._value):  # dragged (or Home, End): the tick's value
            self._value = self.to_value(tick)
        self.value_moved.emit(self._value)

    def _tick(self, value: float) -> int:
        tick = round((math.log10(max(value, 1e-300)) - self._log_low) * self.TICKS_PER_DECADE)
        return min(max(tick, self.minimum()), self.maximum())

    def to_value(self, tick: int) -> float:
        return 10 ** (self._log_low + tick / self.TICKS_PER_DECADE)

    def set_float(self, value: float) -> None:
        self._value = value
        self.blockSignals(True)
        self.setValue(self._tick(value))
        self.blockSignals(False)


class IntListEdit(CalmInput, QLineEdit):
    """Integers separated by commas or spaces ("16, 8"); emits ``value_committed(list)`` on Enter or focus-out
    when the list changed. Text that is not such a list is refused by name (:func:`refuse_typed`) and the list
    shown again: "8, x" was sent as [] ("got []", not what was typed) and "3 3" as [33]. Escape reverts; Enter and
    Escape give the keyboard back (:class:`CalmInput`)."""

    value_committed = Signal(object)  # a list of Python ints (a Qt list would overflow on huge ones)

    def __init__(self, allowed: str = "a list of integers", parent=None):
        super().__init__(parent)
        self.calm()
        self.allowed = allowed
        self._shown = ""
        self.editingFinished.connect(self._commit)

    def allowed_text(self) -> str:
        return self.allowed

    def value(self) -> list:
        return integer_list(self.text()) or []

    def setValue(self, value) -> None:
        self._shown = ", ".join(str(v) for v in value)
        self.setText(self._shown)

    def revert(self) -> None:
        self.setText(self._shown)

    def _commit(self) -> None:
        if self.text() == self._shown:
            return
        if not integer_list(self.text()):  # not a list of integers, or emptied
            refuse_typed(self, self.text())
            self.revert()
            return
        self.value_committed.emit(self.value())


class OptionalSettings(QWidget):
    """A setting that is off (null) or an object of sub-settings (``Param(kind=dict)``, e.g. a line search): a
    check box with the setting's words beside it, as every on/off setting has (:class:`ParamForm`), and under
    its words a form of its fields while on. Emits ``value_committed`` (None or the dict) on every edit."""

    value_committed = Signal(object)

    def __init__(self, param: Param, parent=None):
        super().__init__(parent)
        self.param = param
        self.on = QCheckBox(param.name.replace("_", " "))
        self.on.setToolTip(f"{param.doc} Off: not used (null in a config).")
        self.form = ParamForm(param.fields)
        style = self.on.style()  # the fields start where the box's words do: they belong to it
        indent = (style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, None, self.on)
                  + style.pixelMetric(QStyle.PixelMetric.PM_CheckBoxLabelSpacing, None, self.on))
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addRow(self.on)
        self.form.layout().setContentsMargins(indent, 0, 0, 0)
        layout.addRow(self.form)
        self.on.toggled.connect(lambda _: self._commit())
        self.form.edited.connect(lambda *_: self._commit())
        self.setValue(param.default)

    def value(self):
        if not self.on.isChecked():
            return None
        return {name: editor.value() for name, editor in self.form.editors.items()}

    def setValue(self, value) -> None:
        self.on.blockSignals(True)
        self.on.setChecked(value is not None)
        self.on.blockSignals(False)
        self.form.set_values(value if value is not None else {p.name: p.default for p in self.param.fields})
        self.form.setVisible(value is not None)

    def _commit(self) -> None:
        self.form.setVisible(self.on.isChecked())
        self.value_committed.emit(self.value())


#: What a number editor shows for a setting left at its default of None ("not set", as torch's None).
NOT_SET = "default"


def editor_for(param: Param) -> QWidget:
    """The editor of one setting, its range taken from the Param's bounds (open bounds just inside). A number
    whose default is None (torch's "not set") gets one value below its range shown as :data:`NOT_SET`; an
    optional run-level setting is switched off by :class:`ParamForm` instead."""
    if param.kind is dict:
        return OptionalSettings(param)
    editor = _number_editor(param) if param.kind in (int, float) else _plain_editor(param)
    if param.kind in (int, float) and param.default is None and not _optional(param):
        editor.none_value = editor.minimum() - 1
        editor.setMinimum(editor.none_value)
        editor.setSpecialValueText(NOT_SET)
        editor.allowed = param.allowed(unset=repr(NOT_SET))  # the box's word for it, not the config's null
    return editor


def _plain_editor(param: Param) -> QWidget:
    if param.kind is bool:
        return QCheckBox()
    if param.kind is str:
        box = ComboBox()
        box.addItems(list(param.choices))
        return box
    return IntListEdit(param.allowed())


def _number_editor(param: Param) -> QWidget:
    if param.kind is int:
        box = SpinBox()
        box.setRange(int(param.low if param.low is not None else -2**31 + 1),
                     int(min(param.high, 2**31 - 1) if param.high is not None else 2**31 - 1))
        return box
    return NumberSpinBox(*number_range(param), log=param.log, allowed=param.allowed())


def number_range(param: Param) -> tuple[float, float]:
    """The range a spin box for ``param`` takes: its bounds, an open bound replaced by the nearest float inside
    it (0 open: 5e-324), so that the box takes every value the config takes - the box of a rate (0, 1e12]
    started at 1e-12 and showed a session's rate of 1e-300 as 1e-12."""
    low = param.low if param.low is not None else -UNBOUNDED
    high = param.high if param.high is not None else UNBOUNDED
    if param.low_open:
        low = math.nextafter(low, math.inf)
    if param.high_open:
        high = math.nextafter(high, -math.inf)
    return low, high


def tooltip_for(param: Param) -> str:
    """A setting's doc and what it allows (a run-level Setting says it itself, e.g. that it can be off)."""
    return param.tooltip() if isinstance(param, Setting) else f"{param.doc} Allowed: {param.allowed()}."


def _optional(param: Param) -> bool:
    return isinstance(param, Setting) and param.optional


class ParamForm(QWidget):
    """Editors for a tuple of :class:`Param` rows; emits ``edited(name, value)`` when the user commits one.

    Editors are named ``prefix + name``. An optional run-level :class:`~gd_core.settings.Setting` (None = off)
    gets a check box named ``prefix + name + "_on"`` in place of its label: unchecked sends None, checked the
    editor's value (first its ``on_value``)."""

    edited = Signal(str, object)

    def __init__(self, params: tuple[Param, ...], labels: dict[str, str] | None = None, prefix: str = "param_",
                 parent=None):
        super().__init__(parent)
        labels = labels or {}
        self.params = {p.name: p for p in params}
        self.editors: dict[str, QWidget] = {}
        self.switches: dict[str, QCheckBox] = {}
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for p in params:
            editor = editor_for(p)
            editor.setObjectName(f"{prefix}{p.name}")
            editor.setting_name = p.name  # what a refusal of typed text calls it
            editor.setToolTip(tooltip_for(p))
            if isinstance(editor, QCheckBox):
                editor.toggled.connect(lambda value, name=p.name: self.edited.emit(name, bool(value)))
            elif isinstance(editor, QComboBox):
                editor.activated.connect(lambda _, e=editor, name=p.name: self.edited.emit(name, e.currentText()))
            elif isinstance(editor, (IntListEdit, OptionalSettings)):
                editor.value_committed.connect(lambda value, name=p.name: self.edited.emit(name, value))
            else:
                editor.valueChanged.connect(lambda _, name=p.name, e=editor: self._value_edited(
                    name, None if e.value() == getattr(e, "none_value", None) else e.value()))
            self.editors[p.name] = editor
            label = labels.get(p.name, p.title if isinstance(p, Setting) else p.name.replace("_", " "))
            if _optional(p):
                switch = QCheckBox(label)
                switch.setObjectName(f"{prefix}{p.name}_on")
                switch.setToolTip(editor.toolTip())
                switch.toggled.connect(lambda on, name=p.name: self._switched(name, on))
                self.switches[p.name] = switch
                if p.on_value is not None:
                    editor.setValue(p.on_value)
                layout.addRow(switch, editor)
            elif isinstance(editor, (QCheckBox, OptionalSettings)):  # on/off: its words beside the box, the
                box = editor.on if isinstance(editor, OptionalSettings) else editor  # row's width - not a label
                box.setText(label)  # column as wide as "decoupled weight decay" beside a box of 14 px
                layout.addRow(editor)
            else:
                layout.addRow(label, editor)
                layout.labelForField(editor).setToolTip(editor.toolTip())

    def _value_edited(self, name: str, value) -> None:
        switch = self.switches.get(name)
        if switch is None or switch.isChecked():
            self.edited.emit(name, value)

    def _switched(self, name: str, on: bool) -> None:
        self.editors[name].setEnabled(on)
        self.edited.emit(name, self.editors[name].value() if on else None)

    def set_values(self, values: dict) -> None:
        for name, editor in self.editors.items():
            switch = self.switches.get(name)
            if switch is not None and name in values:
                switch.blockSignals(True)
                switch.setChecked(values[name] is not None)
                switch.blockSignals(False)
                editor.setEnabled(values[name] is not None)
            if name not in values or (values[name] is None and not isinstance(editor, OptionalSettings)
                                       and not hasattr(editor, "none_value")):
                continue
            editor.blockSignals(True)
            if isinstance(editor, QCheckBox):
                editor.setChecked(bool(values[name]))
            elif isinstance(editor, QComboBox):
                editor.setCurrentText(values[name])
            else:
                editor.setValue(getattr(editor, "none_value", None) if values[name] is None else values[name])
            editor.blockSignals(False)


def choice_box(name: str, tip: str, entries) -> QComboBox:
    """A combo box of ``(label, value, tooltip)`` entries - how the panels show a gd_core registry."""
    box = ComboBox()
    box.setObjectName(name)
    box.setToolTip(tip)
    for label, value, entry_tip in entries:
        box.addItem(label, value)
        box.setItemData(box.count() - 1, entry_tip, Qt.ItemDataRole.ToolTipRole)
    return box


def formula_label(name: str) -> QLabel:
    """A label for an update rule or formula: monospace, wrapped, on the palette's alternate base (so it reads
    in a light and a dark theme alike)."""
    label = QLabel("")
    label.setObjectName(name)
    theme().mark_monospace(label)
    label.setWordWrap(True)
    label.setMargin(4)
    label.setAutoFillBackground(True)
    label.setBackgroundRole(QPalette.ColorRole.AlternateBase)
    label.setForegroundRole(QPalette.ColorRole.Text)
    return label


def note_label(text: str = "", name: str = "", wrap: bool = True) -> QLabel:
    """A secondary line of text (a note, a formula under a choice): the palette's muted text colour."""
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(wrap)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


class ReservedWidth(QObject):
    """Keeps a label or button at least as wide as it would be showing the widest of ``texts`` (plus ``gap``), at
    every text size: its changing text (Run, Pause, Run again; a growing step count) never moves what follows."""

    def __init__(self, widget, texts: tuple[str, ...], gap: int = 0):
        super().__init__(widget)
        self.widget, self.texts, self.gap = widget, texts, gap
        widget.installEventFilter(self)
        self.fit()

    def fit(self) -> None:
        widget, metrics = self.widget, self.widget.fontMetrics()

        def width(text: str) -> int:  # as a button measures its text (a label the same to the pixel)
            return metrics.size(Qt.TextFlag.TextShowMnemonic, text).width()
        if isinstance(widget, QLabel):  # its margins and frame: a label's size hint is at least its minimum width
            # (and cached), so each refit added the last reservation - at Large text the status bar's labels
            # reserved 324 px for "Completed - Run restarts", and a button's status tip beside them was cut
            margins = widget.contentsMargins()  # a QFrame's contents margins hold its frame's width already
            chrome = margins.left() + margins.right() + 2 * widget.margin()
        else:  # a button: margins and padding
            chrome = widget.sizeHint().width() - width(widget.text())
        widget.setMinimumWidth(chrome + max(map(width, self.texts)) + self.gap)
        if isinstance(widget, QLabel):  # a label keeps its size hints as first asked for them (at least the minimum
            widget.setIndent(widget.indent())  # width then, at the old text size): it measures them again now

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.FontChange:  # a new text size: fit once the widget has taken it in
            QTimer.singleShot(0, self, self.fit)  # (its size hint is still the old font's while it is told)
        return False


def info_label(name: str) -> QLabel:
    """A one-line label whose changing text never changes the layout's size (a read-out, a caption, a legend):
    it takes the width it is given and clips the rest (the tooltip holds the whole text)."""
    label = QLabel("")
    label.setObjectName(name)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    label.setMinimumWidth(0)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


#: The most characters of a title, a path or a run's name a menu entry shows (a lesson title may have 200, a run's
#: name 100: a menu grew wider than a 1366-px screen); the Lessons menu and Open Recent give the whole in a tooltip.
MENU_CHARS = 80


def menu_label(text: str, keep_end: bool = False) -> str:
    """``text`` as a menu entry shows it: every '&' as itself (Qt read "Q&A" as Q, then A underlined as the
    entry's key), and past :data:`MENU_CHARS` characters cut with "…" - at the start for a path (its file name
    is what tells two apart), else at the end."""
    if len(text) > MENU_CHARS:
        text = "…" + text[1 - MENU_CHARS:] if keep_end else text[:MENU_CHARS - 1].rstrip() + "…"
    return text.replace("&", "&&")


class FittedLabel(QLabel):
    """A label whose text its subclass fits to its width (their ``_fit``) again whenever it is resized or given a
    new font."""

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name): a larger text size needs more room
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit()


class ElidedLabel(FittedLabel):
    """A one-line plain-text caption whose changing text never changes the layout's size: it shows what fits the
    width it is given and ends the rest with "…" (not clipped mid-letter with nothing to say more is there), and
    its tooltip holds the whole text. ``text()`` is the whole text."""

    def __init__(self, name: str):
        super().__init__("")
        self.setObjectName(name)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(0)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._whole = ""

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        self._whole = text
        self._fit()

    def text(self) -> str:
        return self._whole

    def _fit(self) -> None:
        width = self.contentsRect().width()
        super().setText(self.fontMetrics().elidedText(self._whole, Qt.TextElideMode.ElideRight, width))
        self.setToolTip(self._whole)


class ShortestFitLabel(FittedLabel):
    """A one-line caption said in several ways, longest first ("Lesson 11", "11"): it shows the longest that fits
    the width it is given, and asks for the room of the shortest only - a narrow row keeps every word of a shorter
    form instead of a longer one cut with "…" ("Lesson 1…" named another lesson). ``text()`` is the longest."""

    def __init__(self, name: str):
        super().__init__("")
        self.setObjectName(name)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._forms: tuple[str, ...] = ("",)

    def set_forms(self, *forms: str) -> None:
        self._forms = forms or ("",)
        self.updateGeometry()
        self._fit()

    def text(self) -> str:
        return self._forms[0]

    def _width(self, text: str) -> int:
        margins = self.contentsMargins()
        return self.fontMetrics().horizontalAdvance(text) + margins.left() + margins.right() + 2 * self.margin()

    def sizeHint(self) -> QSize:
        return QSize(self._width(self._forms[0]), super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        return QSize(self._width(self._forms[-1]), super().minimumSizeHint().height())

    def _fit(self) -> None:
        shown = next((form for form in self._forms if self._width(form) <= self.width()), self._forms[-1])
        if shown != super().text():
            super().setText(shown)


class ReadoutLabel(QLabel):
    """A read-out that follows the pointer, on a row of its own: it wraps, and its height is what its widest text
    (:meth:`reserve`) needs at the current width - never what the text shown now needs - so a read-out appearing,
    changing or going never moves the plot below it. A plain text longer than the reserved lines is shown up to
    its last whole word that fits, ending in "…" (``text()`` is the whole text; it was cut mid-word with nothing
    to say more was there: lesson 11's plane caption at 1280x720). A legend row is one too (``rich``): as tall as
    the tallest legend the selection can give."""

    def __init__(self, name: str, rich: bool = False):
        super().__init__("")
        self.setObjectName(name)
        self.setWordWrap(True)
        text_format = Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText
        self.setTextFormat(text_format)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._probe = QLabel(self)  # never shown: measures the reserved text as this label would lay it out
        self._probe.hide()
        self._probe.setWordWrap(True)
        self._probe.setTextFormat(text_format)
        self._widest: tuple[str, ...] = ()
        self._rich, self._whole = rich, ""
        self._fit()

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        self._whole = text
        super().setText(self._fitting(text))

    def text(self) -> str:
        return self._whole

    def _fitting(self, text: str) -> str:
        """``text``, or its longest run of whole words that fits the reserved lines followed by "…"."""
        margins = self.contentsMargins()
        width, room = self.width() - margins.left() - margins.right(), self.height() - margins.top() - margins.bottom()
        if self._rich or not text or width <= 0 or self._needs(text, width) <= room:
            return text
        words = text.split(" ")
        low, high = 0, len(words) - 1  # the most words that fit with the ellipsis: binary search
        while low < high:
            middle = (low + high + 1) // 2
            if self._needs(" ".join(words[:middle]) + "…", width) <= room:
                low = middle
            else:
                high = middle - 1
        return " ".join(words[:low]) + "…"

    def _needs(self, text: str, width: int) -> int:
        self._probe.setText(text)
        return self._probe.heightForWidth(width)

    def reserve(self, *widest: str) -> None:
        """Keep room for the ``widest`` texts (the one needing the most lines), the longest this read-out can show
        until the next call."""
        self._widest = widest
        self._fit()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # a larger text size needs taller lines
            self._fit()

    def _fit(self) -> None:
        self._probe.setFont(self.font())
        margins = self.contentsMargins()
        width = self.width() - margins.left() - margins.right()
        lines = -1
        for text in self._widest or ("0",):
            self._probe.setText(text)
            lines = max(lines, self._probe.heightForWidth(width) if width > 0 else -1)
        height = max(lines, self._probe.fontMetrics().height()) + margins.top() + margins.bottom()
        if height != self.maximumHeight() or height != self.minimumHeight():
            self.setFixedHeight(height)
        if self._whole:  # the room changed: the shown part of a long text too
            super().setText(self._fitting(self._whole))


class FloatingReadout(QLabel):
    """A read-out that floats over a plot's data area while the pointer is on it, taking no row of the layout: a
    row reserved for the longest read-out took 42 of a 192-px loss view at 1280x720 (three wrapped lines, empty
    whenever the pointer is elsewhere) from a plot left with 104 px. It wraps to the area's width and sits along
    its top edge - or along its bottom edge when that keeps the point being read in sight; where neither does (a
    read-out taller than half the area: Large text), along the top or bottom edge of a larger ``room`` at its
    width (the whole view: over the header and the axes while the pointer is on the plot). On the plot's
    background colour, nearly opaque; mouse events pass through it to the plot below."""

    MARGIN = 4
    CLEAR = 6  # the hovered point's marker: a few pixels each side of its centre
    HEIGHTS_KEPT = 256  # wrapped heights remembered (text, width): a pointer going back over the same steps

    def __init__(self, name: str, parent: QWidget):
        super().__init__("", parent)
        self.setObjectName(name)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setContentsMargins(3, 1, 3, 1)
        self.setAutoFillBackground(True)
        self._shown = None  # what show_over was last given (and the theme's generation): the same again is free
        self._styled = None  # the theme generation whose background the palette holds
        self._heights: dict[tuple[str, int], int] = {}
        self.hide()

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        """Set the text; an empty text hides the read-out (use :meth:`show_over` to place a text)."""
        super().setText(text)
        self._shown = None
        if not text:
            self.hide()

    def show_over(self, text: str, area: QRect, point_y: float, room: QRect | None = None) -> None:
        """Show ``text`` inside ``area`` (a QRect in the parent's coordinates), away from ``point_y``; where it
        cannot be, inside ``room`` (a larger QRect), else along the area's top edge. A pointer move that reads the
        same step again changes nothing: nothing is laid out or set again (each wrapped height costs ~60 us)."""
        if not text:
            self.setText("")
            return
        generation = theme().generation
        shown = (text, area, point_y, room, generation)
        if shown == self._shown and not self.isHidden():
            return
        if text != self.text():
            super().setText(text)
        if self._styled != generation:  # (a palette set is propagated to the label: only when the theme changed)
            self._styled, self._heights = generation, {}
            background = theme().color("base")
            background.setAlpha(235)
            palette = self.palette()
            palette.setColor(QPalette.ColorRole.Window, background)
            self.setPalette(palette)
        places = self._along_edges(area)
        place = self._clear_of(places, point_y)
        if place is None and room is not None:  # the room's places only where the area's hide the point
            place = self._clear_of(self._along_edges(room), point_y)
        self.setGeometry(place or places[0])
        if self.isHidden():  # (raise_() repaints: once, as it appears)
            self.show()
            self.raise_()
        self._shown = shown

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._heights, self._shown = {}, None  # wrapped heights of another font
        super().changeEvent(event)

    def _clear_of(self, places: list[QRect], point_y: float) -> QRect | None:
        """The first of ``places`` that leaves the row ``point_y`` (and the marker around it) in sight."""
        return next((place for place in places if not place.top() - self.CLEAR <= point_y <= place.bottom() + 1 +
                     self.CLEAR), None)

    def _along_edges(self, rect: QRect) -> list[QRect]:
        """The read-out along ``rect``'s top edge and along its bottom edge, wrapped to its width."""
        width = max(1, rect.width() - 2 * self.MARGIN)
        height = self._height_for(width)
        top = rect.top() + self.MARGIN
        bottom = max(top, rect.bottom() + 1 - self.MARGIN - height)  # (QRect.bottom() is its last row)
        return [QRect(rect.left() + self.MARGIN, y, width, height) for y in (top, bottom)]

    def _height_for(self, width: int) -> int:
        """heightForWidth of the current text, remembered."""
        key = (self.text(), width)
        height = self._heights.get(key)
        if height is None:
            if len(self._heights) >= self.HEIGHTS_KEPT:
                self._heights.clear()
            height = self._heights[key] = self.heightForWidth(width)
        return height


class LessonText(QTextBrowser):
    """Lesson and session text: shown, never fetched from. An ``<img src="/dev/zero">`` or a FIFO named in a
    session's text must not load (or block on) anything, so every resource comes back empty."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)

    def loadResource(self, kind, url):  # noqa: N802 (Qt's name)
        # Not None: for a null answer QTextDocument opens local files itself.
        if kind == QTextDocument.ResourceType.ImageResource:
            return _NO_IMAGE
        return ""


_NO_IMAGE = QImage(1, 1, QImage.Format.Format_ARGB32)
_NO_IMAGE.fill(0)
