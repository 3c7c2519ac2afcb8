"""Peak decimation for display: one-pass and incremental envelopes draw like the whole curve."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gd_core.display import (
    ROUND_MANTISSAS,
    FirstAtOrBelowZero,
    LevelLine,
    LowestRow,
    MeasuredPoints,
    PeakEnvelope,
    axis_end,
    drawn_values,
    epoch_means,
    log_floor,
    on_floor,
    peak_band,
    peak_decimate,
    zigzag,
)
from gd_core.history import History


def test_peak_decimation_keeps_the_envelope_and_the_last_point():
    x = np.arange(10_000.0)
    y = np.sin(x / 7.0) * np.exp(-x / 5000)
    y[123] = np.nan
    xs, ys = peak_decimate(x, y, 100)
    assert len(xs) == 201 and xs[-1] == x[-1] and ys[-1] == y[-1]
    assert np.nanmax(ys) == np.nanmax(y) and np.nanmin(ys) == np.nanmin(y)
    assert np.all(np.diff(xs) >= 0)
    short_x, short_y = peak_decimate(x[:150], y[:150], 100)
    assert short_x is not None and len(short_x) == 150


def assert_draws_like(xs, ys, x, y, max_points):
    """The envelope's points: few, in x order, ending at the last point, and every finite value of y lies
    between the low and the high point of the block it belongs to."""
    assert len(xs) == len(ys) <= max_points + 3
    assert np.all(np.diff(xs) >= 0) and xs[-1] == x[-1]
    assert np.array_equal(ys[-1:], y[-1:], equal_nan=True) or not np.isfinite(y[-1])
    finite = np.isfinite(y)
    if not finite.any():
        return
    assert np.nanmax(ys) == y[finite].max() and np.nanmin(ys) == y[finite].min()
    starts = np.searchsorted(xs[0:-1:2], x, side="right") - 1  # the block (low, high pair) of each row
    low, high = ys[0:-1:2][starts], ys[1::2][starts]
    assert np.all((low[finite] <= y[finite]) & (y[finite] <= high[finite]))


series = st.lists(st.one_of(st.floats(-1e6, 1e6), st.sampled_from([np.nan, np.inf, -np.inf])),
                  min_size=1, max_size=3000)


@settings(max_examples=150, deadline=None)
@given(values=series, chunks=st.lists(st.integers(1, 400), min_size=1, max_size=30),
       max_points=st.integers(4, 64))
def test_a_growing_envelope_equals_one_built_at_once_and_draws_like_the_curve(values, chunks, max_points):
    y = np.array(values)
    x = np.arange(len(y), dtype=float)
    growing = PeakEnvelope(max_points)
    n = 0
    for chunk in chunks:
        n = min(len(y), n + chunk)
        xs, ys = growing.update(x[:n], y[:n])
    xs, ys = growing.update(x, y)
    fresh_xs, fresh_ys = PeakEnvelope(max_points).update(x, y)
    np.testing.assert_array_equal(xs, fresh_xs)
    np.testing.assert_array_equal(ys, fresh_ys)
    if len(y) > max_points:
        assert_draws_like(xs, ys, x, y, max_points)


@settings(max_examples=60, deadline=None)
@given(values=series, max_points=st.integers(4, 64))
def test_a_band_is_the_envelope_to_fill_between(values, max_points):
    """The band (what the loss plot fills for a noisy batch loss) holds exactly the line's numbers: its zigzag is
    the envelope's line; low <= high; and a short series is its own band, the same array as low and high."""
    y = np.array(values)
    x = np.arange(len(y), dtype=float)
    drawn = drawn_values(y)
    for band, line in ((PeakEnvelope(max_points).band(x, y), PeakEnvelope(max_points).update(x, y)),
                       (peak_band(x, drawn, max_points // 2), peak_decimate(x, drawn, max_points // 2))):
        bx, low, high = band
        if low is high:  # short: the values themselves (non-finite ones as gaps)
            assert len(bx) == len(y) <= max_points and np.array_equal(low, line[1], equal_nan=True)
            continue
        zx, zy = zigzag(bx, low, high)
        np.testing.assert_array_equal(zx, line[0])
        np.testing.assert_array_equal(zy, line[1])
        both = np.isfinite(low) & np.isfinite(high)
        assert np.all(low[both] <= high[both]) and np.array_equal(np.isfinite(low), np.isfinite(high))


def test_settled_rows_are_read_once():
    """O(new rows) per frame: rows already folded into blocks are not read again (the history owns them)."""
    x, y = np.arange(100_000.0), np.cos(np.arange(100_000.0) / 300)
    envelope = PeakEnvelope(400)
    before = envelope.update(x[:60_000], y[:60_000])
    scribbled = y.copy()
    scribbled[:envelope.rows] = 1e9  # if these rows were read again, the envelope would show it
    after = envelope.update(x[:60_000], scribbled[:60_000])
    np.testing.assert_array_equal(before[1], after[1])
    grown = envelope.update(x, scribbled)
    assert np.nanmax(grown[1]) < 1e9 and envelope.size >= 128


def test_a_thinned_history_starts_the_envelope_over():
    history = History(("w",), 1, max_rows=2_000)
    envelope = PeakEnvelope(200)
    for step in range(20_000):
        history.append(step, step, 0.1, np.nan, np.sin(step / 50) + step / 1e4, 0.0, np.zeros(1))
        if step % 97 == 0 or step == 19_999:
            got = envelope.update(history.step, history.loss, source=(history, history.stride))
            want = PeakEnvelope(200).update(history.step, history.loss)
            np.testing.assert_array_equal(got[1], want[1])
    assert history.stride > 1  # the history did thin on the way
    assert_draws_like(*got, history.step, history.loss, 200)


def test_on_a_log_axis_a_loss_of_0_is_under_the_scale_not_a_gap():
    """log10 has no value for a loss <= 0, but it is no gap either (Newton on a quadratic reaches 0 in one step and
    its curve vanished): -inf, kept as a block's low, put on the floor; only non-finite losses are gaps."""
    y = np.concatenate([np.full(500, 10.0), np.zeros(500), np.full(500, 1000.0), [np.inf], [100.0]])
    xs, ys = PeakEnvelope(20, log=True).update(np.arange(len(y), dtype=float), y)
    assert np.nanmax(ys) == 3.0 and ys[-1] == 2.0 and np.isneginf(ys).any() and not np.isnan(ys).any()
    short = PeakEnvelope(20, log=True).update(np.arange(4.0), np.array([1.0, 0.0, -2.0, np.nan]))[1]
    np.testing.assert_array_equal(short, [0.0, -np.inf, -np.inf, np.nan])
    np.testing.assert_array_equal(drawn_values(np.array([2.0, -np.inf, np.nan])), [2.0, np.nan, np.nan])
    floor = log_floor(np.nanmin(ys[np.isfinite(ys)]))
    assert floor == 0.0  # a decade under the decade of the lowest value (10): 1, and no value in between
    assert log_floor(-20.3) == -22.0 and log_floor(np.nan) == -1.0
    assert log_floor(-26.9, 1.4) == -30.0  # 28 decades shown: 3 more between the floor and the lowest value
    np.testing.assert_array_equal(on_floor(ys, floor), np.where(np.isneginf(ys), floor, ys))


small_chunks = st.lists(st.integers(1, 9), min_size=1, max_size=12)


def _grown_then_replaced(scan, y: np.ndarray, chunks: list[int], last: float) -> list[np.ndarray]:
    """Feed ``scan`` the series ``y`` growing by ``chunks`` rows; return it with its last row replaced by ``last``
    (a History may replace its last row: it is read afresh) and as it is, for the caller's final checks."""
    n = 0
    for chunk in chunks:
        n = min(len(y), n + chunk)
        scan.update(y[:n].copy())
    replaced = y.copy()
    replaced[-1] = last
    return [replaced, y]


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.sampled_from([-1.0, 0.0, 1.0, 2.0, np.nan]), min_size=1, max_size=60), chunks=small_chunks)
def test_the_first_row_at_or_below_0_is_found_as_the_series_grows(values, chunks):
    scan = FirstAtOrBelowZero()
    for series in _grown_then_replaced(scan, np.array(values), chunks, 5.0):
        hits = np.flatnonzero(series <= 0)
        assert scan.update(series) == (int(hits[0]) if len(hits) else None, bool((series < 0).any()))


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.sampled_from([3.0, 1.0, 2.0, 1.0, np.inf, np.nan]), min_size=1, max_size=60),
       chunks=small_chunks)
def test_the_lowest_row_is_found_as_the_series_grows(values, chunks):
    """The row of the lowest value (NaN rows skipped, the first of equals; None where every row is NaN) - as the
    results table finds it - the last row read afresh."""
    scan = LowestRow()
    for series in _grown_then_replaced(scan, np.array(values), chunks, 0.5):
        # (np.nanargmin itself gives the NaN's row of [nan, inf]: it reads NaN as inf)
        expected = None if np.isnan(series).all() else int(np.flatnonzero(series == np.nanmin(series))[0])
        assert scan.update(series) == expected


measurements = st.lists(st.sampled_from([np.nan, np.nan, np.nan, 1.0, 2.0, -3.0, np.inf, 1e9]), min_size=1,
                        max_size=60)
growth = st.lists(st.tuples(st.integers(0, 9), st.sampled_from([np.nan, 1.0, 7.0])), min_size=1, max_size=12)


def ceiling_drawn(values):
    """A measure drawn on a log axis up to a ceiling of 1e6, beyond it at the ceiling (as the noise scale is)."""
    beyond = values > 1e6
    return drawn_values(np.where(beyond, 1e6, values), log=True), beyond


@settings(max_examples=60, deadline=None)
@given(values=measurements, chunks=growth)
def test_measured_points_grow_as_a_plot_appends_them_and_equal_the_points_read_at_once(values, chunks):
    """A tracked quantity's plot appends new points rather than setting all: the first ``kept`` points are those
    of the call before, and the points equal the rows read at once - also where a History replaced its last row
    (the last row is read afresh)."""
    y, x = np.array(values), np.arange(len(values), dtype=float) * 10
    points, n, shown = MeasuredPoints(ceiling_drawn), 0, (np.empty(0),) * 3
    for chunk, last in chunks:
        n = min(len(y), n + chunk)
        grown = y[:n].copy()
        if n:
            grown[-1] = last  # what the latest row holds now; a later call reads the row as recorded
        changed = points.update(x[:n], grown, source="history")
        got = points.x, points.y, points.beyond
        for before, now in zip(shown, got):
            np.testing.assert_array_equal(before[:points.kept], now[:points.kept])
        assert changed == (not all(np.array_equal(a, b) for a, b in zip(shown, got)))
        fresh = MeasuredPoints(ceiling_drawn)
        fresh.update(x[:n], grown)
        for want, now in zip((fresh.x, fresh.y, fresh.beyond), got):
            np.testing.assert_array_equal(want, now)
        shown = got
    points.update(x, y, source="history")
    drawn, beyond = ceiling_drawn(y)
    rows = np.isfinite(drawn)  # NaN: not measured; -3 and a -inf: no logarithm
    np.testing.assert_array_equal(points.x, x[rows])
    np.testing.assert_array_equal(points.y, drawn[rows])
    np.testing.assert_array_equal(points.beyond, beyond[rows])
    points.update(x[:1], y[:1], source="another history")  # a new record: read from its start
    assert points.kept == 0 and len(points.x) == np.isfinite(ceiling_drawn(y[:1])[0]).sum()


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.sampled_from([0.5, 0.5, 0.5, 2.0, np.nan]), min_size=1, max_size=60),
       chunks=small_chunks)
def test_a_level_line_keeps_the_rows_a_line_needs_and_works_out_new_rows_only(values, chunks):
    """The edge of stability 2/lr: a line through the rows kept draws what a line through every row draws (every
    row left out lies inside a level stretch, NaN stretches keep their ends), and ``values`` sees each settled
    row once (O(new rows) per redraw)."""
    lr, seen = np.array(values), []

    def edge(rates):
        seen.append(len(rates))
        return 2 / rates

    line, n = LevelLine(edge), 0
    for chunk in chunks:
        n = min(len(lr), n + chunk)
        xs, ys = line.update(np.arange(n, dtype=float), lr[:n], source="history")
    xs, ys = line.update(np.arange(len(lr), dtype=float), lr, source="history")
    assert sum(seen) <= len(lr) - 1 + len(chunks) + 1  # settled rows once, and the last row each call
    every = 2 / lr
    rows = xs.astype(int)
    assert rows[0] == 0 and rows[-1] == len(lr) - 1 and np.all(np.diff(rows) > 0)
    np.testing.assert_array_equal(ys, every[rows])
    left_out = np.setdiff1d(np.arange(len(lr)), rows)
    same = lambda a, b: (a == b) | (np.isnan(a) & np.isnan(b))  # noqa: E731
    assert np.all(same(every[left_out], every[left_out - 1]) & same(every[left_out], every[left_out + 1]))
    if len(lr) > 3 and np.all(lr == lr[0]):
        assert len(xs) <= 3  # a constant rate: one level line, however long the run


@given(st.floats(1e-9, 1e12))
def test_axis_end_is_a_round_number_a_little_past_the_value(value):
    end = axis_end(value)
    assert value * (1 - 1e-12) <= end <= value / 0.75 * (1 + 1e-12)  # the curve fills >= 75 % of the axis
    mantissa = end / 10.0 ** np.floor(np.log10(end) + 1e-12)
    assert min(abs(mantissa - m) for m in ROUND_MANTISSAS) < 1e-9
    assert axis_end(end) == end  # a round end stays put while the curve grows up to it


def test_axis_end_moves_rarely_as_a_run_grows():
    ends = {axis_end(step) for step in range(1, 100_001)}
    assert len(ends) < 60  # ~ a dozen round numbers a decade, instead of 100,000 axis changes
    assert axis_end(0.0) == 0.0 and axis_end(-3.0) == -3.0 and np.isnan(axis_end(np.nan))


@given(st.integers(1, 9), st.integers(1, 400), st.lists(st.integers(0, 399), max_size=20))
def test_epoch_means_are_each_epochs_mean_at_its_last_row(per_epoch, rows, gaps):
    """The accuracy plot's lines for a run of several steps an epoch: the first row, then each whole epoch's end
    and the last row, each the mean of the finite values since the row before (NaN where none)."""
    y = np.random.default_rng(rows).random(rows)
    y[[g for g in gaps if g < rows]] = np.nan
    epoch = np.arange(rows) / per_epoch  # as the history counts them: samples seen / n, in floating point
    at, means = epoch_means(epoch, y)
    expected = [0, *range(per_epoch, rows, per_epoch)]
    assert list(at) == expected + ([rows - 1] if expected[-1] != rows - 1 else [])
    for k, row in enumerate(at):
        block = y[at[k - 1] + 1:row + 1] if k else y[:1]
        finite = block[np.isfinite(block)]
        assert (np.isnan(means[k]) and len(finite) == 0) or means[k] == pytest.approx(finite.mean(), rel=1e-12)


@given(st.integers(1, 9), st.integers(1, 400), st.integers(1, 60))
def test_epoch_means_past_most_epochs_are_over_blocks_of_a_few(per_epoch, rows, most):
    """With ``most``, at most that many blocks (and the first and last rows), each of the same number of whole
    epochs, the mean since the row before; as many epochs as ``most`` or fewer: each epoch alone, as without it."""
    y = np.random.default_rng(rows).random(rows)
    epoch = np.arange(rows) / per_epoch
    at, means = epoch_means(epoch, y, most)
    epochs = int(epoch[-1])
    assert len(at) <= most + 2
    if epochs <= most:
        np.testing.assert_array_equal(at, epoch_means(epoch, y)[0])
    every = max(1, -(-epochs // most))  # whole epochs a block
    assert list(at) == sorted({0, *range(every * per_epoch, rows, every * per_epoch), rows - 1})
    for k in range(1, len(at)):
        assert means[k] == pytest.approx(y[at[k - 1] + 1:at[k] + 1].mean(), rel=1e-12)
