"""What every problem provides to the trainer, the landscape code and the app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..spec import Param


class Problem:
    """A differentiable objective over a flat parameter vector.

    Attributes every problem sets:
      ``name``, ``param_names`` (one per parameter), ``n_samples`` (1 for functions without data),
      ``default_init`` (d,), ``bounds`` (d, 2) plotting range per parameter, ``minima`` (k, d) known minimisers,
      ``min_loss`` (the minimum value, or None where unknown or unbounded), ``curvature`` (the largest Hessian
      eigenvalue L where the loss is quadratic, else None), ``dataset`` (or None).

    All methods accept ``params`` of shape (d,) or (R, d) for R runs at once and then return per-run values.
    """

    name: str
    param_names: tuple[str, ...]
    n_samples: int = 1
    default_init: np.ndarray
    bounds: np.ndarray
    minima: np.ndarray
    min_loss: float | None = None
    curvature: float | None = None
    dataset = None

    @property
    def n_params(self) -> int:
        return len(self.param_names)

    @property
    def stability_bound(self) -> float | None:
        """The largest stable learning rate of plain full-batch gradient descent, 2/L, where L is known."""
        return 2.0 / self.curvature if self.curvature else None

    def loss_and_grad(self, params: np.ndarray, idx: np.ndarray | None):
        """Loss and gradient on the samples ``idx`` (None = all), from one forward pass."""
        raise NotImplementedError

    def full_loss_and_grad(self, params: np.ndarray):
        """Loss and gradient of the full objective."""
        return self.loss_and_grad(params, None)

    def full_loss(self, params: np.ndarray):
        return self.full_loss_and_grad(params)[0]

    def grid_loss(self, points: np.ndarray) -> np.ndarray:
        """The full loss at many parameter vectors: ``points`` (..., d) -> (...)."""
        flat = points.reshape(-1, self.n_params)
        return np.asarray(self.full_loss(flat)).reshape(points.shape[:-1])

    def batch_grid_loss(self, points: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """The loss of the samples ``idx`` alone at many parameter vectors (data problems), in chunks."""
        flat = points.reshape(-1, self.n_params)
        chunk = max(1, 2_000_000 // max(1, len(idx)))
        out = np.concatenate([self.loss_and_grad(flat[i:i + chunk], idx)[0] for i in range(0, len(flat), chunk)])
        return out.reshape(points.shape[:-1])


@dataclass(frozen=True)
class ProblemSpec:
    """A registry row: how to build a problem and which settings it takes (top-level config keys)."""

    name: str
    title: str
    kind: str  # "data" or "function"
    formula: str
    build: Callable = field(repr=False)
    params: tuple[Param, ...] = ()
    default_data: str | None = None  # data problems: the generator used when the config names none
    data_tasks: tuple[str, ...] = ()  # data problems: which generated data suits them
