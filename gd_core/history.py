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
#: The scalar columns (loss, gradient norm, rate, ...) get at least this share of MAX_HISTORY_BYTES for rows of
#: their own: a network's parameters, thousands of times wider, thin by their own budget (see :func:`row_budgets`)
#: while its loss curve keeps every step of about 95,000 (8 MiB of 88-byte rows).
SCALAR_SHARE = 1 / 8
#: The fewest rows a history keeps, whatever the bound: the start, one row on the stride and the latest step (the
#: stride doubling needs three). Only a run whose three rows of parameters exceed what the scalars leave of the
#: bound - a network of more than about 1.2 million parameters (16 bytes each per row: the parameter and its
#: gradient) - goes beyond it.
MIN_ROWS = 3


def row_bytes(n_params: int, extra_columns: int = 0) -> tuple[int, int]:
    """The bytes of a row of the scalar columns (:data:`COLUMNS` and ``extra_columns`` recorders' ones) and of a
    row of parameters (the ``n_params`` parameters and their gradient; a table of its own also keeps its step,
    8 bytes more), 8 bytes a value."""
    return 8 * (len(COLUMNS) + extra_columns), 16 * n_params


def row_budgets(n_params: int, max_bytes: int | None = None, extra_columns: int = 0) -> tuple[int, int]:
    """(scalar rows, parameter rows) of one run within ``max_bytes`` (default :data:`MAX_HISTORY_BYTES`), each at
    least :data:`MIN_ROWS`.

    Both get the rows that fit when every row holds both, R = B // (s + p) for row sizes s and p (see
    :func:`row_bytes`) - a small problem's record is one table, thinned alike - unless that leaves the scalar
    columns less than :data:`SCALAR_SHARE` of the bound: they then take that share, S = share·B // s rows, and
    the parameters, a table of their own with its step column, what is left, P = (B − S·s) // (p + 8) < S. So
    P <= S, and the steps whose parameters are kept are always among the steps whose scalars are."""
    max_bytes = max_bytes or MAX_HISTORY_BYTES
    scalar, params = row_bytes(n_params, extra_columns)
    together, scalar_rows = max_bytes // (scalar + params), int(SCALAR_SHARE * max_bytes) // scalar
    if together >= scalar_rows:
        return max(MIN_ROWS, together), max(MIN_ROWS, together)
    return max(MIN_ROWS, scalar_rows), max(MIN_ROWS, (max_bytes - scalar_rows * scalar) // (params + 8))


def rows_to_reserve(planned: int, n_params: int, runs: int = 1, extra_columns: int = 0) -> int:
    """The rows to allocate at once for a record expected to reach ``planned`` rows: all of them while the rows
    of all ``runs`` fit in :data:`MAX_HISTORY_BYTES`, else as many as fit (the record grows from there if the
    runs do not end before). Each table reserves that many rows, or its budget if that is fewer."""
    (scalar, params), (scalar_rows, param_rows) = row_bytes(n_params, extra_columns), \
        row_budgets(n_params, extra_columns=extra_columns)
    params += 8 * (param_rows < scalar_rows)  # a table of its own keeps its step

    def fits(rows: int) -> bool:
        return runs * (min(rows, scalar_rows) * scalar + min(rows, param_rows) * params) <= MAX_HISTORY_BYTES

    low, high = 1, max(1, planned)  # the most rows that fit: fits() only turns false as rows grow
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if fits(middle) else (low, middle - 1)
    return low


class _StridedRows:
    """Rows of named arrays (one allocation, growing by doubling up to ``max_rows``) kept at a stride that doubles
    each time they fill ``max_rows``: every one of the first ``head`` steps, then the multiples of the stride, and
    always the latest step - a row off the stride that the next append replaces (see :class:`History`).

    ``shapes`` gives each array's shape of one row; those named in ``unset`` start NaN (a recorder may leave a
    row unset), the others uninitialised (written at every row, and only rows below the length are read)."""

    def __init__(self, max_rows: int, shapes: dict[str, tuple], unset=(), capacity: int = 256):
        self.max_rows = max_rows
        self.shapes, self.unset = dict(shapes), set(unset)
        self.stride = 1
        self.len = 0
        self.pending = False  # the last row is the latest step, off the stride: the next append replaces it
        self._use(self._allocate(min(capacity, max_rows)))

    @property
    def max_rows(self) -> int:
        return self._max_rows

    @max_rows.setter
    def max_rows(self, rows: int) -> None:
        self._max_rows, self.head = rows, rows // 8  # attributes, not computed: they are read at every append

    def _use(self, arrays: dict[str, np.ndarray]) -> None:
        self.arrays, self.capacity = arrays, len(arrays["step"])

    @property
    def nbytes(self) -> int:
        return sum(array.nbytes for array in self.arrays.values())

    def _allocate(self, rows: int) -> dict[str, np.ndarray]:
        """Room for ``rows`` rows, every array a view of one block (one large block is mapped with far fewer page
        faults than a dozen small ones: a group's record is megabytes)."""
        block = np.empty(rows * sum(math.prod(shape) for shape in self.shapes.values()))
        arrays, start = {}, 0
        for name, shape in self.shapes.items():
            size = rows * math.prod(shape)
            arrays[name] = block[start:start + size].reshape(rows, *shape)
            start += size
            if name in self.unset:
                arrays[name].fill(np.nan)
        return arrays

    def grow(self) -> None:
        arrays = self._allocate(min(2 * self.capacity, self.max_rows))
        for name, array in arrays.items():
            array[:self.len] = self.arrays[name][:self.len]
        self._use(arrays)

    def reserve(self, rows: int) -> None:
        while self.capacity < rows:
            self.grow()

    def written(self, step) -> None:
        """The last row now holds ``step``: whether the next append replaces it, and thinning the rows if they
        are full (History.append writes the row and skips this while the stride is 1 and there is room)."""
        self.pending = self.stride > 1 and self.off_stride(step)
        if not self.pending and self.len >= self.max_rows:
            self.thin()

    def off_stride(self, step) -> bool:
        """Whether a row of ``step`` is one the record keeps only while it is the latest."""
        return step >= self.head and step % self.stride != 0

    def kept(self, steps: np.ndarray) -> np.ndarray:
        """The indices of the rows of ``steps`` kept at the stride (the last one always)."""
        keep = np.flatnonzero((steps < self.head) | (steps % self.stride == 0))
        return keep if keep[-1] == len(steps) - 1 else np.append(keep, len(steps) - 1)

    def thin(self) -> None:
        """Double the stride: keep the head, the rows whose step is a multiple of it, and the last row."""
        self.stride *= 2
        keep = self.kept(self.arrays["step"][:self.len])
        for array in self.arrays.values():
            array[:len(keep)] = array[keep]
        self.len = len(keep)
        self.pending = self.off_stride(int(self.arrays["step"][self.len - 1]))

    def load(self, steps: np.ndarray, values: dict[str, np.ndarray]) -> None:
        """Rows of every step (``steps`` = 0, 1, ..., last), kept exactly as appending them one by one would
        have kept them; ``values`` not given stay NaN."""
        last, head, stride = int(steps[-1]), self.head, 1
        # appending thins whenever the rows kept at a stride fill max_rows: the head's, and the multiples of the
        # stride from there to the last step
        while head + last // stride - -(-head // stride) + 1 >= self.max_rows:
            stride *= 2
        self.stride = stride
        keep = self.kept(steps)
        self.pending = self.off_stride(last)
        self.reserve(len(keep))
        for name, array in self.arrays.items():
            array[:len(keep)] = np.asarray(values[name])[keep] if name in values else np.nan
        self.len = len(keep)

    def bound(self, max_rows: int) -> None:
        """A new bound: thinned until the rows fit it, and no more rows allocated than it allows."""
        self.max_rows = max_rows
        while self.len >= max_rows:
            self.thin()
        if self.capacity > max_rows:
            self._use({name: array[:max_rows].copy() for name, array in self.arrays.items()})

    def add(self, name: str, shape: tuple) -> None:
        """Another array, NaN on every row."""
        self.shapes[name] = shape
        self.unset.add(name)
        self.arrays[name] = np.full((self.capacity, *shape), np.nan)

    @classmethod
    def of_run(cls, group: _StridedRows, run: int, shared, copy: bool) -> _StridedRows:
        """Run ``run``'s rows of a group's table (arrays named in ``shared`` hold one value per row), copied or as
        views of its arrays; nothing else is allocated (a group of 64 runs selects 64 of these at its end)."""
        rows = cls.__new__(cls)
        rows.max_rows, rows.unset = group.max_rows, set(group.unset)
        rows.shapes = {name: shape if name in shared else shape[1:] for name, shape in group.shapes.items()}
        take = np.copy if copy else (lambda view: view)
        length = group.len
        rows._use({name: take(array[:length] if name in shared else array[:length, run])
                   for name, array in group.arrays.items()})
        rows.len, rows.stride, rows.pending = length, group.stride, group.pending
        return rows

    def first(self, other: _StridedRows, rows: int) -> None:
        """A copy of the first ``rows`` rows of ``other``, at its stride."""
        self._use({name: array[:rows].copy() for name, array in other.arrays.items()})
        self.len, self.stride = rows, other.stride
        self.pending = rows > 0 and self.off_stride(int(self.arrays["step"][rows - 1]))


def _table_attribute(table: str, name: str, doc: str, settable: bool = False) -> property:
    """An attribute of one of a History's two tables (``_scalars`` or ``_weights``), read - and set - through it."""
    def set_(self, value) -> None:
        setattr(getattr(self, table), name, value)
    return property(lambda self: getattr(getattr(self, table), name), set_ if settable else None, doc=doc)


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
    differently per step).
    ``params`` (rows, d) and ``grads`` (rows, d), the gradient the update that produced the row used (after noise
    and clipping; NaN at row 0), are rows of their own, of the steps ``param_step`` (see below). ``status`` is
    "running", "completed", "converged", "diverged" or "stopped early", and ``message`` says why a run ended.
    ``best_step`` and ``best_params``: with a validation split, the step of the lowest validation loss so far and
    the parameters there (None without one) - what early stopping keeps.

    Bounded storage: a run that would need more than ``max_rows`` rows (:data:`MAX_HISTORY_BYTES` of them by
    default, per run, and at least :data:`MIN_ROWS`; see :func:`row_budgets`) is recorded at a stride that
    doubles each time the rows fill up - every 2nd step, then every 4th, ... - keeping the rows whose step is a
    multiple of the stride, plus always the latest step as the last row, and every one of the first ``head``
    steps (an eighth of ``max_rows``): the start, where most happens - a tolerance reached, a blow-up - stays
    exact however long the run goes on.
    So ``step`` says which update a row is; while ``stride == 1`` row t is step t. Exports write every recorded
    row; views draw them (decimating further for display).

    The parameters and gradients are kept the same way with a budget of their own, ``param_max_rows`` rows (at
    most ``max_rows``): a network's rows of parameters are thousands of times wider than its scalars', so they
    thin at a coarser ``param_stride`` while the loss curve stays fine. ``param_step`` says which step each row
    of ``params`` is; every one is also a step of ``step`` (:meth:`at_param_steps` reads a column there). Where
    both budgets are equal - a problem of a few thousand parameters or fewer - both are thinned alike and
    ``param_step`` is ``step``.

    The properties return views of their rows; a view stays valid until the next append that grows the
    storage, so read them afresh for each frame.

    ``extra_columns`` names the columns recorders add (see :mod:`gd_core.pipeline`): NaN until :meth:`put` sets
    the latest row's value. ``runs`` = R records R runs that advance together (a group): every column but
    :data:`SHARED_COLUMNS` then holds one value per run, ``params`` and ``grads`` are (rows, R, d), and
    :meth:`select` copies one run out as a History of its own, exactly as a lone run would have recorded it.
    """

    def __init__(self, param_names, n_samples: int, capacity: int = 256, max_rows: int | None = None,
                 extra_columns=(), runs: int | None = None, param_max_rows: int | None = None):
        """``max_rows`` given: both the scalars and the parameters are bounded by it, unless ``param_max_rows``
        is given too; neither: by :data:`MAX_HISTORY_BYTES` (see :func:`row_budgets`)."""
        self.param_names = tuple(param_names)
        self.n_samples = n_samples
        self.status = "running"
        self.message = ""
        self.best_step: int | None = None
        self.best_params: np.ndarray | None = None
        extra_columns = [name for name in extra_columns if name not in COLUMNS]  # recorders of columns of ours
        self.columns = (*COLUMNS, *extra_columns)
        self.runs = runs
        self._bounded_by_bytes = max_rows is None  # an added column then lowers the budgets (see add_column)
        if max_rows is None:
            max_rows, param_max_rows = row_budgets(len(self.param_names), extra_columns=len(extra_columns))
        per_run, d = () if runs is None else (runs,), len(self.param_names)
        weights = {"params": (*per_run, d), "grads": (*per_run, d)}
        # equal budgets: one table holds both (as a small problem's always did: no step column twice)
        self._one_table = param_max_rows in (None, max_rows)
        self._scalars = _StridedRows(max_rows, {**{name: () if name in SHARED_COLUMNS else per_run
                                                   for name in self.columns},
                                                **(weights if self._one_table else {})},
                                     unset=[name for name in self.columns if name not in APPENDED_COLUMNS],
                                     capacity=capacity)
        self._weights = self._scalars if self._one_table else \
            _StridedRows(param_max_rows, {"step": (), **weights}, capacity=capacity)

    @classmethod
    def from_arrays(cls, param_names, n_samples: int, columns: dict, params: np.ndarray, grads: np.ndarray,
                    status: str, message: str, max_rows: int | None = None,
                    param_max_rows: int | None = None) -> History:
        """A finished history from whole columns of every step (and the parameters and gradients of every step),
        kept exactly as appending them one by one would have kept them (the same strides and rows)."""
        history = cls(param_names, n_samples, max_rows=max_rows, param_max_rows=param_max_rows)
        steps = np.asarray(columns["step"])
        scalars = {name: columns[name] for name in COLUMNS if name in columns}
        if history._one_table:
            history._scalars.load(steps, {**scalars, "params": params, "grads": grads})
        else:
            history._scalars.load(steps, scalars)
            history._weights.load(steps, {"step": steps, "params": params, "grads": grads})
        history.status, history.message = status, message
        return history

    def __len__(self) -> int:
        return self._scalars.len

    def append(self, step, samples_seen, lr, batch_loss, loss, grad_norm, params, grad=np.nan,
               evaluations=np.nan) -> None:
        """Record the row of update ``step`` (a group: per-run values as (R,) arrays or (R, 1) columns)."""
        # the hot path of every step: the two tables' bookkeeping is written out here (see _StridedRows)
        scalars, weights = self._scalars, self._weights
        i = scalars.len - 1 if scalars.pending else scalars.len
        if i == scalars.capacity:
            scalars.grow()
        c = scalars.arrays
        c["step"][i] = step
        c["epoch"][i] = samples_seen / self.n_samples
        c["samples_seen"][i] = samples_seen
        c["lr"][i] = lr[:, 0] if self.runs is not None and isinstance(lr, np.ndarray) else lr  # a group: (R, 1)
        c["batch_loss"][i] = batch_loss
        c["loss"][i] = loss
        c["grad_norm"][i] = grad_norm
        c["evaluations"][i] = evaluations
        if weights is scalars:
            c["params"][i] = params
            c["grads"][i] = grad
        else:
            k = weights.len - 1 if weights.pending else weights.len
            if k == weights.capacity:
                weights.grow()
            w = weights.arrays
            w["step"][k] = step
            w["params"][k] = params
            w["grads"][k] = grad
            weights.len = k + 1
            if weights.stride > 1 or weights.len >= weights.max_rows:
                weights.written(step)
        scalars.len = i + 1
        if scalars.stride > 1 or scalars.len >= scalars.max_rows:
            scalars.written(step)

    def add_column(self, name: str) -> None:
        """A recorder's column added to a record in progress: NaN on the rows so far (nothing if it exists)."""
        if name in self._scalars.arrays:
            return
        self.columns = (*self.columns, name)
        self._scalars.add(name, () if self.runs is None else (self.runs,))
        if self._bounded_by_bytes:  # the byte bound holds with the new column too: fewer rows, thinned if need be
            scalar_rows, param_rows = row_budgets(len(self.param_names), extra_columns=len(self.columns) - len(COLUMNS))
            if self._one_table:  # it stays one, within the bound: the rows that fit when each holds both
                scalar, params = row_bytes(len(self.param_names), len(self.columns) - len(COLUMNS))
                self._scalars.bound(max(MIN_ROWS, MAX_HISTORY_BYTES // (scalar + params)))
            else:
                self._scalars.bound(scalar_rows)
                self._weights.bound(param_rows)

    def put(self, name: str, value) -> None:
        """Set a recorder's column (see ``extra_columns``) at the latest row."""
        self._scalars.arrays[name][self._scalars.len - 1] = value

    def select(self, run: int, copy: bool = True) -> History:
        """Run ``run`` of a group's record as a History of its own (its rows, same strides): a copy, or views of
        this record's arrays (``copy=False``, for a record nothing will append to again)."""
        one = History.__new__(History)  # __init__ would allocate tables that the run's rows replace at once
        one.param_names, one.n_samples, one.columns = self.param_names, self.n_samples, self.columns
        one.status, one.message, one.best_step, one.best_params = self.status, self.message, None, None
        one.runs, one._bounded_by_bytes, one._one_table = None, self._bounded_by_bytes, self._one_table
        one._scalars = _StridedRows.of_run(self._scalars, run, SHARED_COLUMNS, copy)
        one._weights = one._scalars if one._one_table else _StridedRows.of_run(self._weights, run, ("step",), copy)
        return one

    def first(self, rows: int) -> History:
        """A copy of the record's first ``rows`` rows, with the parameters of their steps: the record as it
        stood at ``step[rows - 1]`` (for measures that read whole columns)."""
        part = self._like(capacity=1)
        part._scalars.first(self._scalars, rows)
        if not part._one_table:
            last = self._scalars.arrays["step"][rows - 1] if rows else -1
            part._weights.first(self._weights, int(np.searchsorted(self.param_step, last, side="right")))
        part.status, part.message = self.status, self.message
        return part

    def _like(self, capacity: int) -> History:
        """An empty record of one run with this one's columns and budgets."""
        return History(self.param_names, self.n_samples, capacity=capacity, max_rows=self.max_rows,
                       param_max_rows=self.param_max_rows, extra_columns=self.columns[len(COLUMNS):])

    # -- the bounds ------------------------------------------------------------------------------------------
    max_rows = _table_attribute("_scalars", "max_rows", "The most rows of scalars kept (see the class doc).",
                                settable=True)
    param_max_rows = _table_attribute("_weights", "max_rows", "The most rows of parameters kept.")
    stride = _table_attribute("_scalars", "stride", "Past the head, the scalars' rows are the steps that are "
                                                    "multiples of this (and the latest).")
    param_stride = _table_attribute("_weights", "stride", "Past their head, the parameters' rows are the steps "
                                                          "that are multiples of this (and the latest).")
    head = _table_attribute("_scalars", "head", "The first steps, every one recorded whatever the stride.")
    param_head = _table_attribute("_weights", "head", "The first steps whose parameters are all kept.")

    @property
    def nbytes(self) -> int:
        """The bytes its arrays hold (allocated rows, used or not): at most the rows of its two budgets."""
        return self._scalars.nbytes + (0 if self._one_table else self._weights.nbytes)

    # -- reading ---------------------------------------------------------------------------------------------
    def column(self, name: str) -> np.ndarray:
        return self._scalars.arrays[name][:self._scalars.len]

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
        if name in self._scalars.arrays:
            return self.column(name)
        return np.full(self.loss.shape, np.nan)

    sharpness = property(lambda self: self.measured("sharpness"))
    noise_scale = property(lambda self: self.measured("noise_scale"))

    @property
    def params(self) -> np.ndarray:
        return self._weights.arrays["params"][:self._weights.len]

    @property
    def grads(self) -> np.ndarray:
        return self._weights.arrays["grads"][:self._weights.len]

    @property
    def param_step(self) -> np.ndarray:
        """The step of each row of ``params`` and ``grads``."""
        return self._weights.arrays["step"][:self._weights.len]

    def param_rows(self) -> np.ndarray:
        """The rows of the scalar columns whose steps are those of ``params`` (every one is kept there too)."""
        return np.searchsorted(self.step, self.param_step)

    def at_param_steps(self, name: str) -> np.ndarray:
        """Column ``name`` at the steps whose parameters are kept: one value per row of ``params``."""
        return self.column(name)[self.param_rows()]

    def effective_step_sizes(self) -> np.ndarray:
        """|Δθᵢ| / |gᵢ| per row of ``params`` and parameter: the rate each parameter actually moved at per unit
        of its gradient (γ for plain gradient descent; adaptive methods give each parameter its own). NaN where
        gᵢ = 0, at row 0, and where the row before is not the step before (a thinned record)."""
        out = np.full(self.params.shape, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.abs(np.diff(self.params, axis=0)) / np.abs(self.grads[1:])
        consecutive = (np.diff(self.param_step) == 1)[:, None]
        out[1:] = np.where(np.isfinite(ratio) & consecutive, ratio, np.nan)
        return out

    def table(self) -> np.ndarray:
        """All rows as one (rows, columns + d) array in CSV column order; the parameters NaN on the rows whose
        step's parameters were not kept."""
        params = np.full((len(self), len(self.param_names)), np.nan)
        params[self.param_rows()] = self.params
        return np.column_stack([self.column(name) for name in self.columns] + [params])

    def header(self) -> list[str]:
        return [*self.columns, *self.param_names]

    def csv_rows(self):
        """The rows as CSV writes them: step, samples_seen and evaluations as integers, the rest as floats; the
        parameters' cells empty on a row whose step's parameters were not kept (a thinned network's)."""
        integers = [k for k, name in enumerate(self.columns) if name in INTEGER_COLUMNS]
        with_params = np.zeros(len(self), dtype=bool)
        with_params[self.param_rows()] = True
        scalars = len(self.columns)
        for row, kept in zip(self.table().tolist(), with_params.tolist()):
            for k in integers:
                row[k] = int(row[k]) if math.isfinite(row[k]) else row[k]
            yield row if kept else row[:scalars] + [""] * (len(row) - scalars)

    def to_csv(self, path: str | os.PathLike) -> None:
        """Write every row as CSV through the csv module (names like ``W1[0,0]`` are quoted; floats in their
        shortest exact text); atomically (see gd_core.files)."""
        write_csv(path, self.header(), self.csv_rows())
