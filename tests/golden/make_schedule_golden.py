"""Write tests/golden/schedules.json from torch.optim.lr_scheduler itself (run where torch is installed):

    python tests/golden/make_schedule_golden.py

Each case: a GD Lab schedule config and the sequence torch's scheduler gives when ``step()`` follows every
optimizer step (the rate of update t = 0, 1, ...; one-cycle's momentum too), and a few whole trajectories of a
quadratic under momentum, Nesterov and Adam. Deterministic: running it again writes the same file.
"""

from __future__ import annotations

import json
from pathlib import Path

LR0 = 0.1


def _cases(L):
    """(id, GD Lab schedule, torch scheduler factory, steps)."""
    return [
        ("linear", {"name": "linear", "start_factor": 0.25, "end_factor": 1.0, "total_iters": 7},
         lambda o: L.LinearLR(o, 0.25, 1.0, 7), 20),
        ("linear-down", {"name": "linear", "start_factor": 1.0, "end_factor": 0.1, "total_iters": 10},
         lambda o: L.LinearLR(o, 1.0, 0.1, 10), 20),
        ("polynomial", {"name": "polynomial", "total_iters": 9, "power": 2.0}, lambda o: L.PolynomialLR(o, 9, 2.0), 20),
        ("cosine-restarts-x2", {"name": "cosine_restarts", "t_0": 5, "t_mult": 2, "eta_min": 0.01},
         lambda o: L.CosineAnnealingWarmRestarts(o, 5, 2, 0.01), 80),
        ("cosine-restarts", {"name": "cosine_restarts", "t_0": 7, "t_mult": 1},
         lambda o: L.CosineAnnealingWarmRestarts(o, 7, 1), 30),
        ("onecycle", {"name": "onecycle", "max_lr": 0.5, "total_steps": 40}, lambda o: L.OneCycleLR(o, 0.5, 40), 40),
        ("onecycle-linear", {"name": "onecycle", "max_lr": 0.5, "total_steps": 40, "anneal_strategy": "linear",
                             "pct_start": 0.25, "div_factor": 10.0, "final_div_factor": 100.0},
         lambda o: L.OneCycleLR(o, 0.5, 40, anneal_strategy="linear", pct_start=0.25, div_factor=10,
                                final_div_factor=100), 40),
        ("multistep", {"name": "multistep", "milestones": [3, 7, 7, 12], "gamma": 0.5},
         lambda o: L.MultiStepLR(o, [3, 7, 7, 12], 0.5), 20),
        ("warmup-cosine", {"name": "warmup", "steps": 5, "start_factor": 0.2, "then": {"name": "cosine", "t_max": 10}},
         lambda o: L.SequentialLR(o, [L.LinearLR(o, 0.2, 1.0, 5), L.CosineAnnealingLR(o, 10)], [5]), 20),
        ("warmup-step", {"name": "warmup", "steps": 4, "start_factor": 0.1,
                         "then": {"name": "step", "step_size": 3, "gamma": 0.5}},
         lambda o: L.SequentialLR(o, [L.LinearLR(o, 0.1, 1.0, 4), L.StepLR(o, 3, 0.5)], [4]), 20),
        ("step", {"name": "step", "step_size": 4, "gamma": 0.5}, lambda o: L.StepLR(o, 4, 0.5), 20),
        ("exponential", {"name": "exponential", "gamma": 0.9}, lambda o: L.ExponentialLR(o, 0.9), 20),
        ("cosine", {"name": "cosine", "t_max": 15, "eta_min": 0.001},
         lambda o: L.CosineAnnealingLR(o, 15, 0.001), 20),
    ]


def _optimizer(torch, name, param, lr):
    if name == "adam":
        return torch.optim.Adam([param], lr=lr)
    return torch.optim.SGD([param], lr=lr, momentum=0.9, nesterov=name == "nesterov")


def golden(torch) -> dict:
    L = torch.optim.lr_scheduler
    sequences = []
    for case_id, schedule, make, steps in _cases(L):
        param = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
        opt = _optimizer(torch, "momentum", param, LR0)
        scheduler = make(opt)
        lrs, momenta = [], []
        for _ in range(steps):
            lrs.append(opt.param_groups[0]["lr"])
            momenta.append(opt.param_groups[0]["momentum"])
            opt.step()
            scheduler.step()
        sequences.append({"id": case_id, "schedule": schedule, "lr0": LR0, "lr": lrs,
                          "momentum": momenta if schedule["name"] == "onecycle" else None})
    trajectories = []
    for opt_name in ("momentum", "nesterov", "adam"):
        for case_id, schedule, make, _ in _cases(L):
            if case_id not in ("onecycle", "warmup-cosine", "cosine-restarts-x2"):
                continue
            param = torch.nn.Parameter(torch.tensor([-2.5, 2.0], dtype=torch.float64))
            opt = _optimizer(torch, opt_name, param, LR0)
            scheduler = make(opt)
            rows = [param.detach().tolist()]
            for _ in range(40):
                opt.zero_grad()
                loss = 0.5 * (param[0] ** 2 + 10.0 * param[1] ** 2)
                loss.backward()
                opt.step()
                scheduler.step()
                rows.append(param.detach().tolist())
            optimizer = {"name": opt_name, "lr": LR0, **({} if opt_name == "adam" else {"momentum": 0.9})}
            config = {"problem": "quadratic", "kappa": 10.0, "steps": 40, "init": [-2.5, 2.0],
                      "optimizer": optimizer, "schedule": schedule}
            trajectories.append({"id": f"{opt_name}-{case_id}", "config": config, "params": rows})
    return {"torch": torch.__version__, "sequences": sequences, "trajectories": trajectories}


if __name__ == "__main__":
    import torch

    torch.set_default_dtype(torch.float64)
    path = Path(__file__).with_name("schedules.json")
    path.write_text(json.dumps(golden(torch), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path}")
