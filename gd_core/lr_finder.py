"""The learning-rate range test (Smith, "Cyclical Learning Rates for Training Neural Networks", 2017; fastai's
``lr_find``): one short run whose rate grows exponentially from ``lr_min`` to ``lr_max``,

    lr_t = lr_min · (lr_max / lr_min)^(t / (steps − 1)),

recording the loss after each step, smoothed as fastai does (a bias-corrected exponential moving average:
a_t = β·a_(t−1) + (1 − β)·ℓ_t, s_t = a_t / (1 − β^(t+1))) and cut where it exceeds ``stop_factor`` times its
minimum m so far (the rate has become too large) - for a loss that can be negative, where it rose above m by
(stop_factor − 1)·|m|, the same cut for a positive m. fastai smooths the loss of each step's batch with β = 0.98; GD Lab
records the full loss at every step, which has no sampling noise, so it smooths with β = 0.9 and its marks lag
the rate much less (with 0.98 the average remembers half of a 100-step test). Two marks: the *steepest*
descent (the most negative slope of the smoothed loss against log lr - the usual suggestion) and the *minimum*;
a rate a little below the minimum's (minimum / 10) is fastai's other suggestion.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np

from .config import resolve
from .errors import ConfigError
from .trainer import Trainer

SMOOTHING = 0.9
STOP_FACTOR = 4.0


@dataclass(frozen=True)
class RangeTest:
    """The rates tried, the full loss after each of their steps and its smoothing (cut where the loss grew
    ``stop_factor``-fold, or diverged), the marks, and ``stop``: where the curve stops, in words that follow
    "the curve stops where"."""

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    steepest_lr: float
    minimum_lr: float
    stop: str = "the rates end"

    @property
    def minimum_tenth(self) -> float:
        """fastai's other suggestion: a tenth of the rate at the smallest loss."""
        return self.minimum_lr / 10


def range_config(config: dict, lr_min: float, lr_max: float, steps: int) -> dict:
    """``config`` as a range test: ``steps`` steps from ``lr_min`` growing exponentially to ``lr_max``."""
    if not (0 < lr_min < lr_max) or not math.isfinite(lr_max):
        raise ConfigError("lr_min", f"the range test needs 0 < lr_min < lr_max; got {lr_min:g} and {lr_max:g}")
    if steps < 5:
        raise ConfigError("steps", f"the range test needs at least 5 steps; got {steps}")
    out = copy.deepcopy(resolve(config)[0])
    out.pop("epochs", None)
    out["steps"] = int(steps)
    out["optimizer"]["lr"] = float(lr_min)
    out["schedule"] = {"name": "range", "lr_max": float(lr_max), "total_steps": int(steps)}
    out["tolerance"] = None
    return out


def empty_frame(start: float, min_loss: float | None) -> tuple[float, float]:
    """The loss range a range test's plot frames before the test, from the run's starting loss ``start``: from 0
    - or, for a start at or below 0, from the problem's least loss ``min_loss`` where it is known and lower,
    else as far below the start as the start is from 0 (at least 1) - up to the start, where the test begins;
    (0, 1) without a finite start."""
    if not math.isfinite(start):
        return 0.0, 1.0
    if start > 0:
        return 0.0, start
    if min_loss is not None and math.isfinite(min_loss) and min_loss < start:
        return min_loss, start
    return start - max(abs(start), 1.0), start


def _fold(factor: float) -> str:
    """A growth factor in words: "fourfold", "2.5-fold"."""
    words = {2: "twofold", 3: "threefold", 4: "fourfold", 5: "fivefold", 10: "tenfold"}
    return words.get(factor, f"{factor:g}-fold")


def smooth(losses: np.ndarray, beta: float = SMOOTHING) -> np.ndarray:
    """fastai's smoothing: a bias-corrected exponential moving average with factor ``beta``."""
    out, average = np.empty(len(losses)), 0.0
    for t, loss in enumerate(losses):
        average = beta * average + (1 - beta) * loss
        out[t] = average / (1 - beta ** (t + 1))
    return out


def find_lr(config: dict, lr_min: float = 1e-6, lr_max: float = 10.0, steps: int = 100,
            stop_factor: float = STOP_FACTOR) -> RangeTest:
    """Run the range test on ``config`` (its data, variant, batch size, optimizer and start; not its schedule
    or length) and return the curve and its marks."""
    trainer = Trainer(range_config(config, lr_min, lr_max, steps))
    trainer.advance()
    history = trainer.history
    lrs, losses = history.lr[1:], history.loss[1:]
    finite = np.isfinite(losses)
    if not finite.any():
        raise ConfigError("lr_min", f"the loss is not finite even at lr {lr_min:g}: start lower")
    losses = losses[: np.flatnonzero(~finite)[0]] if not finite.all() else losses
    smoothed = smooth(losses)
    least = np.minimum.accumulate(smoothed)
    # m + (k - 1)|m|: k·m for a positive minimum; a negative one (f = x² − y² from a start where it is below 0)
    # was "exceeded" at once, and the test stopped after two rates
    over = np.flatnonzero(smoothed > least + (stop_factor - 1) * np.abs(least))
    end = max(over[0] if len(over) else len(smoothed), 2)
    if len(over):
        stop = f"the loss has grown {_fold(stop_factor)}" if least[over[0]] > 0 else \
            f"the loss has risen {stop_factor - 1:g} times its lowest value's size above it"
    elif history.status == "diverged":  # beyond the loss limit or not finite: the run ended there
        stop = "the loss diverges"
    else:
        stop = f"the rates end (lr {lr_max:g})"
    lrs, losses, smoothed = lrs[:end], losses[:end], smoothed[:end]
    # as fastai: the marks ignore the first tenth (the average is still forming) and the last few points
    first, last = len(lrs) // 10, max(len(lrs) // 10 + 2, len(lrs) - 5)
    window_lrs, window = lrs[first:last], smoothed[first:last]
    slopes = np.diff(window) / np.diff(np.log(window_lrs))
    return RangeTest(lrs, losses, smoothed, float(window_lrs[int(np.argmin(slopes))]),
                     float(window_lrs[int(np.argmin(window))]), stop)
