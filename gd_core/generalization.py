"""Generalization: a held-out validation split, standardised features, accuracy columns and early stopping.

A config's ``validation`` v holds out ``round(v*n)`` of the n samples (at least 1 when v > 0, at least 1 left to
train on), chosen by a permutation seeded with the data seed. The run's problem is built on the training
samples only - so training, batches, epochs, ``samples_seen`` and the ``loss`` column see nothing else - and
carries the held-out samples as a problem of the same kind, ``problem.held_out``. Because a loss is a mean over
samples, ``(n_train*loss + n_val*val_loss)/n`` is the loss of all n samples at the same parameters.

``standardize`` rescales each feature to mean 0 and standard deviation 1 with the mean and deviation of the
training samples alone (the held-out ones are rescaled with the same numbers, as new data would be).

Early stopping (``"early_stopping": {"patience": p}``) ends a run once its validation loss has not improved for
p recorded steps: the status is "stopped early" and the history marks the best step and its parameters.
"""

from __future__ import annotations

import math

import numpy as np

from .datasets import Dataset
from .errors import ConfigError
from .pipeline import Recorder


def split_indices(n: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(training, held-out) sample indices, each sorted: ``round(fraction*n)`` held out, at least 1 of each
    when fraction > 0, chosen by ``default_rng(seed).permutation(n)``; everything trains when fraction = 0."""
    if fraction == 0:
        return np.arange(n), np.empty(0, dtype=int)
    if n < 2:
        raise ConfigError("validation", f"a validation split needs at least 2 samples (one to train on, one held "
                                        f"out); the data has {n}")
    held = min(max(1, round(fraction * n)), n - 1)
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[held:]), np.sort(order[:held])


def standardized(dataset: Dataset, train: np.ndarray) -> Dataset:
    """``dataset`` with each feature x_j -> (x_j - mean_j)/std_j, mean and std over the ``train`` samples (a
    feature constant there keeps std 1)."""
    X = dataset.X[train]
    mean, std = X.mean(axis=0), X.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return Dataset((dataset.X - mean) / std, dataset.y, dataset.feature_names, dataset.target_name)


def part(dataset: Dataset, idx: np.ndarray) -> Dataset:
    """The samples ``idx`` of ``dataset``."""
    return Dataset(dataset.X[idx], dataset.y[idx], dataset.feature_names, dataset.target_name)


def split_problem(build, config: dict, dataset: Dataset):
    """The training problem of ``config`` on ``dataset`` (``build(config, dataset)`` makes one), standardised and
    split as the config says; its ``held_out`` is the problem of the held-out samples (None without a split)."""
    seed = config["data"].get("seed", 0)
    train, held = split_indices(dataset.n_samples, config.get("validation", 0.0), seed)
    if config.get("standardize"):
        dataset = standardized(dataset, train)
    if not len(held):
        problem = build(config, dataset)
        problem.held_out = None
        return problem
    problem = build(config, part(dataset, train))
    problem.held_out = problem.on_samples(part(dataset, held))
    problem.split = (train, held)
    return problem


def recorders(problem) -> tuple[Recorder, ...]:
    """The columns a problem's run records besides the loss: ``val_loss`` with a held-out part, ``accuracy``
    (and ``val_accuracy``) for a classifier. Each is measured at every row from the row's parameters."""
    out = []
    held = problem.held_out
    if held is not None:
        out.append(_from_params("val_loss", held.full_loss))
    if problem.can("accuracy"):
        out.append(_from_params("accuracy", problem.accuracy))
        if held is not None:
            out.append(_from_params("val_accuracy", held.accuracy))
    return tuple(out)


def _from_params(column: str, measure) -> Recorder:
    return Recorder(column, lambda record: measure(record.params), measure)


class BestValidation:
    """The lowest validation loss so far of each run and its step; with ``patience`` p, which runs have gone p
    steps without a lower one (their early stop). ``runs`` None: one run (scalars)."""

    def __init__(self, patience: int | None, runs: int | None = None):
        shape = () if runs is None else (runs,)
        self.patience = patience
        self.loss = np.full(shape, math.inf)
        self.step = np.zeros(shape, dtype=int)
        self.params = None

    def update(self, step: int, val_loss, params: np.ndarray):
        """Take the row of ``step``; return which runs stop early now (a bool, or (R,) bools)."""
        val_loss = np.asarray(val_loss, dtype=float)
        better = val_loss < self.loss  # NaN (a diverged run) is never better
        if self.params is None:
            self.params = np.array(params, dtype=float)
        self.loss = np.where(better, val_loss, self.loss)
        self.step = np.where(better, step, self.step)
        if np.ndim(better):
            self.params[better] = params[better]
        elif better:
            self.params = np.array(params, dtype=float)
        if self.patience is None:
            return np.zeros(np.shape(better), dtype=bool) if np.ndim(better) else False
        stop = step - self.step >= self.patience
        return stop if np.ndim(stop) else bool(stop)

    def mark(self, history, run: int | None = None) -> None:
        """Mark the best step and parameters (of ``run`` in a group: a copy) in ``history`` (one run: the array
        itself, which an improvement replaces rather than changes)."""
        step, params = (self.step, self.params) if run is None else (self.step[run], self.params[run].copy())
        history.best_step, history.best_params = int(step), params

    def message(self, run: int | None = None) -> str:
        step, loss = (self.step, self.loss) if run is None else (self.step[run], self.loss[run])
        return (f"stopped early: the validation loss has not improved for {self.patience} steps; best "
                f"{float(loss):.4g} at step {int(step)}")
