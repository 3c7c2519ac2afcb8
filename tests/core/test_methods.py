"""The classical methods against theory (Newton, Polyak, conjugate gradients, the Armijo line search), Muon's
Newton-Schulz step, what each new row asks of its problem, and the evaluations every method spends.

torch.optim's further rows (RAdam, Rprop, ASGD, Adafactor, LBFGS, Muon) are checked against torch itself in
test_golden.py (committed goldens always, torch live when importable) and test_torch_parity.py.
"""

import importlib.util
import warnings

import numpy as np
import pytest

import gd_core
from gd_core import ConfigError, Trainer, run, run_many
from gd_core.cli import listing
from gd_core.config import build_problem, validate
from gd_core.curvature import hessian
from gd_core.methods.torch_extra import NS_COEFFICIENTS, bfloat16, newton_schulz
from gd_core.optimizers import OPTIMIZERS, explain
from gd_core.pipeline import Objective

NEW = ("radam", "rprop", "asgd", "adafactor", "lbfgs", "muon", "newton", "polyak", "cg")
ARMIJO = {"c": 1e-4, "shrink": 0.5}


def quadratic(kappa=10.0, **more):
    return {"problem": "quadratic", "kappa": kappa, **more}


# --- Newton -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kappa,start", [(10.0, [-2.5, 2.0]), (1000.0, [1.0, -3.0]), (0.01, [2.0, 2.0])])
def test_newton_reaches_a_quadratics_minimum_in_one_step(kappa, start):
    history = run(quadratic(kappa, optimizer="newton", steps=2, init=start))
    assert np.abs(history.params[1]).max() <= 1e-12 * np.abs(start).max()
    assert history.loss[1] <= 1e-24 * history.loss[0]


def test_booth_and_linear_regression_too_in_one_newton_step():
    """Any quadratic loss: Booth's function (minimum (1, 3)) and least squares (its minimiser theta*)."""
    booth = run({"problem": "booth", "optimizer": "newton", "steps": 1})
    np.testing.assert_allclose(booth.params[1], [1.0, 3.0], rtol=1e-12)
    config = {"problem": "linear_regression", "data": {"name": "linear", "n_samples": 60, "n_features": 3},
              "variant": "batch", "optimizer": "newton", "steps": 1}
    trainer = Trainer(config)
    trainer.advance()
    np.testing.assert_allclose(trainer.params, trainer.problem.theta_star, rtol=1e-9, atol=1e-12)


def test_damped_newton_shrinks_each_eigen_direction_by_lambda_over_h_plus_lambda():
    """With damping lambda the step is (H + lambda I)^-1 g: on diag(1, kappa) the error in x shrinks by
    lambda/(1 + lambda) per step and in y by lambda/(kappa + lambda) - towards gradient descent as lambda grows."""
    damping, kappa = 3.0, 10.0
    history = run(quadratic(kappa, optimizer={"name": "newton", "damping": damping}, steps=5))
    ratios = history.params[1:] / history.params[:-1]
    np.testing.assert_allclose(ratios[:, 0], damping / (1 + damping), rtol=1e-12)
    np.testing.assert_allclose(ratios[:, 1], damping / (kappa + damping), rtol=1e-12)


def test_newton_shows_the_hessians_eigenvalues_of_each_step():
    trainer = Trainer({"problem": "rosenbrock", "optimizer": "newton", "steps": 4})
    trainer.advance(3)
    step = trainer.latest
    rows = dict(explain(step))
    expected = np.linalg.eigvalsh(hessian(trainer.problem, step.params_before))
    np.testing.assert_allclose(rows["λ(H) (eigenvalues)"], expected, rtol=1e-12)
    np.testing.assert_allclose(step.update, -np.linalg.solve(hessian(trainer.problem, step.params_before),
                                                               step.grad), rtol=1e-12)


@pytest.mark.parametrize("damping,inverse", [(0.0, "H⁻¹"), (0.5, "(H + λI)⁻¹")])
def test_newtons_direction_row_is_named_as_its_rule_writes_it(damping, inverse):
    """Lesson 18's update rule read "θ ← θ − γ·H⁻¹·g" over a row "(H + λI)⁻¹·g" - a λ nothing defined, beside the
    eigenvalues λ(H): without damping the row is H⁻¹·g, the rule's own term."""
    config = {"problem": "quadratic", "kappa": 100.0, "optimizer": {"name": "newton", "damping": damping}, "steps": 2}
    trainer = Trainer(config)
    trainer.advance(1)
    symbols = [symbol for symbol, _ in explain(trainer.latest)]
    assert f"{inverse}·g" in symbols and f"γ·{inverse}·g" in OPTIMIZERS["newton"].formula_for(config["optimizer"])


def test_the_hessian_of_a_minibatch_is_its_own_by_central_differences():
    """A mini-batch step's Hessian is the batch's: for least squares 2·A_bᵀA_b/b, from the batch gradient."""
    problem = build_problem(validate({"problem": "linear_regression",
                                      "data": {"name": "linear", "n_samples": 50, "n_features": 2}}))
    idx = np.array([3, 7, 11, 20, 31])
    params = np.array([0.3, -1.2, 0.5])
    objective = Objective(problem.loss_and_grad, idx, None, problem)
    A = problem.A[idx]
    np.testing.assert_allclose(objective.hessian(params), 2 * A.T @ A / len(idx), rtol=1e-7, atol=1e-9)
    assert objective.count == 3  # a Hessian counts as d evaluations
    full = Objective(problem.loss_and_grad, None, None, problem)
    np.testing.assert_allclose(full.hessian(params), problem.hessian(params), rtol=1e-15)


def test_newton_on_the_network_uses_the_central_difference_hessian_of_backpropagation():
    config = {"problem": "mlp", "hidden": [3], "data": {"name": "moons", "n_samples": 40}, "variant": "batch",
              "optimizer": {"name": "newton", "damping": 1.0}, "steps": 2}
    trainer = Trainer(config)
    trainer.advance(1)
    step = trainer.latest
    H = hessian(trainer.problem, step.params_before)
    np.testing.assert_allclose(step.update, -np.linalg.solve(H + np.eye(len(H)), step.grad), rtol=1e-9)
    assert trainer.evaluations == 1 + trainer.problem.n_params


# --- Polyak -----------------------------------------------------------------------------------------------------
def test_polyak_halves_an_isotropic_quadratic_each_step():
    """f = |theta|²/2, g = theta: the step (f − 0)/|g|² = 1/2 lands half-way, every step."""
    history = run(quadratic(1.0, optimizer="polyak", steps=6))
    np.testing.assert_allclose(history.params[1:], history.params[:-1] / 2, rtol=1e-15)


@pytest.mark.parametrize("kappa", [10.0, 100.0])
def test_polyak_contracts_the_distance_as_theory_bounds(kappa):
    """On a mu-strongly convex, L-smooth loss, |theta_t+1 − theta*|² <= (1 − mu/(4L))·|theta_t − theta*|² at
    every step (mu = 1, L = kappa here) - and in fact no distance ever grows."""
    history = run(quadratic(kappa, optimizer="polyak", steps=300))
    distance = (history.params ** 2).sum(axis=1)
    assert np.all(distance[1:] <= (1 - 1 / (4 * kappa)) * distance[:-1] * (1 + 1e-12))
    assert history.loss[-1] < 1e-8 * history.loss[0]


@pytest.mark.parametrize("config", [{"problem": "saddle"}, {"problem": "mlp"},
                                    {"problem": "logistic_regression", "data": {"name": "blobs", "noise": 0.05}}],
                         ids=["unbounded", "network", "separable"])
def test_polyak_is_refused_where_the_minimum_value_is_unknown(config):
    problem = build_problem(validate(config))
    assert problem.min_loss is None
    with pytest.raises(ConfigError, match=r"optimizer\.name: polyak needs the minimum value f\* of the loss"):
        Trainer({**config, "optimizer": "polyak"})


def test_polyak_runs_in_a_group_as_alone():
    configs = [quadratic(optimizer={"name": "polyak", "lr": lr}, steps=30, init=start)
               for lr, start in ((1.0, [1.0, 1.0]), (0.5, [-2.0, 0.5]))]
    for together, config in zip(run_many(configs), configs):
        np.testing.assert_allclose(together.params, run(config).params, rtol=1e-13)


# --- the Armijo line search of plain gradient descent -------------------------------------------------------------
def armijo_holds(history, config, c):
    """Every accepted step satisfies f(theta − t·g) <= f(theta) − c·t·|g|² on the full loss (batch variant)."""
    problem = build_problem(validate(config))
    for before, after, grad in zip(history.params[:-1], history.params[1:], history.grads[1:]):
        step = before - after
        t = float(step @ grad / (grad @ grad)) if grad @ grad else 0.0
        np.testing.assert_allclose(step, t * grad, rtol=0, atol=4e-16 * np.abs(before).max())  # along −g
        assert problem.full_loss(after) <= problem.full_loss(before) - c * t * float(grad @ grad)
    return True


@pytest.mark.parametrize("config", [
    {"problem": "rosenbrock"}, quadratic(1000.0), {"problem": "himmelblau", "init": [-4.0, 4.5]},
    {"problem": "logistic_regression", "data": {"name": "moons", "n_samples": 60}, "variant": "batch"}],
    ids=["rosenbrock", "quadratic", "himmelblau", "logistic"])
def test_every_accepted_step_satisfies_the_armijo_condition(config):
    config = {**config, "optimizer": {"name": "plain", "lr": 4.0, "line_search": {"c": 0.3, "shrink": 0.7}},
              "steps": 150, "tolerance": 1e-7}  # stop before the steps are rounding
    trainer = Trainer(config)
    trainer.advance()
    history = trainer.history
    assert armijo_holds(history, config, 0.3)
    assert np.all(np.diff(history.loss) <= 0)
    assert history.evaluations[-1] >= 2 * trainer.step  # the step's gradient and at least one trial


def test_the_line_search_keeps_its_trial_points_and_takes_the_first_that_passes():
    config = {"problem": "rosenbrock", "optimizer": {"name": "plain", "lr": 1.0, "line_search": ARMIJO},
              "steps": 3}
    trainer = Trainer(config)
    trainer.advance(1)
    step = trainer.latest
    trials, t = step.state.trials, float(step.state.step_size)
    g = step.grad
    np.testing.assert_allclose(trials, [step.params_before - 0.5**k * g for k in range(len(trials))], rtol=1e-15)
    np.testing.assert_array_equal(trials[-1], step.params)
    assert t == 0.5 ** (len(trials) - 1)
    f = trainer.problem.full_loss
    assert all(f(p) > f(step.params_before) - 1e-4 * 0.5**k * (g @ g) for k, p in enumerate(trials[:-1]))
    assert trainer.history.evaluations[1] == 1 + len(trials)


def test_a_group_of_line_searches_backtracks_each_run_on_its_own():
    configs = [{"problem": "rosenbrock", "optimizer": {"name": "plain", "lr": lr, "line_search": ARMIJO},
                "steps": 40, "init": start} for lr, start in ((1.0, [-1.2, 1.0]), (0.01, [0.5, 0.5]), (8.0, [2, 2]))]
    runners = gd_core.many.runners(configs)
    assert len(runners) == 1  # one vectorised group
    for together, config in zip(run_many(configs), configs):
        alone = run(config)
        np.testing.assert_allclose(together.params, alone.params, rtol=1e-13)
        np.testing.assert_array_equal(together.evaluations, alone.evaluations)


def test_line_search_with_weight_decay_tests_the_penalised_loss():
    config = quadratic(optimizer={"name": "plain", "lr": 2.0, "weight_decay": 0.5, "line_search": ARMIJO},
                       steps=200)
    history = run(config)
    penalised = history.loss + 0.25 * (history.params ** 2).sum(axis=1)
    assert np.all(np.diff(penalised) < 0)
    assert history.params[-1] == pytest.approx([0.0, 0.0], abs=1e-6)  # the penalised minimum is still 0


def test_line_search_settings_are_checked():
    with pytest.raises(ConfigError, match=r"optimizer\.line_search\.c: must be a number in \(0, 1\)"):
        validate(quadratic(optimizer={"name": "plain", "line_search": {"c": 1.5}}))
    with pytest.raises(ConfigError, match=r"optimizer\.line_search\.step: is not a setting of"):
        validate(quadratic(optimizer={"name": "plain", "line_search": {"step": 1}}))
    with pytest.raises(ConfigError, match=r"optimizer\.line_search: must be null \(off\) or an object with c"):
        validate(quadratic(optimizer={"name": "plain", "line_search": "armijo"}))
    assert validate(quadratic(optimizer={"name": "plain", "line_search": {}}))["optimizer"]["line_search"] == ARMIJO


# --- conjugate gradients ----------------------------------------------------------------------------------------
def test_cg_takes_strong_wolfe_steps_and_solves_the_quadratic():
    trainer = Trainer(quadratic(100.0, optimizer="cg", steps=12))
    problem, c1, c2 = trainer.problem, 1e-4, 0.1
    for _ in range(12):
        if not trainer.advance(1):
            break
        step = trainer.latest
        state = step.state
        if not state.step_length:
            continue
        t, d = state.step_length, state.direction
        f0, g0 = problem.loss_and_grad(step.params_before)
        f1, g1 = problem.loss_and_grad(step.params)
        assert state.beta >= 0 and g0 @ d < 0
        assert f1 <= f0 + c1 * t * (g0 @ d)
        assert abs(g1 @ d) <= c2 * abs(g0 @ d)
    assert trainer.history.loss[-1] < 1e-20


def test_cg_beats_gradient_descent_per_evaluation_on_an_ill_conditioned_quadratic():
    cg = run(quadratic(1000.0, optimizer="cg", steps=30))
    plain = run(quadratic(1000.0, optimizer={"name": "plain", "lr": 1.9e-3}, steps=3000))
    budget = cg.evaluations[-1]
    assert budget < 300
    assert cg.loss[-1] < 1e-12 < plain.loss[int(budget)]



def test_a_degenerate_cubic_clips_its_infinite_minimiser_as_torch_and_cg_runs_the_saddle():
    """A zero denominator in the cubic fit is inf (or NaN) in torch's tensor arithmetic, clipped to the bounds -
    it raised ZeroDivisionError here, and conjugate gradients crashed on the saddle from its default start."""
    from gd_core.methods.line_search import cubic_interpolate
    # f(t) = -t² through t = 0 and 1: g2 - g1 + 2·d2 = 0, the minimiser at +inf: the upper bound
    assert cubic_interpolate(0.0, 0.0, 0.0, 1.0, -1.0, -2.0) == 1.0
    assert cubic_interpolate(0.0, 0.0, 0.0, 1.0, -1.0, -2.0, bounds=(0.5, 10.0)) == 10.0
    assert cubic_interpolate(1.0, 0.0, 0.0, 1.0, 0.0, 0.0, bounds=(0.0, 4.0)) == 2.0  # one point: no cubic
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = run({"problem": "saddle", "optimizer": {"name": "cg"}, "steps": 40})
    assert history.status == "diverged" and "unbounded below" in history.message

# --- Muon and what rows ask of their problem --------------------------------------------------------------------
def test_muon_is_refused_without_weight_matrices():
    with pytest.raises(ConfigError, match=r"optimizer\.name: muon needs weight matrices \(a network's layers\)"):
        Trainer({"problem": "rosenbrock", "optimizer": "muon"})
    trainer = Trainer({"problem": "mlp", "optimizer": {"name": "muon", "lr": 0.02}, "variant": "batch", "steps": 30})
    trainer.advance()
    assert trainer.history.loss[-1] < 0.8 * trainer.history.loss[0]


def test_newton_schulz_orthogonalises():
    """NS₅ maps G = U·S·Vᵀ to about U·Vᵀ: singular values within a factor 100 of the largest are squeezed into
    roughly (0.5, 1.5)."""
    rng = np.random.default_rng(4)
    G = np.linalg.qr(rng.standard_normal((6, 4)))[0] @ np.diag([100.0, 30.0, 3.0, 1.0])
    singular = np.linalg.svd(newton_schulz(G, 5), compute_uv=False)
    assert np.all((singular > 0.5) & (singular < 1.5))
    assert np.array_equal(bfloat16(np.array([1 + 2**-8, 1 + 3 * 2**-8])), [1.0, 1 + 4 * 2**-8])  # ties to even


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch not installed")
def test_newton_schulz_equals_torchs_bfloat16_iteration_bit_for_bit():
    import torch
    from torch.optim._muon import _zeropower_via_newtonschulz

    rng = np.random.default_rng(0)
    for _ in range(300):
        rows, cols = rng.integers(1, 9, 2)
        G = rng.standard_normal((rows, cols)) * 10 ** rng.uniform(-3, 3)
        for steps in (3, 5):
            theirs = _zeropower_via_newtonschulz(torch.tensor(G), NS_COEFFICIENTS, steps, 1e-7).double().numpy()
            np.testing.assert_array_equal(newton_schulz(G, steps), theirs)


def test_adafactor_factors_a_networks_matrices_and_not_a_functions_vector():
    trainer = Trainer({"problem": "mlp", "hidden": [4], "optimizer": "adafactor", "variant": "batch", "steps": 2})
    trainer.advance()
    state = trainer.state
    assert [r.shape for r in state.row_vars] == [(4, 1), (1, 1)] and [c.shape for c in state.col_vars] == [
        (1, 2), (1, 4)]
    lone = Trainer({"problem": "rosenbrock", "optimizer": "adafactor", "steps": 2})
    assert lone.state.row_vars == () and lone.state.tensors == ((slice(0, 2), None),)


# --- every method: evaluations, grouping, refusals, listing ------------------------------------------------------
def test_evaluations_per_step():
    """A gradient method spends one evaluation a step; Newton one plus d for its Hessian; the line searches
    and LBFGS what they evaluated."""
    for name, per_step in (("adam", 1), ("radam", 1), ("newton", 3), ("polyak", 1)):
        history = run({"problem": "rosenbrock", "optimizer": name, "steps": 5})
        np.testing.assert_array_equal(history.evaluations, np.arange(6) * per_step)
    lbfgs = run({"problem": "rosenbrock", "optimizer": {"name": "lbfgs", "max_iter": 3}, "steps": 4})
    np.testing.assert_array_equal(np.diff(lbfgs.evaluations), 3)  # its first, then one for each further iteration


@pytest.mark.parametrize("name", ["lbfgs", "cg", "newton"])
def test_methods_that_branch_per_run_advance_alone_and_equal_their_lone_runs(name):
    configs = [{"problem": "rosenbrock", "optimizer": name, "steps": 15, "init": start}
               for start in ([-1.2, 1.0], [0.5, 2.0])]
    assert len(gd_core.many.runners(configs)) == 2
    for together, config in zip(run_many(configs), configs):
        np.testing.assert_array_equal(together.params, run(config).params)


@pytest.mark.parametrize("name", [name for name, spec in OPTIMIZERS.items() if spec.vectorised])
def test_a_group_on_a_network_advances_as_its_runs_alone(name):
    """Runs that differ in their rate (and a setting of the rule) advance as one group on a network - weight
    matrices, where a per-run value (R, 1) meets matrices (R, rows, columns): Adafactor crashed there (a
    broadcast ValueError, in a sweep or a session of such runs; found by a campaign of groups)."""
    settings = [{"lr": 0.01}, {"lr": 0.1}]
    if name == "adafactor":
        settings = [{**s, "d": d, "weight_decay": w} for s, d, w in zip(settings, (1.0, 2.0), (0.0, 0.1))]
    configs = [{"problem": "mlp", "hidden": [3], "variant": "batch", "steps": 4,
                "optimizer": {"name": name, **s}} for s in settings]
    try:
        together = run_many(configs)
    except ConfigError:  # polyak: the network's minimum value is unknown
        return
    assert len(gd_core.many.runners(configs)) == 1
    for history, config in zip(together, configs):
        np.testing.assert_allclose(history.params, run(config).params, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("setting,key", [({"clip_norm": 1.0}, "clip_norm"), ({"gradient_noise": 0.1},
                                                                              "gradient_noise"),
                                         ({"variant": "coordinate"}, "variant")])
@pytest.mark.parametrize("optimizer", ["lbfgs", "cg", "newton", {"name": "plain", "line_search": {}}])
def test_methods_that_evaluate_again_refuse_gradient_stages(setting, key, optimizer):
    with pytest.raises(ConfigError, match=rf"^{key}: .* does not go with optimizer"):
        Trainer({"problem": "rosenbrock", "optimizer": optimizer, **setting})


def test_list_shows_every_new_method_with_its_defaults():
    text = listing()
    for name in NEW:
        spec = OPTIMIZERS[name]
        line = next(line for line in text.splitlines() if line.split()[:1] == [name])
        assert all(f"{p.name}={p.default}" in line for p in spec.params) and spec.torch in line
    assert "line_search=None" in next(line for line in text.splitlines() if line.split()[:1] == ["plain"])


@pytest.mark.parametrize("name", NEW)
def test_every_new_row_explains_its_latest_step(name):
    config = ({"problem": "mlp", "hidden": [3], "variant": "batch"} if name == "muon" else
              {"problem": "rosenbrock"})
    trainer = Trainer({**config, "optimizer": name, "steps": 3})
    trainer.advance(2)
    step = trainer.latest
    rows = explain(step)
    names = [symbol for symbol, _ in rows]
    assert names[:3] == ["t", "γₜ", "g"] and names[-1] == "Δθ (update)" and len(rows) > 4
    for _, value in rows:
        assert np.all(np.isfinite(np.asarray(value, dtype=float)[~np.isnan(np.asarray(value, dtype=float))]))


def test_muon_explains_a_step_that_diverged():
    """The update-rule panel's singular values of a Newton-Schulz iterate that overflowed (coefficients far from
    the tuned ones; the run diverged): NaN, where the SVD raised LinAlgError ('SVD did not converge'; found by a
    fuzz campaign of 300-step runs)."""
    config = {"problem": "linear_regression", "data": {"name": "blobs", "n_samples": 14}, "batch_size": 14,
              "sampling": "replacement", "optimizer": {"name": "muon", "lr": 1e-300, "weight_decay": 1e12,
                                                       "momentum": 1e-12, "ns_b": 24.92473593411792,
                                                       "ns_c": -18.43393360131593, "eps": 1.0, "adamw_beta1": 0.0,
                                                       "adamw_eps": 713010184263.5775},
              "schedule": {"name": "linear", "total_iters": 6}, "steps": 5}
    trainer = Trainer(config)
    trainer.advance()
    assert trainer.history.status == "diverged"
    rows = dict(explain(trainer.latest))
    assert np.isfinite(rows["σ(B of W1)"]).all() and np.isnan(rows["σ(NS(B) of W1) ≈ 1"]).all()
