"""Write tests/golden/torch_optim.json from PyTorch itself: what GD Lab's optimizers, clipping, LambdaLR-form
schedules and MLP must reproduce. The tests (tests/core/test_golden.py) compare GD Lab with this file always, and
with torch live when torch is importable.

Run it where torch is installed (a CPU wheel is enough; torch is never a GD Lab dependency):

    .venv/bin/pip install torch
    .venv/bin/python tests/golden/make_golden.py

It is deterministic: float64 throughout (``torch.set_default_dtype(torch.float64)``, so the optimizers' scalar
state is float64 too), torch's single-tensor update path (``foreach=False``), data and start points from fixed
numpy seeds; running it again with the same torch on the same machine writes the same file.

Table-driven: a new optimizer is one row of :data:`TORCH_OPTIMIZERS` (its settings follow from its registry row:
defaults, weight decay, each on/off switch), an edge where torch branches is one row of :data:`EDGES`.
(torch.optim.lr_scheduler's own classes are checked by ``make_schedule_golden.py``; here only GD Lab's
closed forms run through LambdaLR.)
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository's gd_core, for its registries

from gd_core.optimizers import OPTIMIZERS  # noqa: E402
from gd_core.schedules import SCHEDULES, make_schedule  # noqa: E402

PATH = Path(__file__).with_name("torch_optim.json")
STEPS = 40

#: GD Lab optimizer -> (torch.optim class, arguments the row implies, learning rate of the golden runs)
TORCH_OPTIMIZERS = {
    "plain": ("SGD", {}, 1e-3),
    "momentum": ("SGD", {}, 5e-4),
    "nesterov": ("SGD", {"nesterov": True}, 5e-4),
    "adagrad": ("Adagrad", {}, 0.1),
    "rmsprop": ("RMSprop", {}, 0.01),
    "adam": ("Adam", {}, 0.05),
    "amsgrad": ("Adam", {"amsgrad": True}, 0.05),
    "adamw": ("AdamW", {}, 0.05),
    "adamax": ("Adamax", {}, 0.05),
    "nadam": ("NAdam", {}, 0.05),
    "adadelta": ("Adadelta", {}, 1.0),
    "radam": ("RAdam", {}, 1e-3),  # its first steps are SGD steps (rho_t <= 5)
    "rprop": ("Rprop", {}, 0.01),
    "asgd": ("ASGD", {}, 5e-4),
    "adafactor": ("Adafactor", {}, 0.05),
}

#: Rows checked in their own sections: LBFGS needs a closure (CLOSURE_CASES), Muon weight matrices (MLP_OPTIMIZERS).
OWN_SECTIONS = {"lbfgs", "muon"}

#: torch's tuple arguments, split into two GD Lab hyperparameters each
TUPLES = {"betas": ("beta1", "beta2"), "etas": ("eta_minus", "eta_plus"),
          "step_sizes": ("step_size_min", "step_size_max"), "eps": ("eps1", "eps2")}

#: (optimizer, hyperparameters): where torch takes another branch, or settings the defaults do not reach
EDGES = [
    ("momentum", {"momentum": 0.0, "dampening": 0.5}),  # no momentum buffer at all
    ("momentum", {"momentum": 0.5, "dampening": 0.3}),
    ("nesterov", {"momentum": 0.5}),
    ("adagrad", {"lr_decay": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-3}),
    ("rmsprop", {"centered": True, "momentum": 0.5}),
    ("rmsprop", {"centered": True, "alpha": 0.3}),  # lerp's second formula (weight 1 - alpha >= 1/2)
    ("rmsprop", {"momentum": 0.8, "alpha": 0.9, "weight_decay": 0.01}),
    ("adam", {"beta1": 0.0}),  # lerp at weight 1
    ("adam", {"beta1": 0.3, "beta2": 0.5}),
    ("amsgrad", {"beta2": 0.8, "eps": 1e-3}),
    ("adamw", {"amsgrad": True, "weight_decay": 0.2}),
    ("adamw", {"weight_decay": 0.0}),
    ("adamax", {"beta1": 0.0}),
    ("adamax", {"beta1": 0.3, "weight_decay": 0.05}),
    ("nadam", {"beta1": 0.2, "momentum_decay": 0.1}),
    ("adadelta", {"rho": 0.5, "eps": 1e-3}),
    ("adadelta", {"rho": 0.0}),
    ("radam", {"beta2": 0.9}),  # rho_t > 5 from step 6 on: both branches within the run
    ("radam", {"decoupled_weight_decay": True, "weight_decay": 0.2}),
    ("rprop", {"eta_minus": 0.3, "eta_plus": 1.5, "step_size_max": 0.05}),  # the clamp at step_size_max
    ("rprop", {"step_size_min": 1e-3, "lr": 0.5}),
    ("asgd", {"t0": 5.0, "lambd": 0.01, "alpha": 0.5}),  # averaging from step 6 on
    ("asgd", {"weight_decay": 0.1, "lambd": 0.0}),
    ("adafactor", {"beta2_decay": -0.5, "eps1": 1e-3, "eps2": 0.1, "d": 2.0}),
    ("adafactor", {"lr": 0.5}),  # rho_t = 1/sqrt(t) throughout
]

#: Runs of 200 steps (LONG_STEPS), recorded every LONG_EVERY steps: what "equal to 1e-9 over 200 steps" rests on.
LONG = [("radam", "rosenbrock", {}), ("radam", "quadratic", {}), ("rprop", "rosenbrock", {}),
        ("rprop", "quadratic", {}), ("asgd", "rosenbrock", {"t0": 50.0}), ("asgd", "quadratic", {}),
        ("adafactor", "rosenbrock", {}), ("adafactor", "quadratic", {})]
LONG_STEPS, LONG_EVERY = 200, 10

#: (problem, LBFGS settings, steps): one torch step(closure) per GD Lab step, with every evaluation it makes
CLOSURE_CASES = [
    ("rosenbrock", {"line_search": "strong_wolfe"}, 10),
    ("rosenbrock", {"line_search": "strong_wolfe", "history_size": 2, "max_iter": 2}, 30),  # the history full
    ("rosenbrock", {"max_iter": 1, "line_search": "strong_wolfe"}, 200),
    ("rosenbrock", {"max_iter": 1, "lr": 2e-3}, 200),
    ("rosenbrock", {"max_iter": 5, "lr": 0.1, "max_eval": 4}, 40),
    ("quadratic", {}, 5),
    ("quadratic", {"line_search": "strong_wolfe", "tolerance_grad": 1e-3}, 5),
]

#: (optimizer, clip_norm) on Rosenbrock, whose gradient (~230 at the start) is clipped for most steps
CLIPPING = [("plain", 5.0), ("momentum", 5.0), ("adam", 1.0), ("nadam", 5.0)]

#: A run that is chaotic over 300 steps: a 1-ulp change of torch's own start moves its end by ~3e-2.
CHAOTIC = ("nadam", {"lr": 0.02}, 5.0, 300)

#: Rosenbrock and the quadratic 0.5*(x^2 + kappa*y^2), as GD Lab's configs and as torch expressions
PROBLEMS = {
    "rosenbrock": ({"problem": "rosenbrock", "init": [-1.2, 1.0]},
                   lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2),
    "quadratic": ({"problem": "quadratic", "kappa": 10.0, "init": [-2.5, 2.0]},
                  lambda x, y: 0.5 * (x**2 + 10.0 * y**2)),
}

#: GD Lab's schedules that are closed forms (torch: LambdaLR), with the factor torch is given
LAMBDA_SCHEDULES = [
    ({"name": "constant"}, lambda hp, lr0: lambda t: 1.0),
    ({"name": "inverse_time", "decay": 0.1}, lambda hp, lr0: lambda t: 1.0 / (1.0 + hp["decay"] * t)),
    ({"name": "range", "lr_max": 2.0, "total_steps": 30},
     lambda hp, lr0: lambda t: (hp["lr_max"] / lr0) ** (min(t, hp["total_steps"] - 1) / (hp["total_steps"] - 1))),
]

#: (hidden layers, activation, classes) of the networks, on 24 samples of 2 features
MLPS = [([4], "tanh", 2), ([4, 3], "relu", 2), ([5], "sigmoid", 3), ([3, 3], "tanh", 4)]
MLP_STEPS = 25

#: Optimizers that treat a network's weight matrices apart (or need a closure), on two of MLPS (the second has
#: square 3x3 matrices): Muon on the weights with AdamW on the biases, as torch's documentation pairs them.
#: (optimizer, settings, steps, recorded every): LBFGS only 10 steps, as its runs on these networks are chaotic beyond
#: (an error of 1e-16 grows about threefold per step: 1e-11 at step 10, 1e-3 at step 25, in torch as in GD Lab).
MLP_OPTIMIZERS = [("muon", {"lr": 0.02, "adamw_lr": 0.01}, 60, 10),
                  ("muon", {"nesterov": False, "adjust_lr_fn": "match_rms_adamw", "momentum": 0.9, "ns_steps": 3},
                   60, 10),
                  ("adafactor", {}, 60, 10),
                  ("adafactor", {"weight_decay": 0.1, "lr": 0.1, "beta2_decay": -0.6}, 60, 10),
                  ("lbfgs", {"line_search": "strong_wolfe", "max_iter": 4}, 10, 2)]
MLP_OPTIMIZER_NETS = ("2-4-3-1-relu", "2-3-3-4-tanh")


def settings(name: str) -> list[tuple[str, dict]]:
    """The golden settings of one optimizer: its defaults, weight decay, each switch on, and its EDGES."""
    spec = OPTIMIZERS[name]
    names = {p.name for p in spec.params}
    out = [("defaults", {})]
    if "weight_decay" in names:
        out.append(("weight_decay", {"weight_decay": 0.3 if spec.decay == "decoupled" else 0.05}))
    out += [(p.name, {p.name: True}) for p in spec.params if p.kind is bool and not p.default]
    out += [("-".join(f"{k}={v}" for k, v in hp.items()), hp) for n, hp in EDGES if n == name]
    return out


def torch_kwargs(hparams: dict) -> dict:
    """GD Lab's hyperparameters as torch's arguments: split pairs joined into torch's tuples."""
    kwargs = dict(hparams)
    for joined, (first, second) in TUPLES.items():
        if first in kwargs:
            kwargs[joined] = (kwargs.pop(first), kwargs.pop(second))
    return kwargs


def torch_optimizer(torch, name: str, parameters, hparams: dict):
    """torch.optim's class for a GD Lab optimizer, given every hyperparameter GD Lab uses (defaults filled)."""
    cls, implied, _ = TORCH_OPTIMIZERS[name]
    return getattr(torch.optim, cls)(parameters, **torch_kwargs(hparams), **implied, foreach=False)


#: Options left out of a row's filled-in defaults: plain gradient descent's line search (GD Lab's own, off in the
#: goldens) and L-BFGS's, whose torch name and value differ (filled in by torch_kwargs)
GDLAB_ONLY = {"line_search"}


def full_hparams(name: str, given: dict) -> dict:
    defaults = {k: v for k, v in OPTIMIZERS[name].defaults().items() if k not in GDLAB_ONLY}
    return {**defaults, "lr": TORCH_OPTIMIZERS[name][2], **given}


def trajectory(torch, problem: str, name: str, hparams: dict, clip_norm, steps: int, start=None) -> dict:
    """torch's run: the params after each step, and the gradient each step used (after clipping)."""
    config, loss_fn = PROBLEMS[problem]
    xy = torch.nn.Parameter(torch.tensor(start or config["init"]))
    optimizer = torch_optimizer(torch, name, [xy], hparams)
    params, grads = [], []
    for _ in range(steps):
        optimizer.zero_grad()
        loss_fn(xy[0], xy[1]).backward()
        if clip_norm is not None:
            torch.nn.utils.clip_grad_norm_([xy], clip_norm, foreach=False)
        grads.append(xy.grad.tolist())
        optimizer.step()
        params.append(xy.detach().tolist())
    return {"params": params, "grads": grads}


def torch_rows() -> set[str]:
    """The registry rows that stand for a torch.optim class."""
    return {name for name, spec in OPTIMIZERS.items() if spec.torch.startswith("torch.optim.")}


def optimizer_cases(torch) -> list[dict]:
    missing = torch_rows() - set(TORCH_OPTIMIZERS) - OWN_SECTIONS
    if missing:
        raise SystemExit(f"add a TORCH_OPTIMIZERS row for {', '.join(sorted(missing))}")
    cases = []

    def case(case_id, problem, name, given, clip_norm=None, steps=STEPS):
        hp = full_hparams(name, given)
        config = {**PROBLEMS[problem][0], "optimizer": {"name": name, **hp}, "steps": steps, "clip_norm": clip_norm}
        cases.append({"id": case_id, "config": config, **trajectory(torch, problem, name, hp, clip_norm, steps)})

    for name in TORCH_OPTIMIZERS:
        for label, given in settings(name):
            case(f"{name}-{label}", "rosenbrock", name, given)
        case(f"{name}-quadratic", "quadratic", name, {})
    for name, clip_norm in CLIPPING:
        case(f"{name}-clip{clip_norm:g}", "rosenbrock", name, {}, clip_norm)
    return cases


def long_cases(torch) -> list[dict]:
    """LONG's runs: the params after every LONG_EVERY-th step."""
    out = []
    for name, problem, given in LONG:
        hp = full_hparams(name, given)
        config = {**PROBLEMS[problem][0], "optimizer": {"name": name, **hp}, "steps": LONG_STEPS}
        params = trajectory(torch, problem, name, hp, None, LONG_STEPS)["params"]
        out.append({"id": f"{name}-{problem}-long", "config": config, "every": LONG_EVERY,
                    "params": params[LONG_EVERY - 1::LONG_EVERY]})
    return out


def make_closure(optimizers: list, loss):
    """torch's closure: zero every optimizer's gradients, evaluate ``loss()``, backpropagate, return the loss."""
    def closure():
        for optimizer in optimizers:
            optimizer.zero_grad()
        value = loss()
        value.backward()
        return value
    return closure


def closure_cases(torch) -> list[dict]:
    """torch.optim.LBFGS, one step(closure) per GD Lab step: the params after each step and torch's count of the
    closure's evaluations so far (its state["func_evals"])."""
    defaults = {p.name: p.default for p in OPTIMIZERS["lbfgs"].params}
    out = []
    for problem, given, steps in CLOSURE_CASES:
        hp = {**defaults, **given}
        config, loss_fn = PROBLEMS[problem]
        xy = torch.nn.Parameter(torch.tensor(config["init"]))
        kwargs = {**hp, "line_search_fn": None if hp["line_search"] == "none" else hp["line_search"]}
        del kwargs["line_search"]
        optimizer = torch.optim.LBFGS([xy], **kwargs)
        closure = make_closure([optimizer], lambda xy=xy, loss_fn=loss_fn: loss_fn(xy[0], xy[1]))
        params, evaluations = [], []
        for _ in range(steps):
            optimizer.step(closure)
            params.append(xy.detach().tolist())
            evaluations.append(optimizer.state[xy]["func_evals"])
        label = "-".join(f"{k}={v}" for k, v in given.items()) or "defaults"
        out.append({"id": f"lbfgs-{problem}-{label}", "config": {**config, "optimizer": {"name": "lbfgs", **hp},
                                                                  "steps": steps},
                    "params": params, "evaluations": evaluations})
    return out


def chaotic_case(torch) -> dict:
    """CHAOTIC's run, and how far torch's own run moves when its start moves by one ulp."""
    name, given, clip_norm, steps = CHAOTIC
    hp = full_hparams(name, given)
    config = {**PROBLEMS["rosenbrock"][0], "optimizer": {"name": name, **hp}, "steps": steps, "clip_norm": clip_norm}
    run = trajectory(torch, "rosenbrock", name, hp, clip_norm, steps)
    x0, y0 = config["init"]
    shifted = trajectory(torch, "rosenbrock", name, hp, clip_norm, steps, start=[math.nextafter(x0, 0.0), y0])
    drift = float(np.abs(np.array(run["params"]) - np.array(shifted["params"])).max())
    return {"id": "chaotic", "config": config, "params": run["params"], "one_ulp_drift": drift}


def clipping_vectors(torch) -> list[dict]:
    """torch.nn.utils.clip_grad_norm_ on gradients split over several tensors, at norms around max_norm: the
    1e-6 in its coefficient max_norm/(norm + 1e-6) scales even a gradient whose norm is exactly max_norm."""
    rng = np.random.default_rng(7)
    out = []
    for sizes, scale, max_norm in [((2,), 3.0, 1.0), ((3, 4), 1.0, 2.0), ((5,), 1e-3, 1.0), ((1, 1), 0.0, 1.0)]:
        parts = [rng.standard_normal(n) for n in sizes]
        flat = np.concatenate(parts)
        norm = float(np.linalg.norm(flat))
        for target in ([norm * scale] if scale in (0.0, 1e-3) else [max_norm, max_norm * 1.5, max_norm * 0.99]):
            grad = flat * (target / norm) if norm and target else flat * scale
            tensors = []
            offset = 0
            for n in sizes:
                p = torch.nn.Parameter(torch.zeros(n))
                p.grad = torch.tensor(grad[offset:offset + n])
                offset += n
                tensors.append(p)
            torch.nn.utils.clip_grad_norm_(tensors, max_norm, foreach=False)
            out.append({"sizes": list(sizes), "max_norm": max_norm, "grad": grad.tolist(),
                        "clipped": torch.cat([p.grad for p in tensors]).tolist()})
    return out


def schedule_sequences(torch) -> list[dict]:
    out = []
    lr0 = 0.1
    for schedule, factor in LAMBDA_SCHEDULES:
        hp = dict(make_schedule(**schedule).hparams)  # defaults filled, as GD Lab runs it
        param = torch.nn.Parameter(torch.zeros(1))
        optimizer = torch.optim.SGD([param], lr=lr0)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, factor(hp, lr0))
        lrs = []
        for _ in range(40):
            lrs.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            scheduler.step()
        out.append({"schedule": schedule, "lr0": lr0, "lr": lrs})
    missing = set(SCHEDULES) - {s["schedule"]["name"] for s in out} - _TORCH_CLASS_SCHEDULES
    if missing:
        raise SystemExit(f"schedules with no golden: {', '.join(sorted(missing))}")
    return out


#: schedules whose torch class make_schedule_golden.py checks
_TORCH_CLASS_SCHEDULES = {"step", "exponential", "cosine", "linear", "polynomial", "cosine_restarts", "onecycle",
                          "multistep", "warmup"}


def mlp_layers(n_in: int, hidden: list[int], n_out: int):
    """GD Lab's flat layout (gd_core/problems/mlp.py): per layer W (fan_in x fan_out, row-major), then b."""
    sizes = [n_in, *hidden, n_out]
    offset, layers = 0, []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        w = slice(offset, offset + fan_in * fan_out)
        b = slice(w.stop, w.stop + fan_out)
        offset = b.stop
        layers.append((w, b, fan_in, fan_out))
    return layers, offset


def load(torch, linears, layers, flat) -> None:
    """Set the torch layers to GD Lab's flat parameter vector (nn.Linear's weight is W transposed)."""
    with torch.no_grad():
        for linear, (w, b, fan_in, fan_out) in zip(linears, layers):
            linear.weight.copy_(torch.tensor(flat[w].reshape(fan_in, fan_out).T))
            linear.bias.copy_(torch.tensor(flat[b]))


def flat_of(torch, linears, attribute: str) -> list:
    """The layers' weights (``"data"``) or gradients (``"grad"``) in GD Lab's flat layout."""
    parts = []
    for linear in linears:
        parts += [getattr(linear.weight, attribute).T.reshape(-1), getattr(linear.bias, attribute)]
    return torch.cat(parts).tolist()


def mlp_cases(torch) -> list[dict]:
    """Each network's loss and gradient (autograd) at two points, and 25 full-batch Adam steps."""
    rng = np.random.default_rng(11)
    out = []
    for hidden, activation, classes in MLPS:
        X = rng.standard_normal((24, 2))
        y = np.arange(24) % classes
        rng.shuffle(y)
        n_out = 1 if classes == 2 else classes
        layers, n_params = mlp_layers(2, hidden, n_out)
        start = rng.uniform(-0.8, 0.8, n_params)
        act = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid}[activation]
        linears = [torch.nn.Linear(fan_in, fan_out) for _, _, fan_in, fan_out in layers]
        modules = []
        for linear in linears:
            modules += [linear, act()]
        net = torch.nn.Sequential(*modules[:-1])
        Xt = torch.tensor(X)
        if n_out == 1:
            loss_fn, target = torch.nn.BCEWithLogitsLoss(), torch.tensor(y, dtype=torch.float64)[:, None]
        else:
            loss_fn, target = torch.nn.CrossEntropyLoss(), torch.tensor(y)

        points = []
        for theta in (start, start + 0.5 * rng.standard_normal(n_params)):
            load(torch, linears, layers, theta)
            net.zero_grad()
            loss = loss_fn(net(Xt), target)
            loss.backward()
            points.append({"params": theta.tolist(), "loss": loss.item(), "grad": flat_of(torch, linears, "grad")})
        load(torch, linears, layers, start)
        optimizer = torch.optim.Adam(net.parameters(), lr=0.05, foreach=False)
        params = []
        for _ in range(MLP_STEPS):
            optimizer.zero_grad()
            loss_fn(net(Xt), target).backward()
            optimizer.step()
            params.append(flat_of(torch, linears, "data"))
        out.append({"id": f"{'-'.join(map(str, [2, *hidden, n_out]))}-{activation}", "hidden": hidden,
                    "activation": activation, "X": X.tolist(), "y": y.tolist(), "points": points,
                    "optimizer": {"name": "adam", "lr": 0.05}, "params": params})
    return out


def network(torch, case: dict):
    """An MLPS golden case's network in torch, at its start, with its loss: (net, linears, layers, loss())."""
    hidden, classes = case["hidden"], len(set(case["y"]))
    n_out = 1 if classes == 2 else classes
    layers, _ = mlp_layers(2, hidden, n_out)
    act = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid}[case["activation"]]
    linears = [torch.nn.Linear(fan_in, fan_out) for _, _, fan_in, fan_out in layers]
    modules = []
    for linear in linears:
        modules += [linear, act()]
    net = torch.nn.Sequential(*modules[:-1])
    load(torch, linears, layers, np.array(case["points"][0]["params"]))
    X = torch.tensor(case["X"])
    if n_out == 1:
        loss_fn, target = torch.nn.BCEWithLogitsLoss(), torch.tensor(case["y"], dtype=torch.float64)[:, None]
    else:
        loss_fn, target = torch.nn.CrossEntropyLoss(), torch.tensor(case["y"])
    return net, linears, layers, lambda: loss_fn(net(X), target)


def mlp_torch_optimizers(torch, name: str, hp: dict, linears) -> list:
    """torch's optimizers for a GD Lab row on a network: Muon on the weights and AdamW on the biases, or one
    optimizer on every parameter."""
    parameters = [p for linear in linears for p in (linear.weight, linear.bias)]
    if name == "lbfgs":
        kwargs = {**hp, "line_search_fn": None if hp["line_search"] == "none" else hp["line_search"]}
        del kwargs["line_search"]
        return [torch.optim.LBFGS(parameters, **kwargs)]
    if name != "muon":
        return [torch_optimizer(torch, name, parameters, hp)]
    muon = torch.optim.Muon([linear.weight for linear in linears], lr=hp["lr"], weight_decay=hp["weight_decay"],
                            momentum=hp["momentum"], nesterov=hp["nesterov"],
                            ns_coefficients=(hp["ns_a"], hp["ns_b"], hp["ns_c"]), eps=hp["eps"],
                            ns_steps=hp["ns_steps"], adjust_lr_fn=hp["adjust_lr_fn"])
    adamw = torch.optim.AdamW([linear.bias for linear in linears], lr=hp["adamw_lr"],
                              betas=(hp["adamw_beta1"], hp["adamw_beta2"]), eps=hp["adamw_eps"],
                              weight_decay=hp["adamw_weight_decay"], foreach=False)
    return [muon, adamw]


def mlp_optimizer_cases(torch, mlp: list[dict]) -> list[dict]:
    """MLP_OPTIMIZERS on the networks MLP_OPTIMIZER_NETS, full batch: the params after step 1 and every
    ``every``-th step."""
    out = []
    for case in (c for c in mlp if c["id"] in MLP_OPTIMIZER_NETS):
        for name, given, steps, every in MLP_OPTIMIZERS:
            hp = {**OPTIMIZERS[name].defaults(), **given}
            net, linears, layers, loss = network(torch, case)
            optimizers = mlp_torch_optimizers(torch, name, hp, linears)
            closure = make_closure(optimizers, loss)
            params, evaluations = [], []
            for step in range(1, steps + 1):
                if name == "lbfgs":
                    optimizers[0].step(closure)
                else:
                    closure()
                    for optimizer in optimizers:
                        optimizer.step()
                if step == 1 or step % every == 0:
                    params.append(flat_of(torch, linears, "data"))
                    if name == "lbfgs":
                        evaluations.append(optimizers[0].state[linears[0].weight]["func_evals"])
            label = "-".join(f"{k}={v}" for k, v in given.items()) or "defaults"
            out.append({"id": f"{name}-{case['id']}-{label}", "network": case["id"], "optimizer": {"name": name, **hp},
                        "steps": steps, "every": every, "params": params,
                        **({"evaluations": evaluations} if evaluations else {})})
    return out


def golden(torch) -> dict:
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        mlp = mlp_cases(torch)
        return {"torch": torch.__version__, "optimizers": optimizer_cases(torch), "chaotic": chaotic_case(torch),
                "clipping": clipping_vectors(torch), "schedules": schedule_sequences(torch),
                "mlp": mlp, "long": long_cases(torch), "closure": closure_cases(torch),
                "mlp_optimizers": mlp_optimizer_cases(torch, mlp)}
    finally:
        torch.set_default_dtype(previous)


def dumps(data: dict) -> str:
    """JSON with one case per line (diffable); floats in their shortest exact text."""
    def one(value):
        return json.dumps(value, separators=(",", ":"))

    entries = [f"{one(key)}: " + ("[\n" + ",\n".join(one(v) for v in value) + "\n]" if isinstance(value, list)
                                  else one(value)) for key, value in data.items()]
    return "{\n" + ",\n".join(entries) + "\n}\n"


def main() -> None:
    import torch

    text = dumps(golden(torch))
    PATH.write_text(text, encoding="utf-8")
    print(f"wrote {PATH} ({len(text) / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
