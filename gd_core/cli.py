"""``gdlab-run`` / ``python -m gd_core``: run a config, a lesson or a session headless and write CSV files.

Exit codes: 0 done (whatever the run's status), 2 bad input (one ``error:`` line on stderr, no output file).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass

from .config import build_problem, load_config, problem_name, split_named, switch_problem, validate
from .datasets import DATA_NAMES, GENERATORS, NUMBER
from .errors import ConfigError
from .files import (
    QUOTE_CHARS,
    csv_writer,
    parse_json,
    quote,
    shown_path,
    silence_stdout,
    unique_stems,
    write_csv,
    write_into,
)
from .lesson_library import list_lessons, load_lesson
from .lessons import answer, format_answer, run_lesson, strip_tags
from .lr_finder import find_lr
from .many import run_many
from .optimizers import OPTIMIZERS
from .problems import PROBLEMS
from .replay import replay
from .results import run_summary
from .samplers import SAMPLINGS, VARIANTS
from .schedules import SCHEDULES
from .sessions import Session, load_session
from .settings import SETTINGS, Setting
from .spec import INTEGER, Param
from .trainer import Trainer


class OneLineParser(argparse.ArgumentParser):
    """argparse whose mistakes are one ConfigError line, without the usage dump. argparse quotes what was typed
    whole ("unrecognized arguments: ...", "invalid choice: ..."): a word longer than a quoted value is shortened
    as :func:`quote` shortens one, and the line to :data:`MAX_MESSAGE_CHARS` - an argument of 3,000 characters
    made an error line of 3,032."""

    def error(self, message):
        message = re.sub(rf"\S{{{QUOTE_CHARS + 1},}}", lambda word: word[0][:QUOTE_CHARS] + "...", message)
        raise ConfigError("", message if len(message) <= MAX_MESSAGE_CHARS else message[:MAX_MESSAGE_CHARS] + "...")


#: The longest message argparse's own words make (a few arguments it does not know, quoted).
MAX_MESSAGE_CHARS = 400


@dataclass(frozen=True)
class SettingFlag:
    """A command-line flag that sets one setting: ``part`` is "run" (a row of SETTINGS, at the config's top
    level), "problem" (a problem's setting, top level too), "optimizer", "data" or "schedule" (inside that part);
    ``params`` are the registry rows of that name (several optimizers share ``momentum``)."""

    flag: str
    part: str
    name: str
    params: tuple[Param, ...]
    aliases: tuple[str, ...] = ()

    @property
    def dest(self) -> str:
        return self.flag[2:].replace("-", "_")


#: Older spellings of data flags, kept working.
_DATA_ALIASES = {"n_samples": ("--n-samples",), "noise": ("--noise",)}


def setting_flags() -> list[SettingFlag]:
    """One flag per setting of every table: the run-level rows and each problem's settings as ``--NAME``, the
    optimizers' hyperparameters as ``--NAME`` (``--lr``, ``--rho``), the data generators' settings as
    ``--data-NAME`` and the schedules' as ``--schedule-NAME`` (their names would clash with the run's: seed,
    steps). A name several rows of one part share is one flag."""
    flags = [SettingFlag(s.flag, "run", s.name, (s,), s.aliases) for s in SETTINGS.values()]
    for part, registry, prefix in (("problem", PROBLEMS, ""), ("optimizer", OPTIMIZERS, ""),
                                   ("data", GENERATORS, "data-"), ("schedule", SCHEDULES, "schedule-")):
        rows: dict[str, list[Param]] = {}
        for spec in registry.values():
            for param in spec.params:
                rows.setdefault(param.name, []).append(param)
        for name, params in rows.items():
            aliases = _DATA_ALIASES.get(name, ()) if part == "data" else ()
            flags.append(SettingFlag(f"--{prefix}{name.replace('_', '-')}", part, name, tuple(params), aliases))
    return flags


#: What switches an optional setting off on the command line (``--clip-norm off``).
OFF = "off"
_SWITCHED_OFF = object()  # the parsed "off" (None would read as "flag not given")


def _flag_type(flag: SettingFlag):
    """argparse's ``type`` for a flag: numbers and integers parsed strictly (the core checks their range); a
    setting made of sub-settings (a line search) as a JSON object, or ``off``."""
    param = flag.params[0]
    kinds = {p.kind for p in flag.params}
    if dict in kinds:  # where another row of the name takes a name instead (L-BFGS's line search), a name
        return lambda text: (_SWITCHED_OFF if text.strip().lower() == OFF
                             else text if str in kinds and not text.lstrip().startswith("{")
                             else parse_json(text, flag.flag, f"the {flag.flag} value"))
    parse = {int: integer_argument, float: number_argument}.get(param.kind, str)
    if isinstance(param, Setting) and param.optional:
        return lambda text: _SWITCHED_OFF if text.strip().lower() == OFF else parse(text)
    return parse


def _flag_help(flag: SettingFlag) -> str:
    param = flag.params[0]
    owners = ""
    if flag.part in ("problem", "optimizer", "data", "schedule"):
        registry = {"problem": PROBLEMS, "optimizer": OPTIMIZERS, "data": GENERATORS, "schedule": SCHEDULES}
        names = [spec.name for spec in registry[flag.part].values() if flag.params[0].name in
                 {p.name for p in spec.params}]
        owners = f"{flag.part} {', '.join(names) if len(names) < len(registry[flag.part]) else '(every one)'}: "
    off = f", or {OFF}" if (isinstance(param, Setting) and param.optional) or param.kind is dict else ""
    allowed = param.allowed()
    if len({p.kind for p in flag.params}) > 1:  # rows of one name that take different values say each
        allowed = "; ".join(f"{', '.join(s.name for s in registry[flag.part].values() if p in s.params)}: "
                            f"{p.allowed()}" for p in {p.kind: p for p in flag.params}.values())
    return f"{owners}{param.doc} Allowed: {allowed}{off}.".replace("%", "%%")


def _parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog="gdlab-run", description="Run one gradient-descent config headless and write its history. "
                                              "Every setting has a flag; the flags override --config.")
    p.add_argument("--config", metavar="FILE.json", help="a JSON config; the flags below override it")
    p.add_argument("--problem", help=f"one of: {', '.join(PROBLEMS)}")
    p.add_argument("--data", help=f"a generator ({', '.join(GENERATORS)}) or a CSV file path")
    p.add_argument("--optimizer", help=f"one of: {', '.join(OPTIMIZERS)}")
    p.add_argument("--schedule", help=f"one of: {', '.join(SCHEDULES)}, or a JSON object such as "
                                      "'{\"name\": \"warmup\", \"then\": \"cosine\"}'")
    exclusive = {}
    for flag in setting_flags():
        param = flag.params[0]
        group = p
        if isinstance(param, Setting) and (param.excludes or any(s.excludes == param.name
                                                                  for s in SETTINGS.values())):
            pair = tuple(sorted((param.name, param.excludes or next(s.name for s in SETTINGS.values()
                                                                    if s.excludes == param.name))))
            if pair not in exclusive:
                exclusive[pair] = p.add_mutually_exclusive_group()
            group = exclusive[pair]
        options = (flag.flag, *flag.aliases)
        if param.kind is bool:
            group.add_argument(*options, dest=flag.dest, action=argparse.BooleanOptionalAction,
                               help=_flag_help(flag))
        elif param.kind is list:
            group.add_argument(*options, dest=flag.dest, nargs="+", metavar="X", help=_flag_help(flag))
        else:
            group.add_argument(*options, dest=flag.dest, type=_flag_type(flag), help=_flag_help(flag),
                               metavar=param.name.upper() if param.kind is not str else "NAME")
    p.add_argument("--out", metavar="FILE.csv", help="write the history here")
    p.add_argument("--list", action="store_true", help="list problems, data, variants, optimizers, schedules and "
                                                       "the run settings")
    many = p.add_mutually_exclusive_group()
    many.add_argument("--lesson", "--preset", metavar="NAME", help="run every run of a lesson (see --list-lessons)")
    many.add_argument("--session", metavar="FILE", help="run every run of a session file (a run saved with its "
                                                        "progress runs to the step it was saved at)")
    p.add_argument("--out-dir", metavar="DIR", help="with --lesson/--session: write DIR/<run>.csv and "
                                                    "DIR/summary.csv")
    p.add_argument("--list-lessons", "--list-presets", action="store_true",
                   help="list the lessons: name and title per line")
    p.add_argument("--find-lr", action="store_true", help="run the learning-rate range test on the config (rates "
                                                          "from 1e-6 to 10 over 100 steps) and print the "
                                                          "suggestions; --out writes the curve")
    p.add_argument("--answers", action="store_true", help="with --lesson/--session: print each question of the "
                                                          "lesson with its answer, computed from its runs")
    return p


def number_argument(text: str) -> float:
    """A flag's number: the strict pattern data files use (no "1_000", no other scripts' digits)."""
    if not NUMBER.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{quote(text)} is not a number")
    return float(text)


def integer_argument(text: str) -> int:
    if not INTEGER.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{quote(text)} is not an integer")
    return int(text)


def _number_list(tokens: list[str], flag: str) -> list[int | float]:
    """Numbers given as separate words or joined by commas; an integer stays an integer (layer sizes)."""
    values = []
    for token in ",".join(tokens).split(","):
        if token.strip():
            try:
                values.append(integer_argument(token))
            except argparse.ArgumentTypeError:
                try:
                    values.append(number_argument(token))
                except argparse.ArgumentTypeError as error:
                    raise ConfigError(flag, str(error)) from None
    return values


def _kept(settings: dict, spec) -> dict:
    """The settings that ``spec`` (an optimizer, a schedule or a data generator, or None) also has."""
    names = {p.name for p in spec.params} if spec is not None else set()
    return {k: v for k, v in settings.items() if k in names}


def _given(args: argparse.Namespace, part: str) -> dict:
    """The settings of ``part`` the flags give: name -> value (lists parsed, switches True or False)."""
    out = {}
    for flag in setting_flags():
        value = getattr(args, flag.dest)
        if flag.part == part and value is not None:
            if value is _SWITCHED_OFF or (isinstance(value, list) and [v.strip().lower() for v in value] == [OFF]):
                value = None
            elif flag.params[0].kind is list:
                value = _number_list(value, flag.flag)
            out[flag.name] = value
    return out


def _named_part(config: dict, key: str, registry, default: str, name: str | None, settings: dict) -> dict:
    """``config[key]`` (a name or {"name", settings}) with another ``name`` (keeping the settings it also has)
    and ``settings`` put on top; split with the core's own :func:`split_named`, so a malformed value is the
    same ConfigError the core gives."""
    current, kept = split_named(config.get(key, default), registry, key)
    if name is not None:
        current, kept = name, _kept(kept, registry.get(name))
    return {"name": current, **kept, **settings}


def build_config(args: argparse.Namespace) -> dict:
    """The config file (if any) with the flags applied on top.

    A flag replaces one setting; where it sets part of a named value (``--lr`` of the optimizer, ``--data-noise``
    of the data) the value is split with the core's own :func:`split_named`. The result is validated by the
    caller (Trainer) like any config.
    """
    config = load_config(args.config) if args.config else {}
    if args.problem is not None and args.problem != config.get("problem", "linear_regression"):
        config = switch_problem(config, args.problem)
    data_flags = _given(args, "data")
    if args.data is not None or data_flags:
        spec = PROBLEMS[problem_name(config)]
        if spec.kind == "function":  # the core says why a function takes no data
            config["data"] = {"name": args.data, **data_flags}
            return config
        name, data = split_named(config.get("data", spec.default_data), DATA_NAMES, "data")
        if args.data in GENERATORS:
            name, data = args.data, _kept(data, GENERATORS[args.data])
        elif args.data is not None:
            name, data = "csv", {"path": args.data}
        config["data"] = {"name": name, **data, **data_flags}
    for name, value in {**_given(args, "run"), **_given(args, "problem")}.items():
        setting = SETTINGS.get(name)
        for other in SETTINGS.values():  # a run length given replaces the other kind of length
            if setting is not None and (other.name == setting.excludes or other.excludes == name):
                config.pop(other.name, None)
        config[name] = value
    hyper = _given(args, "optimizer")
    if args.optimizer is not None or hyper:
        config["optimizer"] = _named_part(config, "optimizer", OPTIMIZERS, "plain", args.optimizer, hyper)
    schedule = _given(args, "schedule")
    if args.schedule is not None and args.schedule.lstrip().startswith("{"):
        config["schedule"] = parse_json(args.schedule, "--schedule", "the --schedule value")
        if schedule:
            config["schedule"] = _named_part(config, "schedule", SCHEDULES, "constant", None, schedule)
    elif args.schedule is not None or schedule:
        config["schedule"] = _named_part(config, "schedule", SCHEDULES, "constant", args.schedule, schedule)
    return config


def listing() -> str:
    lines = ["problems:"]
    lines += [f"  {s.name:20s} {s.title}: {s.formula}" for s in PROBLEMS.values()]
    lines += ["data:"] + [f"  {g.name:20s} {g.title} ({g.task})" for g in GENERATORS.values()]
    lines += ["  csv                  a CSV file: header row, last column = target"]
    lines += ["variants:"] + [f"  {v.name:20s} {v.doc}" for v in VARIANTS.values()]
    lines += ["sampling:"] + [f"  {k:20s} {doc}" for k, doc in SAMPLINGS.items()]
    lines += ["optimizers:"]
    for s in OPTIMIZERS.values():
        defaults = ", ".join(f"{p.name}={p.default}" for p in s.params)
        lines.append(f"  {s.name:20s} {s.title} [{defaults}] - {s.torch}")
    lines += ["run settings:"] + [f"  {s.flag:20s} {s.allowed()}" + (f", or {OFF}" if s.optional else "")
                                  for s in SETTINGS.values()]
    lines += ["schedules:"]
    for s in SCHEDULES.values():
        settings = ", ".join(f"{p.name}={p.default}" for p in s.params)
        lines.append(f"  {s.name:20s} {s.formula}" + (f" [{settings}]" if settings else ""))
    return "\n".join(lines)


def summary(trainer: Trainer) -> str:
    c, h = trainer.config, trainer.history
    opt = c["optimizer"]
    what = [c["problem"]]
    if trainer.problem.dataset is not None:
        what.append(c["variant"] + (f"({c['batch_size']})" if c["variant"] == "minibatch" else ""))
    epochs = f", {h.epoch[-1]:g} epochs" if trainer.problem.dataset is not None else ""  # a function has no data
    return (f"{' / '.join(what)} / {opt['name']} lr={opt['lr']:g}: {h.status} after {trainer.step} steps"
            f"{epochs}; loss {h.loss[0]:.6g} -> {h.loss[-1]:.6g}"
            + (f" ({h.message})" if h.status == "diverged" else ""))


SUMMARY_COLUMNS = ("run", "status", "final_loss", "steps", "steps_to_tolerance")


def session_histories(session: Session) -> list:
    """Every run's history: a run saved with its progress (version 2) replayed to the step it was saved at,
    exactly as the window reopens it; the others to their end, vectorised where possible."""
    fresh = [r for r in session.runs if r.steps is None]
    histories = dict(zip(map(id, fresh), run_many([r.config for r in fresh])))
    return [histories[id(r)] if r.steps is None else replay(r.timeline(), r.steps).history for r in session.runs]


def run_session(session: Session, out_dir: str | None) -> list[str]:
    """Run every run of a session (see :func:`session_histories`); write the CSVs; return the summary lines."""
    histories = session_histories(session)
    tolerance = session.view["tolerance"]
    rows, lines = [], []
    for r, history in zip(session.runs, histories):
        min_loss = build_problem(validate(r.config)).min_loss
        s = run_summary(history, tolerance, min_loss)
        rows.append([r.name, s["status"], s["final_loss"], s["steps"],
                     "" if s["steps_to_tolerance"] is None else s["steps_to_tolerance"]])
        reached = "never" if s["steps_to_tolerance"] is None else f"step {s['steps_to_tolerance']}"
        target = f"within {tolerance:g} of the minimum" if min_loss is not None else f"at most {tolerance:g}"
        lines.append(f"{r.name}: {s['status']} after {s['steps']} steps, final loss {s['final_loss']:.6g}, "
                     f"loss {target}: {reached}")
    if out_dir is not None:
        stems = unique_stems([r.name for r in session.runs], reserved=["summary"])
        files = [(os.path.join(out_dir, f"{stem}.csv"), csv_writer(h.header(), h.csv_rows()))
                 for stem, h in zip(stems, histories)]
        files.append((os.path.join(out_dir, "summary.csv"), csv_writer(SUMMARY_COLUMNS, rows)))
        _write_into(out_dir, files)
        lines.append(f"wrote {len(histories)} run files and summary.csv to {out_dir}")
    return lines


def range_test(config: dict, out: str | None) -> list[str]:
    """The learning-rate range test of ``config``: its suggestions, and the curve as CSV in ``out``."""
    test = find_lr(config)
    if out is not None:
        rows = [[repr(float(v)) for v in row] for row in zip(test.lrs, test.losses, test.smoothed)]
        try:
            write_csv(out, ("lr", "batch_loss", "smoothed_loss"), rows)
        except OSError as exc:
            raise ConfigError("--out", f"cannot write {out}: {exc.strerror or exc}") from None
    return [f"steepest descent at lr {test.steepest_lr:.3g} (the suggestion)",
            f"smallest loss at lr {test.minimum_lr:.3g} (a tenth of it: {test.minimum_tenth:.3g})",
            f"{len(test.lrs)} rates kept, from {test.lrs[0]:.3g} to {test.lrs[-1]:.3g}: the curve stops where "
            f"{test.stop}"]


def answer_key(session: Session) -> list[str]:
    """The instructor's key: every question of a lesson with its answer, computed from the lesson's runs."""
    if not session.questions and session.challenge is None:
        return [f"{session.title or 'this session'}: no questions"]
    results = run_lesson({r.name: r.config for r in session.runs})
    tolerance = session.view["tolerance"]
    lines = []
    for i, question in enumerate(session.questions, 1):
        lines.append(f"{i}. {question.text}")
        if question.is_choice:
            lines.append(f"   choices: {' | '.join(question.choices)}")
        truth = format_answer(answer(question, results, tolerance))
        within = "" if question.is_choice or not question.tolerance else f" (within {question.tolerance:.0%})"
        lines.append(f"   answer: {truth}{within}")
        if question.explain:
            lines.append(f"   why: {strip_tags(question.explain)}")
    if session.challenge is not None:
        lines.append(f"challenge: {session.challenge.text}")
    return lines


def _write_into(out_dir: str, files) -> None:
    """Write every file or none: a folder this call created is removed again when writing fails."""
    if not out_dir:
        raise ConfigError("--out-dir", "needs a folder name; got an empty one")
    try:
        write_into(out_dir, files)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigError("--out-dir", f"cannot write in {out_dir}: {reason.removeprefix(out_dir + ' ')}") from None


_RUN_FLAGS = ("config", "problem", "data", "optimizer", "schedule", "out")


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        if args.list:
            print(listing())
            return 0
        if args.list_lessons:
            for name, title in list_lessons():
                print(f"{name}\t{title}")
            return 0
        if args.lesson is not None or args.session is not None:
            mixed = [f"--{f.replace('_', '-')}" for f in (*_RUN_FLAGS, *(s.dest for s in setting_flags()))
                     if getattr(args, f) is not None]
            if mixed:
                raise ConfigError(mixed[0], "does not go with --lesson or --session (the runs come from the "
                                            "file; use --out-dir for the output)")
            session = load_lesson(args.lesson) if args.lesson is not None else load_session(args.session)
            lines = answer_key(session) if args.answers else run_session(session, args.out_dir)
            for line in lines:  # a run name may hold a file name's bytes (not UTF-8): shown as U+FFFD
                print(shown_path(line))
            return 0
        if args.answers:
            raise ConfigError("--answers", "goes with --lesson or --session: the questions come from a lesson")
        if args.out_dir is not None:
            raise ConfigError("--out-dir", "goes with --lesson or --session; a single run writes --out FILE.csv")
        if args.out is not None and (not args.out or os.path.isdir(args.out)):
            raise ConfigError("--out", f"needs a file name; got {'an empty one' if not args.out else 'a folder'}")
        if args.find_lr:
            for line in range_test(build_config(args), args.out):
                print(shown_path(line))
            return 0
        trainer = Trainer(build_config(args))
        trainer.advance()
        if args.out is not None:
            try:
                trainer.history.to_csv(args.out)
            except OSError as exc:
                raise ConfigError("--out", f"cannot write {args.out}: {exc.strerror or exc}") from None
        print(shown_path(summary(trainer)))
        return 0
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (``gdlab-run --list | head``): nothing more to say
        silence_stdout()  # so that Python's own flush at exit does not complain either
        return 0


if __name__ == "__main__":
    sys.exit(main())
