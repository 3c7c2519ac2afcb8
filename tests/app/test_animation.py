"""Animations of training (issue 18): ``gdlab --record`` headless, and File > Export > Animation... in the window
(progress, Stop, training goes on); bad paths and a missing extra are one clear message and leave no file."""

from __future__ import annotations

import errno
import os
import subprocess
import sys

import numpy as np
import pytest

from app.__main__ import main, record
from app.animation_views import RECORD_VIEWS
from gd_core.animation import (
    DEFAULT_WIDTH,
    MIN_WIDTH,
    GifWriter,
    Mp4Writer,
    check_animation,
    frame_durations_ms,
    frame_size,
    frame_steps,
    installed,
)

Image = pytest.importorskip("PIL.Image")  # the test extra installs Pillow


def read_gif(path) -> tuple[list[np.ndarray], list[int]]:
    with Image.open(path) as image:
        pictures, durations = [], []
        for k in range(image.n_frames):
            image.seek(k)
            pictures.append(np.asarray(image.convert("RGB")).astype(int))
            durations.append(image.info["duration"])
    return pictures, durations


def cli(capsys, *args) -> tuple[int, list[str], str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, err.splitlines(), out


# --- headless ---------------------------------------------------------------------------------------------------
def test_headless_record_writes_the_frames_asked_for_with_durations_in_ms(tmp_path):
    out = tmp_path / "run.gif"
    result = subprocess.run([sys.executable, "-m", "app", "--record", str(out), "--run-steps", "30", "--frames", "11",
                             "--fps", "20", "--record-view", "loss", "--record-width", "320"],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
    assert "11 frames of 320 x" in result.stdout
    pictures, durations = read_gif(out)
    assert len(pictures) == 11 and pictures[0].shape[1] == 320
    assert durations == [50] * 11  # 20 frames a second: 50 ms each
    assert all(np.abs(a - b).max() > 32 for a, b in zip(pictures, pictures[1:]))  # each frame shows a change
    assert os.listdir(tmp_path) == ["run.gif"]


def spy_on_frames(monkeypatch, window) -> list[tuple[int, np.ndarray]]:
    """(selected run's step, RGB frame) of every frame given to a writer, in order."""
    taken = []
    for writer in (GifWriter, Mp4Writer):
        real = writer._add

        def add(self, frame, real=real):
            taken.append((window.model.selected.trainer.step, frame.copy()))
            real(self, frame)
        monkeypatch.setattr(writer, "_add", add)
    return taken


@pytest.mark.parametrize("target", ["space", "window"])
def test_each_frame_shows_its_step_in_order(qapp, monkeypatch, tmp_path, target):
    """Frame i of the file is the picture taken after frame_steps[i] steps: the path grows frame by frame."""
    from app import create_window

    window = create_window()
    taken = spy_on_frames(monkeypatch, window)
    animation = check_animation(str(tmp_path / "a.gif"), 12, 10, 7, 300)
    assert record(qapp, window, target, animation) == 0
    assert [step for step, _ in taken] == frame_steps(12, 7) == [0, 2, 4, 6, 8, 10, 12]
    pictures, durations = read_gif(animation.path)
    assert len(pictures) == 7 and durations == frame_durations_ms(7, 10)
    sent = [frame.astype(int) for _, frame in taken]
    for index, picture in enumerate(pictures):
        errors = [np.abs(picture - frame).mean() for frame in sent]
        # a 256-colour palette per frame: the window's many greys, buttons and curves cost up to ~30 levels
        assert np.argmin(errors) == index and np.abs(picture - sent[index]).max() <= 32
    assert all(np.abs(a - b).max() > 32 for a, b in zip(sent, sent[1:]))


@pytest.mark.skipif(not installed("av"), reason="the 'video' extra (PyAV) is not installed")
def test_headless_mp4_is_read_back_by_a_decoder(qapp, tmp_path):
    import av

    from app import create_window

    path = tmp_path / "a.mp4"
    assert record(qapp, create_window(), "data", check_animation(str(path), 8, 24, 9, 301)) == 0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.width == 302 and stream.height % 2 == 0 and stream.average_rate == 24
        assert sum(1 for _ in container.decode(video=0)) == 9


@pytest.mark.parametrize("args, words", [
    (["--record", "x.gif"], "error: --record: needs --run-steps N"),
    (["--record", "x.avi", "--run-steps", "5"], "error: --record: 'x.avi': name a .gif or .mp4 file"),
    (["--record", "/dev/full", "--run-steps", "5"], "error: --record: 'full': name a .gif or .mp4 file"),
    (["--record", "x.gif", "--run-steps", "5", "--fps", "60"], "error: --fps: 60 is not allowed"),
    (["--record", "x.gif", "--run-steps", "5", "--fps", "ten"], "error: argument --fps: 'ten' is not a number"),
    (["--record", "x.gif", "--run-steps", "5", "--frames", "9"], "error: --frames: 9 is not allowed"),
    (["--record", "x.gif", "--run-steps", "5", "--record-width", "9"], "error: --record-width: 9 is not allowed"),
    (["--record", "x.gif", "--run-steps", "5", "--record-view", "nope"], "error: argument --record-view: invalid"),
    (["--record", "x.gif", "--screenshot", "x.png", "--run-steps", "5"], "error: argument --screenshot: not allowed"),
    (["--fps", "10"], "error: --fps: goes with --record"),
    (["--record-view", "loss"], "error: --record-view: goes with --record"),
    (["--run-steps", "5"], "error: --run-steps: goes with --screenshot or --record"),
    (["--lesson", "x", "--session", "y.json"], "error: argument --session: not allowed with argument --lesson"),
    # a picture Qt cannot write was said after the training ("cannot write x.svg: could not write x.svg"), and
    # negative steps took a picture of none
    (["--screenshot", "x.svg"], "error: --screenshot: 'x.svg': name a .png, .jpg or .bmp file"),
    (["--screenshot", "x", "--run-steps", "5"], "error: --screenshot: 'x': name a .png, .jpg or .bmp file"),
    (["--screenshot", "x.png", "--run-steps", "-5"], "error: --run-steps: -5 is not allowed; the steps trained"),
])
def test_bad_arguments_exit_2_with_one_error_line(capsys, monkeypatch, tmp_path, args, words):
    monkeypatch.chdir(tmp_path)
    code, err, out = cli(capsys, *args)
    assert code == 2 and len(err) == 1 and err[0].startswith(words), err
    assert os.listdir(tmp_path) == []


def test_a_file_name_too_long_for_its_folder_is_refused_before_recording(capsys, monkeypatch, tmp_path):
    """A name longer than the folder takes was found out only when the finished animation was renamed into place
    (the temporary file beside it has a short name): after the whole recording, "File name too long"."""
    monkeypatch.chdir(tmp_path)
    code, err, out = cli(capsys, "--record", "a" * 300 + ".gif", "--run-steps", "5")
    most = os.pathconf(tmp_path, "PC_NAME_MAX")
    assert code == 2 and out == "" and len(err) == 1
    assert err[0].endswith(f": the file name is 304 bytes long; names there have at most {most}")
    assert os.listdir(tmp_path) == []


def test_a_session_file_is_recorded_and_a_config_is_not_a_session(qapp, capsys, tmp_path):
    from gd_core.lesson_library import load_lesson
    from gd_core.sessions import save_session

    save_session(load_lesson("05_momentum_valley"), tmp_path / "valley.gdlab.json")
    code, err, out = cli(capsys, "--session", str(tmp_path / "valley.gdlab.json"), "--record", str(tmp_path / "v.gif"),
                         "--run-steps", "4", "--record-view", "loss")
    assert code == 0 and "5 frames" in out and len(read_gif(tmp_path / "v.gif")[0]) == 5
    (tmp_path / "run.json").write_text('{"problem": "quadratic"}')
    code, err, out = cli(capsys, "--session", str(tmp_path / "run.json"), "--record", str(tmp_path / "w.gif"),
                         "--run-steps", "4")
    assert code == 2 and err == ['error: session: not a GD Lab session (expected "format": "gdlab-session")']
    assert not (tmp_path / "w.gif").exists()


def test_a_view_the_problem_does_not_show_is_one_message(qapp, capsys, tmp_path):
    code, err, out = cli(capsys, "--lesson", "05_momentum_valley", "--record", str(tmp_path / "d.gif"),
                         "--run-steps", "3", "--record-view", "data")  # a 2D function: no data to show
    assert code == 2 and err == ["error: --record: the data view is not shown for the selected run; record "
                                 "another view"]
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("where, words", [("folder", "is a folder"), ("fifo", "is a pipe (FIFO)"),
                                          ("missing", "No such file or directory")])
def test_a_path_that_is_no_file_is_one_message_and_no_file(capsys, tmp_path, where, words):
    path = {"folder": tmp_path / "sub.gif", "fifo": tmp_path / "fifo.gif", "missing": tmp_path / "no" / "a.gif"}[where]
    if where == "folder":
        path.mkdir()
    if where == "fifo":
        os.mkfifo(path)
    before = sorted(os.listdir(tmp_path))
    code, err, out = cli(capsys, "--record", str(path), "--run-steps", "3")
    assert code == 2 and len(err) == 1 and err[0].startswith(f"error: --record: cannot write {path}") \
        and words in err[0], err
    assert sorted(os.listdir(tmp_path)) == before


def test_a_full_disk_while_writing_is_one_message_and_no_file(qapp, capsys, monkeypatch, tmp_path):
    def full_disk(self, tmp):
        with open(tmp, "wb") as half:
            half.write(b"GIF89a")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(GifWriter, "_finish", full_disk)
    code, err, out = cli(capsys, "--record", str(tmp_path / "a.gif"), "--run-steps", "3")
    assert code == 2 and err == [f"error: --record: cannot write {tmp_path / 'a.gif'}: No space left on device"]
    assert os.listdir(tmp_path) == []


def test_a_missing_extra_is_one_line_naming_it(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr("gd_core.animation.installed", lambda module: False)
    code, err, out = cli(capsys, "--record", str(tmp_path / "a.mp4"), "--run-steps", "3")
    assert code == 1 and err == ["error: --record: writing MP4 files needs the optional extra 'video' (the package "
                                 "PyAV): pip install 'gdlab[video]'"]


# --- the dialog -------------------------------------------------------------------------------------------------
@pytest.fixture
def dialog(window, qtbot, tmp_path):
    window.files.export_animation()
    dialog = window.files.animation_dialog
    dialog.path.setText(str(tmp_path / "live.gif"))
    dialog.width_box.setValue(240)
    yield dialog
    if dialog.recorder is not None:
        dialog.recorder.cancel()


def test_the_dialog_lists_every_view_and_is_in_the_export_menu(window, dialog):
    assert [dialog.target.itemData(i) for i in range(dialog.target.count())] == list(RECORD_VIEWS)
    export = next(a for a in window.files.file_menu.actions() if a.text() == "&Export").menu()
    assert "action_animation" in [a.objectName() for a in export.actions()]


def test_stop_saves_the_frames_so_far_and_training_goes_on(window, dialog, qtbot, tmp_path):
    window.speed.setCurrentText("30 steps/s")
    dialog.steps.setValue(2000)
    dialog.frames.setValue(400)
    dialog.record_button.click()
    assert window.runner.running and dialog.stop_button.isEnabled() and not dialog.record_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.progress.value() >= 3, timeout=20_000)
    dialog.stop_button.click()
    assert not dialog.stop_button.isEnabled()  # the file is being written, off the window's thread
    qtbot.waitUntil(lambda: dialog.recorder is None, timeout=20_000)
    taken = len(dialog.last.shown_steps)
    assert 3 <= taken < 400 and dialog.progress.value() == taken
    assert f"Saved {tmp_path / 'live.gif'}: {taken} frames" in dialog.message.text()
    assert len(read_gif(tmp_path / "live.gif")[0]) == taken
    assert window.runner.running and window.runner.limit is None  # training goes on, at its own pace again
    step = window.model.selected.trainer.step
    qtbot.waitUntil(lambda: window.model.selected.trainer.step > step + 3, timeout=10_000)
    assert dialog.record_button.isEnabled() and not dialog.stop_button.isEnabled()


def test_at_max_speed_no_frame_is_skipped(window, dialog, qtbot, tmp_path):
    """The runner steps no further than the next frame: every step of the recording is a frame."""
    window.speed.setCurrentText("Max")
    dialog.target.setCurrentIndex(list(RECORD_VIEWS).index("loss"))
    dialog.steps.setValue(25)
    dialog.frames.setValue(26)
    assert dialog.summary.text().endswith("; a frame every step")
    dialog.record_button.click()
    qtbot.waitUntil(lambda: dialog.recorder is None, timeout=30_000)
    assert dialog.last.shown_steps == list(range(26))
    assert len(read_gif(tmp_path / "live.gif")[0]) == 26


def test_bad_path_and_missing_extra_are_one_message_in_the_dialog(window, dialog, monkeypatch, tmp_path):
    (tmp_path / "sub.gif").mkdir()
    dialog.path.setText(str(tmp_path / "sub.gif"))
    dialog.record_button.click()
    assert dialog.recorder is None and "is a folder" in dialog.message.text() and not window.runner.running
    dialog.path.setText(str(tmp_path / "a.gif"))
    monkeypatch.setattr("gd_core.animation.installed", lambda module: False)
    dialog.record_button.click()
    assert dialog.message.text() == ("Writing GIF files needs the optional extra 'animation' (the package Pillow): "
                                     "pip install 'gdlab[animation]'")
    assert dialog.recorder is None and os.listdir(tmp_path) == ["sub.gif"]


def test_closing_the_window_while_recording_leaves_no_file(window, dialog, qtbot, tmp_path):
    dialog.steps.setValue(5000)
    dialog.record_button.click()
    qtbot.waitUntil(lambda: dialog.progress.value() >= 2, timeout=20_000)
    window.close()
    assert os.listdir(tmp_path) == [] and not window.runner.running


def test_resetting_the_runs_ends_the_recording_with_what_was_taken(window, dialog, qtbot, tmp_path):
    dialog.steps.setValue(5000)
    dialog.record_button.click()
    qtbot.waitUntil(lambda: dialog.progress.value() >= 2, timeout=20_000)
    window.reset()
    qtbot.waitUntil(lambda: dialog.recorder is None, timeout=20_000)
    assert "the runs were reset" in dialog.message.text()
    assert len(read_gif(tmp_path / "live.gif")[0]) == len(dialog.last.shown_steps) >= 2


def test_a_frame_shows_the_latest_step_in_views_that_redraw_at_their_own_rate(window):
    """The data view redraws at most 25 times a second while runs train; a frame draws what it holds back."""
    view = window.data_view
    view._live.interval_s = 3600  # whatever the machine's speed, the next steps are held back
    window.model.step(1)
    window.model.step(1)
    drawn = view.redraw_count
    window.catch_up()
    assert view.redraw_count == drawn + 1
    window.catch_up()
    assert view.redraw_count == drawn + 1  # nothing held back: nothing redrawn


def test_closing_the_window_while_the_file_is_written_waits_for_it(window, dialog, qtbot, tmp_path):
    dialog.steps.setValue(5000)
    dialog.record_button.click()
    qtbot.waitUntil(lambda: dialog.progress.value() >= 3, timeout=20_000)
    dialog.stop_button.click()
    window.close()  # right away: the worker thread finishes the file first
    assert len(read_gif(tmp_path / "live.gif")[0]) >= 3 and os.listdir(tmp_path) == ["live.gif"]


def test_a_tab_behind_another_is_sized_as_the_one_in_front(window, dialog):
    """The 3D view shares its place with the parameter space: the width and size offered are those it will have
    when recorded (a tab never shown has no size of its own yet)."""
    dialog.target.setCurrentIndex(dialog.target.findData("surface"))
    shown = window.space_view.size()
    assert dialog.width_box.value() == max(MIN_WIDTH, min(shown.width(), DEFAULT_WIDTH))
    width, height = frame_size(shown.width(), shown.height(), dialog.animation())
    assert f"{width} x {height} px" in dialog.summary.text()
