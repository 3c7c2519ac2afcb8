"""Which training samples each step sees: the gradient-descent variants.

A batch is always a set of training *samples*; every step updates *all* parameters. Coordinate descent is the
contrast: each step uses all the samples but updates one randomly chosen parameter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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


class Sampler:
    """Yields the sample indices of each step from an explicit ``np.random.Generator``.

    ``next_indices()`` returns an index array, or None for "all samples" (batch and coordinate variants, which
    then use the problem's full-data fast path). ``variant``, ``batch_size`` and ``sampling`` may be changed
    between steps; the epoch's shuffled order carries on.
    """

    def __init__(self, n_samples: int, variant: str, batch_size: int, sampling: str, rng: np.random.Generator):
        self.n_samples = n_samples
        self.variant = variant
        self.batch_size = batch_size
        self.sampling = sampling
        self.rng = rng
        self._order = np.arange(0)
        self._pos = 0

    @property
    def batch_len(self) -> int:
        """Samples per step in the current variant (the last partial batch of an epoch may be smaller)."""
        if self.variant in ("batch", "coordinate"):
            return self.n_samples
        return 1 if self.variant == "stochastic" else self.batch_size

    def next_indices(self) -> np.ndarray | None:
        if self.variant in ("batch", "coordinate"):
            return None
        k = 1 if self.variant == "stochastic" else self.batch_size
        if self.sampling == "replacement":
            return self.rng.integers(0, self.n_samples, size=k)
        if self._pos >= len(self._order):
            self._order = self.rng.permutation(self.n_samples)
            self._pos = 0
        idx = self._order[self._pos:self._pos + k]
        self._pos += len(idx)
        return idx

    def next_coordinate(self, n_params: int) -> int:
        """The parameter a coordinate-descent step updates, uniformly at random."""
        return int(self.rng.integers(0, n_params))
