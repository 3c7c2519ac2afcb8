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
    view.catch_up()
    return view.grab().toImage()


def _fully_rebuilt(view):
    """The view's picture after a rebuild from nothing (what every change did before views updated in place)."""
    view._token = None
    view.rebuild()
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
    batch = model.selected.config["batch_size"]
    assert calls == ([] if variant == "batch" else [("batch", batch)])  # the same batch: nothing set again
    assert shown == _fully_rebuilt(view)
