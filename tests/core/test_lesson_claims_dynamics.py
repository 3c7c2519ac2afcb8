"""The claims of lessons 16 (the edge of stability) and 17 (how big should a batch be?), checked against their
runs as tests/core/test_lesson_claims.py checks the others."""

import re
from functools import cache

import numpy as np
import pytest

import gd_core
from gd_core import batch_scaling
from gd_core.lesson_library import load_lesson
from gd_core.lessons import answer, is_right, metric

from .lesson_runs import lesson


def measured(history, column):
    values = history.column(column)
    rows = np.isfinite(values)
    return history.step[rows], values[rows]


def test_16_sharpness_climbs_from_about_2_to_2_over_lr_and_stays_while_the_loss_falls():
    session, results = lesson("16_edge_of_stability")
    text = re.sub(r"<[^>]+>", "", session.text)
    assert "rates 0.1 and 0.05" in text and "(20 and 40)" in text and "starts near 2" in text
    slow = results["lr 0.05"].history
    steps, sharp = measured(slow, "sharpness")
    assert 1.5 < sharp[0] < 2.5
    reached = steps[np.flatnonzero(sharp >= 0.9 * 40)[0]]
    assert 1700 <= reached <= 1900  # "at step 1800, when its sharpness reached 2/lr"
    # "hovers about it, between about 36 and 47" (question 1): the edge is chaotic - from starts moved by 1e-12 the
    # band after step 1800 was 0.912-1.123 (4 of 6) or -1.173 times 2/lr, the last measurement 41.1 or 46.6-46.9;
    # the tolerance of 0.2 judges "40" right for any of them (0.1 judged it wrong for 46.9 - on another computer)
    band = sharp[steps >= reached] / 40
    assert 0.9 < band.min() and band.max() < 1.2
    assert "hovers about it, between about 36 and 47" in session.questions[0].explain
    final = metric("final_sharpness", results["lr 0.05"], 0)
    assert 38 < final < 48 and is_right(session.questions[0], 40, 46.9) and is_right(session.questions[0], 40, 41.1)
    fast_steps, fast = measured(results["lr 0.1"].history, "sharpness")
    assert 20 <= np.median(fast[fast_steps >= 700]) < 26  # "hovers near 20, a little above"
    row = int(np.flatnonzero(slow.step >= reached)[0])
    assert slow.loss[-1] < 0.75 * slow.loss[row] and np.count_nonzero(np.diff(slow.loss[row:]) > 0) > 5  # spikes
    answers = [answer(q, results, session.view["tolerance"]) for q in session.questions]
    assert answers[1:] == ["lr 0.05", "yes"]



def test_16_at_lr_0_02_the_sharpness_peaks_near_60_and_never_reaches_its_edge_of_100():
    """The suggested experiment, run as the student runs it (lr 0.02, 8000 steps) but measuring the sharpness every
    500 steps, not 50 (3 s, not 7: the steps are the same, and so the sharpness at them). Every 50 steps it peaks
    at 60.7 at step 6,900. It said "Try lr 0.02 (edge 100) with 6000 steps: does the rule still hold?" - at step
    6,000 the sharpness is 53 and still climbing, so the run could not say."""
    session, _ = lesson("16_edge_of_stability")
    text = re.sub(r"<[^>]+>", "", session.text)
    assert "Try lr 0.02 (edge 100) with 8000 steps: its sharpness climbs more slowly, peaks at about 60 near step " \
           "7,000 and then falls - it never reaches 100, and its loss falls smoothly, without a spike." in text
    assert "by its peak this run already puts 97 of its 100 points in the right arm, and from there its sharpness " \
           "drops as its loss shrinks." in text
    config = {**session.runs[1].config, "optimizer": {"name": "plain", "lr": 0.02}, "steps": 8000,
              "track": {"sharpness": 500}}
    history = gd_core.run(config)
    steps, sharp = measured(history, "sharpness")
    peak = int(np.argmax(sharp))
    assert steps[peak] == 7000 and 57 < sharp[peak] < 63  # 60.5
    assert np.all(np.diff(sharp[:peak + 1]) > 0) and np.all(np.diff(sharp[peak:]) < 0)  # climbs, then falls
    assert sharp.max() < 0.65 * 2 / 0.02  # never near its edge
    assert np.all(np.diff(history.loss) <= 0)  # falls smoothly, not one spike
    rows = np.searchsorted(history.step, steps)
    assert round(history.accuracy[rows[peak]] * 100) == 97 and history.loss[-1] < 0.8 * history.loss[rows[peak]]


def test_16_a_rate_typed_before_the_first_step_is_the_rate_of_row_0():
    """The experiment as the window does it: the lesson's lr 0.05 run, its rate changed to 0.02 before it starts
    (a rate applies from the next step on, the run is not reset). Row 0 kept 0.05, so the Sharpness tab's dashed
    edge began at 2/0.05 = 40 and leapt to 100 after step 0; no step was taken at 0.05."""
    session = load_lesson("16_edge_of_stability")
    trainer = gd_core.Trainer(session.runs[1].config)
    trainer.apply({**session.runs[1].config, "optimizer": {"name": "plain", "lr": 0.02}})
    trainer.advance(2)
    assert list(trainer.history.lr) == [0.02, 0.02, 0.02]
    moved = gd_core.Trainer(session.runs[1].config)
    moved.advance(1)
    moved.apply({**session.runs[1].config, "optimizer": {"name": "plain", "lr": 0.02}})
    moved.advance(1)
    assert list(moved.history.lr) == [0.05, 0.05, 0.02]  # after a step, the rows taken keep their rate

@cache
def scaling_at_1_1():
    """What Runs > Batch-size scaling computes for the lesson's selected run with its target set to 1.1: the plan of
    BatchScalingWindow._plan, the window's default rates, seeds and epochs (the lesson's rates used to come from a
    finer grid of 12 rates and 8 seeds the window cannot be set to: it found 0.085, 0.39, 0.39, not 0.075, 0.38,
    0.57)."""
    session, results = lesson("17_how_big_a_batch")
    selected = session.runs[session.view["selected"]]
    plan = batch_scaling.plan_for(selected.config, results[selected.name].problem, target=1.1)
    assert (plan.seeds, plan.epochs, len(plan.lrs)) == (batch_scaling.DEFAULT_SEEDS, batch_scaling.DEFAULT_EPOCHS,
                                                        batch_scaling.DEFAULT_RATES)
    updates = list(batch_scaling.run_scaling(plan, results[selected.name].problem))
    return {u.point.batch_size: u.point for u in updates if u.point}, updates[-1].noise_scale


def test_17_the_runs_use_the_rates_the_scaling_finds_best_and_the_noise_scale_at_1_1_is_about_50():
    session, results = lesson("17_how_big_a_batch")
    points, noise = scaling_at_1_1()
    for run in session.runs:
        size = int(run.name.split()[-1])
        assert run.config["optimizer"]["lr"] == pytest.approx(points[size].lr, rel=0.02)
    assert 40 < noise < 60  # "about 50" (48.1)
    fit = batch_scaling.fit([p.samples_per_step for p in points.values()], [p.steps for p in points.values()])
    text = re.sub(r"<[^>]+>", "", session.text)
    assert "the critical batch size it fits, about 30, is within a factor of two of the noise scale" in text
    assert 25 < fit.b_noise < 35 and 0.5 < fit.b_noise / noise < 1  # 29.6, 0.62 times 48.1


def test_17_says_why_the_window_suggests_1_2928_and_the_lesson_asks_for_1_1():
    """The window's default target (gd_core.batch_scaling.plan_for, target None) is the minimum plus 1 % of the gap
    up to the start's loss: 1.2928 here, where the lesson sets 1.1 - the text names both and why. (It said the target
    lay "1 % of the way from the start's loss, about 31, down to the minimum": that is 30.7, not 1.2928.)"""
    session, results = lesson("17_how_big_a_batch")
    text = re.sub(r"<[^>]+>", "", session.text)
    assert "set its target to 1.1 and press Compute. (It suggests 1.2928: by default the target is the minimum, " \
           "1.00, plus 1 % of the gap up to the start's loss, about 31." in text
    selected = session.runs[session.view["selected"]]
    problem = results[selected.name].problem
    target = batch_scaling.plan_for(selected.config, problem).target
    start = problem.full_loss(np.array(selected.config["init"]))
    assert round(target, 4) == 1.2928  # as its box shows it
    assert round(start) == 31 and round(problem.min_loss, 2) == 1.00
    assert (target - problem.min_loss) / (start - problem.min_loss) == pytest.approx(0.01)  # 1 % of the gap
    # "at 1.2928 the noise scale is only about 20": where the window measures it, on the full-batch run of the best
    # rate - at 1.2928 too that is 0.39, the lesson's own full-batch run (19.8)
    assert "at 1.2928 the noise scale is only about 20" in text
    full = results["batch size 1024"].history
    k = int(np.flatnonzero(full.loss <= 1.2928)[0])
    assert 17 < batch_scaling.noise_scale_at_target(problem, full.params[k - 1], full.params[k], 1.2928) < 23


def test_17_steps_samples_and_the_growing_noise_scale():
    session, results = lesson("17_how_big_a_batch")
    small, medium, full = (results[f"batch size {k}"] for k in (4, 64, 1024))
    steps_small = metric({"name": "steps_to_loss", "below": 1.1}, small, 0)
    assert 20 <= steps_small <= 30 and 80 <= 4 * steps_small <= 120  # "about 25 steps ... some 100 samples"
    ratio = answer(session.questions[1], results, 0.05)
    assert 4 < ratio < 16  # "far fewer, but not 16 times"
    start = measured(medium.history, "noise_scale")[1][0]
    assert 4 < start < 6 and metric("final_noise_scale", medium, 0) == pytest.approx(70, rel=0.1)  # 71.1
    assert metric("final_noise_scale", full, 0) > 1e6  # at the minimum G -> 0
    # "Why does the noise scale of the batch run shoot up after its first few steps?" - it said "at the end", but
    # at its rate the full-batch run is at the minimum by step 5 of its 300, and B 7,000 times what it was
    assert "Why does the noise scale of the batch run shoot up after its first few steps?" in session.text
    steps, values = measured(full.history, "noise_scale")
    assert steps[1] == 5 and values[1] > 1000 * values[0] and full.history.loss[5] < 1.001 * full.problem.min_loss
    # "well above B, a larger batch barely saves a step": all 1,024 samples a step take as many steps as 64 (3)
    below = {"name": "steps_to_loss", "below": 1.1}
    assert metric(below, full, 0) == metric(below, medium, 0) == 3
