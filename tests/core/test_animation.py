"""Animations without Qt (issue 18): which steps become frames, frame durations in milliseconds, the checks of
what to record, the GIF and MP4 writers read back, and files that cannot be written leave nothing behind."""

from __future__ import annotations

import errno
import os
import stat

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gd_core import ConfigError
from gd_core.animation import (
    DEFAULT_SECONDS,
    MAX_GIF_PIXELS,
    GifWriter,
    animation_writer,
    check_animation,
    default_frames,
    frame_durations_ms,
    frame_size,
    frame_spacing,
    frame_steps,
    installed,
    missing_extra,
)
from gd_core.files import current_umask, text_writer, write_file

from ..hostile import VALUES, fuzz_settings

Image = pytest.importorskip("PIL.Image")  # the test extra installs Pillow


def frames(count: int, size=(40, 30)) -> list[np.ndarray]:
    """``count`` distinct frames: a white picture with a bar that grows and a dot that moves, in two colours."""
    out = []
    for i in range(count):
        frame = np.full((size[1], size[0], 3), 255, np.uint8)
        frame[5:9, : 2 + i] = (31, 119, 180)
        frame[20:23, i:i + 3] = (230, 159, 0)
        out.append(frame)
    return out


def read_gif(path) -> tuple[list[np.ndarray], list[int]]:
    with Image.open(path) as image:
        pictures, durations = [], []
        for k in range(image.n_frames):
            image.seek(k)
            pictures.append(np.asarray(image.convert("RGB")))
            durations.append(image.info["duration"])
    return pictures, durations


def leftovers(folder) -> list[str]:
    return sorted(os.listdir(folder))


# --- which steps, how long --------------------------------------------------------------------------------------
def test_frames_spread_evenly_from_the_start_to_the_last_step():
    assert frame_steps(40, 41) == list(range(41))
    assert frame_steps(100, 5) == [0, 25, 50, 75, 100]
    steps = frame_steps(1000, 7)
    assert steps[0] == 0 and steps[-1] == 1000 and steps == sorted(set(steps))


def test_the_frame_spacing_is_said_in_whole_steps():
    # the dialog said "a frame every 1.01 steps" for 100 frames over 100 steps (99 gaps: one of them 2 steps)
    assert frame_spacing(100, 100) == "every 1 or 2 steps"
    assert frame_spacing(40, 41) == "every step"
    assert frame_spacing(100, 5) == "every 25 steps"
    assert frame_spacing(1000, 7) == "every 166 or 167 steps"


@pytest.mark.parametrize("fps", [10, 25, 30, 7, 50, 0.5])
def test_gif_durations_are_milliseconds_in_tens_and_keep_the_length(fps):
    durations = frame_durations_ms(300, fps)
    assert all(d % 10 == 0 and d >= 10 for d in durations)
    assert abs(sum(durations) - 300 * 1000 / fps) <= 5  # the whole animation lasts as long as it should
    assert max(durations) - min(durations) <= 10


def test_ten_frames_a_second_are_100_ms_each_not_100_seconds_or_centiseconds():
    assert frame_durations_ms(4, 10) == [100, 100, 100, 100]
    assert frame_durations_ms(6, 30) == [30, 40, 30, 30, 40, 30]


def test_default_frames_one_per_step_but_at_most_ten_seconds():
    assert default_frames(40, 10) == 41
    assert default_frames(10_000, 10) == round(10 * DEFAULT_SECONDS)
    assert default_frames(1, 30) == 2


def test_frame_size_keeps_the_shape_caps_the_default_width_and_is_even_for_mp4():
    gif = check_animation("a.gif", 10, 10, width=400)
    assert frame_size(800, 600, gif) == (400, 300)
    assert frame_size(1560, 960, check_animation("a.gif", 10, 10)) == (800, 492)
    assert frame_size(441, 733, check_animation("a.mp4", 10, 10)) == (442, 734)


# --- what to record: one ConfigError naming the value --------------------------------------------------------
@pytest.mark.parametrize("kwargs, key, words", [
    ({"path": "a.avi"}, "file", ".gif or .mp4"),
    ({"path": ""}, "file", "empty"),
    ({"steps": 0}, "steps", "from 1"),
    ({"steps": 2.5}, "steps", "integer"),
    ({"fps": 0}, "fps", "frame rate"),
    ({"fps": float("nan")}, "fps", "frame rate"),
    ({"fps": 60}, "fps", "a GIF (frames per second) is a number from 0.1 to 50"),
    ({"path": "a.mp4", "fps": 500}, "fps", "an MP4 (frames per second) is a number from 0.1 to 120"),
    ({"frames": 1}, "frames", "from 2"),
    ({"frames": 12}, "frames", "one per step"),
    ({"width": 4}, "width", "width"),
    ({"width": True}, "width", "width"),
])
def test_what_is_wrong_is_named_with_what_is_allowed(kwargs, key, words):
    args = {"path": "a.gif", "steps": 10, "fps": 10, "frames": None, "width": None} | kwargs
    with pytest.raises(ConfigError) as caught:
        check_animation(**args)
    assert caught.value.key == key and words in caught.value.problem and "\n" not in str(caught.value)


@fuzz_settings(200)
@given(VALUES, VALUES, VALUES, VALUES, st.sampled_from(["a.gif", "b.MP4", "c.png", "", "d"]))
def test_any_value_is_either_a_valid_recording_or_one_config_error(steps, fps, frames, width, path):
    try:
        animation = check_animation(path, steps, fps, frames, width)
    except ConfigError as error:
        assert error.key in ("file", "steps", "fps", "frames", "width") and len(str(error).splitlines()) == 1
        return
    assert 2 <= animation.frames <= animation.steps + 1 and animation.fps <= animation.format.max_fps
    assert len(frame_steps(animation.steps, animation.frames)) == animation.frames


def test_a_gif_too_large_to_assemble_is_refused_before_recording(tmp_path):
    animation = check_animation(str(tmp_path / "big.gif"), 5000, 50, 5000)
    side = int((MAX_GIF_PIXELS / 5000) ** 0.5) + 10
    with pytest.raises(ConfigError, match="at most .* million.*mp4"):
        animation_writer(animation, (side, side))
    assert leftovers(tmp_path) == []


def test_a_missing_extra_is_named_with_the_pip_command(monkeypatch):
    monkeypatch.setattr("gd_core.animation.installed", lambda module: False)
    assert missing_extra("a.gif") == ("writing GIF files needs the optional extra 'animation' (the package Pillow): "
                                      "pip install 'gdlab[animation]'")
    assert "pip install 'gdlab[video]'" in missing_extra("a.mp4")
    with pytest.raises(ConfigError, match=r"gdlab\[animation\]"):
        animation_writer(check_animation("a.gif", 3, 10), (10, 10))


# --- the writers ------------------------------------------------------------------------------------------------
def test_gif_holds_every_frame_in_order_with_durations_in_ms(tmp_path):
    path = tmp_path / "a.gif"
    sent = frames(12)
    writer = animation_writer(check_animation(str(path), 11, 25, 12), (40, 30))
    for frame in sent:
        writer.add(frame)
    assert writer.finish() == path.stat().st_size
    pictures, durations = read_gif(path)
    assert len(pictures) == 12
    assert durations == frame_durations_ms(12, 25) and sum(durations) == 480
    for picture, frame in zip(pictures, sent):
        assert np.abs(picture.astype(int) - frame).max() <= 16  # the palette keeps the plot's colours
    assert leftovers(tmp_path) == ["a.gif"]


def test_gif_palette_holds_colours_that_appear_only_in_later_frames(tmp_path):
    """A path drawn later has its colour (not the colour of the surface beneath) in every frame."""
    rng = np.random.default_rng(0)
    base = rng.integers(0, 256, (60, 80, 3), dtype=np.uint8)  # far more than 256 colours
    later = base.copy()
    later[10:14, 10:70] = (0, 114, 178)
    path = tmp_path / "b.gif"
    writer = animation_writer(check_animation(str(path), 2, 10, 3), (80, 60))
    for frame in (base, base, later):
        writer.add(frame)
    writer.finish()
    last = read_gif(path)[0][-1]
    assert np.abs(last[10:14, 10:70].astype(int) - (0, 114, 178)).max() <= 16


@pytest.mark.skipif(not installed("av"), reason="the 'video' extra (PyAV) is not installed")
def test_mp4_is_read_back_by_a_decoder(tmp_path):
    import av

    path = tmp_path / "a.mp4"
    animation = check_animation(str(path), 9, 30, 10)
    size = frame_size(41, 31, animation)
    sent = frames(10, size)
    writer = animation_writer(animation, size)
    for frame in sent:
        writer.add(frame)
    writer.finish()
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert (stream.width, stream.height, stream.average_rate) == (42, 32, 30)
        decoded = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(decoded) == 10
    for index, picture in enumerate(decoded):  # lossy, but each frame is nearest its own
        assert np.argmin([np.abs(picture.astype(int) - f).mean() for f in sent]) == index
    assert leftovers(tmp_path) == ["a.mp4"]


# --- nothing half-written ---------------------------------------------------------------------------------------
@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "fifo.gif"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("where, words", [("folder", "is a folder"), ("fifo", "is a pipe (FIFO)"),
                                          ("device", "is a device"), ("missing", "No such file")])
def test_a_path_that_is_no_file_is_refused_before_recording(tmp_path, fifo, where, words):
    path = {"folder": tmp_path / "sub.gif", "fifo": fifo, "device": tmp_path / "full.gif",
            "missing": tmp_path / "no" / "a.gif"}[where]
    if where == "folder":
        path.mkdir()
    if where == "device":
        full_device(path)
    before = leftovers(tmp_path)
    with pytest.raises(OSError) as caught:
        animation_writer(check_animation(str(path), 3, 10), (10, 10))
    assert words in str(caught.value.strerror)
    assert leftovers(tmp_path) == before
    if where == "device":
        assert stat.S_ISCHR(os.stat(path).st_mode)


def full_device(path) -> None:
    """A /dev/full of our own at ``path`` (a name ending .gif; making one needs root, as on CI)."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    except PermissionError:
        pytest.skip("making a device node needs root")


def test_no_write_replaces_a_device_with_a_file(tmp_path):
    """Writing a finished temporary file over /dev/full (a screenshot, a CSV, an animation) would replace the
    device itself for root: every writer refuses a device, and the device stays."""
    path = tmp_path / "full.png"
    full_device(path)
    with pytest.raises(OSError, match="is a device"):
        write_file(path, text_writer("x"))
    assert stat.S_ISCHR(os.stat(path).st_mode) and leftovers(tmp_path) == ["full.png"]


def test_a_write_that_fails_half_way_leaves_no_file(tmp_path, monkeypatch):
    """A full disk (ENOSPC) while the GIF is written: no GIF, no temporary file, the error is raised."""
    real = GifWriter._finish

    def full_disk(self, tmp):
        real(self, tmp)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(GifWriter, "_finish", full_disk)
    writer = animation_writer(check_animation(str(tmp_path / "a.gif"), 2, 10), (40, 30))
    for frame in frames(3):
        writer.add(frame)
    with pytest.raises(OSError, match="No space left"):
        writer.finish()
    assert leftovers(tmp_path) == []


def test_files_written_get_the_permissions_open_would_give(tmp_path):
    """Not mkstemp's owner-only 0600: a GIF for a course web page is readable like any file the user makes."""
    write_file(tmp_path / "a.csv", text_writer("x"))
    writer = animation_writer(check_animation(str(tmp_path / "a.gif"), 2, 10), (40, 30))
    for frame in frames(3):
        writer.add(frame)
    writer.finish()
    for name in ("a.csv", "a.gif"):
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o666 & ~current_umask()


def test_discard_leaves_nothing(tmp_path):
    writer = animation_writer(check_animation(str(tmp_path / "a.gif"), 2, 10), (40, 30))
    writer.add(frames(1)[0])
    writer.discard()
    assert leftovers(tmp_path) == []
