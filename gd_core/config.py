"""One validated, serialisable run config: the same keys in JSON, sessions, the CLI and the GUI.

:func:`validate` checks a plain dict and returns it normalised (every default filled in); :func:`resolve` also
builds the problem and checks what depends on the data (``batch_size`` <= n, the length of ``init``). Every
mistake raises one :class:`ConfigError` naming the key and what is allowed.

Keys (top level):
  problem        a name from PROBLEMS (default ``linear_regression``)
  <setting>      a problem's own settings at top level, e.g. ``kappa`` for ``quadratic``
  data           data problems only: a generator name or ``{"name", "n_samples", "noise", "seed", ...}``, or
                 ``{"name": "csv", "path": FILE}`` (header row; last column = target)
  variant        batch | stochastic | minibatch | coordinate (default minibatch)
  batch_size     samples per mini-batch step, 1..n (default min(32, n))
  sampling       shuffle (default) | replacement
  optimizer      a name or ``{"name", <hyperparameters>}`` (torch.optim names and defaults)
  schedule       a name or ``{"name", <settings>}`` (default constant)
  clip_norm      clip the gradient to this global norm before the update (default off)
  gradient_noise function problems only: std of Gaussian noise added to each gradient (default 0)
  steps | epochs the run length; one of them (default 200 steps)
  seed           seed of sampling and gradient noise (default 0)
  init           the start point, one number per parameter (default: the problem's)
  tolerance      stop as "converged" once the full gradient's norm is at most this (default off)
  track          measure along the run, e.g. ``{"sharpness": 10, "noise_scale": 10}`` (every k steps; see
                 gd_core.tracking; default none)
"""

from __future__ import annotations

import copy
import json
import math
import os
import sys
from typing import Any

from .datasets import DATA_NAMES, GENERATORS, MAX_SAMPLES, check_data_size, check_magnitude, generate, load_csv
from .errors import ConfigError
from .files import check_depth, key_name, quote, read_json
from .optimizers import OPTIMIZERS
from .problems import PROBLEMS, Problem
from .samplers import SAMPLINGS, VARIANTS
from .schedules import check_schedule
from .spec import MAX_MAGNITUDE, MAX_SEED, MAX_STEPS, Param, check_params
from .tracking import TRACKED, check_track, check_track_work

#: A config file is at most this large (a config is a few hundred bytes; a session holds many).
MAX_CONFIG_BYTES = 2**20
DEFAULT_STEPS = 200
DEFAULT_BATCH_SIZE = 32

_COMMON = {
    "problem", "data", "variant", "batch_size", "sampling", "optimizer", "schedule", "clip_norm",
    "gradient_noise", "steps", "epochs", "seed", "init", "tolerance", "track",
}
_STEPS = Param("steps", DEFAULT_STEPS, "Number of updates to run.", kind=int, low=1, high=MAX_STEPS)
_EPOCHS = Param("epochs", 1.0, "Passes over the data to run (samples seen / n).", low=0.0, low_open=True,
                high=1e7)
_SEED = Param("seed", 0, "Seed of the sampling order and the gradient noise.", kind=int, low=0, high=MAX_SEED)
_BATCH = Param("batch_size", DEFAULT_BATCH_SIZE, "Samples per mini-batch step k.", kind=int, low=1,
               high=MAX_SAMPLES)
_CLIP = Param("clip_norm", None, "Clip the gradient to this norm before the update.", low=0.0, low_open=True,
              high=MAX_MAGNITUDE)
_NOISE = Param("gradient_noise", 0.0, "Std of Gaussian noise added to every gradient component.", low=0.0,
               high=MAX_MAGNITUDE)
_TOL = Param("tolerance", None, "Converged once the full gradient norm is at most this.", low=0.0,
             low_open=True, high=MAX_MAGNITUDE)


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
    """Check a run config and return a normalised copy with every default filled in."""
    if not isinstance(config, dict):
        raise ConfigError("config", f"must be a JSON object of settings; got {type(config).__name__}")
    check_depth(config, "config")
    problem = problem_name(config)
    spec = PROBLEMS[problem]
    own = {p.name for p in spec.params}
    for key in config:
        if key not in _COMMON and key not in own:
            other = [name for name, s in PROBLEMS.items() if key in {p.name for p in s.params}]
            if other:
                raise ConfigError(key, f"is a setting of problem {', '.join(other)}, not of {problem}")
            raise ConfigError(key_name(key), f"unknown key (allowed: {', '.join(sorted(_COMMON | own))})")
    out: dict[str, Any] = {"problem": problem}
    out.update(check_params(spec.params, {k: config[k] for k in own if k in config}, "", problem))
    if spec.kind == "data":
        out["data"] = _validate_data(config.get("data", spec.default_data), problem)
    elif "data" in config:
        raise ConfigError("data", f"problem {problem} is a function of x and y; it takes no data")
    default_variant = "minibatch" if spec.kind == "data" else "batch"  # without data, every step sees it all
    out["variant"] = _choice(config.get("variant", default_variant), VARIANTS, "variant")
    if "batch_size" in config:
        out["batch_size"] = _BATCH.check(config["batch_size"], "batch_size")
    out["sampling"] = _choice(config.get("sampling", "shuffle"), SAMPLINGS, "sampling")
    name, hparams = split_named(config.get("optimizer", "plain"), OPTIMIZERS, "optimizer")
    out["optimizer"] = {"name": name, **check_params(OPTIMIZERS[name].params, hparams, "optimizer.", name)}
    if "steps" in config and "epochs" in config:
        raise ConfigError("steps", "steps and epochs exclude each other: give one of them")
    if "epochs" in config:
        out["epochs"] = _EPOCHS.check(config["epochs"], "epochs")
    else:
        out["steps"] = _STEPS.check(config.get("steps", DEFAULT_STEPS), "steps")
    out["schedule"] = check_schedule(config.get("schedule", "constant"), "schedule", out.get("steps"))
    out["clip_norm"] = None if config.get("clip_norm") is None else _CLIP.check(config["clip_norm"], "clip_norm")
    if "gradient_noise" in config:
        if spec.kind == "data":
            raise ConfigError("gradient_noise", f"applies to 2D function problems; {problem} gets its gradient "
                                                "noise from sampling (use variant and batch_size)")
        out["gradient_noise"] = _NOISE.check(config["gradient_noise"], "gradient_noise")
    elif spec.kind == "function":
        out["gradient_noise"] = 0.0
    out["seed"] = _SEED.check(config.get("seed", 0), "seed")
    out["init"] = _validate_init(config.get("init"))
    out["tolerance"] = None if config.get("tolerance") is None else _TOL.check(config["tolerance"], "tolerance")
    track = check_track(config.get("track", {}), problem, spec.kind == "data")
    if track:
        out["track"] = track
    return out


def problem_name(config: dict) -> str:
    """The problem a config names (``linear_regression`` when it names none), or a :class:`ConfigError`."""
    return _choice(config.get("problem", "linear_regression"), PROBLEMS, "problem")


def _validate_init(value: Any) -> list[float] | None:
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) or not value:
        raise ConfigError("init", f"must be a list of numbers, one per parameter; got {quote(value)}")
    for i, item in enumerate(value):
        finite = (isinstance(item, float) and math.isfinite(item)) or (
            isinstance(item, int) and not isinstance(item, bool) and abs(item) <= sys.float_info.max)
        if not finite:
            raise ConfigError(f"init[{i}]", f"must be a finite number; got {quote(item)}")
    return [float(v) for v in value]


#: Keys that mean the same for every problem: a problem switch keeps them.
RUN_KEYS = ("variant", "batch_size", "sampling", "optimizer", "schedule", "clip_norm", "steps", "epochs", "seed",
            "tolerance", "track")


def switch_problem(config: dict, name: str) -> dict:
    """A copy of ``config`` for problem ``name``: the run settings are kept; the data is kept where it suits the
    new problem and otherwise replaced by the new problem's default; start point and problem settings go."""
    if name not in PROBLEMS:
        raise ConfigError("problem", f"must be one of {', '.join(PROBLEMS)}; got {quote(name)}")
    check_depth(config, "config")  # before the deep copies below
    spec = PROBLEMS[name]
    out = {key: copy.deepcopy(config[key]) for key in RUN_KEYS if key in config}
    out["problem"] = name
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
    """What identifies a validated config's problem and data: equal keys can share one Problem object."""
    own = [p.name for p in PROBLEMS[config["problem"]].params]
    return tuple(json.dumps(config.get(k), sort_keys=True) for k in ("problem", "data", *own))


def build_problem(config: dict) -> Problem:
    """Build the problem (and its data) of a validated config."""
    spec = PROBLEMS[config["problem"]]
    dataset = None
    if spec.kind == "data":
        data = dict(config["data"])
        name = data.pop("name")
        dataset = load_csv(data["path"]) if name == "csv" else generate(name, **data)
        check_magnitude(dataset, "data.path" if name == "csv" else "data")
    return spec.build(config, dataset)


def resolve(config: Any, problem: Problem | None = None) -> tuple[dict, Problem]:
    """Validate ``config``, build its problem (unless given) and check what depends on the data."""
    out = validate(config)
    problem = problem or build_problem(out)
    if problem.dataset is not None:
        n = problem.n_samples
        if "batch_size" not in out:
            out["batch_size"] = min(DEFAULT_BATCH_SIZE, n)
        elif out["batch_size"] > n:
            raise ConfigError("batch_size", f"must lie in 1..n = 1..{n} (the number of samples); "
                                            f"got {out['batch_size']}")
    else:
        out.setdefault("batch_size", 1)
    if out["init"] is not None and len(out["init"]) != problem.n_params:
        raise ConfigError("init", f"needs {problem.n_params} numbers ({', '.join(problem.param_names)}); "
                                  f"got {len(out['init'])}")
    check_track_work(out.get("track", {}), problem)
    return out, problem


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
