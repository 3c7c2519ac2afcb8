"""What a view does on a change is what the change needs, and draws what a full rebuild would draw: many samples
drawn with a symbol per class, not per sample; a batch's circles set again only when the batch changed."""

from __future__ import annotations

import pytest

from app.session import SessionModel
from app.views.data_view import DataView

from .conftest import counted


def _view(qtbot, view_type, config: dict, size=(600, 400)):
    model = SessionModel(config)
    view = view_type(model)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    _fully_rebuilt(view)  # framed at its shown size (a view frames its data with a padding that depends on it)
    return model, view


def _picture(view):
    """What the view shows once settled: its held-back redraws made, and the surface of a 1:1 parameter space
    computed again for the plot's new shape (a legend row that grew took height from it; it waits for a resize to
    pause)."""
    from PySide6.QtTest import QTest

    view.catch_up()
    view.grab()
    while getattr(view, "_reshaped", None) is not None and view._reshaped.isActive():
        QTest.qWait(20)
    return view.grab().toImage()


def _fully_rebuilt(view, frame=None):
    """The view's picture after a rebuild from nothing (what every change did before views updated in place);
    ``frame``: its view box's range, kept (the data view frames its data with a padding that depends on the plot's
    height at the time, which its legend row changes: a rebuild frames it again, a change in place keeps the
    student's zoom)."""
    view._token = None
    if isinstance(view, DataView):
        view._samples = None  # every sample set again too
    view.rebuild()
    if frame is not None:
        view.plot.setRange(xRange=frame[0], yRange=frame[1], padding=0)
    return _picture(view)


CLASSIFIER = {"problem": "logistic_regression", "data": {"name": "blobs", "n_samples": 3000, "seed": 0},
              "optimizer": {"name": "plain", "lr": 0.05}, "steps": 100}


@pytest.mark.parametrize("variant", ["batch", "minibatch"])
def test_the_data_view_draws_a_symbol_per_class_and_circles_a_batch_once(qtbot, variant):
    """20,000 samples took ~3 s to draw: a brush made per sample is a symbol rendered per sample. A batch step's
    circles (every sample, twice: circle and casing) were set again on every redraw of the same batch."""
    model, view = _view(qtbot, DataView, {**CLASSIFIER, "variant": variant})
    model.step(1)
    _picture(view)
    assert len({id(brush) for brush in view.samples.data["brush"]}) == 2  # one symbol to render per class
    calls = []
    view.batch.setData = counted(view.batch.setData, ("batch",), calls)
    model.step(1)
    shown = _picture(view)
    assert calls == []  # the same batch: nothing set again; another of the same size: its circles moved
    latest, X = model.selected.trainer.latest.indices, model.selected.trainer.problem.dataset.X
    circled = X if latest is None else X[latest]
    assert sorted(view.batch.data["x"]) == sorted(circled[:, 0])
    assert shown == _fully_rebuilt(view)


def test_the_data_view_sets_its_samples_again_only_for_other_data(qtbot):
    """A run reset (a new start point, a new seed) rebuilds the views, and the data view set all its samples
    again - ~0.25 s for 20,000 - though they are the same samples, drawn the same."""
    model, view = _view(qtbot, DataView, {**CLASSIFIER, "variant": "minibatch"})
    model.step(3)
    calls = []
    view.samples.setData = counted(view.samples.setData, ("samples",), calls)
    model.update_config(model.selected, {**model.selected.config, "seed": 7})
    model.step(2)
    shown = _picture(view)
    assert calls == []
    assert shown == _fully_rebuilt(view)
    calls.clear()
    other = model.add_run({**CLASSIFIER, "data": {"name": "moons", "n_samples": 500}})  # other data: set
    assert calls == [("samples", 500)] and model.selected is other


@pytest.mark.parametrize("variant", ["batch", "minibatch"])
def test_the_data_view_moves_a_fits_predictions_in_place(qtbot, variant):
    """A regression on several features draws each sample at its prediction: every redraw set 20,000 samples,
    and as many batch circles and casings, afresh through pyqtgraph's setData (~0.3 s a redraw, while the window
    asks for 25 a second). Points of one style are moved in place."""
    model, view = _view(qtbot, DataView, {"problem": "linear_regression", "variant": variant, "steps": 100,
                                          "data": {"name": "linear", "n_samples": 3000, "n_features": 3}})
    model.step(2)
    _picture(view)
    calls = []
    for name in ("samples", "batch", "batch_casing"):
        item = getattr(view, name)
        item.setData = counted(item.setData, (name,), calls)
    model.step(3)
    shown = _picture(view)
    assert calls == []
    assert shown == _fully_rebuilt(view)


VIEWS = ("LossCurveView", "SharpnessView", "AccuracyView", "DataView", "ParameterSpaceView")
CONFIGS = {
    "regression": {"problem": "linear_regression", "data": {"name": "linear", "n_samples": 200}, "epochs": 50},
    "classifier": {**CLASSIFIER, "variant": "minibatch", "steps": 200, "track": {"sharpness": 20}},
    "function": {"problem": "rosenbrock", "optimizer": {"name": "momentum", "lr": 0.001}, "steps": 300},
}


def _views(qtbot, config: dict):
    from app import views  # noqa: F401  (the modules below)
    from app.views.accuracy import AccuracyView
    from app.views.loss_curve import LossCurveView
    from app.views.parameter_space import ParameterSpaceView
    from app.views.tracked import SharpnessView
    types = {"LossCurveView": LossCurveView, "SharpnessView": SharpnessView, "AccuracyView": AccuracyView,
             "DataView": DataView, "ParameterSpaceView": ParameterSpaceView}
    model = SessionModel(config)
    shown = {}
    for name in VIEWS:
        view = types[name](model)
        qtbot.addWidget(view)
        view.resize(640, 420)
        view.show()
        qtbot.waitExposed(view)
        _fully_rebuilt(view)
        shown[name] = view
    return model, shown


def _rebuilds(view, calls: list):
    original = view._rebuild
    view._rebuild = lambda: (calls.append(type(view).__name__), original())


@pytest.mark.parametrize("kind", CONFIGS)
def test_adding_removing_hiding_and_restyling_runs_updates_the_views_in_place(qtbot, kind):
    """Each added run rebuilt every view (every run's items made again, the loss surface computed again): n runs
    cost O(n²) - Compare variants in a session of 30 runs took 1.5 s. Adding, removing, hiding, showing or
    selecting a run, or giving one a new colour or name, now updates what shows that run (and which is selected)
    alone; the pictures are the ones a full rebuild draws."""
    model, views = _views(qtbot, CONFIGS[kind])
    config = model.config_copy(model.selected)
    model.step(40)
    calls = []
    for view in views.values():
        _rebuilds(view, calls)
    added = [model.add_run({**config, "seed": seed}, select=False) for seed in (1, 2, 3, 4)]
    model.step(25)
    model.remove_run(added[1])
    model.set_visible(model.runs[0], False)  # the selected run's place is kept: its items go
    model.set_color(added[2], "#56b4e9")
    model.rename(added[3], "renamed")
    model.set_visible(added[3], False)
    model.set_visible(added[3], True)  # the last run: drawn over the others again, as a rebuild stacks it
    model.step(5)
    assert calls == []
    model.select(added[0])
    model.step(5)
    model.add_run({**config, "seed": 5})  # added and selected at once
    model.remove_run(model.selected)  # the selection moves on, then the run goes
    model.select(added[2])
    model.set_color(added[2], "#332288")  # the selected run's colour (blue, as before: the batch stays orange)
    model.step(5)
    # a slice of a larger problem goes through the selected run's parameters: another run, another slice
    assert calls == (["ParameterSpaceView"] * 4 if kind == "classifier" else [])
    calls.clear()
    model.set_view("tolerance", 0.01)  # the results table's alone
    model.set_view("x_axis", "epoch")  # (as Compare variants does) the views against steps, epochs... alone
    assert calls == ["LossCurveView", "AccuracyView"]
    for name, view in views.items():
        shown = _picture(view)
        frame = view.plot.getPlotItem().vb.viewRange() if name == "DataView" else None
        assert shown == _fully_rebuilt(view, frame), name


def test_a_restyled_view_is_not_rebuilt_by_the_next_change_of_nothing(qtbot):
    """A colour or a name changed in place left the view's memory of what it drew as it was: the next event that
    changes nothing (selecting the selected run again) rebuilt the whole view."""
    model, views = _views(qtbot, CONFIGS["classifier"])
    other = model.add_run(model.config_copy(model.selected), select=False)
    calls = []
    for view in views.values():
        _rebuilds(view, calls)
    model.set_color(other, "#cc79a7")
    model.rename(other, "renamed")
    model.select(model.selected)
    assert calls == []
