"""The session model: the runs (config + Trainer + colour + visibility), the selection and the view settings.

Qt-free (a test proves it): it owns the gd_core Trainers and emits coarse events that the Qt views subscribe
to. Edits go through :meth:`SessionModel.update_config`, which applies a change live or resets the run when the
problem, data, seed or start point changed.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from types import SimpleNamespace

import gd_core

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
    """Runs and view settings, with events: run_added(run), run_reset(run, reason), run_changed(run),
    advanced(), selection_changed(run), view_changed(key)."""

    def __init__(self, config: dict | None = None):
        self.runs: list[Run] = []
        self.selected: Run | None = None
        self.view = {"x_axis": "step", "log_y": False, "pair": (0, 1)}
        self.events = SimpleNamespace(
            run_added=Event(), run_reset=Event(), run_changed=Event(), advanced=Event(),
            selection_changed=Event(), view_changed=Event())
        self.add_run(config or DEFAULT_CONFIG)

    # -- runs ------------------------------------------------------------------------------------------------
    def add_run(self, config: dict, name: str | None = None, color: str | None = None) -> Run:
        trainer = gd_core.Trainer(config)
        run = Run(trainer, name or f"run {len(self.runs) + 1}", color or PALETTE[len(self.runs) % len(PALETTE)],
                  problem_key=gd_core.problem_key(trainer.config))
        self.runs.append(run)
        self.events.run_added.emit(run)
        self.select(run)
        return run

    def select(self, run: Run) -> None:
        self.selected = run
        self.events.selection_changed.emit(run)

    def update_config(self, run: Run, config: dict) -> str:
        """Change a run's config; returns what happened ("applied" or the reset reason).

        Raises :class:`gd_core.ConfigError` for a bad config, leaving the run untouched.
        """
        if run.trainer.needs_reset(config):
            new_key = gd_core.problem_key(gd_core.validate(config))
            problem = run.trainer.problem if new_key == run.problem_key else None
            trainer = gd_core.Trainer(config, problem)
            reason = ("the problem or data changed" if problem is None else "the seed or start point changed")
            run.trainer, run.problem_key = trainer, gd_core.problem_key(trainer.config)
            self.events.run_reset.emit(run, f"Reset {run.name}: {reason}.")
            return reason
        run.trainer.apply(config)
        self.events.run_changed.emit(run)
        return "applied"

    def reset(self, run: Run) -> None:
        run.trainer = gd_core.Trainer(run.config, run.trainer.problem)
        self.events.run_reset.emit(run, f"Reset {run.name} to its start.")

    def set_start(self, run: Run, point) -> None:
        """Restart a run from ``point`` (one number per parameter)."""
        self.update_config(run, {**run.config, "init": [float(v) for v in point]})

    def config_copy(self, run: Run) -> dict:
        return copy.deepcopy(run.config)

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
