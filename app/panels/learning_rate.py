"""Learning rate: a log-scale slider with an exact spin box, the optimizer's stability bound where the loss is
quadratic (2/L for plain gradient descent, 2(1+μ)/L for heavy-ball momentum, none for Adam: gd_core.stability),
and the schedule."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel

from gd_core import OPTIMIZERS, SCHEDULES
from gd_core.optimizers import stability_of
from gd_core.stability import brief, words

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
        self.spin.valueChanged.connect(lambda _: self._set_lr(self.spin.value()))  # exact (NumberSpinBox)
        row.addWidget(self.slider, 1)
        row.addWidget(self.spin)
        self.body.addLayout(row)
        self.bound = QLabel("")
        self.bound.setObjectName("stability_bound")
        self.bound.setWordWrap(True)
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
        curvature = trainer.problem.curvature
        bound = stability_of(config["optimizer"]) if curvature else None
        if bound is None:
            text, over = "Stability bound: not known for this loss (it is not quadratic).", False
            tip = "The largest stable learning rate is known where the loss is quadratic (its Hessian's largest " \
                  "eigenvalue L known)."
        else:
            text, over = brief(bound, curvature, lr)
            said = words(OPTIMIZERS[config["optimizer"]["name"]].title, bound, curvature)
            tip = said[0].upper() + said[1:] + "."
        self.bound.setText(text)
        self.bound.setToolTip(tip)
        if bound is None or isinstance(bound, str):  # nothing to stay below: the quiet colour
            self.bound.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            self.bound.setStyleSheet("")
        else:
            color = theme().semantic("bad" if over else "good")[0]
            self.bound.setStyleSheet(f"color: {color};" + (" font-weight: bold;" if over else ""))
        spec = SCHEDULES[config["schedule"]["name"]]
        self.schedule.setCurrentIndex(list(SCHEDULES).index(spec.name))
        self.schedule_formula.setText(spec.formula)
        self.schedule_form = self.form_for(self.schedule_form, spec.params,
                                           lambda k, v: self.set_in("schedule", k, v), self.body.addWidget)
        self.schedule_form.set_values(config["schedule"])
        self.schedule_form.setVisible(bool(spec.params))
