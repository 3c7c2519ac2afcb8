"""The learning-rate range test: an exact exponential ramp, fastai's smoothing, the cut, and the marks."""

import numpy as np
import pytest

import gd_core
from gd_core.cli import main
from gd_core.lr_finder import empty_frame, find_lr, range_config, smooth


def test_the_ramp_is_exponential_from_lr_min_to_lr_max():
    config = range_config({"problem": "quadratic", "kappa": 1.0}, 1e-4, 1.0, 50)
    history = gd_core.run(config)  # lr <= 1 on a kappa-1 bowl: stable to the end
    assert config["steps"] == 50 and config["schedule"]["name"] == "range"
    rates = history.lr[1:len(history)]
    np.testing.assert_allclose(rates, np.geomspace(1e-4, 1.0, 50)[:len(rates)], rtol=1e-12)


def test_smoothing_is_a_bias_corrected_moving_average():
    losses = np.array([4.0, 2.0, 3.0, 1.0])
    for beta in (0.98, 0.9):
        expected, average = [], 0.0
        for t, loss in enumerate(losses):
            average = beta * average + (1 - beta) * loss
            expected.append(average / (1 - beta ** (t + 1)))
        np.testing.assert_allclose(smooth(losses, beta), expected, rtol=1e-15)
    assert smooth(losses)[0] == 4.0  # the first point is the first loss itself


def test_the_curve_stops_where_the_loss_grows_fourfold_and_the_marks_are_on_it():
    test = find_lr({"problem": "quadratic", "kappa": 10.0}, 1e-5, 100.0, 100)
    smoothed = test.smoothed
    assert np.all(smoothed[:-1] <= 4 * np.minimum.accumulate(smoothed)[:-1])
    assert len(test.lrs) < 100  # it was cut: the rate became far too large
    assert test.steepest_lr in test.lrs and test.minimum_lr in test.lrs
    bound = gd_core.build_problem(gd_core.validate({"problem": "quadratic", "kappa": 10.0})).stability_bound
    assert bound / 100 < test.steepest_lr < bound  # the suggestion is a stable rate, and not a tiny one
    history = gd_core.run(range_config({"problem": "quadratic", "kappa": 10.0}, 1e-5, 100.0, 100))
    np.testing.assert_array_equal(test.losses, history.loss[1:len(test.losses) + 1])  # the full loss, raw
    assert test.minimum_tenth == pytest.approx(test.minimum_lr / 10)
    assert test.stop == "the loss has grown fourfold"
    assert find_lr({"problem": "quadratic", "kappa": 10.0}, 1e-5, 100.0, 100, stop_factor=2.5).stop \
        == "the loss has grown 2.5-fold"  # the words follow the factor (they said fourfold whatever it was)


def test_a_loss_below_0_is_followed_not_cut_at_once():
    """f = x² − y² from a start where it is negative falls without bound as the rate grows: the test follows it
    until it is no longer finite (the fourfold cut, k·m for a negative minimum m, stopped it after two rates)."""
    test = find_lr({"problem": "saddle", "init": [0.01, -1.5]})
    assert len(test.lrs) > 50 and test.losses[0] < 0 and np.all(np.diff(test.smoothed) < 0)
    assert test.lrs[0] < test.steepest_lr < test.lrs[-1]
    assert test.stop == "the loss diverges"  # it said "grown fourfold" of a loss gone far below 0
    assert find_lr({"problem": "quadratic"}, 1e-6, 1e-3, 20).stop == "the rates end (lr 0.001)"


def test_the_empty_frame_spans_the_losses_the_test_will_show():
    assert empty_frame(5.0, 0.3) == (0.0, 5.0)  # a positive loss: from 0 up to the start
    assert empty_frame(-2.25, None) == (-4.5, -2.25)  # below 0 (f = x² − y², unbounded): as far again below
    assert empty_frame(-0.5, None) == (-1.5, -0.5) and empty_frame(0.0, None) == (-1.0, 0.0)
    assert empty_frame(-1.0, -1.0316) == (-1.0316, -1.0)  # a known least loss below the start: down to it
    assert empty_frame(np.nan, None) == (0.0, 1.0)


def test_bad_ranges_are_refused():
    for low, high, steps in ((0.0, 1.0, 100), (1.0, 0.5, 100), (1e-3, 1.0, 3)):
        with pytest.raises(gd_core.ConfigError):
            find_lr({"problem": "quadratic"}, low, high, steps)


def test_cli_find_lr(tmp_path, capsys):
    out = tmp_path / "curve.csv"
    assert main(["--problem", "linear_regression", "--find-lr", "--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("steepest descent at lr") and "(the suggestion)" in lines[0]
    rows = out.read_text().splitlines()
    assert rows[0] == "lr,batch_loss,smoothed_loss" and len(rows) > 10
