"""A lab of students clicking everything: random action sequences on the main window (hypothesis stateful),
then the invariants - no exception, finite axis ranges, views that agree with the model."""

import math
import os
import time

import numpy as np
import pytest
import shiboken6
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from app import create_window
from gd_core import GENERATORS, OPTIMIZERS, PROBLEMS, VARIANTS
from gd_core.lesson_library import list_lessons

from ..progress import progress

LESSONS = [name for name, _ in list_lessons()]
_WINDOW = {}


def shared_window():
    """One window for every example (a new one each time would cost most of the test's time); the conftest
    deletes it when the test ends."""
    if "window" not in _WINDOW or not shiboken6.isValid(_WINDOW["window"]):
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        _WINDOW["window"] = create_window()
        _WINDOW["window"].show()
    return _WINDOW["window"]


def pump(ms: int = 0) -> None:
    app = QApplication.instance()
    app.processEvents()
    if ms:
        end = time.perf_counter() + ms / 1000
        while time.perf_counter() < end:
            app.processEvents()


class StudentClicks(RuleBasedStateMachine):
    tried = 0  # action sequences so far (hypothesis makes one machine per example)
    started = None

    def __init__(self):
        super().__init__()
        StudentClicks.tried += 1
        if StudentClicks.started is None:
            StudentClicks.started = time.perf_counter()
        if StudentClicks.tried % PROGRESS_EVERY == 0:
            progress(f"test_robustness: {StudentClicks.tried} action sequences tried (max_examples {EXAMPLES}), "
                     f"{time.perf_counter() - StudentClicks.started:.0f} s")
        self.win = shared_window()
        self.win.files.new()
        self.win.speed.setCurrentText("Max")
        self.model = self.win.model

    def edit(self, change):
        """What a panel does with an edit; a refused one must leave the run as it was."""
        panel = self.win.panels[0]
        before = self.model.to_session()
        if not panel.edit(change):
            assert self.model.to_session() == before

    # -- running ---------------------------------------------------------------------------------------------
    @rule(ms=st.integers(5, 60))
    def run_a_while(self, ms):
        self.win.toggle_run()
        pump(ms)
        self.win.runner.pause()

    @rule()
    def step(self):
        self.win.step_once()

    @rule()
    def reset(self):
        self.win.reset()

    # -- edits -----------------------------------------------------------------------------------------------
    @rule(lr=st.floats(1e-6, 50.0))
    def set_lr(self, lr):
        self.edit(lambda c: c["optimizer"].__setitem__("lr", lr))

    @rule(k=st.integers(-3, 600))
    def set_batch_size(self, k):
        self.edit(lambda c: c.__setitem__("batch_size", k))

    @rule(variant=st.sampled_from(list(VARIANTS)))
    def set_variant(self, variant):
        self.edit(lambda c: c.__setitem__("variant", variant))

    @rule(name=st.sampled_from(list(OPTIMIZERS)))
    def set_optimizer(self, name):
        self.edit(lambda c: c.__setitem__("optimizer", {"name": name, "lr": c["optimizer"]["lr"]}))

    @rule(name=st.sampled_from(list(PROBLEMS)))
    def set_problem(self, name):
        import gd_core
        self.edit(lambda c: gd_core.switch_problem(c, name))

    @rule(name=st.sampled_from(list(GENERATORS)), n=st.integers(0, 400), noise=st.floats(-1, 5))
    def set_data(self, name, n, noise):
        self.edit(lambda c: c.__setitem__("data", {"name": name, "n_samples": n, "noise": noise}))

    @rule(steps=st.integers(-1, 300))
    def set_length(self, steps):
        def change(c):
            c.pop("epochs", None)
            c["steps"] = steps
        self.edit(change)

    # -- runs ------------------------------------------------------------------------------------------------
    @rule()
    def add_run(self):
        self.win.run_list.add()

    @rule()
    def duplicate_run(self):
        self.win.run_list.duplicate()

    @rule()
    def remove_run(self):
        self.win.run_list.remove()

    @rule(index=st.integers(0, 7))
    def select_run(self, index):
        self.model.select(self.model.runs[index % len(self.model.runs)])

    @rule(index=st.integers(0, 7), visible=st.booleans())
    def hide_run(self, index, visible):
        self.model.set_visible(self.model.runs[index % len(self.model.runs)], visible)

    @rule(name=st.sampled_from(LESSONS))
    def open_lesson(self, name):
        self.win.files.open_lesson(name)

    @rule()
    def compare(self):
        self.win.compare_variants()

    @precondition(lambda self: len(self.model.runs) <= 8)
    @rule()
    def sweep(self):
        self.win.open_sweep()
        sweep = self.win.sweep_window
        sweep.count.setValue(2)
        sweep.with_grid.setChecked(False)
        sweep.compute()
        for _ in range(200):
            if sweep.compute_button.isEnabled():
                break
            pump(5)
        sweep.hide()

    @rule(mode=st.sampled_from(["slice", "plane"]), arrows=st.booleans(), batch=st.booleans())
    def toggle_views(self, mode, arrows, batch):
        self.model.set_view("space_mode", mode)
        self.model.set_view("arrows", arrows)
        self.model.set_view("batch_surface", batch)

    @rule(axis=st.sampled_from(["step", "epoch", "samples_seen"]), log=st.booleans())
    def loss_axes(self, axis, log):
        self.model.set_view("x_axis", axis)
        self.model.set_view("log_y", log)

    # -- what must always hold -------------------------------------------------------------------------------
    @invariant()
    def axis_ranges_are_finite(self):
        pump()
        for view in (self.win.loss_view, self.win.space_view, self.win.data_view):
            for low, high in view.plot.getPlotItem().vb.viewRange():
                assert math.isfinite(low) and math.isfinite(high), type(view).__name__

    @invariant()
    def views_agree_with_the_model(self):
        runs = self.model.runs
        assert self.win.run_list.list.count() == len(runs) == self.win.results.table.rowCount()
        assert self.model.selected in runs
        loss_items = self.win.loss_view._items
        for run in runs:
            if run.visible:
                x, _ = loss_items[id(run)][1].getData()
                assert len(x) == len(run.history) or len(run.history) > 200, run.name  # long ones are decimated
                assert x[-1] == run.history.column(self.model.view["x_axis"])[-1]
            else:
                assert id(run) not in loss_items
        space = self.win.space_view
        for run in space.runs_on_selected_problem():
            current = space.marker(space.currents, run)
            if space.plane_mode or not np.isfinite(run.trainer.params).all():
                continue
            i, j = space.pair()
            assert current == (run.trainer.params[i], run.trainer.params[j])


TestStudentClicks = StudentClicks.TestCase
#: 40 sequences of up to 6 actions in the suite (~0.7 s each: the suite's largest share, kept within CI's 10
#: minutes on 2 cores); GDLAB_EXAMPLES=1000 makes a campaign, GDLAB_EXAMPLES=30 a quick local run.
EXAMPLES = int(os.environ.get("GDLAB_EXAMPLES", 40))
PROGRESS_EVERY = 50
TestStudentClicks.settings = settings(max_examples=EXAMPLES, stateful_step_count=6, deadline=None,
                                      suppress_health_check=list(HealthCheck))


@pytest.fixture(autouse=True)
def qt_application(qapp, tmp_path):
    from PySide6.QtCore import QSettings as Settings
    Settings.setPath(Settings.Format.IniFormat, Settings.Scope.UserScope, str(tmp_path))
    yield


def test_opening_the_mlp_lesson_from_a_two_parameter_session(window):
    """Found by the stateful test: the plane of the new problem was used on the old runs' paths."""
    window.model.step(5)
    window.files.open_lesson("11_mlp_landscape")
    assert window.space_view.plane_mode and window.model.selected.trainer.problem.name == "mlp"
