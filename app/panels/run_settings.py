"""Run: its length (steps or epochs), seed, start point, gradient clipping and convergence tolerance."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QFormLayout, QGridLayout, QHBoxLayout, QLabel, QPushButton, QWidget

from ..widgets import ComboBox, NumberSpinBox, SpinBox
from .base import Panel

MAX_START_BOXES = 4  # more parameters than this: the start is chosen by clicking, not typed
START_COLUMNS = 2


class RunPanel(Panel):
    lock = "run"

    def __init__(self, model, report, parent=None):
        super().__init__("Run", model, report, parent)
        form = QFormLayout()
        length_row = QHBoxLayout()
        self.length = NumberSpinBox(1e-3, 1e7)
        self.length.setObjectName("run_length")
        self.length.setToolTip("How long the run goes: a number of updates, or of passes over the data "
                               "(epochs = samples seen / n).")
        self.length.valueChanged.connect(self._length_edited)
        self.unit = ComboBox()
        self.unit.setObjectName("run_length_unit")
        self.unit.addItems(["steps", "epochs"])
        self.unit.setToolTip("Count the run length in steps (updates) or in epochs (passes over the data).")
        self.unit.activated.connect(self._length_edited)
        length_row.addWidget(self.length, 1)
        length_row.addWidget(self.unit)
        form.addRow("length", length_row)
        self.seed = SpinBox()
        self.seed.setObjectName("seed")
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip("Seed of the sampling order and the gradient noise: the same seed replays the same run.")
        self.seed.valueChanged.connect(lambda v: self.set_key("seed", v))
        form.addRow("seed", self.seed)
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
        form.addRow("start", self.start_row)
        form.addRow("", self.default_start)  # its own row: the start boxes keep the panel's width
        self.clip_on, self.clip = self._optional_number(
            form, "clip_norm", "clip |∇L| at", (1e-9, 1e9),
            "Rescale the gradient to norm at most c before the update: g <- g * min(1, c/|g|).")
        self.tol_on, self.tol = self._optional_number(
            form, "tolerance", "stop at |∇L| ≤", (1e-15, 1e6),
            "Stop as converged once the full gradient's norm |∇L(θ)| is at most this tolerance.")
        self.body.addLayout(form)
        self.refresh()

    def _optional_number(self, form, key: str, text: str, bounds, tip: str):
        """A check box that switches the setting ``key`` on (the spin box's value) or off (None)."""
        check, box = QCheckBox(text), NumberSpinBox(*bounds, log=True)
        check.setObjectName(f"{key}_on")
        box.setObjectName(key)
        check.setToolTip(tip)
        box.setToolTip(tip)
        check.toggled.connect(lambda on: self.set_key(key, box.value() if on else None))
        box.valueChanged.connect(lambda v: check.isChecked() and self.set_key(key, v))
        form.addRow(check, box)
        return check, box

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
        self.length.setValue(config[unit])
        self.length.blockSignals(False)
        self.seed.blockSignals(True)
        self.seed.setValue(config["seed"])
        self.seed.blockSignals(False)
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
                box = NumberSpinBox(-1e9, 1e9)
                box.setObjectName(f"start_{name}")
                box.setToolTip(f"Start value of {name}; a click in the parameter space sets it too.")
                box.valueChanged.connect(self._start_edited)
                self.start_layout.addWidget(box, *divmod(len(self.start_boxes), START_COLUMNS))
                self.start_boxes.append(box)
        for box, value in zip(self.start_boxes, start):
            box.blockSignals(True)
            box.setValue(float(value))
            box.blockSignals(False)
        for check, box, value, fallback in ((self.clip_on, self.clip, config["clip_norm"], 1.0),
                                            (self.tol_on, self.tol, config["tolerance"], 1e-6)):
            check.blockSignals(True)
            box.blockSignals(True)
            check.setChecked(value is not None)
            box.setValue(value if value is not None else fallback)
            box.setEnabled(value is not None)
            check.blockSignals(False)
            box.blockSignals(False)
