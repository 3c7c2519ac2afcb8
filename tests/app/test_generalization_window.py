"""Issue 15 in the window: the validation loss dashed beside the training loss, the accuracy tab, the best
validation loss in the results table, held-out samples hollow in the data view, the settings side by side."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.views.base import DASHED, unbreakable
from app.views.data_view import layout_kind
from gd_core.display import epoch_means

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
    _, full, val, _, _ = window.loss_view._items[id(run)]
    assert len(val.getData()[1]) > 0 and np.isfinite(val.getData()[1]).any()
    assert "validation loss" in window.loss_view.legend.text() and DASHED in window.loss_view.legend.text()
    train, held, *_ = window.accuracy_view._items[id(run)]
    # four steps an epoch: drawn as the mean over each epoch (tests/app/test_lesson_walk.py)
    assert train.getData()[1][-1] == epoch_means(history.epoch, history.accuracy)[1][-1]
    assert held.getData()[1][-1] == epoch_means(history.epoch, history.val_accuracy)[1][-1]
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
    _, _, val, _, best = window.loss_view._items[id(model.selected)]
    for item in (val, best):
        assert item.getData()[0] is None or len(item.getData()[0]) == 0
    assert len(window.data_view.held.data) == 0
    cells = [window.results.table.item(0, c).text() for c in range(window.results.table.columnCount())]
    assert cells[4:6] == ["-", "-"]


def _one_feature_classes(tmp_path) -> dict:
    """CSV data of one feature and two classes."""
    rng = np.random.default_rng(2)
    x = np.r_[rng.normal(-1, 0.7, 15), rng.normal(1, 0.7, 15)]
    path = tmp_path / "one_feature.csv"
    path.write_text("x,y\n" + "".join(f"{v:.4f},{int(i >= 15)}\n" for i, v in enumerate(x)))
    return {"name": "csv", "path": str(path)}


LAYOUTS = {  # data view layout -> a config drawn that way
    "fitted": {"problem": "linear_regression", "data": {"name": "linear", "n_samples": 40, "n_features": 3}},
    "curve": {"problem": "linear_regression", "degree": 3, "data": {"name": "linear", "n_samples": 16}},
    "boundary": {"problem": "logistic_regression", "data": {"name": "blobs", "n_samples": 40}},
    "regions": {"problem": "mlp", "hidden": [4], "data": {"name": "spiral", "n_samples": 30}},
    "classes over one feature": {"problem": "logistic_regression", "data": None},
    "samples": {"problem": "mlp", "hidden": [3], "data": None},
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_data_layout_draws_the_held_out_samples_hollow_and_says_so(window, layout, tmp_path):
    config = {**LAYOUTS[layout], "validation": 0.25, "variant": "minibatch", "batch_size": 4, "steps": 30,
              "optimizer": {"name": "adam", "lr": 0.05}}
    config["data"] = config["data"] or _one_feature_classes(tmp_path)
    model, view = window.model, window.data_view
    model.update_config(model.selected, config)
    model.step(30)
    view.refresh()
    problem, params = model.selected.trainer.problem, model.selected.trainer.params
    held = problem.held_out
    assert layout_kind(problem) == {"classes over one feature": "curve"}.get(layout, layout)
    x, y = view.held.getData()
    if layout == "fitted":  # at (prediction, target), where the training samples are drawn too
        np.testing.assert_allclose(x, held.predict(params))
        np.testing.assert_allclose(view.samples.getData()[0], problem.predict(params))
    else:
        np.testing.assert_allclose(x, held.dataset.X[:, 0])
    np.testing.assert_allclose(y, held.dataset.X[:, 1] if held.dataset.n_features >= 2 and layout != "fitted"
                               else held.dataset.y)
    assert len(x) == held.n_samples > 0
    assert all(point.brush().style() == Qt.BrushStyle.NoBrush for point in view.held.points())  # hollow
    assert len(view.samples.getData()[0]) == problem.n_samples  # the training samples, filled
    assert view.caption.text().endswith("; hollow: held-out validation samples")
    assert f"○</b></span>&nbsp;{unbreakable('held-out samples')}" in view.legend.text()
    assert view.legend.isVisibleTo(view)
    if layout == "curve":  # the fitted degree-3 polynomial over the feature, through held-out samples too
        xs, ys = view._lines[id(model.selected)].getData()
        np.testing.assert_allclose(ys, problem.curve(params, xs))
        assert xs.min() <= held.dataset.X.min() and xs.max() >= held.dataset.X.max()
    model.update_config(model.selected, {**config, "validation": 0.0})  # no split: nothing hollow, no word of it
    view.refresh()
    assert len(view.held.getData()[0]) == 0 and "hollow" not in view.caption.text()
    assert not view.legend.isVisibleTo(view)


def test_a_split_that_would_leave_a_class_untrained_is_not_applied_and_says_why(window, monkeypatch):
    model = window.model
    model.update_config(model.selected, {"problem": "mlp", "hidden": [3], "steps": 5, "batch_size": 4,
                                         "data": {"name": "spiral", "n_samples": 12, "n_classes": 3}})
    problem_panel, reports = panel(window, "ProblemPanel"), []
    monkeypatch.setattr(problem_panel, "report", lambda text, kind="info": reports.append(text))
    assert not problem_panel.set_key("validation", 0.9)
    assert reports[-1].startswith("Not applied - validation: 0.9 of 12 samples holds out 11, which leaves class")
    assert model.selected.config["validation"] == 0 and model.selected.trainer.problem.held_out is None
    assert problem_panel.set_key("validation", 0.5), reports[-1]
    assert model.selected.trainer.problem.n_classes == 3 and model.selected.trainer.problem.held_out.n_samples == 6


def test_the_loss_plot_marks_each_runs_best_validation_step(qtbot):
    """Lesson 23 says early stopping "marks the best step": only the results table's 'at step' column and the
    run's end message named it (HL). A hollow diamond sits on each run's dashed curve at its lowest validation
    loss - step 112 for the degree-9 runs, the step early stopping keeps - named in the validation key."""
    from app import create_window
    from app.views.loss_curve import BEST

    win = create_window(lesson="23_overfitting_early_stopping")
    qtbot.addWidget(win)
    win.model.set_view("log_y", False)
    win.model.step(4000)
    view = win.loss_view
    view.refresh()
    early = win.model.runs[2]
    assert early.history.status == "stopped early" and early.history.best_step == 112
    for run in win.model.runs:
        history = run.history
        row = int(np.nanargmin(history.val_loss))
        best = view._items[id(run)][4]
        assert best.getData()[0].tolist() == [history.step[row]] and best.getData()[1].tolist() == [
            history.val_loss[row]], run.name
    assert [r.history.step[int(np.nanargmin(r.history.val_loss))] for r in win.model.runs[1:]] == [112, 112]
    assert f"validation {BEST}" in view.legend.text()


def test_the_accuracy_of_a_run_of_thousands_of_epochs_is_drawn_in_at_most_max_points():
    """A run of several steps an epoch is drawn as its epoch means: one point an epoch, with no bound - 85,000
    epochs were 85,000 points and 0.1 s of means a line at every frame. Past MAX_POINTS epochs the means are over
    blocks of a few epochs, each the mean since the point before."""
    from app.session import SessionModel
    from app.views.accuracy import MAX_POINTS, AccuracyView

    model = SessionModel({"problem": "logistic_regression", "variant": "stochastic", "epochs": 2500,
                          "data": {"name": "blobs", "n_samples": 2, "noise": 1.0, "seed": 0}})
    view = AccuracyView(model)
    run = model.selected
    model.step(5000)
    view.refresh()
    train = view._items[id(run)][0]
    x, y = train.getData()
    assert len(x) <= MAX_POINTS + 2 and x[-1] == 5000  # (steps: 2 an epoch, each a row of the history)
    assert x[1] == 4 and y[1] == pytest.approx(run.history.accuracy[1:5].mean())  # epochs 1 and 2


def test_the_accuracy_at_step_0_is_a_dot_and_later_a_line(qtbot):
    """At step 0 each run's accuracy is one point, and a line through one point draws nothing: lesson 25 opened
    on an Accuracy tab of ticks around 0.8 and no mark. Each run's point is a dot in its colour now; with more
    steps its lines are drawn as before, without a dot."""
    from app.views.accuracy import AccuracyView

    from .conftest import lesson_view, pixels_of

    model, view = lesson_view(qtbot, "25_small_batch_generalization", AccuracyView, (900, 300))
    view.refresh()
    colors = [view._items[id(run)][0].opts["pen"].color() for run in model.runs]
    assert pixels_of(view.plot, view.plot.getPlotItem(), colors) >= 28
    model.step(3)
    view.refresh()
    assert all(lone.data.size == 0 for lones in view._lones.values() for lone in lones)
    assert all(len(view._items[id(run)][0].getData()[0]) > 1 for run in model.runs)
