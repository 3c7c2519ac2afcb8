"""Many runs in one numpy pass: :class:`TrainerGroup` and :func:`run_many`.

Runs that share problem, data, variant, batch size, sampling, schedule, length, clipping, tolerance and
optimizer (name and switches) but differ in learning rate, numeric hyperparameters, start point, seed or
gradient noise advance together: parameters are (R, d) arrays, differing hyperparameters (R, 1) columns, and
each run draws its samples and noise from its own generators exactly as a lone :class:`Trainer` would (runs
with one seed share them). Both run the same step pipeline (:mod:`gd_core.pipeline`); the histories equal
``run()`` of each config up to floating-point summation order (tested to 1e-12), and are bounded alike.
"""

from __future__ import annotations

import json

import numpy as np

from .config import build_problem, problem_key, resolve, validate
from .generalization import BestValidation
from .generalization import recorders as generalization_recorders
from .history import History, rows_to_reserve
from .optimizers import OPTIMIZERS, Optimizer
from .pipeline import QUIET_STEPS, Recorder, StepLoop, gradient_stages
from .problems import Problem
from .samplers import Sampler, planned_steps
from .schedules import make_schedule
from .settings import per_run_keys
from .tracking import track_recorders
from .trainer import Trainer, end_of_run, loss_limit


def group_key(config: dict) -> str:
    """Runs whose configs give the same key can advance together (see the module doc)."""
    per_run = per_run_keys()
    shared = {k: v for k, v in config.items() if k not in per_run and k != "optimizer"}
    optimizer = config["optimizer"]
    shared["optimizer"] = {k: v for k, v in optimizer.items()
                           if k == "name" or isinstance(v, bool) or not isinstance(v, (int, float))}
    return json.dumps(shared, sort_keys=True, default=str)


def _per_run(values: list) -> float | np.ndarray:
    """One value when all runs share it, else an (R, 1) column (numbers only: group_key makes runs share the
    rest)."""
    return values[0] if all(v == values[0] for v in values) else np.array(values, dtype=float)[:, None]


class TrainerGroup(StepLoop):
    """R resolved configs with one :func:`group_key`, on one problem, advanced in one numpy pass per step.

    Runs that share a seed share their draws: one generator per distinct seed (so one permutation per epoch,
    one batch, coordinate and noise draw per step); ``slots`` maps each run to its seed's generator. The record is
    one bounded :class:`History` with a run axis; a run that ends is copied out of it at that row, exactly as a
    lone :class:`Trainer` would have recorded it (the runs that end at its last row take views, not copies).
    """

    def __init__(self, configs: list[dict], problem: Problem, recorders: tuple[Recorder, ...] = ()):
        self.configs, self.problem = configs, problem
        base = configs[0]
        R, n = len(configs), problem.n_samples
        seeds = list(dict.fromkeys(c["seed"] for c in configs))  # distinct, in order of first use
        self.slots = np.array([seeds.index(c["seed"]) for c in configs])
        streams = [np.random.SeedSequence(seed).spawn(2) for seed in seeds]
        rngs = [np.random.default_rng(s[0]) for s in streams]
        self.sampler = Sampler(n, base["variant"], base["batch_size"], base["sampling"], rngs)
        self.has_data = problem.dataset is not None
        self.gradient = _shared_draws_gradient(problem, self.slots, len(seeds))
        spec = OPTIMIZERS[base["optimizer"]["name"]]
        self.optimizer = Optimizer(spec, {p.name: _per_run([c["optimizer"][p.name] for c in configs])
                                          for p in spec.params}, problem)
        self.lr0 = self.optimizer.hparams["lr"]
        schedule = dict(base["schedule"])
        self.schedule = make_schedule(schedule.pop("name"), **schedule)
        noise = _per_run([c.get("gradient_noise", 0.0) for c in configs])
        self.stages = gradient_stages(base, self.sampler, problem.n_params, noise,
                                      [np.random.default_rng(s[1]) for s in streams], self.slots)
        self.recorders = generalization_recorders(problem) \
            + track_recorders(base.get("track"), problem, lambda: self.history.stride) + tuple(recorders)
        patience = (base.get("early_stopping") or {}).get("patience")
        self._best = BestValidation(patience, R) if problem.held_out is not None else None
        self.params = np.array([c["init"] if c["init"] is not None else problem.default_init for c in configs],
                               dtype=float)
        self.state = self.optimizer.init(self.params)
        self.runs = R
        self._tolerance = base["tolerance"]
        self._max_steps = base.get("steps")
        self._max_samples = base["epochs"] * n if "epochs" in base else None
        self.histories: list[History | None] = [None] * R  # each run's, once it has ended
        # a group runs to its end: its rows are allocated at once (growing by doubling copies them 3-4 times)
        planned = 1 + planned_steps(base, n)
        columns = [r.column for r in self.recorders]
        self.history = History(problem.param_names, n, runs=R, extra_columns=columns,
                               capacity=rows_to_reserve(planned, problem.n_params, R, len(columns)))
        with np.errstate(**QUIET_STEPS):
            self._start()

    def run(self) -> list[History]:
        """Advance every run to its end; return one History per config, in order."""
        self.advance()
        return self.histories

    @property
    def done(self) -> bool:
        return not self._active.any()

    def _set_limits(self, initial_loss) -> None:
        self._limits = np.array([loss_limit(v) for v in initial_loss])
        self._active = np.ones(self.runs, dtype=bool)

    def _quick_checks(self):
        every_row = self._max_samples is not None or self._best is not None
        return self._limits.min(), self._tolerance, None if every_row else self._max_steps

    def _check_rows(self, loss, grad_norm, lr) -> bool:
        if self._max_samples is None:
            budget = self.step >= self._max_steps
        else:
            budget = self.samples_seen >= self._max_samples - 1e-9
        within = np.abs(loss) <= self._limits  # vectorised first look; end_of_run words the few that end
        tolerance = self._tolerance
        stopping = False
        if self._best is not None:
            stopping = self._best.update(self.step, self.history.val_loss[-1], self.history.params[-1])
        if not budget and tolerance is None and within.all() and not np.any(stopping):  # the common row
            return False
        ending = ~within | stopping
        if tolerance is not None:
            ending |= grad_norm <= tolerance
        ending = self._active & (ending | budget)
        if not ending.any():
            return False
        lr = np.broadcast_to(lr, (self.runs, 1))[:, 0]
        last = not (self._active & ~ending).any()  # the record's last row: the runs may keep views of it
        for r in np.flatnonzero(ending):
            ended = end_of_run(self.problem, self.configs[r]["optimizer"], self.step, self.samples_seen,
                               float(loss[r]), float(grad_norm[r]), float(lr[r]), self._limits[r], tolerance, budget)
            if ended is None and stopping[r]:
                ended = "stopped early", self._best.message(r)
            if ended is not None:
                self._active[r] = False
                history = self.histories[r] = self.history.select(r, copy=not last)
                history.status, history.message = ended
                if self._best is not None:
                    self._best.mark(history, r)
        return not self._active.any()


def _shared_draws_gradient(problem: Problem, slots: np.ndarray, distinct: int):
    """The batch loss and gradient of R runs whose draws come from ``distinct`` generators: the problem's own
    path for one batch shared by all (k,) or one batch per run (R, k); runs that share a seed get their seed's
    batch (one draw per seed, spread to its runs)."""
    if distinct == 1 or distinct == len(slots):
        return problem.loss_and_grad
    return lambda params, idx: problem.loss_and_grad(params, idx[slots])


def runners(configs: list[dict], problem: Problem | None = None) -> list[tuple[list[int], Trainer | TrainerGroup]]:
    """The runs of ``configs``, ready to advance: (the indices of the configs it runs, a Trainer or a
    TrainerGroup) - configs that can share a numpy pass share one (see :func:`group_key`). Each problem and its
    data are built once, however many configs use them (all of them on ``problem`` when it is given)."""
    problems: dict[tuple, Problem] = {}
    resolved = []
    for config in configs:
        checked = validate(config)
        key = problem_key(checked)
        if key not in problems:
            problems[key] = problem or build_problem(checked)
        resolved.append((resolve(checked, problems[key], validated=True)[0], key))
    groups: dict[tuple, list[int]] = {}
    for i, (config, key) in enumerate(resolved):
        alone = not OPTIMIZERS[config["optimizer"]["name"]].vectorised  # its rule takes one run at a time
        groups.setdefault((key, i if alone else group_key(config)), []).append(i)
    out = []
    for (key, _), members in groups.items():
        group = [resolved[i][0] for i in members]
        out.append((members, Trainer(group[0], problems[key], validated=True) if len(members) == 1
                    else TrainerGroup(group, problems[key])))
    return out


def histories_of(runner: Trainer | TrainerGroup) -> list[History]:
    """The histories of a runner from :func:`runners`, one per config it runs."""
    return runner.histories if isinstance(runner, TrainerGroup) else [runner.history]


def run_many(configs: list[dict]) -> list[History]:
    """Run many configs; those that can share a numpy pass do (see :func:`group_key`).

    Returns one History per config, in order, equal to ``run(config)`` of each (to floating-point order).
    Each problem and its data are built once, however many configs use them.
    """
    histories: list[History | None] = [None] * len(configs)
    for members, runner in runners(configs):
        runner.advance()
        for i, history in zip(members, histories_of(runner)):
            histories[i] = history
    return histories
