"""Hostile session files through the window (issue 12): every one is refused with a message before anything in
the window changes - the runs, their progress and the view stay as they were - and none crashes, hangs or
half-loads. A fuzzer sends session-like files of every shape through File > Open."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
from hypothesis import event, given

import gd_core
from app.exports import export_histories, export_lab_report, export_plot
from app.theme import theme
from gd_core.sessions import FORMAT, MAX_RUNS, VERSION

from ..hostile import fuzz_settings, sessions
from .conftest import panel

RUN = {"name": "a", "color": "#1f77b4", "config": {"problem": "quadratic", "steps": 3}}


def session_text(**fields) -> str:
    return json.dumps({"format": FORMAT, "version": VERSION, "runs": [RUN], **fields})


def _deep_run(depth: int) -> str:
    return session_text().replace('"steps": 3', '"steps": 3, "init": ' + "[" * depth + "1" + "]" * depth)


HOSTILE = {
    "lr 10**400": session_text().replace('"steps": 3', '"steps": 3, "optimizer": {"name": "plain", "lr": 1'
                                                        + "0" * 400 + "}"),
    "nested 900 deep": _deep_run(900),
    "nested 100000 deep": "[" * 100_000 + "]" * 100_000,
    "noise 1e308": session_text(runs=[{**RUN, "config": {"problem": "linear_regression",
                                                         "data": {"name": "linear", "noise": 1e308}}}]),
    "version true": session_text(version=True),
    "tolerance Infinity": session_text(view={"tolerance": float("inf")}),
    "101 runs": session_text(runs=[{**RUN, "name": f"r{i}"} for i in range(MAX_RUNS + 1)]),
    "duplicate key": session_text().replace('"name": "a"', '"name": "a", "name": "b"'),
    "markup in a run name": session_text(runs=[{**RUN, "name": '<img src="/dev/zero">'}]),
    "a 5000-digit integer": session_text().replace('"steps": 3', '"steps": ' + "9" * 5000),
}


def _state(window):
    return window.model.to_session(), [r.trainer.step for r in window.model.runs]


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_session_files_are_refused_and_the_work_kept(window, tmp_path, name):
    window.model.step(5)
    before = _state(window)
    path = tmp_path / "hostile.gdlab.json"
    path.write_text(HOSTILE[name])
    assert not window.files.open_path(str(path))
    assert window.banner.text().startswith("Could not open hostile.gdlab.json: ")
    assert len(window.banner.text()) < 500
    assert _state(window) == before


@pytest.mark.parametrize("special", ["/dev/zero", "FIFO", "DIR"])
def test_devices_fifos_and_folders_are_refused_without_blocking(window, tmp_path, special):
    path = {"FIFO": str(tmp_path / "fifo"), "DIR": str(tmp_path)}.get(special, special)
    if special == "FIFO":
        os.mkfifo(path)
    window.model.step(2)
    before = _state(window)
    assert not window.files.open_path(path)
    assert "not a session file" in window.banner.text() and _state(window) == before
    with pytest.raises(gd_core.ConfigError, match="not a"):
        from app import create_window
        create_window(path)


def test_gdlab_with_a_refused_session_exits_2_with_one_line(tmp_path):
    path = tmp_path / "s.gdlab.json"
    path.write_text(HOSTILE["noise 1e308"])
    result = subprocess.run([sys.executable, "-m", "app", str(path), "--screenshot", str(tmp_path / "x.png")],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: runs[0].config.data.noise: ")
    assert len(result.stderr.strip().splitlines()) == 1 and not (tmp_path / "x.png").exists()


def test_the_largest_allowed_session_opens(window, tmp_path):
    runs = [{"name": f"run {i}", "color": "#%06x" % (i * 40503 % 0xFFFFFF),
             "config": {"problem": "linear_regression", "data": {"name": "linear", "seed": i % 4},
                        "optimizer": {"name": "adam", "lr": 0.01 + i * 1e-4}, "steps": 50}} for i in range(MAX_RUNS)]
    path = tmp_path / "big.gdlab.json"
    path.write_text(json.dumps({"format": FORMAT, "version": VERSION, "runs": runs}))
    assert window.files.open_path(str(path))
    assert len(window.model.runs) == MAX_RUNS
    window.model.step(3)
    window.grab()


@fuzz_settings(25)
@given(sessions())
def test_open_path_fuzz_opens_or_refuses_and_keeps_the_work(window, tmp_path_factory, data):
    path = tmp_path_factory.mktemp("s") / "fuzz.gdlab.json"
    try:
        path.write_text(json.dumps(data))
    except ValueError:  # an integer of more digits than Python writes
        path.write_text(session_text().replace('"steps": 3', '"steps": ' + "9" * 5000))
    before = _state(window)
    if window.files.open_path(str(path)):
        event("opened")
        assert window.banner.text().startswith("Opened")
        window.model.step(2)
        window.grab()
    else:
        event("refused")
        assert window.banner.text().startswith("Could not open") and _state(window) == before


def test_markup_quoted_in_a_message_is_shown_as_text(tmp_path):
    """A CSV cell or run name like <img src="FIFO"> ends up quoted in the refusal; the banner and the CSV preview
    show it as text (rich text would read the FIFO and block, or /dev/zero and exhaust memory)."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    csv_path, session_path = tmp_path / "d.csv", tmp_path / "s.gdlab.json"
    csv_path.write_text(f'x,y\n<img src="{fifo}"><img src="/dev/zero">,1\n')
    session_path.write_text(session_text(runs=[{**RUN, "name": f'<img src="{fifo}">'}]))
    script = textwrap.dedent(f"""
        import os
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        from app import create_window
        from app.csv_preview import CsvPreview
        window = create_window()
        window.show()
        panel = next(p for p in window.panels if type(p).__name__ == "ProblemPanel")
        assert not panel.load_path({str(csv_path)!r})
        app.processEvents()
        assert "<img" in window.banner.text()
        assert not window.files.open_path({str(session_path)!r})
        app.processEvents()
        preview = CsvPreview({str(csv_path)!r})
        preview.show()
        app.processEvents()
        assert preview.dataset is None
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "ok", done.stderr[-2000:]


def test_opening_a_session_names_the_first_run_that_diverged_at_its_start_and_counts_the_others(window, tmp_path):
    far = {"problem": "saddle", "init": [1.7976931348623157e308, -1.7976931348623157e308]}
    for count, more in ((2, " (1 more run too.)"), (3, " (2 more runs too.)")):
        path = tmp_path / f"{count}.gdlab.json"
        path.write_text(session_text(runs=[{**RUN, "name": f"r{k}", "config": far} for k in range(count)]))
        assert window.files.open_path(str(path))
        text = window.banner.text()
        assert text.startswith(f"Opened {count}.gdlab.json. r0: diverged at the start: ") and text.endswith(more)
    path = tmp_path / "calm.gdlab.json"  # none stuck: it said "Opened calm.gdlab.json. (-1 more run too.)"
    path.write_text(session_text(runs=[RUN]))
    assert window.files.open_path(str(path)) and window.banner.text() == "Opened calm.gdlab.json."


#: Starts a session may give a function (any finite number) whose losses or grid spans leave the float range.
FAR_STARTS = (("beale", [0.0, 2.8e77]), ("rosenbrock", [0.0, 2.8e77]), ("rosenbrock", [1e200, -1e200]),
              ("saddle", [1.7976931348623157e308, -1.7976931348623157e308]))


def test_a_session_starting_a_function_far_out_opens_with_a_finite_surface_and_honest_numbers(window, tmp_path):
    """The surface grid over a start of 2.8e77 overflowed (a RuntimeWarning from grid_loss, garbage drawn); now
    it is framed within PLOT_LIMIT, overflowed losses drawn as the highest. The start boxes show the start (they
    were clamped to ±1e9, and an edit of one box moved the other start there), the results say "-" for a best
    loss no step had, and the pictures, histories and lab report are written."""
    for problem, init in FAR_STARTS:
        path = tmp_path / f"{problem}.gdlab.json"
        path.write_text(session_text(runs=[{**RUN, "config": {"problem": problem, "init": init, "steps": 20}}]))
        assert window.files.open_path(str(path)), window.banner.text()
        if window.model.runs[0].history.status == "diverged":  # the start's loss overflowed: said on opening
            assert window.banner.text().startswith(f"Opened {problem}.gdlab.json. a: diverged at the start: ")
        window.model.step(20)
        window.catch_up()
        space = window.space_view
        assert np.isfinite(space.image.getLevels()).all() and np.isfinite(space.image.image).all()
        for low, high in space.plot.getPlotItem().vb.viewRange():
            assert math.isfinite(low) and math.isfinite(high) and high > low
        assert [box.value() for box in panel(window, "RunPanel").start_boxes] == init
        area = space.plot.getPlotItem().vb.sceneBoundingRect()
        for corner in (area.center(), area.topLeft() + (area.bottomRight() - area.topLeft()) * 0.1):
            space._hovered(corner)  # the read-out of a point of the surface: coordinates and loss
            assert space.info.text().startswith("x = ") and "nan" not in space.info.text()
        best = window.results.table.item(0, 3).text()  # "-" where the start's loss already overflowed
        assert best == "-" if len(window.model.runs[0].history) == 1 else float(best) > 0
    export_plot(window.space_view, str(tmp_path / "space.svg"))
    export_plot(window.loss_view, str(tmp_path / "loss.png"))
    export_histories(window.model, str(tmp_path / "runs"))
    export_lab_report(window, str(tmp_path / "report.html"))
    assert window.model.runs[0].history.status == "diverged"


@pytest.mark.parametrize("tolerance", [1e-300, 1e-20, 1e300])
def test_the_results_box_shows_the_tolerance_a_session_sets(window, tmp_path, tolerance):
    """One range (gd_core.results.TOLERANCE) for the session's view and the results' box: the box clamped a
    session's 1e-20 to 1e-15 and showed it while the table measured against 1e-20."""
    path = tmp_path / "t.gdlab.json"
    path.write_text(session_text(view={"tolerance": tolerance}))
    assert window.files.open_path(str(path))
    window.catch_up()
    assert window.results.tolerance.value() == tolerance == window.model.view["tolerance"]


def test_a_log_loss_axis_left_with_a_range_beyond_the_float_range_paints_quietly(window, tmp_path):
    """Found by the window's session fuzzer: a session whose run reached 1e69, then one with log y and no visible
    run - the loss axis kept the linear range as decades (10^(3e69)), and pyqtgraph's tick labels overflowed on
    every paint (a RuntimeWarning; our label code would have raised OverflowError). Ticks beyond 10^308 are
    unnamed; a theme switch then restyles the axis quietly."""
    diverging = {**RUN, "config": {"problem": "quadratic", "init": [1e30, 1e30], "steps": 40,
                                   "optimizer": {"name": "plain", "lr": 3.0}}}
    first, second = tmp_path / "first.gdlab.json", tmp_path / "second.gdlab.json"
    first.write_text(session_text(runs=[diverging]))
    second.write_text(session_text(runs=[{**RUN, "visible": False}], view={"log_y": True}))
    assert window.files.open_path(str(first))
    window.model.step(40)
    window.catch_up()
    window.grab()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert window.files.open_path(str(second))
        window.catch_up()
        window.grab()
        axis = window.loss_view.plot.getPlotItem().getAxis("left")
        assert axis.logTickStrings([-2e68, 0.0, 2e68, 400.0], 1.0, 2e68) == ["", "1", "", ""]
        theme().set_mode("dark")  # a restyle with that range: pyqtgraph's prefix off-switch computed 10^(2e68)
        window.grab()
