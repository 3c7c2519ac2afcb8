"""Rebuild a run at any step it reached: runs are deterministic by seed, so replaying its configs reproduces it.

A run's *timeline* is the list of ``(step, config)`` it went through since it last started: its first config
from step 0, then each config applied live (between two steps, :meth:`Trainer.apply`) at the step it was
applied. :func:`replay` builds a fresh :class:`Trainer` from the first config, advances it to each change,
applies it, and advances to the wanted step. The sampler and noise generators are seeded and keep their
state across ``advance`` calls however they are chunked, so the replayed history is identical, value for
value, to the one the run recorded - what sessions (version 2) and undo rely on.
"""

from __future__ import annotations

from collections.abc import Callable

from .config import needs_reset, validate
from .problems import Problem
from .trainer import Trainer

#: Steps per ``advance`` call while replaying: large enough that the call overhead vanishes, small enough that a
#: progress callback is heard several times a second.
CHUNK = 5_000

Timeline = tuple[tuple[int, dict], ...]


def continues(old: dict, new: dict) -> bool:
    """Whether ``new`` can take over from ``old`` between two steps (same problem, data, seed and start)."""
    return not needs_reset(validate(new), validate(old))


def replay(timeline: Timeline, steps: int, problem: Problem | None = None,
           progress: Callable[[int, int], None] | None = None) -> Trainer:
    """A trainer that made ``steps`` steps of ``timeline`` (fewer if the run ended earlier), its history
    identical to the original's.

    ``problem`` is shared when given (it must be the first config's); ``progress(done, total)`` is called
    between chunks of :data:`CHUNK` steps - it may raise to cancel.
    """
    trainer = Trainer(timeline[0][1], problem)
    for at, config in timeline[1:]:
        if at > steps:  # a change made later than the wanted step
            break
        _advance_to(trainer, at, steps, progress)
        trainer.apply(config)
    _advance_to(trainer, steps, steps, progress)
    return trainer


def _advance_to(trainer: Trainer, step: int, total: int, progress) -> None:
    while trainer.step < step and not trainer.done:
        trainer.advance(min(CHUNK, step - trainer.step))
        if progress is not None:
            progress(trainer.step, total)
