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


def split_indices(n: int, fraction: float, seed: int, labels: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(training, held-out) sample indices, each sorted: ``round(fraction*n)`` held out, at least 1 of each
    when fraction > 0, chosen in the order of ``default_rng(seed).permutation(n)``; everything trains when
    fraction = 0.

    ``labels`` (a classifier's targets): the split is stratified - each class holds out its share of the
    held-out count (:func:`class_quotas`) and keeps at least one sample for training, so the trained model knows
    every class of the data and each class with two or more samples is in both parts when the count allows.
    A split that would leave a class without training samples is refused (ConfigError naming the class)."""
    if fraction == 0:
        return np.arange(n), np.empty(0, dtype=int)
    if n < 2:
        raise ConfigError("validation", f"a validation split needs at least 2 samples (one to train on, one held "
                                        f"out); the data has {n}")
    held = min(max(1, round(fraction * n)), n - 1)
    order = np.random.default_rng(seed).permutation(n)
    if labels is None:
        return np.sort(order[held:]), np.sort(order[:held])
    values, classes = np.unique(labels, return_inverse=True)
    quotas = class_quotas(np.bincount(classes), held, fraction, values)
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(n)  # each sample's place in the permutation
    by_class = np.lexsort((rank, classes))  # the samples class by class, each class in permutation order
    starts = np.r_[0, np.cumsum(np.bincount(classes))[:-1]]
    out = np.concatenate([by_class[start:start + quota] for start, quota in zip(starts, quotas)])
    return np.setdiff1d(np.arange(n), out), np.sort(out)


def class_quotas(counts: np.ndarray, held: int, fraction: float, values) -> np.ndarray:
    """How many samples of each class (``counts`` of them) to hold out, ``held`` in all: one of every class that
    has two or more samples (when ``held`` is at least their number), the rest in proportion to the class sizes,
    held·c_k/n, rounded by largest remainder; never all of a class (one stays to train on). ``values``: the class
    labels, for the message when that is impossible."""
    n = int(counts.sum())
    room = counts - 1  # a class keeps one sample for training
    if held > room.sum():
        lacking = values[np.argsort(counts, kind="stable")[0]]
        raise ConfigError("validation", f"{fraction:g} of {n} samples holds out {held}, which leaves class "
                                        f"{_label(lacking)} without training samples ({len(counts)} classes "
                                        f"need at least one training sample each); allowed: a fraction that "
                                        f"holds out at most {room.sum()} samples, i.e. 0 <= validation <= "
                                        f"{math.floor(room.sum() / n * 1000) / 1000:g}")
    ideal = held * counts / n
    quotas = (room > 0).astype(int) if held >= np.count_nonzero(room) else np.zeros(len(counts), dtype=int)
    want = np.clip(ideal - quotas, 0.0, None)
    if want.sum() > 0:  # the bulk in proportion (a floor each), then the few left one by one below
        quotas = np.minimum(quotas + np.floor(want * ((held - quotas.sum()) / want.sum())).astype(int), room)
    while quotas.sum() < held:  # fewer rounds than classes: to the class most short of its share
        quotas[int(np.argmax(np.where(quotas < room, ideal - quotas, -np.inf)))] += 1
    return quotas


def _label(value) -> str:
    """A class label as the data writes it: 2, not 2.0."""
    return f"{float(value):g}"
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


def split_problem(spec, config: dict, dataset: Dataset):
    """The training problem of ``config`` on ``dataset`` (``spec.build(config, dataset)`` makes one), standardised
    and split as the config says - stratified by class when ``spec.classifies``; its ``held_out`` is the problem
    of the held-out samples (None without a split)."""
    seed = config["data"].get("seed", 0)
    labels = dataset.y if spec.classifies else None
    try:
        train, held = split_indices(dataset.n_samples, config.get("validation", 0.0), seed, labels)
    except ConfigError:
        if labels is not None:  # data the classifier refuses anyway (too many classes, say): say that instead
            spec.build(config, dataset)
        raise
    if config.get("standardize"):
        dataset = standardized(dataset, train)
    if not len(held):
        problem = spec.build(config, dataset)
        problem.held_out = None
        return problem
    problem = spec.build(config, part(dataset, train))
    try:
        problem.held_out = problem.on_samples(part(dataset, held))
    except NotImplementedError:  # a problem that cannot be built on other samples (Problem.on_samples)
        raise ConfigError("validation", f"{spec.name} cannot measure held-out samples (it has no on_samples); "
                                        f"allowed: 0") from None
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
        return (f"stopped early: the validation loss has not improved for {self.patience:,} steps; best "
                f"{float(loss):.4g} at step {int(step):,}")
