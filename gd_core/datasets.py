"""Training data: seeded generators and CSV loading.

A :class:`Dataset` is ``X`` (n, p) float64 features and ``y`` (n,) float64 targets. Generators are pure
functions of their settings (the same seed gives the same data). CSV files have a header row; the last column is
the target, the others are features; every bad file is refused with a :class:`ConfigError` naming the line.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .errors import ConfigError
from .spec import Param

#: CSV files larger than this are refused before reading (a teaching tool needs no more).
MAX_CSV_BYTES = 50 * 1024 * 1024
MAX_SAMPLES = 1_000_000
#: At most this many feature values (samples × features): 80 MB of float64, a second or two to generate and fit.
MAX_DATA_VALUES = 10_000_000


def check_data_size(n_samples: int, n_features: int, key: str) -> None:
    """Refuse data of more than :data:`MAX_DATA_VALUES` feature values, naming the most samples allowed."""
    if n_samples * n_features > MAX_DATA_VALUES:
        raise ConfigError(key, f"{n_samples:,} samples × {n_features} features are {n_samples * n_features:,} "
                               f"values; the limit is {MAX_DATA_VALUES:,} (at most {MAX_DATA_VALUES // n_features:,} "
                               f"samples of {n_features} features)")


@dataclass(frozen=True)
class Dataset:
    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]
    target_name: str = "y"

    @property
    def n_samples(self) -> int:
        return len(self.y)

    @property
    def n_features(self) -> int:
        return self.X.shape[1]


def _linear(n_samples, noise, seed, n_features, scale=1.0):
    """y = Z·w + b + noise·ε with Z, ε ~ N(0, 1); w = 2 (one feature) or evenly spaced from 2 to -1; b = 1.

    The features are X = Z·diag(s) with s_j = scale^(j/(p-1)) (one feature: s = scale), so ``scale`` sets how
    unequal the feature scales are - and with them the conditioning of the loss - while y stays the same.
    """
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n_samples, n_features))
    w = np.array([2.0]) if n_features == 1 else np.linspace(2.0, -1.0, n_features)
    y = Z @ w + 1.0 + noise * rng.standard_normal(n_samples)
    scales = np.array([scale]) if n_features == 1 else scale ** (np.arange(n_features) / (n_features - 1))
    names = ("x",) if n_features == 1 else tuple(f"x{j + 1}" for j in range(n_features))
    return Dataset(Z * scales, y, names)


def _two_class(rng, X, labels, noise):
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(len(labels))
    return Dataset(X[order], labels[order].astype(float), ("x1", "x2"), "label")


def _blobs(n_samples, noise, seed):
    """Two Gaussian blobs of standard deviation ``noise`` around (-1.5, -1) (label 0) and (1.5, 1) (label 1)."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n_samples) % 2
    centers = np.array([[-1.5, -1.0], [1.5, 1.0]])
    return _two_class(rng, centers[labels], labels, noise)


def _moons(n_samples, noise, seed):
    """Two interleaving half circles (label 0 upper, 1 lower), plus Gaussian noise of std ``noise``."""
    rng = np.random.default_rng(seed)
    n_upper = n_samples // 2
    n_lower = n_samples - n_upper
    t_up, t_lo = np.linspace(0, math.pi, n_upper), np.linspace(0, math.pi, n_lower)
    X = np.vstack([np.c_[np.cos(t_up), np.sin(t_up)], np.c_[1 - np.cos(t_lo), 0.5 - np.sin(t_lo)]])
    labels = np.r_[np.zeros(n_upper, int), np.ones(n_lower, int)]
    return _two_class(rng, X, labels, noise)


def _circles(n_samples, noise, seed):
    """A circle of radius 1 (label 0) around one of radius 0.5 (label 1), plus Gaussian noise of std ``noise``."""
    rng = np.random.default_rng(seed)
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    t_out = np.linspace(0, 2 * math.pi, n_outer, endpoint=False)
    t_in = np.linspace(0, 2 * math.pi, n_inner, endpoint=False)
    X = np.vstack([np.c_[np.cos(t_out), np.sin(t_out)], 0.5 * np.c_[np.cos(t_in), np.sin(t_in)]])
    labels = np.r_[np.zeros(n_outer, int), np.ones(n_inner, int)]
    return _two_class(rng, X, labels, noise)


def _spiral(n_samples, noise, seed, n_classes):
    """``n_classes`` interleaved spiral arms (labels 0..K-1): radius r in [0, 1], angle 4k + 4r + noise·ε."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n_samples) % n_classes
    counts = np.bincount(labels, minlength=n_classes)
    r = np.concatenate([np.linspace(0.05, 1.0, c) for c in counts])
    order = np.argsort(labels, kind="stable")
    labels = labels[order]
    angle = 4.0 * labels + 4.0 * r + noise * rng.standard_normal(n_samples)
    X = np.c_[r * np.sin(angle), r * np.cos(angle)]
    shuffle = rng.permutation(n_samples)
    return Dataset(X[shuffle], labels[shuffle].astype(float), ("x1", "x2"), "label")


N_SAMPLES = Param("n_samples", 200, "Number of training samples n.", kind=int, low=1, high=MAX_SAMPLES)
SEED = Param("seed", 0, "Seed of the data generator (the same seed gives the same data).", kind=int, low=0)


def _noise(default: float, doc: str) -> Param:
    return Param("noise", default, doc, low=0.0)


@dataclass(frozen=True)
class GeneratorSpec:
    name: str
    title: str
    task: str  # "regression" or "classification"
    params: tuple[Param, ...]
    make: Callable = field(repr=False)
    n_features: int = 2  # of every dataset it makes, unless its settings have n_features


GENERATORS: dict[str, GeneratorSpec] = {g.name: g for g in (
    GeneratorSpec("linear", "Linear with Gaussian noise", "regression",
                  (N_SAMPLES, _noise(0.5, "Standard deviation of the noise added to the targets."), SEED,
                   Param("n_features", 1, "Number of features p.", kind=int, low=1, high=100),
                   Param("scale", 1.0, "Scale of the last feature relative to the first (1 = standardised); "
                                       "unequal scales make the loss ill-conditioned.", low=1e-3, high=1e3, log=True)),
                  _linear),
    GeneratorSpec("blobs", "Two Gaussian blobs", "classification",
                  (N_SAMPLES, _noise(1.0, "Standard deviation of each blob."), SEED), _blobs),
    GeneratorSpec("moons", "Two moons", "classification",
                  (N_SAMPLES, _noise(0.1, "Standard deviation of the noise added to the points."), SEED), _moons),
    GeneratorSpec("circles", "Two circles", "classification",
                  (N_SAMPLES, _noise(0.05, "Standard deviation of the noise added to the points."), SEED),
                  _circles),
    GeneratorSpec("spiral", "Spiral arms (3 classes)", "classification",
                  (N_SAMPLES, _noise(0.2, "Standard deviation of the noise added to each point's angle."), SEED,
                   Param("n_classes", 3, "Number of spiral arms (classes).", kind=int, low=2, high=6)), _spiral),
)}

#: Every allowed value of ``data.name``: the generators, then ``csv`` (needs ``path``).
DATA_NAMES = (*GENERATORS, "csv")


def generate(name: str, **settings) -> Dataset:
    """Make a dataset from a registered generator with validated settings."""
    return GENERATORS[name].make(**settings)


def load_csv(path: str | os.PathLike, key: str = "data.path") -> Dataset:
    """Read a numeric CSV: a header row, then rows of numbers; the last column is the target.

    Refuses, naming the line: a missing, unreadable, binary, empty or oversized file, a ragged row, a value that
    is not a number, and NaN or infinite values.
    """
    path = os.fspath(path)
    try:
        size = os.path.getsize(path)
        if size > MAX_CSV_BYTES:
            raise ConfigError(key, f"{path} is {size / 2**20:.1f} MiB; the limit is {MAX_CSV_BYTES // 2**20} MiB")
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise ConfigError(key, f"cannot read {path}: {exc.strerror or exc}") from None
    if b"\x00" in raw:
        raise ConfigError(key, f"{path} is not a text file (it holds binary data)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(key, f"{path} is not UTF-8 text (bad byte at offset {exc.start})") from None
    rows = csv.reader(text.splitlines())
    header = next(rows, None)
    while header is not None and not any(cell.strip() for cell in header):
        header = next(rows, None)
    if header is None:
        raise ConfigError(key, f"{path} is empty; expected a header row and rows of numbers")
    header = [cell.strip() for cell in header]
    if len(header) < 2:
        raise ConfigError(key, f"{path} line {rows.line_num}: the header has {len(header)} column; "
                               "need at least one feature column and the target column (last)")
    values: list[list[float]] = []
    for row in rows:
        if not any(cell.strip() for cell in row):
            continue
        line = rows.line_num
        if len(row) != len(header):
            raise ConfigError(key, f"{path} line {line}: {len(row)} values, but the header has {len(header)} columns")
        parsed = []
        for column, cell in zip(header, row):
            try:
                value = float(cell)
            except ValueError:
                raise ConfigError(key, f"{path} line {line}, column {column!r}: {cell.strip()!r} is not a number") \
                    from None
            if not math.isfinite(value):
                raise ConfigError(key, f"{path} line {line}, column {column!r}: {cell.strip()} is not allowed "
                                       "(values must be finite numbers)")
            parsed.append(value)
        values.append(parsed)
        if len(values) > MAX_SAMPLES:
            raise ConfigError(key, f"{path} has more than {MAX_SAMPLES:,} rows; that is the limit")
    if not values:
        raise ConfigError(key, f"{path} has a header but no data rows")
    check_data_size(len(values), len(header) - 1, key)
    table = np.array(values, dtype=float)
    return Dataset(table[:, :-1].copy(), table[:, -1].copy(), tuple(header[:-1]), header[-1])
