"""Comparing runs, lessons, sessions and exports in the window (pytest-qt, offscreen)."""

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app import create_window, exports
from app.csv_preview import CsvPreview
from app.palette import on_casing
from gd_core.lesson_library import list_lessons, load_lesson


def names(win):
    return [r.name for r in win.model.runs]


# -- run list ---------------------------------------------------------------------------------------------------
def test_each_run_has_its_start_and_current_marker_in_its_colour(window):
    model, space = window.model, window.space_view
    model.add_run({**model.selected.config, "seed": 5, "init": [3.0, -0.5]})
    model.set_color(model.runs[1], "#123456")
    model.step(9)
    for run in model.runs:
        (i, j), start, now = space.pair(), run.history.params[0], run.trainer.params
        assert space.marker(space.starts, run) == (start[i], start[j])
        assert space.marker(space.currents, run) == (now[i], now[j])
    spots = {spot.data().name: spot for spot in space.currents.points()}
    drawn = on_casing("#123456")  # lifted to 3:1 inside the marker's near-black casing: "#4e6881", the hue kept
    assert spots["run 2"].brush().color().name() == drawn
    assert {spot.data().name: spot.brush().color().name() for spot in space.starts.points()}["run 2"] == drawn
    model.set_visible(model.runs[0], False)
    assert space.marker(space.currents, model.runs[0]) is None and len(space.currents.points()) == 1


def test_add_duplicate_rename_recolour_hide_remove(window):
    runs = window.run_list
    window.model.step(7)
    runs.duplicate()
    original, copy = window.model.runs
    assert copy.name == "run 1 copy" and window.model.selected is copy
    assert copy.config["seed"] == original.config["seed"] and copy.trainer.step == 0
    np.testing.assert_array_equal(copy.history.params[0], original.history.params[0])
    window.model.step(7)
    np.testing.assert_array_equal(copy.history.params, original.history.params[:8])  # same seed, same start
    runs.add()
    assert names(window) == ["run 1", "run 1 copy", "run 2"] and runs.list.count() == 3
    item = runs.list.item(2)
    item.setText("adam run")
    assert window.model.runs[2].name == "adam run"
    item.setText("run 1")  # taken: refused with a message, the name stays
    assert window.model.runs[2].name == "adam run" and "Not renamed" in window.banner.text()
    window.model.set_color(window.model.runs[2], "#123456")
    assert window.space_view.paths[id(window.model.runs[2])].opts["pen"].color().name() == on_casing("#123456")
    runs.list.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert not window.model.runs[0].visible and id(window.model.runs[0]) not in window.loss_view._items
    assert id(window.model.runs[0]) not in window.space_view.paths
    runs.list.setCurrentRow(1)
    assert window.model.selected is copy
    runs.remove()
    assert names(window) == ["run 1", "adam run"] and window.model.selected is window.model.runs[1]
    runs.remove()
    assert names(window) == ["run 1"] and not runs.buttons["remove"].isEnabled()
    runs.remove()
    assert names(window) == ["run 1"] and "Not removed" in window.banner.text()


def test_panels_edit_the_selected_run_only(window):
    window.run_list.duplicate()
    from .conftest import panel
    panel(window, "LearningRatePanel").spin.setValue(0.2)
    assert [r.config["optimizer"]["lr"] for r in window.model.runs] == [0.05, 0.2]
    window.run_list.list.setCurrentRow(0)
    assert panel(window, "LearningRatePanel").spin.value() == 0.05


def test_all_visible_runs_train_together(window, qtbot):
    window.run_list.duplicate()
    window.speed.setCurrentText("Max")
    window.action_run.trigger()
    qtbot.waitUntil(lambda: all(r.trainer.step > 20 for r in window.model.runs), timeout=5000)
    window.runner.pause()


# -- compare ----------------------------------------------------------------------------------------------------
def test_compare_variants(window):
    original = window.model.selected
    window.model.update_config(original, {**original.config, "epochs": 3, "seed": 4})
    window.action_compare.trigger()
    copies = window.model.runs[1:]
    assert [r.config["variant"] for r in copies] == ["batch", "stochastic", "minibatch"]
    assert not original.visible and window.model.view["x_axis"] == "epoch"
    assert f"{original.name} is hidden" in window.banner.text()  # the student is told where the run went
    assert window.loss_view.x_axis.currentData() == "epoch"
    for run in copies:
        assert run.config["epochs"] == 3 and run.config["seed"] == 4
        np.testing.assert_array_equal(run.history.params[0], original.history.params[0])
    window.model.step(10_000)
    assert [r.history.epoch[-1] for r in copies] == [3.0, 3.0, 3.0]
    assert [len(r.history) - 1 for r in copies] == [3, 600, 39]


def test_compare_needs_data(window):
    from .conftest import panel
    problem = panel(window, "ProblemPanel")
    problem.problem.setCurrentIndex(problem.problem.findData("rosenbrock"))
    problem.problem.activated.emit(problem.problem.currentIndex())
    assert not window.action_compare.isEnabled()
    window.compare_variants()
    assert len(window.model.runs) == 1 and "Not compared - rosenbrock has no data" in window.banner.text()


# -- results ----------------------------------------------------------------------------------------------------
def test_results_table(window):
    window.run_list.duplicate()
    big = window.model.selected
    window.model.update_config(big, {**big.config, "optimizer": {"name": "plain", "lr": 5.0}})
    window.model.step(10_000)
    window.results.refresh()
    table = window.results.table
    cells = [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]
    assert cells[0][0] == "run 1" and cells[0][1] == "completed" and cells[1][1] == "diverged"
    first = window.model.runs[0]
    expected = next(i for i, v in enumerate(first.history.loss) if v - first.trainer.problem.min_loss <= 1e-3)
    assert cells[0][9] == f"{expected:,}" and cells[1][9] == "-"
    assert cells[0][4:6] == ["-", "-"]  # no validation split: no best validation loss
    assert float(cells[0][2]) == pytest.approx(first.history.loss[-1], rel=1e-4)
    window.results.tolerance.setValue(1e-12)
    assert window.model.view["tolerance"] == 1e-12 and table.item(0, 9).text() == "-"


def test_results_columns_widen_as_the_numbers_grow(window):
    run, table = window.model.selected, window.results.table
    window.model.update_config(run, {**run.config, "epochs": 100_000})
    for steps in (5, 95, 900, 9_000, 90_000):  # 100, 1,000, 10,000, 100,000 steps: the texts grow
        window.model.step(steps)
        window.results.refresh()
        for column in range(table.columnCount()):
            text = table.item(0, column).text()
            needed = table.fontMetrics().horizontalAdvance(text)
            assert table.columnWidth(column) >= needed, (steps, text, table.columnWidth(column))


# -- sweep ------------------------------------------------------------------------------------------------------
def test_learning_rate_sweep(window, qtbot):
    run = window.model.selected
    window.model.update_config(run, {**run.config, "epochs": 2})
    window.open_sweep()
    sweep = window.sweep_window
    sweep.count.setValue(6)
    with qtbot.waitSignal(sweep.finished, timeout=30_000):
        sweep.compute_button.click()
    assert set(sweep.results) == {"batch", "stochastic", "minibatch"}
    assert all(len(v) == 6 for v in sweep.results.values())
    assert np.isnan(sweep.results["batch"][-1]) is False or np.isnan(sweep.results["stochastic"][-1])
    assert sweep.grid.shape == (len(sweep.sizes), 6) and sweep.sizes[-1] == 200
    assert np.isfinite(sweep.grid[:, 0]).all()  # the smallest rate never diverges
    import gd_core
    from gd_core import sweep as core_sweep
    config = {**window.model.config_copy(run), "init": [float(v) for v in run.history.params[0]]}
    expected = core_sweep.final_losses(gd_core.run_many(
        core_sweep.series_configs(config, sweep.lrs, "variant", ["minibatch"])["minibatch"]))
    np.testing.assert_allclose(sweep.results["minibatch"], expected, rtol=1e-12)
    sweep.series.setCurrentIndex(1)
    with qtbot.waitSignal(sweep.finished, timeout=30_000):
        sweep.compute_button.click()
    assert set(sweep.results) == {"plain", "momentum", "adam"}
    text = sweep.legend.text()
    assert all(name in text for name in ("plain", "momentum", "adam")) and "stochastic" not in text
    x, _ = sweep._series_items["stochastic"].getData()  # the variant curves are emptied, not removed
    assert x is None or len(x) == 0
    assert len(sweep._series_items["adam"].getData()[0]) == 6
    assert window.sweep_window.isVisible()
    sweep.close()


# -- sessions ---------------------------------------------------------------------------------------------------
def test_save_and_reopen_gives_the_identical_session(window, tmp_path, qtbot):
    window.run_list.duplicate()
    window.model.rename(window.model.selected, "second")
    window.model.set_color(window.model.selected, "#abcdef")
    window.model.set_visible(window.model.runs[0], False)
    window.model.set_view("log_y", True)
    window.model.set_view("x_axis", "samples_seen")
    window.results.tolerance.setValue(0.05)
    before = window.model.to_session()
    path = tmp_path / "lab.gdlab.json"
    assert window.files.save_to(str(path))
    assert window.windowTitle() == "GD Lab - lab.gdlab.json[*]"
    reopened = create_window(path)
    qtbot.addWidget(reopened)
    assert reopened.model.to_session() == before
    assert reopened.loss_view.log_y.isChecked() and reopened.loss_view.x_axis.currentData() == "samples_seen"
    assert window.files.recent()[0] == str(path)
    window.files.new()
    assert names(window) == ["run 1"] and window.windowTitle() == "GD Lab[*]"
    assert window.files.open_path(str(path)) and window.model.to_session() == before


@pytest.mark.parametrize("content", [b"{not json", b"\x00\x01\x02binary", b'{"format": "other"}',
                                     json.dumps({"format": "gdlab-session", "version": 1, "runs": [
                                         {"name": "a", "color": "#000000", "config": {"steps": 0}}]}).encode()])
def test_corrupt_or_foreign_file_leaves_the_work_untouched(window, tmp_path, content):
    window.run_list.duplicate()
    window.model.step(5)
    before = window.model.to_session()
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    assert not window.files.open_path(str(path))
    assert "Could not open bad.json" in window.banner.text()
    assert window.model.to_session() == before and window.model.runs[0].trainer.step == 5


def test_saving_to_a_read_only_or_missing_folder_is_refused(window, tmp_path):
    assert not window.files.save_to(str(tmp_path / "missing" / "s.json"))
    assert "Not saved" in window.banner.text()
    assert not list(tmp_path.iterdir())


def test_a_bad_save_keeps_the_previous_file(window, tmp_path, monkeypatch):
    path = tmp_path / "s.json"
    assert window.files.save_to(str(path))
    before = path.read_bytes()
    monkeypatch.setattr("gd_core.sessions.json.dumps", lambda *a, **k: (_ for _ in ()).throw(OSError(28, "full")))
    assert not window.files.save_to(str(path))
    assert "Not saved" in window.banner.text() and path.read_bytes() == before


@pytest.mark.parametrize("name", [n for n, _ in list_lessons()])
def test_every_lesson_opens_and_runs(qtbot, name):
    win = create_window(lesson=name)
    qtbot.addWidget(win)
    session = load_lesson(name)
    assert names(win) == [r.name for r in session.runs]
    assert win.windowTitle() == f"GD Lab - {session.title}[*]"
    assert session.title in win.lesson_text.toPlainText() and not win.lesson_dock.isHidden()
    win.model.step(200)
    assert all(r.trainer.step > 0 for r in win.model.runs)
    for view in (win.loss_view, win.space_view):
        for low, high in view.plot.getPlotItem().vb.viewRange():
            assert np.isfinite(low) and np.isfinite(high)


def test_lessons_menu_opens_a_lesson(window):
    from PySide6.QtGui import QAction
    window.files.fill_lessons()  # what opening the menu does
    action = window.findChild(QAction, "lesson_07_saddle_escape")
    action.trigger()
    assert names(window) == ["on the ridge", "with noise", "tiny offset"]
    assert "saddle" in window.lesson_text.toPlainText()


def test_lesson_command_line_screenshot(tmp_path):
    import os
    import subprocess
    import sys
    out = tmp_path / "lesson.png"
    result = subprocess.run([sys.executable, "-m", "app", "--lesson", "saddle_escape", "--run-steps", "50",
                             "--screenshot", str(out)], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:4] == b"\x89PNG"
    bad = subprocess.run([sys.executable, "-m", "app", "--lesson", "nope", "--screenshot", str(out)],
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert bad.returncode == 2 and bad.stderr.startswith("error: lesson: unknown lesson 'nope'")


# -- exports ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix,magic", [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_export_each_plot(window, tmp_path, suffix, magic):
    window.model.step(30)
    for view in (window.space_view, window.loss_view, window.data_view):
        path = tmp_path / f"{view.title}{suffix}"
        exports.export_plot(view, str(path))
        assert path.read_bytes()[:len(magic)] == magic and path.stat().st_size > 1000
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".gdlab-")]


def test_export_window_histories_and_clipboard(window, tmp_path):
    window.run_list.duplicate()
    window.model.step(12)
    exports.export_window(window, str(tmp_path / "window.png"))
    assert (tmp_path / "window.png").read_bytes()[:4] == b"\x89PNG"
    files = exports.export_histories(window.model, str(tmp_path / "csv"))
    assert files == ["run_1.csv", "run_1_copy.csv"]
    lines = (tmp_path / "csv" / "run_1.csv").read_text().splitlines()
    assert len(lines) == 14 and lines[0].startswith("step,epoch,samples_seen")
    exports.copy_plot(window.loss_view)
    assert not QApplication.clipboard().pixmap().isNull()
    with pytest.raises(OSError, match="choose a .png or .svg"):
        exports.export_plot(window.loss_view, str(tmp_path / "x.jpg"))
    with pytest.raises(OSError):
        exports.export_window(window, str(tmp_path / "missing" / "w.png"))


# -- CSV preview ------------------------------------------------------------------------------------------------
def test_csv_preview_names_the_target_and_loads(window, tmp_path, qtbot):
    path = tmp_path / "houses.csv"
    path.write_text("area,rooms,price\n" + "\n".join(f"{i},{i % 4 + 1},{3 * i + 2}" for i in range(30)) + "\n")
    preview = CsvPreview(str(path))
    qtbot.addWidget(preview)
    assert "30 samples" in preview.summary.text() and "target: price" in preview.summary.text()
    assert preview.table.rowCount() == 12 and preview.table.horizontalHeaderItem(2).text() == "price (target)"
    from .conftest import panel
    assert panel(window, "ProblemPanel").load_path(str(path))
    assert window.model.selected.trainer.problem.param_names == ("w1", "w2", "b")
    assert "target column 'price'" in window.banner.text()


def test_csv_preview_refuses_a_bad_file(tmp_path, qtbot):
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n1,2\n3,oops\n")
    preview = CsvPreview(str(path))
    qtbot.addWidget(preview)
    assert "line 3" in preview.summary.text() and "'oops' is not a number" in preview.summary.text()
    assert not preview.buttons.button(preview.buttons.StandardButton.Ok).isEnabled()


def test_a_function_of_x_and_y_has_no_data_view_to_export(qtbot, monkeypatch, tmp_path):
    """Lesson 03 (a function of x and y) opened after lesson 04: File > Export > Data view saved lesson 04's 500
    samples, titled "run: lr 0.21 (too large)" - the hidden data view still held them. It says there is nothing
    to export and asks for no file; the other plots export as before."""
    from .conftest import shown_window
    window = shown_window(qtbot, "04_batch_size_noise", (1280, 720))
    window.files.open_lesson("03_learning_rate_bound")
    asked = []

    def save_as(*args, **kwargs):
        asked.append(args)
        return str(tmp_path / "picture.png"), ""
    monkeypatch.setattr("app.folders.QFileDialog.getSaveFileName", save_as)
    for act in (window.files.export_plot, window.files.copy_plot):
        act("data_view")
        assert "Not exported: quadratic is a function of x and y, with no data." in window.banner.text()
    assert not asked and not (tmp_path / "picture.png").exists()
    window.files.export_plot("loss_view")
    assert len(asked) == 1 and (tmp_path / "picture.png").exists()


def test_compare_variants_makes_a_true_mini_batch(qtbot):
    """Lesson 23's runs train on the full batch of 12 samples, their batch size 12: the mini-batch copy was
    "mini-batch 12" - all 12 samples a step, the batch copy's line again. A run whose batch size is no true
    mini-batch (1 < k < n) gets a quarter of the samples for its copy; one that is keeps its own."""
    from app import create_window

    win = create_window(lesson="23_overfitting_early_stopping")
    qtbot.addWidget(win)
    model = win.model
    n = model.selected.trainer.problem.n_samples
    mini = model.compare_variants(model.selected)[-1]
    assert mini.config["batch_size"] == n // 4 == 3 and mini.name.endswith("mini-batch 3")
    model.step(5)
    assert mini.history.samples_seen[-1] == 5 * 3
    original = model.runs[0]
    model.update_config(original, {**original.config, "variant": "minibatch", "batch_size": 5})
    assert model.compare_variants(original)[-1].config["batch_size"] == 5


def test_compare_variants_of_a_run_on_one_or_two_samples(window):
    """With one training sample the mini-batch copy asked for a batch of 2: Compare variants added the batch and
    stochastic copies, then stopped with "Nothing to compare: batch_size: must lie in 1..n = 1..1"."""
    model = window.model
    for n in (1, 2):
        run = model.selected
        model.update_config(run, {**run.config, "data": {**run.config["data"], "n_samples": n}, "batch_size": n})
        assert run.trainer.problem.n_samples == n
        copies = model.compare_variants(run)
        assert [c.config["variant"] for c in copies] == ["batch", "stochastic", "minibatch"]
        assert copies[-1].config["batch_size"] == n
