"""Which training samples each step sees: the gradient-descent variants.

A batch is always a set of training *samples*; every step updates *all* parameters. Coordinate descent is the
contrast: each step uses all the samples but updates one randomly chosen parameter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .epoch_orders import EpochOrders


@dataclass(frozen=True)
class VariantSpec:
    name: str
    title: str
    doc: str


VARIANTS: dict[str, VariantSpec] = {v.name: v for v in (
    VariantSpec("batch", "Batch", "Every step uses all n training samples (full-batch gradient descent)."),
    VariantSpec("stochastic", "Stochastic", "Every step uses one randomly chosen training sample."),
    VariantSpec("minibatch", "Mini-batch", "Every step uses a batch of k training samples."),
    VariantSpec("coordinate", "Coordinate (contrast)",
                "Every step uses all samples but updates a single randomly chosen parameter - "
                "not a batch variant: a batch is a set of samples, never of parameters."),
)}

SAMPLINGS = {
    "shuffle": "Without replacement: a new random order every epoch, batches taken in turn, the last partial "
               "batch kept.",
    "replacement": "With replacement: every batch drawn independently and uniformly.",
}


def steps_per_epoch(n_samples: int, variant: str, batch_size: int) -> int:
    """Steps that make one pass over the data: ceil(n / k) for mini-batch, n for stochastic, 1 otherwise."""
    if variant == "minibatch":
        return -(-n_samples // batch_size)
    if variant == "stochastic":
        return n_samples
    return 1


def planned_steps(config: dict, n_samples: int) -> int:
    """The updates a resolved config makes if nothing ends it early: its steps, or ceil(epochs * steps per epoch)."""
    if config.get("steps") is not None:
        return int(config["steps"])
    return math.ceil(config["epochs"] * steps_per_epoch(n_samples, config["variant"], config["batch_size"]))


def samples_per_step(n_samples: int, variant: str, batch_size: int) -> int:
    """The samples a step's gradient averages (its batch size): k for mini-batch, 1 for stochastic, n otherwise."""
    return {"stochastic": 1, "minibatch": batch_size}.get(variant, n_samples)


class Sampler:
    """Yields the sample indices of each step from explicit ``np.random.Generator`` objects.

    With one generator ``next_indices()`` returns a (k,) index array, with R generators (R runs vectorised
    together) an (R, k) array whose row r comes from generator r exactly as a lone sampler would draw it. It
    returns None for "all samples" (batch and coordinate variants, which then use the problem's full-data path).
    Draws with replacement and coordinate choices are taken in blocks of :data:`BLOCK` steps, the same way for
    one run and for many. ``variant``, ``batch_size`` and ``sampling`` may change between steps. ``epochs``, if
    known, is the most epochs the runs will start (R runs draw each epoch's order one epoch ahead:
    :class:`gd_core.epoch_orders.EpochOrders`).
    """

    BLOCK = 64

    def __init__(self, n_samples: int, variant: str, batch_size: int, sampling: str, rngs, epochs: int | None = None):
        self.n_samples = n_samples
        self.rngs = [rngs] if isinstance(rngs, np.random.Generator) else list(rngs)
        self._single = len(self.rngs) == 1
        self._epochs = None if self._single else EpochOrders(self.rngs, n_samples, epochs)
        self._order = np.arange(0)
        self._pos = n_samples  # at the end of an (empty) epoch: the first draw shuffles
        self._block = None  # pre-drawn rows, replacement sampling or coordinates
        self._block_row = 0
        self.configure(variant, batch_size, sampling)

    def configure(self, variant: str, batch_size: int, sampling: str) -> None:
        """Change how the next steps sample (the current shuffled epoch carries on)."""
        if (getattr(self, "variant", None), getattr(self, "batch_size", None), getattr(self, "sampling", None)) \
                != (variant, batch_size, sampling):
            self._block = None
        self.variant, self.batch_size, self.sampling = variant, batch_size, sampling
        self._all = variant in ("batch", "coordinate")  # decided once here: next_indices is a per-step hot path
        self._k = 1 if variant == "stochastic" else batch_size
        self._replacement = sampling == "replacement"

    def _next_block_row(self, draw):
        if self._block is None or self._block_row >= self.BLOCK:
            blocks = [draw(rng) for rng in self.rngs]
            self._block = blocks[0] if self._single else np.stack(blocks)
            self._block_row = 0
        row = self._block_row
        self._block_row += 1
        return self._block[row] if self._single else self._block[:, row]

    def next_indices(self) -> np.ndarray | None:
        if self._all:
            return None
        k = self._k
        if self._replacement:
            return self._next_block_row(lambda rng: rng.integers(0, self.n_samples, size=(self.BLOCK, k)))
        n = self.n_samples
        if self._pos >= n:
            self._order = self.rngs[0].permutation(n) if self._single else self._epochs.next()
            self._pos = 0
        pos = self._pos
        self._pos = pos + k  # past n after the last (partial) batch: the next draw reshuffles
        return self._order[pos:pos + k] if self._single else self._order[:, pos:pos + k]

    def next_coordinate(self, n_params: int):
        """The parameter a coordinate-descent step updates, uniformly at random (one per run)."""
        return self._next_block_row(lambda rng: rng.integers(0, n_params, size=self.BLOCK))
