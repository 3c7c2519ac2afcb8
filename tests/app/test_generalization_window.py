"""Issue 15 in the window: the validation loss dashed beside the training loss, the accuracy tab, the best
validation loss in the results table, held-out samples hollow in the data view, the settings side by side."""

import numpy as np

from .conftest import panel

MOONS = {"problem": "mlp", "hidden": [6], "validation": 0.25,
         "data": {"name": "moons", "n_samples": 40, "noise": 0.3, "seed": 1}, "batch_size": 8,
         "optimizer": {"name": "adam", "lr": 0.05}, "steps": 60}


def test_a_split_run_draws_its_validation_loss_accuracy_best_step_and_held_out_samples(window):
    model = window.model
    model.update_config(model.selected, MOONS)
    run = model.selected
    model.step(60)
    for view in (window.loss_view, window.accuracy_view, window.data_view):
        view.refresh()
    history = run.history
    _, full, val = window.loss_view._items[id(run)]
    assert len(val.getData()[1]) > 0 and np.isfinite(val.getData()[1]).any()
    assert "validation loss (dashed)" in window.loss_view.legend.text()
    train, held = window.accuracy_view._items[id(run)]
    assert train.getData()[1][-1] == history.accuracy[-1] and held.getData()[1][-1] == history.val_accuracy[-1]
    best = int(np.argmin(history.val_loss))
    assert best > 0  # a best step the table cannot show before it catches up
    window.results.refresh()  # its live refresh is throttled
    cells = [window.results.table.item(0, c).text() for c in range(window.results.table.columnCount())]
    assert f"{history.val_loss[best]:.5g}" in cells and f"{best:,}" in cells
    assert len(window.data_view.held.data) == run.trainer.problem.held_out.n_samples == 10
    assert "hollow: held-out" in window.data_view.caption.text()
    form = panel(window, "ProblemPanel").settings_form
    assert list(form.editors) == ["validation", "standardize", "early_stopping"]


def test_without_a_split_nothing_extra_is_drawn(window):
    model = window.model
    model.update_config(model.selected, {**MOONS, "validation": 0.0})
    model.step(5)
    window.loss_view.refresh()
    _, _, val = window.loss_view._items[id(model.selected)]
    assert val.getData()[0] is None or len(val.getData()[0]) == 0
    assert len(window.data_view.held.data) == 0
    cells = [window.results.table.item(0, c).text() for c in range(window.results.table.columnCount())]
    assert cells[4:6] == ["-", "-"]
