"""The lessons GD Lab ships: session files in ``resources/lessons`` (installed as the package data
``gd_core.resources``), listed, named and loaded here."""

from __future__ import annotations

import os
from importlib import resources

from .errors import ConfigError
from .files import quote, read_json, read_unless_unchanged
from .sessions import MAX_SESSION_BYTES, Session, parse_session
from .spec import counting_number


def _lessons_dir():
    return resources.files("gd_core.resources") / "lessons"


def list_lessons() -> list[tuple[str, str]]:
    """(name, title) of every lesson, in file-name order (a file is read again only when it changed)."""
    out = []
    for entry in sorted(_lessons_dir().iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            with resources.as_file(entry) as path:
                out.append((entry.name[:-5], read_unless_unchanged(path, _lesson_title)))
    return out


def _lesson_title(path: str) -> str:
    return read_json(path, "lesson", MAX_SESSION_BYTES, "lesson file").get("title", "")


#: A lesson's number has at most this many digits (as many as a number of lessons needs).
NUMBER_DIGITS = 6


def lesson_number(name: str) -> int | None:
    """The number a lesson's file name starts with ("16_edge_of_stability" -> 16): the lesson's own number, which
    instructors and the lesson texts use (the numbering has gaps, so it is not the lesson's position); None
    for a name without one (:func:`gd_core.spec.counting_number`: a lesson name typed or read from an autosave's
    origin as "²" raised ValueError)."""
    return counting_number(os.path.basename(name).split("_", 1)[0], NUMBER_DIGITS)


def lesson_name(name: str) -> str:
    """The lesson file name for ``name``: exact, without its number ("saddle_escape" = "07_saddle_escape"), or
    its number alone ("7" or "07")."""
    names = [n for n, _ in list_lessons()]
    if name in names:
        return name
    number = counting_number(name, NUMBER_DIGITS)
    if number is not None:
        matches = [n for n in names if lesson_number(n) == number]
    else:
        matches = [n for n in names if n.split("_", 1)[-1] == name]
    if len(matches) == 1:
        return matches[0]
    raise ConfigError("lesson", f"unknown lesson {quote(name)} (allowed: {', '.join(names)})")


def load_lesson(name: str) -> Session:
    return parse_session(_read_lesson(_lessons_dir() / f"{lesson_name(name)}.json"))


def _read_lesson(entry):
    with resources.as_file(entry) as path:
        return read_json(path, "lesson", MAX_SESSION_BYTES, "lesson file")
