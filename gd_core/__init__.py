"""GD Lab's training core: problems, samplers, optimizers, schedules and the trainer, in numpy only.

    >>> import gd_core
    >>> history = gd_core.run({"problem": "quadratic", "optimizer": {"name": "plain", "lr": 0.1}, "steps": 50})
    >>> history.status, len(history)
    ('completed', 51)

The names below are imported when first asked for (PEP 562), not with the package: a process that needs a few
modules (the sweep worker its sweep and scaling) does not pay for the rest.
``gd_core.X`` and ``from gd_core import X`` work as before, and so does ``gd_core.submodule``.
"""

from __future__ import annotations

import importlib

#: each public name, and the module it comes from
_FROM = {
    "config": ("build_problem", "load_config", "needs_reset", "problem_key", "resolve", "switch_problem", "validate"),
    "curvature": ("gradient_noise_scale", "sharpness"),
    "datasets": ("GENERATORS", "Dataset", "load_csv"),
    "errors": ("ConfigError",),
    "history": ("COLUMNS", "History"),
    "landscape": ("loss_grid", "stability_bound"),
    "many": ("TrainerGroup", "run_many"),
    "optimizers": ("OPTIMIZERS", "make_optimizer"),
    "problems": ("PROBLEMS", "Problem"),
    "samplers": ("SAMPLINGS", "VARIANTS", "planned_steps", "steps_per_epoch"),
    "schedules": ("SCHEDULES", "make_schedule"),
    "settings": ("SETTINGS",),
    "tracking": ("TRACKED",),
    "trainer": ("Trainer", "run"),
}
_MODULE_OF = {name: module for module, names in _FROM.items() for name in names}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    module = _MODULE_OF.get(name)
    if module is None:
        if not name.isidentifier() or name.startswith("_"):  # gd_core.__main__ is gdlab-run: a probe ran it
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        try:  # gd_core.sweep and the like, as when the package imported them all
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # asked for once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
