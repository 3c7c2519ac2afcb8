"""The new methods in the window: the line search switched on from the optimizer form, its trial points on the
parameter space, Newton's Hessian eigenvalues in the formula panel, and the loss against evaluations."""

import numpy as np

from gd_core.landscape import step_trials

from .conftest import panel


def test_line_search_from_the_form_draws_its_trials(window, qtbot):
    model = window.model
    model.update_config(model.selected, {"problem": "rosenbrock", "optimizer": {"name": "plain", "lr": 1.0},
                                         "steps": 50})
    form = panel(window, "OptimizerPanel").form
    editor = form.editors["line_search"]
    assert not editor.form.isVisible()
    editor.on.setChecked(True)  # the user switches the line search on: its defaults apply
    assert model.selected.config["optimizer"]["line_search"] == {"c": 1e-4, "shrink": 0.5}
    model.step(3)
    view = window.space_view
    view._update_overlays(force=True)
    trials = step_trials(model.selected.trainer.latest)
    x, y = view.trials.getData()
    assert len(trials) >= 2 and len(x) == len(trials)
    np.testing.assert_allclose(np.c_[x, y], trials)
    editor.on.setChecked(False)
    assert model.selected.config["optimizer"]["line_search"] is None
    model.step(1)
    view._update_overlays(force=True)
    assert len(view.trials.getData()[0]) == 0  # plain steps try nothing


def test_newtons_hessian_eigenvalues_are_shown_live(window, qtbot):
    model = window.model
    model.update_config(model.selected, {"problem": "rosenbrock", "optimizer": "newton", "steps": 10})
    window.formula.show()
    model.step(1)
    window.formula.refresh()
    shown = [float(text) for text in window.formula.cells("λ(H) (eigenvalues)")]
    expected = model.selected.trainer.latest.state.eigenvalues
    np.testing.assert_allclose(shown, expected, rtol=1e-3)
    model.step(1)
    window.formula.refresh()
    assert [float(text) for text in window.formula.cells("λ(H) (eigenvalues)")] != shown  # a new step, new eigenvalues


def test_loss_against_evaluations(window, qtbot):
    model = window.model
    model.update_config(model.selected, {"problem": "rosenbrock", "optimizer": {"name": "lbfgs", "max_iter": 4},
                                         "steps": 5})
    model.step(5)
    view = window.loss_view
    view.x_axis.setCurrentIndex(view.x_axis.findData("evaluations"))
    assert model.view["x_axis"] == "evaluations"
    view.refresh()
    assert view.plot.getPlotItem().getAxis("bottom").labelText == "evaluations"
    history = model.selected.history
    assert history.evaluations[-1] == 20  # four evaluations a step: its first and one per further iteration


def test_a_setting_whose_default_is_none_shows_default_and_can_return_to_it(window, qtbot):
    model = window.model
    model.update_config(model.selected, {"problem": "rosenbrock", "optimizer": "lbfgs", "steps": 5})
    form = panel(window, "OptimizerPanel").form
    box = form.editors["max_eval"]
    assert box.text() == "default" and model.selected.config["optimizer"]["max_eval"] is None
    box.setValue(7)
    assert model.selected.config["optimizer"]["max_eval"] == 7
    box.setValue(box.minimum())
    assert model.selected.config["optimizer"]["max_eval"] is None and box.text() == "default"
    model.update_config(model.selected, {"problem": "rosenbrock", "optimizer": "adafactor", "steps": 5})
    eps1 = panel(window, "OptimizerPanel").form.editors["eps1"]
    assert eps1.text() == "default"
    eps1.lineEdit().setText("0.001")
    eps1.interpretText()
    assert model.selected.config["optimizer"]["eps1"] == 0.001


def test_a_method_torch_has_no_class_for_is_named_by_its_reference(window):
    """The optimizer box's tooltip for Newton read "... Same rule and defaults as none (Newton-Raphson; no
    torch.optim class)." and lesson 18's update rule "Newton's method (damped) (none (Newton-Raphson; no
    torch.optim class))"."""
    from gd_core import OPTIMIZERS
    model = window.model
    for name in ("newton", "polyak", "cg", "adam"):
        model.update_config(model.selected, {"problem": "quadratic", "optimizer": name, "steps": 10})
        window.formula.refresh()
        tip, title = panel(window, "OptimizerPanel").choice.toolTip(), window.formula.title.text()
        torch = OPTIMIZERS[name].torch
        assert "none" not in tip and "none" not in title and f"({torch})" in title, name
        assert tip.endswith(f"Same rule and defaults as {torch}." if name == "adam" else
                            f"{torch}.") and ("no torch.optim class" in tip) == (name != "adam"), name
