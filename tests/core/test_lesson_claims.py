"""Every sentence a lesson says about its numbers, checked against the lesson's own runs.

Each test names the lesson and quotes (or paraphrases closely) the claim it pins; the numbers come from running
the lesson's runs headless, exactly as the window would (the runs are seeded).
"""

import copy
import html
import math
import re

import numpy as np
import pytest

import gd_core
from gd_core.lesson_library import list_lessons
from gd_core.lessons import answer, format_answer
from gd_core.samplers import steps_per_epoch

from .lesson_runs import lesson


def runs(name):
    return lesson(name)[1]


def text(name) -> str:
    return re.sub(r"<[^>]+>", "", lesson(name)[0].text)


def at_epoch(history, epoch):
    """The full loss at the first row whose epoch reaches ``epoch``."""
    return float(history.loss[np.flatnonzero(history.epoch >= epoch - 1e-9)[0]])


def samples_per_step(history):
    return np.diff(history.samples_seen)


# -- 01 -------------------------------------------------------------------------------------------------------
def test_01_steps_and_samples_per_step():
    r = runs("01_variants_same_epochs")
    batch, sgd, mini = (r[k].history for k in ("batch", "stochastic", "mini-batch 16"))
    assert "5 epochs" in text("01_variants_same_epochs")
    assert np.all(samples_per_step(batch) == 200) and batch.step[-1] == 5
    assert np.all(samples_per_step(sgd) == 1) and sgd.step[-1] == 1000
    assert steps_per_epoch(200, "minibatch", 16) == 13 and mini.step[-1] == 65
    per_epoch = samples_per_step(mini).reshape(5, 13)  # 13 steps per epoch, the last one partial
    assert np.all(per_epoch[:, :12] == 16) and np.all(per_epoch[:, 12] == 200 - 12 * 16)
    for run in r.values():
        assert run.history.epoch[-1] == pytest.approx(5) and run.history.lr[1] == 0.05


def test_01_every_step_updates_both_parameters():
    for run in runs("01_variants_same_epochs").values():
        assert np.all(np.diff(run.history.params, axis=0) != 0)


def test_01_after_two_epochs_batch_is_still_above_3_and_the_others_within_005():
    r = runs("01_variants_same_epochs")
    min_loss = r["batch"].problem.min_loss
    assert f"{min_loss:.3f}" == "0.262"
    assert r["batch"].history.step[np.flatnonzero(r["batch"].history.epoch >= 2)[0]] == 2
    assert at_epoch(r["batch"].history, 2) > 3
    for name in ("stochastic", "mini-batch 16"):
        assert at_epoch(r[name].history, 2) - min_loss < 0.05


# -- 02 -------------------------------------------------------------------------------------------------------
def test_02_minibatch_moves_both_parameters_coordinate_one_with_all_samples():
    r = runs("02_what_is_a_batch")
    mini, coord = r["mini-batch 8"].history, r["coordinate"].history
    assert np.all(samples_per_step(mini) == 8)
    assert np.all((np.diff(mini.params, axis=0) != 0).sum(axis=1) == 2)
    assert np.all(samples_per_step(coord) == 200)
    moved = np.diff(coord.params, axis=0) != 0
    assert np.all(moved.sum(axis=1) == 1)  # axis-parallel: a staircase
    assert moved[:, 0].any() and moved[:, 1].any()  # the coordinate is chosen at random, both occur



def test_02_ill_conditioned_the_bound_falls_to_about_001_and_at_01_both_runs_diverge():
    """The lesson sent students to "data scale 10, two features ... and compare again" at lr 0.1, where both runs
    diverge within 20 steps: it now says so and names the new bound, which a rate below it keeps."""
    assert ("take a learning rate below its new bound (the learning-rate panel shows 2/L, about 0.01: at 0.1 both "
            "runs diverge) and compare again." in text("02_what_is_a_batch"))
    for run in lesson("02_what_is_a_batch")[0].runs:
        config = copy.deepcopy(run.config)
        config["data"].update(n_features=2, scale=10.0)
        trainer = gd_core.Trainer(config)
        assert round(trainer.problem.stability_bound, 2) == 0.01  # 0.0099
        assert trainer.config["optimizer"]["lr"] == 0.1 and gd_core.run(config).status == "diverged"
        config["optimizer"]["lr"] = 0.9 * trainer.problem.stability_bound
        assert gd_core.run(config).status == "completed"


# -- 03 -------------------------------------------------------------------------------------------------------
def test_03_bound_and_factors():
    r = runs("03_learning_rate_bound")
    problem = r["lr 0.1 = 1/L"].problem
    assert problem.curvature == 10 and problem.stability_bound == pytest.approx(0.2)
    for name, run in r.items():
        lr = run.history.lr[1]
        y = run.history.params[:6, 1]
        assert np.allclose(y[1:], (1 - 10 * lr) * y[:-1]), name  # y is multiplied by (1 - 10 lr) per step
    assert r["lr 0.1 = 1/L"].history.params[1, 1] == 0  # the steep direction solved in one step
    y = r["lr 0.19 (just stable)"].history.params[:, 1]
    assert np.all(np.sign(y[1:]) == -np.sign(y[:-1])) and np.all(np.abs(y[1:]) < np.abs(y[:-1]))
    small = r["lr 0.02 (too small)"].history
    assert small.status == "completed" and abs(small.params[-1, 0]) > 0.3  # still crawling along x
    big = r["lr 0.21 (too large)"].history
    assert big.status == "diverged" and "2/L = 0.2" in big.message


# -- 04 -------------------------------------------------------------------------------------------------------
def test_04_runs_as_described():
    r = runs("04_batch_size_noise")
    for name, k in (("batch size 1", 1), ("batch size 8", 8), ("batch size 64", 64), ("batch size 500", 500)):
        history = r[name].history
        assert history.lr[1] == 0.05 and history.epoch[-1] == pytest.approx(10)
        assert samples_per_step(history).max() == k
    assert r["batch size 500"].problem.n_samples == 500


def test_04_noise_shrinks_like_one_over_sqrt_k():
    problem = runs("04_batch_size_noise")["batch size 1"].problem
    params = np.array([0.5, 0.2])
    full = problem.full_loss_and_grad(params)[1]
    rng = np.random.default_rng(0)
    n = problem.n_samples
    spread = {}
    for k in (1, 8, 64):
        grads = np.array([problem.loss_and_grad(params, rng.choice(n, k, replace=False))[1] for _ in range(4000)])
        spread[k] = np.sqrt(np.mean(np.sum((grads - full) ** 2, axis=1)))
    for k in (8, 64):
        finite_population = math.sqrt((n - k) / (n - 1))  # sampling without replacement
        assert spread[k] / spread[1] == pytest.approx(finite_population / math.sqrt(k), rel=0.1)
    assert np.allclose(problem.loss_and_grad(params, np.arange(n))[1], full)  # at k = n there is no noise


def test_04_smaller_batch_higher_noise_floor_and_one_ends_above_8_and_64():
    r = runs("04_batch_size_noise")
    min_loss = r["batch size 1"].problem.min_loss
    floor = {k: np.mean(r[f"batch size {k}"].history.loss[r[f"batch size {k}"].history.epoch >= 8] - min_loss)
             for k in (1, 8, 64)}
    assert floor[1] > floor[8] > floor[64]
    final = {name: run.history.loss[-1] for name, run in r.items()}
    assert final["batch size 1"] > max(final["batch size 8"], final["batch size 64"])
    assert r["batch size 1"].history.step[-1] > r["batch size 8"].history.step[-1]  # the most steps


# -- 05 -------------------------------------------------------------------------------------------------------
def test_05_plain_runs():
    r = runs("05_momentum_valley")
    assert r["plain 0.038"].problem.stability_bound == pytest.approx(0.04)
    y = r["plain 0.038"].history.params[:60, 1]
    assert np.all(np.sign(y[1:]) == -np.sign(y[:-1]))  # zigzags: y flips sign at every step
    slow = r["plain 0.02"].history.params
    assert np.all(slow[1:, 1] == 0) and slow[0, 1] != 0  # y removed in one step
    assert abs(slow[-1, 0]) > 0.1  # then crawls along x


def test_05_momentum_faster_along_slower_to_settle_across():
    r = runs("05_momentum_valley")

    def first(name, predicate):
        return int(np.flatnonzero(predicate(r[name].history.params))[0])

    near = lambda p: np.abs(p[:, 0]) < 0.05  # noqa: E731
    assert first("plain 0.038", near) > 5 * first("momentum 0.9", near)  # many times faster along the valley
    y_m, y_p = r["momentum 0.9"].history.params[:, 1], r["plain 0.038"].history.params[:, 1]
    assert np.abs(y_m[20:61]).max() > np.abs(y_p[20:61]).max()  # further across the valley
    assert np.abs(y_m[60:101]).max() > np.abs(y_p[60:101]).max()  # and for longer
    decay = (np.abs(y_m[60:101]).max() / np.abs(y_m[20:61]).max()) ** (1 / 40)
    assert decay == pytest.approx(math.sqrt(0.9), abs=0.02)  # by about sqrt(0.9) per step


def test_05_nesterov_is_the_fastest():
    r = runs("05_momentum_valley")
    reach = {name: np.flatnonzero(run.history.loss < 1e-3) for name, run in r.items()}
    first = {name: rows[0] if len(rows) else math.inf for name, rows in reach.items()}
    assert min(first, key=first.get) == "Nesterov 0.9"
    assert np.abs(r["Nesterov 0.9"].history.params[20:61, 1]).max() < np.abs(
        r["momentum 0.9"].history.params[20:61, 1]).max()  # it damps the swings



def test_05_at_lr_0035_nesterov_diverges_and_heavy_ball_momentum_does_not():
    """It said "Try momentum at lr 0.035: which run diverges first": the momentum run alone at 0.035 does not
    diverge (its bound is 2(1+μ)/L = 0.076); Nesterov's is 2(1+μ)/((1+2μ)L) = 0.027, so with both momentum runs
    at 0.035 Nesterov diverges and heavy-ball momentum converges."""
    assert ("Set both momentum runs to lr 0.035: which one diverges, and why is Nesterov's bound different?"
            in text("05_momentum_valley"))
    ends = {}
    for run in lesson("05_momentum_valley")[0].runs[2:]:
        config = copy.deepcopy(run.config)
        config["optimizer"]["lr"] = 0.035
        ends[run.name] = gd_core.run(config)
    assert ends["momentum 0.9"].status == "completed" and ends["Nesterov 0.9"].status == "diverged"
    assert "0.02714" in ends["Nesterov 0.9"].message  # the bound it quotes: 2(1.9)/(2.8·50)


# -- 06 -------------------------------------------------------------------------------------------------------
def test_06_plain_creeps_adam_first_step_is_lr():
    r = runs("06_adaptive_rosenbrock")
    plain = r["plain"].history
    assert plain.lr[1] == 0.001 and plain.step[-1] == 3000
    assert "(0.84, 0.71)" in text("06_adaptive_rosenbrock")
    assert f"({plain.params[-1, 0]:.2f}, {plain.params[-1, 1]:.2f})" == "(0.84, 0.71)"
    adam = r["Adam"].history
    assert np.allclose(np.abs(adam.params[1] - adam.params[0]), adam.lr[1])
    assert np.linalg.norm(adam.params[-1] - 1) < 1e-6
    for name in ("plain", "AdaGrad", "RMSprop"):
        assert np.linalg.norm(r[name].history.params[-1] - 1) > 0.05


def test_06_adagrads_steps_shrink_and_rmsprop_keeps_jittering_at_its_step_size():
    """Question 1's explanation: "AdaGrad's steps shrink as its sum of squares grows, RMSprop keeps jittering at its
    step size" - AdaGrad's step falls from ~0.004 to ~0.0001 over the run and its loss never rises near the end;
    RMSprop's step stays about 0.014 over its last 2,000 steps and its loss rises at every other step of the last
    1,000."""
    assert "AdaGrad's steps shrink as its sum of squares grows, RMSprop keeps jittering at its step size." \
        in lesson("06_adaptive_rosenbrock")[0].questions[0].explain
    r = runs("06_adaptive_rosenbrock")
    steps = {n: np.linalg.norm(np.diff(r[n].history.params, axis=0), axis=1) for n in ("AdaGrad", "RMSprop")}
    rises = {n: int(np.count_nonzero(np.diff(r[n].history.loss[-1001:]) > 0)) for n in steps}
    assert steps["AdaGrad"][-1] < steps["AdaGrad"][10] / 20 and rises["AdaGrad"] == 0
    late = steps["RMSprop"][-2000:]  # 0.010-0.020, about 0.014 throughout
    assert np.median(late[-200:]) > 0.8 * np.median(late[:200]) and rises["RMSprop"] >= 450


# -- 07 -------------------------------------------------------------------------------------------------------
def test_07_ridge_converges_to_the_saddle_the_others_escape():
    r = runs("07_saddle_escape")
    ridge = r["on the ridge"].history
    assert np.all(ridge.params[:, 1] == 0) and ridge.status == "converged"
    assert np.linalg.norm(ridge.params[-1]) < 1e-5  # at the saddle, not a minimum
    noise, offset = r["with noise"].history, r["tiny offset"].history
    assert noise.status == offset.status == "diverged"
    assert "unbounded below" in noise.message and "unbounded below" in offset.message
    assert offset.step[-1] > noise.step[-1]  # escapes too, but later
    y = offset.params[:30, 1]
    assert np.allclose(y[1:] / y[:-1], 1 + 2 * offset.lr[1])
    assert r["with noise"].history.lr[1] == 0.05


# -- 08 -------------------------------------------------------------------------------------------------------
def test_08_four_starts_four_minima_all_zero():
    r = runs("08_himmelblau_starts")
    problem = next(iter(r.values())).problem
    assert len(problem.minima) == 4 and np.allclose(problem.full_loss(problem.minima), 0, atol=1e-12)
    reached = set()
    for name, run in r.items():
        start = run.history.params[0]
        assert np.allclose(np.abs(start), 1), name
        distances = np.linalg.norm(problem.minima - run.history.params[-1], axis=1)
        assert distances.min() < 1e-6
        reached.add(int(distances.argmin()))
    assert len(reached) == 4


def test_08_local_maximum_near_minus_027_minus_092():
    problem = next(iter(runs("08_himmelblau_starts").values())).problem
    point = np.array([-0.270845, -0.923039])
    assert np.linalg.norm(problem.full_loss_and_grad(point)[1]) < 1e-3
    for direction in np.eye(2):  # the loss falls away in every direction: a maximum
        for sign in (1, -1):
            assert problem.full_loss(point + sign * 0.01 * direction) < problem.full_loss(point)


def test_08_at_lr_0_02_only_the_runs_whose_minimum_is_stable_there_settle():
    """It asked "Raise the learning rate to 0.03: do the basins stay the same?": at 0.03 no run settles anywhere
    (final losses 9.7-49, still bouncing) - every minimum's bound 2/L is below it (0.015-0.025), so there are no
    basins left to compare. At 0.02 the two runs whose minimum's bound lies above 0.02 settle, the other two do not."""
    assert "Raise every run's learning rate to 0.02: which runs still settle in a minimum? A minimum holds a run " \
           "only below 2/L for its own steepest curvature L: 0.024 at (3, 2), 0.015 at (−3.78, −3.28)." \
        in text("08_himmelblau_starts")
    session, r = lesson("08_himmelblau_starts")
    problem = next(iter(r.values())).problem
    bounds = [2 / np.linalg.eigvalsh(problem.hessian(m)).max() for m in problem.minima]
    near = lambda point: int(np.linalg.norm(problem.minima - point, axis=1).argmin())  # noqa: E731
    assert round(bounds[near([3, 2])], 3) == 0.024 and round(bounds[near([-3.78, -3.28])], 3) == 0.015
    settled = {}
    for run in session.runs:
        config = copy.deepcopy(run.config)
        config["optimizer"]["lr"] = 0.02
        history = gd_core.run(config)
        settled[run.name] = history.loss[-1] < 1e-12 and np.ptp(history.loss[-50:]) < 1e-12
        assert settled[run.name] == (bounds[near(r[run.name].history.params[-1])] > 0.02), run.name
    assert list(settled.values()) == [True, True, False, False]
    for run in session.runs:  # and at 0.03 none settles
        config = copy.deepcopy(run.config)
        config["optimizer"]["lr"] = 0.03
        assert gd_core.run(config).loss[-1] > 1


# -- 09 -------------------------------------------------------------------------------------------------------
def _curvatures(problem):
    return np.linalg.eigvalsh(2 * problem.C)


def test_09_conditioning_and_learning_rates():
    r = runs("09_feature_scaling")
    raw, std = r["raw (scale 10)"], r["standardised"]
    assert np.allclose(raw.problem.dataset.y, std.problem.dataset.y)  # the same targets
    assert np.allclose(raw.problem.dataset.X[:, 1], 10 * std.problem.dataset.X[:, 1])
    assert raw.problem.C[1, 1] == pytest.approx(100 * std.problem.C[1, 1])  # curvature scales by 100
    ev_raw, ev_std = _curvatures(raw.problem), _curvatures(std.problem)
    assert round(ev_raw.max() / ev_raw.min()) == pytest.approx(115, abs=5)
    assert f"{ev_std.max() / ev_std.min():.1f}" == "1.3"
    for run, ev, lr, bound in ((raw, ev_raw, 0.0095, "0.0099"), (std, ev_std, 0.5, "0.92")):
        assert run.history.lr[1] == lr
        assert lr == pytest.approx(2 / (ev.min() + ev.max()), rel=0.05)  # about its best constant rate
        assert f"{run.problem.stability_bound:.2g}" == bound
    assert raw.history.lr[1] / raw.problem.stability_bound > 0.9  # almost its bound
    assert raw.problem.min_loss == pytest.approx(std.problem.min_loss, rel=1e-9)


def test_09_at_data_scale_100_the_raw_run_diverges_at_its_rate():
    """"Try data scale 100" alone sent students into a divergence at step 2 that the lesson did not mention: it
    asks why the raw run now diverges at its rate (the curvature grows 100-fold: the bound falls to 1e-4)."""
    assert ("Try data scale 100 on the raw run: why does it now diverge at its rate, and which rate would it "
            "need?" in text("09_feature_scaling"))
    config = copy.deepcopy(lesson("09_feature_scaling")[0].runs[0].config)
    config["data"]["scale"] = 100.0
    bound = gd_core.Trainer(config).problem.stability_bound
    assert config["optimizer"]["lr"] == 0.0095 and f"{bound:.1g}" == "0.0001"
    assert gd_core.run(config).status == "diverged"
    config["optimizer"]["lr"] = 0.95 * bound
    assert gd_core.run(config).status == "completed"


# -- 10 -------------------------------------------------------------------------------------------------------
def test_10_schedules_as_described():
    r = runs("10_lr_decay_sgd")
    for run in r.values():
        assert run.history.lr[1] == 0.1  # all four start at 0.1
    step = r["step decay"].history
    assert step.epoch[np.flatnonzero(step.step == 1000)[0]] == 5
    lr = step.lr  # the rate of the update that made row t is schedule(t - 1)
    assert lr[1000] == 0.1 and lr[1001] == pytest.approx(0.03)
    t = np.arange(1, 50)
    assert np.allclose(r["inverse time"].history.lr[t], 0.1 / (1 + 0.01 * (t - 1)))
    assert np.allclose(r["exponential"].history.lr[t], 0.1 * 0.999 ** (t - 1))


def test_10_halving_a_constant_rate_more_than_halves_the_excess_loss():
    config = runs("10_lr_decay_sgd")["constant 0.1"]
    base = next(r.config for r in lesson("10_lr_decay_sgd")[0].runs if r.name == "constant 0.1")
    excess = []
    for lr in (0.1, 0.05, 0.025):
        c = copy.deepcopy(base)
        c["optimizer"]["lr"] = lr
        history = gd_core.run(c)
        excess.append(np.mean(history.loss[history.epoch >= 10] - config.problem.min_loss))
    assert excess[0] > 2 * excess[1] > 0 and excess[1] > 2 * excess[2] > 0
    finals = {name: run.history.loss[-1] for name, run in runs("10_lr_decay_sgd").items()}
    assert max(finals, key=finals.get) == "constant 0.1"  # the decayed runs settle lower


def test_10_an_exponential_decay_of_0_9_is_too_fast_and_freezes_the_run_above_the_constant_rate():
    """It said "Try exponential with γ = 0.99" for a decay that is too fast: that run ends at 0.26185, as close to
    the minimum (0.2617) as the lesson's decays - nothing to see. At γ = 0.9 the rate is gone within ~100 steps
    (its sum is 1): the run freezes near (1.74, 1.01), far from the minimum, above even the constant rate's loss."""
    assert "What would a decay that is too fast do? (Try exponential with γ = 0.9.)" in text("10_lr_decay_sgd")
    session, r = lesson("10_lr_decay_sgd")
    config = copy.deepcopy(session.runs[3].config)
    assert config["schedule"] == {"name": "exponential", "gamma": 0.999}
    config["schedule"]["gamma"] = 0.9
    fast = gd_core.run(config)
    frozen = int(np.flatnonzero(np.abs(fast.loss - fast.loss[-1]) > 1e-6)[-1]) + 1
    assert frozen < 200 and fast.lr[frozen] < 1e-6  # still (to 1e-6) for the last 3,800 of its 4,000 steps
    decayed = max(r[n].history.loss[-1] for n in r if n != "constant 0.1")
    assert fast.loss[-1] > r["constant 0.1"].history.loss[-1] > decayed
    config["schedule"]["gamma"] = 0.99  # the old suggestion: as good as the lesson's decays
    assert gd_core.run(config).loss[-1] - r["exponential"].history.loss[-1] < 2e-4


# -- 11 -------------------------------------------------------------------------------------------------------
def test_11_network_size_and_shared_start_and_batches():
    session, r = lesson("11_mlp_landscape")
    adam, momentum = r["Adam"], r["momentum"]
    assert adam.problem.n_params == 33 == 2 * 8 + 8 + 8 + 1
    assert np.array_equal(adam.history.params[0], momentum.history.params[0])
    trainers = [gd_core.Trainer(run.config) for run in session.runs]
    for _ in range(20):
        batches = []
        for trainer in trainers:
            trainer.advance(1)
            batches.append(trainer.latest.indices)
        assert np.array_equal(*batches)


def test_11_on_its_own_plane_adams_path_turns_smoothly_and_momentums_zigzags():
    """It asked "Compare the Adam and momentum paths: which one goes straight, which one curves?" - neither goes
    straight: on its own plane (direction 1 holding ~95 % of each path's variance) Adam's path is one smooth arc,
    momentum's reverses its course across the plane many times. Counted as the window draws them: each run's
    path projected on its own trajectory plane, the turns of its second coordinate."""
    from gd_core.landscape import trajectory_plane

    assert "Select each run in turn: on its own plane, which path turns smoothly and which zigzags?" \
        in text("11_mlp_landscape")
    turns = {}
    for name, run in runs("11_mlp_landscape").items():
        plane = trajectory_plane(run.history.params)
        across = np.diff(plane.project(run.history.params)[:, 1])
        turns[name] = int(np.count_nonzero(np.diff(np.sign(across))))
        assert plane.explained[0] > 0.9
    assert turns["momentum"] > 4 * turns["Adam"]  # 74 and 14


# -- 12 -------------------------------------------------------------------------------------------------------
def test_12_batch_gradients_are_unbiased():
    problem = runs("12_batch_surface")["batch size 4"].problem
    params = np.array([0.0, 2.5])
    per_sample = np.array([problem.loss_and_grad(params, np.array([i]))[1] for i in range(problem.n_samples)])
    assert np.allclose(per_sample.mean(axis=0), problem.full_loss_and_grad(params)[1])


# -- 18 -------------------------------------------------------------------------------------------------------
def test_18_newton_one_step_on_the_quadratic_and_five_on_rosenbrock():
    r = runs("18_newton_vs_gradient_descent")
    newton = r["Newton, quadratic"].history
    assert np.abs(newton.params[1]).max() < 1e-12 and newton.loss[1] < 1e-3
    eigenvalues = np.linalg.eigvalsh(r["Newton, quadratic"].problem.hessian(newton.params[0]))
    np.testing.assert_array_equal(eigenvalues, [1.0, 100.0])  # "the Hessian's eigenvalues are 1 and 100"
    rosenbrock = r["Newton, Rosenbrock"].history
    assert np.flatnonzero(rosenbrock.loss < 1e-10)[0] == 5 and "5 to bring the loss below 1e-10" in text(
        "18_newton_vs_gradient_descent")
    assert r["GD 0.001, Rosenbrock"].history.loss[-1] > 1  # still creeping along the valley


def test_18_gradient_descent_shrinks_y_by_099_and_x_by_098():
    h = runs("18_newton_vs_gradient_descent")["GD 0.0199, quadratic"].history
    ratios = h.params[1:] / h.params[:-1]
    np.testing.assert_allclose(ratios[:, 0], 0.9801, rtol=1e-12)
    np.testing.assert_allclose(ratios[:, 1], -0.99, rtol=1e-12)
    assert h.loss[-1] > 0.1 and h.lr[1] < 2 / 100
    # question 2's explanation: "2·0.99³⁰⁰ ≈ 0.1, and ½·100·0.1² ≈ 0.5"
    assert h.params[0, 1] == 2 and h.params[-1, 1] == pytest.approx(2 * 0.99 ** 300, rel=1e-9)
    assert h.loss[-1] == pytest.approx(0.5, abs=0.05)


# -- 19 -------------------------------------------------------------------------------------------------------
def _accepted_rates(history):
    """The rate each step of plain gradient descent took: |update| / |gradient|."""
    return np.linalg.norm(np.diff(history.params, axis=0), axis=1) / np.linalg.norm(history.grads[1:], axis=1)


def test_19_line_searches_never_increase_the_loss_and_the_fixed_021_diverges():
    r = runs("19_line_search")
    for name in ("line search from 1", "line search from 100", "line search from 0.01"):
        assert np.all(np.diff(r[name].history.loss) <= 0)
    assert r["fixed 0.21"].history.status == "diverged" and r["fixed 0.01"].history.loss[-1] > 0.1


def test_19_from_1_the_search_takes_0125_from_100_near_02_and_from_001_the_fixed_path():
    r = runs("19_line_search")
    from_1 = r["line search from 1"].history
    finite = np.linalg.norm(from_1.grads[1:], axis=1) > 1e-150
    rates = _accepted_rates(from_1)[finite]
    assert np.all(np.isclose(rates[:, None], [0.5, 0.25, 0.125], rtol=1e-9).any(axis=1))
    assert from_1.loss[-1] < 1e-20
    from_100 = _accepted_rates(r["line search from 100"].history)
    assert np.all((from_100 > 0.15) & (from_100 < 0.2))
    # "where y zig-zags and converges slowly": y changes sign at every step, and is still 0.016 after 100 (2 at the
    # start); from 1 the loss is below 1e-3 at step 16, from 100 it ends at 0.00135
    y = r["line search from 100"].history.params[:, 1]
    assert np.all(np.sign(y[1:]) == -np.sign(y[:-1])) and 0.01 < abs(y[-1]) < 0.02
    assert r["line search from 100"].history.loss[-1] > 1e-3
    np.testing.assert_array_equal(r["line search from 0.01"].history.params, r["fixed 0.01"].history.params)
    # "at twice the evaluations": its gradient and one trial per step
    assert "at twice the evaluations" in text("19_line_search")
    assert r["line search from 0.01"].history.evaluations[-1] == 2 * r["fixed 0.01"].history.evaluations[-1]



def test_19_pressing_s_shows_the_trials_and_from_1_the_first_ones_lie_off_the_plot():
    """"Select a line-search run and press S: the crosses ... the points it tried, the last one taken (from γ = 1 the
    first trials land far off the plot: zoom out with the wheel)" - in the window one cross of four showed at first
    (at y = -3, the plot's edge): (0, -18) and (-1.25, -8) lay outside it."""
    from gd_core.landscape import step_trials

    assert "the last one taken (from γ = 1 the first trials land far off the plot: zoom out with the wheel)" \
        in text("19_line_search")
    session = lesson("19_line_search")[0]
    trainer = gd_core.Trainer(session.runs[0].config)
    trainer.advance(1)
    trials = step_trials(trainer.latest)
    np.testing.assert_allclose(trials, [[0, -18], [-1.25, -8], [-1.875, -3], [-2.1875, -0.5]])
    np.testing.assert_array_equal(trials[-1], trainer.params)  # the last one taken
    (x0, x1), (y0, y1) = trainer.problem.bounds
    inside = (trials[:, 0] >= x0) & (trials[:, 0] <= x1) & (trials[:, 1] >= y0) & (trials[:, 1] <= y1)
    assert list(inside) == [False, False, True, True]

# -- 20 -------------------------------------------------------------------------------------------------------
def test_20_schedules_as_described():
    r = runs("20_warmup_and_one_cycle")
    warm, cycle = r["warmup 50, then 0.3"].history, r["one-cycle to 0.3"].history
    assert warm.lr[1] == pytest.approx(0.03) and np.all(np.diff(warm.lr[1:51]) > 0) and warm.lr[51] == 0.3
    np.testing.assert_allclose(np.diff(warm.lr[1:52]), 0.27 / 50, rtol=1e-9)
    assert cycle.lr[1] == pytest.approx(0.012) and np.argmax(cycle.lr) in (120, 121)  # 30% of 400 steps
    assert cycle.lr[-1] < 1e-5
    # "with β₁ cycled the other way": Adam's β₁ falls from 0.95 to 0.85 as the rate rises, and climbs back
    session = lesson("20_warmup_and_one_cycle")[0]
    schedule = gd_core.Trainer(session.runs[2].config).schedule
    beta1 = np.array([schedule.momentum(t) for t in range(400)])
    assert session.runs[2].config["optimizer"]["name"] == "adam"
    assert (beta1[0], beta1.min(), round(beta1[-1], 3)) == (0.95, 0.85, 0.95)
    assert np.argmin(beta1) + 1 == np.argmax(cycle.lr)  # (row t + 1 holds the rate of step t)
    assert np.corrcoef(beta1, cycle.lr[1:])[0, 1] < -0.99  # the other way, step by step


def test_20_adam_moves_every_weight_by_the_rate_first_and_warmup_is_three_times_sooner():
    r = runs("20_warmup_and_one_cycle")
    first = np.abs(np.diff(r["constant 0.3"].history.params[:2], axis=0))[0]
    np.testing.assert_allclose(first, 0.3, rtol=1e-3)  # about: eps in √v̂ + eps shortens the tiny gradients' steps
    tolerance = lesson("20_warmup_and_one_cycle")[0].view["tolerance"]
    steps = {n: answer_steps(r[n], tolerance) for n in r}
    assert 2.5 * steps["warmup 50, then 0.3"] <= steps["constant 0.3"] <= 3.5 * steps["warmup 50, then 0.3"]  # 159, 50
    assert steps["one-cycle to 0.3"] < steps["constant 0.3"]


def answer_steps(result, tolerance):
    gap = result.history.loss - result.problem.min_loss if result.problem.min_loss is not None else \
        result.history.loss
    return float(result.history.step[np.flatnonzero(gap <= tolerance)[0]])


# -- 21 -------------------------------------------------------------------------------------------------------
def test_21_radam_takes_momentum_steps_while_rho_is_at_most_5_then_rectified_ones():
    from gd_core.methods.torch_extra import _rho
    rho = np.array([_rho(0.999, t)[1] for t in range(1, 401)])
    assert np.all(rho[:5] <= 5) and np.all(rho[5:] > 5)
    rho_inf = _rho(0.999, 1)[0]
    rect = np.sqrt((rho[5:] - 4) * (rho[5:] - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho[5:]))
    assert np.all(rect < 1) and np.all(np.diff(rect) > 0)
    r = runs("21_adam_radam_warmup")
    radam = r["RAdam 0.3"]
    grad = radam.problem.loss_and_grad(radam.history.params[0], None)[1]
    np.testing.assert_allclose(np.diff(radam.history.params[:2], axis=0)[0], -0.3 * grad, rtol=1e-9, atol=1e-15)
    # "RAdam's first step moves W1[0,0] by far less than Adam's 0.3" (about 0.005)
    assert "RAdam's first step moves W1[0,0] by far less than Adam's 0.3" in text("21_adam_radam_warmup")
    w = radam.problem.param_names.index("W1[0,0]")
    assert abs(radam.history.params[1, w] - radam.history.params[0, w]) < 0.3 / 10


def test_21_the_update_rule_shows_rho_from_the_first_step_and_the_rectification_from_step_6():
    """"Select the RAdam run, press S and read ρₜ in the Update rule tab; from step 6 on, once ρₜ > 5, it shows rₜ
    too" - it said "press S and read ρₜ and rₜ": after one step the tab has ρₜ and the momentum step, no rₜ."""
    from gd_core.optimizers import explain

    assert "press S and read ρₜ in the Update rule tab; from step 6 on, once ρₜ > 5, it shows rₜ too." \
        in html.unescape(text("21_adam_radam_warmup"))
    session = lesson("21_adam_radam_warmup")[0]
    trainer = gd_core.Trainer(session.runs[1].config)
    shown = []
    for _ in range(6):
        trainer.advance(1)
        shown.append({name for name, _ in explain(trainer.latest)})
    assert all("ρₜ" in rows for rows in shown)
    assert ["rₜ (rectification)" in rows for rows in shown] == [False] * 5 + [True]


def test_21_warmup_first_then_adam_then_radam():
    r = runs("21_adam_radam_warmup")
    tolerance = lesson("21_adam_radam_warmup")[0].view["tolerance"]
    steps = {n: answer_steps(r[n], tolerance) for n in r}
    assert steps["Adam 0.3 + warmup"] < steps["Adam 0.3"] < steps["RAdam 0.3"]
    adam_first = np.abs(np.diff(r["Adam 0.3"].history.params[:2], axis=0))[0]
    np.testing.assert_allclose(adam_first, 0.3, rtol=1e-3)  # every weight moves by the full rate


# -- 22 -------------------------------------------------------------------------------------------------------
def test_22_evaluations_to_1e8_as_the_text_says():
    r = runs("22_second_order_per_evaluation")

    def spent(name):
        h = r[name].history
        rows = np.flatnonzero(h.loss < 1e-8)
        return h.evaluations[rows[0]] if len(rows) else math.nan

    assert (spent("Newton"), spent("L-BFGS"), spent("CG (PR+)")) == (15, 44, 77)
    for name in ("Nesterov", "gradient descent"):
        assert math.isnan(spent(name)) and r[name].history.evaluations[-1] == 2000
    assert "after 15, L-BFGS after 44, CG (Polak-Ribière+) after 77" in text("22_second_order_per_evaluation")
    assert lesson("22_second_order_per_evaluation")[0].view["x_axis"] == "evaluations"
    # "Newton evaluates the Hessian (here counted as d = 2 evaluations)": with its gradient, 3 a step
    assert "(here counted as d = 2 evaluations)" in text("22_second_order_per_evaluation")
    newton = r["Newton"].history
    np.testing.assert_array_equal(np.diff(newton.evaluations), 3)
    # where a student reads the evaluations: the loss read-out (tests/app/test_hover_readouts.py, on an axis of
    # evaluations) and the exported histories - it said "the run table and the CSV have the same column", and the
    # results table has none
    assert "(select a run and point at its curve: the read-out names them; File > Export > Run histories as CSV " \
           "writes the same column)" in html.unescape(text("22_second_order_per_evaluation"))
    assert "evaluations" in newton.header()


# -- every lesson ---------------------------------------------------------------------------------------------
NAMES = [name for name, _ in list_lessons()]


@pytest.mark.parametrize("name", NAMES)
def test_every_lesson_has_two_to_four_questions_with_computed_answers(name):
    session, results = lesson(name)
    assert 2 <= len(session.questions) <= 4
    for question in session.questions:
        truth = answer(question, results, session.view["tolerance"])
        if question.is_choice:
            assert truth in question.choices
        else:
            assert isinstance(truth, float) and math.isfinite(truth)
        assert format_answer(truth)


@pytest.mark.parametrize("name", NAMES)
def test_every_quoted_learning_rate_and_length_matches_the_runs(name):
    """A lesson that names its runs' learning rates and lengths in the run names states them right."""
    session, results = lesson(name)
    for run in session.runs:
        history = results[run.name].history
        quoted = re.search(r"\blr (\d*\.?\d+)", run.name)
        if quoted:
            assert history.lr[1] == float(quoted.group(1))
        size = re.search(r"batch size (\d+)", run.name)
        if size:
            assert samples_per_step(history).max() == int(size.group(1))


def _final(r, name):
    return float(r[name].history.loss[-1])


def _lowest(r, values):
    return min(values, key=values.get)


#: Every question's key computed independently of gd_core.lessons, straight from the histories.
KEYS = {
    "01_variants_same_epochs": [
        lambda r: _lowest(r, {n: _final(r, n) for n in r}),
        lambda r: float(r["stochastic"].history.step[-1]),
        lambda r: _final(r, "batch") / _final(r, "mini-batch 16"),
    ],
    "02_what_is_a_batch": [
        lambda r: float(np.mean((np.diff(r["mini-batch 8"].history.params, axis=0) != 0).sum(axis=1))),
        lambda r: float(np.mean(samples_per_step(r["coordinate"].history))),
        lambda r: _lowest(r, {n: _final(r, n) for n in r}),
    ],
    "03_learning_rate_bound": [
        lambda r: 1 - 10 * 0.19,
        lambda r: "diverged",
        lambda r: "lr 0.1 = 1/L",
    ],
    "04_batch_size_noise": [
        lambda r: _lowest(r, {n: _final(r, n) for n in r}),
        lambda r: 10.0 * math.ceil(500 / 8),
        lambda r: "yes" if _final(r, "batch size 1") > _final(r, "batch size 8") else "no",
    ],
    "05_momentum_valley": [
        lambda r: "Nesterov 0.9",
        lambda r: float(np.flatnonzero(r["plain 0.038"].history.loss < 1e-3)[0]),
        lambda r: "yes",
    ],
    "06_adaptive_rosenbrock": [
        lambda r: "Adam",
        lambda r: 0.05,
        lambda r: float(r["plain"].history.params[-1, 0]),
    ],
    "07_saddle_escape": [
        lambda r: "converged",
        lambda r: "with noise",
        lambda r: 1 + 2 * 0.05,
    ],
    "08_himmelblau_starts": [
        lambda r: "start (+1, +1)",
        lambda r: float(np.flatnonzero(r["start (-1, +1)"].history.loss <= 1e-3)[0]),
    ],
    "09_feature_scaling": [
        lambda r: "standardised",
        lambda r: 1.0,
    ],
    "10_lr_decay_sgd": [
        lambda r: "constant 0.1",
        lambda r: 0.1 * 0.3 ** 3,
    ],
    "11_mlp_landscape": [
        lambda r: _lowest(r, {n: _final(r, n) for n in r}),
        lambda r: float(np.flatnonzero(r["Adam"].history.loss < 0.1)[0]),
    ],
    "12_batch_surface": [
        lambda r: "batch size 32",
        lambda r: 150 * 4 / 200,
    ],
    "18_newton_vs_gradient_descent": [
        lambda r: 1.0,
        lambda r: _final(r, "GD 0.0199, quadratic"),
        lambda r: 5.0,
        lambda r: "Newton, Rosenbrock",
    ],
    "19_line_search": [
        lambda r: "fixed 0.21",
        lambda r: float(r["line search from 1"].history.evaluations[
            np.flatnonzero(r["line search from 1"].history.loss < 1e-6)[0]]),
        lambda r: 2.0,
    ],
    "20_warmup_and_one_cycle": [
        lambda r: "warmup 50, then 0.3",
        lambda r: 50.0,
        lambda r: 0.3 / 25 / 1e4,
    ],
    "21_adam_radam_warmup": [
        lambda r: float(np.diff(r["Adam 0.3"].history.params[:2, 0])[0]),
        lambda r: float(np.diff(r["RAdam 0.3"].history.params[:2, 0])[0]),
        lambda r: "Adam 0.3 + warmup",
    ],
    "22_second_order_per_evaluation": [
        lambda r: "Newton",
        lambda r: 44.0,
        lambda r: 3.0,
    ],
    "16_edge_of_stability": [
        lambda r: _last_measured(r, "lr 0.05", "sharpness"),
        lambda r: max(r, key=lambda n: _last_measured(r, n, "sharpness")),
        lambda r: "yes" if _final(r, "lr 0.05") < r["lr 0.05"].history.loss[r["lr 0.05"].history.step == 1800][0]
        else "no",
    ],
    "17_how_big_a_batch": [
        lambda r: _first_step_below(r, "batch size 4", 1.1),
        lambda r: _first_step_below(r, "batch size 4", 1.1) / _first_step_below(r, "batch size 64", 1.1),
        lambda r: _last_measured(r, "batch size 64", "noise_scale"),
    ],
    "23_overfitting_early_stopping": [
        lambda r: max(r, key=lambda n: r[n].history.val_loss[-1]),
        lambda r: float(r["degree 9"].history.step[np.argmin(r["degree 9"].history.val_loss)]),
        lambda r: float(r["degree 9"].history.val_loss[-1] / r["degree 1"].history.val_loss[-1]),
        lambda r: r["degree 9, early stopping"].history.status,
    ],
    "24_weight_decay_overfitting": [
        lambda r: min(r, key=lambda n: r[n].history.val_loss[-1]),
        lambda r: _lowest(r, {n: _final(r, n) for n in r}),
        lambda r: float(r["no decay"].history.val_loss[-1] / r["decay 0.3"].history.val_loss[-1]),
    ],
    "25_small_batch_generalization": [
        lambda r: min(r, key=lambda n: r[n].history.val_loss[-1]),
        lambda r: float(r["batch 1"].history.val_loss.min()),
        lambda r: _held_out_right(r["batch 1"]),
    ],
}


def _held_out_right(result):
    """The fraction of held-out samples whose P(class 1) is on their class's side of 1/2."""
    held = result.problem.held_out
    p1 = held.class_probabilities(result.history.params[-1], held.dataset.X)
    return float(np.mean((p1 > 0.5) == (held.labels == 1)))


def _last_measured(r, name, column):
    values = r[name].history.column(column)
    return float(values[np.isfinite(values)][-1])


def _first_step_below(r, name, level):
    history = r[name].history
    return float(history.step[np.flatnonzero(history.loss < level)[0]])


@pytest.mark.parametrize("name", NAMES)
def test_every_answer_key_equals_an_independent_computation(name):
    session, results = lesson(name)
    keys = KEYS[name]
    assert len(keys) == len(session.questions)
    for question, key in zip(session.questions, keys):
        truth, expected = answer(question, results, session.view["tolerance"]), key(results)
        if isinstance(expected, str):
            assert truth == expected, question.text
        else:
            assert truth == pytest.approx(expected, rel=1e-9), question.text
