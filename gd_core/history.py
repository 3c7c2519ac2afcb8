"""The record of a run: preallocated arrays that grow by doubling, read as slices without copying."""

from __future__ import annotations

import math
import os

import numpy as np

from .files import write_csv

#: The scalar columns, in CSV order; recorders' columns follow (see History), then the parameters, one column
#: each, named by ``param_names``.
COLUMNS = ("step", "epoch", "samples_seen", "lr", "batch_loss", "loss", "grad_norm", "val_loss", "accuracy",
           "val_accuracy", "evaluations")
#: The columns written as integers in CSV files.
INTEGER_COLUMNS = ("step", "samples_seen", "evaluations")
#: The columns :meth:`History.append` writes at every row; the others (recorders') stay NaN until put.
APPENDED_COLUMNS = ("step", "epoch", "samples_seen", "lr", "batch_loss", "loss", "grad_norm", "evaluations")
#: The columns every run of a group shares (the others hold one value per run).
SHARED_COLUMNS = ("step", "epoch", "samples_seen")

#: A history holds at most this many bytes of rows; a longer run is recorded at a coarser stride (see History).
MAX_HISTORY_BYTES = 64 * 2**20
#: The fewest rows a history keeps, whatever the bound: the start, one row on the stride and the latest step (the
#: stride doubling needs three). Only a run whose three rows exceed MAX_HISTORY_BYTES - a network of more than
#: about 1.4 million parameters (16 bytes each per row: the parameter and its gradient) - goes beyond the bound.
MIN_ROWS = 3


def max_rows_for(n_params: int, max_bytes: int | None = None, extra_columns: int = 0) -> int:
    """How many rows of one run fit in ``max_bytes`` (default :data:`MAX_HISTORY_BYTES`), at least
    :data:`MIN_ROWS`: a row holds the scalar columns (:data:`COLUMNS` and ``extra_columns`` recorders' ones), the
    ``n_params`` parameters and their gradient, 8 bytes each."""
    row_bytes = 8 * (len(COLUMNS) + extra_columns + 2 * n_params)
    return max(MIN_ROWS, (max_bytes or MAX_HISTORY_BYTES) // row_bytes)


def rows_to_reserve(planned: int, n_params: int, runs: int = 1, extra_columns: int = 0) -> int:
    """The rows to allocate at once for a record expected to reach ``planned`` rows: all of them while the rows
    of all ``runs`` fit in :data:`MAX_HISTORY_BYTES`, else as many as fit (the record grows from there if the
    runs do not end before)."""
    return max(1, min(planned, max_rows_for(n_params, extra_columns=extra_columns) // runs))


class History:
    """Row 0 is the start; row t holds the state after t updates.

    Columns: ``step``; ``epoch`` = samples_seen / n (fractional); ``samples_seen``; ``lr`` (the rate of the update
    that produced the row; row 0: the first rate); ``batch_loss`` (the loss of the samples the update used, at
    the parameters before it; NaN at row 0); ``loss`` (the full objective at the row's params); ``grad_norm``
    (the norm of the full objective's gradient there); ``val_loss`` (the loss of the held-out samples there,
    see :mod:`gd_core.generalization`; NaN without a validation split); ``accuracy`` and ``val_accuracy`` (a
    classifier's fraction of training and held-out samples classified right; NaN otherwise); ``evaluations``
    (the batch loss-and-gradient evaluations spent so far: one per step for a gradient method, more for line
    searches and L-BFGS, d more per Hessian for Newton - the fair x-axis for comparing methods that spend
    differently per step);
    ``params`` (rows, d); ``grads`` (rows, d), the gradient
    the update that produced the row used (after noise and clipping; NaN at row 0). ``status`` is "running",
    "completed", "converged", "diverged" or "stopped early", and ``message`` says why a run ended.
    ``best_step`` and ``best_params``: with a validation split, the step of the lowest validation loss so far and
    the parameters there (None without one) - what early stopping keeps.

    Bounded storage: a run that would need more than ``max_rows`` rows (:data:`MAX_HISTORY_BYTES` of them by
    default, per run, and at least :data:`MIN_ROWS`; see :func:`max_rows_for`) is recorded at a stride that
    doubles each time the rows fill up - every 2nd step, then every 4th, ... - keeping the rows whose step is a
    multiple of the stride, plus always the latest step as the last row, and every one of the first ``head``
    steps (an eighth of ``max_rows``): the start, where most happens - a tolerance reached, a blow-up - stays
    exact however long the run goes on.
    So ``step`` says which update a row is; while ``stride == 1`` row t is step t. Exports write every recorded
    row; views draw them (decimating further for display).

    The properties return views of length ``len(self)``; a view stays valid until the next append that grows
    the storage, so read them afresh for each frame.

    ``extra_columns`` names the columns recorders add (see :mod:`gd_core.pipeline`): NaN until :meth:`put` sets
    the latest row's value. ``runs`` = R records R runs that advance together (a group): every column but
    :data:`SHARED_COLUMNS` then holds one value per run, ``params`` and ``grads`` are (rows, R, d), and
    :meth:`select` copies one run out as a History of its own, exactly as a lone run would have recorded it.
    """

    def __init__(self, param_names, n_samples: int, capacity: int = 256, max_rows: int | None = None,
                 extra_columns=(), runs: int | None = None):
        self.param_names = tuple(param_names)
        self.n_samples = n_samples
        self.status = "running"
        self.message = ""
        self.best_step: int | None = None
        self.best_params: np.ndarray | None = None
        extra_columns = [name for name in extra_columns if name not in COLUMNS]  # recorders of columns of ours
        self.columns = (*COLUMNS, *extra_columns)
        self.runs = runs
        self._bounded_by_bytes = max_rows is None  # an added column then lowers max_rows (see add_column)
        self.max_rows = max_rows or max_rows_for(len(self.param_names), extra_columns=len(extra_columns))
        self.stride = 1
        capacity = min(capacity, self.max_rows)
        self._pending = False  # the last row is the latest step, off the stride: the next append replaces it
        self._len = 0
        self._columns, self._params, self._grads = self._storage(capacity)

    @classmethod
    def from_arrays(cls, param_names, n_samples: int, columns: dict, params: np.ndarray, grads: np.ndarray,
                    status: str, message: str, max_rows: int | None = None) -> History:
        """A finished history from whole columns of every step, kept exactly as appending them one by one would
        have kept them (the same stride and rows; see the class doc)."""
        history = cls(param_names, n_samples, max_rows=max_rows)
        steps = np.asarray(columns["step"])
        last, head, stride = int(steps[-1]), history.head, 1
        # appending thins whenever the rows kept at a stride fill max_rows: the head's, and the multiples of the
        # stride from there to the last step
        while head + last // stride - -(-head // stride) + 1 >= history.max_rows:
            stride *= 2
        history.stride = stride
        keep = history._kept(steps)
        history._pending = history._off_stride(last)
        history._reserve(len(keep))
        for name in COLUMNS:  # a column not given is NaN
            history._columns[name][:len(keep)] = np.asarray(columns[name])[keep] if name in columns else np.nan
        history._params[:len(keep)] = params[keep]
        history._grads[:len(keep)] = grads[keep]
        history._len = len(keep)
        history.status, history.message = status, message
        return history

    def __len__(self) -> int:
        return self._len

    def _reserve(self, rows: int) -> None:
        while len(self._params) < rows:
            self._grow()

    def _storage(self, capacity: int) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
        """Room for ``capacity`` rows: the columns, params and grads as views of one allocation (one large block
        is mapped with far fewer page faults than a dozen small ones: a group's record is megabytes). Recorders'
        columns start NaN (rows may stay unset); the rest is left uninitialised, as :meth:`append` writes every
        row of it and only rows below the length are ever read."""
        per_run = () if self.runs is None else (self.runs,)
        d = len(self.param_names)
        shapes = {name: (capacity, *(() if name in SHARED_COLUMNS else per_run)) for name in self.columns}
        shapes["_params"] = shapes["_grads"] = (capacity, *per_run, d)
        block = np.empty(sum(math.prod(shape) for shape in shapes.values()))
        views, start = {}, 0
        for name, shape in shapes.items():
            views[name] = block[start:start + math.prod(shape)].reshape(shape)
            start += math.prod(shape)
            if name in self.columns and name not in APPENDED_COLUMNS:
                views[name].fill(np.nan)
        return views, views.pop("_params"), views.pop("_grads")

    def _grow(self) -> None:
        columns, params, grads = self._storage(min(2 * len(self._params), self.max_rows))
        for name, column in columns.items():
            column[:self._len] = self._columns[name][:self._len]
        params[:self._len], grads[:self._len] = self._params[:self._len], self._grads[:self._len]
        self._columns, self._params, self._grads = columns, params, grads

    def append(self, step, samples_seen, lr, batch_loss, loss, grad_norm, params, grad=np.nan,
               evaluations=np.nan) -> None:
        """Record the row of update ``step`` (a group: per-run values as (R,) arrays or (R, 1) columns)."""
        i = self._len - 1 if self._pending else self._len
        if i == len(self._params):
            self._grow()
        c = self._columns
        c["step"][i] = step
        c["epoch"][i] = samples_seen / self.n_samples
        c["samples_seen"][i] = samples_seen
        c["lr"][i] = lr[:, 0] if self.runs is not None and isinstance(lr, np.ndarray) else lr  # a group: (R, 1)
        c["batch_loss"][i] = batch_loss
        c["loss"][i] = loss
        c["grad_norm"][i] = grad_norm
        c["evaluations"][i] = evaluations
        self._params[i] = params
        self._grads[i] = grad
        self._len = i + 1
        self._pending = self.stride > 1 and self._off_stride(step)
        if not self._pending and self._len >= self.max_rows:
            self._thin()

    def add_column(self, name: str) -> None:
        """A recorder's column added to a record in progress: NaN on the rows so far (nothing if it exists)."""
        if name in self._columns:
            return
        self.columns = (*self.columns, name)
        self._columns[name] = np.full((len(self._params), *(() if self.runs is None else (self.runs,))), np.nan)
        if self._bounded_by_bytes:  # the byte bound holds with the new column too: fewer rows, thinned if need be
            self.max_rows = max_rows_for(len(self.param_names), extra_columns=len(self.columns) - len(COLUMNS))
            while self._len >= self.max_rows:
                self._thin()
            if len(self._params) > self.max_rows:
                for column in self._columns:
                    self._columns[column] = self._columns[column][:self.max_rows].copy()
                self._params, self._grads = self._params[:self.max_rows].copy(), self._grads[:self.max_rows].copy()

    def put(self, name: str, value) -> None:
        """Set a recorder's column (see ``extra_columns``) at the latest row."""
        self._columns[name][self._len - 1] = value

    def select(self, run: int, copy: bool = True) -> History:
        """Run ``run`` of a group's record as a History of its own (its rows, same stride): a copy, or views of
        this record's arrays (``copy=False``, for a record nothing will append to again)."""
        one = History(self.param_names, self.n_samples, capacity=1, max_rows=self.max_rows,
                      extra_columns=self.columns[len(COLUMNS):])
        rows = slice(0, self._len)
        take = np.copy if copy else (lambda view: view)
        one._columns = {name: take(column[rows] if name in SHARED_COLUMNS else column[rows, run])
                        for name, column in self._columns.items()}
        one._params, one._grads = take(self._params[rows, run]), take(self._grads[rows, run])
        one._len, one.stride, one._pending = self._len, self.stride, self._pending
        one.status, one.message = self.status, self.message
        return one

    @property
    def head(self) -> int:
        """The first steps, every one recorded whatever the stride (see the class doc)."""
        return self.max_rows // 8

    def _off_stride(self, step: int) -> bool:
        """Whether a row of ``step`` is one the record keeps only while it is the latest."""
        return step >= self.head and step % self.stride != 0

    def _kept(self, steps: np.ndarray) -> np.ndarray:
        """The indices of the rows of ``steps`` the record keeps at its stride (the last one always)."""
        keep = np.flatnonzero((steps < self.head) | (steps % self.stride == 0))
        return keep if keep[-1] == len(steps) - 1 else np.append(keep, len(steps) - 1)

    def _thin(self) -> None:
        """Double the stride: keep the head, the rows whose step is a multiple of it, and the last row."""
        self.stride *= 2
        keep = self._kept(self._columns["step"][:self._len])
        for column in self._columns.values():
            column[:len(keep)] = column[keep]
        self._params[:len(keep)] = self._params[keep]
        self._grads[:len(keep)] = self._grads[keep]
        self._len = len(keep)
        self._pending = self._off_stride(int(self._columns["step"][self._len - 1]))

    @property
    def nbytes(self) -> int:
        """The bytes its arrays hold (allocated rows, used or not): at most ``max_rows`` rows' worth."""
        return sum(c.nbytes for c in self._columns.values()) + self._params.nbytes + self._grads.nbytes

    def column(self, name: str) -> np.ndarray:
        return self._columns[name][:self._len]

    step = property(lambda self: self.column("step"))
    epoch = property(lambda self: self.column("epoch"))
    samples_seen = property(lambda self: self.column("samples_seen"))
    lr = property(lambda self: self.column("lr"))
    batch_loss = property(lambda self: self.column("batch_loss"))
    loss = property(lambda self: self.column("loss"))
    grad_norm = property(lambda self: self.column("grad_norm"))
    val_loss = property(lambda self: self.column("val_loss"))
    accuracy = property(lambda self: self.column("accuracy"))
    val_accuracy = property(lambda self: self.column("val_accuracy"))
    evaluations = property(lambda self: self.column("evaluations"))

    def measured(self, name: str) -> np.ndarray:
        """A tracked quantity's column (see gd_core.tracking): NaN on rows not measured, all NaN if not tracked."""
        if name in self._columns:
            return self.column(name)
        return np.full(self._columns["loss"][:self._len].shape, np.nan)

    sharpness = property(lambda self: self.measured("sharpness"))
    noise_scale = property(lambda self: self.measured("noise_scale"))

    @property
    def params(self) -> np.ndarray:
        return self._params[:self._len]

    @property
    def grads(self) -> np.ndarray:
        return self._grads[:self._len]

    def effective_step_sizes(self) -> np.ndarray:
        """|Δθᵢ| / |gᵢ| per row and parameter: the rate each parameter actually moved at per unit of its
        gradient (γ for plain gradient descent; adaptive methods give each parameter its own). NaN where gᵢ = 0
        and at row 0."""
        out = np.full(self._params[:self._len].shape, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.abs(np.diff(self.params, axis=0)) / np.abs(self.grads[1:])
        consecutive = (np.diff(self.step) == 1)[:, None]  # rows of a strided record are not one update apart
        out[1:] = np.where(np.isfinite(ratio) & consecutive, ratio, np.nan)
        return out

    def table(self) -> np.ndarray:
        """All rows as one (rows, columns + d) array in CSV column order."""
        return np.column_stack([self.column(name) for name in self.columns] + [self.params])

    def header(self) -> list[str]:
        return [*self.columns, *self.param_names]

    def csv_rows(self):
        """The rows as CSV writes them: step, samples_seen and evaluations as integers, the rest as floats."""
        integers = [k for k, name in enumerate(self.columns) if name in INTEGER_COLUMNS]
        for row in self.table().tolist():
            for k in integers:
                row[k] = int(row[k]) if math.isfinite(row[k]) else row[k]
            yield row

    def to_csv(self, path: str | os.PathLike) -> None:
        """Write every row as CSV through the csv module (names like ``W1[0,0]`` are quoted; floats in their
        shortest exact text); atomically (see gd_core.files)."""
        write_csv(path, self.header(), self.csv_rows())

