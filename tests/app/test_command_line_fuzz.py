"""Fuzzer of gdlab's own command line (app/__main__.py; gdlab-run's is tests/core/test_fuzz.py): whatever the
arguments, they are taken as meant or refused in one line naming the flag and what it takes - before any window
is built, and leaving nothing in the folder."""

import os

from hypothesis import assume, event, example, given
from hypothesis import strategies as st

from app.__main__ import SCREENSHOT_EXTENSIONS, _parser, parse_arguments
from gd_core.errors import ConfigError

from ..hostile import fuzz_settings

_FLAGS = [action.option_strings[0] for action in _parser()._actions
          if action.option_strings and action.option_strings[0] != "-h"] + ["--preset", "--bogus"]
_VALUES = st.one_of(
    st.sampled_from(["1", "0", "-5", "10", "2.5", "1e308", "nan", "9" * 25, "x.png", "x.PNG", "x.jpg", "x.gif",
                     "x.mp4", "x.svg", "x", "", "folder", "folder/x.png", "fifo", "fifo.png", "/dev/zero",
                     "/dev/full", "window", "loss", "saddle_escape", "7", "\u00b2", "-", "a\nb"]),
    st.text(max_size=6))


@st.composite
def argvs(draw) -> list[str]:
    argv = []
    for flag in draw(st.lists(st.sampled_from(_FLAGS), max_size=5)):
        argv.append(flag)
        if draw(st.integers(0, 8)):  # now and then a flag without its value
            argv.append(draw(_VALUES))
    if draw(st.booleans()):  # a config or session file
        argv.insert(draw(st.integers(0, len(argv))), draw(_VALUES))
    assume(not any(a.startswith(("-h", "--h")) for a in argv))  # help (and its abbreviations) prints and exits
    return argv


@fuzz_settings(150)
@given(argvs())
# a picture Qt writes no file for went on to train and then said "cannot write x.svg: could not write x.svg";
# negative steps took a picture of none
@example(["--screenshot", "x.svg"])
@example(["--screenshot", "x.png", "--run-steps", "-5"])
@example(["--screenshot", "fifo.png"])
@example(["x.json", "y" * 3000])  # argparse quoted what it did not know whole: an error line of 3,032 characters
@example(["--record", "x.gif", "--run-steps", "2", "--record-view", "v" * 3000])
def test_any_command_line_is_taken_or_refused_in_one_line_before_anything_is_built(tmp_path_factory, argv):
    folder = tmp_path_factory.mktemp("argv")
    (folder / "folder").mkdir()
    os.mkfifo(folder / "fifo.png")
    before = sorted(os.listdir(folder))
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        args, animation = parse_arguments(argv)
    except ConfigError as error:
        event("refused")
        assert "\n" not in str(error) and len(str(error)) < 1000
        return
    finally:
        os.chdir(cwd)
        assert sorted(os.listdir(folder)) == before  # nothing written, not even a temporary file
    event("taken")
    if args.screenshot is not None:
        assert os.path.splitext(args.screenshot)[1].lower() in SCREENSHOT_EXTENSIONS
        assert args.run_steps is None or args.run_steps >= 0
    if args.record is not None:
        assert animation is not None and animation.steps == args.run_steps
    assert args.run_steps is None or args.screenshot or args.record
