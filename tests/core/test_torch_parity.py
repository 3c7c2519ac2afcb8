"""Trajectories equal PyTorch's torch.optim in float64 to 1e-9 (skipped when torch is not installed)."""

import numpy as np
import pytest

from gd_core import OPTIMIZERS, Trainer

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def float64_everywhere():
    """Float64 default dtype, so torch also keeps its scalar optimizer state (NAdam's mu product) in float64."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)

TORCH_OPTIMIZERS = {
    "plain": lambda p, hp: torch.optim.SGD(p, lr=hp["lr"], weight_decay=hp["weight_decay"]),
    "momentum": lambda p, hp: torch.optim.SGD(p, lr=hp["lr"], momentum=hp["momentum"], dampening=hp["dampening"],
                                              weight_decay=hp["weight_decay"]),
    "nesterov": lambda p, hp: torch.optim.SGD(p, lr=hp["lr"], momentum=hp["momentum"], nesterov=True,
                                              weight_decay=hp["weight_decay"]),
    "adagrad": lambda p, hp: torch.optim.Adagrad(p, **hp),
    "rmsprop": lambda p, hp: torch.optim.RMSprop(p, **hp),
    "adam": lambda p, hp: torch.optim.Adam(p, lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"],
                                           weight_decay=hp["weight_decay"]),
    "amsgrad": lambda p, hp: torch.optim.Adam(p, lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"],
                                              weight_decay=hp["weight_decay"], amsgrad=True),
    "adamw": lambda p, hp: torch.optim.AdamW(p, lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"],
                                             weight_decay=hp["weight_decay"], amsgrad=hp["amsgrad"]),
    "adamax": lambda p, hp: torch.optim.Adamax(p, lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"],
                                               weight_decay=hp["weight_decay"]),
    "nadam": lambda p, hp: torch.optim.NAdam(p, lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"],
                                             weight_decay=hp["weight_decay"], momentum_decay=hp["momentum_decay"]),
    "adadelta": lambda p, hp: torch.optim.Adadelta(p, **hp),
    "radam": lambda p, hp: torch.optim.RAdam(p, lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"],
                                             weight_decay=hp["weight_decay"],
                                             decoupled_weight_decay=hp["decoupled_weight_decay"]),
    "rprop": lambda p, hp: torch.optim.Rprop(p, lr=hp["lr"], etas=(hp["eta_minus"], hp["eta_plus"]),
                                             step_sizes=(hp["step_size_min"], hp["step_size_max"])),
    "asgd": lambda p, hp: torch.optim.ASGD(p, **hp),
    "adafactor": lambda p, hp: torch.optim.Adafactor(p, lr=hp["lr"], beta2_decay=hp["beta2_decay"],
                                                     eps=(hp["eps1"], hp["eps2"]), d=hp["d"],
                                                     weight_decay=hp["weight_decay"]),
    "lbfgs": lambda p, hp: torch.optim.LBFGS(p, lr=hp["lr"], max_iter=hp["max_iter"], max_eval=hp["max_eval"],
                                             tolerance_grad=hp["tolerance_grad"],
                                             tolerance_change=hp["tolerance_change"],
                                             history_size=hp["history_size"],
                                             line_search_fn=None if hp["line_search"] == "none" else
                                             hp["line_search"]),
    # Muon on the weight matrix (nn.Linear's weight, 1 x p), AdamW on the bias, as torch's documentation pairs them
    "muon": lambda p, hp: [torch.optim.Muon(p[:1], lr=hp["lr"], weight_decay=hp["weight_decay"],
                                            momentum=hp["momentum"], nesterov=hp["nesterov"],
                                            ns_coefficients=(hp["ns_a"], hp["ns_b"], hp["ns_c"]), eps=hp["eps"],
                                            ns_steps=hp["ns_steps"], adjust_lr_fn=hp["adjust_lr_fn"]),
                           torch.optim.AdamW(p[1:], lr=hp["adamw_lr"], betas=(hp["adamw_beta1"], hp["adamw_beta2"]),
                                             eps=hp["adamw_eps"], weight_decay=hp["adamw_weight_decay"])],
}

TORCH_SCHEDULES = {
    "constant": None,
    "step": lambda o, hp: torch.optim.lr_scheduler.StepLR(o, step_size=hp["step_size"], gamma=hp["gamma"]),
    "exponential": lambda o, hp: torch.optim.lr_scheduler.ExponentialLR(o, gamma=hp["gamma"]),
    "inverse_time": lambda o, hp: torch.optim.lr_scheduler.LambdaLR(o, lambda t: 1 / (1 + hp["decay"] * t)),
    "cosine": lambda o, hp: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=hp["t_max"], eta_min=hp["eta_min"]),
}


def torch_loss(problem, w, b, idx):
    X = torch.tensor(problem.dataset.X if idx is None else problem.dataset.X[idx])
    y = torch.tensor(problem.dataset.y if idx is None else problem.dataset.y[idx])
    logits = torch.nn.functional.linear(X, w, b).squeeze(-1)
    if problem.name == "linear_regression":
        return torch.nn.MSELoss()(logits, y)
    return torch.nn.BCEWithLogitsLoss()(logits, y)


def torch_trajectory(config, batches):
    """Replay a run in PyTorch on the same batches; returns the params after each step."""
    trainer = Trainer(config)
    problem, cfg = trainer.problem, trainer.config
    theta0 = torch.tensor(trainer.params)
    hp = {k: v for k, v in cfg["optimizer"].items() if k != "name"}
    if problem.dataset is not None:
        w = torch.nn.Parameter(theta0[:-1].clone().reshape(1, -1))
        b = torch.nn.Parameter(theta0[-1:].clone())
        parameters = [w, b]
    else:
        xy = torch.nn.Parameter(theta0.clone())
        parameters = [xy]
    name = cfg["optimizer"]["name"]
    optimizers = TORCH_OPTIMIZERS[name](parameters, hp)
    optimizers = optimizers if isinstance(optimizers, list) else [optimizers]
    optimizer = optimizers[0]
    schedule = dict(cfg["schedule"])
    make_scheduler = TORCH_SCHEDULES[schedule.pop("name")]
    scheduler = make_scheduler(optimizer, schedule) if make_scheduler else None
    out = []
    for idx in batches:
        def closure(idx=idx):
            for each in optimizers:
                each.zero_grad()
            if problem.dataset is not None:
                loss = torch_loss(problem, w, b, idx)
            else:
                x, y = xy[0], xy[1]
                loss = (1 - x) ** 2 + 100 * (y - x**2) ** 2 if problem.name == "rosenbrock" else \
                    0.5 * (x**2 + 10 * y**2)
            loss.backward()
            if cfg["clip_norm"] is not None:
                torch.nn.utils.clip_grad_norm_(parameters, cfg["clip_norm"])
            return loss

        if name == "lbfgs":
            optimizer.step(closure)
        else:
            closure()
            for each in optimizers:
                each.step()
        if scheduler is not None:
            scheduler.step()
        out.append(torch.cat([p.detach().reshape(-1) for p in parameters]).numpy().copy())
    return np.array(out)


def our_run(config):
    trainer = Trainer(config)
    batches = []
    draw = trainer.sampler.next_indices

    def logged():
        idx = draw()
        batches.append(None if idx is None else idx.copy())
        return idx

    trainer.sampler.next_indices = logged
    trainer.advance()
    if trainer.problem.dataset is None:
        batches = [None] * (len(trainer.history) - 1)
    return trainer.history, batches


LRS = {"plain": 0.05, "momentum": 0.02, "nesterov": 0.02, "adagrad": 0.3, "rmsprop": 0.01, "adam": 0.05,
       "amsgrad": 0.05, "adamw": 0.05, "adamax": 0.05, "nadam": 0.05, "adadelta": 1.0, "radam": 0.05, "rprop": 0.01,
       "asgd": 0.05, "adafactor": 0.05, "lbfgs": 0.03, "muon": 0.02}
#: The rows of a torch.optim class (the classical methods have none: test_methods.py checks them against theory).
TORCH_ROWS = list(TORCH_OPTIMIZERS)
WITH_DECAY = [name for name in TORCH_ROWS if "weight_decay" in OPTIMIZERS[name].defaults()]


def assert_same(config):
    history, batches = our_run(config)
    expected = torch_trajectory(config, batches)
    assert history.status == "completed"
    np.testing.assert_allclose(history.params[1:], expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", TORCH_ROWS)
def test_linear_regression_minibatch(name):
    assert_same({"problem": "linear_regression", "data": {"name": "linear", "n_samples": 50, "n_features": 2},
                 "variant": "minibatch", "batch_size": 8, "optimizer": {"name": name, "lr": LRS[name]},
                 "steps": 60, "seed": 3})


@pytest.mark.parametrize("name", WITH_DECAY)
def test_logistic_regression_stochastic_with_weight_decay(name):
    assert_same({"problem": "logistic_regression", "data": {"name": "moons", "n_samples": 40},
                 "variant": "stochastic", "optimizer": {"name": name, "lr": LRS[name], "weight_decay": 0.01},
                 "steps": 60, "init": [0.5, -1, 0.2]})


@pytest.mark.parametrize("schedule", [{"name": "step", "step_size": 7, "gamma": 0.5},
                                      {"name": "exponential", "gamma": 0.97},
                                      {"name": "inverse_time", "decay": 0.1},
                                      {"name": "cosine", "t_max": 25, "eta_min": 1e-4}], ids=lambda s: s["name"])
@pytest.mark.parametrize("name", ["momentum", "rmsprop", "adam", "nadam"])
def test_rosenbrock_with_schedule_and_clipping(schedule, name):
    assert_same({"problem": "rosenbrock", "optimizer": {"name": name, "lr": LRS[name] / 10}, "schedule": schedule,
                 "clip_norm": 5.0, "steps": 50})


def test_hyperparameter_variants():
    for optimizer in [{"name": "rmsprop", "lr": 0.01, "centered": True, "momentum": 0.5},
                      {"name": "adagrad", "lr": 0.2, "lr_decay": 0.05, "initial_accumulator_value": 0.1},
                      {"name": "adamw", "lr": 0.05, "amsgrad": True, "weight_decay": 0.2},
                      {"name": "momentum", "lr": 0.02, "dampening": 0.4}]:
        assert_same({"problem": "linear_regression", "variant": "batch", "optimizer": optimizer, "steps": 40})
