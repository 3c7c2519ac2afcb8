"""Problem and data: which objective, which samples (generated or loaded from CSV)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QFileDialog, QFormLayout, QLabel, QMessageBox, QPushButton

import gd_core
from gd_core import GENERATORS, PROBLEMS
from gd_core.files import file_name
from gd_core.settings import panel_settings

from ..csv_preview import CsvPreview
from ..folders import remember_folder, start_folder
from ..widgets import ComboBox, ParamForm, choice_box, note_label
from .base import Panel


class ProblemPanel(Panel):
    lock = "problem"

    def __init__(self, model, report, parent=None):
        super().__init__("Problem and data", model, report, parent)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        self.problem = choice_box("problem", "The objective to minimise; changing it starts the run afresh.",
                                  [(s.title, s.name, s.formula) for s in PROBLEMS.values()])
        self.problem.activated.connect(self._problem_chosen)
        form.addRow("problem", self.problem)
        self.formula = note_label()
        form.addRow(self.formula)
        self.body.addLayout(form)
        self.problem_form = None
        self.settings_form: ParamForm | None = None  # the table's run settings shown here (gradient noise)
        data_row = QFormLayout()
        self.data = ComboBox()
        self.data.setObjectName("data")
        self.data.setToolTip("Where the training samples come from; changing it starts the run afresh.")
        self.data.activated.connect(self._data_chosen)
        data_row.addRow("data", self.data)
        self.body.addLayout(data_row)
        self.data_form = None
        self.csv_label = QLabel("")
        self.csv_label.setWordWrap(True)
        self.body.addWidget(self.csv_label)
        self.load_csv = QPushButton("Load CSV...")
        self.load_csv.setObjectName("load_csv")
        self.load_csv.setToolTip("Train on a CSV file: a header row, numeric columns, the last column is the target "
                                 "(a preview shows it first).")
        self.load_csv.clicked.connect(self._choose_csv)
        self.body.addWidget(self.load_csv)
        self.refresh()

    # -- edits -----------------------------------------------------------------------------------------------
    def _problem_chosen(self) -> None:
        name = self.problem.currentData()
        if name != self.config["problem"]:
            self.edit(lambda config: gd_core.switch_problem(config, name))

    def _data_chosen(self) -> None:
        name = self.data.currentData()
        if name == "csv" or name == self.config["data"]["name"]:
            return
        kept = {k: v for k, v in self.config["data"].items() if k in ("n_samples", "seed")}
        self.set_key("data", {"name": name, **kept})

    def _choose_csv(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load training data", start_folder(),
                                              "CSV files (*.csv);;All files (*)")
        if path:
            remember_folder(path)
        if path and CsvPreview(path, self).exec() == QDialog.DialogCode.Accepted:
            scope = self.ask_scope(path)
            if scope is not None:
                self.load_path(path, scope)

    def ask_scope(self, path: str) -> str | None:
        """With several runs, ask whether the data is for the selected run or for all runs ("selected", "all";
        None: cancelled). With one run there is nothing to ask."""
        if len(self.model.runs) == 1:
            return "selected"
        box = QMessageBox(QMessageBox.Icon.Question, "Load CSV",
                          f"Train on {file_name(path)}: which runs?", parent=self)
        box.setObjectName("csv_scope")
        box.setInformativeText("Runs on a 2D function have no data and keep their function.")
        selected = box.addButton(f"Selected run ({self.model.selected.name})", QMessageBox.ButtonRole.AcceptRole)
        every = box.addButton(f"All {len(self.model.runs)} runs", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(selected)
        self.scope_box = box  # tests answer it
        box.exec()
        return {selected: "selected", every: "all"}.get(box.clickedButton())

    def load_path(self, path: str, scope: str = "selected") -> bool:
        """Train the selected run - or, with ``scope="all"``, every run that has data - on a CSV file (used by
        the dialog and by tests). A refused file is reported once and changes nothing."""
        data = {"name": "csv", "path": path}
        if scope == "selected" or not self.set_key("data", data):
            ok = scope == "selected" and self.set_key("data", data)
            if ok:
                self._report_loaded(path, "")
            return ok
        loaded, kept = 1, []
        for run in self.model.runs:
            if run is self.model.selected:
                continue
            if PROBLEMS[run.config["problem"]].kind == "function":
                kept.append(f"{run.name} (a 2D function)")
                continue
            try:  # the file is usable (the selected run took it), but another problem may refuse it
                self.model.update_config(run, {**self.model.config_copy(run), "data": dict(data)})
                loaded += 1
            except gd_core.ConfigError as error:
                kept.append(f"{run.name} ({error.problem})")
        self._report_loaded(path, f" for {loaded} runs" + (f"; kept their data: {', '.join(kept)}" if kept else ""))
        return True

    def _report_loaded(self, path: str, which: str) -> None:
        data = self.model.selected.trainer.problem.dataset
        self.report(f"Loaded {file_name(path)}{which}: {data.n_samples} samples, features "
                    f"{', '.join(data.feature_names)}; target column '{data.target_name}'.")

    # -- display ---------------------------------------------------------------------------------------------
    def show_config(self, config, trainer) -> None:
        spec = PROBLEMS[config["problem"]]
        self.problem.setCurrentIndex(list(PROBLEMS).index(spec.name))
        note = trainer.problem.no_minimum  # e.g. separable classes: say why no minimum is drawn
        self.formula.setText(spec.formula if note is None else f"{spec.formula}\n{note[0].upper()}{note[1:]}.")
        self.problem_form = self.form_for(self.problem_form, spec.params, self.set_key,
                                          lambda form: self.body.insertWidget(1, form))
        self.problem_form.set_values(config)
        self.problem_form.setVisible(bool(spec.params))
        is_function = spec.kind == "function"
        settings = panel_settings("problem", spec.kind)
        self.settings_form = self.form_for(self.settings_form, settings, self.set_key,
                                           lambda form: self.body.insertWidget(2, form), prefix="")
        self.settings_form.set_values(config)
        self.settings_form.setVisible(bool(settings))
        self.data.setEnabled(not is_function)
        self.load_csv.setEnabled(not is_function)
        self.data.blockSignals(True)
        self.data.clear()
        if is_function:
            self.data.addItem("none (a function of x, y)", None)
            self._set_data_form(None, {})
            self.csv_label.setText("")
        else:
            for g in GENERATORS.values():
                if g.task in spec.data_tasks:
                    self.data.addItem(g.title, g.name)
            data = config["data"]
            if data["name"] == "csv":
                self.data.addItem(f"CSV: {file_name(data['path'])}", "csv")
                dataset = trainer.problem.dataset
                self.csv_label.setText(f"{dataset.n_samples} samples · features: {', '.join(dataset.feature_names)}"
                                       f" · target: {dataset.target_name}")
                self._set_data_form(None, {})
            else:
                self.csv_label.setText("")
                self._set_data_form(GENERATORS[data["name"]].params, data)
            self.data.setCurrentIndex(max(0, self.data.findData(data["name"])))
        self.data.blockSignals(False)
        self.csv_label.setVisible(bool(self.csv_label.text()))

    def _set_data_form(self, params, values) -> None:
        if params is None:
            if self.data_form is not None:
                self.data_form.hide()
            return
        self.data_form = self.form_for(self.data_form, params, lambda k, v: self.set_in("data", k, v),
                                       lambda form: self.body.insertWidget(self.body.indexOf(self.csv_label), form),
                                       labels={"seed": "data seed", "n_samples": "samples n"})
        self.data_form.set_values(values)
        self.data_form.show()
