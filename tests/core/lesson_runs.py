"""Each lesson loaded and its runs run once per test session, headless as gd_core.lessons.run_lesson runs them
(run_many, as the window does); shared by every module that checks what the lessons say. The runs are seeded,
so each module computed the same histories again: all the lessons take ~8 s, lesson 16 alone ~4 s. Tests read
the histories and never change them (a test that varies a run deep-copies its config)."""

from functools import cache

from gd_core.lesson_library import load_lesson
from gd_core.lessons import run_lesson


@cache
def lesson(name):
    """(session, {run name: RunResult}) of the lesson ``name``."""
    session = load_lesson(name)
    return session, run_lesson({r.name: r.config for r in session.runs})
