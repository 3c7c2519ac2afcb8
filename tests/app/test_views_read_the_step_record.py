"""Views read the latest step's record and ask gd_core for numbers: a hover over a large problem reads the grid
on screen (no pass over the data per mouse move); the formula shows a step only by the rule it explains."""

import json

import pytest
from PySide6.QtCore import QPointF

from app import create_window
from gd_core.landscape import HOVER_WORK


def _hover(view, x, y):
    view._hovered(view.plot.getPlotItem().vb.mapViewToScene(QPointF(x, y)))
    return view.readout.text()


def test_a_hover_over_a_large_problem_reads_the_grid_on_screen(qtbot, tmp_path, monkeypatch):
    path = tmp_path / "large.json"
    path.write_text(json.dumps({"problem": "mlp", "data": {"name": "moons", "n_samples": 2000}, "steps": 5}))
    win = create_window(path)
    qtbot.addWidget(win)
    win.show()
    view = win.space_view
    qtbot.waitUntil(lambda: view.surface_ready, timeout=20_000)
    problem = view.problem
    assert problem.pass_work > HOVER_WORK
    (x0, x1), (y0, y1) = view.plot.getPlotItem().vb.viewRange()
    monkeypatch.setattr(type(problem), "full_loss", lambda *args: pytest.fail("a pass over the data on a hover"))
    text = _hover(view, (x0 + x1) / 2, (y0 + y1) / 2)
    assert "loss ≈ " in text
    win.runner.pause()
    view.worker.wait()


def test_a_small_problem_reads_the_exact_loss(window):
    view = window.space_view
    (x0, x1), (y0, y1) = view.plot.getPlotItem().vb.viewRange()
    assert "loss = " in _hover(view, (x0 + x1) / 2, (y0 + y1) / 2)


def test_the_formula_shows_a_step_only_by_the_rule_it_explains(window):
    model, formula = window.model, window.formula
    run = model.selected
    assert formula.rows() == []  # no step yet
    run.trainer.advance(2)
    rows = dict(formula.rows())
    assert rows["t"] == 2 and (rows["g"] == run.trainer.latest.grad).all()
    model.update_config(run, {**run.config, "optimizer": {"name": "adam", "lr": 0.01}})
    assert formula.rows() == []  # the latest step was made by another rule
    run.trainer.advance(1)
    assert dict(formula.rows())["t"] == 1
