"""Numbers for drawing long, growing curves: peak decimation and the extent of a growing axis.

A plot a few hundred pixels wide cannot show 100,000 points, but it must not lose a spike either: drawing each
run of rows as its lowest and highest value draws, pixel for pixel, what the whole curve draws. ``peak_decimate``
does it in one numpy pass; ``PeakEnvelope`` keeps the same for a growing series in O(new rows) per frame. Both
give it as a line through each run's lowest then highest value, or as a band - the lowest and the highest
values as two series to fill between (``peak_band``, ``PeakEnvelope.band``): a noisy curve drawn as a line
zigzags up and down in every pixel column (moiré stripes, and slow to stroke), the band is one filled shape.
Values are first made *drawn values* (:func:`drawn_values`): NaN is a gap (a diverged run's non-finite rows),
left out of every block (NaN where a block has none); on a log axis -inf is a value under the scale (a loss of 0
or below), kept as a block's low and drawn on the plot's floor (:func:`log_floor`, :func:`on_floor`).
``axis_end`` rounds a growing axis's end up to a round number, so the axis moves now and then rather than every
frame.
"""

from __future__ import annotations

import math

import numpy as np

#: On a linear axis values beyond ±this are drawn at it: pyqtgraph's range takes the sum of its ends, which
#: overflows beyond ~9e307 ("Cannot set range [-inf, inf]": a lone run started where the loss is 9e307 raised it on
#: every redraw). Far past any scale a plot can show; the hover read-out says the value itself.
DRAWN_LIMIT = 1e300


def drawn_values(y: np.ndarray, log: bool = False) -> np.ndarray:
    """``y`` as a plot draws it: NaN (a gap) for a non-finite value; on a linear axis the value, within
    ±:data:`DRAWN_LIMIT`; on a log axis log10 of the value, and -inf for a value <= 0, which has no logarithm but
    is no gap either - a loss that reached 0 is drawn on the plot's floor (:func:`on_floor`)."""
    y = np.asarray(y, dtype=float)
    finite = np.isfinite(y)
    if not log:
        return np.clip(y if finite.all() else np.where(finite, y, np.nan), -DRAWN_LIMIT, DRAWN_LIMIT)
    positive = finite & (y > 0)
    return np.where(positive, np.log10(np.where(positive, y, 1.0)), np.where(finite, -np.inf, np.nan))


def log_floor(lowest: float, highest: float = math.nan) -> float:
    """The log10 y at which a log plot draws the values <= 0 (-inf drawn values), under ``lowest`` and over
    ``highest``, the lowest and highest finite values drawn (NaN: none; then 10^-1, the empty frame's bottom): a
    whole decade under the decade of ``lowest``, and a tenth of the span further, so that at any span an empty
    band parts the floor from the scale and a curve that reached 0 falls to the plot's bottom edge, not to a
    value of the scale."""
    if not math.isfinite(lowest):
        return -1.0
    span = highest - lowest if math.isfinite(highest) else 0.0
    return math.floor(lowest) - 1.0 - math.floor(span / 10)


def on_floor(drawn: np.ndarray, floor: float) -> np.ndarray:
    """Drawn values with -inf (on a log axis: <= 0) put on ``floor``; the array itself when none is."""
    below = np.isneginf(drawn)
    return np.where(below, floor, drawn) if below.any() else drawn


def peak_decimate(x: np.ndarray, y: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """At most about 2*bins points that draw like (x, y): the minimum and maximum of y in each of ``bins``
    equal runs of rows, in order (NaN where a run holds no finite value). Returns the input when it is short."""
    if len(x) <= 2 * bins:
        return x, y
    return zigzag(*peak_band(x, y, bins))


def peak_band(x: np.ndarray, y: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, low, high): the minimum and maximum of the drawn values y (:func:`drawn_values`) in each of ``bins``
    equal runs of rows at the x of the run's first row (NaN where it holds only gaps), then the last row alone
    (low = high = its y). A short series is its own band: ``(x, y, y)``, the same array twice."""
    n = len(x)
    if n <= 2 * bins:
        return x, y, y
    edges = np.linspace(0, n, bins + 1).astype(np.intp)[:-1]
    present = ~np.isnan(y)
    low = np.minimum.reduceat(np.where(present, y, np.inf), edges)
    high = np.maximum.reduceat(np.where(present, y, -np.inf), edges)
    gaps = ~np.logical_or.reduceat(present, edges)
    low[gaps] = high[gaps] = np.nan
    return np.append(x[edges], x[-1]), np.append(low, y[-1]), np.append(high, y[-1])


def zigzag(x: np.ndarray, low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A band (a point per run, its last point alone) as one line: each point's low then high at its x, then the
    last point once."""
    xs = np.append(np.repeat(x[:-1], 2), x[-1:])
    ys = np.empty(len(xs))
    ys[0:-1:2], ys[1:-1:2], ys[-1:] = low[:-1], high[:-1], low[-1:]
    return xs, ys


def epoch_means(epoch: np.ndarray, y: np.ndarray, most: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(rows, means): the first row, the row ending each whole epoch (``epoch`` ascending: the first row at or
    past each whole number), and the last row, each with y's mean over the rows since the row before it (the
    first row: its own value), finite values only (NaN where there are none). A run that takes one row an epoch
    is its own means. A hair (1e-9) below each whole number: epochs counted in floating point (step / n) may land
    a last bit under it. With ``most``, blocks of the fewest whole epochs that make at most ``most`` of them (a
    run of 85,000 epochs: 85,000 means, 0.1 s a call and as many points drawn at every frame)."""
    if len(y) == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0)
    last = math.floor(epoch[-1] + 1e-9)
    every = 1 if most is None or last <= most else math.ceil(last / most)
    wholes = np.arange(every, last + 1, every) - 1e-9
    rows = np.unique(np.concatenate(([0], np.searchsorted(epoch, wholes), [len(y) - 1])))
    present, starts = np.isfinite(y), np.concatenate(([0], rows[:-1] + 1))  # each block: (row before, row]
    sums, counts = np.add.reduceat(np.where(present, y, 0.0), starts), np.add.reduceat(present, starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        return rows, np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


#: Mantissas of the round numbers an axis end snaps to: each at most a third past the one before.
ROUND_MANTISSAS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def axis_end(value: float) -> float:
    """The least round number m * 10^k >= value, m from :data:`ROUND_MANTISSAS` (value itself if <= 0 or not
    finite). A curve that grows to ``value`` fills at least 75 % of an axis that ends there."""
    if not math.isfinite(value) or value <= 0:
        return value
    power = 10.0 ** math.floor(math.log10(value))
    for mantissa in ROUND_MANTISSAS:
        if mantissa * power >= value * (1 - 1e-12):
            return mantissa * power
    return 10 * power


#: A log axis writes its tick labels as plain numbers while every one it names lies from 10^-3 to below 10^5 (0.001
#: to 10,000), else every one as a power of ten: "0.0001" beside "10⁻⁶" on one axis read as two scales.
PLAIN_DECADES = (-3, 5)
_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def plain_log_ticks(exponents) -> bool:
    """Whether a log axis naming the ticks at ``exponents`` (log10 of the values) writes them as plain numbers:
    every one lies in :data:`PLAIN_DECADES`."""
    low, high = PLAIN_DECADES
    return all(low - 1e-9 <= float(v) < high - 1e-9 for v in exponents)


def log_tick_rank(v: float, floor: float | None = None) -> int:
    """Which label of a log axis's tick at 10^``v`` gives way last: 0 the floor (0, where ``floor`` draws it), 1 the
    decades, 2 the 5s, 3 the 2s, 4 the rest (a round number of a decade: below 4)."""
    if v == floor:
        return 0
    mantissa = 10 ** (float(v) % 1.0)
    return next((k for k, m in enumerate(((1, 10), (5,), (2,)), 1) if min(abs(mantissa - x) for x in m) < 1e-6), 4)


def log_tick_text(exponent: float, plain: bool) -> str:
    """The label of a log axis's tick at 10^``exponent``: a plain number ("0.002", "10,000") or a power of ten with
    its mantissa to three digits ("10⁻⁶", "2·10⁻⁶", "3.2·10⁻⁵"), as :func:`plain_log_ticks` chose for the axis."""
    value = 10.0 ** float(exponent)
    if plain:
        return f"{float(f'{value:.6g}'):,g}"
    power = math.floor(float(exponent) + 1e-9)
    mantissa = float(f"{value / 10.0 ** power:.3g}")
    if mantissa >= 10:
        mantissa, power = mantissa / 10, power + 1
    written = "10" + str(power).translate(_SUPERSCRIPTS)
    return written if mantissa == 1 else f"{mantissa:g}·{written}"


def empty_frame(log: bool) -> tuple[list[float], list[float]]:
    """The corners ``(xs, ys)``, in drawn coordinates (log10 of the values on a log axis), that a plot of curves
    against steps frames when it has no point to draw (every run hidden): steps 0 to 1 and a value of 0 to 1, or
    0.1 to 10 on a log axis - a frame whose ticks read, never the range of curves that are gone (kept by an
    auto-range with nothing to fit, it read as nonsense once the axis turned logarithmic)."""
    return [0.0, 1.0], ([-1.0, 1.0] if log else [0.0, 1.0])


def _extrema(y: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Minimum and maximum of the drawn values (gaps left out) in each run of ``size`` rows (len(y) a multiple of
    size); NaN for a run of gaps."""
    blocks = y.reshape(-1, size)
    present = ~np.isnan(blocks)
    low = np.where(present, blocks, np.inf).min(axis=1)
    high = np.where(present, blocks, -np.inf).max(axis=1)
    gaps = ~present.any(axis=1)
    low[gaps] = high[gaps] = np.nan
    return low, high


class PeakEnvelope:
    """The peak decimation of a growing series, updated in O(new rows) per call.

    Rows fall into blocks of ``size`` = 2^k rows, k the least for which the settled rows make at most
    ``max_points / 2`` blocks; each block is drawn as its minimum and maximum at the x of its first row. The rows
    after the last whole block - always including the last row, which a History may still replace - are one
    more such pair, and the last point closes the line. So at most about ``max_points + 3`` points.

    Raw values become drawn values (:func:`drawn_values`, log10 ones for ``log``) as they are read. Call
    :meth:`update` with the whole current series each frame and a ``source`` that compares unequal whenever
    earlier rows may have changed (a history restarted or thinned): the envelope then starts over.
    """

    def __init__(self, max_points: int, log: bool = False):
        self.max_blocks = max(2, max_points // 2)
        self.log = log
        self._source = None
        self._start()

    def _start(self) -> None:
        self.size = 1
        self.rows = 0  # rows folded into whole blocks
        self._x, self._low, self._high = np.empty(0), np.empty(0), np.empty(0)

    def _values(self, y: np.ndarray) -> np.ndarray:
        return drawn_values(y, self.log)

    def update(self, x: np.ndarray, y: np.ndarray, source=None) -> tuple[np.ndarray, np.ndarray]:
        """The points to draw for the series (x increasing) as a line; only rows not yet folded are read."""
        x, low, high = self.band(x, y, source)
        return (x, low) if low is high else zigzag(x, low, high)

    def band(self, x: np.ndarray, y: np.ndarray, source=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The same decimation as a band ``(x, low, high)``: each block's lowest and highest value at its first
        row's x, then the unfolded rows' at the first of them, then the last row alone (low = high). A series
        too short to decimate is its own band: ``(x, y, y)``, the same array twice."""
        n = len(x)
        if source != self._source or n - 1 < self.rows:
            self._source = source
            self._start()
        if n <= 2 * self.max_blocks:
            values = self._values(y)
            return x, values, values
        settled = n - 1  # the last row may still be replaced
        while True:
            new = (settled - self.rows) // self.size
            if new:
                stop = self.rows + new * self.size
                low, high = _extrema(self._values(y[self.rows:stop]), self.size)
                self._x = np.concatenate([self._x, x[self.rows:stop:self.size]])
                self._low = np.concatenate([self._low, low])
                self._high = np.concatenate([self._high, high])
                self.rows = stop
            if len(self._low) <= self.max_blocks:
                break
            self._merge()
        tail = self._values(y[self.rows:])
        present = tail[~np.isnan(tail)]
        tail_low, tail_high = (present.min(), present.max()) if len(present) else (np.nan, np.nan)
        last = tail[-1]
        return (np.concatenate([self._x, [x[self.rows], x[-1]]]), np.concatenate([self._low, [tail_low, last]]),
                np.concatenate([self._high, [tail_high, last]]))

    def _merge(self) -> None:
        """Double the block size: fold pairs of blocks (an odd last block goes back to the unfolded rows)."""
        pairs = len(self._low) // 2
        if len(self._low) % 2:
            self.rows -= self.size
        self._x = self._x[0:2 * pairs:2]
        self._low = np.fmin(self._low[0:2 * pairs:2], self._low[1:2 * pairs:2])
        self._high = np.fmax(self._high[0:2 * pairs:2], self._high[1:2 * pairs:2])
        self.size *= 2


class _GrowingScan:
    """A scan of a growing series in O(new rows) per call: the settled rows (all but the last, which a History may
    still replace, so it is read afresh each call) are read once; a ``source`` that compares unequal (a history
    restarted or thinned) starts over. A subclass keeps its findings in :meth:`_start` and reads new rows in
    :meth:`_read`."""

    def __init__(self):
        self._source = None
        self._start()

    def _start(self) -> None:
        self.rows = 0  # settled rows read

    def _settle(self, y: np.ndarray, source) -> None:
        """Read the rows of ``y`` settled since the last call."""
        if source != self._source or len(y) - 1 < self.rows:
            self._source = source
            self._start()
        settled = max(0, len(y) - 1)
        if settled > self.rows:
            self._read(y, self.rows, settled)
            self.rows = settled

    def _read(self, y: np.ndarray, start: int, stop: int) -> None:
        raise NotImplementedError


class FirstAtOrBelowZero(_GrowingScan):
    """Where a growing series first reached 0 or went below it (what a log axis cannot show as a value), and
    whether it ever went below 0 (:class:`_GrowingScan`)."""

    def _start(self) -> None:
        super()._start()
        self._row: int | None = None  # the first settled row <= 0
        self._negative = False  # whether a settled row is < 0

    def _read(self, y: np.ndarray, start: int, stop: int) -> None:
        new = y[start:stop]
        if self._row is None:
            hits = np.flatnonzero(new <= 0)
            self._row = start + int(hits[0]) if len(hits) else None
        self._negative = self._negative or bool((new < 0).any())

    def update(self, y: np.ndarray, source=None) -> tuple[int | None, bool]:
        """(the first row <= 0 or None, whether any row is < 0) of the series ``y``."""
        self._settle(y, source)
        last = y[-1] if len(y) else np.nan
        row = self._row if self._row is not None else (self.rows if last <= 0 else None)
        return row, self._negative or bool(last < 0)


class LowestRow(_GrowingScan):
    """The row of a growing series' lowest value (NaN rows skipped; the first of equals): the best validation loss
    a run reached and where, as the results table finds it (:class:`_GrowingScan`)."""

    def _start(self) -> None:
        super()._start()
        self._row: int | None = None  # the lowest settled row

    def _read(self, y: np.ndarray, start: int, stop: int) -> None:
        new = y[start:stop]
        if not np.isnan(new).all():  # (not np.nanargmin: it reads NaN as inf, the NaN's row of [nan, inf])
            row = start + int(np.flatnonzero(new == np.nanmin(new))[0])
            if self._row is None or y[row] < y[self._row]:
                self._row = row

    def update(self, y: np.ndarray, source=None) -> int | None:
        """The row of the lowest value of ``y`` (None: every row NaN)."""
        self._settle(y, source)
        row = self._row
        if len(y) and not np.isnan(y[-1]) and (row is None or y[-1] < y[row]):
            row = len(y) - 1
        return row


class MeasuredPoints:
    """The points of a growing series' rows that hold a value - a quantity measured every k steps and NaN on the
    rows between (:mod:`gd_core.tracking`) - as a plot draws them. Each call reads and works out only the rows
    recorded since the call before (``drawn`` sees each settled row once); the points gathered are copied into
    new arrays as they grow (``np.append``: a copy of every point, as cheap as the setData of them all that a plot's
    line through them costs anyway).

    ``drawn(values) -> (drawn values, beyond)`` turns raw values into the values drawn and says which of them lie
    beyond the plot's range (drawn at its edge, and marked); a row is a point where its drawn value is finite. The
    last row, which a History may still replace, is read afresh each call; a ``source`` that compares unequal (a
    history restarted or thinned) starts over. :attr:`kept` says how many of the first points are the same as
    after the call before, so that a plot appends the others instead of setting all."""

    def __init__(self, drawn=lambda values: (drawn_values(values), np.zeros(len(values), dtype=bool))):
        self.drawn = drawn
        self._source = self  # equal to no source a caller passes: the first update reads every row
        self._start()
        self.x, self.y, self.beyond = self._x, self._y, self._beyond
        self.kept = 0

    def _start(self) -> None:
        self.rows = 0  # settled rows read
        self._x, self._y, self._beyond = np.empty(0), np.empty(0), np.empty(0, dtype=bool)  # the settled points
        self._last: tuple[float, float, bool] | None = None  # the last row's point, if it is one

    def update(self, x: np.ndarray, y: np.ndarray, source=None) -> bool:
        """Read the rows of ``(x, y)`` not read yet into :attr:`x`, :attr:`y` and :attr:`beyond` (one value per
        point, in row order); whether they changed."""
        before, last = len(self._x), self._last
        if source != self._source or len(y) - 1 < self.rows:
            self._source = source
            self._start()
            before, last = 0, None
        settled = max(0, len(y) - 1)
        if settled > self.rows:
            rows = self.rows + np.flatnonzero(~np.isnan(y[self.rows:settled]))
            values, beyond = self.drawn(y[rows])
            shown = np.isfinite(values)
            self._x = np.append(self._x, x[rows][shown])
            self._y = np.append(self._y, values[shown])
            self._beyond = np.append(self._beyond, beyond[shown])
            self.rows = settled
        self._last = None
        if len(y) and not math.isnan(y[-1]):
            values, beyond = self.drawn(y[-1:])
            if np.isfinite(values[0]):
                self._last = (float(x[-1]), float(values[0]), bool(beyond[0]))
        # the points before are the same up to the settled ones read before, and one more where the last row
        # read before is now that point
        now = (self._x[before], self._y[before], self._beyond[before]) if len(self._x) > before else self._last
        self.kept = before + (last is not None and now == last)
        changed = self.kept < len(self.x) or len(self._x) + (self._last is not None) > self.kept
        if changed and self._last is None:
            self.x, self.y, self.beyond = self._x, self._y, self._beyond
        elif changed:
            x, y, beyond = self._last
            self.x, self.y, self.beyond = np.append(self._x, x), np.append(self._y, y), np.append(self._beyond, beyond)
        return changed


class LevelLine:
    """The rows a line through a growing series needs - the first, the last and those beside a change of value -
    with the series' values ``values(column rows)`` worked out for new rows only (``values`` sees each settled row
    once; the values and rows kept are copied as they grow, ``np.append``, a copy of all of them). A line
    through them draws what a line through every row draws: the rows left out lie inside level stretches (a
    constant learning rate's whole run, a step schedule's plateaus), and NaN stretches keep their ends, so a gap
    stays a gap. The last row, which a History may still replace, is read afresh each call; a ``source`` that
    compares unequal (a history restarted or thinned, other ``values``) starts over."""

    def __init__(self, values=lambda column: column):
        self.values = values
        self._source = self  # equal to no source a caller passes
        self._start()

    def _start(self) -> None:
        self.rows = 0  # settled rows whose values are known
        self.decided = 1  # rows known to be kept or left out (row 0 is kept; a row needs the one after it)
        self._y = np.empty(0)  # the settled rows' values
        self._kept = np.zeros(1, dtype=np.intp)  # the settled rows kept so far, in order

    def update(self, x: np.ndarray, column: np.ndarray, source=None) -> tuple[np.ndarray, np.ndarray]:
        """(x, values) of the rows to draw of the series ``values(column)`` against ``x``."""
        if source != self._source or len(column) - 1 < self.rows:
            self._source = source
            self._start()
        settled = max(0, len(column) - 1)
        if settled > self.rows:
            self._y = np.append(self._y, self.values(column[self.rows:settled]))
            self.rows = settled
        if settled - 1 > self.decided:  # rows decided .. settled - 2 have both neighbours settled
            y, start = self._y, self.decided
            middle = y[start:settled - 1]
            level = _same(middle, y[start - 1:settled - 2]) & _same(middle, y[start + 1:settled])
            self._kept = np.append(self._kept, start + np.flatnonzero(~level))
            self.decided = settled - 1
        # the kept rows, the last settled row (its neighbour still to come) and the last row
        rows = self._kept[:settled] if settled - 1 <= self._kept[-1] else np.append(self._kept, settled - 1)
        return np.append(x[rows], x[-1:]), np.append(self._y[rows], self.values(column[-1:]))


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether each pair of values is equal, NaN equal to NaN."""
    return (a == b) | (np.isnan(a) & np.isnan(b))
