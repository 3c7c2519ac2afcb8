"""The lessons GD Lab ships: session files in ``resources/lessons`` (installed as the package data
``gd_core.resources``), listed, named and loaded here."""

from __future__ import annotations

from importlib import resources

from .errors import ConfigError
from .files import quote, read_json
from .sessions import MAX_SESSION_BYTES, Session, parse_session


def _lessons_dir():
    return resources.files("gd_core.resources") / "lessons"


def list_lessons() -> list[tuple[str, str]]:
    """(name, title) of every lesson, in file-name order."""
    out = []
    for entry in sorted(_lessons_dir().iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            out.append((entry.name[:-5], _read_lesson(entry).get("title", "")))
    return out


def lesson_name(name: str) -> str:
    """The lesson file name for ``name``: exact, or without its number ("saddle_escape" = "07_saddle_escape")."""
    names = [n for n, _ in list_lessons()]
    if name in names:
        return name
    matches = [n for n in names if n.split("_", 1)[-1] == name]
    if len(matches) == 1:
        return matches[0]
    raise ConfigError("lesson", f"unknown lesson {quote(name)} (allowed: {', '.join(names)})")


def load_lesson(name: str) -> Session:
    return parse_session(_read_lesson(_lessons_dir() / f"{lesson_name(name)}.json"))


def _read_lesson(entry):
    with resources.as_file(entry) as path:
        return read_json(path, "lesson", MAX_SESSION_BYTES, "lesson file")
