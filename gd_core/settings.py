"""Every run-level setting in one table: a row is a :class:`Setting`, a :class:`~gd_core.spec.Param` (default, type,
range, doc) with the rules that govern it.

The named parts of a config have their own registries of Params - a problem's settings (``PROBLEMS``), the data
generator's (``GENERATORS``), the optimizer's hyperparameters (``OPTIMIZERS``) and the schedule's settings
(``SCHEDULES``); the top-level keys that belong to no part are the rows of :data:`SETTINGS`. From these rows
alone come: validation (:func:`gd_core.config.validate` walks the table), the panels' editors, ranges and
tooltips, the CLI flags (:mod:`gd_core.cli`), which edits need a fresh run (:func:`reset_keys`), which settings
may differ between runs that advance in one numpy pass (:func:`per_run_keys`), what a problem switch keeps
(:func:`kept_on_switch`) and the lesson lock that covers each key. A new setting is one row here (and the code
that uses its value); everything above reads the table when it runs, never a copy made at import.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .datasets import MAX_SAMPLES
from .errors import ConfigError
from .files import quote
from .samplers import SAMPLINGS, VARIANTS
from .spec import MAX_MAGNITUDE, MAX_SEED, MAX_STEPS, Param
from .tracking import TRACKED, check_track


class _Same:
    def __repr__(self) -> str:
        return "SAME"


#: ``Setting.function_default`` when functions take the same default as data problems.
SAME = _Same()


@dataclass(frozen=True)
class Setting(Param):
    """A top-level setting of a run: its Param (name, default, doc, type, range) and its rules.

    ``label`` names it in the window; ``panel`` is the settings panel whose form shows it ("run", "variant",
    "problem"; "" where a panel lays it out by hand). ``needs`` restricts it to "data" or "function" problems
    (given to another problem it is refused with ``misplaced`` saying why; absent there, it is left out);
    ``function_default`` is the default for function problems when it differs. ``optional``: None switches it
    off (its default then). ``fill``: an absent setting is filled with its default (False: left out; the data
    may decide it later). ``excludes`` names a setting it cannot be given with (either one, not both).
    ``resets``: changing it needs a fresh run (a new start); ``per_run``: runs that differ in it can still
    advance together in one numpy pass; ``builds_problem``: the problem is built with it (runs that differ in it
    need problems of their own, see :func:`gd_core.config.problem_key`); ``requires``: another setting that must
    be on (non-zero) for this one to be given; ``kept_on_switch``: a switch to another problem keeps it;
    ``lock``: the lesson lock group covering it (see :data:`gd_core.lessons.LOCKS`). ``checker(value, key)`` replaces
    :meth:`Param.check` for values a Param cannot describe (the start point); ``aliases``: older CLI flags.
    ``used_by``: the variants whose steps use it (empty: all) - a batch step takes every sample whatever its
    batch size says (:meth:`in_effect`).
    """

    label: str = ""
    panel: str = ""
    needs: str = ""
    misplaced: str = ""
    function_default: Any = SAME
    optional: bool = False
    fill: bool = True
    excludes: str = ""
    resets: bool = False
    per_run: bool = False
    kept_on_switch: bool = True
    lock: str = "run"
    checker: Callable[[Any, str], Any] | None = field(default=None, repr=False, compare=False)
    allows: str = ""
    on_value: Any = None
    builds_problem: bool = False
    requires: str = ""
    aliases: tuple[str, ...] = ()
    used_by: tuple[str, ...] = ()

    @property
    def flag(self) -> str:
        """The command-line flag: ``--batch-size`` for ``batch_size``."""
        return "--" + self.name.replace("_", "-")

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ")

    def allowed(self) -> str:
        return self.allows or super().allowed()

    def applies_to(self, kind: str) -> bool:
        """Whether a problem of ``kind`` ("data" or "function") takes this setting."""
        return not self.needs or self.needs == kind

    def in_effect(self, config: dict) -> bool:
        """Whether a run with ``config`` uses this setting (see ``used_by``)."""
        return not self.used_by or config.get("variant") in self.used_by

    def default_for(self, kind: str) -> Any:
        return self.default if self.function_default is SAME or kind != "function" else self.function_default

    def check(self, value: Any, key: str) -> Any:
        return self.checker(value, key) if self.checker is not None else super().check(value, key)

    def take(self, value: Any) -> Any:
        """``value`` checked (None allowed where the setting is optional); ConfigError naming the key."""
        if value is None and self.optional:
            return None
        return self.check(value, self.name)

    def tooltip(self) -> str:
        """What the window shows on hover: the doc and what is allowed."""
        return f"{self.doc} Allowed: {self.allowed()}" + (", or off." if self.optional else ".")


def check_start(value: Any, key: str) -> list[float]:
    """The start point: a non-empty list of finite numbers (its length is checked against the problem later)."""
    if not isinstance(value, (list, tuple)) or not value:
        raise ConfigError(key, f"must be a list of numbers, one per parameter; got {quote(value)}")
    for i, item in enumerate(value):
        finite = (isinstance(item, float) and math.isfinite(item)) or (
            isinstance(item, int) and not isinstance(item, bool) and abs(item) <= sys.float_info.max)
        if not finite:
            raise ConfigError(f"{key}[{i}]", f"must be a finite number; got {quote(item)}")
    return [float(v) for v in value]


DEFAULT_STEPS = 200
DEFAULT_BATCH_SIZE = 32

#: The run-level settings, in the order a config is checked and shown.
SETTINGS: dict[str, Setting] = {s.name: s for s in (
    Setting("variant", "minibatch", "How many samples each step sees: all (batch), one (stochastic), k "
                                    "(mini-batch), or all while one parameter moves (coordinate).",
            kind=str, choices=tuple(VARIANTS), function_default="batch", lock="variant"),
    Setting("batch_size", DEFAULT_BATCH_SIZE, "Samples per mini-batch step k; the gradient is the mean over the "
                                              "batch, g = (1/k) Σ ∇ℓ_i.",
            kind=int, low=1, high=MAX_SAMPLES, fill=False, label="batch size", lock="variant",
            used_by=("minibatch",)),
    Setting("sampling", "shuffle", "How batches are drawn: shuffled epochs (without replacement) or independently "
                                   "(with replacement).",
            kind=str, choices=tuple(SAMPLINGS), lock="variant", used_by=("stochastic", "minibatch")),
    Setting("steps", DEFAULT_STEPS, "Number of updates to run.", kind=int, low=1, high=MAX_STEPS,
            excludes="epochs"),
    Setting("epochs", 1.0, "Passes over the data to run (samples seen / n).", low=0.0, low_open=True, high=1e7,
            fill=False),
    Setting("seed", 0, "Seed of the sampling order and the gradient noise: the same seed replays the same run.",
            kind=int, low=0, high=MAX_SEED, resets=True, per_run=True, panel="run"),
    Setting("init", None, "The start point, one number per parameter (default: the problem's).", kind=list,
            low=-sys.float_info.max, high=sys.float_info.max, max_len=sys.maxsize, optional=True, resets=True,
            per_run=True, kept_on_switch=False, lock="start", checker=check_start,
            allows="a list of finite numbers, one per parameter", label="start"),
    Setting("clip_norm", None, "Rescale the gradient to norm at most c before the update: g ← g·min(1, c/‖g‖).",
            low=0.0, low_open=True, high=MAX_MAGNITUDE, log=True, optional=True, on_value=1.0,
            label="clip |∇L| at", panel="run"),
    Setting("gradient_noise", 0.0, "Standard deviation σ of Gaussian noise added to every gradient component, "
                                   "g + σ·N(0, 1): stochastic gradients on a function without data.",
            low=0.0, high=MAX_MAGNITUDE, needs="function", per_run=True, kept_on_switch=False,
            misplaced="gets its gradient noise from sampling (use variant and batch_size)", label="gradient noise",
            panel="problem"),
    Setting("tolerance", None, "Stop as converged once the full gradient's norm ‖∇L(θ)‖ is at most this.",
            low=0.0, low_open=True, high=MAX_MAGNITUDE, log=True, optional=True, on_value=1e-6,
            label="stop at |∇L| ≤", panel="run"),
    Setting("validation", 0.0, "Fraction v of the samples held out to measure generalization: round(v·n) samples, "
                               "chosen by the data seed, are never trained on; their loss is the validation loss.",
            low=0.0, high=1.0, high_open=True, needs="data", builds_problem=True, label="validation fraction",
            misplaced="has no samples to hold out", panel="problem", lock="problem"),
    Setting("standardize", False, "Rescale each feature to mean 0 and standard deviation 1, with the mean and "
                                  "deviation of the training samples.",
            kind=bool, needs="data", builds_problem=True, misplaced="has no features", panel="problem",
            lock="problem"),
    Setting("early_stopping", None, "End the run once the validation loss has not improved for `patience` steps; "
                                    "the history marks the best step and its parameters.",
            kind=dict, needs="data", misplaced="has no validation samples", label="early stopping",
            panel="problem",
            fields=(Param("patience", 10, "Steps without a lower validation loss before the run stops.", kind=int,
                          low=1, high=MAX_STEPS),),
            requires="validation", lock="run"),
    Setting("track", None, "Measure along the run every k steps (at the start and after every k updates): "
                           "the sharpness λ_max and the gradient noise scale B = tr(Σ)/‖G‖².",
            kind=dict, optional=True, fill=False, lock="", checker=check_track,
            allows=f"an object of quantity -> every how many steps, quantities {', '.join(TRACKED)}, e.g. "
                   '{"sharpness": 10}'),
)}

#: The named parts of a config, each with its own registry of settings.
PARTS = ("problem", "data", "optimizer", "schedule")


def reset_keys() -> tuple[str, ...]:
    """Settings whose change needs a fresh run, besides the problem, its settings and its data (problem_key)."""
    return tuple(s.name for s in SETTINGS.values() if s.resets)


def problem_setting_keys() -> tuple[str, ...]:
    """Settings the problem is built with (besides its own and its data)."""
    return tuple(s.name for s in SETTINGS.values() if s.builds_problem)


def per_run_keys() -> tuple[str, ...]:
    """Settings that may differ between the runs of one vectorised group (numeric hyperparameters may too)."""
    return tuple(s.name for s in SETTINGS.values() if s.per_run)


def kept_on_switch() -> tuple[str, ...]:
    """What a switch to another problem keeps: the run settings that mean the same for every problem."""
    return ("optimizer", "schedule", *(s.name for s in SETTINGS.values() if s.kept_on_switch))


def lock_group_of(key: str) -> str | None:
    """The lesson lock group of a top-level key that is not the problem's (None: it is the problem's)."""
    return "lr" if key == "schedule" else SETTINGS[key].lock if key in SETTINGS else None


def panel_settings(panel: str, kind: str | None = None) -> tuple[Setting, ...]:
    """The settings a panel's form shows (for problems of ``kind``, when given), in table order."""
    return tuple(s for s in SETTINGS.values() if s.panel == panel and (kind is None or s.applies_to(kind)))
