"""Issue 3's launch time: what the first frame does not need is not made or imported at start-up (bench/gui_speed.py
measures the time itself; tests pin the mechanisms, never a duration)."""

import json
import os
import subprocess
import sys

import pyqtgraph as pg
import pytest

from app import contrast
from app.deferred import Deferred
from app.theme import theme
from app.views.tracked import NoiseScaleView

from .conftest import counted, shown_window


def _built(window) -> set[str]:
    return {dock.objectName() for dock in window.docks
            if isinstance(dock.widget(), Deferred) and dock.widget()._widget is not None}


def test_docks_behind_another_tab_build_their_views_when_first_seen(window, qtbot):
    """The sharpness view too (built at once, hidden behind the results, it was ~2 % of a launch's work)."""
    behind = {"state_dock", "sharpness_dock", "noise_scale_dock", "accuracy_dock"}
    assert behind <= {dock.objectName() for dock in window.docks if isinstance(dock.widget(), Deferred)}
    assert _built(window) == set()  # shown, but behind the update rule's tab or the results'
    window.sharpness_dock.raise_()
    qtbot.waitUntil(lambda: _built(window) == {"sharpness_dock"}, timeout=3000)
    window.model.step(20)
    window.state_dock.raise_()
    qtbot.waitUntil(lambda: _built(window) == {"sharpness_dock", "state_dock"}, timeout=3000)
    curve = window.state_plot._curves["params"][0]  # drawn when seen, with the steps made before
    qtbot.waitUntil(lambda: curve.xData is not None and len(curve.xData) == 21, timeout=3000)
    assert window.state_plot.isVisible()
    # asked for (an export, a menu action) before it is ever seen: built then, the same view from then on
    view = window.noise_scale_view
    assert isinstance(view, NoiseScaleView) and window.noise_scale_view is view
    assert view.parent() is window.noise_scale_dock.widget() and "noise_scale_dock" in _built(window)


@pytest.mark.parametrize("text_size", ["normal", "huge"])
def test_the_windows_minimum_size_is_the_same_before_and_after_the_deferred_views_are_built(qtbot, text_size):
    """A deferred view asks for no room until it is built, and needs no more than the docks beside it once built -
    so opening its tab never widens the window (which is at its minimum width on a small screen)."""
    theme().set_text_size(text_size)
    window = shown_window(qtbot)
    before = window.minimumSizeHint(), window.size()
    for deferred in window.findChildren(Deferred):
        deferred.built()
    qtbot.wait(10)
    assert (window.minimumSizeHint(), window.size()) == before


def test_a_launch_imports_nothing_only_a_dialog_needs():
    code = ("import sys; from PySide6.QtWidgets import QApplication; app = QApplication([]); "
            "from app import create_window; w = create_window(); w.show(); app.processEvents(); "
            "import json; print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}).stdout
    loaded = set(json.loads(out.strip().splitlines()[-1]))
    needed_later = {"importlib.metadata", "gd_core.sweep", "gd_core.lr_finder", "gd_core.batch_scaling",
                    "gd_core.animation", "app.views.sweep", "app.views.lr_finder", "app.views.batch_scaling",
                    "app.animation_dialog", "app.lesson_editor", "OpenGL", "pyqtgraph.opengl",
                    # a group of runs with a seed each (and its permuting thread), a lab report
                    "gd_core.many", "concurrent.futures", "gd_core.report"}
    assert loaded & needed_later == set()


def test_styling_another_plot_works_out_no_colour_again(qtbot, monkeypatch):
    """A window styles each axis of each plot as it is built (and again at a theme or text-size change), asking
    the theme's muted colour for each: a contrast bisection of 20 blends that was redone every time (~20 ms of a
    launch). Each colour is worked out once for its background."""
    theme().style_plot(pg.PlotWidget())
    calls = []
    monkeypatch.setattr(contrast, "contrast_ratio", counted(contrast.contrast_ratio, ("ratio",), calls))
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    theme().style_plot(plot)
    assert calls == []
