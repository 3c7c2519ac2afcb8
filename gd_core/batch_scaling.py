"""How big should a batch be? Steps and epochs to a target loss against the batch size, and the model of
McCandlish et al. ("An Empirical Model of Large-Batch Training", 2018) fitted to them:

    S = S_min (1 + B_noise / B)        E = E_min (1 + B / B_noise)        (E in samples = B·S, E_min = S_min·B_noise)

Below B_noise doubling the batch nearly halves the steps (each sample still helps); above it the steps stop
falling and the samples only add up. B_noise is the critical batch size; the gradient noise scale
B_simple = tr(Σ)/|G|² (:func:`gd_core.curvature.gradient_noise_scale`) measured where training reaches the target
predicts it.

How S(B) is measured (:func:`run_scaling`). For each batch size (powers of two up to n, and n), every rate of a
grid and several seeds run the same config in one vectorised pass (a :class:`gd_core.TrainerGroup`): the model
assumes the best rate at each batch size. S(B) is the first step at which, for some rate, the full loss averaged
over the seeds is at most the target - the expected loss the model speaks of: a single seed's noisy loss dips
below a threshold early by luck, which made small batches look several times faster than they are (measured on
linear regression: B_noise fitted from single seeds came out 3 to 10 times too small). The first rate to get
there is the best one, so the pass stops there. The schedule is constant; E(B) is the samples seen by then / n.

The noise scale is measured along the full-batch (B = n) run of the best rate, where its loss crosses the target
(bisected on the step that crosses it): the model's B_noise is set by the noise where the remaining steps are
spent, near the target, and B_simple grows as the loss falls (G shrinks, Σ does not), so measured at the start it
would be several times too small.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from .config import resolve
from .curvature import gradient_noise_scale
from .errors import ConfigError
from .many import runners
from .problems import Problem
from .samplers import steps_per_epoch
from .sweep import MAX_SERIES_WORK, batch_sizes, series_work

#: How many learning rates, seeds and the epoch budget per batch size, unless the caller says otherwise.
DEFAULT_RATES, DEFAULT_SEEDS, DEFAULT_EPOCHS = 10, 4, 20.0


@dataclass(frozen=True)
class ScalingPlan:
    """What :func:`run_scaling` runs: ``config`` (resolved) at each of ``sizes``, with every rate in ``lrs`` and
    ``seeds`` seeds, each for at most ``epochs`` epochs, until the loss averaged over seeds reaches ``target``."""

    config: dict
    target: float
    sizes: tuple[int, ...]
    lrs: tuple[float, ...]
    seeds: int = DEFAULT_SEEDS
    epochs: float = DEFAULT_EPOCHS

    def configs(self, batch_size: int, n_samples: int) -> list[dict]:
        """The runs of one batch size: rate-major, seeds inner (seeds config seed, seed + 1, ...)."""
        base = copy.deepcopy(self.config)
        for key in ("steps", "track"):
            base.pop(key, None)
        base.update(epochs=self.epochs, schedule={"name": "constant"}, batch_size=int(batch_size),
                    variant="batch" if batch_size >= n_samples else "minibatch")
        out = []
        for lr in self.lrs:
            for k in range(self.seeds):
                config = copy.deepcopy(base)
                config["optimizer"]["lr"] = float(lr)
                config["seed"] = base["seed"] + k
                out.append(config)
        return out


@dataclass(frozen=True)
class ScalingPoint:
    """One batch size's outcome: the best rate and the steps and epochs it took to reach the target (NaN: no
    rate reached it within the budget); ``samples_per_step`` is B, or n / ceil(n / B) where B does not divide n."""

    batch_size: int
    samples_per_step: float
    lr: float
    steps: float
    epochs: float


@dataclass(frozen=True)
class ScalingUpdate:
    """What :func:`run_scaling` reports: ``progress`` (0..1); with a finished batch size its ``point``; with the
    full batch also ``noise_scale``, B_simple where the full-batch run crosses the target (NaN if it did not)."""

    progress: float
    point: ScalingPoint | None = None
    noise_scale: float | None = None


@dataclass(frozen=True)
class ScalingFit:
    """S = s_min (1 + b_noise / B) fitted to measured points (B in samples per step)."""

    s_min: float
    b_noise: float

    @property
    def e_min(self) -> float:
        """The fewest samples: E_min = S_min·B_noise (E = B·S tends to it as B falls)."""
        return self.s_min * self.b_noise

    def steps(self, batch_size):
        return self.s_min * (1.0 + self.b_noise / np.asarray(batch_size, dtype=float))

    def samples(self, batch_size):
        return self.e_min * (1.0 + np.asarray(batch_size, dtype=float) / self.b_noise)


def fit(samples_per_step, steps) -> ScalingFit | None:
    """The model fitted to the finite points by least squares on log S (each batch size counts alike, whatever
    its S): log S_min is the mean residual for a given B_noise, and B_noise is found on a fine log grid over a
    range well beyond the batch sizes measured. None with fewer than two finite points."""
    B, S = np.asarray(samples_per_step, dtype=float), np.asarray(steps, dtype=float)
    keep = np.isfinite(S) & (S > 0)
    B, log_s = B[keep], np.log(S[keep])
    if len(B) < 2:
        return None
    candidates = np.geomspace(B.min() * 1e-3, B.max() * 1e3, 4001)
    shape = np.log1p(candidates[:, None] / B[None, :])  # (candidates, points)
    offset = (log_s - shape).mean(axis=1)
    error = ((log_s - shape - offset[:, None]) ** 2).sum(axis=1)
    best = int(np.argmin(error))
    return ScalingFit(float(np.exp(offset[best])), float(candidates[best]))


def plan_for(config: dict, problem: Problem, target: float | None = None, lrs=None, seeds: int = DEFAULT_SEEDS,
             epochs: float = DEFAULT_EPOCHS, sizes=None, rates: int = DEFAULT_RATES) -> ScalingPlan:
    """A plan for a run's ``config`` on ``problem``: by default the batch sizes 1, 2, 4, ... n, ``rates`` rates
    from 1/1000 of the largest to the largest (1.9/L where the curvature L is known, else 10 times the config's
    rate) and
    the target the minimum plus 1 % of the gap up to the start's loss (where the minimum is known; else a tenth of
    the start's loss)."""
    config, _ = resolve(config, problem)
    if problem.dataset is None:
        raise ConfigError("problem", f"{config['problem']} has no data: every batch size sees the same exact "
                                     "gradient")
    if target is None:
        start = problem.full_loss(np.array(config["init"] if config["init"] is not None else problem.default_init))
        low = problem.min_loss
        target = low + 0.01 * (start - low) if low is not None else 0.1 * start
    if lrs is None:
        high = 1.9 / problem.curvature if problem.curvature else 10.0 * config["optimizer"]["lr"]
        lrs = np.geomspace(high / 1000, high, rates)
    if sizes is None:
        sizes = batch_sizes(problem.n_samples, count=64)
    return ScalingPlan(config, float(target), tuple(int(b) for b in sizes), tuple(float(r) for r in lrs),
                       int(seeds), float(epochs))


def check_scaling_work(plan: ScalingPlan, problem: Problem) -> None:
    """Refuse a plan one batch size of which would cost more than a sweep's series may (see gd_core.sweep)."""
    for B in plan.sizes:
        configs = [resolve(c, problem)[0] for c in plan.configs(B, problem.n_samples)[:1]]
        work = series_work(configs, problem) * len(plan.lrs) * plan.seeds
        if work > MAX_SERIES_WORK:
            raise ConfigError("batch_scaling", f"batch size {B} would cost up to {work:.2g} units of work, over the "
                                               f"{MAX_SERIES_WORK:.2g} allowed; use fewer epochs, rates or seeds, or "
                                               "fewer samples")


def _crossing(losses: np.ndarray, target: float) -> tuple[int, int] | None:
    """(row, rate) of the first row at which some rate's seed-averaged loss (rows, rates) is at most ``target``
    (the rate with the lowest loss there), or None."""
    with np.errstate(invalid="ignore"):
        hit = np.flatnonzero((losses <= target).any(axis=1))
    if not len(hit):
        return None
    row = int(hit[0])
    return row, int(np.nanargmin(np.where(np.isfinite(losses[row]), losses[row], np.inf)))


def noise_scale_at_target(problem: Problem, before: np.ndarray, after: np.ndarray, target: float) -> float:
    """B_simple at the point of the segment from ``before`` (loss above the target) to ``after`` (at most the
    target) where the loss equals the target, found by bisection."""
    low, high = 0.0, 1.0
    for _ in range(50):
        middle = 0.5 * (low + high)
        if problem.full_loss(before + middle * (after - before)) > target:
            low = middle
        else:
            high = middle
    return gradient_noise_scale(problem, before + high * (after - before))


def run_scaling(plan: ScalingPlan, problem: Problem, cancelled: Callable[[], bool] = lambda: False,
                chunk_seconds: float = 0.05) -> Iterator[ScalingUpdate]:
    """Run the plan batch size by batch size (see the module doc), yielding progress about every
    ``chunk_seconds`` and each batch size's point as it is done (with the noise scale for the full batch).
    Returns as soon as ``cancelled()`` is true."""
    n, rates, seeds = problem.n_samples, len(plan.lrs), plan.seeds
    last = time.perf_counter()
    for i, B in enumerate(plan.sizes):
        [(members, runner)] = runners(plan.configs(B, n), problem)  # one group: only rates and seeds differ
        found = None
        while found is None and not runner.done:
            if cancelled():
                return
            runner.advance(time_budget=chunk_seconds)
            with np.errstate(invalid="ignore"):  # a diverged run's rows hold inf or NaN: NaN never crosses
                losses = runner.history.loss.reshape(len(runner.history), rates, seeds).mean(axis=2)
            found = _crossing(losses, plan.target)
            now = time.perf_counter()
            if now - last >= chunk_seconds:
                last = now
                yield ScalingUpdate((i + runner.fraction_done) / len(plan.sizes))
        per_step = n / steps_per_epoch(n, "batch" if B >= n else "minibatch", B)
        history, noise = runner.history, None
        if found is None:
            point = ScalingPoint(B, per_step, math.nan, math.nan, math.nan)
        else:
            row, rate = found
            point = ScalingPoint(B, per_step, plan.lrs[rate], float(history.step[row]), float(history.epoch[row]))
        if B >= n:
            noise = math.nan
            if found is not None:
                params = history.params.reshape(len(history.params), rates, seeds, -1)[:, rate, 0]
                # the parameters kept at the crossing and before it (a wide network's are thinned: where the
                # crossing's were not kept, no noise scale)
                k = int(np.searchsorted(history.param_step, history.step[row]))
                if row == 0:
                    noise = gradient_noise_scale(problem, params[0])
                elif k < len(params) and history.param_step[k] == history.step[row]:
                    noise = noise_scale_at_target(problem, params[k - 1], params[k], plan.target)
        yield ScalingUpdate((i + 1) / len(plan.sizes), point, noise)
