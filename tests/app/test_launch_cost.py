"""Issue 3's launch time: what the first frame does not need is not made or imported at start-up (bench/gui_speed.py
measures the time itself; tests pin the mechanisms, never a duration)."""

import json
import os
import subprocess
import sys

from app.deferred import Deferred
from app.views.tracked import SharpnessView


def _built(window) -> set[str]:
    return {dock.objectName() for dock in window.docks
            if isinstance(dock.widget(), Deferred) and dock.widget()._widget is not None}


def test_docks_behind_the_update_rules_tab_build_their_views_when_first_seen(window, qtbot):
    behind = {"state_dock", "sharpness_dock", "noise_scale_dock", "accuracy_dock"}
    assert behind <= {dock.objectName() for dock in window.docks if isinstance(dock.widget(), Deferred)}
    assert _built(window) == set()  # shown, but behind the update rule's tab
    window.model.step(20)
    window.state_dock.raise_()
    qtbot.waitUntil(lambda: _built(window) == {"state_dock"}, timeout=3000)
    curve = window.state_plot._curves["params"][0]  # drawn when seen, with the steps made before
    qtbot.waitUntil(lambda: curve.xData is not None and len(curve.xData) == 21, timeout=3000)
    assert window.state_plot.isVisible()
    # asked for (an export, a menu action) before it is ever seen: built then, the same view from then on
    view = window.sharpness_view
    assert isinstance(view, SharpnessView) and window.sharpness_view is view
    assert view.parent() is window.sharpness_dock.widget() and "sharpness_dock" in _built(window)


def test_a_launch_imports_nothing_only_a_dialog_needs():
    code = ("import sys; from PySide6.QtWidgets import QApplication; app = QApplication([]); "
            "from app import create_window; w = create_window(); w.show(); app.processEvents(); "
            "import json; print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}).stdout
    loaded = set(json.loads(out.strip().splitlines()[-1]))
    needed_later = {"importlib.metadata", "gd_core.sweep", "gd_core.lr_finder", "gd_core.batch_scaling",
                    "gd_core.animation", "app.views.sweep", "app.views.lr_finder", "app.views.batch_scaling",
                    "app.animation_dialog", "app.lesson_editor", "OpenGL", "pyqtgraph.opengl"}
    assert loaded & needed_later == set()
