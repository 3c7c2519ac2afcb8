"""Session files: every run (name, colour, config) and the view, versioned JSON; lessons are sessions shipped
in ``resources/lessons``.

    {"format": "gdlab-session", "version": 1, "title": ..., "text": ...,
     "runs": [{"name": ..., "color": "#rrggbb", "config": {...}, "visible": true}], "view": {...}}

Reading checks everything - format, version, every field, every run config - before anything is used, and
refuses a corrupt or foreign file with one :class:`ConfigError`. Writing goes to a temp file renamed into place.
"""

from __future__ import annotations

import copy
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from importlib import resources

from .config import resolve, with_base_dir
from .errors import ConfigError
from .lessons import LOCKS, Challenge, Question, parse_challenge, parse_locked, parse_questions
from .results import DEFAULT_TOLERANCE

FORMAT, VERSION = "gdlab-session", 1
MAX_SESSION_BYTES = 10 * 1024 * 1024
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
        raise ConfigError(key, f"must be {what}; got {value!r}"[:300])
    return value


def parse_session(data, base_dir: str | None = None) -> Session:
    """Check a decoded session object; relative CSV paths are taken relative to ``base_dir``."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ConfigError("session", f"not a GD Lab session (expected \"format\": \"{FORMAT}\")")
    if data.get("version") != VERSION:
        raise ConfigError("session.version", f"version {data.get('version')!r} is not supported (this GD Lab "
                                             f"reads version {VERSION})")
    allowed = {"format", "version", "title", "text", "runs", "view", "questions", "challenge", "locked"}
    for key in data:
        if key not in allowed:
            raise ConfigError(f"session.{key}", f"unknown key (allowed: {', '.join(sorted(allowed))})")
    title = _expect(data.get("title", ""), str, "session.title", "a string")
    text = _expect(data.get("text", ""), str, "session.text", "a string")
    runs_data = _expect(data.get("runs"), list, "session.runs", "a list of runs")
    if not runs_data:
        raise ConfigError("session.runs", "holds no run; a session needs at least one")
    runs, names, run_params = [], set(), {}
    for i, item in enumerate(runs_data):
        key = f"runs[{i}]"
        _expect(item, dict, key, 'an object with "name", "color" and "config"')
        for k in item:
            if k not in ("name", "color", "config", "visible"):
                raise ConfigError(f"{key}.{k}", "unknown key (allowed: color, config, name, visible)")
        name = _expect(item.get("name"), str, f"{key}.name", "a non-empty string").strip()
        if not name:
            raise ConfigError(f"{key}.name", "must not be empty")
        if name in names:
            raise ConfigError(f"{key}.name", f"{name!r} is used by another run; names must differ")
        names.add(name)
        color = _expect(item.get("color"), str, f"{key}.color", "a colour like \"#1f77b4\"")
        if not _COLOR.match(color):
            raise ConfigError(f"{key}.color", f"must be a colour like \"#1f77b4\"; got {color!r}")
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
            raise ConfigError(where, f"must be one of {', '.join(X_AXES)}; got {value!r}")
    elif key in ("log_y", "batch_surface", "arrows"):
        _expect(value, bool, where, "true or false")
    elif key == "space_mode":
        if value not in SPACE_MODES:
            raise ConfigError(where, f"must be one of {', '.join(SPACE_MODES)}; got {value!r}")
    elif key == "pair":
        if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) and not isinstance(v, bool)
                                                                     and v >= 0 for v in value)
                and value[0] != value[1]):
            raise ConfigError(where, f"must be two different parameter indices like [0, 1]; got {value!r}")
    elif key == "tolerance":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise ConfigError(where, f"must be a number > 0; got {value!r}")
        value = float(value)
    elif key == "selected":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < n_runs:
            raise ConfigError(where, f"must be a run index in 0..{n_runs - 1}; got {value!r}")
    else:
        raise ConfigError(where, f"unknown view setting (allowed: {', '.join(VIEW_DEFAULTS)})")
    return value


def load_session(path: str | os.PathLike) -> Session:
    """Read and check a session file (see :func:`parse_session`)."""
    path = os.fspath(path)
    try:
        size = os.path.getsize(path)
        if size > MAX_SESSION_BYTES:
            raise ConfigError("session", f"{path} is {size / 2**20:.1f} MiB; a session is at most "
                                         f"{MAX_SESSION_BYTES // 2**20} MiB")
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise ConfigError("session", f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError("session", f"{path} is not a GD Lab session (not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise ConfigError("session", f"{path} is not a GD Lab session (invalid JSON at line {exc.lineno} column "
                                     f"{exc.colno}: {exc.msg})") from None
    return parse_session(data, os.path.dirname(os.path.abspath(path)))


def save_session(session: Session, path: str | os.PathLike) -> None:
    """Write atomically: a temp file in the same folder, renamed over ``path`` only once complete."""
    path = os.fspath(path)
    text = json.dumps(session.to_dict(), indent=2) + "\n"
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".gdlab-", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ConfigError("session", f"cannot write in {folder}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        os.unlink(tmp)
        raise ConfigError("session", f"cannot write {path}: {exc.strerror or exc}") from None


# --- lessons (sessions shipped with GD Lab) --------------------------------------------------------------------
def _lessons_dir():
    return resources.files("resources") / "lessons"


def list_presets() -> list[tuple[str, str]]:
    """(name, title) of every lesson, in file-name order."""
    out = []
    for entry in sorted(_lessons_dir().iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            out.append((entry.name[:-5], json.loads(entry.read_text(encoding="utf-8")).get("title", "")))
    return out


def preset_name(name: str) -> str:
    """The lesson file name for ``name``: exact, or without its number ("saddle_escape" = "07_saddle_escape")."""
    names = [n for n, _ in list_presets()]
    if name in names:
        return name
    matches = [n for n in names if n.split("_", 1)[-1] == name]
    if len(matches) == 1:
        return matches[0]
    raise ConfigError("preset", f"unknown lesson {name!r} (allowed: {', '.join(names)})")


def load_preset(name: str) -> Session:
    name = preset_name(name)
    entry = _lessons_dir() / f"{name}.json"
    return parse_session(json.loads(entry.read_text(encoding="utf-8")))


def file_stem(name: str) -> str:
    """A run name made safe as a file name: letters, digits, '-', '_' and '.'; others become '_'."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "run"
    return stem[:80]
