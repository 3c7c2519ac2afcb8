"""A lesson's questions and challenge, with answers computed from the lesson's own runs, never typed in.

A lesson (a session file with a title and a text) may carry::

    "questions": [
      {"text": "Which run reaches the lowest loss in 5 epochs?", "choices": "runs",
       "answer": {"lowest": "final_loss"}, "explain": "..."},
      {"text": "How many steps does the mini-batch run make?",
       "answer": {"metric": "steps", "run": "mini-batch 16"}, "tolerance": 0}
    ],
    "challenge": {"text": "Reach a loss below 1e-3 within 100 steps.", "run": "momentum",
                  "goal": {"metric": "best_loss", "below": 1e-3}, "within_steps": 100}

A question with ``choices`` (a list of strings, or ``"runs"`` for the run names, or ``"yes/no"``) is answered by
picking one; a question without is answered by a number, right when within ``tolerance`` (relative, default
5%) of the computed answer. The answer is an expression over the finished runs:

    {"metric": M, "run": NAME}         the number M of one run
    {"lowest": M} / {"highest": M}     the name of the run with the lowest / highest M ("among": [names] limits it)
    {"status": NAME}                   completed | converged | diverged | stopped early
    {"ratio": [EXPR, EXPR]}            one number divided by another
    {"difference": [EXPR, EXPR]}       one number minus another
    {"compare": [EXPR, "<" | ">", EXPR]}  "yes" or "no"

and a metric M is a name - ``final_loss``, ``best_loss``, ``excess_loss`` (final loss minus the known minimum),
``min_loss`` (the problem's known minimum), ``final_lr`` (the rate of the last update), ``steps``, ``epochs``,
``samples_seen``, ``evaluations`` (of the loss and gradient, all the run spent),
``steps_to_tolerance`` (the first step within the lesson's tolerance of the minimum),
``distance_to_minimum`` (from the final point to the nearest known minimiser), ``params_moved_per_step`` (how many
parameters an update changes, on average), ``final_sharpness`` and ``final_noise_scale`` (the last value the run's
"track" measured), ``final_val_loss``, ``best_val_loss`` and ``best_val_step`` (with a validation split: the
last and lowest held-out loss and the step of the lowest), ``final_accuracy`` and ``final_val_accuracy`` (a
classifier's) - or an object: ``{"name": "loss_at", "step": k}``,
``{"name": "param", "param": "x"}`` (its final value), ``{"name": "param_at", "param": "x", "step": k}``,
``{"name": "max_abs_param", "param": "y", "from": a, "to": b}`` (the largest |value| over steps a..b),
``{"name": "steps_to_loss", "below": v}`` (the first step whose loss is below v),
``{"name": "evaluations_to_loss", "below": v}`` (the evaluations spent by then),
``{"name": "distance_to", "point": [x, y]}`` (from the final point).
"""

from __future__ import annotations

import html
import math
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from typing import NamedTuple

import numpy as np

from .errors import ConfigError
from .files import quote, read_json, read_unless_unchanged
from .history import History
from .problems import Problem
from .results import run_summary
from .settings import lock_group_of
from .spec import MAX_STEPS, commas_group_thousands

#: A number answer is right within this relative distance of the computed one, unless the question says.
DEFAULT_TOLERANCE = 0.05
#: A lesson asks at most this many questions.
MAX_QUESTIONS = 12
YES_NO = ("yes", "no")
STATUSES = ("completed", "converged", "diverged", "stopped early")

_SIMPLE_METRICS = ("final_loss", "best_loss", "excess_loss", "min_loss", "final_lr", "steps", "epochs",
                   "samples_seen", "evaluations", "steps_to_tolerance", "distance_to_minimum", "params_moved_per_step",
                   "final_sharpness", "final_noise_scale", "final_val_loss", "best_val_loss", "best_val_step",
                   "final_accuracy", "final_val_accuracy")
_METRIC_FIELDS = {"loss_at": {"step"}, "param": {"param"}, "param_at": {"param", "step"},
                  "max_abs_param": {"param", "from", "to"}, "steps_to_loss": {"below"},
                  "evaluations_to_loss": {"below"}, "distance_to": {"point"}}
_ARITHMETIC = {"ratio": "one number divided by another", "difference": "one number minus another"}


@dataclass(frozen=True)
class RunResult:
    """What an answer is computed from: one finished run of the lesson."""

    history: History
    problem: Problem


@dataclass(frozen=True)
class Question:
    text: str
    answer: dict
    choices: tuple[str, ...] = ()  # empty: answered by a number
    tolerance: float = DEFAULT_TOLERANCE
    explain: str = ""

    @property
    def is_choice(self) -> bool:
        return bool(self.choices)

    def to_dict(self) -> dict:
        out: dict = {"text": self.text}
        if self.choices:
            out["choices"] = list(self.choices)
        out["answer"] = self.answer
        if not self.choices and self.tolerance != DEFAULT_TOLERANCE:
            out["tolerance"] = self.tolerance
        if self.explain:
            out["explain"] = self.explain
        return out


@dataclass(frozen=True)
class Challenge:
    """A goal checked live on one run (the selected run when ``run`` is empty): ``metric`` below ``below`` within
    the first ``within_steps`` steps (any step when None)."""

    text: str
    metric: object
    below: float
    run: str = ""
    within_steps: int | None = None

    def to_dict(self) -> dict:
        out: dict = {"text": self.text}
        if self.run:
            out["run"] = self.run
        out["goal"] = {"metric": self.metric, "below": self.below}
        if self.within_steps is not None:
            out["within_steps"] = self.within_steps
        return out


# -- reading ------------------------------------------------------------------------------------------------------
def _expect(value, kind, key: str, what: str):
    if not isinstance(value, kind) or (kind in (int, float) and isinstance(value, bool)):
        raise ConfigError(key, f"must be {what}; got {quote(value)}")
    return value


def _number(value, key: str, low: float | None = None) -> float:
    _expect(value, (int, float), key, "a number")
    try:
        value = float(value)
    except OverflowError:
        raise ConfigError(key, "must be a finite number; got a number too large") from None
    if not math.isfinite(value) or (low is not None and value < low):
        raise ConfigError(key, f"must be a finite number{f' >= {low:g}' if low is not None else ''}; got {value!r}")
    return value


def _check_metric(metric, key: str, run_params: Mapping[str, tuple[str, ...]], runs: list[str]) -> None:
    if isinstance(metric, str):
        if metric not in _SIMPLE_METRICS:
            raise ConfigError(key, f"unknown metric {quote(metric)} (allowed: {', '.join(_SIMPLE_METRICS)}, "
                                   f"or an object named {', '.join(_METRIC_FIELDS)})")
        return
    _expect(metric, dict, key, "a metric name or an object with \"name\"")
    name = metric.get("name")
    if name not in _METRIC_FIELDS:
        raise ConfigError(f"{key}.name", f"must be one of {', '.join(_METRIC_FIELDS)}; got {quote(name)}")
    fields = _METRIC_FIELDS[name]
    for k in metric:
        if k != "name" and k not in fields:
            raise ConfigError(f"{key}.{k}", f"is not a field of {name} (allowed: {', '.join(sorted(fields))})")
    for k in fields:
        if k not in metric:
            raise ConfigError(f"{key}.{k}", f"is missing ({name} needs {', '.join(sorted(fields))})")
    if "param" in fields:
        param = metric["param"]
        for run in runs:
            if param not in run_params[run]:
                raise ConfigError(f"{key}.param", f"run {quote(run)} has no parameter {quote(param)} "
                                                  f"(it has {', '.join(run_params[run])})")
    for k in ("step", "from", "to"):
        if k in fields:
            _expect(metric[k], int, f"{key}.{k}", "a step number >= 0")
            if metric[k] < 0:
                raise ConfigError(f"{key}.{k}", f"must be a step number >= 0; got {metric[k]}")
    if "from" in fields and metric["from"] > metric["to"]:
        raise ConfigError(f"{key}.from", f"must be at most \"to\" ({metric['to']}); got {metric['from']}")
    if "below" in fields:
        _number(metric["below"], f"{key}.below")
    if "point" in fields:
        point = _expect(metric["point"], list, f"{key}.point", "a list of numbers, one per parameter")
        for i, v in enumerate(point):
            _number(v, f"{key}.point[{i}]")
        for run in runs:
            if len(point) != len(run_params[run]):
                raise ConfigError(f"{key}.point", f"needs {len(run_params[run])} numbers for run {quote(run)}; "
                                                  f"got {len(point)}")


def _check_run(name, key: str, runs: list[str]) -> str:
    if name not in runs:
        raise ConfigError(key, f"names no run of this lesson: {quote(name)} (runs: {', '.join(runs)})")
    return name


def _check_answer(expr, key: str, run_params: Mapping[str, tuple[str, ...]]) -> str:
    """Check an answer expression; return what it gives: "number", "run", "status" or "yes/no"."""
    runs = list(run_params)
    _expect(expr, dict, key, "an answer object like {\"lowest\": \"final_loss\"}")
    if len(expr) != 1 and set(expr) not in ({"metric", "run"}, {"lowest", "among"}, {"highest", "among"}):
        raise ConfigError(key, f"must hold one of {_FORMS}; got keys {', '.join(map(str, expr))}")
    if "metric" in expr:
        if "run" not in expr:
            raise ConfigError(f"{key}.run", "is missing: which run's metric")
        _check_run(expr["run"], f"{key}.run", runs)
        _check_metric(expr["metric"], f"{key}.metric", run_params, [expr["run"]])
        return "number"
    for side in ("lowest", "highest"):
        if side in expr:
            among = expr.get("among", runs)
            _expect(among, list, f"{key}.among", "a list of run names")
            if len(among) < 2:
                raise ConfigError(f"{key}.among", "must name at least two runs")
            for i, name in enumerate(among):
                _check_run(name, f"{key}.among[{i}]", runs)
            _check_metric(expr[side], f"{key}.{side}", run_params, among)
            return "run"
    if "status" in expr:
        _check_run(expr["status"], f"{key}.status", runs)
        return "status"
    for op in _ARITHMETIC:
        if op in expr:
            pair = _expect(expr[op], list, f"{key}.{op}", "a list of two number expressions")
            if len(pair) != 2:
                raise ConfigError(f"{key}.{op}", "must hold two number expressions")
            for i, part in enumerate(pair):
                if _check_answer(part, f"{key}.{op}[{i}]", run_params) != "number":
                    raise ConfigError(f"{key}.{op}[{i}]", "must give a number (metric and run, ratio, difference)")
            return "number"
    if "compare" in expr:
        shape = "[number expression, \"<\" or \">\", number expression]"
        triple = _expect(expr["compare"], list, f"{key}.compare", shape)
        if len(triple) != 3 or triple[1] not in ("<", ">"):
            raise ConfigError(f"{key}.compare", f"must be {shape}")
        for i in (0, 2):
            if _check_answer(triple[i], f"{key}.compare[{i}]", run_params) != "number":
                raise ConfigError(f"{key}.compare[{i}]", "must give a number (metric and run, ratio, difference)")
        return "yes/no"
    raise ConfigError(key, f"must hold one of {_FORMS}; got keys {', '.join(map(str, expr))}")


_FORMS = "metric+run, lowest, highest, status, ratio, difference, compare"


def parse_questions(data, run_params: Mapping[str, tuple[str, ...]]) -> tuple[Question, ...]:
    """Check a lesson's ``questions`` list against its runs (name -> parameter names)."""
    items = _expect(data, list, "questions", "a list of questions")
    if len(items) > MAX_QUESTIONS:
        raise ConfigError("questions", f"holds {len(items)} questions; a lesson asks at most {MAX_QUESTIONS}")
    out = []
    for i, item in enumerate(items):
        key = f"questions[{i}]"
        _expect(item, dict, key, "an object with \"text\" and \"answer\"")
        allowed = {"text", "choices", "answer", "tolerance", "explain"}
        for k in item:
            if k not in allowed:
                raise ConfigError(f"{key}.{k}", f"unknown key (allowed: {', '.join(sorted(allowed))})")
        text = _expect(item.get("text"), str, f"{key}.text", "the question, as text").strip()
        if not text:
            raise ConfigError(f"{key}.text", "must not be empty")
        gives = _check_answer(item.get("answer"), f"{key}.answer", run_params)
        runs = item["answer"].get("among", list(run_params))
        choices = _choices(item.get("choices"), gives, f"{key}.choices", runs)
        tolerance = DEFAULT_TOLERANCE
        if "tolerance" in item:
            if choices:
                raise ConfigError(f"{key}.tolerance", "only a number question has a tolerance")
            tolerance = _number(item["tolerance"], f"{key}.tolerance", low=0.0)
        explain = _expect(item.get("explain", ""), str, f"{key}.explain", "text")
        out.append(Question(text, item["answer"], choices, tolerance, explain))
    return tuple(out)


def _choices(value, gives: str, key: str, runs: list[str]) -> tuple[str, ...]:
    natural = {"run": tuple(runs), "status": STATUSES, "yes/no": YES_NO}.get(gives)
    if value is None:
        if gives == "number":
            return ()
        return natural
    if gives == "number":
        raise ConfigError(key, "a question whose answer is a number has no choices")
    if value == "runs" and gives == "run":
        return tuple(runs)
    if value == "yes/no" and gives == "yes/no":
        return YES_NO
    _expect(value, list, key, "a list of choices (or \"runs\", or \"yes/no\")")
    if not all(isinstance(v, str) and v for v in value) or len(set(value)) != len(value) or len(value) < 2:
        raise ConfigError(key, "must list at least two different, non-empty choices")
    missing = [v for v in natural if v not in value] if gives != "status" else []
    if missing:
        raise ConfigError(key, f"must offer every possible answer; {', '.join(missing)} is missing")
    return tuple(value)


def among_lesson_runs(question: Question, runs) -> Question:
    """``question`` with a run to pick ({"lowest"/"highest": M}) limited to ``runs`` (the lesson's own, those still
    in the session) by "among", unless it names its runs already: a saved session holds the runs a student added
    (Add, Duplicate, Compare variants) as well, and read back the question would pick among them all - its choice
    list, which names the lesson's runs alone, was refused ("must offer every possible answer") and the file with it.
    """
    expr, runs = question.answer, list(runs)
    if not ({"lowest", "highest"} & set(expr)) or "among" in expr or len(runs) < 2:
        return question
    return replace(question, answer={**expr, "among": runs})


def runs_asked_about(questions, challenge: Challenge | None, lesson_runs) -> set[str]:
    """The names of the runs that ``questions`` and ``challenge`` ask about: the run of any metric, each run of
    an "among", every one of ``lesson_runs`` for a run to pick with no "among", the challenge's run. A session
    without one of them does not open (the question names a run it does not hold)."""
    names: set[str] = set()

    def walk(expr) -> None:
        if isinstance(expr, list):
            for item in expr:
                walk(item)
        elif isinstance(expr, dict):
            if isinstance(expr.get("run"), str):
                names.add(expr["run"])
            names.update(name for name in expr.get("among", ()) if isinstance(name, str))
            if {"lowest", "highest"} & set(expr) and "among" not in expr:
                names.update(lesson_runs)
            for value in expr.values():
                walk(value)

    for question in questions:
        walk(question.answer)
    if challenge is not None and challenge.run:
        names.add(challenge.run)
    return names


def parse_challenge(data, run_params: Mapping[str, tuple[str, ...]]) -> Challenge:
    """Check a lesson's ``challenge`` object against its runs."""
    _expect(data, dict, "challenge", "an object with \"text\" and \"goal\"")
    allowed = {"text", "run", "goal", "within_steps"}
    for k in data:
        if k not in allowed:
            raise ConfigError(f"challenge.{k}", f"unknown key (allowed: {', '.join(sorted(allowed))})")
    text = _expect(data.get("text"), str, "challenge.text", "the goal in words").strip()
    if not text:
        raise ConfigError("challenge.text", "must not be empty")
    run = data.get("run", "")
    runs = list(run_params)
    if run:
        _check_run(run, "challenge.run", runs)
    goal = _expect(data.get("goal"), dict, "challenge.goal", "an object {\"metric\": ..., \"below\": number}")
    if set(goal) != {"metric", "below"}:
        raise ConfigError("challenge.goal", "must hold exactly \"metric\" and \"below\"")
    _check_metric(goal["metric"], "challenge.goal.metric", run_params, [run] if run else [])
    below = _number(goal["below"], "challenge.goal.below")
    within = data.get("within_steps")
    if within is not None:  # steps of a run: at most the longest run's (the lesson editor's box holds as many)
        what = f"a number of steps 1..{MAX_STEPS:,}"
        _expect(within, int, "challenge.within_steps", what)
        if not 1 <= within <= MAX_STEPS:
            raise ConfigError("challenge.within_steps", f"must be {what}; got {quote(within)}")
    return Challenge(text, goal["metric"], below, run, within)


# -- computing ----------------------------------------------------------------------------------------------------
def lacks_minimum(m, problem) -> bool:
    """Whether the metric ``m`` is measured from a known minimum - its value (``excess_loss``, ``min_loss``) or its
    minimisers (``distance_to_minimum``) - that ``problem`` has not: of its runs it is always NaN ("never"), so
    the lesson editor refuses a question about it."""
    if m in ("excess_loss", "min_loss"):
        return problem.min_loss is None
    return m == "distance_to_minimum" and not len(problem.minima)


def metric(m, result: RunResult, tolerance: float) -> float:
    """The number ``m`` of one run (NaN where it does not exist: a tolerance never reached, no known minimum)."""
    history, problem = result.history, result.problem
    loss = history.loss
    if isinstance(m, str):
        if m == "final_loss":
            return float(loss[-1])
        if m in ("best_loss", "steps_to_tolerance", "best_val_loss", "best_val_step"):  # as the results table
            value = run_summary(history, tolerance, problem.min_loss)[m]
            return math.nan if value is None else float(value)
        if lacks_minimum(m, problem):
            return math.nan
        if m == "excess_loss":
            return float(loss[-1] - problem.min_loss)
        if m == "min_loss":
            return float(problem.min_loss)
        if m == "params_moved_per_step":  # over consecutive steps (a network's kept parameters may be thinned)
            consecutive = np.diff(history.param_step) == 1
            moved = (np.diff(history.params, axis=0) != 0)[consecutive]
            return float(moved.sum(axis=1).mean()) if len(moved) else math.nan
        if m == "final_lr":
            return float(history.lr[-1])
        if m in ("steps", "epochs", "samples_seen", "evaluations"):
            return float(history.column({"steps": "step", "epochs": "epoch"}.get(m, m))[-1])
        if m in ("final_sharpness", "final_noise_scale"):
            values = history.measured(m.removeprefix("final_"))
            finite = values[np.isfinite(values)]
            return float(finite[-1]) if len(finite) else math.nan
        if m in ("final_val_loss", "final_accuracy", "final_val_accuracy"):
            return float(history.column(m.removeprefix("final_"))[-1])  # NaN without a split / a classifier
        if m == "distance_to_minimum":
            return float(np.min(np.linalg.norm(problem.minima - history.params[-1], axis=1)))
    name = m["name"]
    steps = history.step
    if name == "loss_at":
        rows = np.flatnonzero(steps == m["step"])
        return float(loss[rows[0]]) if len(rows) else math.nan
    if name == "param":
        return float(history.params[-1, problem.param_names.index(m["param"])])
    if name == "param_at":  # NaN where the step's parameters were not kept (a network's, thinned)
        rows = np.flatnonzero(history.param_step == m["step"])
        return float(history.params[rows[0], problem.param_names.index(m["param"])]) if len(rows) else math.nan
    if name == "distance_to":
        return float(np.linalg.norm(history.params[-1] - np.asarray(m["point"], dtype=float)))
    if name == "max_abs_param":
        j = problem.param_names.index(m["param"])
        rows = (history.param_step >= m["from"]) & (history.param_step <= m["to"])
        return float(np.max(np.abs(history.params[rows, j]))) if rows.any() else math.nan
    if name == "steps_to_loss":
        return _first_step(history, loss < m["below"])
    if name == "evaluations_to_loss":
        with np.errstate(invalid="ignore"):
            rows = np.flatnonzero(loss < m["below"])
        return float(history.evaluations[rows[0]]) if len(rows) else math.nan
    raise ValueError(f"unknown metric {m!r}")  # parse_questions refuses these; a programming error here


def _first_step(history: History, reached: np.ndarray) -> float:
    with np.errstate(invalid="ignore"):
        rows = np.flatnonzero(reached)
    return float(history.step[rows[0]]) if len(rows) else math.nan


class Tie(str):
    """The answer to "which run has the lowest/highest ..." where several runs share that value: each of
    ``names`` is right; as text it names them all ("run 1 and run 2 (a tie)")."""

    names: tuple[str, ...]

    def __new__(cls, names):
        names = tuple(names)
        text = super().__new__(cls, f"{', '.join(names[:-1])} and {names[-1]} (a tie)")
        text.names = names
        return text


#: Values of a metric closer than this (relative) are a tie: a duplicated run computes the same numbers, a run
#: stepped in a group beside it may differ in the last bits.
TIE_RTOL = 1e-9


def evaluate(expr: dict, results: Mapping[str, RunResult], tolerance: float):
    """The value of an answer expression: a number, a run name (a :class:`Tie` where runs share the lowest or
    highest value), a status or "yes"/"no"."""
    if "metric" in expr:
        return metric(expr["metric"], results[expr["run"]], tolerance)
    for side, pick in (("lowest", np.nanargmin), ("highest", np.nanargmax)):
        if side in expr:
            among = expr.get("among", list(results))
            values = np.array([metric(expr[side], results[name], tolerance) for name in among])
            if np.all(np.isnan(values)):
                return math.nan
            best = values[int(pick(values))]
            tied = [name for name, value in zip(among, values) if np.isclose(value, best, rtol=TIE_RTOL, atol=0)]
            return Tie(tied) if len(tied) > 1 else tied[0]
    if "status" in expr:
        status = results[expr["status"]].history.status
        return status.replace("_", " ")
    if "ratio" in expr:
        top, bottom = (evaluate(part, results, tolerance) for part in expr["ratio"])
        return top / bottom if bottom else math.nan
    if "difference" in expr:
        a, b = (evaluate(part, results, tolerance) for part in expr["difference"])
        return a - b
    if "compare" in expr:
        left, op, right = expr["compare"]
        a, b = evaluate(left, results, tolerance), evaluate(right, results, tolerance)
        return "yes" if (a < b if op == "<" else a > b) else "no"
    raise ValueError(f"unknown answer {expr!r}")


def answer(question: Question, results: Mapping[str, RunResult], tolerance: float):
    """The computed answer of ``question`` from the finished runs."""
    return evaluate(question.answer, results, tolerance)


#: What a typed answer may look like, said when one cannot be read (beside what was typed).
NUMBER_FORMS = "one number, such as 42, 1,250, -0.3, 1.5e-3, 87% or never"
#: A typed number answer longer than this is refused unread (a session file may carry any text).
MAX_TYPED_NUMBER = 60
#: A number as students write one: an optional "~" or "≈", a sign (a typographic minus too), digits with
#: thousands commas or not, a decimal point, an exponent; then an optional % and an optional unit ("2x", "50
#: steps" - a word after a space: "1e" is a typo, not 1).
_TYPED_NUMBER = re.compile(r"[~≈]?\s*(?P<number>[+\-−]?(?:[\d,]+(?:\.\d*)?|\.\d+)(?:[eE][+\-−]?\d+)?)\s*(?P<percent>%?)"
                           r"(?:[x×]|\s+[^\W\d_]+)?")


def parse_number(text: str) -> float:
    """A typed number answer as a student writes it: ``1,250`` (thousands commas), ``−0.3`` (a typographic
    minus, as the lesson texts print it), ``87%`` (0.87), ``50 steps`` (a unit word after it), ``never`` (NaN,
    as :func:`format_answer` prints a run that never got there). Raises ValueError saying what is wrong and
    what is allowed (``1,5`` is refused: a decimal comma would be read as 15)."""
    said = text.strip()
    if len(said) > MAX_TYPED_NUMBER:
        raise ValueError(f"'{said[:MAX_TYPED_NUMBER]}...' is too long for a number: type {NUMBER_FORMS}")
    if said.lower() in ("never", "nan"):
        return math.nan
    match = _TYPED_NUMBER.fullmatch(said)
    number = match["number"].replace("−", "-") if match else ""
    if not commas_group_thousands(number):
        raise ValueError(f"'{said}' is not a number: a comma only groups thousands (1,250); write decimals "
                         "with a point (1.5)")
    try:
        value = float(number.replace(",", ""))
    except ValueError:
        raise ValueError(f"'{said}' is not a number: type {NUMBER_FORMS}") from None
    return value / 100 if match["percent"] else value


def is_right(question: Question, given, truth) -> bool:
    """Whether a student's answer (a choice, or a number or numeric text, read by :func:`parse_number`) matches
    the computed one."""
    if question.is_choice:
        return given in truth.names if isinstance(truth, Tie) else given == truth
    try:
        value = parse_number(given) if isinstance(given, str) else float(given)
    except (TypeError, ValueError, OverflowError):
        return False
    if not (isinstance(truth, float) and math.isfinite(truth)) or not math.isfinite(value):
        return isinstance(truth, float) and math.isnan(truth) and math.isnan(value)
    return abs(value - truth) <= question.tolerance * abs(truth) + 1e-12


#: The HTML a lesson text may use; anything else (scripts, images, links, styles, attributes) is dropped.
LESSON_TAGS = frozenset({"p", "br", "b", "i", "em", "strong", "u", "sub", "sup", "ul", "ol", "li", "h3", "h4",
                         "code", "pre", "blockquote", "span"})


class _Sanitizer(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0  # inside <script> or <style>: drop the content too

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in LESSON_TAGS and not self.skip:
            self.out.append(f"<{tag}>")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in LESSON_TAGS and tag != "br" and not self.skip:
            self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(html.escape(data, quote=False))


def safe_html(text: str) -> str:
    """Lesson HTML reduced to :data:`LESSON_TAGS` without attributes: nothing that loads, links or runs."""
    parser = _Sanitizer()
    parser.feed(text)
    parser.close()
    return "".join(parser.out)


def strip_tags(html_text: str) -> str:
    """Lesson HTML as plain text (for the terminal): tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


def format_answer(value) -> str:
    """An answer as the lesson shows it: numbers to 4 significant digits, integers whole, "never" for NaN."""
    if isinstance(value, str):
        return value
    if math.isnan(value):
        return "never"
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:.4g}"


def challenge_met(challenge: Challenge, result: RunResult, tolerance: float) -> bool:
    """Whether a run (finished or still running) meets the challenge so far."""
    history = result.history
    if challenge.within_steps is not None:
        rows = int(np.searchsorted(history.step, challenge.within_steps, side="right"))
        history = history.first(rows)
    value = metric(challenge.metric, RunResult(history, result.problem), tolerance)
    return bool(value < challenge.below)


def run_lesson(configs: Mapping[str, dict]) -> dict[str, RunResult]:
    """Run a lesson's runs (name -> config) to their end, headless and vectorised where possible."""
    from .config import build_problem, validate
    from .many import run_many

    histories = run_many(list(configs.values()))
    return {name: RunResult(history, build_problem(validate(config)))
            for (name, config), history in zip(configs.items(), histories)}


# -- locked controls ----------------------------------------------------------------------------------------------
#: What a lesson can fix for its students: group -> what it covers, in words. Keys of a run config belong to a
#: group by :func:`lock_group`; "runs" covers adding, duplicating and removing runs.
LOCKS = {
    "problem": "the problem, its settings and its data",
    "variant": "the variant, batch size and sampling",
    "optimizer": "the optimizer and its hyperparameters other than the learning rate",
    "lr": "the learning rate and its schedule",
    "run": "the run length, seed, clipping, tolerance and gradient noise",
    "start": "the start point",
    "runs": "the list of runs (adding, duplicating, removing)",
}


def lock_group(key: str) -> str:
    """The lock group of a config key (``optimizer.lr`` -> "lr"; a problem's own settings -> "problem")."""
    if key == "optimizer.lr":
        return "lr"
    if key.startswith("optimizer"):
        return "optimizer"
    return lock_group_of(key.split(".")[0]) or "problem"


def locked_change(old: dict, new: dict, locked) -> str | None:
    """The first locked group in which config ``new`` differs from ``old``, or None."""
    if not locked:
        return None
    for key in sorted((set(old) | set(new)) - {"track"}):  # what a run measures is never fixed: it changes no step
        if isinstance(old.get(key), dict) and isinstance(new.get(key), dict) and key == "optimizer":
            for sub in sorted(set(old[key]) | set(new[key])):
                if old[key].get(sub) != new[key].get(sub) and lock_group(f"optimizer.{sub}") in locked:
                    return lock_group(f"optimizer.{sub}")
        elif old.get(key) != new.get(key) and lock_group(key) in locked:
            return lock_group(key)
    return None


def parse_locked(data) -> frozenset[str]:
    """Check a lesson's ``locked`` list of groups (see :data:`LOCKS`)."""
    items = _expect(data, list, "locked", f"a list of groups to fix, from {', '.join(LOCKS)}")
    for i, item in enumerate(items):
        if item not in LOCKS:
            raise ConfigError(f"locked[{i}]", f"must be one of {', '.join(LOCKS)}; got {quote(item)}")
    return frozenset(items)


# -- lessons from a folder ----------------------------------------------------------------------------------------
#: The Lessons menu lists at most this many lessons of a folder (the first by file name).
MAX_FOLDER_LESSONS = 100

#: A folder's listing looks at most at this many ``*.json`` files and reads at most this many bytes of them (a
#: hundred lessons are ~0.5 MB): a folder of another tool's JSON files was read whole each time it changed -
#: a thousand data files of 10 MB, 10 GB, while the Lessons menu opened.
MAX_FOLDER_FILES = 1000
MAX_FOLDER_BYTES = 16 * 2**20


class LessonFolder(NamedTuple):
    """What a folder of lessons holds, by file name: ``lessons`` (path, title) of the files that read as a GD Lab
    session with a title; ``unreadable`` (file name, why) of the files that could not be read as JSON (a lesson
    edited by hand and broken, too large, a FIFO); ``unread``, how many ``*.json`` files were not looked at
    (past :data:`MAX_FOLDER_LESSONS` lessons, :data:`MAX_FOLDER_FILES` files or :data:`MAX_FOLDER_BYTES`). A file
    that reads as JSON of another kind is no lesson, and not named."""

    lessons: list[tuple[str, str]]
    unreadable: list[tuple[str, str]]
    unread: int


def folder_lessons(folder: str) -> list[tuple[str, str]]:
    """(path, title) of the lesson files in ``folder`` (see :func:`read_lesson_folder`)."""
    return read_lesson_folder(folder).lessons


def read_lesson_folder(folder: str) -> LessonFolder:
    """The lessons of ``folder``, the files that could not be read and how many were left unread (see
    :class:`LessonFolder`); a file is read again only when it changed, and never when it is larger than a
    session may be, or not a regular file (a FIFO, a device: nothing blocks)."""
    from .sessions import MAX_SESSION_BYTES

    try:
        names = sorted(n for n in os.listdir(folder) if n.lower().endswith(".json"))
    except (OSError, ValueError):  # (ValueError: a NUL in the name - a settings file edited by hand holds anything)
        return LessonFolder([], [], 0)
    lessons, unreadable, read = [], [], 0
    for i, name in enumerate(names):
        path = os.path.join(folder, name)
        try:
            info = os.stat(path)
            size = info.st_size if stat.S_ISREG(info.st_mode) and info.st_size <= MAX_SESSION_BYTES else 0
        except OSError:
            size = 0  # gone or unreachable: reading it says why
        read += size
        if len(lessons) == MAX_FOLDER_LESSONS or i == MAX_FOLDER_FILES or (i and read > MAX_FOLDER_BYTES):
            return LessonFolder(lessons, unreadable, len(names) - i)
        title, problem = read_unless_unchanged(path, _folder_lesson_title)
        if title is not None:
            lessons.append((path, title))
        elif problem:
            unreadable.append((name, problem))
    return LessonFolder(lessons, unreadable, 0)


def _folder_lesson_title(path: str) -> tuple[str | None, str]:
    """(the title of the lesson file ``path`` or None when it is no GD Lab session with a title, why it could not
    be read as JSON or "")."""
    from .sessions import FORMAT, MAX_SESSION_BYTES

    try:
        data = read_json(path, "lesson", MAX_SESSION_BYTES, "lesson file")
    except ConfigError as error:
        return None, error.problem
    if isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("title"), str) \
            and data["title"].strip():
        return data["title"].strip(), ""
    return None, ""
