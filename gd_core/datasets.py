"""Training data: seeded generators and CSV loading.

A :class:`Dataset` is ``X`` (n, p) float64 features and ``y`` (n,) float64 targets. Generators are pure
functions of their settings (the same seed gives the same data). CSV files have a header row; the last column is
the target, the others are features; every bad file is refused with a :class:`ConfigError` naming the line.
Every value of every dataset lies within ±:data:`MAX_DATA_MAGNITUDE`.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .errors import ConfigError
from .files import check_plain_name, quote, read_bytes
from .spec import MAX_MAGNITUDE, MAX_SEED, Param

#: CSV files larger than this are refused before reading (a teaching tool needs no more).
MAX_CSV_BYTES = 50 * 1024 * 1024
MAX_SAMPLES = 1_000_000
#: At most this many feature values (samples × features): 80 MB of float64, a second or two to generate and fit.
MAX_DATA_VALUES = 10_000_000
#: Every data value lies within ± this: squares and products summed over a million samples stay finite.
MAX_DATA_MAGNITUDE = 1e100


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
SEED = Param("seed", 0, "Seed of the data generator (the same seed gives the same data).", kind=int, low=0,
             high=MAX_SEED)


def _noise(default: float, doc: str) -> Param:
    return Param("noise", default, doc, low=0.0, high=MAX_MAGNITUDE)


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
    GeneratorSpec("spiral", "Spiral arms", "classification",
                  (N_SAMPLES, _noise(0.2, "Standard deviation of the noise added to each point's angle."), SEED,
                   Param("n_classes", 3, "Number of spiral arms (classes).", kind=int, low=2, high=6)), _spiral),
)}

#: Every allowed value of ``data.name``: the generators, then ``csv`` (needs ``path``).
DATA_NAMES = (*GENERATORS, "csv")


def generate(name: str, **settings) -> Dataset:
    """Make a dataset from a registered generator with validated settings."""
    dataset = GENERATORS[name].make(**settings)
    check_magnitude(dataset, "data")
    return dataset


def check_magnitude(dataset: Dataset, key: str, where: str = "the data") -> None:
    """Refuse data with a value beyond ±:data:`MAX_DATA_MAGNITUDE`, naming the column: squares and products of
    such values summed over the samples would overflow float64 before the first step."""
    for name, column in zip((*dataset.feature_names, dataset.target_name), (*dataset.X.T, dataset.y)):
        largest = float(np.max(np.abs(column)))
        if largest > MAX_DATA_MAGNITUDE:
            raise ConfigError(key, f"{where}, column {quote(name)}: {largest:.3g} is too large; data values must "
                                   f"lie within ±{MAX_DATA_MAGNITUDE:g} (their squares summed over the samples must "
                                   "fit in a float)")


# --- CSV files -----------------------------------------------------------------------------------------------
#: The delimiters a CSV file may use, by name; the header line decides which one a file uses.
DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs"}
#: A number as GD Lab reads it: ASCII digits, an optional sign, point and exponent (no "1_000", no other
#: scripts' digits, no "nan" or "inf", though Python's float() takes them all).
NUMBER = re.compile(r"\s*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*")
_NOT_FINITE = re.compile(r"\s*[+-]?(?:nan|inf|infinity)\s*", re.IGNORECASE)
#: Bytes of a file that numpy's parser reads exactly as NUMBER does (with the delimiter added): a file of only
#: these takes the fast path.
_NUMERIC_BYTES = b"0123456789+-.eE \t\r\n"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_DIGIT = re.compile(rb"[0-9]")


def _decode(raw: bytes, path: str, key: str) -> str:
    """The text of a CSV file: UTF-8 (a byte-order mark is dropped) or UTF-16 with a byte-order mark."""
    if raw.startswith(_UTF16_BOMS) and not raw.startswith(b"\xff\xfe\x00\x00"):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise ConfigError(key, f"{path} starts like UTF-16 text but is not valid UTF-16; save it as UTF-8 "
                                   "CSV") from None
    if b"\x00" in raw:
        if raw[1::2].count(0) > len(raw) // 4 or raw[0::2].count(0) > len(raw) // 4:
            raise ConfigError(key, f"{path} looks like UTF-16 text without a byte-order mark; save it as UTF-8 CSV")
        raise ConfigError(key, f"{path} is not a text file (it holds binary data)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ConfigError(key, f"{path} line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file "
                               "as UTF-8 CSV") from None


def _delimiter(header_line: str) -> str:
    """The delimiter of a file: the one the header line holds most often (a comma when it holds none)."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def load_csv(path: str | os.PathLike, key: str = "data.path") -> Dataset:
    """Read a numeric CSV: a header row of column names, then rows of numbers; the last column is the target.

    Comma, semicolon and tab separated files are read (the header line decides), UTF-8 or UTF-16 with a
    byte-order mark. Refuses, naming the line: a missing, unreadable, binary, empty or oversized file, a first row
    of numbers (not a header), a ragged row, a value that is not a number, NaN or infinite values, and values
    beyond ±:data:`MAX_DATA_MAGNITUDE`.

    A UTF-8 file of plain numbers is parsed by numpy's loader straight from its bytes (about as fast as numpy
    alone, holding the file and the table); anything else - quoted fields, text, blank-looking rows - goes
    through the csv module, which also finds the line of any error.
    """
    path = os.fspath(path)
    raw = read_bytes(path, key, MAX_CSV_BYTES, "CSV file")
    text = _text(raw, path, key)
    header, delimiter, header_line, body_start = _header(text, path, key)
    table = None
    if not raw.startswith(_UTF16_BOMS):
        del text  # the fast path needs only the bytes; the careful path decodes them again
        table = _fast_table(raw, header_line, delimiter, len(header))
        if table is None:
            text = _text(raw, path, key)
    del raw
    if table is None:
        table = _checked_table(text[body_start:], delimiter, header, header_line, path, key)
    if len(table) > MAX_SAMPLES:
        raise ConfigError(key, f"{path} has {len(table):,} rows; the limit is {MAX_SAMPLES:,}")
    check_data_size(len(table), len(header) - 1, key)
    dataset = Dataset(table[:, :-1].copy(), table[:, -1].copy(), tuple(header[:-1]), header[-1])
    check_magnitude(dataset, key, path)
    return dataset


def _text(raw: bytes, path: str, key: str) -> str:
    """The decoded text with every line ending made ``\\n``."""
    text = _decode(raw, path, key)
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _header(text: str, path: str, key: str) -> tuple[list[str], str, int, int]:
    """The column names, the delimiter, the header's line number and where the rows start in ``text``."""
    start, line = 0, 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line += 1
        if text[start:end].strip(" \t,;"):
            break
        start = end + 1
    else:
        raise ConfigError(key, f"{path} is empty; expected a header row and rows of numbers")
    delimiter = _delimiter(text[start:end])
    header = [cell.strip() for cell in next(csv.reader([text[start:end]], delimiter=delimiter))]
    if len(header) < 2:
        raise ConfigError(key, f"{path} line {line}: the header has {len(header)} column; need at least one "
                               "feature column and the target column (last), separated by commas, semicolons "
                               "or tabs")
    for i, name in enumerate(header):
        check_plain_name(name, key, f"{path} line {line}: column {i + 1}'s name")
    if all(NUMBER.fullmatch(cell) for cell in header):
        raise ConfigError(key, f"{path} line {line}: the first row must be a header of column names; row "
                               f"{line} is all numbers")
    return header, delimiter, line, end + 1


def _fast_table(raw: bytes, header_line: int, delimiter: str, n_columns: int) -> np.ndarray | None:
    """The rows parsed by numpy when every byte after the header belongs to plain numbers, and they make a
    finite table of ``n_columns``; else None (the careful path decides and explains)."""
    head_end = 0
    for _ in range(header_line):
        head_end = raw.find(b"\n", head_end) + 1
        if head_end == 0:
            return None
    allowed = _NUMERIC_BYTES + delimiter.encode()
    if raw.translate(None, allowed) != raw[:head_end].translate(None, allowed) or not _DIGIT.search(raw, head_end):
        return None
    try:
        table = np.loadtxt(io.BytesIO(raw), delimiter=delimiter, skiprows=header_line, dtype=float, ndmin=2,
                           comments=None, encoding="latin-1")
    except ValueError:
        return None
    if table.shape[1] != n_columns or len(table) == 0 or not np.isfinite(table).all():
        return None
    return table


def _checked_table(body: str, delimiter: str, header: list[str], header_line: int, path: str,
                   key: str) -> np.ndarray:
    """Parse row by row with the csv module and the strict NUMBER pattern; refuse the first bad line."""
    rows = csv.reader(io.StringIO(body), delimiter=delimiter)
    values: list[list[float]] = []
    for row in rows:
        if not any(cell.strip() for cell in row):
            continue
        line = header_line + rows.line_num
        if len(row) != len(header):
            raise ConfigError(key, f"{path} line {line}: {len(row)} values separated by "
                                   f"{DELIMITERS[delimiter]}, but the header has {len(header)} columns")
        for column, cell in zip(header, row):
            if not NUMBER.fullmatch(cell):
                where = f"{path} line {line}, column {quote(column)}"
                if _NOT_FINITE.fullmatch(cell):
                    raise ConfigError(key, f"{where}: {cell.strip()} is not allowed (values must be finite numbers)")
                hint = " (use a point as the decimal mark)" if re.fullmatch(r"\s*[+-]?[0-9]+,[0-9]+\s*", cell) \
                    else ""
                raise ConfigError(key, f"{where}: {quote(cell.strip())} is not a number{hint}")
        parsed = [float(cell) for cell in row]
        if not all(map(math.isfinite, parsed)):
            column = header[next(i for i, v in enumerate(parsed) if not math.isfinite(v))]
            raise ConfigError(key, f"{path} line {line}, column {quote(column)}: a number too large for a float")
        values.append(parsed)
        if len(values) > MAX_SAMPLES:
            raise ConfigError(key, f"{path} has more than {MAX_SAMPLES:,} rows; that is the limit")
    if not values:
        raise ConfigError(key, f"{path} has a header but no data rows")
    return np.array(values, dtype=float)
