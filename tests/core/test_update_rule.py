"""The update rule shown for a run is the one its settings make (gd_core.update_rule), for every optimizer row:
every switch of a row (a flag, a choice, a sub-setting turned on, a weight decay, a momentum of 0) changes the text,
and the run-level gradient stages appear exactly when configured, in the pipeline's order."""

import pytest

from gd_core import OPTIMIZERS
from gd_core.schedules import SCHEDULES
from gd_core.update_rule import CLIP_TEXT, COORDINATE_TEXT, NOISE_TEXT, update_rule

#: (row, hyperparameter) whose 0 turns a part of the rule off, besides every row's weight decay.
ZERO_SWITCHES = [("momentum", "momentum"), ("momentum", "dampening"), ("rmsprop", "momentum"),
                 ("adagrad", "lr_decay"), ("newton", "damping")]


def rule(name: str, variant: str = "batch", clip_norm=None, gradient_noise=0.0, schedule=None, **hparams) -> str:
    return update_rule({"optimizer": {"name": name, **hparams}, "variant": variant, "clip_norm": clip_norm,
                        "gradient_noise": gradient_noise, "schedule": schedule})


def _switches(spec):
    """(name, value a, value b) of each of the row's flags, choices and optional sub-settings."""
    for p in spec.params:
        if p.kind is bool:
            yield p.name, False, True
        elif p.kind is str and p.choices:
            for choice in p.choices[1:]:
                yield p.name, p.choices[0], choice
        elif p.kind is dict:
            yield p.name, None, {field.name: field.default for field in p.fields}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_switch_of_every_optimizer_changes_the_rule_shown(name):
    spec = OPTIMIZERS[name]
    names = {p.name for p in spec.params}
    base = {"weight_decay": 0.1} if "weight_decay" in names else {}  # RAdam's decoupled flag acts with a decay
    assert rule(name, **base).strip()
    for key, a, b in _switches(spec):
        assert rule(name, **{**base, key: a}) != rule(name, **{**base, key: b}), (name, key)
    zeros = [key for row, key in ZERO_SWITCHES if row == name] + (["weight_decay"] if "weight_decay" in names else [])
    for key in zeros:
        assert rule(name, **{key: 0.0}) != rule(name, **{key: 0.5}), (name, key)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_the_gradient_stages_show_exactly_when_configured_in_the_pipelines_order(name):
    bare = rule(name)
    assert all(text not in bare for text in (COORDINATE_TEXT, NOISE_TEXT, CLIP_TEXT))
    lines = rule(name, variant="coordinate", clip_norm=1.0, gradient_noise=0.1).split("\n")
    assert lines[:3] == [COORDINATE_TEXT, NOISE_TEXT, CLIP_TEXT] and "\n".join(lines[3:]) == bare


def test_plain_gradient_descent_shows_its_line_search_only_when_it_searches():
    assert rule("plain") == "θ ← θ − γ·g"  # the panel showed the line search's formula with the search off
    assert "line search" in rule("plain", line_search={"c": 1e-4, "shrink": 0.5})
    assert rule("plain", weight_decay=0.01).split("\n")[0].startswith("g ← g + λ·θ")
    assert "θ ← θ·(1 − γ·λ)" in rule("adamw") and "λ" not in rule("adamw", weight_decay=0.0)


@pytest.mark.parametrize("schedule", sorted(SCHEDULES))
def test_a_schedule_says_how_the_rate_changes(schedule):
    text = rule("adam", schedule={"name": schedule})
    if schedule == "constant":
        assert text == rule("adam")
    else:
        assert text.split("\n")[0].endswith(SCHEDULES[schedule].formula) and text.endswith(rule("adam"))
