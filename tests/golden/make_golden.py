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
}

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


def torch_optimizer(torch, name: str, parameters, hparams: dict):
    """torch.optim's class for a GD Lab optimizer, given every hyperparameter GD Lab uses (defaults filled)."""
    cls, implied, _ = TORCH_OPTIMIZERS[name]
    kwargs = dict(hparams)
    if "beta1" in kwargs:
        kwargs["betas"] = (kwargs.pop("beta1"), kwargs.pop("beta2"))
    return getattr(torch.optim, cls)(parameters, **kwargs, **implied, foreach=False)


def full_hparams(name: str, given: dict) -> dict:
    return {**OPTIMIZERS[name].defaults(), "lr": TORCH_OPTIMIZERS[name][2], **given}


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


def optimizer_cases(torch) -> list[dict]:
    missing = set(OPTIMIZERS) - set(TORCH_OPTIMIZERS)
    if missing:
        raise SystemExit(f"add a TORCH_OPTIMIZERS row for {', '.join(sorted(missing))}")
    cases = []

    def case(case_id, problem, name, given, clip_norm=None, steps=STEPS):
        hp = full_hparams(name, given)
        config = {**PROBLEMS[problem][0], "optimizer": {"name": name, **hp}, "steps": steps, "clip_norm": clip_norm}
        cases.append({"id": case_id, "config": config, **trajectory(torch, problem, name, hp, clip_norm, steps)})

    for name in OPTIMIZERS:
        for label, given in settings(name):
            case(f"{name}-{label}", "rosenbrock", name, given)
        case(f"{name}-quadratic", "quadratic", name, {})
    for name, clip_norm in CLIPPING:
        case(f"{name}-clip{clip_norm:g}", "rosenbrock", name, {}, clip_norm)
    return cases


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


def golden(torch) -> dict:
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        return {"torch": torch.__version__, "optimizers": optimizer_cases(torch), "chaotic": chaotic_case(torch),
                "clipping": clipping_vectors(torch), "schedules": schedule_sequences(torch),
                "mlp": mlp_cases(torch)}
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
