"""The parameter space draws the known minimiser as a star, and none where the loss has no minimum; the problem
panel says why."""

import json

import pytest

from app import create_window


@pytest.mark.parametrize("noise,stars", [(0.3, 0), (1.0, 1)])
def test_separable_logistic_regression_draws_no_star(qtbot, tmp_path, noise, stars):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"problem": "logistic_regression", "data": {"name": "blobs", "noise": noise},
                                "steps": 50}))
    win = create_window(path)
    qtbot.addWidget(win)
    win.model.step(5)
    xs, _ = win.space_view.minima.getData()
    assert len(xs) == stars
    formula = next(p for p in win.panels if type(p).__name__ == "ProblemPanel").formula.text()
    assert ("The classes are separable: the loss has no minimum; it approaches 0 as |w| grows." in formula) == \
        (stars == 0)
