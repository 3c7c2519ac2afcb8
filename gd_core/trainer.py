"""Advance one run step by step: :class:`Trainer`, and :func:`run` over it."""

from __future__ import annotations

import math
import sys

import numpy as np

from .config import needs_reset, resolve, validate
from .generalization import BestValidation
from .generalization import recorders as generalization_recorders
from .history import History
from .optimizers import OPTIMIZERS, make_optimizer, stability_of
from .pipeline import Recorder, StepLoop, gradient_stages
from .problems import Problem
from .results import epoch_text
from .samplers import Sampler
from .schedules import make_schedule
from .stability import words
from .tracking import track_recorders

#: A run diverges when its loss is non-finite or its magnitude exceeds this many times max(1, |initial loss|).
DIVERGENCE_FACTOR = 1e8

class Trainer(StepLoop):
    """Owns one run: its problem, sampler, optimizer state and :class:`History`.

    ``advance(max_steps, time_budget)`` runs steps until either limit, the run's length, convergence or
    divergence; ``apply(config)`` changes the learning rate, optimizer, schedule, variant, batch size or run
    length between two steps without resetting. Each step is the pipeline's (see :mod:`gd_core.pipeline`);
    ``latest`` is the :class:`StepRecord` of the latest step (None before the first), what views read.
    ``recorders`` add History columns (see :class:`gd_core.pipeline.Recorder`), after those the config's
    ``track`` asks for (see :mod:`gd_core.tracking`).
    """

    def __init__(self, config: dict, problem: Problem | None = None, recorders: tuple[Recorder, ...] = (),
                 validated: bool = False):
        self.config, self.problem = resolve(config, problem, validated)
        config = self.config
        seeds = np.random.SeedSequence(config["seed"]).spawn(2)
        self._noise_rng = np.random.default_rng(seeds[1])
        self.sampler = Sampler(self.problem.n_samples, config["variant"], config["batch_size"],
                               config["sampling"], np.random.default_rng(seeds[0]))
        self.has_data = self.problem.dataset is not None
        self.gradient = self.problem.loss_and_grad
        self._own_recorders = tuple(recorders)
        self._configure(config)
        init = config["init"] if config["init"] is not None else self.problem.default_init
        self.params = np.array(init, dtype=float)
        self.state = self.optimizer.init(self.params)
        self.history = History(self.problem.param_names, self.problem.n_samples,
                               extra_columns=[r.column for r in self.recorders])
        self._start()

    # -- configuration ---------------------------------------------------------------------------------------
    def _configure(self, config: dict) -> None:
        hparams = dict(config["optimizer"])
        self.optimizer = make_optimizer(hparams.pop("name"), **hparams).bind(self.problem)
        self.lr0 = self.optimizer.hparams["lr"]
        schedule = dict(config["schedule"])
        self.schedule = make_schedule(schedule.pop("name"), **schedule)
        self.sampler.configure(config["variant"], config["batch_size"], config["sampling"])
        self.stages = gradient_stages(config, self.sampler, self.problem.n_params, config.get("gradient_noise", 0.0),
                                      [self._noise_rng])
        self._tolerance = config["tolerance"]
        n = self.problem.n_samples
        self._max_steps = config.get("steps")
        self._max_samples = config["epochs"] * n if "epochs" in config else None
        self.recorders = generalization_recorders(self.problem) \
            + track_recorders(config.get("track"), self.problem, lambda: self.history.stride) + self._own_recorders
        patience = (config.get("early_stopping") or {}).get("patience")
        if self.problem.held_out is None:
            self._best = None
        elif getattr(self, "_best", None) is None:
            self._best = BestValidation(patience)
        else:  # a changed patience applies from now on; the best so far stays
            self._best.patience = patience

    def needs_reset(self, config: dict) -> bool:
        """Whether changing to ``config`` needs a fresh run (a new problem, data, seed or start)."""
        return needs_reset(validate(config), self.config)

    def apply(self, config: dict, validated: bool = False) -> None:
        """Take a new config from the next step on, keeping params and history (see :func:`needs_reset`;
        ``validated`` as in :func:`resolve`).

        Changing the optimizer's name starts its state afresh at the current params; changing only its
        hyperparameters keeps the state. A finished run whose length grows continues.
        """
        new, _ = resolve(config, self.problem, validated)
        if needs_reset(new, self.config):
            raise ValueError("this change needs a new run (problem, data, seed or start changed)")
        old_name = self.config["optimizer"]["name"]
        self.config = new
        columns = set(self.history.columns)
        self._configure(new)
        added = [r for r in self.recorders if r.column not in columns]
        for recorder in added:  # newly tracked: a column from now on, measured at the current row already
            self.history.add_column(recorder.column)
        self._measure_now(added)
        if new["optimizer"]["name"] != old_name:
            self.state = self.optimizer.init(self.params)
        if self.step == 0:  # no step taken yet: row 0's rate is the new one (the sharpness' edge began at the old)
            self.history.put("lr", self.schedule(self.lr0, 0))
        if self.history.status in ("completed", "converged") and not self._budget_reached():
            self.history.status, self.history.message = "running", ""

    # -- running ---------------------------------------------------------------------------------------------
    @property
    def status(self) -> str:
        return self.history.status

    @property
    def done(self) -> bool:
        return self.history.status != "running"

    def _budget_reached(self) -> bool:
        if self._max_samples is not None:
            return self.samples_seen >= self._max_samples - 1e-9
        return self.step >= self._max_steps

    def _set_limits(self, initial_loss) -> None:
        self._loss_limit = loss_limit(initial_loss)

    def _quick_checks(self):
        every_row = self._max_samples is not None or self._best is not None  # the best validation loss: each row
        return self._loss_limit, self._tolerance, None if every_row else self._max_steps

    def _check_rows(self, loss, grad_norm, lr) -> bool:
        ended = end_of_run(self.problem, self.config["optimizer"], self.step, self.samples_seen, float(loss),
                           grad_norm, lr, self._loss_limit, self._tolerance, self._budget_reached())
        if self._best is not None:
            if self._best.update(self.step, self.history.val_loss[-1], self.history.params[-1]) and ended is None:
                ended = "stopped early", self._best.message()
            self._best.mark(self.history)
        if ended is not None:
            self.history.status, self.history.message = ended
        return ended is not None


def end_of_run(problem: Problem, optimizer: dict, step: int, samples_seen: float, loss: float, grad_norm: float,
               lr: float, loss_limit: float, tolerance: float | None, budget_reached: bool) -> tuple[str, str] | None:
    """(status, message) when a run of ``optimizer`` (a validated config's) ends at this row - diverged,
    converged or completed - else None."""
    if not abs(loss) <= loss_limit:
        return "diverged", divergence_message(problem, optimizer, step, loss, lr)
    if tolerance is not None and grad_norm <= tolerance:
        return "converged", f"converged at step {step:,}: gradient norm {grad_norm:.3g} <= tolerance {tolerance:g}"
    if budget_reached:
        # counts written as the status bar and the results table write them: "1,000 steps (3.33 epochs)"
        epochs = f" ({epoch_text(samples_seen / problem.n_samples)} epochs)" if problem.dataset is not None else ""
        return "completed", f"completed {step:,} steps{epochs}"
    return None


def divergence_message(problem: Problem, optimizer: dict, step: int, loss: float, lr: float) -> str:
    """Says at which step the loss blew up and, where the loss is quadratic (the Hessian's largest eigenvalue L
    known), what the optimizer's registry row declares: its bound - lr < 2/L for plain gradient descent,
    2(1+μ)/((1−τ)·L) for heavy-ball momentum, 2(1+μ)/((1+2μ)·L) for Nesterov's, L + λ with an L2 weight decay λ
    (see :mod:`gd_core.stability`) - or why it has none (Adam and the adaptive methods, Newton, line searches)."""
    if step == 0:
        return (f"diverged at the start: the loss there is {loss:.3g}, not a finite number; start closer to the "
                f"problem's region (its plotting range is {_ranges(problem)})")
    what = "is not finite" if not math.isfinite(loss) else f"reached {loss:.3g}"
    if problem.min_loss is None and math.isfinite(loss) and loss < 0:
        return f"diverged at step {step:,}: the loss {what}; this problem is unbounded below"
    text = f"diverged at step {step:,}: the loss {what} ({OPTIMIZERS[optimizer['name']].step_words(optimizer, lr)})"
    if problem.curvature:
        text += "; " + words(OPTIMIZERS[optimizer["name"]].title, stability_of(optimizer), problem.curvature)
    return text


def _ranges(problem: Problem) -> str:
    pairs = [f"{name} in [{low:g}, {high:g}]" for name, (low, high) in zip(problem.param_names, problem.bounds)]
    return ", ".join(pairs[:3]) + (", ..." if len(pairs) > 3 else "")


def loss_limit(initial_loss: float) -> float:
    """The magnitude past which a loss counts as exploding: DIVERGENCE_FACTOR * max(1, |initial loss|), at most
    the largest float - so an infinite or NaN loss always counts, the initial one included (row 0 diverges)."""
    return min(DIVERGENCE_FACTOR * max(1.0, abs(float(initial_loss))), sys.float_info.max)


def run(config: dict) -> History:
    """Run a config to its end (length, convergence or divergence) and return its :class:`History`."""
    trainer = Trainer(config)
    trainer.advance()
    return trainer.history


