"""Learning-rate schedules, applied per step: ``lr_t = schedule(gamma_0, t)`` for the update t = 0, 1, 2, ...

Each matches the torch.optim.lr_scheduler class named in its row when that scheduler's ``step()`` is called
after every optimizer step (its closed form; tested against torch's own sequences). One-cycle also cycles the
optimizer's momentum (or Adam's beta1) against the rate, as torch's OneCycleLR does: ``schedule.momentum(t)``.
``warmup`` raises the rate linearly for its first steps and then hands over to another schedule, as torch's
SequentialLR of a LinearLR and that schedule.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

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


def _linear(lr0, t, hp):
    start, end, total = hp["start_factor"], hp["end_factor"], hp["total_iters"]
    return lr0 * (start + (end - start) * min(total, t) / total)


def _polynomial(lr0, t, hp):
    total = hp["total_iters"]
    return lr0 * (1.0 - min(total, t) / total) ** hp["power"]


def _multistep(lr0, t, hp):
    return lr0 * hp["gamma"] ** sum(1 for m in hp["milestones"] if m <= t)


def restart_position(t: int, t_0: int, t_mult: int) -> tuple[int, int]:
    """(T_cur, T_i) after ``t`` steps of warm restarts: the period T_i grows by ``t_mult`` at each restart.

    With t_mult = 1 every period is t_0 and T_cur = t mod t_0 (a loop over the restarts would take t / t_0 turns:
    every step of a long run with t_0 = 1 slower than the one before); with t_mult >= 2 the periods grow
    geometrically and the loop takes at most log2(t) turns."""
    if t_mult == 1:
        return t % t_0, t_0
    period = t_0
    while t >= period:
        t -= period
        period *= t_mult
    return t, period


def _cosine_restarts(lr0, t, hp):
    eta_min = hp["eta_min"]
    t_cur, t_i = restart_position(t, hp["t_0"], hp["t_mult"])
    return eta_min + (lr0 - eta_min) * (1.0 + math.cos(math.pi * t_cur / t_i)) / 2.0


def one_cycle_phases(hp) -> list[tuple[float, str, str]]:
    """OneCycleLR's phases as (last step, start of the anneal, end of the anneal), in torch's order."""
    total = hp["total_steps"]
    return [(float(hp["pct_start"] * total) - 1, "initial", "max"), (float(total - 1), "max", "min")]


def _anneal(strategy: str, start, end, pct: float):
    if strategy == "cos":
        return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
    return (end - start) * pct + start


def _one_cycle_value(hp, t: int, values: dict):
    """The value at step t of a one-cycle curve through ``values`` ({"initial", "max", "min"}), as OneCycleLR."""
    start_step = 0.0
    for i, (end_step, start, end) in enumerate(one_cycle_phases(hp)):
        if t <= end_step or i == 1:
            pct = (t - start_step) / (end_step - start_step)
            return _anneal(hp["anneal_strategy"], values[start], values[end], min(pct, 1.0))
        start_step = end_step
    raise AssertionError("unreachable")


def _one_cycle(lr0, t, hp):
    initial = hp["max_lr"] / hp["div_factor"]
    return _one_cycle_value(hp, t, {"initial": initial, "max": hp["max_lr"],
                                    "min": initial / hp["final_div_factor"]})


def _one_cycle_momentum(t, hp):
    if not hp["cycle_momentum"]:
        return None
    return _one_cycle_value(hp, t, {"initial": hp["max_momentum"], "max": hp["base_momentum"],
                                    "min": hp["max_momentum"]})


def _range(lr0, t, hp):
    """γ₀·(γ_max/γ₀)^f, f = min(t, T−1)/(T−1), as torch computes it; where γ_max/γ₀ leaves the float range (a
    subnormal γ₀ ramping to 1e12: inf at step 1) the same ramp in logarithms, exp((1−f)·ln γ₀ + f·ln γ_max).
    A run's rate is a float: Python arithmetic (a step's hot path; numpy's scalars cost ~10 µs a call here)."""
    fraction = min(t, hp["total_steps"] - 1) / (hp["total_steps"] - 1)
    if isinstance(lr0, float):
        lr0 = float(lr0)  # a numpy scalar warns where a float's division overflows to inf quietly
        ratio = hp["lr_max"] / lr0
        if ratio < math.inf:
            return lr0 * ratio ** fraction
        return math.exp(math.log(lr0) * (1 - fraction) + math.log(hp["lr_max"]) * fraction)
    with np.errstate(over="ignore", invalid="ignore"):  # a group's rates, one per run
        ratio = np.divide(hp["lr_max"], lr0)
        return np.where(np.isfinite(ratio), lr0 * ratio ** fraction,
                        np.exp(np.log(lr0) * (1 - fraction) + math.log(hp["lr_max"]) * fraction))[()]


def _warmup(lr0, t, hp):
    steps = hp["steps"]
    if t < steps:
        start = hp["start_factor"]
        return lr0 * (start + (1.0 - start) * t / steps)
    return hp["then"](lr0, t - steps)


@dataclass(frozen=True)
class ScheduleSpec:
    """A registry row: the closed form ``rate(lr0, t, hparams)``; ``momentum(t, hparams)`` where the schedule also
    sets the optimizer's momentum (None: it does not)."""

    name: str
    title: str
    formula: str
    torch: str
    params: tuple[Param, ...]
    rate: Callable = field(repr=False)
    momentum: Callable | None = field(default=None, repr=False)


_GAMMA = Param("gamma", 0.5, "Factor gamma the learning rate is multiplied by.", low=0.0, low_open=True, high=1.0)
_TOTAL_ITERS = Param("total_iters", 5, "Number of steps over which the factor changes.", kind=int, low=1,
                     high=MAX_STEPS)
_ETA_MIN = Param("eta_min", 0.0, "Smallest learning rate eta_min.", low=0.0, high=MAX_MAGNITUDE)

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
                  _ETA_MIN), _cosine),
    ScheduleSpec("linear", "Linear", "γₜ = γ₀ · (s + (e − s)·min(t, T)/T)", "LinearLR",
                 (Param("start_factor", 1 / 3, "Factor s of the rate at the first step.", low=0.0, low_open=True,
                        high=1.0),
                  Param("end_factor", 1.0, "Factor e of the rate from step T on.", low=0.0, high=1.0),
                  _TOTAL_ITERS), _linear),
    ScheduleSpec("polynomial", "Polynomial decay", "γₜ = γ₀ · (1 − min(t, T)/T)^p", "PolynomialLR",
                 (_TOTAL_ITERS, Param("power", 1.0, "Power p of the decay.", low=0.0, high=MAX_MAGNITUDE)),
                 _polynomial),
    ScheduleSpec("cosine_restarts", "Cosine with warm restarts",
                 "γₜ = η_min + (γ₀ − η_min)·(1 + cos(π·T_cur/T_i))/2, T_i = T₀·mⁱ", "CosineAnnealingWarmRestarts",
                 (Param("t_0", 100, "Steps T₀ until the first restart.", kind=int, low=1, high=MAX_STEPS),
                  Param("t_mult", 1, "Factor m by which the period grows at each restart.", kind=int, low=1,
                        high=1000),
                  _ETA_MIN), _cosine_restarts),
    ScheduleSpec("onecycle", "One cycle", "γ: max_lr/div → max_lr → max_lr/(div·final_div); momentum opposite",
                 "OneCycleLR",
                 (Param("max_lr", 0.1, "Largest learning rate, reached after pct_start of the steps (replaces the "
                                       "optimizer's own rate).", low=0.0, low_open=True, high=MAX_MAGNITUDE,
                        log=True),
                  Param("total_steps", 1000, "Length of the cycle in steps (the run's length by default).",
                        kind=int, low=2, high=MAX_STEPS),
                  Param("pct_start", 0.3, "Share of the cycle spent raising the rate.", low=0.0, low_open=True,
                        high=1.0, high_open=True),
                  Param("anneal_strategy", "cos", "Shape of each phase.", kind=str, choices=("cos", "linear")),
                  Param("div_factor", 25.0, "The first rate is max_lr / div_factor.", low=1.0, high=MAX_MAGNITUDE),
                  Param("final_div_factor", 1e4, "The last rate is the first / final_div_factor.", low=1.0,
                        high=MAX_MAGNITUDE),
                  Param("cycle_momentum", True, "Cycle the optimizer's momentum (Adam: beta1) against the rate.",
                        kind=bool),
                  # [0, 1) as the optimizer's own momentum and beta1, which they set: a beta1 of 1 made Adam's
                  # bias correction 1 - beta1^t zero (ZeroDivisionError)
                  Param("base_momentum", 0.85, "Momentum at the peak of the rate.", low=0.0, high=1.0,
                        high_open=True),
                  Param("max_momentum", 0.95, "Momentum at the start and the end.", low=0.0, high=1.0,
                        high_open=True)),
                 _one_cycle, _one_cycle_momentum),
    ScheduleSpec("multistep", "Multi-step decay", "γₜ = γ₀ · γ^(number of milestones ≤ t)", "MultiStepLR",
                 (Param("milestones", [100, 200], "Steps at which the rate is multiplied by gamma.", kind=list,
                        low=1, high=MAX_STEPS, max_len=32),
                  Param("gamma", 0.1, "Factor gamma the learning rate is multiplied by.", low=0.0, low_open=True,
                        high=1.0)), _multistep),
    ScheduleSpec("range", "Exponential ramp (range test)", "γₜ = γ₀ · (γ_max / γ₀)^(t / (T − 1))",
                 "LambdaLR(lambda t: (max_lr / lr0) ** (t / (T - 1)))",
                 (Param("lr_max", 10.0, "The rate reached at the last step.", low=0.0, low_open=True,
                        high=MAX_MAGNITUDE, log=True),
                  Param("total_steps", 100, "Steps T of the ramp (the run's length by default).", kind=int,
                        low=2, high=MAX_STEPS)), _range),
    ScheduleSpec("warmup", "Warm-up, then another schedule",
                 "γₜ = γ₀·(s + (1 − s)·t/k) for t < k, then the schedule \"then\" (default constant) from its "
                 "step 0",
                 "SequentialLR([LinearLR(s, 1, k), next], milestones=[k])",
                 (Param("steps", 100, "Warm-up steps k.", kind=int, low=1, high=MAX_STEPS),
                  Param("start_factor", 0.1, "Factor s of the rate at the first step.", low=0.0, low_open=True,
                        high=1.0)), _warmup),
)}


@dataclass(frozen=True)
class Schedule:
    """A schedule with its settings bound; ``schedule(lr0, t)`` gives the rate of update ``t`` (0-based) and
    ``schedule.momentum(t)`` the momentum it sets for that update (None: the optimizer's own)."""

    spec: ScheduleSpec
    hparams: dict

    def __call__(self, lr0, t: int):
        return self.spec.rate(lr0, t, self._bound)

    def momentum(self, t: int):
        if self.spec.momentum is not None:
            return self.spec.momentum(t, self._bound)
        then = self.hparams.get("then") if self.spec.name == "warmup" else None
        return None if then is None else make_schedule(**then).momentum(max(0, t - self.hparams["steps"]))

    @property
    def sets_momentum(self) -> bool:
        return self.momentum(0) is not None

    @property
    def _bound(self) -> dict:
        """The settings, a nested schedule made callable (warmup's ``then``)."""
        if self.spec.name != "warmup":
            return self.hparams
        return {**self.hparams, "then": make_schedule(**self.hparams["then"])}


#: How deep schedules may nest (a warm-up of a warm-up of ...).
MAX_SCHEDULE_NESTING = 3
#: Settings that are a number of steps of the whole run: their default is the run's length in steps (a run given
#: in epochs keeps the setting's own default; give it explicitly there).
RUN_LENGTH_SETTINGS = {"cosine": "t_max", "onecycle": "total_steps", "range": "total_steps"}


def check_schedule(value, key: str = "schedule", run_steps: int | None = None, depth: int = 0) -> dict:
    """Validate a schedule given as a name or ``{"name", settings}``; return it with every default filled in.

    ``run_steps`` (the run's length, when it is given in steps) is the default of the settings that are a number
    of steps of the whole run: cosine's ``t_max`` and one-cycle's ``total_steps``."""
    if isinstance(value, str):
        value = {"name": value}
    if not isinstance(value, dict):
        raise ConfigError(key, f"must be a name or an object with \"name\" (one of {', '.join(SCHEDULES)}); "
                               f"got {quote(value)}")
    settings = dict(value)
    name = settings.pop("name", None)
    if not isinstance(name, str) or name not in SCHEDULES:
        raise ConfigError(f"{key}.name", f"must be one of {', '.join(SCHEDULES)}; got {quote(name)}")
    spec = SCHEDULES[name]
    whole_run = RUN_LENGTH_SETTINGS.get(name)
    if run_steps is not None and whole_run is not None and whole_run not in settings:
        settings[whole_run] = max(run_steps, 2)
    then = settings.pop("then", "constant") if name == "warmup" else None
    checked = {"name": name, **check_params(spec.params, settings, f"{key}.", name)}
    if name == "warmup":
        if depth >= MAX_SCHEDULE_NESTING:
            raise ConfigError(f"{key}.then", f"warm-ups nest at most {MAX_SCHEDULE_NESTING} deep")
        later = None if run_steps is None else max(1, run_steps - checked["steps"])
        checked["then"] = check_schedule(then, f"{key}.then", later, depth + 1)
    return checked


def make_schedule(name: str, **hparams) -> Schedule:
    checked = check_schedule({"name": name, **hparams})
    checked.pop("name")
    return Schedule(SCHEDULES[name], checked)
