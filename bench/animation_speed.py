"""Recording speed and file size of animations (``gdlab --record``), against references measured in the same run.

For the whole window and the parameter space, a lesson's runs train N steps headless while K frames are taken
and written as a GIF (and an MP4 when PyAV is installed). Printed per case: frames per second of wall time,
the recording's time as a ratio to the same N steps trained and drawn frame by frame without pictures (what
recording adds: grabbing, scaling, encoding), the file's size, and its size as a share of the raw RGB frames.

    QT_QPA_PLATFORM=offscreen python bench/animation_speed.py [--lesson 05_momentum_valley] [--steps 150]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app import create_window  # noqa: E402
from app.__main__ import record, show_offscreen  # noqa: E402
from gd_core.animation import check_animation, frame_steps, installed  # noqa: E402


def trained_and_drawn(app, lesson: str, target: str, steps: int, frames: int) -> float:
    """Seconds to train ``steps`` steps stopping at each frame's step to draw the window - no pictures."""
    window = create_window(lesson=lesson)
    window.guard.interactive = False  # nobody answers "save changes?" when it closes
    start = time.perf_counter()
    show_offscreen(app, window)
    if target != "window":
        for dock in window.docks:
            dock.hide()
    done = 0
    for step in frame_steps(steps, frames)[1:]:
        window.model.step(step - done)
        done = step
        window.space_view.worker.wait()
        app.processEvents()
        window.catch_up()
    seconds = time.perf_counter() - start
    window.close()
    return seconds


def recorded(app, lesson: str, target: str, path: str, steps: int, frames: int) -> tuple[float, int, tuple]:
    """Seconds to train and record (from the shown window to the written file), the file's size, its frames'
    size."""
    window = create_window(lesson=lesson)
    window.guard.interactive = False  # nobody answers "save changes?" when it closes
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        assert record(app, window, target, check_animation(path, steps, 15, frames)) == 0
    seconds = time.perf_counter() - start
    return seconds, os.path.getsize(path), picture_size(path)


def picture_size(path: str) -> tuple[int, int]:
    """Width and height of an animation's frames, read from its file."""
    if path.endswith(".gif"):
        with Image.open(path) as image:
            return image.size
    import av

    with av.open(path) as container:
        stream = container.streams.video[0]
        return stream.width, stream.height


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lesson", default="05_momentum_valley")
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--frames", type=int, default=76)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    formats = [".gif"] + ([".mp4"] if installed("av") else [])
    print(f"{args.lesson}: {args.steps} steps in {args.frames} frames; best of {args.repeats}")
    print(f"{'case':<14}{'frames/s':>10}{'x train+draw':>14}{'size KiB':>10}{'of raw RGB':>12}   frame size")
    with tempfile.TemporaryDirectory() as folder:
        for target in ("space", "window"):
            reference = min(trained_and_drawn(app, args.lesson, target, args.steps, args.frames)
                            for _ in range(args.repeats))
            for ext in formats:
                path = os.path.join(folder, f"{target}{ext}")
                runs = [recorded(app, args.lesson, target, path, args.steps, args.frames)
                        for _ in range(args.repeats)]
                seconds, size, (w, h) = min(runs)
                raw = args.frames * w * h * 3
                print(f"{target + ' ' + ext[1:]:<14}{args.frames / seconds:>10.1f}{seconds / reference:>14.2f}"
                      f"{size / 1024:>10.0f}{size / raw:>12.2%}   {w} x {h}")
    print("(x train+draw: the recording's wall time over training the same steps with a redraw at every frame)")


if __name__ == "__main__":
    main()
