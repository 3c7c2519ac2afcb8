"""Views and tools ask a problem what it can do, never its name (issue 13, item 2): a new data problem - least
absolute deviations - declaring only its capabilities opens, trains and is drawn; one declaring none is drawn
as bare samples."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

import gd_core
from app import create_window
from app.views.data_view import layout_kind
from gd_core import PROBLEMS
from gd_core.curvature import gradient_noise_scale, sharpness
from gd_core.problems import Problem, ProblemSpec
from gd_core.problems.base import CAPABILITIES


class BareLAD(Problem):
    """Least absolute deviations L = mean |X·w + b − y|: a loss and a gradient, nothing else declared."""

    name = "lad"

    def __init__(self, dataset):
        self.dataset, self.n_samples = dataset, dataset.n_samples
        self.A = np.column_stack([dataset.X, np.ones(dataset.n_samples)])
        self.y = dataset.y
        self.param_names = (*(f"w{j + 1}" for j in range(dataset.n_features)), "b")
        self.default_init = np.zeros(self.n_params)
        self.bounds = np.tile([-5.0, 5.0], (self.n_params, 1))

    def loss_and_grad(self, params, idx=None):
        A, y = (self.A, self.y) if idx is None else (self.A[idx], self.y[idx])
        residual = params @ A.T - y
        return np.abs(residual).mean(axis=-1), np.sign(residual) @ A / len(y)


class LAD(BareLAD):
    """The same loss, declaring a fit: its predictions and, on one feature, its fit curve."""

    def predict(self, params):
        return self.A @ params

    def curve(self, params, xs):
        return params[0] * np.asarray(xs) + params[-1]


@pytest.fixture(params=[LAD, BareLAD], ids=["declares a fit", "declares nothing"])
def lad(request, monkeypatch):
    monkeypatch.setitem(PROBLEMS, "lad", ProblemSpec("lad", "Least absolute deviations", "data",
                                                     "L = mean |X·w + b − y|", lambda config, data: request.param(data),
                                                     default_data="linear", data_tasks=("regression",)))
    return request.param


def test_capabilities_are_what_a_problem_overrides(lad):
    problem = gd_core.build_problem(gd_core.validate({"problem": "lad"}))
    declared = {c for c in CAPABILITIES if problem.can(c)}
    assert declared == ({"predict", "curve"} if lad is LAD else set())
    built_in = {name: {c for c in CAPABILITIES if gd_core.build_problem(gd_core.validate(
        {"problem": name})).can(c)} for name in ("linear_regression", "logistic_regression", "mlp", "quadratic")}
    assert built_in["linear_regression"] >= {"predict", "curve", "hessian", "per_sample_grads", "known_minimum",
                                             "stability_bound"}
    assert {"boundary", "sample_classes", "hessian"} <= built_in["logistic_regression"]
    assert {"class_probabilities", "sample_classes", "per_sample_grads"} <= built_in["mlp"]
    assert "hessian" not in built_in["mlp"] and "predict" not in built_in["logistic_regression"]
    with pytest.raises(ValueError, match="unknown capability"):
        problem.can("fly")
    assert np.isfinite(sharpness(problem, problem.default_init + 0.3))  # tools fall back where none is declared
    assert np.isfinite(gradient_noise_scale(problem, problem.default_init))


@pytest.mark.parametrize("n_features", [1, 2])
def test_a_new_data_problem_opens_trains_and_is_drawn(lad, n_features, qtbot):
    win = create_window()
    qtbot.addWidget(win)
    win.show()
    model = win.model
    model.update_config(model.selected, {"problem": "lad", "data": {"name": "linear", "n_samples": 60,
                                                                    "n_features": n_features},
                                         "variant": "minibatch", "batch_size": 8,
                                         "optimizer": {"name": "momentum", "lr": 0.05}, "steps": 500})
    model.add_run({**model.selected.config, "seed": 1}, select=False)
    for _ in range(5):
        model.step(10)
        QApplication.processEvents()
    view, run = win.data_view, model.selected
    problem = run.trainer.problem
    kind = layout_kind(problem)
    assert kind == ("samples" if lad is BareLAD else "curve" if n_features == 1 else "fitted")
    view.refresh()
    if kind == "curve":
        xs, ys = view._lines[id(run)].getData()
        np.testing.assert_allclose(ys, problem.curve(run.trainer.params, xs))
        assert len(view._lines) == 2  # one fit per run on this problem
    if kind == "fitted":
        np.testing.assert_allclose(view.samples.getData()[0], problem.predict(run.trainer.params))
    assert len(view.batch.getData()[0]) == 8  # the latest step's samples circled
    assert run.history.status == "running" and run.trainer.step == 50 and run.history.loss[-1] < run.history.loss[0]
    win.runner.pause()
