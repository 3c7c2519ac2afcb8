"""The run contract: History layout, variants, determinism, divergence, convergence, incremental and live use."""

import math

import numpy as np
import pytest

import gd_core
from gd_core import Trainer, run

LINEAR = {"problem": "linear_regression", "data": {"name": "linear", "n_samples": 100}}


def test_history_layout():
    h = run({**LINEAR, "variant": "minibatch", "batch_size": 30, "optimizer": {"name": "plain", "lr": 0.1},
             "steps": 10})
    assert len(h) == 11 and h.params.shape == (11, 2) and h.param_names == ("w", "b")
    np.testing.assert_array_equal(h.step, np.arange(11))
    # 100 samples in batches of 30: 30, 30, 30, 10 (last partial batch kept), then a new epoch
    np.testing.assert_array_equal(h.samples_seen, [0, 30, 60, 90, 100, 130, 160, 190, 200, 230, 260])
    np.testing.assert_allclose(h.epoch, h.samples_seen / 100)
    assert math.isnan(h.batch_loss[0]) and np.all(np.isfinite(h.batch_loss[1:]))
    np.testing.assert_array_equal(h.params[0], [0.0, 0.0])
    assert h.status == "completed" and h.message == "completed 10 steps (2.6 epochs)"
    assert run({"problem": "quadratic", "steps": 4}).message == "completed 4 steps"  # a function has no epochs
    trainer = Trainer({**LINEAR, "steps": 1})
    np.testing.assert_allclose(h.loss, trainer.problem.full_loss(h.params), rtol=1e-12)
    grads = trainer.problem.full_loss_and_grad(h.params)[1]
    np.testing.assert_allclose(h.grad_norm, np.linalg.norm(grads, axis=1), rtol=1e-12)


def test_row_t_holds_params_after_t_updates_and_batch_loss_before():
    trainer = Trainer({**LINEAR, "variant": "batch", "optimizer": {"name": "plain", "lr": 0.1}, "steps": 3})
    trainer.advance()
    h, p = trainer.history, trainer.problem
    for t in range(1, 4):
        loss, grad = p.full_loss_and_grad(h.params[t - 1])
        np.testing.assert_allclose(h.params[t], h.params[t - 1] - 0.1 * grad, rtol=1e-14)
        assert h.batch_loss[t] == pytest.approx(loss, rel=1e-14)


@pytest.mark.parametrize("variant,per_step",
                         [("batch", 100), ("stochastic", 1), ("minibatch", 16), ("coordinate", 100)])
def test_samples_per_step(variant, per_step):
    h = run({**LINEAR, "variant": variant, "batch_size": 16, "steps": 6})
    assert np.all(np.diff(h.samples_seen)[:6] == per_step)


def test_every_variant_updates_all_parameters_but_coordinate_descent_one():
    for variant in ("batch", "stochastic", "minibatch"):
        h = run({**LINEAR, "variant": variant, "optimizer": {"name": "plain", "lr": 0.05}, "steps": 20})
        assert np.all(np.diff(h.params, axis=0) != 0), variant
    h = run({**LINEAR, "variant": "coordinate", "optimizer": {"name": "plain", "lr": 0.05}, "steps": 40})
    changed = np.diff(h.params, axis=0) != 0
    assert np.all(changed.sum(axis=1) == 1)
    assert changed[:, 0].any() and changed[:, 1].any()


def test_shuffle_visits_every_sample_once_per_epoch():
    trainer = Trainer({**LINEAR, "variant": "minibatch", "batch_size": 7, "epochs": 3})
    seen = []
    draw = trainer.sampler.next_indices
    trainer.sampler.next_indices = lambda: seen.append(draw()) or seen[-1]
    trainer.advance()
    assert trainer.history.epoch[-1] == 3.0 and trainer.step == 3 * 15
    for epoch in range(3):
        chunk = np.concatenate(seen[epoch * 15:(epoch + 1) * 15])
        np.testing.assert_array_equal(np.sort(chunk), np.arange(100))


def test_replacement_sampling_draws_independent_batches():
    h = run({**LINEAR, "sampling": "replacement", "batch_size": 10, "epochs": 2})
    assert len(h) == 21 and h.epoch[-1] == 2.0


@pytest.mark.parametrize("config", [
    {**LINEAR, "variant": "stochastic", "optimizer": "adam"},
    {"problem": "rosenbrock", "gradient_noise": 0.5, "optimizer": {"name": "momentum", "lr": 1e-4}},
    {"problem": "logistic_regression", "variant": "minibatch", "batch_size": 5, "sampling": "replacement"},
    {**LINEAR, "variant": "coordinate"},
])
def test_same_seed_same_run_other_seed_other_run(config):
    a, b = run({**config, "seed": 7}), run({**config, "seed": 7})
    np.testing.assert_array_equal(a.params, b.params)
    np.testing.assert_array_equal(a.loss, b.loss)
    c = run({**config, "seed": 8})
    assert not np.array_equal(a.params, c.params)


def test_gradient_noise_only_perturbs_functions_with_noise():
    clean = run({"problem": "quadratic", "optimizer": {"name": "plain", "lr": 0.1}, "steps": 30})
    same = run({"problem": "quadratic", "optimizer": {"name": "plain", "lr": 0.1}, "steps": 30, "seed": 3})
    noisy = run({"problem": "quadratic", "optimizer": {"name": "plain", "lr": 0.1}, "steps": 30, "gradient_noise": 1.0})
    np.testing.assert_array_equal(clean.params, same.params)
    assert not np.allclose(clean.params, noisy.params)
    # grad_norm records the true gradient, not the noisy one
    np.testing.assert_allclose(noisy.grad_norm, np.hypot(noisy.params[:, 0], 10 * noisy.params[:, 1]), rtol=1e-12)


def test_incremental_advance_equals_run():
    config = {**LINEAR, "variant": "stochastic", "optimizer": {"name": "nadam", "lr": 0.05}, "steps": 97,
              "schedule": {"name": "step", "step_size": 10}}
    whole = run(config)
    trainer = Trainer(config)
    sizes = []
    while not trainer.done:
        sizes.append(trainer.advance(13))
    assert sizes == [13] * 7 + [6]
    assert trainer.advance(5) == 0
    np.testing.assert_array_equal(trainer.history.params, whole.params)
    np.testing.assert_array_equal(trainer.history.lr, whole.lr)


def test_time_budget_returns_promptly_with_some_steps():
    trainer = Trainer({**LINEAR, "steps": 10**7})
    done = trainer.advance(time_budget=0.02)
    assert 0 < done < 10**7 and trainer.status == "running" and len(trainer.history) == done + 1


def test_history_grows_past_its_initial_capacity():
    h = run({"problem": "quadratic", "optimizer": {"name": "plain", "lr": 0.01}, "steps": 5000})
    assert len(h) == 5001 and h.step[-1] == 5000 and np.all(np.diff(h.loss) < 0)


@pytest.mark.parametrize("problem,lr,bound", [("quadratic", 0.21, 0.2), ("booth", 0.12, 2 / 18)])
def test_divergence_names_the_step_and_the_stability_bound(problem, lr, bound):
    h = run({"problem": problem, "optimizer": {"name": "plain", "lr": lr}, "steps": 5000})
    assert h.status == "diverged" and len(h) < 5001
    assert f"diverged at step {len(h) - 1}" in h.message
    assert f"2/L = {bound:.4g}" in h.message
    assert np.isfinite(h.loss[-2])



def test_end_messages_write_counts_as_the_window_does():
    """The banner shows a run's end message beside the status bar's "step 1,000 · epoch 3.33": it read "completed
    1000 steps (3.33333 epochs)" (lesson 10: "completed 4000 steps"), "diverged at step 1862", "converged at step
    7821"."""
    data = {"problem": "linear_regression", "data": {"name": "linear", "n_samples": 300}, "variant": "stochastic"}
    assert run({**data, "steps": 1000}).message == "completed 1,000 steps (3.33 epochs)"
    diverged = run({"problem": "quadratic", "kappa": 10.0, "optimizer": {"name": "plain", "lr": 0.2005}, "steps": 5000})
    assert diverged.message.startswith("diverged at step 1,862: ")
    converged = run({"problem": "quadratic", "optimizer": {"name": "plain", "lr": 0.001}, "steps": 20000,
                     "tolerance": 1e-3})
    assert converged.message.startswith("converged at step 7,821: ")

QUADRATIC = {"problem": "quadratic", "kappa": 10.0, "steps": 3000}  # L = 10


def ends(optimizer: dict, lr: float) -> gd_core.History:
    return run({**QUADRATIC, "optimizer": {**optimizer, "lr": lr}})


@pytest.mark.parametrize("optimizer,formula,bound", [
    ({"name": "plain"}, "2/L", 0.2),
    ({"name": "momentum", "momentum": 0.9}, "2(1+μ)/L", 0.38),  # heavy ball: 2(1 + 0.9)/10
    ({"name": "momentum", "momentum": 0.5, "dampening": 0.5}, "2(1+μ)/((1−τ)·L)", 0.6),
    ({"name": "plain", "weight_decay": 2.0}, "2/(L+λ)", 2 / 12)], ids=str)
def test_divergence_quotes_the_optimizers_own_bound_which_holds_on_a_quadratic(optimizer, formula, bound):
    """Just below the bound the run converges, just above it diverges, and its message quotes that bound - not
    plain gradient descent's 2/L for every optimizer."""
    assert ends(optimizer, 0.98 * bound).status == "completed"
    h = ends(optimizer, 1.02 * bound)
    assert h.status == "diverged" and f"below {formula} = {bound:.4g}" in h.message


@pytest.mark.parametrize("optimizer,lr", [({"name": "adam"}, 1e5), ({"name": "newton"}, 2.02)], ids=str)
def test_divergence_of_an_optimizer_without_a_curvature_bound_says_so_and_quotes_none(optimizer, lr):
    h = ends(optimizer, lr)
    assert h.status == "diverged" and "2/L =" not in h.message
    title = gd_core.OPTIMIZERS[optimizer["name"]].title
    assert f"{title} has no learning-rate bound like 2/L: " in h.message
    if optimizer["name"] == "newton":  # its reason quotes its own bound, γ < 2 whatever L: it holds
        assert "stable for γ < 2" in h.message and ends(optimizer, 1.98).status == "completed"
    else:
        assert "running size of the gradient" in h.message


def test_runs_of_one_group_quote_each_their_own_bound():
    configs = [{**QUADRATIC, "optimizer": {"name": "momentum", "momentum": mu, "lr": 0.5}} for mu in (0.9, 0.5)]
    messages = [h.message for h in gd_core.run_many(configs)]
    assert "2(1+μ)/L = 0.38" in messages[0] and "2(1+μ)/L = 0.3" in messages[1]


def test_divergence_of_linear_regression_gives_its_bound():
    trainer = Trainer({**LINEAR, "variant": "batch", "optimizer": {"name": "plain", "lr": 5.0}, "steps": 1000})
    trainer.advance()
    assert trainer.status == "diverged"
    assert f"{trainer.problem.stability_bound:.4g}" in trainer.history.message
    stable = run({**LINEAR, "variant": "batch", "optimizer": {"name": "plain",
                                                              "lr": 0.95 * trainer.problem.stability_bound},
                  "steps": 1000})
    assert stable.status == "completed"


def test_non_finite_loss_is_divergence():
    h = run({"problem": "rosenbrock", "optimizer": {"name": "plain", "lr": 1.0}, "steps": 100})
    assert h.status == "diverged" and "diverged at step" in h.message


def test_saddle_escape_is_reported_as_unbounded():
    h = run({"problem": "saddle", "optimizer": {"name": "plain", "lr": 0.2}, "steps": 5000})
    assert h.status == "diverged" and "unbounded below" in h.message


def test_convergence_with_tolerance():
    h = run({"problem": "quadratic", "optimizer": {"name": "plain", "lr": 0.1}, "steps": 5000, "tolerance": 1e-6})
    assert h.status == "converged" and h.grad_norm[-1] <= 1e-6 < h.grad_norm[-2]
    assert "converged at step" in h.message


def test_epoch_budget_on_functions_counts_steps():
    h = run({"problem": "himmelblau", "optimizer": {"name": "plain", "lr": 0.01}, "epochs": 25})
    assert len(h) == 26


def test_live_changes_apply_from_the_next_step():
    config = {**LINEAR, "variant": "batch", "optimizer": {"name": "plain", "lr": 0.01}, "steps": 100}
    trainer = Trainer(config)
    trainer.advance(5)
    assert not trainer.needs_reset({**config, "optimizer": {"name": "plain", "lr": 0.2}})
    trainer.apply({**config, "optimizer": {"name": "plain", "lr": 0.2}})
    before = trainer.params.copy()
    grad = trainer.problem.full_loss_and_grad(before)[1]
    trainer.advance(1)
    np.testing.assert_allclose(trainer.params, before - 0.2 * grad, rtol=1e-14)
    assert trainer.history.lr[-1] == 0.2 and trainer.history.lr[-2] == 0.01
    trainer.apply({**config, "variant": "minibatch", "batch_size": 10, "optimizer": {"name": "adam", "lr": 0.1}})
    trainer.advance(1)
    assert trainer.history.samples_seen[-1] - trainer.history.samples_seen[-2] == 10
    assert len(trainer.history) == 8


def test_changing_problem_data_seed_or_start_needs_a_reset():
    config = {**LINEAR, "steps": 100}
    trainer = Trainer(config)
    for change in ({"data": {"name": "linear", "n_samples": 50}}, {"problem": "quadratic", "data": None},
                   {"seed": 4}, {"init": [1.0, 1.0]}):
        new = {k: v for k, v in {**config, **change}.items() if v is not None}
        assert trainer.needs_reset(new)
        with pytest.raises(ValueError, match="needs a new run"):
            trainer.apply(new)


def test_a_finished_run_continues_when_its_length_grows():
    config = {"problem": "quadratic", "optimizer": {"name": "plain", "lr": 0.1}, "steps": 10}
    trainer = Trainer(config)
    trainer.advance()
    assert trainer.status == "completed"
    trainer.apply({**config, "steps": 15})
    assert trainer.status == "running" and trainer.advance() == 5


def test_csv_round_trip(tmp_path):
    h = run({**LINEAR, "data": {"name": "linear", "n_samples": 30, "n_features": 2}, "steps": 5})
    h.to_csv(tmp_path / "h.csv")
    lines = (tmp_path / "h.csv").read_text().splitlines()
    assert lines[0] == ("step,epoch,samples_seen,lr,batch_loss,loss,grad_norm,val_loss,accuracy,val_accuracy,"
                        "evaluations,w1,w2,b")
    assert lines[1].startswith("0,0.0,0,0.001,nan,") and lines[2].split(",")[10] == "1"  # one evaluation a step
    table = np.genfromtxt(tmp_path / "h.csv", delimiter=",", skip_header=1)
    np.testing.assert_array_equal(table[:, len(gd_core.COLUMNS):], h.params)
    np.testing.assert_array_equal(table[:, 5], h.loss)
    assert not list(tmp_path.glob(".gdlab-*"))


def test_history_records_the_gradient_each_update_used():
    trainer = Trainer({**LINEAR, "variant": "batch", "optimizer": {"name": "plain", "lr": 0.1}, "steps": 4,
                       "clip_norm": 0.5})
    trainer.advance()
    h = trainer.history
    np.testing.assert_allclose(h.params[1:] - h.params[:-1], -0.1 * h.grads[1:], rtol=1e-12, atol=1e-15)
    assert np.all(np.linalg.norm(h.grads[1:], axis=1) <= 0.5 + 1e-12)
    np.testing.assert_array_equal(trainer.latest.grad, h.grads[-1])


def test_long_runs_are_recorded_in_bounded_storage():
    """Past max_rows the record keeps every 2nd, 4th, ... step (and always the latest); memory stays bounded."""
    from gd_core.history import History
    trainer = Trainer({"problem": "quadratic", "optimizer": {"name": "plain", "lr": 0.001}, "steps": 10_000})
    trainer.history = History(("x", "y"), 1, max_rows=300)
    trainer.history.append(0, 0, 0.001, np.nan, 1.0, 1.0, trainer.params)
    trainer.advance()
    h = trainer.history
    assert len(h) <= 300 and h.stride == 64 and h.step[-1] == 10_000
    steps = h.step.astype(int)
    assert h.head == 37 and np.array_equal(steps[:37], np.arange(37))  # every one of the first steps
    assert np.all(steps[37:-1] % h.stride == 0) and np.all(np.diff(steps) > 0)
    full = gd_core.run({"problem": "quadratic", "optimizer": {"name": "plain", "lr": 0.001}, "steps": 10_000})
    np.testing.assert_array_equal(h.params, full.params[steps])  # the kept rows are exact
    assert h._weights.capacity <= 300 and h._scalars.capacity <= 300  # storage never grew past the cap


def test_a_tolerance_reached_early_stays_exact_however_long_the_run():
    """'Steps to tolerance' read a long run's record: thinned to every 64th step it moved from the step where the
    tolerance was reached to the next kept row (58 became 60 in the window after a million steps)."""
    from gd_core.history import History
    from gd_core.results import run_summary
    config = {"problem": "quadratic", "optimizer": {"name": "plain", "lr": 0.02}, "steps": 20_000}
    trainer = Trainer(config)
    trainer.history = History(("x", "y"), 1, max_rows=300)
    trainer.history.append(0, 0, 0.02, np.nan, float(trainer.problem.full_loss(trainer.params)), 1.0,
                           trainer.params)
    trainer.advance()
    full = gd_core.run(config)
    tolerance = float(full.loss[35])  # reached at step 35, which no stride of 2 or more keeps
    exact = run_summary(full, tolerance)
    assert exact["steps_to_tolerance"] == 35 and trainer.history.stride > 1
    assert run_summary(trainer.history, tolerance)["steps_to_tolerance"] == 35


def test_from_arrays_keeps_what_appending_keeps():
    from gd_core.history import History
    rng = np.random.default_rng(0)
    for steps in (5, 11, 12, 13, 299, 300, 301, 374, 375, 376, 1000, 4097, 4098, 10_001):
        incremental = History(("a",), 1, max_rows=100)
        params = rng.standard_normal((steps + 1, 1))
        for t in range(steps + 1):
            incremental.append(t, t, 0.1, 0.0, float(t), 0.0, params[t], params[t])
        columns = {"step": np.arange(steps + 1.0), "samples_seen": np.arange(steps + 1.0),
                   "epoch": np.arange(steps + 1.0), "lr": np.full(steps + 1, 0.1),
                   "batch_loss": np.zeros(steps + 1), "loss": np.arange(steps + 1.0), "grad_norm": np.zeros(steps + 1)}
        whole = History.from_arrays(("a",), 1, columns, params, params, "completed", "", max_rows=100)
        np.testing.assert_array_equal(whole.step, incremental.step)
        np.testing.assert_array_equal(whole.params, incremental.params)
        assert whole.stride == incremental.stride
        assert np.isnan(whole.evaluations).all() and np.isnan(whole.val_loss).all()  # columns not given: NaN



def test_a_loss_below_0_of_a_problem_unbounded_below_never_reaches_the_tolerance():
    """The saddle x² − y² has no minimum: from (0.01, −1.5) its loss starts at −2.25 and falls. 'Steps to
    tolerance' read 0 (−2.25 <= 0.001); a run that comes to rest at the saddle point (loss → 0 from above) still
    reaches it."""
    from gd_core.results import run_summary

    escaping = gd_core.run({"problem": "saddle", "init": [0.01, -1.5], "steps": 5})
    assert run_summary(escaping)["steps_to_tolerance"] is None
    resting = gd_core.run({"problem": "saddle", "init": [1.0, 0.0], "steps": 200,
                           "optimizer": {"name": "plain", "lr": 0.1}})
    assert run_summary(resting)["steps_to_tolerance"] is not None


def test_summary_numbers_group_thousands_as_counts_do():
    """The results table shows 3,000 steps beside 3,000 epochs (epochs read "3000")."""
    from gd_core.results import summary_text

    assert [summary_text(3000, True), summary_text(3000.0), summary_text(12345.678), summary_text(0.25),
            summary_text(None)] == ["3,000", "3,000", "12,346", "0.25", "-"]


@pytest.mark.parametrize("damping", [0.0, 1e-9])
def test_a_diverging_newton_run_names_what_its_steps_used_not_a_learning_rate(damping):
    """Newton's method diverging on logistic regression said "(learning rate 1)": its γ is no learning rate of
    gradient descent's meaning but the scale of its step (H + λI)⁻¹·g, beside the damping λ it used."""
    h = run({"problem": "logistic_regression", "optimizer": {"name": "newton", "damping": damping}, "steps": 300})
    assert h.status == "diverged" and "learning rate" not in h.message
    inverse = "(H + λI)⁻¹" if damping else "H⁻¹"
    assert f"(Newton steps γ·{inverse}·g with γ = 1, damping λ = {damping:g})" in h.message
    assert "(learning rate 0.3)" in ends({"name": "plain"}, 0.3).message  # gradient descent's is one
