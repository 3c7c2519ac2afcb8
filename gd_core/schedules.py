"""Learning-rate schedules, applied per step: ``lr_t = schedule(gamma_0, t)`` for the update t = 0, 1, 2, ...

Each matches the closed form of the torch.optim.lr_scheduler class named in its row when that scheduler's
``step()`` is called after every optimizer step.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import ConfigError
from .files import quote
from .spec import MAX_MAGNITUDE, MAX_STEPS, Param, check_params


def _constant(lr0, t, hp):
    return lr0


def _step(lr0, t, hp):
    return lr0 * hp["gamma"] ** (t // hp["step_size"])


def _exponential(lr0, t, hp):
    return lr0 * hp["gamma"] ** t


def _inverse_time(lr0, t, hp):
    return lr0 / (1.0 + hp["decay"] * t)


def _cosine(lr0, t, hp):
    eta_min = hp["eta_min"]
    return eta_min + (lr0 - eta_min) * (1.0 + math.cos(math.pi * t / hp["t_max"])) / 2.0


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    title: str
    formula: str
    torch: str
    params: tuple[Param, ...]
    rate: Callable = field(repr=False)


_GAMMA = Param("gamma", 0.5, "Factor gamma the learning rate is multiplied by.", low=0.0, low_open=True, high=1.0)

SCHEDULES: dict[str, ScheduleSpec] = {s.name: s for s in (
    ScheduleSpec("constant", "Constant", "γₜ = γ₀", "none", (), _constant),
    ScheduleSpec("step", "Step decay", "γₜ = γ₀ · γ^⌊t / step_size⌋", "StepLR",
                 (Param("step_size", 100, "Number of steps between two decays.", kind=int, low=1,
                        high=MAX_STEPS), _GAMMA),
                 _step),
    ScheduleSpec("exponential", "Exponential decay", "γₜ = γ₀ · γᵗ", "ExponentialLR",
                 (Param("gamma", 0.99, "Factor gamma the learning rate is multiplied by each step.",
                        low=0.0, low_open=True, high=1.0),), _exponential),
    ScheduleSpec("inverse_time", "Inverse-time decay", "γₜ = γ₀ / (1 + k·t)", "LambdaLR(lambda t: 1/(1+k*t))",
                 (Param("decay", 0.01, "Decay rate k.", low=0.0, high=MAX_MAGNITUDE),), _inverse_time),
    ScheduleSpec("cosine", "Cosine annealing", "γₜ = η_min + (γ₀ − η_min)·(1 + cos(π·t/T))/2",
                 "CosineAnnealingLR",
                 (Param("t_max", 1000, "Period T in steps: the rate reaches eta_min at t = T.", kind=int, low=1,
                        high=MAX_STEPS),
                  Param("eta_min", 0.0, "Smallest learning rate eta_min.", low=0.0, high=MAX_MAGNITUDE)), _cosine),
)}


@dataclass(frozen=True)
class Schedule:
    """A schedule with its settings bound; ``schedule(lr0, t)`` gives the rate of update ``t`` (0-based)."""

    spec: ScheduleSpec
    hparams: dict

    def __call__(self, lr0, t: int):
        return self.spec.rate(lr0, t, self.hparams)


def make_schedule(name: str, **hparams) -> Schedule:
    if name not in SCHEDULES:
        raise ConfigError("schedule.name", f"unknown schedule {quote(name)} (allowed: {', '.join(SCHEDULES)})")
    spec = SCHEDULES[name]
    return Schedule(spec, check_params(spec.params, hparams, "schedule.", name))
