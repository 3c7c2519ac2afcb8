"""The student's zoom in the parameter space stays while they recolour, add, select, hide or reset runs, toggle
the arrows or switch the theme; another problem, another pair of parameters, a start beyond the framed range or
another session frames the surface afresh."""

import numpy as np

import gd_core
from app.theme import theme


def _settled(window, qtbot):
    window.space_view.worker.settle()
    qtbot.wait(20)
    return window.space_view.plot.getViewBox().viewRange()


def test_a_zoom_stays_through_every_change_that_keeps_the_surface(window, qtbot):
    model, space = window.model, window.space_view
    _settled(window, qtbot)
    space.plot.getViewBox().setRange(xRange=(0.5, 1.5), yRange=(0.25, 0.75), padding=0)
    zoom = _settled(window, qtbot)
    first = model.selected
    changes = {"recolour": lambda: model.set_color(first, "#000000"),
               "add a run": lambda: model.duplicate_run(first),
               "select another": lambda: model.select(first),
               "hide one": lambda: model.set_visible(model.runs[-1], False),
               "arrows": lambda: model.set_view("arrows", not model.view["arrows"]),
               "dark theme": lambda: theme().set_mode("dark"),
               "reset": lambda: model.reset(first)}
    for name, change in changes.items():
        change()
        assert np.allclose(_settled(window, qtbot), zoom), name
    config = model.config_copy(first)
    config["init"] = [40.0, 40.0]  # a start typed far beyond the problem's bounds: framed afresh to show it
    model.update_config(first, config)
    (x0, x1), (y0, y1) = _settled(window, qtbot)
    assert x0 < 40.0 < x1 and y0 < 40.0 < y1
    config = gd_core.switch_problem(model.config_copy(first), "rosenbrock")
    model.update_config(first, config)  # another surface: framed afresh
    assert not np.allclose(_settled(window, qtbot), zoom)


def test_a_session_opened_over_a_zoom_is_framed_afresh(window, qtbot):
    """Another session's surface may sit where the last one's was (even on a problem whose id comes back)."""
    for _ in range(3):
        window.files.open_lesson("09_feature_scaling")
        frame = _settled(window, qtbot)
        window.space_view.plot.getViewBox().setRange(xRange=(0.5, 0.6), yRange=(0.25, 0.35), padding=0)
        zoom = _settled(window, qtbot)
        window.files.open_lesson("09_feature_scaling")
        view = _settled(window, qtbot)  # the same frame (its height follows the plot's shape)
        assert not np.allclose(view, zoom) and np.allclose(view[0], frame[0]), (view, frame)
