"""The session model: the runs (config + Trainer + colour + visibility), the selection and the view settings.

Qt-free (a test proves it): it owns the gd_core Trainers and emits coarse events that the Qt views subscribe
to. Edits go through :meth:`SessionModel.update_config`, which applies a change live or resets the run when the
problem, data, seed or start point changed. Sessions and lessons load into it and save from it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from types import SimpleNamespace

import gd_core
from gd_core.files import check_plain_name
from gd_core.lessons import LOCKS, locked_change
from gd_core.sessions import VIEW_DEFAULTS, Session, SessionRun

from .events import Event

#: What the app opens with: linear regression on generated data, mini-batch, ready to train.
DEFAULT_CONFIG = {
    "problem": "linear_regression",
    "data": {"name": "linear", "n_samples": 200, "noise": 0.5, "seed": 0},
    "variant": "minibatch",
    "batch_size": 16,
    "optimizer": {"name": "plain", "lr": 0.05},
    "epochs": 20,
    "seed": 0,
}

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")

X_AXES = {"step": "Steps", "epoch": "Epochs", "samples_seen": "Samples seen"}

#: The variants "Compare variants" sets side by side.
COMPARED_VARIANTS = ("batch", "stochastic", "minibatch")


@dataclass
class Run:
    """One run in the session: its trainer (which holds the config and history), name, colour, visibility."""

    trainer: gd_core.Trainer
    name: str
    color: str
    visible: bool = True
    problem_key: tuple = field(default=(), repr=False)

    @property
    def config(self) -> dict:
        return self.trainer.config

    @property
    def history(self) -> gd_core.History:
        return self.trainer.history


class SessionModel:
    """Runs and view settings, with events:

    run_added(run), run_removed(run), run_reset(run, reason), run_changed(run) (config applied live),
    run_styled(run) (name, colour or visibility), advanced(), selection_changed(run), view_changed(key),
    session_loaded() (everything replaced).
    """

    def __init__(self, config: dict | None = None):
        self.runs: list[Run] = []
        self.selected: Run | None = None
        self.lesson_name: str | None = None  # the lesson file the session came from, if any
        self.title, self.text = "", ""
        self._reset_lesson(None, ())
        self.view = {**VIEW_DEFAULTS, "pair": (0, 1)}
        del self.view["selected"]
        self.events = SimpleNamespace(
            run_added=Event(), run_removed=Event(), run_reset=Event(), run_changed=Event(), run_styled=Event(),
            advanced=Event(), selection_changed=Event(), view_changed=Event(), session_loaded=Event())
        self.add_run(config or DEFAULT_CONFIG)

    # -- runs ------------------------------------------------------------------------------------------------
    def _shared_problem(self, config: dict):
        """A problem object another run already built for the same problem and data, if any."""
        key = gd_core.problem_key(gd_core.validate(config))
        return next((r.trainer.problem for r in self.runs if r.problem_key == key), None)

    def _new_run(self, config: dict, name: str | None, color: str | None, visible: bool = True) -> Run:
        trainer = gd_core.Trainer(config, self._shared_problem(config))
        return Run(trainer, name or self.unique_name("run"), color or self.next_color(), visible,
                   problem_key=gd_core.problem_key(trainer.config))

    def unique_name(self, base: str) -> str:
        names = {r.name for r in self.runs}
        if base not in names and base != "run":
            return base
        k = 1
        while f"{base} {k}" in names:
            k += 1
        return f"{base} {k}"

    def next_color(self) -> str:
        used = {r.color for r in self.runs}
        return next((c for c in PALETTE if c not in used), PALETTE[len(self.runs) % len(PALETTE)])

    def add_run(self, config: dict, name: str | None = None, color: str | None = None, select: bool = True) -> Run:
        run = self._new_run(config, name, color)
        self.runs.append(run)
        if select:
            self.selected = run  # views hear of the run once, already selected
        self.events.run_added.emit(run)
        if select:
            self.events.selection_changed.emit(run)
        return run

    def duplicate_run(self, run: Run) -> Run:
        """A copy with the same config, seed and start point, starting afresh."""
        self.check_runs_unlocked()
        config = self.config_copy(run)
        config["init"] = [float(v) for v in run.history.params[0]]
        return self.add_run(config, self.unique_name(f"{run.name} copy"))

    def remove_run(self, run: Run) -> None:
        self.check_runs_unlocked()
        if len(self.runs) == 1:
            raise ValueError("a session keeps at least one run")
        index = self.runs.index(run)
        self.runs.remove(run)
        was_selected = self.selected is run
        if was_selected:  # choose the new selection before anyone hears of the removal
            self.selected = self.runs[min(index, len(self.runs) - 1)]
        self.events.run_removed.emit(run)
        if was_selected:
            self.events.selection_changed.emit(self.selected)

    def rename(self, run: Run, name: str) -> None:
        name = name.strip()
        if not name:
            raise ValueError("a run name must not be empty")
        check_plain_name(name, "name", "the run name")  # a ConfigError is a ValueError
        if any(r.name == name for r in self.runs if r is not run):
            raise ValueError(f"another run is already called {name!r}")
        run.name = name
        self.events.run_styled.emit(run)

    def set_color(self, run: Run, color: str) -> None:
        run.color = color
        self.events.run_styled.emit(run)

    def set_visible(self, run: Run, visible: bool) -> None:
        run.visible = visible
        self.events.run_styled.emit(run)

    def select(self, run: Run) -> None:
        self.selected = run
        self.events.selection_changed.emit(run)

    def compare_variants(self, run: Run) -> list[Run]:
        """Batch, stochastic and mini-batch copies of ``run`` with its start, seed and epoch budget; the original
        is hidden and the loss axis switches to epochs, so the comparison is fair per sample seen."""
        self.check_runs_unlocked()
        problem = run.trainer.problem
        if problem.dataset is None:
            raise ValueError(f"{run.config['problem']} has no data: every variant sees the same exact gradient")
        config = self.config_copy(run)
        if "steps" in config:  # the same budget in epochs as the run has in steps
            per_epoch = gd_core.steps_per_epoch(problem.n_samples, config["variant"], config["batch_size"])
            config["epochs"] = config.pop("steps") / per_epoch
        config["init"] = [float(v) for v in run.history.params[0]]
        if config["schedule"]["name"] == "cosine":
            config["schedule"].pop("t_max")  # a step count: it means something else for each variant
        copies = []
        for variant in COMPARED_VARIANTS:
            label = "mini-batch " + str(config["batch_size"]) if variant == "minibatch" else variant
            copies.append(self.add_run({**config, "variant": variant}, self.unique_name(f"{run.name} · {label}"),
                                       select=False))
        self.set_visible(run, False)
        self.set_view("x_axis", "epoch")
        self.select(copies[-1])
        return copies

    def update_config(self, run: Run, config: dict) -> str:
        """Change a run's config; returns what happened ("applied" or the reset reason).

        Raises :class:`gd_core.ConfigError` for a bad config, or a change the lesson locked, leaving the run
        untouched.
        """
        self.check_unlocked(run.config, gd_core.validate(config))
        if run.trainer.needs_reset(config):
            key = gd_core.problem_key(gd_core.validate(config))
            problem = run.trainer.problem if key == run.problem_key else self._shared_problem(config)
            trainer = gd_core.Trainer(config, problem)
            reason = "the problem or data changed" if key != run.problem_key else "the seed or start point changed"
            run.trainer, run.problem_key = trainer, gd_core.problem_key(trainer.config)
            self.events.run_reset.emit(run, f"Reset {run.name}: {reason}.")
            return reason
        run.trainer.apply(config)
        self.events.run_changed.emit(run)
        return "applied"

    def check_unlocked(self, old: dict, new: dict) -> None:
        """Refuse a change of something the lesson fixed (:data:`gd_core.lessons.LOCKS`)."""
        group = locked_change(old, new, self.locked)
        if group is not None:
            raise gd_core.ConfigError(group, f"the lesson fixes {LOCKS[group]}")

    def check_runs_unlocked(self) -> None:
        """Refuse adding, duplicating or removing runs where the lesson fixed its runs."""
        if "runs" in self.locked:
            raise ValueError(f"the lesson fixes {LOCKS['runs']}")

    def reset(self, run: Run) -> None:
        run.trainer = gd_core.Trainer(run.config, run.trainer.problem)
        self.events.run_reset.emit(run, f"Reset {run.name} to its start.")

    def set_start(self, run: Run, point) -> None:
        """Restart a run from ``point`` (one number per parameter)."""
        self.update_config(run, {**run.config, "init": [float(v) for v in point]})

    def config_copy(self, run: Run) -> dict:
        return copy.deepcopy(run.config)

    # -- sessions --------------------------------------------------------------------------------------------
    def to_session(self) -> Session:
        view = {**self.view, "pair": list(self.view["pair"]), "selected": self.runs.index(self.selected)}
        return Session(self.title, self.text,
                       [SessionRun(r.name, r.color, self.config_copy(r), r.visible) for r in self.runs], view,
                       self.questions, self.challenge, self.locked)

    def _reset_lesson(self, session: Session | None, runs) -> None:
        """The lesson part of a session: its questions and challenge, the student's answers, and the runs as
        the lesson gives them (the answers are computed from these, whatever the student changes later)."""
        self.questions = session.questions if session else ()
        self.challenge = session.challenge if session else None
        self.locked = session.locked if session else frozenset()
        self.lesson_configs = {r.name: copy.deepcopy(r.config) for r in runs}
        self.answers: dict[int, str] = {}
        self.answers_revealed = False
        self.challenge_met: bool | None = None

    def set_lesson(self, session: Session) -> None:
        """Take the lesson parts (title, text, questions, challenge, locks) of ``session``; the runs stay."""
        self.title, self.text = session.title, session.text
        self._reset_lesson(session, session.runs)
        self.events.session_loaded.emit()

    def set_answer(self, index: int, text: str) -> None:
        """A student's answer to question ``index`` (empty: none)."""
        if text:
            self.answers[index] = text
        else:
            self.answers.pop(index, None)

    def load_session(self, session: Session, lesson_name: str | None = None) -> None:
        """Replace everything by a (checked) session: build all its runs first, then swap them in."""
        runs: list[Run] = []
        for item in session.runs:
            self.runs, previous = runs, self.runs  # share problems among the new runs while building
            try:
                runs.append(self._new_run(item.config, item.name, item.color, item.visible))
            finally:
                self.runs = previous
        self.runs = runs
        self.title, self.text = session.title, session.text
        self.lesson_name = lesson_name
        self._reset_lesson(session, session.runs)
        view = session.view
        self.view = {k: v for k, v in view.items() if k != "selected"}
        self.view["pair"] = tuple(view["pair"])
        self.selected = runs[view["selected"]]
        self.events.session_loaded.emit()

    # -- stepping --------------------------------------------------------------------------------------------
    def active_runs(self) -> list[Run]:
        return [run for run in self.runs if not run.trainer.done]

    @property
    def all_done(self) -> bool:
        return not self.active_runs()

    def step(self, count: int = 1) -> int:
        """Advance every unfinished run by up to ``count`` steps; returns the most steps any run made."""
        done = max((run.trainer.advance(count) for run in self.active_runs()), default=0)
        if done:
            self.events.advanced.emit()
        return done

    def advance(self, time_budget: float, max_steps: int | None = None) -> int:
        """Advance the unfinished runs for about ``time_budget`` seconds in all; returns steps made (summed)."""
        active = self.active_runs()
        if not active:
            return 0
        share = time_budget / len(active)
        done = sum(run.trainer.advance(max_steps, time_budget=share) for run in active)
        if done:
            self.events.advanced.emit()
        return done

    # -- view settings ---------------------------------------------------------------------------------------
    def set_view(self, key: str, value) -> None:
        if self.view.get(key) != value:
            self.view[key] = value
            self.events.view_changed.emit(key)
