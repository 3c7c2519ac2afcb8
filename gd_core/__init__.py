"""GD Lab's training core: problems, samplers, optimizers, schedules and the trainer, in numpy only.

    >>> import gd_core
    >>> history = gd_core.run({"problem": "quadratic", "optimizer": {"name": "plain", "lr": 0.1}, "steps": 50})
    >>> history.status, len(history)
    ('completed', 51)
"""

from .config import build_problem, load_config, needs_reset, problem_key, resolve, switch_problem, validate
from .curvature import gradient_noise_scale, sharpness
from .datasets import GENERATORS, Dataset, load_csv
from .errors import ConfigError
from .history import COLUMNS, History
from .landscape import loss_grid, stability_bound
from .many import TrainerGroup, run_many
from .optimizers import OPTIMIZERS, make_optimizer
from .problems import PROBLEMS, Problem
from .samplers import SAMPLINGS, VARIANTS, planned_steps, steps_per_epoch
from .schedules import SCHEDULES, make_schedule
from .settings import SETTINGS
from .tracking import TRACKED
from .trainer import Trainer, run

__all__ = [
    "COLUMNS", "GENERATORS", "OPTIMIZERS", "PROBLEMS", "SAMPLINGS", "SCHEDULES", "SETTINGS", "TRACKED", "VARIANTS",
    "ConfigError", "Dataset", "History", "Problem", "Trainer", "TrainerGroup", "build_problem", "gradient_noise_scale",
    "load_config", "load_csv", "loss_grid", "make_optimizer", "make_schedule", "needs_reset", "problem_key", "resolve",
    "planned_steps", "run", "run_many", "sharpness", "stability_bound", "steps_per_epoch", "switch_problem", "validate",
]
