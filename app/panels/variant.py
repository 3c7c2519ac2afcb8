"""Variant: how many samples each step sees (batch, stochastic, mini-batch) - and coordinate descent as the
contrast that updates one parameter instead."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QButtonGroup, QFormLayout, QLabel, QRadioButton

import gd_core
from gd_core import SAMPLINGS, VARIANTS
from gd_core.samplers import samples_per_step
from gd_core.settings import SETTINGS
from gd_core.tracking import batch_advice, batch_brief, current_noise_scale

from ..throttle import Throttle
from ..widgets import choice_box, editor_for, info_label, note_label
from .base import Panel

NOISE_SCALE_DOC = ("The gradient noise scale B = tr(Σ)/|G|² at the run's current parameters: the batch size at "
                   "which a mini-batch gradient's noise equals the full gradient. Below it a larger batch still cuts "
                   "the steps nearly in proportion; above it, it mostly costs samples (Runs > Batch-size scaling "
                   "shows the whole trade-off).")


class VariantPanel(Panel):
    lock = "variant"

    def __init__(self, model, report, parent=None):
        super().__init__("Variant", model, report, parent)
        self.buttons = QButtonGroup(self)
        for i, spec in enumerate(VARIANTS.values()):
            button = QRadioButton(spec.title)
            button.setObjectName(f"variant_{spec.name}")
            button.setToolTip(spec.doc)
            self.buttons.addButton(button, i)
            self.body.addWidget(button)
        self.buttons.idClicked.connect(lambda i: self.set_key("variant", list(VARIANTS)[i]))
        form = QFormLayout()
        batch_size, sampling = SETTINGS["batch_size"], SETTINGS["sampling"]
        self.batch_size = editor_for(batch_size)  # its top is n, set per problem
        self.batch_size.setObjectName("batch_size")
        self.batch_size.setToolTip(f"{batch_size.doc} Allowed: an integer in [1, n].")
        self.batch_size.valueChanged.connect(lambda v: self.set_key("batch_size", v))
        form.addRow(batch_size.title, self.batch_size)
        self.sampling = choice_box("sampling", sampling.doc, [(n, n, doc) for n, doc in SAMPLINGS.items()])
        self.sampling.activated.connect(lambda: self.set_key("sampling", self.sampling.currentData()))
        form.addRow(sampling.title, self.sampling)
        self.per_epoch = QLabel("")
        self.per_epoch.setObjectName("steps_per_epoch")
        self.per_epoch.setToolTip("Steps that make one pass over the n samples: ceil(n / k) for mini-batch, "
                                  "n for stochastic, 1 for batch.")
        form.addRow("steps per epoch", self.per_epoch)
        # one line in the narrowest dock: a few words (about B, and where the batch sits), the sentence in the tooltip
        self.noise = info_label("batch_noise_scale")
        self.noise.setTextFormat(Qt.TextFormat.PlainText)
        name = QLabel("noise scale B")
        name.setObjectName("noise_scale_label")
        form.addRow(name, self.noise)
        self.body.addLayout(form)
        self.note = note_label()
        self.body.addWidget(self.note)
        self._noise_live = Throttle(1.0, self.show_noise_scale, self)  # while training: once a second
        model.events.advanced.connect(lambda runs: self._noise_live.request())
        self.refresh()

    def show_config(self, config, trainer) -> None:
        names = list(VARIANTS)
        self.buttons.button(names.index(config["variant"])).setChecked(True)
        has_data = trainer.problem.dataset is not None
        n = trainer.problem.n_samples
        for name in ("stochastic", "minibatch"):
            self.buttons.button(names.index(name)).setEnabled(has_data)
        self.batch_size.blockSignals(True)
        self.batch_size.setRange(1, max(1, min(n, int(SETTINGS["batch_size"].high))))
        self.batch_size.setValue(config["batch_size"])
        self.batch_size.blockSignals(False)
        self.batch_size.setEnabled(has_data and SETTINGS["batch_size"].in_effect(config))
        self.sampling.setCurrentIndex(list(SAMPLINGS).index(config["sampling"]))
        self.sampling.setEnabled(has_data and SETTINGS["sampling"].in_effect(config))
        if has_data:
            self.per_epoch.setText(f"{gd_core.steps_per_epoch(n, config['variant'], config['batch_size']):,}"
                                   f"  (n = {n:,})")
            self.note.setText("Coordinate descent: every step uses all samples but moves one parameter." if
                              config["variant"] == "coordinate" else "")
        else:
            self.per_epoch.setText("1 (no data)")
            self.note.setText("A function has no samples: every step sees the exact gradient.")
        self.note.setVisible(bool(self.note.text()))
        self.show_noise_scale()

    def show_noise_scale(self) -> None:
        """The selected run's batch size next to its noise scale (measured, or worked out where that is quick)."""
        run = self.model.selected
        trainer = run.trainer
        noise = current_noise_scale(run.history, trainer.problem, trainer.params)
        if trainer.problem.dataset is None:
            text, advice = "none (no samples)", "A function has no samples: every step sees the exact gradient."
        elif noise is None:
            text, advice = "not worked out", "Too costly to work out here: measure it in the Noise scale view."
        else:
            config, n = run.config, trainer.problem.n_samples
            batch = samples_per_step(n, config["variant"], config["batch_size"])
            text, advice = batch_brief(batch, noise, n), batch_advice(batch, noise, n).capitalize() + "."
        self.noise.setText(text)
        self.noise.setToolTip(f"{advice}\n\n{NOISE_SCALE_DOC}")
