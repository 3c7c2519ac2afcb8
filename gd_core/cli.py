"""``gdlab-run`` / ``python -m gd_core``: run a config, a lesson or a session headless and write CSV files.

Exit codes: 0 done (whatever the run's status), 2 bad input (one ``error:`` line on stderr, no output file).
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile

from .config import build_problem, load_config, switch_problem, validate
from .datasets import GENERATORS
from .errors import ConfigError
from .lessons import answer, format_answer, run_lesson, strip_tags
from .many import run_many
from .optimizers import OPTIMIZERS
from .problems import PROBLEMS
from .results import run_summary
from .samplers import SAMPLINGS, VARIANTS
from .schedules import SCHEDULES
from .sessions import Session, file_stem, list_presets, load_preset, load_session
from .trainer import Trainer

#: Flags that set one optimizer hyperparameter.
_HYPER_FLAGS = ("lr", "momentum", "beta1", "beta2", "eps")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage dump
        raise ConfigError("", message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="gdlab-run", description="Run one gradient-descent config headless and write its history.")
    p.add_argument("--config", metavar="FILE.json", help="a JSON config; the flags below override it")
    p.add_argument("--problem", help=f"one of: {', '.join(PROBLEMS)}")
    p.add_argument("--data", help=f"a generator ({', '.join(GENERATORS)}) or a CSV file path")
    p.add_argument("--n-samples", type=int, help="number of generated samples")
    p.add_argument("--noise", type=float, help="noise of the generated data")
    p.add_argument("--variant", help=f"one of: {', '.join(VARIANTS)}")
    p.add_argument("--batch-size", type=int, help="samples per mini-batch step")
    p.add_argument("--optimizer", help=f"one of: {', '.join(OPTIMIZERS)}")
    for name in _HYPER_FLAGS:
        p.add_argument(f"--{name}", type=float, help=f"optimizer hyperparameter {name}")
    length = p.add_mutually_exclusive_group()
    length.add_argument("--steps", type=int, help="number of updates")
    length.add_argument("--epochs", type=float, help="passes over the data")
    p.add_argument("--seed", type=int, help="seed of sampling and gradient noise")
    p.add_argument("--init", nargs="+", metavar="X", help="start point, one number per parameter")
    p.add_argument("--out", metavar="FILE.csv", help="write the history here")
    p.add_argument("--list", action="store_true", help="list problems, data, variants, optimizers, schedules")
    many = p.add_mutually_exclusive_group()
    many.add_argument("--preset", metavar="NAME", help="run every run of a lesson (see --list-presets)")
    many.add_argument("--session", metavar="FILE", help="run every run of a session file")
    p.add_argument("--out-dir", metavar="DIR", help="with --preset/--session: write DIR/<run>.csv and "
                                                    "DIR/summary.csv")
    p.add_argument("--list-presets", action="store_true", help="list the lessons: name and title per line")
    p.add_argument("--answers", action="store_true", help="with --preset/--session: print each question of the "
                                                          "lesson with its answer, computed from its runs")
    return p


def _number_list(tokens: list[str]) -> list[float]:
    values = []
    for token in ",".join(tokens).split(","):
        if token.strip():
            try:
                values.append(float(token))
            except ValueError:
                raise ConfigError("--init", f"{token!r} is not a number") from None
    return values


def build_config(args: argparse.Namespace) -> dict:
    """The config file (if any) with the flags applied on top."""
    config = load_config(args.config) if args.config else {}
    if args.problem is not None and args.problem != config.get("problem", "linear_regression"):
        config = switch_problem(config, args.problem)
    data = config.get("data")
    data = {"name": data} if isinstance(data, str) else dict(data or {})
    if args.data is not None:
        if args.data in GENERATORS:
            data = {k: v for k, v in data.items() if k not in ("name", "path")} | {"name": args.data}
        else:
            data = {"name": "csv", "path": args.data}
    for flag, key in (("n_samples", "n_samples"), ("noise", "noise")):
        if getattr(args, flag) is not None:
            data[key] = getattr(args, flag)
    if data:
        data.setdefault("name", PROBLEMS.get(config.get("problem", "linear_regression"),
                                             PROBLEMS["linear_regression"]).default_data)
        config["data"] = data
    for flag in ("variant", "batch_size", "seed"):
        if getattr(args, flag) is not None:
            config[flag] = getattr(args, flag)
    if args.steps is not None:
        config.pop("epochs", None)
        config["steps"] = args.steps
    if args.epochs is not None:
        config.pop("steps", None)
        config["epochs"] = args.epochs
    if args.init is not None:
        config["init"] = _number_list(args.init)
    optimizer = config.get("optimizer", "plain")
    optimizer = {"name": optimizer} if isinstance(optimizer, str) else dict(optimizer)
    if args.optimizer is not None:
        new = OPTIMIZERS.get(args.optimizer)
        kept = {k: v for k, v in optimizer.items() if new and k in {p.name for p in new.params}}
        optimizer = {"name": args.optimizer, **kept}
    for name in _HYPER_FLAGS:
        if getattr(args, name) is not None:
            optimizer[name] = getattr(args, name)
    config["optimizer"] = optimizer
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
    return (f"{' / '.join(what)} / {opt['name']} lr={opt['lr']:g}: {h.status} after {trainer.step} steps, "
            f"{h.epoch[-1]:g} epochs; loss {h.loss[0]:.6g} -> {h.loss[-1]:.6g}"
            + (f" ({h.message})" if h.status == "diverged" else ""))


SUMMARY_COLUMNS = ("run", "status", "final_loss", "steps", "steps_to_tolerance")


def run_session(session: Session, out_dir: str | None) -> list[str]:
    """Run every run of a session (vectorised where possible); write the CSVs; return the summary lines."""
    histories = run_many([r.config for r in session.runs])
    tolerance = session.view["tolerance"]
    rows, lines = [], []
    for r, history in zip(session.runs, histories):
        min_loss = build_problem(validate(r.config)).min_loss
        s = run_summary(history, tolerance, min_loss)
        rows.append([r.name, s["status"], repr(s["final_loss"]), str(s["steps"]),
                     "" if s["steps_to_tolerance"] is None else str(s["steps_to_tolerance"])])
        reached = "never" if s["steps_to_tolerance"] is None else f"step {s['steps_to_tolerance']}"
        target = f"within {tolerance:g} of the minimum" if min_loss is not None else f"at most {tolerance:g}"
        lines.append(f"{r.name}: {s['status']} after {s['steps']} steps, final loss {s['final_loss']:.6g}, "
                     f"loss {target}: {reached}")
    if out_dir is not None:
        try:
            os.makedirs(out_dir, exist_ok=True)
            stems = _unique_stems([r.name for r in session.runs])
            for stem, history in zip(stems, histories):
                history.to_csv(os.path.join(out_dir, f"{stem}.csv"))
            _write_csv(os.path.join(out_dir, "summary.csv"), SUMMARY_COLUMNS, rows)
        except OSError as exc:
            raise ConfigError("--out-dir", f"cannot write in {out_dir}: {exc.strerror or exc}") from None
        lines.append(f"wrote {len(histories)} run files and summary.csv to {out_dir}")
    return lines


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


def _unique_stems(names: list[str]) -> list[str]:
    stems, seen = [], set()
    for name in names:
        stem, k = file_stem(name), 2
        while stem.lower() in seen or stem.lower() == "summary":
            stem, k = f"{file_stem(name)}_{k}", k + 1
        seen.add(stem.lower())
        stems.append(stem)
    return stems


def _write_csv(path: str, header, rows) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".gdlab-", suffix=".csv.tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


_RUN_FLAGS = ("config", "problem", "data", "n_samples", "noise", "variant", "batch_size", "optimizer", *_HYPER_FLAGS,
              "steps", "epochs", "seed", "init", "out")


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        if args.list:
            print(listing())
            return 0
        if args.list_presets:
            for name, title in list_presets():
                print(f"{name}\t{title}")
            return 0
        if args.preset is not None or args.session is not None:
            mixed = [f"--{f.replace('_', '-')}" for f in _RUN_FLAGS if getattr(args, f) is not None]
            if mixed:
                raise ConfigError(mixed[0], "does not go with --preset or --session (the runs come from the "
                                            "file; use --out-dir for the output)")
            session = load_preset(args.preset) if args.preset is not None else load_session(args.session)
            lines = answer_key(session) if args.answers else run_session(session, args.out_dir)
            for line in lines:
                print(line)
            return 0
        if args.answers:
            raise ConfigError("--answers", "goes with --preset or --session: the questions come from a lesson")
        if args.out_dir is not None:
            raise ConfigError("--out-dir", "goes with --preset or --session; a single run writes --out FILE.csv")
        trainer = Trainer(build_config(args))
        trainer.advance()
        if args.out:
            try:
                trainer.history.to_csv(args.out)
            except OSError as exc:
                raise ConfigError("--out", f"cannot write {args.out}: {exc.strerror or exc}") from None
        print(summary(trainer))
        return 0
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
