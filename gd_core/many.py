"""Many runs in one numpy pass: :class:`TrainerGroup` and :func:`run_many`.

Runs that share problem, data, variant, batch size, sampling, schedule, length, clipping, tolerance and
optimizer (name and switches) but differ in learning rate, numeric hyperparameters, start point, seed or
gradient noise advance together: parameters are (R, d) arrays, differing hyperparameters (R, 1) columns, and
each run draws its samples and noise from its own generators exactly as a lone :class:`Trainer` would. The
histories equal ``run()`` of each config up to floating-point summation order (tested to 1e-12).
"""

from __future__ import annotations

import json

import numpy as np

from .config import build_problem, problem_key, resolve, validate
from .history import History
from .optimizers import OPTIMIZERS
from .problems import Problem
from .samplers import Sampler
from .schedules import make_schedule
from .trainer import Trainer, end_of_run, loss_limit

#: Config entries that may differ between the runs of one group.
PER_RUN = ("init", "seed", "gradient_noise")


def group_key(config: dict) -> str:
    """Runs whose configs give the same key can advance together (see the module doc)."""
    shared = {k: v for k, v in config.items() if k not in PER_RUN and k != "optimizer"}
    optimizer = config["optimizer"]
    shared["optimizer"] = {k: v for k, v in optimizer.items() if k == "name" or isinstance(v, bool)}
    return json.dumps(shared, sort_keys=True, default=str)


def _per_run(values: list) -> float | np.ndarray:
    """One value when all runs share it, else an (R, 1) column."""
    return values[0] if all(v == values[0] for v in values) else np.array(values, dtype=float)[:, None]


class TrainerGroup:
    """R resolved configs with one :func:`group_key`, on one problem, advanced in one numpy pass per step."""

    def __init__(self, configs: list[dict], problem: Problem):
        self.configs, self.problem = configs, problem
        base = configs[0]
        R, n = len(configs), problem.n_samples
        streams = [np.random.SeedSequence(c["seed"]).spawn(2) for c in configs]
        same_seed = all(c["seed"] == base["seed"] for c in configs)
        rngs = [np.random.default_rng(s[0]) for s in (streams[:1] if same_seed else streams)]
        self.sampler = Sampler(n, base["variant"], base["batch_size"], base["sampling"], rngs)
        self._shared_draws = same_seed  # one index array (or coordinate) serves every run
        self._noise_rngs = [np.random.default_rng(s[1]) for s in streams]
        self._noise = _per_run([c.get("gradient_noise", 0.0) for c in configs])
        spec = OPTIMIZERS[base["optimizer"]["name"]]
        self._update = spec.update
        self.hparams = {p.name: _per_run([c["optimizer"][p.name] for c in configs]) for p in spec.params}
        schedule = dict(base["schedule"])
        self.schedule = make_schedule(schedule.pop("name"), **schedule)
        self.params = np.array([c["init"] if c["init"] is not None else problem.default_init for c in configs],
                               dtype=float)
        self.state = spec.init(self.params, self.hparams)
        self.R, self.n = R, n

    def run(self) -> list[History]:
        """Advance every run to its end; return one History per config, in order."""
        with np.errstate(over="ignore", invalid="ignore"):
            return self._run()

    def _run(self) -> list[History]:
        problem, sampler, schedule, hp = self.problem, self.sampler, self.schedule, self.hparams
        base, R, n, d = self.configs[0], self.R, self.n, self.problem.n_params
        lr0, params, state = hp["lr"], self.params, self.state
        max_steps = base.get("steps")
        max_samples = base["epochs"] * n if "epochs" in base else None
        clip, tolerance = base["clip_norm"], base["tolerance"]
        coordinate, has_data = base["variant"] == "coordinate", problem.dataset is not None
        noise = self._noise
        has_noise = bool(np.any(noise))
        rows = _Rows(R, d)
        loss, full_grad = problem.full_loss_and_grad(params)
        grad_norm = np.sqrt((full_grad * full_grad).sum(axis=1))
        limits = np.array([loss_limit(v) for v in loss])
        ends: list[tuple[str, str] | None] = [None] * R
        active = np.ones(R, dtype=bool)
        lr = schedule(lr0, 0)
        rows.append(0, 0, lr, np.nan, loss, grad_norm, params, np.nan)
        step = samples = 0
        budget = False
        self._end_rows(ends, active, 0, 0, loss, grad_norm, lr, limits, tolerance, False)
        runs = np.arange(R)
        while active.any():
            lr = schedule(lr0, step)
            idx = sampler.next_indices() if has_data else None
            if idx is None:
                batch_loss, grad = loss, full_grad
                used = n
            else:
                batch_loss, grad = problem.loss_and_grad(params, idx)
                used = idx.shape[-1]
            if coordinate:
                j = sampler.next_coordinate(d)
                masked = np.zeros_like(grad)
                masked[runs, j] = grad[runs, j]
                grad = masked
            if has_noise:
                grad = grad + noise * np.stack([rng.standard_normal(d) for rng in self._noise_rngs])
            if clip is not None:
                grad = grad * np.minimum(1.0, clip / (np.sqrt((grad * grad).sum(axis=1)) + 1e-6))[:, None]
            params, state = self._update(grad, state, params, lr, hp)
            loss, full_grad = problem.full_loss_and_grad(params)
            grad_norm = np.sqrt((full_grad * full_grad).sum(axis=1))
            step += 1
            samples += used
            rows.append(step, samples, lr, batch_loss, loss, grad_norm, params, grad)
            budget = step >= max_steps if max_samples is None else samples >= max_samples - 1e-9
            self._end_rows(ends, active, step, samples, loss, grad_norm, lr, limits, tolerance, budget)
        return [rows.history(problem, r, ends[r]) for r in range(R)]

    def _end_rows(self, ends, active, step, samples, loss, grad_norm, lr, limits, tolerance, budget) -> None:
        ending = ~(np.abs(loss) <= limits)  # vectorised first look; end_of_run words the few that end
        if tolerance is not None:
            ending |= grad_norm <= tolerance
        ending = active & (ending | budget)
        if not ending.any():
            return
        lr = np.broadcast_to(lr, (self.R, 1))[:, 0]
        for r in np.flatnonzero(ending):
            ended = end_of_run(self.problem, step, samples, float(loss[r]), float(grad_norm[r]), float(lr[r]),
                               limits[r], tolerance, budget)
            if ended is not None:
                ends[r] = (*ended, step)
                active[r] = False


class _Rows:
    """Preallocated per-step records of R runs, growing by doubling."""

    def __init__(self, R: int, d: int, capacity: int = 256):
        self.len = 0
        self.shared = np.empty((capacity, 2))  # step, samples_seen
        self.per_run = np.empty((capacity, 4, R))  # lr, batch_loss, loss, grad_norm
        self.params = np.empty((capacity, R, d))
        self.grads = np.empty((capacity, R, d))

    def append(self, step, samples, lr, batch_loss, loss, grad_norm, params, grad) -> None:
        if self.len == len(self.shared):
            for name in ("shared", "per_run", "params", "grads"):
                old = getattr(self, name)
                grown = np.empty((2 * len(old), *old.shape[1:]))
                grown[:self.len] = old[:self.len]
                setattr(self, name, grown)
        i = self.len
        self.shared[i] = step, samples
        row = self.per_run[i]
        row[0] = np.ravel(lr) if np.ndim(lr) else lr
        row[1], row[2], row[3] = batch_loss, loss, grad_norm
        self.params[i] = params
        self.grads[i] = grad
        self.len = i + 1

    def history(self, problem: Problem, r: int, end) -> History:
        status, message, last = end
        count = last + 1
        columns = {"step": self.shared[:count, 0], "samples_seen": self.shared[:count, 1],
                   "epoch": self.shared[:count, 1] / problem.n_samples, "lr": self.per_run[:count, 0, r],
                   "batch_loss": self.per_run[:count, 1, r], "loss": self.per_run[:count, 2, r],
                   "grad_norm": self.per_run[:count, 3, r]}
        return History.from_arrays(problem.param_names, problem.n_samples, columns, self.params[:count, r],
                                   self.grads[:count, r], status, message)


def run_many(configs: list[dict]) -> list[History]:
    """Run many configs; those that can share a numpy pass do (see :func:`group_key`).

    Returns one History per config, in order, equal to ``run(config)`` of each (to floating-point order).
    Each problem and its data are built once, however many configs use them.
    """
    problems: dict[tuple, Problem] = {}
    resolved = []
    for config in configs:
        key = problem_key(validate(config))
        if key not in problems:
            problems[key] = build_problem(validate(config))
        resolved.append((resolve(config, problems[key])[0], key))
    groups: dict[tuple, list[int]] = {}
    for i, (config, key) in enumerate(resolved):
        groups.setdefault((key, group_key(config)), []).append(i)
    histories: list[History | None] = [None] * len(configs)
    for (key, _), members in groups.items():
        problem = problems[key]
        if len(members) == 1:
            trainer = Trainer(resolved[members[0]][0], problem)
            trainer.advance()
            histories[members[0]] = trainer.history
        else:
            for i, history in zip(members, TrainerGroup([resolved[i][0] for i in members], problem).run()):
                histories[i] = history
    return histories
