"""Session files: every run (name, colour, config) and the view, versioned JSON; lessons are sessions shipped
in ``resources/lessons`` (installed as the package data ``gd_core.resources``).

    {"format": "gdlab-session", "version": 1, "title": ..., "text": ...,
     "runs": [{"name": ..., "color": "#rrggbb", "config": {...}, "visible": true}], "view": {...}}

Reading checks everything - format, version, every field, every run config - before anything is used, and
refuses a corrupt or foreign file with one :class:`ConfigError`. A session holds at most :data:`MAX_RUNS` runs.
Reading and writing go through :mod:`gd_core.files` (regular files only, size and nesting limits, atomic writes).
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
from dataclasses import dataclass, field
from importlib import resources

from .config import resolve, with_base_dir
from .errors import ConfigError
from .files import check_depth, check_plain_name, key_name, quote, read_json, write_text
from .lessons import LOCKS, Challenge, Question, parse_challenge, parse_locked, parse_questions
from .results import DEFAULT_TOLERANCE

FORMAT, VERSION = "gdlab-session", 1
MAX_SESSION_BYTES = 10 * 1024 * 1024
#: A session holds at most this many runs: every run is drawn in every view and listed in every legend.
MAX_RUNS = 100
X_AXES = ("step", "epoch", "samples_seen")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")

#: View settings a session may hold, with their defaults.
VIEW_DEFAULTS = {"x_axis": "step", "log_y": False, "pair": [0, 1], "tolerance": DEFAULT_TOLERANCE, "selected": 0,
                 "space_mode": "slice", "batch_surface": False, "arrows": False}
SPACE_MODES = ("slice", "plane")


@dataclass
class SessionRun:
    name: str
    color: str
    config: dict
    visible: bool = True


@dataclass
class Session:
    title: str = ""
    text: str = ""
    runs: list[SessionRun] = field(default_factory=list)
    view: dict = field(default_factory=lambda: dict(VIEW_DEFAULTS))
    questions: tuple[Question, ...] = ()
    challenge: Challenge | None = None
    locked: frozenset[str] = frozenset()

    def to_dict(self) -> dict:
        out = {"format": FORMAT, "version": VERSION, "title": self.title, "text": self.text,
               "runs": [{"name": r.name, "color": r.color, "config": r.config, "visible": r.visible}
                        for r in self.runs],
               "view": self.view}
        if self.questions:
            out["questions"] = [q.to_dict() for q in self.questions]
        if self.challenge is not None:
            out["challenge"] = self.challenge.to_dict()
        if self.locked:
            out["locked"] = [group for group in LOCKS if group in self.locked]
        return out


def _expect(value, kind, key: str, what: str):
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(key, f"must be {what}; got {quote(value)}"[:300])
    return value


def parse_session(data, base_dir: str | None = None) -> Session:
    """Check a decoded session object; relative CSV paths are taken relative to ``base_dir``."""
    check_depth(data, "session")
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ConfigError("session", f"not a GD Lab session (expected \"format\": \"{FORMAT}\")")
    if type(data.get("version")) is not int or data["version"] != VERSION:  # true == 1 in Python
        raise ConfigError("session.version", f"version {quote(data.get('version'))} is not supported (this GD Lab "
                                             f"reads version {VERSION})")
    allowed = {"format", "version", "title", "text", "runs", "view", "questions", "challenge", "locked"}
    for key in data:
        if key not in allowed:
            raise ConfigError(f"session.{key_name(key)}", f"unknown key (allowed: {', '.join(sorted(allowed))})")
    title = _expect(data.get("title", ""), str, "session.title", "a string")
    text = _expect(data.get("text", ""), str, "session.text", "a string")
    runs_data = _expect(data.get("runs"), list, "session.runs", "a list of runs")
    if not runs_data:
        raise ConfigError("session.runs", "holds no run; a session needs at least one")
    if len(runs_data) > MAX_RUNS:
        raise ConfigError("session.runs", f"holds {len(runs_data):,} runs; a session holds at most {MAX_RUNS}")
    runs, names, run_params = [], set(), {}
    for i, item in enumerate(runs_data):
        key = f"runs[{i}]"
        _expect(item, dict, key, 'an object with "name", "color" and "config"')
        for k in item:
            if k not in ("name", "color", "config", "visible"):
                raise ConfigError(f"{key}.{key_name(k)}", "unknown key (allowed: color, config, name, visible)")
        name = _expect(item.get("name"), str, f"{key}.name", "a non-empty string").strip()
        if not name:
            raise ConfigError(f"{key}.name", "must not be empty")
        check_plain_name(name, f"{key}.name", "the run name")
        if name in names:
            raise ConfigError(f"{key}.name", f"{quote(name)} is used by another run; names must differ")
        names.add(name)
        color = _expect(item.get("color"), str, f"{key}.color", "a colour like \"#1f77b4\"")
        if not _COLOR.match(color):
            raise ConfigError(f"{key}.color", f"must be a colour like \"#1f77b4\"; got {quote(color)}")
        config = _expect(item.get("config"), dict, f"{key}.config", "a run config object")
        if base_dir is not None:
            config = with_base_dir(config, base_dir)
        try:
            run_params[name] = resolve(config)[1].param_names
        except ConfigError as error:
            raise ConfigError(f"{key}.config.{error.key}", error.problem) from None
        visible = _expect(item.get("visible", True), bool, f"{key}.visible", "true or false")
        runs.append(SessionRun(name, color, copy.deepcopy(config), visible))
    view = dict(VIEW_DEFAULTS)
    for k, v in _expect(data.get("view", {}), dict, "session.view", "an object").items():
        view[k] = _check_view(k, v, len(runs))
    questions = parse_questions(data["questions"], run_params) if "questions" in data else ()
    challenge = parse_challenge(data["challenge"], run_params) if "challenge" in data else None
    locked = parse_locked(data["locked"]) if "locked" in data else frozenset()
    return Session(title, text, runs, view, questions, challenge, locked)


def _check_view(key: str, value, n_runs: int):
    where = f"view.{key}"
    if key == "x_axis":
        if value not in X_AXES:
            raise ConfigError(where, f"must be one of {', '.join(X_AXES)}; got {quote(value)}")
    elif key in ("log_y", "batch_surface", "arrows"):
        _expect(value, bool, where, "true or false")
    elif key == "space_mode":
        if value not in SPACE_MODES:
            raise ConfigError(where, f"must be one of {', '.join(SPACE_MODES)}; got {quote(value)}")
    elif key == "pair":
        if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) and not isinstance(v, bool)
                                                                     and v >= 0 for v in value)
                and value[0] != value[1]):
            raise ConfigError(where, f"must be two different parameter indices like [0, 1]; got {quote(value)}")
    elif key == "tolerance":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1e300 \
                or not math.isfinite(value):
            raise ConfigError(where, f"must be a finite number > 0; got {quote(value)}")
        value = float(value)
    elif key == "selected":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < n_runs:
            raise ConfigError(where, f"must be a run index in 0..{n_runs - 1}; got {quote(value)}")
    else:
        raise ConfigError(f"view.{key_name(key)}", f"unknown view setting (allowed: {', '.join(VIEW_DEFAULTS)})")
    return value


def load_session(path: str | os.PathLike) -> Session:
    """Read and check a session file (see :func:`parse_session`)."""
    path = os.fspath(path)
    data = read_json(path, "session", MAX_SESSION_BYTES, "session file")
    return parse_session(data, os.path.dirname(os.path.abspath(path)))


def save_session(session: Session, path: str | os.PathLike) -> None:
    """Write atomically: a temp file in the same folder, renamed over ``path`` only once complete."""
    path = os.fspath(path)
    try:
        write_text(path, json.dumps(session.to_dict(), indent=2) + "\n")
    except OSError as exc:
        raise ConfigError("session", f"cannot write {path}: {exc.strerror or exc}") from None


# --- lessons (sessions shipped with GD Lab) --------------------------------------------------------------------
def _lessons_dir():
    return resources.files("gd_core.resources") / "lessons"


def list_presets() -> list[tuple[str, str]]:
    """(name, title) of every lesson, in file-name order."""
    out = []
    for entry in sorted(_lessons_dir().iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            out.append((entry.name[:-5], _read_lesson(entry).get("title", "")))
    return out


def preset_name(name: str) -> str:
    """The lesson file name for ``name``: exact, or without its number ("saddle_escape" = "07_saddle_escape")."""
    names = [n for n, _ in list_presets()]
    if name in names:
        return name
    matches = [n for n in names if n.split("_", 1)[-1] == name]
    if len(matches) == 1:
        return matches[0]
    raise ConfigError("preset", f"unknown lesson {quote(name)} (allowed: {', '.join(names)})")


def load_preset(name: str) -> Session:
    name = preset_name(name)
    return parse_session(_read_lesson(_lessons_dir() / f"{name}.json"))


def _read_lesson(entry):
    with resources.as_file(entry) as path:
        return read_json(path, "preset", MAX_SESSION_BYTES, "lesson file")
