"""Small reusable input widgets: a spin box for numbers of any magnitude, a log-scale slider, and a form
generated from gd_core's :class:`~gd_core.spec.Param` rows (one source of truth for ranges and tooltips)."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QImage, QTextDocument, QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSlider,
    QSpinBox,
    QTextBrowser,
    QWidget,
)

from gd_core.settings import Setting
from gd_core.spec import Param

#: Spin boxes cannot hold infinity; these stand in for an unbounded side.
UNBOUNDED = 1e12


class NumberSpinBox(QDoubleSpinBox):
    """A double spin box that shows and accepts any magnitude ("0.05", "1e-10", "2.5e+03").

    Values commit on Enter or focus-out (no keyboard tracking). With ``log=True`` the arrows multiply by
    10^(1/10) instead of adding a fixed step.
    """

    def __init__(self, low: float, high: float, log: bool = False, parent=None):
        super().__init__(parent)
        self.setDecimals(323)  # never round what the user typed
        self.setRange(low, high)
        self.setKeyboardTracking(False)
        self.setAccelerated(True)
        self.log = log
        self.setSingleStep(0.1)

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        try:
            value = float(text)
        except ValueError:
            return QValidator.State.Intermediate
        if not math.isfinite(value):
            return QValidator.State.Invalid
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable
        return QValidator.State.Intermediate

    def fixup(self, text: str) -> str:
        return self.textFromValue(self.value())

    def stepBy(self, steps: int) -> None:
        if self.log and self.value() > 0:
            self.setValue(self.value() * 10 ** (steps / 10))
        else:
            super().stepBy(steps)


class LogSlider(QSlider):
    """A horizontal slider over [low, high] on a log10 scale, in 100 ticks per decade; emits float values."""

    value_moved = Signal(float)
    TICKS_PER_DECADE = 100

    def __init__(self, low: float, high: float, parent=None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self._log_low = math.log10(low)
        self.setRange(0, round((math.log10(high) - self._log_low) * self.TICKS_PER_DECADE))
        self.valueChanged.connect(lambda tick: self.value_moved.emit(self.to_value(tick)))

    def to_value(self, tick: int) -> float:
        return 10 ** (self._log_low + tick / self.TICKS_PER_DECADE)

    def set_float(self, value: float) -> None:
        tick = round((math.log10(max(value, 1e-300)) - self._log_low) * self.TICKS_PER_DECADE)
        self.blockSignals(True)
        self.setValue(min(max(tick, self.minimum()), self.maximum()))
        self.blockSignals(False)


class IntListEdit(QLineEdit):
    """Comma-separated integers ("16, 8"); emits ``value_committed(list)`` on Enter or focus-out."""

    value_committed = Signal(object)  # a list of Python ints (a Qt list would overflow on huge ones)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.editingFinished.connect(self._commit)

    def value(self) -> list:
        try:
            return [int(part) for part in self.text().replace(" ", "").split(",") if part]
        except ValueError:
            return []

    def setValue(self, value) -> None:
        self.setText(", ".join(str(v) for v in value))

    def _commit(self) -> None:
        self.value_committed.emit(self.value())


def editor_for(param: Param) -> QWidget:
    """The editor of one setting, its range taken from the Param's bounds (open bounds just inside)."""
    if param.kind is bool:
        return QCheckBox()
    if param.kind is str:
        box = QComboBox()
        box.addItems(list(param.choices))
        return box
    if param.kind is list:
        return IntListEdit()
    if param.kind is int:
        box = QSpinBox()
        box.setRange(int(param.low if param.low is not None else -2**31 + 1),
                     int(min(param.high, 2**31 - 1) if param.high is not None else 2**31 - 1))
        box.setKeyboardTracking(False)
        return box
    return NumberSpinBox(*number_range(param), log=param.log)


def number_range(param: Param) -> tuple[float, float]:
    """The range a spin box for ``param`` takes: its bounds, an open bound replaced by a value just inside."""
    low = param.low if param.low is not None else -UNBOUNDED
    high = param.high if param.high is not None else UNBOUNDED
    if param.low_open:  # the smallest representable step inside the bound
        low = low + (1e-12 if param.log or low == 0 else abs(low) * 1e-12)
    if param.high_open:
        high = high - 1e-9
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
            editor.setToolTip(tooltip_for(p))
            if isinstance(editor, QCheckBox):
                editor.toggled.connect(lambda value, name=p.name: self.edited.emit(name, bool(value)))
            elif isinstance(editor, QComboBox):
                editor.activated.connect(lambda _, e=editor, name=p.name: self.edited.emit(name, e.currentText()))
            elif isinstance(editor, IntListEdit):
                editor.value_committed.connect(lambda value, name=p.name: self.edited.emit(name, value))
            else:
                editor.valueChanged.connect(lambda value, name=p.name: self._value_edited(name, value))
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
            if name not in values or values[name] is None:
                continue
            editor.blockSignals(True)
            if isinstance(editor, QCheckBox):
                editor.setChecked(bool(values[name]))
            elif isinstance(editor, QComboBox):
                editor.setCurrentText(values[name])
            else:
                editor.setValue(values[name])
            editor.blockSignals(False)


def choice_box(name: str, tip: str, entries) -> QComboBox:
    """A combo box of ``(label, value, tooltip)`` entries - how the panels show a gd_core registry."""
    box = QComboBox()
    box.setObjectName(name)
    box.setToolTip(tip)
    for label, value, entry_tip in entries:
        box.addItem(label, value)
        box.setItemData(box.count() - 1, entry_tip, Qt.ItemDataRole.ToolTipRole)
    return box


def formula_font() -> QFont:
    """The font of formulas: monospace (DejaVu Sans Mono where installed), which draws combining accents such as
    the hat of m̂ - the regular DejaVu Sans drops them."""
    font = QFont("DejaVu Sans Mono")
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font


def formula_label(name: str) -> QLabel:
    """A label for an update rule or formula: monospace, wrapped, on a light grey panel."""
    label = QLabel("")
    label.setObjectName(name)
    label.setFont(formula_font())
    label.setWordWrap(True)
    label.setStyleSheet("background: #f4f4f4; padding: 4px; border-radius: 3px;")
    return label


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
