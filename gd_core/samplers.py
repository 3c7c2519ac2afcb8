"""Which training samples each step sees: the gradient-descent variants.

A batch is always a set of training *samples*; every step updates *all* parameters. Coordinate descent is the
contrast: each step uses all the samples but updates one randomly chosen parameter.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from functools import cache

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


def planned_steps(config: dict, n_samples: int) -> int:
    """The updates a resolved config makes if nothing ends it early: its steps, or ceil(epochs * steps per epoch)."""
    if config.get("steps") is not None:
        return int(config["steps"])
    return math.ceil(config["epochs"] * steps_per_epoch(n_samples, config["variant"], config["batch_size"]))


def compared_batch_size(n_samples: int, batch_size: int) -> int:
    """The batch size of a mini-batch run set beside batch and stochastic ones (Compare variants): the run's own
    where it is a true mini-batch, 1 < k < n; else a quarter of the n training samples, at least 2. A batch of all
    n samples is batch gradient descent: lesson 23's full-batch runs have k = 12, all of their 12 training samples,
    and their "mini-batch 12" copy drew the batch copy's line again. Never more than n (one training sample: 1)."""
    return batch_size if 1 < batch_size < n_samples else min(n_samples, max(2, n_samples // 4))


def samples_per_step(n_samples: int, variant: str, batch_size: int) -> int:
    """The samples a step's gradient averages (its batch size): k for mini-batch, 1 for stochastic, n otherwise."""
    return {"stochastic": 1, "minibatch": batch_size}.get(variant, n_samples)


class Sampler:
    """Yields the sample indices of each step from explicit ``np.random.Generator`` objects.

    With one generator ``next_indices()`` returns a (k,) index array, with R generators (R runs vectorised
    together) an (R, k) array whose row r comes from generator r exactly as a lone sampler would draw it. It
    returns None for "all samples" (batch and coordinate variants, which then use the problem's full-data path).
    Draws with replacement and coordinate choices are taken in blocks of :data:`BLOCK` steps, the same way for
    one run and for many. ``variant``, ``batch_size`` and ``sampling`` may change between steps.
    """

    BLOCK = 64

    def __init__(self, n_samples: int, variant: str, batch_size: int, sampling: str, rngs):
        self.n_samples = n_samples
        self.rngs = [rngs] if isinstance(rngs, np.random.Generator) else list(rngs)
        self._single = len(self.rngs) == 1
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
            if self._single:
                self._order = self.rngs[0].permutation(n)
            else:
                if self._order.shape != (len(self.rngs), n):
                    self._order = np.empty((len(self.rngs), n), dtype=np.intp)
                permute_rows(self._order, self.rngs)
            self._pos = 0
        pos = self._pos
        self._pos = pos + k  # past n after the last (partial) batch: the next draw reshuffles
        return self._order[pos:pos + k] if self._single else self._order[:, pos:pos + k]

    def next_coordinate(self, n_params: int):
        """The parameter a coordinate-descent step updates, uniformly at random (one per run)."""
        return self._next_block_row(lambda rng: rng.integers(0, n_params, size=self.BLOCK))


#: Fewer indices than this are shuffled on the calling thread alone: a hand-off to the helper costs ~20-50 us, and
#: a shuffle ~9 ns an index (64 rows of 10,000: ~6 ms; 8 rows of 10,000 gained nothing under load).
PARALLEL_INDICES = 2**18


def permute_rows(order: np.ndarray, rngs: list[np.random.Generator]) -> None:
    """Row r of ``order`` (R, n) becomes ``rngs[r].permutation(n)``.

    numpy's ``permutation(n)`` shuffles a fresh ``arange(n)`` (Fisher-Yates) and ``Generator.shuffle`` releases the
    GIL while it swaps: with two cores free, a helper thread draws half of the rows while this thread draws the
    other half (64 runs with a seed each, n = 10,000: 42 -> ~22 ms of their ~140 ms). Each generator is used by one
    thread only, once per row, as a lone run uses it. (Shuffling the rows in place is slower: a fresh row is shuffled
    in the cache, a row of the (R, n) block is read back from memory - 158 against 142 ms for those 64 runs.)
    """
    if order.size < PARALLEL_INDICES or len(rngs) < 2 or _cores() < 2:
        _permute_rows(order, rngs)
        return
    half = len(rngs) // 2
    pending = _helper_thread().submit(_permute_rows, order[half:], rngs[half:])
    try:
        _permute_rows(order[:half], rngs[:half])
    finally:
        pending.result()


def _permute_rows(order: np.ndarray, rngs) -> None:
    n = order.shape[1]
    for row, rng in zip(order, rngs):
        row[:] = rng.permutation(n)


@cache
def _helper_thread():
    from concurrent.futures import ThreadPoolExecutor  # here: the sweep worker never uses it (bench/start_up.py)

    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="gd_core-permute")


def _in_a_forked_child() -> None:
    """A child forked from a process that drew on two threads (a multiprocessing pool of run_many workers, say)
    has no permuting thread: the parent's executor, copied, would take its half of the rows and never draw them
    (found by HR). The child starts a thread of its own when it needs one."""
    _helper_thread.cache_clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_in_a_forked_child)


@cache
def _cores() -> int:
    """The cores this process may run on (its affinity, as a container limits it), at least 1."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
