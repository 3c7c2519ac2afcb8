"""Learning-rate sweeps: final loss against learning rate per variant or optimizer, and a learning rate x batch
size grid - configs built from one run's config, computed with :func:`run_many` (one vectorised pass per
series)."""

from __future__ import annotations

import copy
import math

import numpy as np

from .config import resolve
from .errors import ConfigError
from .history import History
from .problems import Problem
from .problems.base import work_text
from .samplers import steps_per_epoch

SWEEP_VARIANTS = ("batch", "stochastic", "minibatch")


#: The most work one series of a sweep may cost (one run_many call, on the window's thread): about 1 s.
MAX_SERIES_WORK = 1e10
#: A step's own cost (sampling, the update, the record) in units of work (see MAX_PASS_WORK): about 55 µs.
STEP_WORK = 5e5


def series_work(configs: list[dict], problem: Problem) -> float:
    """Units of work of running ``configs`` together (resolved, on ``problem``'s data): per run and step a pass
    over the data (the full loss every step records), and per step of the vectorised group its own cost."""
    steps = [c.get("steps") or math.ceil(c["epochs"] * steps_per_epoch(problem.n_samples, c["variant"],
                                                                        c.get("batch_size", 1))) for c in configs]
    return max(steps, default=0) * STEP_WORK + sum(steps) * problem.pass_work


def check_series_work(series: dict, problem: Problem) -> None:
    """Refuse a sweep with a series (name -> configs) too costly to run without stalling the window."""
    for name, configs in series.items():
        work = series_work(configs, problem)
        if work > MAX_SERIES_WORK:
            raise ConfigError("sweep", f"the {name} series would cost {work_text(work)} units of work, over the "
                                       f"{work_text(MAX_SERIES_WORK)} a series may take; use fewer epochs or steps, "
                                       f"fewer samples or fewer rates")


def learning_rates(low: float, high: float, count: int) -> np.ndarray:
    """``count`` learning rates evenly spaced on a log scale from ``low`` to ``high``."""
    if not 0 < low < high or count < 2:
        raise ValueError("need 0 < low < high and at least two rates")
    return np.geomspace(low, high, count)


def with_epoch_budget(config: dict) -> dict:
    """A copy of a resolved config whose length is in epochs (a step budget means something else per variant)."""
    config = copy.deepcopy(config)
    if "steps" in config:
        problem = resolve(config)[1]
        per_epoch = steps_per_epoch(problem.n_samples, config["variant"], config["batch_size"])
        config["epochs"] = config.pop("steps") / per_epoch
    if config["schedule"]["name"] == "cosine":
        config["schedule"] = {"name": "cosine", "eta_min": config["schedule"]["eta_min"]}
    return config


def series_configs(config: dict, lrs, by: str, names) -> dict[str, list[dict]]:
    """Per series (a variant or an optimizer name) one config per learning rate, from a resolved ``config``.

    Variants share the config's epoch budget; optimizers keep their own defaults for everything but the rate.
    """
    base = with_epoch_budget(config) if by == "variant" else copy.deepcopy(config)
    out = {}
    for name in names:
        configs = []
        for lr in lrs:
            c = copy.deepcopy(base)
            if by == "variant":
                c["variant"] = name
                c["optimizer"]["lr"] = float(lr)
            else:
                c["optimizer"] = {"name": name, "lr": float(lr)}
            configs.append(c)
        out[name] = configs
    return out


def batch_sizes(n_samples: int, count: int = 8) -> list[int]:
    """Powers of two below n, and n itself (at most ``count`` sizes, the largest kept)."""
    sizes = [2**k for k in range(0, 30) if 2**k < n_samples] + [n_samples]
    return sizes[-count:]


def grid_configs(config: dict, lrs, sizes) -> list[list[dict]]:
    """Rows of configs (one row per batch size, one column per learning rate) on the config's epoch budget."""
    base = with_epoch_budget(config)
    rows = []
    for k in sizes:
        row = []
        for lr in lrs:
            c = copy.deepcopy(base)
            c["variant"], c["batch_size"] = "minibatch", int(k)
            c["optimizer"]["lr"] = float(lr)
            row.append(c)
        rows.append(row)
    return rows


def final_losses(histories: list[History]) -> np.ndarray:
    """The final full loss of each run; NaN for a run that diverged."""
    return np.array([np.nan if h.status == "diverged" else h.loss[-1] for h in histories])
