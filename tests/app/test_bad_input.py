"""Bad input everywhere a user types or loads: every spin box and list box with extreme text, huge and tiny
learning rates, oversized problems, and bad CSV and session files through the window. Each must end in either the
value applied or one clear message - never an exception, a non-finite axis, a half-applied config or lost work."""

import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent, QValidator
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QLineEdit

import gd_core
from app.widgets import IntListEdit
from gd_core import OPTIMIZERS, PROBLEMS, SCHEDULES
from gd_core.spec import typed_number

from ..hostile import EXTREME_FLOATS, fuzz_settings
from .conftest import panel

#: Typed into every box: beyond any range, zero and negative, subnormal, too many digits, not a number, empty.
EXTREMES = ("1e308", "-1e308", "0", "-1", "1e-320", "99999999999999999999", "abc", "", "1e")


def type_into(box, text: str) -> None:
    """Select what the box shows, type ``text`` as a user would, press Enter. (Characters beyond ASCII go as key
    events carrying their text: QTest.keyClicks asserts on them and aborts the process.)"""
    line = box.lineEdit() if isinstance(box, QAbstractSpinBox) else box
    line.selectAll()
    if text.isascii():
        QTest.keyClicks(line, text)
    else:
        for char in text:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(line, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))
    QTest.keyClick(line, Qt.Key.Key_Return)
    QApplication.processEvents()


def settings_boxes(win):
    dock = win.settings_dock.widget()
    boxes = dock.findChildren(QAbstractSpinBox) + dock.findChildren(IntListEdit)
    return [b for b in boxes if b.isVisibleTo(dock) and b.isEnabled()]


def assert_consistent(win):
    """The state every input must leave: valid configs, trainers that match them, boxes that show finite values
    in their ranges, finite axis ranges, and any refusal said in the banner."""
    for run in win.model.runs:
        gd_core.validate(run.config)
        assert run.trainer is not None and len(run.history) >= 1
    for box in settings_boxes(win):
        if isinstance(box, QAbstractSpinBox):
            low, high = box.bounds() if hasattr(box, "bounds") else (box.minimum(), box.maximum())
            assert math.isfinite(box.value()) and low <= box.value() <= high, box.objectName()
    for view in (win.loss_view, win.space_view, win.data_view):
        for low, high in view.plot.getPlotItem().vb.viewRange():
            assert math.isfinite(low) and math.isfinite(high), type(view).__name__
    text = win.banner.text()
    assert not text or "Traceback" not in text


def setups():
    """Configs that between them show every editor: each problem, optimizer and schedule, clipping and tolerance."""
    base = {"problem": "linear_regression", "data": {"name": "linear", "n_samples": 200}, "variant": "minibatch",
            "batch_size": 16, "optimizer": {"name": "plain", "lr": 0.05}, "steps": 50, "seed": 0}
    yield base
    for name in PROBLEMS:
        yield gd_core.switch_problem(dict(base), name)
    for name in OPTIMIZERS:
        yield {**base, "optimizer": {"name": name}}
    for name in SCHEDULES:
        yield {**base, "schedule": {"name": name}}
    yield {**base, "clip_norm": 1.0, "tolerance": 1e-6}


def box_named(win, name):
    """The settings box called ``name`` as the window shows it now (edits can replace a form and its boxes)."""
    QApplication.processEvents()  # let replaced forms go
    return next((b for b in settings_boxes(win) if b.objectName() == name), None)


def test_every_box_takes_extreme_text_and_applies_it_or_says_why(window):
    model, done = window.model, set()
    for config in setups():
        model.update_config(model.selected, config)
        QApplication.processEvents()  # a form put in a shown layout shows on the next event loop pass
        boxes = settings_boxes(window)
        assert all(box.objectName() for box in boxes)  # every editor is named (tests, accessibility)
        for name in [box.objectName() for box in boxes]:
            if name in done:
                continue
            done.add(name)
            box = box_named(window, name)
            texts = EXTREMES + ((box.textFromValue(box.maximum()), box.textFromValue(box.minimum()))
                                if isinstance(box, QAbstractSpinBox) else ("256, 256, 256, 256", "1, 2, 3, 4, 5"))
            for text in texts:
                box = box_named(window, name)
                if box is None:  # the last text changed the problem's shape: start from the setup again
                    model.update_config(model.selected, config)
                    box = box_named(window, name)
                model.step(3)  # a run with a history, which a refused value must leave as it is
                steps_before, config_before = model.selected.trainer.step, model.selected.config
                window.banner.clear()
                type_into(box, text)
                assert_consistent(window)
                if model.selected.config == config_before:  # nothing applied: the run went on untouched ...
                    assert model.selected.trainer.step == steps_before, (name, text)
                else:  # ... or applied, which restarts the run or changes it live - and says nothing is wrong
                    assert "Not applied" not in window.banner.text(), (name, text, window.banner.text())
            model.update_config(model.selected, config)
    assert len(done) > 30, " ".join(sorted(done))  # the boxes of every problem, optimizer and schedule were reached


#: Typed text no box takes, each refused by name with the range: beyond it, below it, not finite, hex, words,
#: a number too long to show, Python's digit grouping ("1_0" was taken as 10).
REFUSED_TEXTS = ("1e40", "1e400", "-1", "1e-400", "nan", "-inf", "0x10", "twelve", "1" + "0" * 400, "x" * 3000,
                 "1_0")


def _in_range(box, text: str) -> bool:
    value = typed_number(text)
    return value is not None and box.minimum() <= value <= box.maximum()


def test_typed_text_a_box_cannot_take_is_refused_by_name_with_the_range(window):
    """A typed value no box takes was dropped without a word (the box silently showed its old value): now one
    line names the setting, quotes what was typed (shortened) and says what the box takes; the run goes on
    untouched. Digits of other scripts are numbers (Python reads "١٢" as 12), taken as such."""
    model = window.model
    model.update_config(model.selected, {"problem": "rosenbrock", "optimizer": {"name": "plain", "lr": 1e-3}})
    QApplication.processEvents()
    boxes = {"lr": panel(window, "LearningRatePanel").spin, "seed": box_named(window, "seed"),
             "start_x": box_named(window, "start_x")}
    for name, box in boxes.items():
        for text in (t for t in REFUSED_TEXTS if not _in_range(box, t)):  # a start takes 1e40
            model.step(2)
            steps, config = model.selected.trainer.step, model.selected.config
            window.banner.clear()
            type_into(box, text)
            message = window.banner.text()
            assert message.startswith(f"Not applied - {name}: ") and "the box shows its value again" in message
            assert f"is not {box.allowed_text()}; " in message
            if name == "lr":  # the registry's range, open at 0: not the box's nearest value inside it
                assert "(0, 1e+12]" in message
            assert len(message) < 300 and model.selected.config == config and model.selected.trainer.step == steps
    window.banner.clear()
    type_into(boxes["lr"], "\u0661e-\u0662")  # ١e-٢
    assert model.selected.config["optimizer"]["lr"] == 0.01 and not window.banner.text()


def test_boxes_show_and_keep_a_sessions_extreme_values_exactly(window, tmp_path):
    """A box whose range is open at 0 took 1e-12 as its least value: a session's rate of 1e-300 showed as 1e-12,
    and an edit beside it could write 1e-12 back. Now every value the registry allows is shown and kept - Qt's
    own rounding to 323 decimals (5e-324 to 0) included - through typing, the wheel's steps, refusals and undo."""
    from gd_core.sessions import save_session

    model = window.model
    model.update_config(model.selected, {"problem": "quadratic", "optimizer": {"name": "adam", "lr": 1e-300,
                                                                               "eps": EXTREME_FLOATS[2]}})
    path = tmp_path / "extreme.json"
    save_session(model.to_session(), path)
    assert window.files.open_path(str(path))
    rate, form = panel(window, "LearningRatePanel").spin, panel(window, "OptimizerPanel").form
    eps = form.editors["eps"]
    assert (rate.value(), rate.text(), eps.value(), eps.text()) == (1e-300, "1e-300", 5e-324, "5e-324")
    type_into(form.editors["beta1"], "0.8")  # an edit beside them writes nothing else back
    config = dict(model.selected.config["optimizer"])
    assert config["beta1"] == 0.8 and config["lr"] == 1e-300 and config["eps"] == 5e-324
    window.undo.undo_action.trigger()
    assert model.selected.config["optimizer"] == {**config, "beta1": 0.9} and eps.value() == 5e-324
    for text in ("0", "-1e-300"):  # refused, naming the registry's range; nothing changes
        type_into(eps, text)
        assert "is not a number in (0, 1e+12]" in window.banner.text() and eps.value() == 5e-324
    type_into(rate, "5e-324")  # the smallest rate the config takes, which Qt holds as 1e-323
    assert model.selected.config["optimizer"]["lr"] == 5e-324 and rate.text() == "5e-324"
    rate.setFocus()
    rate.stepBy(1)  # the wheel's and the arrows' step: the next of 1, 1.5, 2, 3, 5, 7 in its decade
    assert model.selected.config["optimizer"]["lr"] == rate.value() == 1e-323
    assert_consistent(window)


def test_a_refused_value_is_named_and_the_run_is_untouched(window):
    model = window.model
    model.update_config(model.selected, gd_core.switch_problem(dict(model.selected.config), "mlp"))
    model.step(7)
    history = model.selected.history.params.copy()
    n_box = next(b for b in settings_boxes(window) if b.objectName() == "param_n_samples")
    type_into(n_box, "1000000")
    assert "Not applied" in window.banner.text() and "data.n_samples" in window.banner.text()
    assert "use at most" in window.banner.text()
    assert model.selected.trainer.step == 7 and np.array_equal(model.selected.history.params, history)
    assert n_box.value() == 200  # the box shows the run's value again
    hidden = next(b for b in settings_boxes(window) if isinstance(b, IntListEdit))
    for text in ("1, 2, 3, 4, 5", "99999999999999999999"):  # the second overflowed a Qt list and crashed
        type_into(hidden, text)
        assert "Not applied" in window.banner.text() and "hidden" in window.banner.text()
        assert model.selected.config["hidden"] == [8] and hidden.text() == "8"


@pytest.mark.parametrize("text", ["1000000", "1e-12"])
def test_huge_and_tiny_learning_rates(window, qtbot, text):
    lr_box = panel(window, "LearningRatePanel").spin
    type_into(lr_box, text)
    run = window.model.selected
    assert run.config["optimizer"]["lr"] == float(text)
    window.speed.setCurrentText("Max")
    window.runner.start()
    qtbot.waitUntil(lambda: run.trainer.done, timeout=10_000)
    assert_consistent(window)
    if text == "1000000":
        assert run.history.status == "diverged" and "diverged" in window.banner.text().lower()
    else:
        assert run.history.status == "completed"
        assert abs(run.history.loss[-1] - run.history.loss[0]) < 1e-6 * run.history.loss[0]  # barely moved


def test_a_start_at_the_edge_of_the_box_diverges_cleanly(window):
    model = window.model
    for box in panel(window, "RunPanel").start_boxes:
        type_into(box, "1e9")
    assert list(model.selected.history.params[0]) == [1e9, 1e9]
    model.step(200)
    assert_consistent(window)


def test_results_tolerance_box_takes_extremes(window):
    box = window.results.tolerance
    for text in EXTREMES + (box.textFromValue(box.maximum()), box.textFromValue(box.minimum())):
        type_into(box, text)
        assert math.isfinite(window.model.view["tolerance"]) and window.model.view["tolerance"] > 0
        assert window.results.table.rowCount() == len(window.model.runs)


def test_sweep_boxes_take_extremes(window):
    window.open_sweep()
    sweep = window.sweep_window
    for box in sweep.findChildren(QAbstractSpinBox) + sweep.findChildren(QLineEdit):
        if not box.isVisibleTo(sweep) or (isinstance(box, QLineEdit) and box.parent() in
                                           sweep.findChildren(QAbstractSpinBox)):
            continue
        for text in EXTREMES:
            type_into(box, text)
            if isinstance(box, QAbstractSpinBox):
                assert math.isfinite(box.value()) and box.minimum() <= box.value() <= box.maximum()


# -- files -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00binary", "not a text file"),
    (b"a,b\n1,2\n3,oops\n", "line 3"),
    (b"a,b\n\xfa,1\n", "line 2: not UTF-8"),
    (b"a,b\n1,nan\n", "not allowed"),
])
def test_bad_csv_through_the_window_is_refused_and_the_work_kept(window, tmp_path, content, message):
    window.model.step(9)
    before = window.model.to_session()
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    assert not panel(window, "ProblemPanel").load_path(str(path))
    assert "Not applied" in window.banner.text() and message in window.banner.text()
    assert window.model.to_session() == before and window.model.selected.trainer.step == 9


def test_huge_csv_and_session_files_are_refused_before_reading(window, tmp_path):
    from gd_core.datasets import MAX_CSV_BYTES
    from gd_core.sessions import MAX_SESSION_BYTES
    window.model.step(4)
    before = window.model.to_session()
    big_csv, big_session = tmp_path / "big.csv", tmp_path / "big.json"
    for path, size in ((big_csv, MAX_CSV_BYTES + 1), (big_session, MAX_SESSION_BYTES + 1)):
        with open(path, "wb") as fh:
            fh.truncate(size)  # sparse: no disk used
    assert not panel(window, "ProblemPanel").load_path(str(big_csv))
    assert "the limit for a CSV file is 50 MiB" in window.banner.text()
    assert not window.files.open_path(str(big_session))
    assert "the limit for a session file is 10 MiB" in window.banner.text()
    assert not window.files.open_path(str(tmp_path / "missing.json"))
    assert "cannot read" in window.banner.text()
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    assert not window.files.open_path(str(empty)) and "invalid JSON" in window.banner.text()
    assert window.model.to_session() == before and window.model.selected.trainer.step == 4


def test_saving_into_a_read_only_folder_is_refused_and_leaves_nothing(window, tmp_path, monkeypatch):
    import os
    blocker = tmp_path / "a-file"
    blocker.touch()
    assert not window.files.save_to(str(blocker / "s.json"))  # a "folder" that is a file
    assert "Not saved" in window.banner.text() and "Not a directory" in window.banner.text()
    folder = tmp_path / "locked"
    folder.mkdir()
    os.chmod(folder, 0o500)
    try:
        if os.access(folder, os.W_OK):  # root may write anyway: make the folder refuse as it would a user
            def refuse(*args, **kwargs):
                raise PermissionError(13, "Permission denied")
            monkeypatch.setattr("tempfile.mkstemp", refuse)  # gd_core.files imports it when it writes
        assert not window.files.save_to(str(folder / "s.json"))
        assert "Not saved" in window.banner.text() and "Permission denied" in window.banner.text()
        assert list(folder.iterdir()) == []
    finally:
        os.chmod(folder, 0o700)


def test_histories_exported_onto_a_pipe_or_into_a_failing_new_folder_say_why_and_leave_nothing(window, tmp_path,
                                                                                                monkeypatch):
    """Export > Run histories onto a FIFO said only "Not exported: File exists"; into a new folder whose files could
    not be written it left the folder behind, empty."""
    import os

    from PySide6.QtWidgets import QFileDialog

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    chosen = [str(fifo)]
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *args, **kwargs: chosen[0]))
    window.files.export_histories()
    assert window.banner.text() == f"Not exported: {fifo} is a pipe (FIFO), not a folder"

    def full(*args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr("gd_core.files.os.replace", full)
    chosen[0] = str(tmp_path / "new")
    window.files.export_histories()
    assert window.banner.text() == "Not exported: No space left on device" and sorted(os.listdir(tmp_path)) == ["pipe"]


def test_a_disk_full_while_saving_keeps_the_previous_file_and_says_so(window, tmp_path, monkeypatch):
    path = tmp_path / "s.json"
    assert window.files.save_to(str(path))
    before = path.read_bytes()
    window.run_list.duplicate()

    def full(*args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr("gd_core.sessions.os.replace", full)
    assert not window.files.save_to(str(path))
    assert "Not saved" in window.banner.text() and "No space left on device" in window.banner.text()
    assert path.read_bytes() == before and json.loads(before)["runs"][0]["name"] == "run 1"
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == ["s.json"]  # no temp file left behind


def test_a_sweep_too_large_for_the_window_is_refused_before_it_starts(window):
    model = window.model
    config = gd_core.switch_problem(dict(model.selected.config), "logistic_regression")
    config["data"]["n_samples"] = 8_000  # one sample a step: 6.7e12 units of work, 6.7 times what a series may take
    model.update_config(model.selected, {**config, "variant": "stochastic"})
    window.open_sweep()
    sweep = window.sweep_window
    sweep.compute()
    assert "Not computed: sweep: the stochastic series would cost" in sweep.progress.text()
    assert sweep.compute_button.isEnabled() and not sweep.results


def test_a_large_network_gets_a_coarse_surface_said_in_the_plot(window, qtbot, monkeypatch):
    from gd_core import landscape
    GRID_WORK = 2e9  # a tenth of the budget and a smaller network: the same coarse grid in ~1 s, not ~10
    monkeypatch.setattr(landscape, "GRID_WORK", GRID_WORK)
    model, space = window.model, window.space_view
    config = gd_core.switch_problem(dict(model.selected.config), "mlp")
    model.update_config(model.selected, {**config, "hidden": [128, 128]})
    # computed, and said in the read-out row above the plot (not over the data)
    qtbot.waitUntil(lambda: "a coarse" in space.status and "a coarse" in space.readout.text(), timeout=20_000)
    side = space.image.image.shape[0]
    assert side < 80 and side ** 2 * model.selected.trainer.problem.pass_work <= GRID_WORK
    assert f"a coarse {side}×{side} grid" in space.status


def test_a_sweep_where_every_run_diverges_draws_nothing_and_says_so(window, qtbot):
    model = window.model
    model.update_config(model.selected, gd_core.switch_problem(dict(model.selected.config), "rosenbrock"))
    window.open_sweep()
    sweep = window.sweep_window
    sweep.low.setValue(10.0)
    sweep.high.setValue(1e4)
    sweep.count.setValue(2)
    sweep.series.setCurrentIndex(1)  # optimizers: plain gradient descent only
    for name, box in sweep.optimizers.items():
        box.setChecked(name == "plain")
    with qtbot.waitSignal(sweep.finished, timeout=30_000):
        sweep.compute()
    assert np.isnan(sweep.results["plain"]).all()
    assert "plain" in sweep.legend.text()
    x, _ = sweep._series_items["plain"].getData()
    assert x is None or len(x) == 0
    sweep.grab()  # paints without a warning about empty bounds


def test_a_refused_or_escaped_edit_keeps_a_value_of_more_digits_than_the_box_shows(window):
    """Found by the typing fuzzer: a box shows 6 digits ("4.31419e+16"); a refused text was put back as that and
    re-read, so a start of 4.314192263481925e16 became 4.31419e16 - the run reset, unasked. Escape did the same."""
    model = window.model
    start = [-1.2, 4.314192263481925e16]
    model.update_config(model.selected, {"problem": "rosenbrock", "init": start,
                                         "optimizer": {"name": "plain", "lr": 0.0123456789}})
    QApplication.processEvents()
    model.step(3)
    trainer = model.selected.trainer
    boxes = (box_named(window, "start_y"), panel(window, "LearningRatePanel").spin)
    for box in boxes:
        type_into(box, "nope")
        line = box.lineEdit()
        line.selectAll()
        QTest.keyClicks(line, "123")
        QTest.keyClick(line, Qt.Key.Key_Escape)
        line.setFocus()
        box.clearFocus()  # focus-out re-reads the text Escape put back
        QApplication.processEvents()
    assert model.selected.config["init"] == start and model.selected.config["optimizer"]["lr"] == 0.0123456789
    assert model.selected.trainer is trainer  # not reset


#: Text as a user (or a paste) may type: words, other scripts, signs, exponents beyond any range, anything.
TYPED = st.one_of(st.text(max_size=10), st.sampled_from(REFUSED_TEXTS + ("\u0661\u0662", "1_000", " 0.5 ", "+3",
                                                                        "-0", "0x1p-3", "infinity", "1e-320")),
                  st.floats().map(repr), st.integers(-10**12, 10**12).map(str))


@fuzz_settings(40)
@given(name=st.sampled_from(["lr", "seed", "start_y"]), text=TYPED)
def test_any_typed_text_is_applied_or_refused_by_name(window, name, text):
    """Whatever is typed into a number box: the box takes it (the run's config says so, no complaint) or one
    line names the setting and what it takes; the run is untouched then - never a silent drop or an exception."""
    model = window.model
    if model.selected.config["problem"] != "rosenbrock":
        model.update_config(model.selected, {"problem": "rosenbrock"})
        QApplication.processEvents()
    box = panel(window, "LearningRatePanel").spin if name == "lr" else box_named(window, name)
    line = box.lineEdit()
    line.selectAll()
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(line, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))
    typed = line.text()
    verdict = box.validate(typed, len(typed))
    takes = (verdict[0] if isinstance(verdict, tuple) else verdict) == QValidator.State.Acceptable
    steps, config = model.selected.trainer.step, model.selected.config
    window.banner.clear()
    QTest.keyClick(line, Qt.Key.Key_Return)
    QApplication.processEvents()
    if takes:
        assert "Not applied" not in window.banner.text()
        # exact, but for the last digits of a number below 1e-307: Qt keeps at most 323 decimals
        assert box.value() == pytest.approx(box.valueFromText(typed), rel=1e-15, abs=1e-323)
    elif typed.strip():
        assert window.banner.text().startswith(f"Not applied - {name}: ")
        assert model.selected.config == config and model.selected.trainer.step == steps
    assert_consistent(window)


def test_a_box_for_a_setting_left_unset_names_its_unset_word_not_the_configs_null(qapp):
    """Adafactor's eps1 and L-BFGS's max_eval default to None, which their boxes show as 'default': a refusal
    said '... or null (the default)' - a config's word no box shows (and max_eval's range read [0, 12500], the
    value below its range that stands for 'default')."""
    from app.widgets import NOT_SET, editor_for
    from gd_core import OPTIMIZERS

    for optimizer, name, allowed in (("adafactor", "eps1", "a number in [0, 1e+12] or 'default'"),
                                     ("lbfgs", "max_eval", "an integer in [1, 12500] or 'default'")):
        box = editor_for(next(p for p in OPTIMIZERS[optimizer].params if p.name == name))
        assert box.specialValueText() == NOT_SET and box.allowed_text() == allowed


def message_holder(qtbot):
    """A shown widget standing for the window: it lists the messages its boxes show (``holder.said``)."""
    from PySide6.QtWidgets import QWidget

    class Holder(QWidget):
        def show_message(self, text, kind):
            self.said.append(text)

    holder = Holder()
    holder.said = []
    qtbot.addWidget(holder)
    return holder


def test_an_integer_box_takes_a_comma_only_where_it_groups_thousands(qtbot):
    """A bare integer box (no window): "1,5" was read as 15 and applied unsaid (the line-search steps of CG, the
    steps of a schedule); "1,000" is still a thousand."""
    from app.widgets import SpinBox

    holder = message_holder(qtbot)
    box = SpinBox(holder)
    box.setObjectName("max_ls")
    box.setRange(1, 100_000)
    box.setValue(25)
    holder.show()
    for typed, value in (("1,5", 25), ("1,000", 1000)):
        box.lineEdit().selectAll()
        QTest.keyClicks(box.lineEdit(), typed)
        QTest.keyClick(box.lineEdit(), Qt.Key.Key_Return)
        assert box.value() == value, typed
    assert set(holder.said) == {"Not applied - max_ls: '1,5' is not an integer in [1, 100000]; the box shows its "
                                "value again."}  # said as Qt asks (Enter, then the check after it): same words


def test_a_list_box_reads_the_whole_text_or_refuses_it_by_name(qtbot):
    """The hidden layers' box (no window): "3 3" was sent as [33] and applied unsaid, and "8, x" or "abc" as [],
    refused as "got []" - not what was typed. Now commas or spaces separate the integers, and text that is not
    such a list is refused quoting it, with what the box takes; an emptied box shows its list again."""
    from app.widgets import editor_for

    holder = message_holder(qtbot)
    box = editor_for(next(p for p in PROBLEMS["mlp"].params if p.name == "hidden"))
    box.setParent(holder)
    box.setObjectName("hidden")
    box.setValue([8])
    holder.show()
    sent = []
    box.value_committed.connect(sent.append)
    for typed in ("3 3", " 5 , 6 ", "8, x", "abc", "1_0", "1e3", ""):
        box.setText(typed)
        box.editingFinished.emit()
        box.setValue(sent[-1] if sent else [8])  # as the panel shows what the run took
    assert sent == [[3, 3], [5, 6]]
    assert holder.said == [f"Not applied - hidden: {text!r} is not a list of 1 to 4 integers in [1, 256]; the box "
                           "shows its value again." for text in ("8, x", "abc", "1_0", "1e3")]


@fuzz_settings(150)
@given(text=st.one_of(st.text(max_size=12), st.text("0123456789 ,-+x_", max_size=14), st.sampled_from(
    ["3 3", "8, x", "\u0663", "1_0", "1e3", "4,,4", " 5 , 6 ", "+2", "-0", "9" * 40, "\n", "\u00a08"])))
def test_any_text_typed_into_a_list_box_is_sent_whole_or_refused_by_name(qtbot, text):
    """Fuzzer of the hidden layers' box: what is sent is the typed text's integers exactly (they read back from
    the box's own text), or nothing is sent and one line quotes the text - or, for an emptied box, neither."""
    from app.widgets import editor_for
    from gd_core.spec import integer_list

    holder = message_holder(qtbot)
    box = editor_for(next(p for p in PROBLEMS["mlp"].params if p.name == "hidden"))
    box.setParent(holder)
    box.setObjectName("hidden")
    box.setValue([8])
    sent = []
    box.value_committed.connect(sent.append)
    box.setText(text)
    box.editingFinished.emit()
    parsed = integer_list(text)
    if not parsed and text.strip():  # not a list of integers (commas alone hold none)
        assert sent == [] and len(holder.said) == 1 and holder.said[0].startswith("Not applied - hidden: ")
        assert box.text() == "8"  # the list shown again
    elif not parsed:  # emptied: the list shown again, nothing said
        assert sent == [] and holder.said == [] and box.text() == "8"
    elif text != "8":
        assert sent == [parsed] and holder.said == []
        box.setValue(parsed)
        assert integer_list(box.text()) == parsed  # the box shows what was sent
