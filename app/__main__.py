"""``gdlab [CONFIG.json] [--run-steps N --screenshot FILE.png]``: open GD Lab, or train N steps without a
screen, save a picture of the whole window and exit."""

from __future__ import annotations

import argparse
import os
import sys

from gd_core.files import write_file


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gdlab", description="GD Lab: learn and compare gradient descent.")
    p.add_argument("config", nargs="?", help="a run config or a session file (JSON) to open")
    p.add_argument("--lesson", "--preset", metavar="NAME", help="open a lesson (gdlab-run --list-lessons lists them)")
    p.add_argument("--run-steps", type=int, metavar="N", help="train N steps before the screenshot")
    p.add_argument("--screenshot", metavar="FILE.png", help="save a picture of the window and exit")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.run_steps is not None and not args.screenshot:
        print("error: --run-steps goes with --screenshot", file=sys.stderr)
        return 2
    if args.screenshot and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
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

    import gd_core

    from . import create_window

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("GD Lab")
    try:
        window = create_window(args.config, lesson=args.lesson)
    except gd_core.ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.screenshot:
        return screenshot(app, window, args.run_steps or 0, args.screenshot)
    from .crash import install
    from .recovery import offer_restore
    install(window)
    window.remember_layout()  # last launch's size, docks, theme and text size, kept inside this screen
    window.show()
    offer_restore(window)  # after a crash or a killed process: the autosaved work
    return app.exec()


def screenshot(app, window, steps: int, path: str) -> int:
    """Train ``steps`` updates, draw, and save the whole window to ``path`` (without a screen: at the window's
    preferred size, so pictures do not depend on the machine)."""
    if app.platformName() == "offscreen":
        from .main_window import PREFERRED_SIZE
        window.resize(PREFERRED_SIZE)  # the docks are sized to it when the window is first shown
    window.guard.interactive = False  # nobody is there to answer "save your changes?" on close
    window.show()
    app.processEvents()
    remaining = steps
    while remaining > 0 and not window.model.all_done:
        remaining -= window.model.step(min(remaining, 10_000)) or remaining
    window._update_status()
    window.results.refresh()
    window.formula.refresh()
    for _ in range(3):
        app.processEvents()
    try:
        write_file(path, lambda tmp: window.grab().save(tmp))
    except OSError as error:
        print(f"error: --screenshot: cannot write {path}: {error.strerror or error}", file=sys.stderr)
        return 2
    print(f"saved {path} ({window.model.selected.trainer.step} steps)")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
