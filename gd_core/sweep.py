"""Learning-rate sweeps: final loss against learning rate per variant or optimizer, and a learning rate x batch
size grid - configs built from one run's config, computed with :func:`run_many` (one vectorised pass per
series)."""

from __future__ import annotations

import copy

import numpy as np

from .config import resolve
from .history import History
from .samplers import steps_per_epoch

SWEEP_VARIANTS = ("batch", "stochastic", "minibatch")


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
