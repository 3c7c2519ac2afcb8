"""Runs > Find learning rate: the range test drawn with its marks, and a suggestion applied with one click."""

import numpy as np


def test_find_learning_rate_and_apply_the_suggestion(window):
    window.action_find_lr.trigger()
    finder = window.lr_finder
    assert finder.isVisible() and not finder.use_steepest.isEnabled()
    (x0, x1), (y0, y1) = finder.plot.getViewBox().viewRange()  # before the test: the rates it will try
    assert x0 <= -6 < 1 <= x1 < 2 and y0 <= 0 < window.model.selected.history.loss[0] <= y1
    finder.run_button.click()
    test = finder.test
    finder.plot.getViewBox().updateAutoRange()  # as the next paint does
    (x0, x1), (y0, y1) = finder.plot.getViewBox().viewRange()  # after: the test's own curve, whole
    assert x0 <= np.log10(test.lrs[0]) and np.log10(test.lrs[-1]) <= x1 and y1 >= np.nanmax(test.losses)
    x, y = finder.curve.getData()
    np.testing.assert_allclose(y, test.smoothed)
    assert finder.steepest_line.isVisible() and np.isclose(10 ** finder.steepest_line.value(), test.steepest_lr)
    assert f"{test.steepest_lr:.3g}" in finder.summary.text()
    finder.use_steepest.click()
    assert window.model.selected.config["optimizer"]["lr"] == float(f"{test.steepest_lr:.3g}")
    assert "now trains at lr" in finder.summary.text()


def test_a_bad_range_is_refused_in_one_line(window):
    window.open_lr_finder()
    finder = window.lr_finder
    finder.low.setValue(1.0)
    finder.high.setValue(0.5)
    finder.run_button.click()
    assert finder.summary.text().startswith("Not run - ") and finder.test is None
