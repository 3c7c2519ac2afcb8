"""One validated, serialisable run config: the same keys in JSON, sessions, the CLI and the GUI.

:func:`validate` checks a plain dict and returns it normalised (every default filled in); :func:`resolve` also
builds the problem and checks what depends on the data (``batch_size`` <= n, the length of ``init``). Every
mistake raises one :class:`ConfigError` naming the key and what is allowed.

Keys (top level):
  problem        a name from PROBLEMS (default ``linear_regression``)
  <setting>      a problem's own settings at top level, e.g. ``kappa`` for ``quadratic``
  data           data problems only: a generator name or ``{"name", "n_samples", "noise", "seed", ...}``, or
                 ``{"name": "csv", "path": FILE}`` (header row; last column = target)
  optimizer      a name or ``{"name", <hyperparameters>}`` (torch.optim names and defaults)
  schedule       a name or ``{"name", <settings>}`` (default constant)
  the run-level settings, one row each in :data:`gd_core.settings.SETTINGS`: variant, batch_size, sampling,
  steps | epochs, seed, init, clip_norm, gradient_noise, tolerance, track (``gdlab-run --list`` shows
  them)
"""

from __future__ import annotations

import copy
import json
import os
from typing import Any

from .datasets import DATA_NAMES, GENERATORS, check_data_size, check_magnitude, generate, load_csv
from .errors import ConfigError
from .files import check_depth, key_name, quote, read_json
from .generalization import split_problem
from .optimizers import OPTIMIZERS, check_needs
from .problems import PROBLEMS, Problem
from .samplers import steps_per_epoch
from .schedules import check_schedule
from .settings import DEFAULT_BATCH_SIZE, PARTS, SETTINGS, Setting, kept_on_switch, problem_setting_keys, reset_keys
from .spec import check_params
from .tracking import TRACKED, check_track_fits, check_track_work

#: A config file is at most this large (a config is a few hundred bytes; a session holds many).
MAX_CONFIG_BYTES = 2**20


def _choice(value: Any, allowed, key: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ConfigError(key, f"must be one of {', '.join(allowed)}; got {quote(value)}")
    return value


def split_named(value: Any, registry, key: str) -> tuple[str, dict]:
    """Split a ``"name"`` or ``{"name": ..., settings}`` value into the name and a copy of the settings; anything
    else (a list of pairs, a number, null) is a :class:`ConfigError` naming ``key``."""
    if isinstance(value, str):
        value = {"name": value}
    if not isinstance(value, dict):
        raise ConfigError(key, f"must be a name or an object with \"name\" (one of {', '.join(registry)}); "
                               f"got {quote(value)}")
    if "name" not in value:
        raise ConfigError(f"{key}.name", f"is missing (one of {', '.join(registry)})")
    rest = dict(value)
    return _choice(rest.pop("name"), registry, f"{key}.name"), rest


def _validate_data(value: Any, problem: str) -> dict:
    name, rest = split_named(value, DATA_NAMES, "data")
    tasks = PROBLEMS[problem].data_tasks
    if name in GENERATORS and GENERATORS[name].task not in tasks:
        suited = [g.name for g in GENERATORS.values() if g.task in tasks]
        raise ConfigError("data.name", f"{problem} needs {' or '.join(tasks)} data: one of {', '.join(suited)}, "
                                       f"or csv; got {name}")
    if name == "csv":
        for key in rest:
            if key != "path":
                raise ConfigError(f"data.{key_name(key)}", "is not a setting of csv data (allowed: path)")
        path = rest.get("path")
        if not isinstance(path, str) or not path:
            raise ConfigError("data.path", "csv data needs \"path\": the file to load, as a string")
        return {"name": "csv", "path": path}
    if "path" in rest:
        raise ConfigError("data.path", f"only csv data has a path; {name} data is generated")
    settings = check_params(GENERATORS[name].params, rest, "data.", f"{name} data")
    check_data_size(settings["n_samples"], settings.get("n_features", GENERATORS[name].n_features), "data.n_samples")
    return {"name": name, **settings}


def validate(config: Any) -> dict:
    """Check a run config and return a normalised copy with every default filled in.

    The problem and its settings, its data, each row of :data:`SETTINGS` in order, then the optimizer and the
    schedule (whose default period is the run's length)."""
    if not isinstance(config, dict):
        raise ConfigError("config", f"must be a JSON object of settings; got {type(config).__name__}")
    check_depth(config, "config")
    problem = problem_name(config)
    spec = PROBLEMS[problem]
    own = {p.name for p in spec.params}
    for key in config:
        if key not in PARTS and key not in SETTINGS and key not in own:
            other = [name for name, s in PROBLEMS.items() if key in {p.name for p in s.params}]
            if other:
                raise ConfigError(key, f"is a setting of problem {', '.join(other)}, not of {problem}")
            raise ConfigError(key_name(key), f"unknown key (allowed: {', '.join(sorted({*PARTS, *SETTINGS, *own}))})")
    out: dict[str, Any] = {"problem": problem}
    out.update(check_params(spec.params, {k: config[k] for k in own if k in config}, "", problem))
    if spec.kind == "data":
        out["data"] = _validate_data(config.get("data", spec.default_data), problem)
    elif "data" in config:
        raise ConfigError("data", f"problem {problem} is a function of x and y; it takes no data")
    for setting in SETTINGS.values():
        value = _setting_value(setting, config, spec)
        if value is not _ABSENT:
            out[setting.name] = value
    for setting in SETTINGS.values():
        if setting.requires and out.get(setting.name) is not None and not out.get(setting.requires):
            needed = SETTINGS[setting.requires]
            raise ConfigError(setting.name, f"needs {needed.name} ({needed.title}) set above 0 or on; got "
                                            f"{quote(out.get(needed.name))}")
    name, hparams = split_named(config.get("optimizer", "plain"), OPTIMIZERS, "optimizer")
    out["optimizer"] = {"name": name, **check_params(OPTIMIZERS[name].params, hparams, "optimizer.", name)}
    out["schedule"] = check_schedule(config.get("schedule", "constant"), "schedule", out.get("steps"))
    if out.get("track"):
        check_track_fits(out["track"], problem, spec.kind == "data")
    else:  # nothing tracked: no key, as when absent
        out.pop("track", None)
    return out


_ABSENT = object()
_KINDS = {"function": "2D function", "data": "data"}


def _setting_value(setting: Setting, config: dict, spec) -> Any:
    """The checked value of one row of :data:`SETTINGS` in ``config`` (problem ``spec``), or _ABSENT."""
    name = setting.name
    if setting.excludes and name in config and setting.excludes in config:
        raise ConfigError(name, f"{name} and {setting.excludes} exclude each other: give one of them")
    if name not in config:
        if not setting.fill or not setting.applies_to(spec.kind) or setting.excludes in config:
            return _ABSENT
        return setting.default_for(spec.kind)
    if not setting.applies_to(spec.kind):
        raise ConfigError(name, f"applies to {_KINDS[setting.needs]} problems; {spec.name} {setting.misplaced}")
    return setting.take(config[name])


def problem_name(config: dict) -> str:
    """The problem a config names (``linear_regression`` when it names none), or a :class:`ConfigError`."""
    return _choice(config.get("problem", "linear_regression"), PROBLEMS, "problem")


def switch_problem(config: dict, name: str) -> dict:
    """A copy of ``config`` for problem ``name``: the run settings are kept; the data is kept where it suits the
    new problem and otherwise replaced by the new problem's default; start point and problem settings go."""
    if name not in PROBLEMS:
        raise ConfigError("problem", f"must be one of {', '.join(PROBLEMS)}; got {quote(name)}")
    check_depth(config, "config")  # before the deep copies below
    spec = PROBLEMS[name]
    out = {key: copy.deepcopy(config[key]) for key in kept_on_switch() if key in config}
    out["problem"] = name
    for setting in SETTINGS.values():  # what the new kind of problem has no use for (a validation split: samples)
        if setting.name in out and not setting.applies_to(spec.kind):
            del out[setting.name]
    if spec.kind == "function" and out.get("variant") in ("stochastic", "minibatch"):
        out["variant"] = "batch"  # without samples the sampling variants mean nothing
    if spec.kind == "function" and isinstance(out.get("track"), dict):  # measures of samples mean nothing either
        out["track"] = {k: v for k, v in out["track"].items() if not (k in TRACKED and TRACKED[k].needs_data)}
    if spec.kind == "data":
        data = config.get("data")
        data_name = data if isinstance(data, str) else data.get("name") if isinstance(data, dict) else None
        suits = data_name == "csv" or (isinstance(data_name, str) and data_name in GENERATORS
                                       and GENERATORS[data_name].task in spec.data_tasks)
        if suits:
            out["data"] = copy.deepcopy(data)
        else:
            kept = {k: v for k, v in (data if isinstance(data, dict) else {}).items() if k in ("n_samples", "seed")}
            out["data"] = {"name": spec.default_data, **kept}
    return out


def problem_key(config: dict) -> tuple:
    """What identifies a validated config's problem and data (with its split and scaling): equal keys can share
    one Problem object."""
    own = [p.name for p in PROBLEMS[config["problem"]].params]
    return tuple(json.dumps(config.get(k), sort_keys=True) for k in ("problem", "data", *own, *problem_setting_keys()))


def needs_reset(new: dict, old: dict) -> bool:
    """Whether going from validated config ``old`` to ``new`` needs a fresh run: another problem, data or problem
    setting (:func:`problem_key`), or a setting whose row says so (:func:`gd_core.settings.reset_keys`)."""
    return problem_key(new) != problem_key(old) or any(new.get(k) != old.get(k) for k in reset_keys())


def in_epochs(config: dict, n_samples: int | None) -> dict:
    """A copy of a resolved config whose length is in epochs: a step budget becomes the same budget in epochs at
    its variant's steps per epoch (on ``n_samples``; None where the config is in epochs already), and a cosine
    schedule's period (a step count, which means something else for each variant) goes back to its default."""
    config = copy.deepcopy(config)
    if "steps" in config:
        config["epochs"] = config.pop("steps") / steps_per_epoch(n_samples, config["variant"], config["batch_size"])
    if config["schedule"]["name"] == "cosine":
        config["schedule"].pop("t_max", None)
    return config


def build_problem(config: dict) -> Problem:
    """Build the problem (and its data) of a validated config: on the training samples, with the held-out ones
    as its ``held_out`` problem (see :mod:`gd_core.generalization`)."""
    spec = PROBLEMS[config["problem"]]
    if spec.kind != "data":
        return spec.build(config, None)
    data = dict(config["data"])
    name = data.pop("name")
    dataset = load_csv(data["path"]) if name == "csv" else generate(name, **data)
    check_magnitude(dataset, "data.path" if name == "csv" else "data")
    return split_problem(spec, config, dataset)


def resolve(config: Any, problem: Problem | None = None, validated: bool = False) -> tuple[dict, Problem]:
    """Validate ``config``, build its problem (unless given) and check what depends on the data.

    ``validated``: ``config`` is already :func:`validate`'s output, unchanged since (one edit is checked once);
    a copy is completed, the caller's dict is never changed."""
    out = dict(config) if validated else validate(config)
    problem = problem or build_problem(out)
    if problem.dataset is not None:
        n = problem.n_samples
        if "batch_size" not in out:
            out["batch_size"] = min(DEFAULT_BATCH_SIZE, n)
        elif out["batch_size"] > n:
            held = problem.held_out.n_samples if problem.held_out is not None else 0
            samples = f"the training samples: {n + held} less {held} held out" if held else "the number of samples"
            raise ConfigError("batch_size", f"must lie in 1..n = 1..{n} ({samples}); got {out['batch_size']}")
    else:
        out.setdefault("batch_size", 1)
    check_needs(out["optimizer"]["name"], problem)
    check_evaluating(out)
    if out["init"] is not None and len(out["init"]) != problem.n_params:
        raise ConfigError("init", f"needs {problem.n_params} numbers ({', '.join(problem.param_names)}); "
                                  f"got {len(out['init'])}")
    check_track_work(out.get("track", {}), problem)
    return out, problem


def check_evaluating(config: dict) -> None:
    """Refuse gradient stages with a method that evaluates the batch again within its step (line search, L-BFGS,
    conjugate gradients, Newton): a mask, noise or clipping would change its first gradient but not the ones it
    evaluates itself, and its steps would compare a gradient with one it never saw."""
    optimizer = config["optimizer"]
    spec = OPTIMIZERS[optimizer["name"]]
    if not spec.uses_objective({k: v for k, v in optimizer.items() if k != "name"}):
        return
    stages = [(key, what) for key, what in (("variant", "the coordinate variant"), ("gradient_noise", "gradient noise"),
                                           ("clip_norm", "gradient clipping"))
              if (config.get(key) == "coordinate" if key == "variant" else config.get(key))]
    if stages:
        key, what = stages[0]
        raise ConfigError(key, f"{what} does not go with optimizer {optimizer['name']}"
                               f"{' and its line search' if optimizer.get('line_search') not in (None, 'none') else ''}"
                               ": it evaluates "
                               "the batch's loss within each step, which the changed gradient would not match")


def load_config(path: str | os.PathLike) -> dict:
    """Read a JSON config file; a relative ``data.path`` is taken relative to the file's folder."""
    path = os.fspath(path)
    config = read_json(path, "config", MAX_CONFIG_BYTES, "config file")
    if not isinstance(config, dict):
        raise ConfigError("config", f"{path} must hold a JSON object of settings")
    return with_base_dir(config, os.path.dirname(os.path.abspath(path)))


def with_base_dir(config: dict, base_dir: str) -> dict:
    """A copy of ``config`` whose relative CSV path is made absolute against ``base_dir``."""
    config = copy.deepcopy(config)
    data = config.get("data")
    if isinstance(data, dict) and isinstance(data.get("path"), str) and not os.path.isabs(data["path"]):
        data["path"] = os.path.join(base_dir, data["path"])
    return config
