"""Events say which run and what changed, and a view updates only that (issue 13, item 8): a step redraws the
runs that moved; a colour, a name or a hidden run changes that run's items alone, without rebuilding the view."""

from __future__ import annotations

from app.views.base import stronger


def _three_runs(window):
    model = window.model
    model.update_config(model.selected, {**model.selected.config, "epochs": 1})  # the first run ends soon
    for seed in (1, 2):
        model.add_run({**model.selected.config, "epochs": 500, "seed": seed}, select=False)
    return model


def test_advanced_names_the_runs_that_moved(window):
    model = _three_runs(window)
    first, second, third = model.runs
    heard = []
    model.events.advanced.connect(lambda runs: heard.append([r.name for r in runs]))
    model.step(1000)  # the first run completes its epoch; the others go on
    assert heard == [[first.name, second.name, third.name]] and first.trainer.done and not second.trainer.done
    model.step(3)
    assert heard[-1] == [second.name, third.name]


def test_a_step_redraws_only_the_runs_that_moved(window, monkeypatch):
    model = _three_runs(window)
    model.step(1000)
    view = window.loss_view
    drawn = []
    for run in model.runs:
        full = view._items[id(run)][1]
        monkeypatch.setattr(full, "setData", lambda *a, name=run.name, real=full.setData, **k: (drawn.append(name),
                                                                                                  real(*a, **k)))
    view._draw_moved()  # nothing moved since the last redraw
    model.step(2)
    if view._live is not None:
        view._live.now()
    assert sorted(drawn) == sorted(r.name for r in model.runs[1:])  # the finished run's curve is left as drawn
    x, y = view._items[id(model.runs[2])][1].getData()
    assert x[-1] == model.runs[2].history.step[-1]


def test_a_colour_or_a_name_restyles_that_run_without_a_rebuild(window):
    model = _three_runs(window)
    model.step(5)
    view = window.loss_view
    items = {id(r): view._items[id(r)] for r in model.runs}
    rebuilt = []
    original = view._rebuild
    view._rebuild = lambda: (rebuilt.append(1), original())
    second = model.runs[1]
    model.set_color(second, "#123456")
    model.rename(second, "renamed")
    assert not rebuilt and all(view._items[k] is v for k, v in items.items())  # the same items, restyled
    assert view._items[id(second)][1].opts["pen"].color().name() != view._items[id(model.runs[2])][1].opts[
        "pen"].color().name()
    assert "renamed" in view.legend.text() and stronger("#123456").name() in view.legend.text()
    model.set_visible(second, False)
    assert not rebuilt and id(second) not in view._items  # hidden: its items go, the others stay
    assert all(view._items[id(r)] is items[id(r)] for r in model.runs if r is not second)


def _view_classes():
    import importlib
    import pkgutil

    import app.views
    from app.views.base import PlotView

    for info in pkgutil.iter_modules(app.views.__path__):
        if info.name != "gl_canvas":  # imported only where OpenGL works (the 3d extra); it holds no PlotView
            importlib.import_module(f"app.views.{info.name}")
    found, todo = [], [PlotView]
    while todo:
        for cls in todo.pop().__subclasses__():
            todo.append(cls)
            if "view_keys" in vars(cls) and cls.view_keys is not None:
                found.append(cls)
    return found


def test_each_view_declares_the_view_settings_it_reads():
    """A view rebuilds on a change of the view settings it names in ``view_keys`` only: one that reads a setting
    it does not name would keep drawing by the old value (the list is kept by hand beside the code that reads)."""
    import inspect
    import re

    classes = _view_classes()
    assert {c.__name__ for c in classes} >= {"LossCurveView", "AccuracyView", "ParameterSpaceView", "DataView"}
    for cls in classes:
        source = inspect.getsource(inspect.getmodule(cls))
        read = set(re.findall(r"""view(?:\[|\.get\()["'](\w+)["']""", source))
        assert read == set(cls.view_keys), cls.__name__
