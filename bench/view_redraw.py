"""The views' redraw costs that grow with a run: a measured quantity's redraw, a loss frame on a log axis, a hover
move over the loss plot; and listing the lessons. Each is timed as the view does it (only what changed) and
against a reference in the same run: the same work with the view's memory of what it drew dropped first, which
redoes what each redraw or move did before (every row read, every point, mark and read-out set and laid out
again; every lesson file read again).

    QT_QPA_PLATFORM=offscreen python bench/view_redraw.py [--steps 3000] [--repeats 3] [--only PART ...]

Printed: milliseconds or microseconds per redraw (best of ``repeats`` batches) and the ratio to the reference
(lower is better; 1 = no gain).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from PySide6.QtCore import QPoint  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from timing import best_time  # noqa: E402

from app.session import SessionModel  # noqa: E402
from app.views.loss_curve import LossCurveView  # noqa: E402
from app.views.tracked import NoiseScaleView, SharpnessView  # noqa: E402
from gd_core.display import MeasuredPoints  # noqa: E402
from gd_core.lesson_library import load_lesson  # noqa: E402


def lesson_view(app, lesson: str, view_type, steps: int, **config):
    """(model, view) of ``lesson``'s runs, each set to ``steps`` steps (and ``config``) and trained that far."""
    model = SessionModel()
    model.load_session(load_lesson(lesson))
    view = view_type(model)
    view.resize(800, 360)
    view.show()
    for run in model.runs:
        edited = {**model.config_copy(run), "steps": 10 * steps, **config}
        edited.pop("epochs", None)
        model.update_config(run, edited)
    model.step(steps)
    view.refresh()
    view.grab()  # painted once: the ranges settle
    app.processEvents()
    return model, view


def per_call(action, forget, calls: int, repeats: int) -> float:
    """Best of ``repeats`` batches: seconds per ``action()`` (``forget()`` before each, untimed)."""
    best = float("inf")
    for _ in range(repeats):
        total = 0.0
        for _ in range(calls):
            forget()
            start = time.perf_counter()
            action()
            total += time.perf_counter() - start
        best = min(best, total / calls)
    return best


def compare(name: str, unit: float, label: str, action, forget, prepare, calls: int, repeats: int) -> None:
    """Print the time of ``action`` as the view does it and with ``forget`` (the reference), and their ratio."""
    ours = per_call(action, prepare, calls, repeats)
    reference = per_call(action, lambda: (prepare(), forget()), calls, repeats)
    print(f"{name:<52} {ours / unit:8.2f} {label}   reference {reference / unit:8.2f} {label}   "
          f"ratio {ours / reference:.2f}")


def tracked(app, lesson: str, view_type, every: int, steps: int, repeats: int) -> None:
    model, view = lesson_view(app, lesson, view_type, steps, track={view_type.quantity: every})
    moved = {id(run) for run in model.runs}

    def forget():  # every run's every row read again, every point set again
        for drawn in view._items.values():
            drawn.measured = MeasuredPoints(drawn.measured.drawn)
            drawn.level, drawn.shown = None, len(drawn.measured.x) + 1
    compare(f"{view_type.title} every {every} steps, {len(moved)} runs (redraw)", 1e-3, "ms",
            lambda: view.refresh(moved), forget, lambda: model.step(2), 50, repeats)


def loss_frames(app, steps: int, repeats: int) -> None:
    model, view = lesson_view(app, "18", LossCurveView, steps)
    model.set_view("log_y", True)  # two runs' losses reached 0: marks on the floor
    moved = {id(run) for run in model.runs}
    compare("Loss, lesson 18, log axis, reached-0 marks (frame)", 1e-3, "ms", lambda: view.refresh(moved),
            view._marks.clear, lambda: model.step(2), 100, repeats)


def hover_moves(app, steps: int, repeats: int) -> None:
    model, view = lesson_view(app, "25", LossCurveView, steps)  # the longest read-out: a validation split
    history = model.selected.history
    view.plot.setXRange(0, float(history.column(model.view["x_axis"])[-1]), padding=0)
    viewport, scene = view.plot.viewport(), view.plot.scene()
    places = iter(int(viewport.width() * (0.1 + 0.8 * (k % 101) / 101)) for k in range(10**7))

    def move(x=None):
        scene.sigMouseMoved.emit(view.plot.mapToScene(QPoint(next(places) if x is None else x,
                                                             viewport.height() // 2)))

    def forget():  # the read-out styled, laid out and set again, the marker set again
        view.readout._shown = view.readout._styled = None
        view.readout._heights.clear()
        view._hovered_point = None
    compare("Hover move over the loss plot, lesson 25 (a step each)", 1e-6, "us", move, forget, lambda: None,
            300, repeats)
    compare("Hover move over the loss plot, lesson 25 (same step)", 1e-6, "us", lambda: move(viewport.width() // 2),
            forget, lambda: None, 300, repeats)
    # what a window then does: a move that changed nothing drew nothing again (a restyled read-out and a marker
    # set again repainted the plot under them)
    compare("  the same with the event loop run (repaints)", 1e-6, "us",
            lambda: (move(viewport.width() // 2), app.processEvents()), forget, lambda: None, 100, repeats)


def data_view(app, samples: int, repeats: int) -> None:
    """The data view of a classifier on ``samples`` samples: drawn afresh, against one scatter item of as many
    points in one brush drawn in a plot widget of the same size (the least pyqtgraph can do); a batch step's
    redraw; and a regression's on 3 features, each sample drawn at its prediction. The redraws are timed against
    the same with the circled batch forgotten and every point set afresh (samples, batch circles and casings):
    what every redraw did."""
    import numpy as np
    import pyqtgraph as pg

    from app.views import data_view as module

    moved = module._move

    def set_afresh(afresh: bool) -> None:
        module._move = (lambda item, x, y: item.setData(x, y)) if afresh else moved

    def shown(config: dict):
        model = SessionModel({**config, "steps": 10**6})
        view = module.DataView(model)
        view.resize(800, 360)
        view.show()
        model.step(1)
        view.catch_up()
        view.grab()
        return model, view

    def redraws(name: str, config: dict) -> None:
        model, view = shown(config)
        compare(f"Data view, {samples:,} samples, {name} (redraw)", 1e-3, "ms",
                lambda: (view.catch_up(), view.grab()), lambda: (setattr(view, "_circled", None), set_afresh(True)),
                lambda: (set_afresh(False), model.step(1)), 10, repeats)
        set_afresh(False)

    model, view = shown({"problem": "logistic_regression", "data": {"name": "blobs", "n_samples": samples},
                         "variant": "batch"})

    def rebuilt():
        view._token = None
        view.rebuild()
        view.grab()
    bare = pg.PlotWidget()
    bare.resize(view.plot.size())
    scatter = pg.ScatterPlotItem(size=6, pen=None)
    bare.addItem(scatter)
    x, y = np.random.default_rng(0).standard_normal((2, samples))
    ours, reference = best_time(rebuilt, repeats), best_time(
        lambda: (scatter.setData(x, y, brush=pg.mkBrush("#1f77b4")), bare.grab()), repeats)
    print(f"{f'Data view, {samples:,} samples (drawn afresh)':<52} {ours * 1e3:8.2f} ms   reference "
          f"{reference * 1e3:8.2f} ms   ratio {ours / reference:.2f}  (one scatter item, one brush)")
    redraws("a batch step", {"problem": "logistic_regression", "data": {"name": "blobs", "n_samples": samples},
                             "variant": "batch"})
    redraws("at predictions", {"problem": "linear_regression", "variant": "minibatch",
                               "data": {"name": "linear", "n_samples": samples, "n_features": 3}})


def runs_in_place(app, runs: int, steps: int, repeats: int) -> None:
    """Each view of a session of ``runs`` runs trained ``steps`` steps: a run added (not selected) and removed
    again, or another run selected, and the view painted, against the same with the view's memory of what it
    drew dropped before each change, so that each rebuilds the view (every run's items made again: what each did
    before). A classifier (3 parameters: its parameter space's slice goes through the selected run's parameters
    and is computed again for another run) and, for the parameter space, a regression (2 parameters)."""
    from app.views.accuracy import AccuracyView
    from app.views.data_view import DataView
    from app.views.parameter_space import ParameterSpaceView
    classifier = {"problem": "logistic_regression", "data": {"name": "blobs", "n_samples": 500},
                  "variant": "minibatch", "track": {"sharpness": 50}}
    regression = {"problem": "linear_regression", "variant": "minibatch"}
    for config, view_types in ((classifier, (LossCurveView, SharpnessView, AccuracyView, DataView,
                                             ParameterSpaceView)), (regression, (ParameterSpaceView,))):
        model = SessionModel({**config, "steps": 10**6})
        for seed in range(1, runs):
            model.add_run({**config, "steps": 10**6, "seed": seed}, select=False)
        model.step(steps)
        for view_type in view_types:
            name = f"{view_type.title}, {runs} runs of {config['problem']}"
            _changes_in_place(app, model, view_type(model), name, repeats)


def _changes_in_place(app, model, view, name: str, repeats: int) -> None:
    view.resize(800, 360)
    view.show()
    view.grab()
    app.processEvents()

    def add_and_remove(rebuilding: bool):
        if rebuilding:
            view._token = None
        run = model.add_run({**model.runs[0].config, "seed": len(model.runs)}, select=False)
        if rebuilding:
            view._token = None
        model.remove_run(run)
        view.grab()

    def select_another(rebuilding: bool):
        if rebuilding:
            view._token = None
        model.select(model.runs[(model.runs.index(model.selected) + 1) % len(model.runs)])
        view.grab()
    for what, change in (("a run added and removed", add_and_remove), ("another run selected", select_another)):
        ours = per_call(lambda change=change: change(False), lambda: None, 5, repeats)
        reference = per_call(lambda change=change: change(True), lambda: None, 5, repeats)
        print(f"{f'{name}: {what}':<70} {ours * 1e3:8.2f} ms   reference {reference * 1e3:8.2f} ms   "
              f"ratio {ours / reference:.2f}")
    view.close()
    view.deleteLater()
    app.processEvents()


def lesson_listing(repeats: int) -> None:
    """Listing the lessons (the Lessons menu, the lesson panel, each lesson opened), against reading every file
    as each listing did before: the files' memory dropped first."""
    from gd_core import files
    from gd_core.lesson_library import list_lessons
    compare("Listing the lessons (files unchanged)", 1e-3, "ms", list_lessons, files._READ_BY_STAMP.clear,
            lambda: None, 50, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS), help="the parts to measure")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    for part in args.only:
        PARTS[part](app, args.steps, args.repeats)


PARTS = {
    "tracked": lambda app, steps, repeats: (tracked(app, "16", SharpnessView, 10, steps, repeats),
                                            tracked(app, "16", SharpnessView, 50, steps, repeats),
                                            tracked(app, "17", NoiseScaleView, 5, steps, repeats)),
    "loss": loss_frames,
    "hover": hover_moves,
    "data": lambda app, steps, repeats: data_view(app, 20_000, repeats),
    "runs": lambda app, steps, repeats: runs_in_place(app, 30, min(steps, 1000), repeats),
    "lessons": lambda app, steps, repeats: lesson_listing(repeats),
}


if __name__ == "__main__":
    main()
