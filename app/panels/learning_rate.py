"""Learning rate: a log-scale slider with an exact spin box, the stability bound 2/L where gd_core knows it,
and the schedule."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel

from gd_core import OPTIMIZERS, SCHEDULES

from ..theme import theme
from ..widgets import LogSlider, ParamForm, choice_box, editor_for, note_label
from .base import Panel

LR_RANGE = (1e-5, 10.0)


class LearningRatePanel(Panel):
    lock = "lr"

    def __init__(self, model, report, parent=None):
        super().__init__("Learning rate", model, report, parent)
        row = QHBoxLayout()
        self.slider = LogSlider(*LR_RANGE)
        self.slider.setObjectName("lr_slider")
        self.slider.setToolTip("Learning rate gamma on a log scale (1e-5 to 10): each update is theta <- theta - "
                               "gamma * step direction.")
        self.slider.value_moved.connect(self._slid)
        self.slider.sliderReleased.connect(self._released)
        self.spin = editor_for(OPTIMIZERS["plain"].params[0])  # every optimizer's lr has one range
        self.spin.setObjectName("lr")
        self.spin.setToolTip("The exact learning rate gamma; type any positive number (e.g. 0.05 or 3e-4).")
        self.spin.valueChanged.connect(lambda v: self._set_lr(v))
        row.addWidget(self.slider, 1)
        row.addWidget(self.spin)
        self.body.addLayout(row)
        self.bound = QLabel("")
        self.bound.setObjectName("stability_bound")
        self.bound.setWordWrap(True)
        self.bound.setToolTip("For a quadratic loss with largest Hessian eigenvalue L, plain gradient descent "
                              "converges only if gamma < 2/L.")
        self.body.addWidget(self.bound)
        schedule_row = QHBoxLayout()
        schedule_row.addWidget(QLabel("schedule"))
        self.schedule = choice_box("schedule", "How the learning rate changes with the step t.",
                                   [(s.title, s.name, s.formula) for s in SCHEDULES.values()])
        self.schedule.activated.connect(self._schedule_chosen)
        schedule_row.addWidget(self.schedule, 1)
        self.body.addLayout(schedule_row)
        self.schedule_formula = note_label()
        self.body.addWidget(self.schedule_formula)
        self.schedule_form: ParamForm | None = None
        self.refresh()

    def _slid(self, value: float) -> None:
        self.spin.blockSignals(True)
        self.spin.setValue(float(f"{value:.3g}"))
        self.spin.blockSignals(False)
        if not self.slider.isSliderDown():  # keyboard or click: apply now; dragging applies on release
            self._set_lr(self.spin.value())

    def _released(self) -> None:
        self._set_lr(self.spin.value())

    def _set_lr(self, value: float) -> None:
        if value != self.config["optimizer"]["lr"]:
            self.set_in("optimizer", "lr", value)

    def _schedule_chosen(self) -> None:
        name = self.schedule.currentData()
        if name != self.config["schedule"]["name"]:
            self.set_key("schedule", {"name": name})

    def show_config(self, config, trainer) -> None:
        lr = config["optimizer"]["lr"]
        self.spin.blockSignals(True)
        self.spin.setValue(lr)
        self.spin.blockSignals(False)
        self.slider.set_float(lr)
        bound = trainer.problem.stability_bound
        if bound is None:
            self.bound.setText("Stability bound: not known for this loss (it is not quadratic).")
            self.bound.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            self.bound.setStyleSheet("")
        else:
            over = lr >= bound and config["optimizer"]["name"] == "plain"
            self.bound.setText(f"Stable for plain GD below 2/L = {bound:.4g}" +
                               (" - this rate is above it: expect divergence." if over else "."))
            color = theme().semantic("bad" if over else "good")[0]
            self.bound.setStyleSheet(f"color: {color};" + (" font-weight: bold;" if over else ""))
        spec = SCHEDULES[config["schedule"]["name"]]
        self.schedule.setCurrentIndex(list(SCHEDULES).index(spec.name))
        self.schedule_formula.setText(spec.formula)
        self.schedule_form = self.form_for(self.schedule_form, spec.params,
                                           lambda k, v: self.set_in("schedule", k, v), self.body.addWidget)
        self.schedule_form.set_values(config["schedule"])
        self.schedule_form.setVisible(bool(spec.params))
