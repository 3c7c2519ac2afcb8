"""The panels take their run-level editors, ranges and tooltips from the settings table, a new row shows up in
its panel by itself, and one edit is validated once (issue 13, item 3)."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QFormLayout

import gd_core
import gd_core.config
from app import create_window
from app.widgets import OptionalSettings, ParamForm
from gd_core.settings import SETTINGS, Setting

from .conftest import panel


def test_run_level_editors_take_range_and_tooltip_from_the_table(window):
    run = panel(window, "RunPanel")
    seed = run.settings_form.editors["seed"]
    assert seed.objectName() == "seed" and (seed.minimum(), seed.maximum()) == (0, SETTINGS["seed"].high)
    for name in ("seed", "clip_norm", "tolerance"):
        assert SETTINGS[name].doc in run.settings_form.editors[name].toolTip()
    assert run.settings_form.switches["clip_norm"].objectName() == "clip_norm_on"
    assert SETTINGS["batch_size"].doc in panel(window, "VariantPanel").batch_size.toolTip()
    model = window.model
    model.update_config(model.selected, gd_core.switch_problem(dict(model.selected.config), "rosenbrock"))
    noise = panel(window, "ProblemPanel").settings_form.editors["gradient_noise"]
    assert noise.objectName() == "gradient_noise" and SETTINGS["gradient_noise"].doc in noise.toolTip()
    assert noise.maximum() == SETTINGS["gradient_noise"].high


def test_an_optional_setting_switches_on_and_off(window):
    form = panel(window, "RunPanel").settings_form
    form.switches["clip_norm"].setChecked(True)
    assert window.model.selected.config["clip_norm"] == SETTINGS["clip_norm"].on_value
    form.editors["clip_norm"].setValue(3.0)
    assert window.model.selected.config["clip_norm"] == 3.0
    form.switches["clip_norm"].setChecked(False)
    assert window.model.selected.config["clip_norm"] is None and not form.editors["clip_norm"].isEnabled()


def test_a_new_row_appears_in_its_panel_and_edits_the_config(qtbot, monkeypatch):
    monkeypatch.setitem(SETTINGS, "patience", Setting("patience", None, "Stop after this many steps without "
                                                                        "improvement.", kind=int, low=1, high=1000,
                                                      optional=True, on_value=10, panel="run"))
    win = create_window()
    qtbot.addWidget(win)
    form = panel(win, "RunPanel").settings_form
    assert "Stop after this many steps" in form.editors["patience"].toolTip()
    form.switches["patience"].setChecked(True)
    assert win.model.selected.config["patience"] == 10
    form.editors["patience"].setValue(25)
    assert win.model.selected.config["patience"] == 25
    win.runner.pause()


def test_one_edit_is_validated_once(window, monkeypatch):
    calls = []
    real = gd_core.config.validate

    def counting(config):
        calls.append(1)
        return real(config)
    monkeypatch.setattr(gd_core.config, "validate", counting)
    monkeypatch.setattr(gd_core, "validate", counting)
    model = window.model
    for change in ({"seed": 3}, {"clip_norm": 2.0}, {"optimizer": {"name": "adam", "lr": 0.01}}):
        calls.clear()
        model.update_config(model.selected, {**model.selected.config, **change})
        assert len(calls) == 1, change


def test_every_on_off_setting_has_its_words_beside_its_box(window):
    """The settings form showed "☐ standardize" but "early stopping ☐ on" (and "line search ☐ on"): a setting that
    is an object of fields (kind=dict) put its name in the label column and "on" beside its box. Every on/off
    setting - a bool, or an object switched off by null - is now one box with its words beside it across the row,
    the object's fields under its words, in every form the panels generate (each optimizer's too)."""
    model = window.model
    model.update_config(model.selected, {**model.selected.config, "validation": 0.2})
    seen = set()
    for name in gd_core.OPTIMIZERS:
        model.update_config(model.selected, {**model.selected.config, "optimizer": {"name": name, "lr": 0.01}})
        for form in window.findChildren(ParamForm):
            layout = form.layout()
            for key, editor in form.editors.items():
                if not isinstance(editor, (QCheckBox, OptionalSettings)) or key in form.switches:
                    continue
                box = editor.on if isinstance(editor, OptionalSettings) else editor
                assert box.text() == key.replace("_", " "), (name, key, box.text())
                row, role = layout.getWidgetPosition(editor)
                assert role == QFormLayout.ItemRole.SpanningRole, (name, key)  # no label column beside it
                seen.add(key)
    assert {"standardize", "early_stopping", "line_search", "centered", "amsgrad", "nesterov"} <= seen
    early = panel(window, "ProblemPanel").settings_form.editors["early_stopping"]
    early.on.setChecked(True)
    assert model.selected.config["early_stopping"] == {"patience": 10}
    patience = early.form.editors["patience"]
    assert patience.isVisible() and early.form.mapTo(early, early.form.layout().labelForField(
        patience).geometry().topLeft()).x() >= early.on.mapTo(early, early.on.rect().topLeft()).x() + 14
