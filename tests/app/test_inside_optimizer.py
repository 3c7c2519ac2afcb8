"""Views that show inside the optimizer: network landscapes (slice and trajectory plane), the batch surface,
step arrows, the update rule with numbers, the optimizer-state plot and the network's class regions."""

import json

import numpy as np
import pytest

import gd_core
from app import create_window
from gd_core.landscape import trajectory_plane

MLP = {"problem": "mlp", "batch_size": 16, "optimizer": {"name": "adam", "lr": 0.03}, "epochs": 30}


@pytest.fixture
def mlp_window(qtbot, tmp_path):
    path = tmp_path / "mlp.json"
    path.write_text(json.dumps(MLP))
    win = create_window(path)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.space_view.surface_ready, timeout=10_000)
    yield win
    win.runner.pause()
    win.space_view.worker.wait()


def test_mlp_slice_is_computed_off_the_gui_thread(mlp_window, qtbot):
    view = mlp_window.space_view
    assert view.pair_x.isVisible() and view.pair_x.count() == 33 and view.mode.isVisible()
    view.pair_y.setCurrentIndex(20)  # W1[0,0] against b1[4]
    assert mlp_window.model.view["pair"] == (0, 20)
    qtbot.waitUntil(lambda: view.surface_ready, timeout=10_000)
    assert view.plot.getPlotItem().getAxis("left").labelText == "b1[4]"
    image = view.image.image
    assert image.shape == (80, 80) and np.isfinite(image).all()


def test_trajectory_plane_projects_the_path(mlp_window, qtbot):
    model, view = mlp_window.model, mlp_window.space_view
    model.step(200)
    view.mode.setCurrentIndex(1)
    assert model.view["space_mode"] == "plane" and view.recompute.isVisible() and not view.pair_x.isVisible()
    qtbot.waitUntil(lambda: view.surface_ready, timeout=10_000)
    params = model.selected.history.params
    expected = trajectory_plane(params)
    np.testing.assert_allclose(view.plane.origin, expected.origin)
    path = view.paths[id(model.selected)]
    x, y = path.getData()
    np.testing.assert_allclose(np.c_[x, y], expected.project(params), atol=1e-9)
    assert abs(x[-1]) < 1e-12 and abs(y[-1]) < 1e-12  # the plane passes through the final point
    assert "principal directions" in view.status
    view.set_start(0.3, -0.2)  # a click on the plane starts the run there
    np.testing.assert_allclose(model.selected.history.params[0], expected.points(np.array(0.3), np.array(-0.2)))
    model.step(50)
    view.recompute.click()
    qtbot.waitUntil(lambda: view.surface_ready, timeout=10_000)
    assert len(view.paths[id(model.selected)].getData()[0]) == 51


def test_network_class_regions_and_boundary(mlp_window):
    model, data_view = mlp_window.model, mlp_window.data_view
    model.step(300)
    data_view._region_time = 0.0
    data_view.refresh()
    assert data_view.regions.image.shape == (90, 90, 3)
    x, y = data_view.region_line.getData()
    assert len(x) > 10 and "boundary P = 0.5" in data_view.caption.text()


def test_batch_surface_and_arrows(window):
    model, view = window.model, window.space_view
    view.batch_surface.setChecked(True)
    view.arrows.setChecked(True)
    assert model.view["batch_surface"] and model.view["arrows"]
    assert view.batch_lines.getData()[0] is None or len(view.batch_lines.getData()[0]) == 0  # no step yet
    window.action_step.trigger()
    view._update_overlays(force=True)
    bx = view.batch_lines.getData()[0]
    assert len(bx) > 20
    # dashed along whole contours (lesson 12 says so): lines of many points, NaN between them - not cell pairs
    assert view.batch_lines.opts["connect"] == "finite" and len(bx) > 4 * (np.isnan(bx).sum() + 1)
    history = model.selected.history
    update = history.params[-1] - history.params[-2]
    line, head = view.arrow_items["update"]
    x, y = line.getData()
    direction = np.array([x[1] - x[0], y[1] - y[0]])
    np.testing.assert_allclose(direction / np.linalg.norm(direction), update / np.linalg.norm(update), atol=1e-9)
    np.testing.assert_allclose([x[0], y[0]], history.params[-2])
    full_line = view.arrow_items["full_gradient"][0].getData()
    full = -model.selected.trainer.problem.full_loss_and_grad(history.params[-2])[1]
    d = np.array([full_line[0][1] - full_line[0][0], full_line[1][1] - full_line[1][0]])
    np.testing.assert_allclose(d / np.linalg.norm(d), full / np.linalg.norm(full), atol=1e-9)
    view.batch_surface.setChecked(False)
    view._update_overlays(force=True)
    assert view.batch_lines.getData()[0] is None or len(view.batch_lines.getData()[0]) == 0


def test_update_rule_panel_shows_the_numbers(window):
    formula = window.formula
    assert formula.table.rowCount() == 0 and "Take a step" in formula.note.text()
    assert formula.table.columnCount() == 0  # an empty table, not a header of parameter names over nothing
    from .conftest import panel
    optimizer = panel(window, "OptimizerPanel")
    optimizer.choice.setCurrentIndex(optimizer.choice.findData("adam"))
    optimizer.choice.activated.emit(optimizer.choice.currentIndex())
    window.action_step.trigger()
    window.action_step.trigger()
    formula.refresh()
    labels = formula.names()
    assert labels[:3] == ["t", "γₜ", "g"] and "m̂ = m/(1−β₁ᵗ)" in labels and "step size γ/(√v̂+ε)" in labels
    trainer = window.model.selected.trainer
    # to three significant digits in a tab as narrow as this window's (~120 px), where four do not fit
    assert float(formula.cells("g")[0]) == pytest.approx(trainer.latest.grad[0], rel=5e-3)
    assert formula.cells("t")[0] == "2" and "Adam" in formula.title.text()
    assert "m ← β₁·m" in formula.rule.text()


def test_optimizer_state_plot(window, qtbot):
    window.model.step(40)
    window.state_dock.raise_()
    qtbot.waitUntil(lambda: bool(window.state_plot.plots), timeout=3000)
    window.state_plot.refresh()
    history = window.model.selected.history
    curves = window.state_plot._curves
    assert len(curves["params"]) == 2 and len(curves["steps"]) == 2
    x, lr = curves["lr"][0].getOriginalDataset()  # what was set (the display is peak-downsampled)
    np.testing.assert_array_equal(lr, history.lr)
    _, steps = curves["steps"][0].getOriginalDataset()
    np.testing.assert_allclose(steps[np.isfinite(steps)], 0.05, rtol=1e-9)  # plain GD: every step size is γ


def test_view_settings_survive_a_session_round_trip(window, tmp_path):
    window.space_view.arrows.setChecked(True)
    window.space_view.batch_surface.setChecked(True)
    assert window.files.save_to(str(tmp_path / "s.json"))
    again = create_window(tmp_path / "s.json")
    assert again.space_view.arrows.isChecked() and again.space_view.batch_surface.isChecked()
    again.close()


def test_the_update_rule_dock_shows_the_rule_the_settings_make(window):
    """Plain gradient descent without a line search showed the line search's formula; the dock follows every
    setting that changes the rule (gd_core.update_rule, tested across the registry in tests/core)."""
    from gd_core.update_rule import CLIP_TEXT, update_rule
    model, formula = window.model, window.formula
    run = model.selected
    model.update_config(run, {**run.config, "optimizer": {"name": "plain", "lr": 0.01}})
    assert formula.rule.text() == "θ ← θ − γ·g"
    searching = {"name": "plain", "lr": 0.01, "line_search": {"c": 1e-4, "shrink": 0.5}}
    model.update_config(run, {**model.selected.config, "optimizer": searching})
    assert "line search" in formula.rule.text()
    model.update_config(run, {**model.selected.config, "optimizer": {"name": "momentum", "lr": 0.01,
                                                                     "weight_decay": 0.1}, "clip_norm": 1.0})
    text = formula.rule.text()
    assert text.startswith(CLIP_TEXT) and "λ·θ" in text and text == update_rule(model.selected.config)


def test_the_update_rule_shows_its_note_when_the_numbers_go(qtbot):
    """At 1280x720 the update-rule dock scrolls; scrolled down to the numbers of the latest step, a reset (or
    another lesson, another run not yet stepped) left it scrolled past the note - the tab showed a blank box
    where the table had been, not "Take a step (S)". Without numbers the table is hidden, and the note in view."""
    from .conftest import shown_window
    window = shown_window(qtbot, "01", (1280, 720))
    window.formula_dock.raise_()
    for _ in range(3):
        window.action_step.trigger()
    formula = window.formula
    formula.refresh()
    scroll = window.formula_dock.widget()
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() > 0)  # the dock is shorter than rule and numbers
    scroll.verticalScrollBar().setValue(scroll.verticalScrollBar().maximum())
    assert formula.note.visibleRegion().isEmpty()
    window.action_reset.trigger()
    formula.refresh()
    qtbot.waitUntil(lambda: not formula.note.visibleRegion().isEmpty())
    assert "Take a step" in formula.note.text() and not formula.table.isVisible()
    window.runner.pause()


def test_a_rebuild_while_the_plane_is_computed_still_draws_it(qtbot):
    """Lesson 11 saved and opened again in a dark-themed GD Lab: the theme applied at launch rebuilt the parameter
    space while its plane's loss was being computed; the result was dropped as stale and nothing asked again -
    "computing the loss on the plane..." for good, until Recompute. The same plane is computed again."""
    from app.theme import theme

    from .conftest import shown_window
    window = shown_window(qtbot, "11_mlp_landscape", (1366, 768))
    view = window.space_view
    assert view.plane_mode
    view.worker.wait()  # the launch's plane computed (its result not yet delivered)
    plane = view.plane
    theme().mode = "dark" if theme().mode != "dark" else "light"
    theme().apply()  # the view rebuilds
    qtbot.waitUntil(lambda: view.surface_ready, timeout=10_000)
    assert view.plane is plane and "principal directions" in view.status
    window.runner.pause()


def _left_labels(plot) -> list[str]:
    """The tick labels the plot's y-axis draws (pyqtgraph's own drawing specs)."""
    from PySide6.QtGui import QImage, QPainter
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = plot.getAxis("left").generateDrawSpecs(painter)
    finally:
        painter.end()
    return [text for _, _, text in texts]


def test_an_optimizer_state_plot_with_nothing_to_draw_says_so_on_an_axis_without_ticks(window, qtbot):
    """Before the first step the step-size plot had no value, and its log axis named 2 and 5 - the ticks of a
    range nobody gave it, read as step sizes. A plot with nothing to draw now has no ticks and says why in its
    middle: "no step yet", or later "no value to draw" (a run started at the minimum: every gradient 0, no step
    size); its ticks come back with its values."""
    from app.views.optimizer_state import NO_STEP_YET, NOTHING_TO_DRAW
    window.state_dock.raise_()
    qtbot.waitUntil(lambda: bool(window.state_plot.plots), timeout=3000)
    view = window.state_plot
    view.refresh()
    plots = view.plots
    assert _left_labels(plots["steps"]) == []
    said = view._nothing
    assert said["steps"].isVisible()
    assert said["steps"].textItem.toPlainText() == NO_STEP_YET
    for key in ("params", "grad_norm", "lr"):  # each has its value at the start
        assert _left_labels(plots[key]) and not said[key].isVisible(), key
    window.step_once()
    view.refresh()
    assert _left_labels(plots["steps"]) and not said["steps"].isVisible()
    model = window.model
    model.update_config(model.selected, gd_core.validate({"problem": "quadratic", "init": [0.0, 0.0],
                                                          "optimizer": {"name": "plain", "lr": 0.1}}))
    model.step(3)
    view.refresh()
    for key in ("grad_norm", "steps"):  # zero on a log axis: nothing
        assert _left_labels(plots[key]) == [] and said[key].textItem.toPlainText() == NOTHING_TO_DRAW, key
    for key in ("params", "lr"):
        assert _left_labels(plots[key]) and not said[key].isVisible(), key
    model.step(97)  # (review of 77237d5) the words stayed where the third step put them: at the left edge
    view.refresh()
    for key in ("grad_norm", "steps"):
        assert said[key].pos().x() == 50, key


def _room_around(plot, curve) -> float:
    """How far (pixels) the lone point of ``curve`` lies inside the data area of ``plot``: at least the dot's
    radius where the dot is whole."""
    from PySide6.QtCore import QPointF

    x, y = curve.getData()  # as drawn (log10 on a log axis)
    at = plot.vb.mapViewToScene(QPointF(float(x[0]), float(y[0])))
    area = plot.vb.sceneBoundingRect()
    return min(at.x() - area.left(), area.right() - at.x(), at.y() - area.top(), area.bottom() - at.y())


def test_a_run_at_step_0_shows_its_one_point_in_the_loss_and_optimizer_state_plots(qtbot):
    """At step 0 a run's curves have one point, and a line through one point draws nothing: the loss plot and the
    optimizer state's θ, |∇L| and γ plots showed ticks around a value and no mark (the step sizes' alike at step
    1). The point is now a dot in the curve's colour, whole (not cut by the plot's edges); from the second point
    on the curves are lines, as before (no dot)."""
    from app.views.base import LONE_POINT_SIZE

    from .conftest import pixels_of, shown_window

    window = shown_window(qtbot, "03_learning_rate_bound", size=(1280, 720))
    window.state_dock.raise_()
    qtbot.waitUntil(lambda: bool(window.state_plot.plots), timeout=3000)
    run, state, loss = window.model.selected, window.state_plot, window.loss_view
    assert len(run.history.step) == 1
    state.refresh()
    loss.refresh()
    for key in ("params", "grad_norm", "lr"):
        colors = [curve.opts["pen"].color() for curve in state._curves[key]]  # θ: x at its lowest, y at its highest
        assert pixels_of(state.layout_widget, state.plots[key], colors) >= 28 * len(colors), key
        assert all(_room_around(state.plots[key], curve) >= LONE_POINT_SIZE / 2 for curve in state._curves[key]), key
    full = loss._items[id(run)][1]
    assert pixels_of(loss.plot, loss.plot.getPlotItem(), [full.opts["pen"].color()]) >= 28
    window.model.step(1)  # the step sizes come with the first step: one point, at the right edge
    state.refresh()
    colors = [curve.opts["pen"].color() for curve in state._curves["steps"]]
    assert pixels_of(state.layout_widget, state.plots["steps"], colors) >= 28
    assert _room_around(state.plots["steps"], state._curves["steps"][0]) >= LONE_POINT_SIZE / 2
    window.model.step(5)
    state.refresh()
    loss.refresh()
    assert all(curve.opts["symbol"] is None for curves in state._curves.values() for curve in curves)
    assert loss._lones[id(run)].data.size == 0  # the lone point's dot is gone: a line shows the curve
