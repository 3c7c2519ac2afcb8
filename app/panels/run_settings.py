"""Run: its length (steps or epochs) and start point, then a form of the other run settings the table puts in
this panel (seed, gradient clipping, convergence tolerance, ...)."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QGridLayout, QHBoxLayout, QLabel, QPushButton, QWidget

from gd_core.settings import SETTINGS, panel_settings

from ..widgets import ComboBox, NumberSpinBox, ParamForm, number_range
from .base import Panel

MAX_START_BOXES = 4  # more parameters than this: the start is chosen by clicking, not typed
START_COLUMNS = 2


class RunPanel(Panel):
    lock = "run"

    def __init__(self, model, report, parent=None):
        super().__init__("Run", model, report, parent)
        form = QFormLayout()
        length_row = QHBoxLayout()
        steps, epochs = SETTINGS["steps"], SETTINGS["epochs"]
        self.length = NumberSpinBox(*number_range(steps))
        self.length.setObjectName("run_length")
        self.length.setToolTip(f"How long the run goes, in steps: {steps.tooltip()} Or in epochs: "
                               f"{epochs.tooltip()}")
        self.length.valueChanged.connect(self._length_edited)
        self.unit = ComboBox()
        self.unit.setObjectName("run_length_unit")
        self.unit.addItems([steps.name, epochs.name])
        self.unit.setToolTip("Count the run length in steps (updates) or in epochs (passes over the data).")
        self.unit.activated.connect(self._length_edited)
        length_row.addWidget(self.length, 1)
        length_row.addWidget(self.unit)
        form.addRow("length", length_row)
        self.start_row = QWidget()
        self.start_layout = QGridLayout(self.start_row)  # two boxes a row: the panel stays narrow
        self.start_layout.setContentsMargins(0, 0, 0, 0)
        self.start_boxes: list[NumberSpinBox] = []
        self.default_start = QPushButton("default start")
        self.default_start.setObjectName("default_start")
        self.default_start.setToolTip("Start from the problem's default point again.")
        self.default_start.clicked.connect(lambda: self.set_key("init", None))
        self.start_note = QLabel("")
        self.start_note.setWordWrap(True)
        self.start_layout.addWidget(self.start_note, 0, 0, 1, START_COLUMNS)
        form.addRow(SETTINGS["init"].title, self.start_row)
        form.addRow("", self.default_start)  # its own row: the start boxes keep the panel's width
        self.body.addLayout(form)
        self.settings_form: ParamForm | None = None  # the table's other run settings (seed, clipping, ...)
        self.refresh()

    def _length_edited(self, *_) -> None:
        unit, value = self.unit.currentText(), self.length.value()

        def change(config):
            config.pop("steps", None)
            config.pop("epochs", None)
            config[unit] = max(1, round(value)) if unit == "steps" else value
        self.edit(change)

    def _start_edited(self) -> None:
        self.set_key("init", [box.value() for box in self.start_boxes])

    def show_config(self, config, trainer) -> None:
        unit = "epochs" if "epochs" in config else "steps"
        self.unit.setCurrentText(unit)
        self.length.blockSignals(True)
        self.length.setRange(*number_range(SETTINGS[unit]))
        self.length.setValue(config[unit])
        self.length.blockSignals(False)
        problem = trainer.problem
        start = trainer.history.params[0]
        editable = problem.n_params <= MAX_START_BOXES
        self.start_note.setVisible(not editable)
        self.start_note.setText(f"{problem.n_params} parameters: click in the parameter space to choose a start"
                                + (" (custom)" if config["init"] is not None else " (default)"))
        names = problem.param_names if editable else ()
        if [b.objectName() for b in self.start_boxes] != [f"start_{n}" for n in names]:
            for box in self.start_boxes:
                box.hide()
                box.deleteLater()
            self.start_boxes = []
            for name in names:
                # the range a config allows: a session's start far out shows as it is, not clamped to the box
                box = NumberSpinBox(*number_range(SETTINGS["init"]))
                box.setObjectName(f"start_{name}")
                box.setToolTip(f"Start value of {name}; a click in the parameter space sets it too.")
                box.valueChanged.connect(self._start_edited)
                self.start_layout.addWidget(box, *divmod(len(self.start_boxes), START_COLUMNS))
                self.start_boxes.append(box)
        for box, value in zip(self.start_boxes, start):
            box.blockSignals(True)
            box.setValue(float(value))
            box.blockSignals(False)
        kind = "data" if problem.dataset is not None else "function"
        self.settings_form = self.form_for(self.settings_form, panel_settings("run", kind), self.set_key,
                                           self.body.addWidget, prefix="")
        self.settings_form.set_values(config)
