"""Session files: every run (name, colour, config, progress) and the view, versioned JSON (the lessons GD Lab
ships are sessions too: :mod:`gd_core.lesson_library` finds them).

    {"format": "gdlab-session", "version": 2, "title": ..., "text": ...,
     "runs": [{"name": ..., "color": "#rrggbb", "config": {...}, "visible": true,
               "steps": 1200, "earlier": [{"config": {...}, "until": 400}]}], "view": {...}}

Version 2 keeps each run's progress: ``steps`` is how many steps it had made (absent: none yet), and
``earlier`` the configs it ran before its current one took over live (each until the step where the next one
was applied; absent: it ran ``config`` from the start). Opening replays every run to ``steps``
(:mod:`gd_core.replay`: deterministic by seed, the trajectory is identical). Version 1 (no progress) still
reads: its runs start at step 0.

Reading checks everything - format, version, every field, every run config - before anything is used, and
refuses a corrupt or foreign file with one :class:`ConfigError`. A session holds at most :data:`MAX_RUNS` runs.
Reading and writing go through :mod:`gd_core.files` (regular files only, size and nesting limits, atomic writes).
"""

from __future__ import annotations

import copy
import json
import os
import re
from dataclasses import dataclass, field

from .config import resolve, validate, with_base_dir
from .errors import ConfigError
from .files import check_depth, check_plain_name, key_name, quote, read_json, write_text
from .lessons import LOCKS, Challenge, Question, parse_challenge, parse_locked, parse_questions
from .replay import Timeline, continues
from .results import DEFAULT_TOLERANCE, TOLERANCE
from .spec import MAX_STEPS, counting_number

FORMAT, VERSION = "gdlab-session", 2
#: Versions this GD Lab reads (version 1 has no progress: runs start at step 0).
READABLE_VERSIONS = (1, 2)
MAX_SESSION_BYTES = 10 * 1024 * 1024
#: A session holds at most this many runs: every run is drawn in every view and listed in every legend.
MAX_RUNS = 100
X_AXES = ("step", "epoch", "samples_seen", "evaluations")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")

#: View settings a session may hold, with their defaults.
VIEW_DEFAULTS = {"x_axis": "step", "log_y": False, "pair": [0, 1], "tolerance": DEFAULT_TOLERANCE, "selected": 0,
                 "space_mode": "slice", "batch_surface": False, "arrows": False, "batch_losses": True}
SPACE_MODES = ("slice", "plane")
#: View settings a session may hold without a default: absent means "the view decides" (equal aspect: on for
#: the 2D functions, off elsewhere; the tab in front: what the runs measure, else the update rule).
VIEW_OPTIONAL = ("equal_aspect", "tab")
#: The tabs beside the lesson a session may bring to the front ("view": {"tab": "accuracy"}): the one its text
#: asks the student to open.
TABS = ("update_rule", "optimizer_state", "sharpness", "noise_scale", "accuracy")


@dataclass
class SessionRun:
    """A run as a session keeps it: ``config`` is its current config; ``steps`` the steps it had made (None:
    none recorded) and ``earlier`` the ``(config, until_step)`` it ran before ``config`` took over live."""

    name: str
    color: str
    config: dict
    visible: bool = True
    steps: int | None = None
    earlier: tuple[tuple[dict, int], ...] = ()

    def timeline(self) -> Timeline:
        """``(step, config)`` pairs for :func:`gd_core.replay.replay`: each config from the step it took over."""
        starts = [0] + [until for _, until in self.earlier]
        return tuple(zip(starts, [config for config, _ in self.earlier] + [self.config]))

    def to_dict(self) -> dict:
        out = {"name": self.name, "color": self.color, "config": self.config, "visible": self.visible}
        if self.steps:
            out["steps"] = self.steps
        if self.earlier:
            out["earlier"] = [{"config": config, "until": until} for config, until in self.earlier]
        return out


@dataclass
class Session:
    title: str = ""
    text: str = ""
    runs: list[SessionRun] = field(default_factory=list)
    view: dict = field(default_factory=lambda: dict(VIEW_DEFAULTS))
    questions: tuple[Question, ...] = ()
    challenge: Challenge | None = None
    locked: frozenset[str] = frozenset()
    answers: dict[int, str] = field(default_factory=dict)  # a student's answers, by question index

    def to_dict(self) -> dict:
        out = {"format": FORMAT, "version": VERSION, "title": self.title, "text": self.text,
               "runs": [r.to_dict() for r in self.runs],
               "view": self.view}
        if self.questions:
            out["questions"] = [q.to_dict() for q in self.questions]
        if self.challenge is not None:
            out["challenge"] = self.challenge.to_dict()
        if self.locked:
            out["locked"] = [group for group in LOCKS if group in self.locked]
        if self.answers:
            out["answers"] = {str(index): text for index, text in sorted(self.answers.items())}
        return out


def _expect(value, kind, key: str, what: str):
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        # a key left out (or null) said "got None", a word the file never held
        got = "none given" if value is None else f"got {quote(value)}"
        raise ConfigError(key, f"must be {what}; {got}"[:300])
    return value


def parse_session(data, base_dir: str | None = None) -> Session:
    """Check a decoded session object; relative CSV paths are taken relative to ``base_dir``."""
    check_depth(data, "session")
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ConfigError("session", f"not a GD Lab session (expected \"format\": \"{FORMAT}\")")
    if type(data.get("version")) is not int or data["version"] not in READABLE_VERSIONS:  # true == 1 in Python
        raise ConfigError("session.version", f"version {quote(data.get('version'))} is not supported (this GD Lab "
                                             f"reads versions {', '.join(map(str, READABLE_VERSIONS))})")
    allowed = {"format", "version", "title", "text", "runs", "view", "questions", "challenge", "locked", "answers"}
    for key in data:
        if key not in allowed:
            raise ConfigError(f"session.{key_name(key)}", f"unknown key (allowed: {', '.join(sorted(allowed))})")
    title = _expect(data.get("title", ""), str, "session.title", "a string")
    text = _expect(data.get("text", ""), str, "session.text", "a string")
    for key, value, most in (("title", title, MAX_TITLE_CHARS), ("text", text, MAX_TEXT_CHARS)):
        if len(value) > most:
            raise ConfigError(f"session.{key}", f"is {len(value):,} characters; a session's {key} has at most "
                                                f"{most:,}")
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
            if k not in RUN_KEYS[data["version"]]:
                raise ConfigError(f"{key}.{key_name(k)}",
                                  f"unknown key (allowed: {', '.join(sorted(RUN_KEYS[data['version']]))})")
        name = _expect(item.get("name"), str, f"{key}.name", "a non-empty string").strip()
        if not name:
            raise ConfigError(f"{key}.name", "must not be empty")
        check_plain_name(name, f"{key}.name", "the run name")
        if len(name) > MAX_NAME_CHARS:
            raise ConfigError(f"{key}.name", f"is {len(name):,} characters; a run's name has at most {MAX_NAME_CHARS}")
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
        steps, earlier = _parse_progress(item, key, config, base_dir)
        runs.append(SessionRun(name, color, copy.deepcopy(config), visible, steps, earlier))
    view = dict(VIEW_DEFAULTS)
    for k, v in _expect(data.get("view", {}), dict, "session.view", "an object").items():
        view[k] = _check_view(k, v, len(runs))
    questions = parse_questions(data["questions"], run_params) if "questions" in data else ()
    challenge = parse_challenge(data["challenge"], run_params) if "challenge" in data else None
    locked = parse_locked(data["locked"]) if "locked" in data else frozenset()
    answers = _parse_answers(data["answers"], len(questions)) if "answers" in data else {}
    return Session(title, text, runs, view, questions, challenge, locked, answers)


#: The longest title and lesson text a session may have (the shipped lessons': 71 and 1,778 characters). A window
#: wraps them into labels, and a long unbroken word costs Qt's line breaking the square of its length: a title of
#: 100,000 characters took 4 s to open, one of 3,000,000 (a file of 3 MB, within the size limit) hung the window.
MAX_TITLE_CHARS = 200
MAX_TEXT_CHARS = 50_000
#: The longest run name (the shipped lessons' longest: 24 characters); its labels cost alike (400,000 took 10 s).
MAX_NAME_CHARS = 100
#: A student's answer is at most this long (a number or a choice; more is not an answer).
MAX_ANSWER_CHARS = 200


def _parse_answers(data, n_questions: int) -> dict[int, str]:
    """``{"0": "3.5", ...}``: question index (as a string, JSON keys are) -> the student's answer."""
    _expect(data, dict, "session.answers", 'an object of question number -> answer, e.g. {"0": "0.5"}')
    out = {}
    for key, text in data.items():
        number = counting_number(key, 9)  # (a key of 5,000 digits raised ValueError)
        if number is None or number >= n_questions:
            raise ConfigError(f"session.answers.{key_name(key)}", f"is not a question of this lesson (it has "
                                                                  f"{n_questions}, numbered from 0)")
        _expect(text, str, f"session.answers.{key}", "a string")
        if len(text) > MAX_ANSWER_CHARS:
            raise ConfigError(f"session.answers.{key}", f"is {len(text):,} characters; an answer has at most "
                                                        f"{MAX_ANSWER_CHARS}")
        out[number] = text
    return out


#: The keys of a run, by session version.
RUN_KEYS = {1: {"name", "color", "config", "visible"}, 2: {"name", "color", "config", "visible", "steps", "earlier"}}


def _parse_progress(item: dict, key: str, config: dict, base_dir: str | None) -> tuple[int | None, tuple]:
    """A version-2 run's ``steps`` and ``earlier`` (both absent in version 1): the configs it ran before
    ``config`` must each continue into the next (same problem, data, seed and start), at steps that never go
    back and never pass ``steps``."""
    steps = item.get("steps")
    if steps is not None:
        _expect(steps, int, f"{key}.steps", f"a step count 0..{MAX_STEPS:,}")
        if not 0 <= steps <= MAX_STEPS:
            raise ConfigError(f"{key}.steps", f"must be a step count 0..{MAX_STEPS:,}; got {steps}")
    earlier_data = _expect(item.get("earlier", []), list, f"{key}.earlier",
                           'a list of {"config": ..., "until": step}')
    if earlier_data and steps is None:
        raise ConfigError(f"{key}.earlier", "needs \"steps\": the run's progress")
    earlier, last = [], 0
    for i, entry in enumerate(earlier_data):
        where = f"{key}.earlier[{i}]"
        _expect(entry, dict, where, 'an object {"config": ..., "until": step}')
        if set(entry) != {"config", "until"}:
            raise ConfigError(where, 'must hold exactly "config" and "until"')
        until = _expect(entry["until"], int, f"{where}.until", "a step count")
        if not last <= until <= steps:
            raise ConfigError(f"{where}.until", f"must be a step in {last}..{steps} (in order, at most the run's "
                                                f"steps); got {until}")
        earlier_config = _expect(entry["config"], dict, f"{where}.config", "a run config object")
        if base_dir is not None:
            earlier_config = with_base_dir(earlier_config, base_dir)
        try:
            validate(earlier_config)
        except ConfigError as error:
            raise ConfigError(f"{where}.config.{error.key}", error.problem) from None
        earlier.append((copy.deepcopy(earlier_config), until))
        last = until
    for i, (earlier_config, _) in enumerate(earlier):
        following = earlier[i + 1][0] if i + 1 < len(earlier) else config
        if not continues(earlier_config, following):
            raise ConfigError(f"{key}.earlier[{i}].config", "must have the same problem, data, seed and start as "
                                                            "the config that followed it (a change of those "
                                                            "starts a run afresh)")
    return steps, tuple(earlier)


def _check_view(key: str, value, n_runs: int):
    where = f"view.{key}"
    if key == "x_axis":
        if value not in X_AXES:
            raise ConfigError(where, f"must be one of {', '.join(X_AXES)}; got {quote(value)}")
    elif key in ("log_y", "batch_surface", "arrows", "equal_aspect", "batch_losses"):
        _expect(value, bool, where, "true or false")
    elif key == "space_mode":
        if value not in SPACE_MODES:
            raise ConfigError(where, f"must be one of {', '.join(SPACE_MODES)}; got {quote(value)}")
    elif key == "tab":
        if value not in TABS:
            raise ConfigError(where, f"must be one of {', '.join(TABS)}; got {quote(value)}")
    elif key == "pair":
        if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) and not isinstance(v, bool)
                                                                     and v >= 0 for v in value)
                and value[0] != value[1]):
            raise ConfigError(where, f"must be two different parameter indices like [0, 1]; got {quote(value)}")
    elif key == "tolerance":
        value = TOLERANCE.check(value, where)
    elif key == "selected":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < n_runs:
            raise ConfigError(where, f"must be a run index in 0..{n_runs - 1}; got {quote(value)}")
    else:
        allowed = ", ".join((*VIEW_DEFAULTS, *VIEW_OPTIONAL))
        raise ConfigError(f"view.{key_name(key)}", f"unknown view setting (allowed: {allowed})")
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
