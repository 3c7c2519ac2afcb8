"""Learning-rate sweeps: final loss against learning rate per variant or optimizer, and a learning rate x batch
size grid - configs built from one run's config (:func:`sweep_jobs`), computed by :func:`run_sweep`: a generator
of partial results that runs each series as :func:`gd_core.run_many` would (one vectorised pass per series),
in short chunks, checks a cancel flag between chunks and reports its progress - so that a window can run it on
a worker thread, draw each series as it arrives and stop it at any time (the pattern of Orange's MDS widget)."""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from .config import in_epochs, resolve
from .errors import ConfigError
from .history import History
from .many import histories_of, runners
from .problems import Problem
from .problems.base import work_text
from .samplers import steps_per_epoch

SWEEP_VARIANTS = ("batch", "stochastic", "minibatch")


#: The most work one series of a sweep may cost: about 100 s (a sweep runs off the window's thread and can be
#: stopped at any time; this only refuses a series that would take hours).
MAX_SERIES_WORK = 1e12
#: A step's own cost (sampling, the update, the record) in units of work (see MAX_PASS_WORK): about 55 µs.
STEP_WORK = 5e5


def series_work(configs: list[dict], problem: Problem) -> float:
    """Units of work of running ``configs`` together (resolved, on ``problem``'s data): per run and step a pass
    over the data (the full loss every step records), and per step of the vectorised group its own cost."""
    steps = [c.get("steps") or math.ceil(c["epochs"] * steps_per_epoch(problem.n_samples, c["variant"],
                                                                        c.get("batch_size", 1))) for c in configs]
    return max(steps, default=0) * STEP_WORK + sum(steps) * problem.pass_work


def check_series_work(series: dict, problem: Problem) -> None:
    """Refuse a sweep with a series (name -> configs) too costly to be worth starting (see MAX_SERIES_WORK)."""
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
    """A copy of a resolved config whose length is in epochs (a step budget means something else per variant;
    see :func:`gd_core.config.in_epochs`)."""
    return in_epochs(config, resolve(config)[1].n_samples if "steps" in config else None)


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


GRID_SIZES = 8  # rows of the learning rate x batch size map


def grid_unavailable(problem: Problem) -> str:
    """Why no learning rate x batch size grid can be run on ``problem`` ("": it can): its rows are batch sizes, and
    a function of the parameters alone has no samples to batch."""
    return "" if problem.dataset is not None else "a function of x and y has no samples to batch"


def batch_sizes(n_samples: int, count: int = GRID_SIZES) -> list[int]:
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


@dataclass(frozen=True)
class SweepJob:
    """One series of a sweep: ``kind`` "series" (a curve; ``key`` its variant or optimizer) or "grid" (a row of
    the heat map; ``key`` its row index), named ``label`` in messages, and one config per learning rate."""

    kind: str
    key: object
    label: str
    configs: list


def sweep_jobs(config: dict, lrs, by: str, names, sizes=()) -> list[SweepJob]:
    """The jobs of a sweep of a resolved ``config``: one series per name (see :func:`series_configs`), then one
    grid row per batch size in ``sizes`` (see :func:`grid_configs`)."""
    jobs = [SweepJob("series", name, name, configs) for name, configs in series_configs(config, lrs, by, names).items()]
    if len(sizes):
        jobs += [SweepJob("grid", i, f"batch size {k}", row)
                 for i, (k, row) in enumerate(zip(sizes, grid_configs(config, lrs, sizes)))]
    return jobs


def check_sweep_work(jobs: list[SweepJob], problem: Problem) -> None:
    """Refuse a sweep one of whose jobs costs more than :data:`MAX_SERIES_WORK` (``ConfigError`` naming it)."""
    check_series_work({job.label: job.configs for job in jobs}, problem)


@dataclass(frozen=True)
class SweepUpdate:
    """What :func:`run_sweep` reports: ``progress`` (the share of the sweep's work done, 0..1), and when a job has
    just finished, the job and its final ``losses`` (one per learning rate; NaN where a run diverged)."""

    progress: float
    job: SweepJob | None = None
    losses: np.ndarray | None = None


def run_sweep(jobs: list[SweepJob], problem: Problem, cancelled: Callable[[], bool] = lambda: False,
              chunk_seconds: float = 0.05) -> Iterator[SweepUpdate]:
    """Run the jobs in order on ``problem``, each as :func:`gd_core.run_many` would, yielding an update about
    every ``chunk_seconds`` of computing and one with each job's final losses as soon as it is done. Returns
    (without finishing the job at hand) as soon as ``cancelled()`` is true; no result is lost or half-written,
    each update is complete in itself. The results equal ``final_losses(run_many(job.configs))``."""
    work = [max(series_work(job.configs, problem), 1.0) for job in jobs]
    total, finished = sum(work), 0.0
    last = time.perf_counter()
    for job, job_work in zip(jobs, work):
        parts = runners(job.configs, problem)
        histories: list[History | None] = [None] * len(job.configs)
        for members, runner in parts:
            while not runner.done:
                if cancelled():
                    return
                runner.advance(time_budget=chunk_seconds)
                now = time.perf_counter()
                if now - last >= chunk_seconds:
                    last = now
                    within = sum(r.fraction_done for _, r in parts) / len(parts)
                    yield SweepUpdate((finished + job_work * within) / total)
            for i, history in zip(members, histories_of(runner)):
                histories[i] = history
        finished += job_work
        yield SweepUpdate(finished / total, job, final_losses(histories))
