"""Every optimizer against an independent transcription of its published update rule (the torch.optim
algorithm boxes), convergence on the quadratic and Rosenbrock, and registry consistency."""

import math
import warnings

import numpy as np
import pytest

import gd_core
from gd_core import OPTIMIZERS, ConfigError, make_optimizer
from gd_core.stability import StabilityBound, undeclared


# --- the published update rules, written out element by element from the torch.optim documentation -----------
def reference_trajectory(name, hp, theta0, grad_fn, lrs):
    theta = [float(v) for v in theta0]
    d = len(theta)
    m, v, vmax, b, g_avg, u = [0.0] * d, [0.0] * d, [0.0] * d, [0.0] * d, [0.0] * d, [0.0] * d
    state_sum = [hp.get("initial_accumulator_value", 0.0)] * d
    mu_prod = 1.0
    out = [list(theta)]
    wd = hp.get("weight_decay", 0.0)
    for t, lr in enumerate(lrs, start=1):
        g = list(grad_fn(np.array(theta)))
        if name != "adamw":
            g = [gi + wd * th for gi, th in zip(g, theta)]
        if name == "nadam":
            mu_t = hp["beta1"] * (1 - 0.5 * 0.96 ** (t * hp["momentum_decay"]))
            mu_t1 = hp["beta1"] * (1 - 0.5 * 0.96 ** ((t + 1) * hp["momentum_decay"]))
            mu_prod *= mu_t
        for i in range(d):
            gi = g[i]
            if name == "plain":
                theta[i] -= lr * gi
            elif name in ("momentum", "nesterov"):
                damp = hp.get("dampening", 0.0)
                # momentum 0: torch.optim.SGD keeps no buffer and steps along g
                b[i] = gi if t == 1 or hp["momentum"] == 0 else hp["momentum"] * b[i] + (1 - damp) * gi
                theta[i] -= lr * (gi + hp["momentum"] * b[i] if name == "nesterov" else b[i])
            elif name == "adagrad":
                clr = lr / (1 + (t - 1) * hp["lr_decay"])
                state_sum[i] += gi * gi
                theta[i] -= clr * gi / (math.sqrt(state_sum[i]) + hp["eps"])
            elif name == "rmsprop":
                a = hp["alpha"]
                v[i] = a * v[i] + (1 - a) * gi * gi
                vt = v[i]
                if hp["centered"]:
                    g_avg[i] = a * g_avg[i] + (1 - a) * gi
                    vt = vt - g_avg[i] ** 2
                if hp["momentum"] > 0:
                    b[i] = hp["momentum"] * b[i] + gi / (math.sqrt(vt) + hp["eps"])
                    theta[i] -= lr * b[i]
                else:
                    theta[i] -= lr * gi / (math.sqrt(vt) + hp["eps"])
            elif name in ("adam", "amsgrad", "adamw"):
                if name == "adamw":
                    theta[i] -= lr * wd * theta[i]
                b1, b2 = hp["beta1"], hp["beta2"]
                m[i] = b1 * m[i] + (1 - b1) * gi
                v[i] = b2 * v[i] + (1 - b2) * gi * gi
                m_hat = m[i] / (1 - b1**t)
                if name == "amsgrad" or hp.get("amsgrad"):
                    vmax[i] = max(vmax[i], v[i])
                    v_hat = vmax[i] / (1 - b2**t)
                else:
                    v_hat = v[i] / (1 - b2**t)
                theta[i] -= lr * m_hat / (math.sqrt(v_hat) + hp["eps"])
            elif name == "adamax":
                b1 = hp["beta1"]
                m[i] = b1 * m[i] + (1 - b1) * gi
                u[i] = max(hp["beta2"] * u[i], abs(gi) + hp["eps"])
                theta[i] -= lr * m[i] / ((1 - b1**t) * u[i])
            elif name == "nadam":
                b1, b2 = hp["beta1"], hp["beta2"]
                m[i] = b1 * m[i] + (1 - b1) * gi
                v[i] = b2 * v[i] + (1 - b2) * gi * gi
                m_hat = mu_t1 * m[i] / (1 - mu_prod * mu_t1) + (1 - mu_t) * gi / (1 - mu_prod)
                v_hat = v[i] / (1 - b2**t)
                theta[i] -= lr * m_hat / (math.sqrt(v_hat) + hp["eps"])
            elif name == "adadelta":
                rho, eps = hp["rho"], hp["eps"]
                v[i] = rho * v[i] + (1 - rho) * gi * gi
                delta = math.sqrt(u[i] + eps) / math.sqrt(v[i] + eps) * gi
                u[i] = rho * u[i] + (1 - rho) * delta * delta
                theta[i] -= lr * delta
            else:
                raise AssertionError(name)
        out.append(list(theta))
    return np.array(out)


#: The rows transcribed above; the others are checked against torch's goldens (test_golden.py: RAdam, Rprop, ASGD,
#: Adafactor, LBFGS, Muon) or against theory (test_methods.py: Newton, Polyak, CG, the line search).
PUBLISHED = ("plain", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "amsgrad", "adamw", "adamax", "nadam",
             "adadelta")
#: Rows whose update is a function of the gradient alone (no objective, no weight matrices, no minimum value):
#: the generic purity and run-axis checks below take them as they are.
GRADIENT_RULES = [name for name, spec in OPTIMIZERS.items()
                  if not spec.uses_objective(spec.defaults()) and set(spec.needs) <= {"tensors"}]

CASES = [(name, {}) for name in PUBLISHED] + [
    ("plain", {"weight_decay": 0.1}),
    ("momentum", {"momentum": 0.5, "dampening": 0.3, "weight_decay": 0.05}),
    ("nesterov", {"momentum": 0.7, "weight_decay": 0.05}),
    ("adagrad", {"lr_decay": 0.1, "initial_accumulator_value": 0.5, "weight_decay": 0.02, "eps": 1e-3}),
    ("rmsprop", {"centered": True}),
    ("rmsprop", {"momentum": 0.8, "alpha": 0.9, "weight_decay": 0.01}),
    ("rmsprop", {"momentum": 0.5, "centered": True, "eps": 1e-4}),
    ("adam", {"beta1": 0.5, "beta2": 0.9, "weight_decay": 0.1}),
    ("amsgrad", {"beta2": 0.8, "eps": 1e-3}),
    ("adamw", {"weight_decay": 0.3}),
    ("adamw", {"amsgrad": True, "beta2": 0.8}),
    ("adamax", {"beta1": 0.7, "weight_decay": 0.05}),
    ("nadam", {"momentum_decay": 0.1, "weight_decay": 0.05}),
    ("adadelta", {"rho": 0.5, "eps": 1e-3, "weight_decay": 0.05}),
    # the edges where torch takes another branch: no momentum buffer at mu = 0, lerp's other formula at weight >= 1/2
    ("momentum", {"momentum": 0.0, "dampening": 0.5}),
    ("adam", {"beta1": 0.0}),
    ("nadam", {"beta1": 0.2}),
    ("rmsprop", {"centered": True, "alpha": 0.3, "momentum": 0.4}),
]


def rosenbrock_grad(p):
    return gd_core.PROBLEMS["rosenbrock"].build(gd_core.validate({"problem": "rosenbrock"})).loss_and_grad(p)[1]


@pytest.mark.parametrize("name,hparams", CASES, ids=[f"{n}-{'-'.join(h) or 'defaults'}" for n, h in CASES])
def test_update_rule_matches_published_equations(name, hparams):
    lr = 0.003 if name in ("plain", "momentum", "nesterov") else 0.05
    optimizer = make_optimizer(name, **{"lr": lr, **hparams})
    lrs = [lr * 0.97**t for t in range(30)]  # a varying rate exercises the lr argument too
    params = np.array([-1.2, 1.0])
    state = optimizer.init(params)
    trajectory = [params]
    for rate in lrs:
        params, state = optimizer.update(rosenbrock_grad(params), state, params, rate)
        trajectory.append(params)
    expected = reference_trajectory(name, optimizer.hparams, [-1.2, 1.0], rosenbrock_grad, lrs)
    np.testing.assert_allclose(np.array(trajectory), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", GRADIENT_RULES)
def test_update_is_pure(name):
    optimizer = make_optimizer(name)
    params = np.array([0.5, -0.25])
    state = optimizer.init(params)
    snapshot = [np.copy(x) if isinstance(x, np.ndarray) else x for x in state]
    grad = np.array([1.0, 2.0])
    first = optimizer.update(grad, state, params, 0.1)
    second = optimizer.update(grad, state, params, 0.1)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(params, [0.5, -0.25])
    np.testing.assert_array_equal(grad, [1.0, 2.0])
    for before, after in zip(snapshot, state):
        np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize("name", GRADIENT_RULES)
def test_leading_run_axis_matches_single_runs(name):
    optimizer = make_optimizer(name)
    P = np.array([[-1.2, 1.0], [0.5, 0.5], [2.0, -1.0]])
    lrs = np.array([[0.001], [0.002], [0.004]])
    state = optimizer.init(P)
    singles = [(P[k].copy(), optimizer.init(P[k])) for k in range(3)]
    for _ in range(5):
        grads = np.array([rosenbrock_grad(p) for p in P])
        P, state = optimizer.update(grads, state, P, lrs)
        for k, (p, s) in enumerate(singles):
            singles[k] = optimizer.update(rosenbrock_grad(p), s, p, float(lrs[k, 0]))
    np.testing.assert_allclose(P, np.array([p for p, _ in singles]), rtol=1e-13)


QUADRATIC = {
    "plain": ({"lr": 0.1}, None), "momentum": ({"lr": 0.05}, None), "nesterov": ({"lr": 0.05}, None),
    "adagrad": ({"lr": 1.0}, None), "rmsprop": ({"lr": 0.01}, {"name": "exponential", "gamma": 0.998}),
    "adam": ({"lr": 0.1}, {"name": "exponential", "gamma": 0.999}), "amsgrad": ({"lr": 0.1}, None),
    "adamw": ({"lr": 0.1}, None), "adamax": ({"lr": 0.1}, None),
    "nadam": ({"lr": 0.1}, {"name": "exponential", "gamma": 0.999}),
    "adadelta": ({"lr": 10.0}, {"name": "exponential", "gamma": 0.9995}),
    "radam": ({"lr": 0.02}, None), "rprop": ({}, None), "asgd": ({"lr": 0.1}, None), "adafactor": ({}, None),
    "lbfgs": ({}, None, 300), "newton": ({}, None, 3), "polyak": ({}, None, 300), "cg": ({}, None, 300),
    "plain-line-search": ({"lr": 1.0, "line_search": {"c": 1e-4, "shrink": 0.5}}, None, 300),
}
ROSENBROCK = {
    "plain": ({"lr": 1e-3}, None), "momentum": ({"lr": 5e-4}, None), "nesterov": ({"lr": 5e-4}, None),
    "adagrad": ({"lr": 0.5}, None), "rmsprop": ({"lr": 1e-3}, {"name": "exponential", "gamma": 0.9997}),
    "adam": ({"lr": 0.02}, None), "amsgrad": ({"lr": 0.02}, None), "adamw": ({"lr": 0.02, "weight_decay": 0.0}, None),
    "adamax": ({"lr": 0.05}, None), "nadam": ({"lr": 0.02}, {"name": "exponential", "gamma": 0.9997}),
    "adadelta": ({"lr": 10.0, "rho": 0.99}, {"name": "exponential", "gamma": 0.9995}),
    "radam": ({"lr": 2e-3}, None), "rprop": ({"lr": 1e-3}, None), "asgd": ({"lr": 1e-3}, None),
    "adafactor": ({"lr": 0.02}, {"name": "exponential", "gamma": 0.9997}),
    "lbfgs": ({"line_search": "strong_wolfe"}, None, 300), "newton": ({}, None, 300), "polyak": ({}, None),
    "cg": ({}, None, 300), "plain-line-search": ({"lr": 1.0, "line_search": {"c": 1e-4, "shrink": 0.5}}, None, 8000),
}
#: A row's third entry is its step count where 20,000 would only repeat the minimum: the line search (its
#: trial steps each step) is there by steps 31 and 5,795, Polyak's step on the quadratic by step 26.
#: Rows that need weight matrices (Muon) converge on a network: test_methods.py.
CONVERGING = [name for name in QUADRATIC]


@pytest.mark.parametrize("problem,table", [("quadratic", QUADRATIC), ("rosenbrock", ROSENBROCK)])
@pytest.mark.parametrize("name", CONVERGING)
def test_converges(problem, table, name):
    hparams, schedule, *steps = table[name]
    history = gd_core.run({"problem": problem, "optimizer": {"name": name.split("-")[0], **hparams},
                           "steps": steps[0] if steps else 20000, "schedule": schedule or "constant"})
    minimum = {"quadratic": [0.0, 0.0], "rosenbrock": [1.0, 1.0]}[problem]
    assert history.status == "completed"
    np.testing.assert_allclose(history.params[-1], minimum, atol=1e-3)
    assert history.loss[-1] < 1e-5 * history.loss[0]


def test_registry_rows_are_complete():
    for name, spec in OPTIMIZERS.items():
        assert spec.name == name and spec.title and spec.doc and spec.formula and spec.torch and spec.explain
        assert spec.params[0].name == "lr"
        declared = spec.stability_bound({})  # its bound on a quadratic, or why it has none
        assert spec.stability is not undeclared and (isinstance(declared, StabilityBound) or declared)
        for p in spec.params:
            assert p.doc.endswith(".") and p.check(p.default, p.name) == p.default


def test_momentum_zero_keeps_no_buffer_as_torch():
    """torch.optim.SGD(momentum=0, dampening=0.5) is plain SGD: on the quadratic from (-2.5, 2) with lr 0.1 torch
    gives x = -2.5, -2.25, -2.025 (a dampened buffer would give -2.1375 at step 2); one group of runs with
    momentum 0 and 0.5 gives each run its lone trajectory."""
    history = gd_core.run({"problem": "quadratic", "optimizer": {"name": "momentum", "lr": 0.1, "momentum": 0.0,
                                                                "dampening": 0.5}, "steps": 3})
    np.testing.assert_array_equal(history.params[:3, 0], [-2.5, -2.25, -2.025])
    optimizer = make_optimizer("momentum", dampening=0.5)
    P, mus = np.array([[1.0, -2.0], [1.0, -2.0]]), np.array([[0.0], [0.5]])
    state = optimizer.init(P)
    hp = {**optimizer.hparams, "momentum": mus}
    singles = [(P[k].copy(), optimizer.init(P[k])) for k in range(2)]
    for _ in range(4):
        P, state = optimizer.step(rosenbrock_grad_rows(P), state, P, 0.001, hp)
        for k, (p, s) in enumerate(singles):
            singles[k] = optimizer.step(rosenbrock_grad(p), s, p, 0.001, {**hp, "momentum": float(mus[k, 0])})
    np.testing.assert_array_equal(P, np.array([p for p, _ in singles]))


def rosenbrock_grad_rows(P):
    return np.array([rosenbrock_grad(p) for p in P])


def test_nesterov_without_momentum_is_refused_as_in_torch():
    """torch: "Nesterov momentum requires a momentum and zero dampening"; the row has no dampening at all."""
    with pytest.raises(ConfigError, match=r"optimizer\.momentum: must be a number in \(0, 1\), got 0"):
        make_optimizer("nesterov", momentum=0.0)
    with pytest.raises(ConfigError, match=r"optimizer\.dampening: is not a setting of nesterov"):
        make_optimizer("nesterov", dampening=0.1)


def test_lerp_takes_torch_branches():
    """torch.lerp switches formula at weight 1/2; Adam's first moment with beta1 = 0 is then exactly g."""
    from gd_core.optimizers import lerp
    start, end = np.array([0.3, 1e-17]), np.array([-0.1, 3.0])  # 0.3 + (-0.1 - 0.3) != -0.1 in float64
    np.testing.assert_array_equal(lerp(start, end, 1.0), end)
    np.testing.assert_array_equal(lerp(start, end, np.array([[1.0], [0.25]])),
                                  [end, start + 0.25 * (end - start)])


def test_bad_hyperparameters_name_the_key():
    with pytest.raises(ConfigError, match=r"optimizer\.beta1: must be a number in \[0, 1\)"):
        make_optimizer("adam", beta1=1.0)
    with pytest.raises(ConfigError, match=r"optimizer\.momentum: is not a setting of adam \(allowed: lr, beta1"):
        make_optimizer("adam", momentum=0.9)
    with pytest.raises(ConfigError, match="unknown optimizer 'sgd'"):
        make_optimizer("sgd")


@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_each_row_explains_its_update_from_its_state(name, weight_decay):
    """The update-rule panel's numbers come from the optimizer row's own explanation, computed from its state:
    its step size times its direction is the update the rule made (after the weight-decay stage), for one run
    and for each run of a group."""
    from gd_core.optimizers import decay_mode, explain, step_inputs
    spec = OPTIMIZERS[name]
    if weight_decay and "weight_decay" not in {p.name for p in spec.params}:
        pytest.skip(f"{name} has no weight decay")
    problem = ({"problem": "mlp", "hidden": [3], "variant": "batch"} if "weight_matrices" in spec.needs
               else {"problem": "rosenbrock", "init": [-1.2, 1.0]})
    decay = {"weight_decay": weight_decay} if weight_decay else {}
    configs = [{**problem, "optimizer": {"name": name, "lr": lr, **decay}, "steps": 50} for lr in (1e-3, 2e-3)]
    trainer = gd_core.Trainer(configs[0])
    trainer.advance(4)
    records = [trainer.latest]
    if spec.vectorised:  # a rule that takes one run at a time never runs in a group (see many.runners)
        group = gd_core.TrainerGroup([gd_core.resolve(c)[0] for c in configs], trainer.problem)
        group.advance(4)
        records.append(group.latest)
        np.testing.assert_allclose(group.latest.params[0], trainer.latest.params, rtol=1e-12)
    for record in records:
        inputs = step_inputs(record)
        explanation = spec.explain(inputs) if spec.explain is not None else None
        if explanation is not None and explanation.step_size is not None:
            np.testing.assert_allclose(record.params, inputs.params - explanation.step_size * explanation.direction,
                                       rtol=1e-10, atol=1e-15)
        rows = explain(record)
        labels = [label for label, _ in rows]
        assert labels[:3] == ["t", "γₜ", "g"] and labels[-1] == "Δθ (update)" and len(set(labels)) == len(labels)
        assert rows[0][1] == 4 and np.all(rows[1][1] == record.lr)
        np.testing.assert_array_equal(rows[-1][1], record.update)
        staged = np.any(record.hparams.get("weight_decay", 0.0)) and decay_mode(spec, record.hparams) != "rule"
        assert ("g + λ·θ" in labels or "θ·(1 − γ·λ)" in labels) == staged


#: Rows whose update is one rate times one direction, so that their explanation must say which.
RATE_TIMES_DIRECTION = ("plain", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "amsgrad", "adamw",
                        "adamax", "nadam", "adadelta", "radam", "rprop", "asgd", "newton", "polyak", "cg")


@pytest.mark.parametrize("name", RATE_TIMES_DIRECTION)
def test_rate_times_direction_rows_name_both(name):
    trainer = gd_core.Trainer({"problem": "rosenbrock", "init": [-1.2, 1.0], "steps": 9,
                               "optimizer": {"name": name, "lr": 1e-3}})
    trainer.advance(3)
    from gd_core.optimizers import step_inputs
    explanation = OPTIMIZERS[name].explain(step_inputs(trainer.latest))
    assert explanation.step_size is not None and explanation.direction is not None


def test_adam_shows_its_bias_corrected_moments_apart_from_the_raw_ones():
    from gd_core.optimizers import bias_correction, explain
    trainer = gd_core.Trainer({"problem": "rosenbrock", "optimizer": {"name": "adam", "lr": 0.01}, "steps": 9})
    trainer.advance(3)
    rows = dict(explain(trainer.latest))
    state = trainer.latest.state
    np.testing.assert_array_equal(rows["m"], state.mu)
    np.testing.assert_array_equal(rows["m̂ = m/(1−β₁ᵗ)"], state.mu / bias_correction(0.9, 3))
    np.testing.assert_array_equal(rows["v̂ = v/(1−β₂ᵗ)"], state.nu / bias_correction(0.999, 3))
    assert not np.allclose(rows["m"], rows["m̂ = m/(1−β₁ᵗ)"])


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_runs_driven_to_huge_values_end_cleanly_and_explain_their_last_step(name):
    """Every row, at its largest rate or from a start whose gradients overflow (1e154: g² leaves the float
    range; 1e300: the loss does), on a function and a network: the run ends - diverged with its message, or
    finished - and the update-rule panel's numbers come out, overflowed or not, with no warning (Adam's
    v/(1−β₂ᵗ) warned from a start of 1e154) and no exception."""
    from gd_core.optimizers import explain
    spec = OPTIMIZERS[name]
    lr = next(p.high for p in spec.params if p.name == "lr")
    problems = ([{"problem": "mlp", "hidden": [3], "variant": "batch"}] if "weight_matrices" in spec.needs else
                [{"problem": "saddle" if "min_loss" not in spec.needs else "quadratic", "init": init}
                 for init in ([1e154, -1e154], [1e300, 1.0])])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for problem in problems:
            for rate in (lr, None):
                config = {**problem, "optimizer": {"name": name, **({"lr": rate} if rate else {})}, "steps": 30}
                trainer = gd_core.Trainer(config)
                trainer.advance()
                history = trainer.history
                assert history.status != "running" and history.message
                assert history.status != "diverged" or "diverged" in history.message
                if trainer.latest is not None:
                    explain(trainer.latest)
            # the same in one vectorised group (runs that differ in their rate advance in one numpy pass)
            group = gd_core.run_many([{**problem, "optimizer": {"name": name, "lr": rate}, "steps": 30}
                                      for rate in (lr, 1e-3)])
            assert all(h.status != "running" and h.message for h in group)
