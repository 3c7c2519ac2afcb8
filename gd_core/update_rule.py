"""The update a run's config makes, written out: what the update-rule panel shows.

A step is a chain (:mod:`gd_core.pipeline`): the gradient stages the config asks for (coordinate mask, gradient
noise, clipping, in that order), the optimizer's weight-decay stage, then its rule for these hyperparameters
(:meth:`gd_core.optimizers.OptimizerSpec.rule`); a learning-rate schedule other than a constant rate says first
how the rate γ of the rule changes. Each line here is one of them, so the text names the rule the
run uses - plain gradient descent without a line search shows no line search, AdamW without decay no decay.
"""

from __future__ import annotations

from .optimizers import OPTIMIZERS, decay_mode
from .schedules import SCHEDULES

COORDINATE_TEXT = "g ← gⱼ·eⱼ   (coordinate descent: one component j, drawn uniformly)"
NOISE_TEXT = "g ← g + σ·ξ,  ξ ~ N(0, I)   (gradient noise)"
CLIP_TEXT = "g ← g·min(1, c/‖g‖)   (clipped to norm c)"
#: the weight-decay stage by :func:`gd_core.optimizers.decay_mode` ("rule": the rule's own text shows it)
DECAY_TEXTS = {"l2": "g ← g + λ·θ   (weight decay)", "decoupled": "θ ← θ·(1 − γ·λ)   (decoupled weight decay)"}


def update_rule(config: dict) -> str:
    """The update a resolved run ``config`` makes, one line per stage, as text."""
    optimizer = config["optimizer"]
    spec = OPTIMIZERS[optimizer["name"]]
    hparams = {**spec.defaults(), **{k: v for k, v in optimizer.items() if k != "name"}}
    lines = []
    schedule = config.get("schedule") or {}
    if schedule.get("name", "constant") != "constant":
        spec_of_rate = SCHEDULES[schedule["name"]]
        lines.append(f"rate γ, {spec_of_rate.title[0].lower()}{spec_of_rate.title[1:]}: {spec_of_rate.formula}")
    if config.get("variant") == "coordinate":
        lines.append(COORDINATE_TEXT)
    if config.get("gradient_noise"):
        lines.append(NOISE_TEXT)
    if config.get("clip_norm") is not None:
        lines.append(CLIP_TEXT)
    if hparams.get("weight_decay"):
        lines.append(DECAY_TEXTS.get(decay_mode(spec, hparams), ""))
    lines.append(spec.rule(hparams))
    return "\n".join(line for line in lines if line)
