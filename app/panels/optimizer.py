"""Optimizer: the update rule and a form of its hyperparameters, generated from gd_core's registry."""

from __future__ import annotations

from gd_core import OPTIMIZERS

from ..widgets import ParamForm, choice_box, formula_label
from .base import Panel


class OptimizerPanel(Panel):
    lock = "optimizer"

    def __init__(self, model, report, parent=None):
        super().__init__("Optimizer", model, report, parent)
        self.choice = choice_box("optimizer", "The update rule.",
                                 [(s.title, s.name, f"{s.doc}\n{s.formula}") for s in OPTIMIZERS.values()])
        self.choice.activated.connect(self._chosen)
        self.body.addWidget(self.choice)
        self.formula = formula_label("optimizer_formula")
        self.body.addWidget(self.formula)
        self.form: ParamForm | None = None
        self.refresh()

    def _chosen(self) -> None:
        name = self.choice.currentData()
        if name == self.config["optimizer"]["name"]:
            return
        lr = self.config["optimizer"]["lr"]

        def change(config):
            config["optimizer"] = {"name": name, "lr": lr}  # keep the learning rate the user set
        self.edit(change)

    def show_config(self, config, trainer) -> None:
        spec = OPTIMIZERS[config["optimizer"]["name"]]
        self.choice.setCurrentIndex(list(OPTIMIZERS).index(spec.name))
        self.choice.setToolTip(f"{spec.doc} {spec.origin()}")
        self.formula.setText(spec.formula)
        params = tuple(p for p in spec.params if p.name != "lr")  # the rate has its own panel
        self.form = self.form_for(self.form, params, lambda k, v: self.set_in("optimizer", k, v),
                                  self.body.addWidget)
        self.form.setObjectName("optimizer_form")
        self.form.set_values(config["optimizer"])
