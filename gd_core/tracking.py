"""Measurements recorded along a run: config ``"track": {"sharpness": k, "noise_scale": k}``.

Each tracked quantity (:data:`TRACKED`) becomes a History column of its own name, measured at the start (row 0)
and after every k-th update, NaN on the other rows; ``History.sharpness`` and ``History.noise_scale`` read them
and CSV exports carry them. They are :class:`gd_core.pipeline.Recorder`\\ s: a run and a group of runs record
them alike (a group measures each run's own parameters).

The cost is bounded twice: one measurement may cost at most :data:`MAX_MEASURE_WORK` units of work (refused
otherwise, naming the problem's cost), so a window that trains on its own thread stalls at most about 0.1 s
at a measured step; and measuring every k-th step spreads it (with k = 10, Lanczos' 80 passes of a network
add 8 passes per step to the one every step makes anyway).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .curvature import gradient_noise_scale, noise_scale_work, sharpness, sharpness_work
from .errors import ConfigError
from .files import key_name, quote
from .optimizers import stability_of
from .pipeline import Recorder
from .problems import Problem
from .problems.base import work_text
from .spec import MAX_STEPS

#: One measurement may cost at most this many units of work (about 0.1 s; see MAX_PASS_WORK).
MAX_MEASURE_WORK = 1e9


@dataclass(frozen=True)
class Tracked:
    """A registry row: a quantity measured at given parameters of a problem, and what one measurement costs."""

    name: str
    title: str
    doc: str
    measure: Callable[[Problem, np.ndarray], float] = field(repr=False)
    work: Callable[[Problem], float] = field(repr=False)
    needs_data: bool = False


TRACKED: dict[str, Tracked] = {t.name: t for t in (
    Tracked("sharpness", "sharpness λ_max",
            "The largest eigenvalue of the full loss's Hessian: plain gradient descent is stable on a quadratic "
            "only while the learning rate is below 2/λ_max; full-batch training of a network drives it up to "
            "2/lr and holds it there (the edge of stability).", sharpness, sharpness_work),
    Tracked("noise_scale", "gradient noise scale B",
            "B_simple = tr(Σ)/|G|²: the batch size at which a mini-batch gradient's noise is as large as the "
            "full gradient. Below it a larger batch still cuts the steps; above it, it mostly costs samples.",
            gradient_noise_scale, noise_scale_work, needs_data=True),
)}


def check_track(value, key: str = "track") -> dict[str, int]:
    """The ``track`` setting of a config: an object of quantity -> every how many steps (1..MAX_STEPS)."""
    if not isinstance(value, dict):
        raise ConfigError(key, f"must be an object of quantity -> every how many steps, e.g. "
                               f"{{\"sharpness\": 10}} (quantities: {', '.join(TRACKED)}); got {quote(value)}")
    out = {}
    for name, every in value.items():
        if name not in TRACKED:
            raise ConfigError(f"{key}.{key_name(name)}", f"unknown quantity (allowed: {', '.join(TRACKED)})")
        if isinstance(every, bool) or not isinstance(every, int) or not 1 <= every <= MAX_STEPS:
            raise ConfigError(f"{key}.{name}", f"must be a whole number of steps from 1 to {MAX_STEPS:,} (measure "
                                               f"at the start and after every so many updates); got {quote(every)}")
        out[name] = every
    return out


def check_track_fits(track: dict[str, int], problem: str, has_data: bool) -> None:
    """Refuse measures of samples on a problem without data."""
    for name in track:
        if TRACKED[name].needs_data and not has_data:
            raise ConfigError(f"track.{name}", f"needs samples: problem {problem} is a function of x and y, "
                                               "whose every step sees the exact gradient")


def check_track_work(track: dict[str, int], problem: Problem) -> None:
    """Refuse tracking a quantity one measurement of which would cost more than :data:`MAX_MEASURE_WORK`."""
    for name in track:
        work = TRACKED[name].work(problem)
        if work > MAX_MEASURE_WORK:
            raise ConfigError(f"track.{name}", f"one measurement on this problem is {work_text(work)} units of work, "
                                               f"above the {work_text(MAX_MEASURE_WORK)} allowed (about 0.1 s); "
                                               "use fewer samples or a smaller network")


def _finite_or_nan(measure: Callable[[Problem, np.ndarray], float], problem: Problem, params: np.ndarray) -> float:
    """The measure at ``params``; NaN where they are not finite (a diverged run)."""
    if not np.isfinite(params).all():
        return math.nan
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return float(measure(problem, params))


def recorder(name: str, every: int, problem: Problem, stride: Callable[[], int] = lambda: 1) -> Recorder:
    """The recorder of ``name`` on ``problem``: measured at the start and at updates k, 2k, ... (NaN between);
    params (d,) for a run give a float, (R, d) for a group one value per run.

    ``stride()`` is the record's current stride (see History): a row off it is replaced by the next, so k is
    rounded up to a multiple of it - a long run is measured as densely as it is recorded, never in vain."""
    measure = TRACKED[name].measure

    def at(params: np.ndarray):
        if params.ndim == 1:
            return _finite_or_nan(measure, problem, params)
        return np.array([_finite_or_nan(measure, problem, p) for p in params])

    def on_step(record):
        kept = stride()
        return at(record.params) if record.step % (-(-every // kept) * kept) == 0 else math.nan
    return Recorder(name, on_step, start=at)


def track_recorders(track: dict[str, int] | None, problem: Problem,
                    stride: Callable[[], int] = lambda: 1) -> tuple[Recorder, ...]:
    """The recorders a config's ``track`` asks for, in registry order (``stride``: see :func:`recorder`)."""
    track = track or {}
    return tuple(recorder(name, track[name], problem, stride) for name in TRACKED if name in track)


def stability_edge(optimizer: dict, lr):
    """The largest sharpness of the loss at which ``optimizer`` (a validated config's ``optimizer``) at rate
    ``lr`` (a number or an array) is stable on a quadratic (Cohen et al. 2021): its registry row's bound
    lr < factor/(S + shift) solved for the sharpness S, factor/lr − shift (plain GD 2/lr, heavy-ball momentum
    2(1+μ)/lr, minus an L2 weight decay; see :mod:`gd_core.stability`). None where the row declares no bound
    (the adaptive methods rescale each direction, so no single line bounds the raw sharpness)."""
    bound = stability_of(optimizer)
    if isinstance(bound, str):
        return None
    with np.errstate(divide="ignore"):
        return bound.factor / np.asarray(lr, dtype=float) - bound.shift


#: The noise scale is worked out for the variant panel on the spot only when it costs less than this (~1 ms).
QUICK_WORK = 1e7


def current_noise_scale(history, problem: Problem, params: np.ndarray) -> float | None:
    """The run's latest measured noise scale, else one measured now at ``params`` where that is quick; None
    where it is neither (or the problem has no samples)."""
    if problem.dataset is None:
        return None
    measured = history.noise_scale
    finite = measured[np.isfinite(measured)]
    if len(finite):
        return float(finite[-1])
    if noise_scale_work(problem) > QUICK_WORK:
        return None
    return _finite_or_nan(gradient_noise_scale, problem, params)


#: The noise scale is drawn up to this many times the data's size n. A B far above n says only "every batch is
#: below B": near a minimum the full gradient vanishes and B = tr(Σ)/|G|² grows without bound (to 1e30 within
#: 25 steps of lesson 17's full-batch run), and one such value squashed every other run's into the plot's floor.
NOISE_SCALE_CEILING = 100


def noise_scale_drawn(values: np.ndarray, n_samples: int) -> tuple[np.ndarray, np.ndarray]:
    """(the values as drawn, which of them were above the ceiling): B above NOISE_SCALE_CEILING·n is drawn at
    that ceiling (its marker says it is beyond); the rest, NaN included, as they are."""
    ceiling = NOISE_SCALE_CEILING * n_samples
    with np.errstate(invalid="ignore"):
        beyond = values > ceiling
    return np.where(beyond, ceiling, values), beyond


def about(value: float) -> str:
    """A positive number to two significant digits, in words a reader takes in at once: 0.013, 4.2, 120, 42,000."""
    rounded = float(f"{value:.2g}")
    return f"{rounded:,.0f}" if rounded >= 100 else f"{rounded:g}"


#: What a batch below, near or above the noise scale means for a larger batch.
ADVICE = {"below": "a larger batch would still speed up steps", "above": "a larger batch would mostly cost samples",
          "near": "near the critical batch size, steps and samples trade evenly"}

#: How B compares with a batch below, near or above it.
SIDE_SIGN = {"below": ">", "near": "≈", "above": "<"}


def batch_side(batch_size: int, noise_scale: float) -> str:
    """Where a batch size sits against the noise scale B: "below" (under B/2), "above" (over 2B) or "near"."""
    if batch_size < noise_scale / 2:
        return "below"
    return "above" if batch_size > 2 * noise_scale else "near"


def batch_advice(batch_size: int, noise_scale: float, n_samples: int) -> str:
    """The batch size next to the noise scale B, in words: far below B a larger batch still cuts the steps nearly
    in proportion; far above, it mostly costs samples (McCandlish et al. 2018)."""
    if batch_size >= n_samples:
        head = f"batch = all {n_samples:,} samples"
    else:
        head = f"batch {batch_size:,}"
    if not math.isfinite(noise_scale):
        return f"{head}: no noise scale here (the full gradient is zero)"
    head += f", noise scale about {about(noise_scale)}"
    if batch_size >= n_samples:
        return head
    return f"{head}: {ADVICE[batch_side(batch_size, noise_scale)]}"


def batch_brief(batch_size: int, noise_scale: float, n_samples: int) -> str:
    """:func:`batch_advice` in a few characters, for a narrow form row about B: its value against the batch
    ("≈ 1,200 > batch": a larger batch would still speed up steps)."""
    if not math.isfinite(noise_scale):
        return "none (∇L = 0)"
    if batch_size >= n_samples:
        return f"≈ {about(noise_scale)} (all data)"
    return f"≈ {about(noise_scale)} {SIDE_SIGN[batch_side(batch_size, noise_scale)]} batch"
