"""Lessons 23-25 (issue 15): every number their texts state, checked against the lessons' own runs."""

import re
from functools import cache

import numpy as np
import pytest

from gd_core.lesson_library import load_lesson
from gd_core.lessons import answer, run_lesson


@cache
def lesson(name):
    session = load_lesson(name)
    return session, run_lesson({r.name: r.config for r in session.runs})


def runs(name):
    return {run: result.history for run, result in lesson(name)[1].items()}


def text(name) -> str:
    return re.sub(r"<[^>]+>", "", lesson(name)[0].text)


def best(history):
    row = int(np.argmin(history.val_loss))
    return float(history.val_loss[row]), int(history.step[row])


OVERFIT = "23_overfitting_early_stopping"
DECAY = "24_weight_decay_overfitting"
BATCH = "25_small_batch_generalization"


def test_23_twelve_training_samples_four_held_out_and_ten_parameters():
    assert "Sixteen noisy samples" in text(OVERFIT) and "(4, chosen by the data seed)" in text(OVERFIT)
    for result in lesson(OVERFIT)[1].values():
        assert (result.problem.n_samples, result.problem.held_out.n_samples) == (12, 4)
    assert lesson(OVERFIT)[1]["degree 9"].problem.n_params == 10


def test_23_degree_9_fits_the_training_samples_better_and_the_held_out_ones_twenty_times_worse():
    h = runs(OVERFIT)
    line, poly = h["degree 1"], h["degree 9"]
    assert "to about 0.28, well below the straight line's 0.50" in text(OVERFIT)
    assert poly.loss[-1] == pytest.approx(0.28, abs=0.01) and line.loss[-1] == pytest.approx(0.50, abs=0.01)
    assert "falling to about 0.11 at step 112, climbs to about 2.8 - twenty times the straight line's 0.14" \
        in text(OVERFIT)
    assert best(poly)[0] == pytest.approx(0.11, abs=0.01) and best(poly)[1] == 112
    assert poly.val_loss[-1] == pytest.approx(2.8, abs=0.05) and line.val_loss[-1] == pytest.approx(0.14, abs=0.01)
    assert poly.val_loss[-1] / line.val_loss[-1] == pytest.approx(20, rel=0.05)


def test_23_early_stopping_keeps_step_112_and_stops_at_312():
    h = runs(OVERFIT)
    stopped = h["degree 9, early stopping"]
    assert "keeps the parameters of step 112 and stops at step 312" in text(OVERFIT)
    assert stopped.status == "stopped early" and stopped.best_step == 112 and stopped.step[-1] == 312
    np.testing.assert_array_equal(stopped.best_params, h["degree 9"].params[112])


def test_24_decay_raises_the_training_loss_and_a_moderate_decay_lowers_the_validation_loss_most():
    h = runs(DECAY)
    none, some, much = h["no decay"], h["decay 0.3"], h["decay 3"]
    assert "training loss ends at about 0.28 and the validation loss at about 2.8" in text(DECAY)
    assert none.loss[-1] == pytest.approx(0.28, abs=0.01) and none.val_loss[-1] == pytest.approx(2.8, abs=0.05)
    assert "training loss is higher (about 0.48)" in text(DECAY)
    # 0.41 when the three runs advance as one group (as here, and gdlab-run --answers), 0.48 when each runs alone
    # (as in the window): the rounding of the grouped matrix product grows over 3,000 Adam steps on this
    # ill-conditioned polynomial. The window's numbers: test_24_as_the_window_shows_them
    assert some.loss[-1] == pytest.approx(0.48, abs=0.07)
    assert "falls to about 0.16, more than fifteen times lower" in text(DECAY)
    # the group's 0.152 against the window's 0.1608: the same rounding drift, as wide on another numpy or BLAS
    assert some.val_loss[-1] == pytest.approx(0.16, abs=0.02) and none.val_loss[-1] / some.val_loss[-1] > 15
    assert "training loss rises to about 1.06 and the validation loss to about 1.5" in text(DECAY)
    assert much.loss[-1] == pytest.approx(1.06, abs=0.01) and much.val_loss[-1] == pytest.approx(1.5, abs=0.05)
    assert none.loss[-1] < some.loss[-1] < much.loss[-1] and some.val_loss[-1] < min(none.val_loss[-1],
                                                                                       much.val_loss[-1])


def test_24_as_the_window_shows_them():
    """The window advances each run alone: the numbers a student reads there are these (the group's above)."""
    session = lesson(DECAY)[0]
    alone = {r.name: run_lesson({r.name: r.config})[r.name].history for r in session.runs}
    none, some = alone["no decay"], alone["decay 0.3"]
    # "the training loss is higher (about 0.48) but the validation loss falls to about 0.16" (0.4775, 0.1608: it
    # said 0.15, the group's 0.152), "no decay ... the validation loss at about 2.8"
    assert (round(some.loss[-1], 2), round(some.val_loss[-1], 2), round(none.val_loss[-1], 1)) == (0.48, 0.16, 2.8)
    assert "Some 17 to 18 times (about 2.8 against 0.16)" in session.questions[2].explain
    assert 17 <= none.val_loss[-1] / some.val_loss[-1] <= 18


def test_25_same_epochs_seventy_times_the_steps():
    h = runs(BATCH)
    one, full = h["batch 1"], h["full batch"]
    assert "30 of them held out" in text(BATCH) and "(70 steps an epoch, 7,000 steps)" in text(BATCH)
    assert one.step[-1] == 7000 and full.step[-1] == 100 and one.epoch[-1] == full.epoch[-1] == 100
    assert lesson(BATCH)[1]["batch 1"].problem.held_out.n_samples == 30


def test_25_batch_1_fits_the_training_samples_better_but_the_held_out_ones_worse():
    h = runs(BATCH)
    one, full = h["batch 1"], h["full batch"]
    assert "its training loss ends at about 0.25, the full-batch run's at about 0.42" in text(BATCH)
    # as the window shows them (0.25487, 0.42306): "about 0.26" was 0.255 rounded the wrong way
    assert (round(one.loss[-1], 2), round(full.loss[-1], 2)) == (0.25, 0.42)
    assert "about 0.61 against 0.45" in text(BATCH)
    assert one.val_loss[-1] == pytest.approx(0.61, abs=0.01) and full.val_loss[-1] == pytest.approx(0.45, abs=0.01)
    assert "nearly equal (0.447 and 0.450): batch 1 reaches it at step 63" in text(BATCH)
    assert "the full batch at step 76" in text(BATCH)
    assert best(one)[0] == pytest.approx(0.447, abs=0.001) and best(full)[0] == pytest.approx(0.450, abs=0.001)
    assert (best(one)[1], best(full)[1]) == (63, 76) and best(one)[1] < 70  # within its first epoch
    assert round(one.val_accuracy[-1] * 30) == 26 and round(full.val_accuracy[-1] * 30) == 25


EXPECTED = {OVERFIT: ["degree 9", 112, (19, 21), "stopped early"],
            DECAY: ["decay 0.3", "no decay", (15, 20)],
            BATCH: ["full batch", (0.446, 0.448), (0.86, 0.87)]}


@pytest.mark.parametrize("name", [OVERFIT, DECAY, BATCH])
def test_the_questions_answers_are_what_their_explanations_say(name):
    session, results = lesson(name)
    for question, expected in zip(session.questions, EXPECTED[name], strict=True):
        truth = answer(question, results, session.view["tolerance"])
        if isinstance(expected, tuple):
            assert expected[0] <= truth <= expected[1], question.text
        else:
            assert truth == expected, question.text
