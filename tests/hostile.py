"""Hypothesis strategies for hostile input, shared by the core and window fuzzers.

Values mix what the registries allow with what an attacker sends: numbers at and beyond every bound, integers too
large for a float, NaN and infinities, empty and very long strings, wrong types, nesting. Runs stay small (few
samples, small networks) so that each example costs milliseconds; ``GDLAB_FUZZ_EXAMPLES`` scales every fuzzer up
for a campaign outside the suite (``GDLAB_FUZZ_EXAMPLES=20000 pytest tests/core/test_fuzz.py``).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from gd_core import OPTIMIZERS, PROBLEMS, SCHEDULES, ConfigError
from gd_core.datasets import GENERATORS
from gd_core.results import TOLERANCE
from gd_core.samplers import SAMPLINGS, VARIANTS
from gd_core.sessions import FORMAT, VERSION
from gd_core.settings import SETTINGS


def fuzz_settings(examples: int) -> settings:
    """``examples`` in the suite (a few seconds), or ``GDLAB_FUZZ_EXAMPLES`` of them in a campaign."""
    return settings(max_examples=int(os.environ.get("GDLAB_FUZZ_EXAMPLES", examples)), deadline=None,
                    suppress_health_check=list(HealthCheck), derandomize="GDLAB_FUZZ_EXAMPLES" not in os.environ)


EXTREME_NUMBERS = st.sampled_from([
    0, -0.0, 1, -1, 0.5, 1.0 - 1e-16, 1e-320, 5e-324, 1e-12, 1e12, 1e12 + 1, 1e15, 1e100, 1e154, 1e155, 1e200, 1e300,
    1.7976931348623157e308, -1e308, float("inf"), float("-inf"), float("nan"), 2**31 - 1, 2**31, 2**63, 10**400,
    -10**400, True, False,
]) | st.builds(pow, st.just(10), st.just(5000))  # more digits than Python prints: repr() refuses it
JUNK = st.one_of(
    st.none(), st.booleans(), st.sampled_from(["", "x" * 10_000, "nan", "1_000", "\u0661", "<img src=/dev/zero>"]),
    st.lists(st.integers(-3, 3), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.recursive(st.integers(), lambda inner: st.lists(inner, min_size=1, max_size=1), max_leaves=60),
)
#: Finite floats at the edges of float64 and of every teaching range: what a setting or a start may validly be
#: and still overflow a product (2.8e77 to the fourth leaves the float range, 1e154 squared does), underflow
#: (subnormals), or hide a sign (-0.0).
EXTREME_FLOATS = tuple(sign * v for v in (0.0, 5e-324, 1e-320, 1e-300, 1e-12, 1e-6, 1.0, 1e12, 1e77, 2.8e77, 1e154,
                                          1e155, 1e200, 1e300, 1.7976931348623157e308) for sign in (1.0, -1.0))
NUMBERS = st.one_of(EXTREME_NUMBERS, st.floats(allow_nan=True, allow_infinity=True),
                    st.integers(-10**6, 10**6), st.floats(0, 2))
VALUES = st.one_of(NUMBERS, JUNK)
CONFIG_PARAMS = SETTINGS


def allowed_value(param) -> st.SearchStrategy:
    """A value ``param`` allows, often one of its bounds (the extremes that must still be safe)."""
    if param.kind is str:
        return st.sampled_from(param.choices)
    if param.kind is bool:
        return st.booleans()
    if param.kind is list:
        return st.lists(st.integers(1, 4), min_size=1, max_size=2)
    if param.kind is dict:  # off, or an object of its fields (a line search's c and shrink)
        fields = {field.name: allowed_value(field) for field in param.fields}
        return st.one_of(st.none(), st.fixed_dictionaries({}, optional=fields))
    if param.kind is int:
        return st.sampled_from(sorted({int(param.low), int(param.low) + 1, int(min(param.high, param.low + 5)),
                                       int(param.high)}))
    inside = [param.low * (1 + 1e-9) + 1e-300 if param.low_open else param.low,
              param.high * (1 - 1e-9) if param.high_open else param.high]
    extremes = [v for v in EXTREME_FLOATS if _allows(param, v)]  # subnormal rates, -0.0, the top of the range
    return st.one_of(st.sampled_from(inside), st.sampled_from(extremes or inside),
                     st.floats(param.low, param.high, exclude_min=param.low_open, exclude_max=param.high_open))


def _allows(param, value) -> bool:
    try:
        param.check(value, param.name)
    except ConfigError:
        return False
    return True


def _some(params, draw) -> dict:
    return {p.name: draw(allowed_value(p)) for p in params if draw(st.booleans())}


@st.composite
def valid_configs(draw) -> dict:
    """A config every part of which is allowed (values often at their bounds); small and quick to run."""
    problem = draw(st.sampled_from(list(PROBLEMS)))
    spec = PROBLEMS[problem]
    config = {"problem": problem, **_some(spec.params, draw)}
    if problem == "mlp":
        config["hidden"] = draw(st.lists(st.integers(1, 3), min_size=1, max_size=2))
    if spec.kind == "data":
        name = draw(st.sampled_from([g.name for g in GENERATORS.values() if g.task in spec.data_tasks]))
        data = {"name": name, **_some(GENERATORS[name].params, draw)}
        n = data["n_samples"] = draw(st.integers(1, 60))
        config["data"] = data
        held = 0
        if n >= 2 and draw(st.booleans()):  # a validation split, maybe early stopping (gd_core.generalization)
            config["validation"] = draw(st.sampled_from([0.0, 0.01, 0.25, 0.5, 0.99]))
            held = min(max(1, round(config["validation"] * n)), n - 1) if config["validation"] else 0
            if held and draw(st.booleans()):
                config["early_stopping"] = {"patience": draw(st.integers(1, 3))}
        if draw(st.booleans()):
            config["standardize"] = draw(st.booleans())
        if name != "linear" or data.get("n_features", 1) != 1:
            config.pop("degree", None)  # polynomial features need one input
        config["batch_size"] = draw(st.integers(1, n - held))
    else:
        config["gradient_noise"] = draw(allowed_value(CONFIG_PARAMS["gradient_noise"]))
        if draw(st.integers(0, 2)):
            # any finite start is allowed: far ones overflow the loss, its gradient and the surface's grid (so
            # they come often: a session's first run is drawn on opening)
            far = st.sampled_from(EXTREME_FLOATS)
            config["init"] = draw(st.lists(st.one_of(far, far, st.floats(allow_nan=False, allow_infinity=False)),
                                           min_size=2, max_size=2))
    name = draw(st.sampled_from(list(OPTIMIZERS)))
    config["optimizer"] = {"name": name, **_some(OPTIMIZERS[name].params, draw)}
    name = draw(st.sampled_from(list(SCHEDULES)))
    config["schedule"] = {"name": name, **_some(SCHEDULES[name].params, draw)}
    config["variant"] = draw(st.sampled_from(list(VARIANTS) if spec.kind == "data" else ["batch", "coordinate"]))
    config["sampling"] = draw(st.sampled_from(list(SAMPLINGS)))
    for key in ("clip_norm", "tolerance", "seed"):
        if draw(st.booleans()):
            config[key] = draw(allowed_value(CONFIG_PARAMS[key]))
    config["steps"] = draw(st.integers(1, 5))
    return config


#: Where a mutation may put a hostile value: a top-level key, a key inside data, optimizer or schedule, or a
#: key nobody knows.
_SPOTS = st.sampled_from(["problem", "data", "variant", "batch_size", "sampling", "optimizer", "schedule",
                          "clip_norm", "gradient_noise", "steps", "epochs", "seed", "init", "tolerance", "kappa",
                          "hidden", "activation", "init_seed", "validation", "standardize", "early_stopping",
                          "degree", "", "x" * 300, "data.*", "optimizer.*",
                          "schedule.*", "data.name", "optimizer.name", "schedule.name", "data.nope"])


@st.composite
def configs(draw) -> dict:
    """An allowed config with up to three parts replaced by hostile values (or, rarely, anything at all)."""
    if not draw(st.integers(0, 20)):
        return draw(VALUES)
    config = draw(valid_configs())
    for _ in range(draw(st.integers(0, 3))):
        spot, value = draw(_SPOTS), draw(VALUES)
        if "." not in spot:
            config[spot] = value
            continue
        owner, key = spot.split(".")
        if not isinstance(config.get(owner), dict):
            continue
        if key == "*":  # one of the owner's own settings
            params = _params_of(owner, config[owner])
            if not params:
                continue
            key = draw(st.sampled_from(params)).name
        config[owner] = {**config[owner], key: value}
    return config


def _params_of(owner: str, value: dict):
    name = value.get("name")
    registry = {"data": GENERATORS, "optimizer": OPTIMIZERS, "schedule": SCHEDULES}[owner]
    return list(registry[name].params) if isinstance(name, str) and name in registry else []


@st.composite
def sessions(draw):
    """Session-like structures: a valid session with up to three hostile parts, or (rarely) anything JSON-ish."""
    anything = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=4)),
                            lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                    st.dictionaries(st.text(max_size=4), inner, max_size=3)),
                            max_leaves=20)
    if not draw(st.integers(0, 6)):
        return draw(anything)
    names = draw(st.lists(st.sampled_from(["a", "b", "run 3", "Ä/ä"]), min_size=1, max_size=3, unique=True))
    runs = [{"name": name, "color": draw(st.sampled_from(["#1f77b4", "#D62728"])), "config": draw(valid_configs()),
             **({"visible": draw(st.booleans())} if draw(st.booleans()) else {})} for name in names]
    session = {"format": FORMAT, "version": VERSION, "title": draw(st.text(max_size=8)),
               "text": draw(st.sampled_from(["", "<p>text</p>", '<img src="/dev/zero">'])), "runs": runs,
               "view": draw(st.fixed_dictionaries({}, optional={
                   "x_axis": st.sampled_from(["step", "epoch", "samples_seen"]), "log_y": st.booleans(),
                   "tolerance": allowed_value(TOLERANCE), "selected": st.integers(0, len(runs) - 1),
                   "space_mode": st.sampled_from(["slice", "plane"]), "arrows": st.booleans()}))}
    for _ in range(draw(st.integers(0, 3))):
        where = draw(st.sampled_from(["format", "version", "title", "text", "runs", "view", "extra", "run",
                                      "run.name", "run.color", "run.config", "run.visible", "run.extra",
                                      "view.x_axis", "view.pair", "view.tolerance", "view.selected", "view.zoom"]))
        value = draw(VALUES)
        if where.startswith("run."):
            runs[0][where[4:]] = value  # the first run is always an object (appended hostile runs come last)
        elif where.startswith("view.") and isinstance(session["view"], dict):
            session["view"][where[5:]] = value
        elif where == "run":
            runs.append(value)
        else:
            session[where] = value
    return session
