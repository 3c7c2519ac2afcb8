"""A new optimizer is one registry row (issue 13, item 4): added as one OptimizerSpec - rule, state, defaults,
doc, formula, explanation, torch name - it appears in the CLI, the panels and their tooltips, the sweep and the
update-rule panel, and runs alone and vectorised."""

from __future__ import annotations

import numpy as np
import pytest

import gd_core
from app import create_window
from gd_core import OPTIMIZERS
from gd_core.cli import main
from gd_core.optimizers import Explanation, OptimizerSpec, SGDState, explain
from gd_core.spec import MAX_MAGNITUDE, Param

from .conftest import panel


def _init(params, hp):
    return SGDState(0, np.zeros_like(params, dtype=float))


def _moving(grad, hp):
    return np.sign(grad) * (np.abs(grad) > hp["threshold"])


def _update(grad, state, params, lr, hp):
    return params - lr * _moving(grad, hp), SGDState(state.count + 1, state.velocity)


def _explain(q):
    direction = _moving(q.grad, q.hp)
    return Explanation([("sign(g)·[|g| > τ]", direction)], q.lr, direction)


SIGN = OptimizerSpec(
    "signsgd", "Sign descent", "Steps by the sign of each gradient component that is above a threshold.",
    "θ ← θ − γ·sign(g)·[|g| > τ]", "no torch.optim class (signSGD, Bernstein et al. 2018)",
    (Param("lr", 1e-3, "Learning rate gamma: the size of each step.", low=0.0, low_open=True, high=MAX_MAGNITUDE,
           log=True),
     Param("threshold", 0.0, "Threshold tau: components with |g| at most tau do not move.", low=0.0,
           high=MAX_MAGNITUDE)),
    _init, _update, _explain)


@pytest.fixture
def sign_row(monkeypatch):
    monkeypatch.setitem(OPTIMIZERS, "signsgd", SIGN)


def test_the_row_runs_alone_vectorised_and_explained(sign_row):
    configs = [{"problem": "quadratic", "optimizer": {"name": "signsgd", "lr": lr, "threshold": 1e-3}, "steps": 30}
               for lr in (0.01, 0.05)]
    histories = gd_core.run_many(configs)
    for config, history in zip(configs, histories):
        np.testing.assert_allclose(history.params, gd_core.run(config).params, rtol=1e-12)
    trainer = gd_core.Trainer(configs[0])
    trainer.advance(2)
    rows = dict(explain(trainer.latest))
    np.testing.assert_allclose(rows["Δθ (update)"], -0.01 * rows["sign(g)·[|g| > τ]"], rtol=1e-12)


def test_the_cli_takes_it_and_its_hyperparameter(sign_row, capsys):
    assert main(["--problem", "quadratic", "--optimizer", "signsgd", "--lr", "0.01", "--threshold", "0.5",
                 "--steps", "5"]) == 0
    assert "signsgd lr=0.01: completed after 5 steps" in capsys.readouterr().out
    assert main(["--list"]) == 0 and "signsgd" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "--threshold" in capsys.readouterr().out
    assert main(["--optimizer", "adam", "--threshold", "0.5"]) == 2
    assert "optimizer.threshold: is not a setting of adam" in capsys.readouterr().err


def test_the_window_offers_it_everywhere(sign_row, qtbot):
    win = create_window()
    qtbot.addWidget(win)
    choice = panel(win, "OptimizerPanel").choice
    index = choice.findData("signsgd")
    assert index >= 0 and "above a threshold" in choice.itemData(index, 3)  # Qt.ToolTipRole
    choice.setCurrentIndex(index)
    choice.activated.emit(index)
    model = win.model
    assert model.selected.config["optimizer"]["name"] == "signsgd"
    # a row that declares no stability bound is quoted none (it crashed the learning-rate panel on a quadratic)
    assert panel(win, "LearningRatePanel").bound.toolTip() == "No stability bound is known for Sign descent: none " \
                                                              "is declared in its registry row."
    diverged = gd_core.run({"problem": "quadratic", "optimizer": {"name": "signsgd", "lr": 1e12}, "steps": 5})
    assert diverged.message.endswith("; no stability bound is known for Sign descent: none is declared in its "
                                     "registry row")
    form = panel(win, "OptimizerPanel").form
    assert "Threshold tau" in form.editors["threshold"].toolTip()
    form.editors["threshold"].setValue(0.25)
    assert model.selected.config["optimizer"]["threshold"] == 0.25
    model.step(3)
    win.formula.refresh()
    assert win.formula.rule.text() == SIGN.formula
    labels = [win.formula.table.verticalHeaderItem(r).text() for r in range(win.formula.table.rowCount())]
    assert "sign(g)·[|g| > τ]" in labels
    win.open_sweep()
    box = win.sweep_window.optimizers["signsgd"]
    assert "above a threshold" in box.toolTip()
    jobs = gd_core.sweep.sweep_jobs(model.config_copy(model.selected), [0.01, 0.1], "optimizer", ["signsgd"])
    updates = list(gd_core.sweep.run_sweep(jobs, model.selected.trainer.problem))
    assert updates[-1].job.key == "signsgd" and np.isfinite(updates[-1].losses).all()
    win.runner.pause()


def _drawn(text: str, font) -> bytes:
    """``text`` drawn as a table cell draws it: one line of the font's height, baseline at its ascent (a mark the
    font places above the line is cut off, as on screen)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFontMetrics, QImage, QPainter
    metrics = QFontMetrics(font)
    image = QImage(metrics.horizontalAdvance(text) + 8, metrics.height(), QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    painter.setFont(font)
    painter.drawText(4, metrics.ascent(), text)
    painter.end()
    return bytes(image.constBits())


def test_the_hats_of_m_and_v_are_drawn_in_the_update_rule_table(window):
    """Adam's rows m and m̂ differ on screen: the table's symbol font draws the combining circumflex."""
    model = window.model
    model.update_config(model.selected, {**model.selected.config, "optimizer": {"name": "adam", "lr": 0.05}})
    model.step(2)
    window.formula.refresh()
    table = window.formula.table
    labels = window.formula.names()
    assert "m" in labels and "m̂ = m/(1−β₁ᵗ)" in labels and "v̂ = v/(1−β₂ᵗ)" in labels
    font = table.verticalHeader().font()
    for letter in ("m", "v"):
        assert _drawn(letter + "\u0302", font) != _drawn(letter, font), letter
