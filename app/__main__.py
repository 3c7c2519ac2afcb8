"""``gdlab [CONFIG | --lesson NAME | --session FILE]``: open GD Lab. Without a screen:
``--run-steps N --screenshot FILE.png`` trains N steps, saves a picture of the whole window and exits;
``--run-steps N --record FILE.gif|FILE.mp4 [--record-view VIEW] [--fps F] [--frames K] [--record-width PX]``
trains N steps and writes an animation of them.

Exit codes: 0 done, 1 the platform lacks something (Qt's system libraries, an optional extra), 2 bad arguments,
a file that cannot be written or a view that cannot be recorded (one ``error:`` line on stderr, no file left
behind): the 3D view where OpenGL is missing is refused before anything is recorded.
"""

from __future__ import annotations

import argparse
import os
import sys

from gd_core.animation import check_animation, missing_extra
from gd_core.cli import OneLineParser, integer_argument, number_argument
from gd_core.errors import ConfigError
from gd_core.files import PendingFile, cannot_write, quote, write_file
from gd_core.spec import MAX_STEPS

from .animation_views import RECORD_VIEWS

#: --record's options, by the key of the ConfigError that check_animation raises
RECORD_FLAGS = {"file": "--record", "steps": "--run-steps", "fps": "--fps", "frames": "--frames",
                "width": "--record-width"}


RECORD_ONLY = ("--record-view", "--fps", "--frames", "--record-width")
#: The picture formats --screenshot writes, by extension (Qt's image writers that every PySide6 wheel has)
SCREENSHOT_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp")


def _parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog="gdlab", description="GD Lab: learn and compare gradient descent.")
    opened = p.add_mutually_exclusive_group()
    opened.add_argument("config", nargs="?", help="a run config or a session file (JSON) to open")
    opened.add_argument("--lesson", "--preset", metavar="NAME",
                        help="open a lesson (gdlab-run --list-lessons lists them)")
    opened.add_argument("--session", metavar="FILE", help="open a session file")
    p.add_argument("--run-steps", type=integer_argument, metavar="N",
                   help="train N steps before the screenshot, or record N steps")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--screenshot", metavar="FILE.png", help="save a picture of the window and exit")
    out.add_argument("--record", metavar="FILE.gif|FILE.mp4",
                     help="record --run-steps N steps as an animated GIF or an MP4 video and exit")
    p.add_argument("--record-view", choices=list(RECORD_VIEWS),
                   help="what --record records (window): " + ", ".join(f"{k} ({v.label.lower()})"
                                                              for k, v in RECORD_VIEWS.items()))
    p.add_argument("--fps", type=number_argument, metavar="F", help="frames per second of the animation (10)")
    p.add_argument("--frames", type=integer_argument, metavar="K",
                   help="frames, spread evenly over the steps (one per step, at most 10 seconds' worth)")
    p.add_argument("--record-width", type=integer_argument, metavar="PX",
                   help="the animation's width (the view's own, at most 800); the height follows")
    return p


def check_arguments(args) -> None:
    """Flags that go together, in one ConfigError naming the first that is wrong."""
    record_only = [flag for flag in RECORD_ONLY if getattr(args, flag[2:].replace("-", "_")) is not None]
    if args.record is None and record_only:
        raise ConfigError(record_only[0], "goes with --record")
    if args.run_steps is not None and not (args.screenshot or args.record):
        raise ConfigError("--run-steps", "goes with --screenshot or --record")
    if args.record is not None and args.run_steps is None:
        raise ConfigError("--record", "needs --run-steps N: how many steps to record")
    if args.screenshot is not None:
        _check_screenshot(args)


def _check_screenshot(args) -> None:
    """--screenshot's file and steps, checked before any window is built: a name Qt writes no picture for
    ("x.svg", "x") and a negative step count went through to "cannot write x: could not write x" after the
    training, and "-5" steps to a picture of none."""
    if args.run_steps is not None and not 0 <= args.run_steps <= MAX_STEPS:
        raise ConfigError("--run-steps", f"{args.run_steps} is not allowed; the steps trained before the picture "
                                         f"are an integer from 0 to {MAX_STEPS:g}")
    path = args.screenshot
    if os.path.splitext(path)[1].lower() not in SCREENSHOT_EXTENSIONS:
        raise ConfigError("--screenshot", f"{quote(os.path.basename(path))}: name a .png, .jpg or .bmp file (the "
                                          "format follows the extension)")
    try:
        PendingFile(path).discard()  # a folder, a device, a FIFO or a read-only place: said before the training
    except OSError as error:
        raise ConfigError("--screenshot", cannot_write(path, error)) from None


def parse_arguments(argv: list[str] | None = None):
    """(args, the animation --record asks for or None); a ConfigError for the first thing wrong. Nothing is
    built or written."""
    args = _parser().parse_args(argv)
    check_arguments(args)
    return args, (_animation(args) if args.record is not None else None)


def main(argv: list[str] | None = None) -> int:
    try:
        args, animation = parse_arguments(argv)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if animation is not None and missing_extra(animation.path):
        print(f"error: --record: {missing_extra(animation.path)}", file=sys.stderr)
        return 1
    offscreen = args.screenshot or args.record
    if offscreen and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from .system_libraries import missing_xcb_message, qt_import_error_message

    problem = missing_xcb_message()
    if problem:  # Qt itself would abort the process with a cryptic message
        print(problem, file=sys.stderr)
        return 1
    try:
        from PySide6.QtWidgets import QApplication
    except ImportError as error:
        problem = qt_import_error_message(error)
        if problem is None:
            raise
        print(problem, file=sys.stderr)
        return 1

    from . import create_window
    from .views.surface3d import share_opengl_contexts

    share_opengl_contexts()  # before the QApplication: every 3D view draws with pyqtgraph's shared shaders
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("GD Lab")
    try:
        window = create_window(args.config or args.session, lesson=args.lesson, session_file=bool(args.session))
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.screenshot:
        return screenshot(app, window, args.run_steps or 0, args.screenshot)
    if animation is not None:
        return record(app, window, args.record_view or "window", animation)
    from .crash import install
    from .recovery import offer_restore
    install(window)
    if window.files.path:  # gdlab FILE, --session FILE: in Open Recent, as a session opened from File > Open is
        window.files.remember(window.files.path)
    window.remember_layout()  # last launch's size, docks, theme and text size, kept inside this screen
    window.show()
    offer_restore(window)  # after a crash or a killed process: the autosaved work
    return app.exec()


def _animation(args):
    """What --record asks for, checked before any window is built: the values, and that the file can be
    written (a temporary file is made beside it and removed)."""
    try:
        animation = check_animation(args.record, args.run_steps, 10.0 if args.fps is None else args.fps,
                                    args.frames, args.record_width)
    except ConfigError as error:
        raise ConfigError(RECORD_FLAGS.get(error.key, error.key), error.problem) from None
    try:
        PendingFile(animation.path).discard()
    except OSError as error:
        raise ConfigError("--record", cannot_write(animation.path, error)) from None
    return animation


def show_offscreen(app, window) -> None:
    """Show the window for pictures taken without a person: at its preferred size when there is no screen (so
    pictures do not depend on the machine), never asking "save your changes?" on close."""
    if app.platformName() == "offscreen":
        from .main_window import PREFERRED_SIZE
        window.resize(PREFERRED_SIZE)  # the docks are sized to it when the window is first shown
    window.guard.interactive = False  # nobody is there to answer
    window.show()
    app.processEvents()


def screenshot(app, window, steps: int, path: str) -> int:
    """Train ``steps`` updates, draw, and save the whole window to ``path``."""
    from .exports import image_writer

    show_offscreen(app, window)
    remaining = steps
    while remaining > 0 and not window.model.all_done:
        remaining -= window.model.step(min(remaining, 10_000)) or remaining
    window.catch_up()
    for _ in range(3):
        app.processEvents()
    try:
        write_file(path, image_writer(window.grab(), os.path.splitext(path)[1][1:].upper()))
    except OSError as error:
        print(f"error: --screenshot: cannot write {path}: {error.strerror or error}", file=sys.stderr)
        return 2
    print(f"saved {path} ({window.model.selected.trainer.step} steps)")
    window.close()
    return 0


def record(app, window, target: str, animation) -> int:
    """Train ``animation.steps`` updates, taking its frames on the way (:class:`app.recorder.Recorder`), and write
    the animation; the runs are stepped here, as fast as the frames allow."""
    from .recorder import Recorder

    show_offscreen(app, window)
    if target != "window":  # the plots get the room of the docks: a plot reads better large than scaled down
        for dock in window.docks:
            dock.hide()
        app.processEvents()
    try:
        recorder = Recorder(window, target, animation, paced_by_runner=False)
    except OSError as error:
        print(f"error: --record: {cannot_write(animation.path, error)}", file=sys.stderr)
        return 2
    except ConfigError as error:  # a GIF too large to assemble
        print(f"error: --record: {error.problem}", file=sys.stderr)
        return 2
    result = []
    recorder.finished.connect(lambda ok, message: result.append((ok, message)))
    recorder.start()
    while not recorder.done:
        moved = window.model.step(recorder.limit())
        window.space_view.worker.wait()  # a surface computed off the GUI thread is part of the picture
        # (the 3D view's own takes its surface in when the frame is taken: window.catch_up)
        app.processEvents()  # lay out what changed; deliver that surface
        if moved:
            recorder.take()
        else:
            recorder.stop("the runs had ended; ")
    recorder.wait()
    app.sendPostedEvents()  # the news of the written file, sent from the worker thread
    app.processEvents()
    ok, message = result[0]
    window.close()
    if not ok:
        print(f"error: --record: {message}", file=sys.stderr)
        return 2
    print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
