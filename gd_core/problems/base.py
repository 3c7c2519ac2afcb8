"""What every problem provides to the trainer, the landscape code and the app."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..errors import ConfigError
from ..spec import Param

#: The most work one pass over the data may cost. The trainer evaluates the full loss and gradient at every
#: step, on the window's thread, so a bigger problem would stall the window at every step. A unit of work is
#: what one weight costs for one sample in a forward and backward pass (numpy's matrix products); 1e9 units take
#: about 0.1 s on a two-core machine.
MAX_PASS_WORK = 1e9
#: An elementwise function (exp, log, tanh) of one value and its derivative, in units of work (measured: MLP
#: passes of 2-8-1 up to 2-256-256-256-256-1 networks fit seconds = 1.1e-10 * (weights + 320 * units) * n).
ELEMENTWISE_WORK = 320


def check_pass_work(n_samples: int, per_sample: float, model: str) -> float:
    """The work of one pass over ``n_samples`` for ``model`` (``per_sample`` units each); data too large for it is
    refused with one clear message naming the most samples the model allows."""
    work = n_samples * per_sample
    if work > MAX_PASS_WORK:
        most = int(MAX_PASS_WORK // per_sample)
        raise ConfigError("data.n_samples", f"{n_samples:,} samples are too many for {model}: a pass over them "
                                            f"is {work_text(work)} units of work, above the "
                                            f"{work_text(MAX_PASS_WORK)} GD Lab allows (it makes one at every "
                                            f"step); use at most {most:,} samples"
                                            + (" or a smaller network" if "network" in model else ""))
    return work


def work_text(number: float) -> str:
    """1e9 -> "1e9", 5.26e11 -> "5.3e11"."""
    exponent = math.floor(math.log10(number))
    return f"{number / 10 ** exponent:.2g}e{exponent}"


#: What a problem may offer besides its loss and gradient (see :meth:`Problem.can`).
CAPABILITIES = ("curve", "predict", "boundary", "class_probabilities", "sample_classes", "accuracy", "hessian",
                "per_sample_grads", "known_minimum", "stability_bound")


def log1pexp(z):
    """log(1 + e^z) without overflow (the logistic loss)."""
    return np.logaddexp(0.0, z)


def sigmoid(z):
    """1/(1 + e^-z), computed as exp(-log(1 + e^-z)) so that no e^z overflows."""
    return np.exp(-log1pexp(-z))


class Problem:
    """A differentiable objective over a flat parameter vector.

    Attributes every problem sets:
      ``name``, ``param_names`` (one per parameter), ``n_samples`` (1 for functions without data),
      ``default_init`` (d,), ``bounds`` (d, 2) plotting range per parameter, ``minima`` (k, d) known minimisers,
      ``min_loss`` (the minimum value, or None where unknown or unbounded), ``no_minimum`` (None, or why the loss
      has no minimum, for the user: e.g. separable classes), ``curvature`` (the largest Hessian
      eigenvalue L where the loss is quadratic, else None), ``dataset`` (or None), ``pass_work`` (the units of
      work of one full-loss evaluation, see :data:`MAX_PASS_WORK`; what grids over the landscape budget by).

    All methods accept ``params`` of shape (d,) or (R, d) for R runs at once and then return per-run values.

    Capabilities: beyond its loss and gradient a problem may offer any of :data:`CAPABILITIES` - it declares one
    by overriding the method of that name (the base's says "not available"; a classifier overriding
    ``sample_classes`` sets ``n_classes`` too); ``known_minimum`` and ``stability_bound`` it declares by setting
    ``minima`` and ``curvature``.
    Views and tools ask :meth:`can`, never a problem's name, so a new problem is drawn with what it declares.
    """

    name: str
    param_names: tuple[str, ...]
    n_samples: int = 1
    default_init: np.ndarray
    bounds: np.ndarray
    min_loss: float | None = None
    no_minimum: str | None = None
    curvature: float | None = None
    n_classes: int = 0  # a classifier's number of classes (0: not a classifier)
    dataset = None
    held_out: Problem | None = None  # the held-out samples' problem, with a validation split (gd_core.generalization)
    pass_work: float = 1.0
    _minima: np.ndarray | None = None

    @property
    def n_params(self) -> int:
        return len(self.param_names)

    @property
    def tensors(self) -> tuple[tuple[slice, tuple[int, int] | None], ...]:
        """The parameter vector cut into the tensors torch would hold it in: ``(slice, (fan_in, fan_out))`` for a
        weight matrix W stored row-major (torch's ``nn.Linear.weight`` is its transpose), ``(slice, None)`` for a
        vector. Optimizers that treat matrices apart (Muon, Adafactor) read it; by default one vector."""
        return ((slice(0, self.n_params), None),)

    @property
    def minima(self) -> np.ndarray:
        """The known minimisers (k, d); none (0, d) unless the problem sets them."""
        return self._minima if self._minima is not None else np.empty((0, self.n_params))

    @minima.setter
    def minima(self, value) -> None:
        self._minima = np.asarray(value, dtype=float)

    def can(self, capability: str) -> bool:
        """Whether this problem offers ``capability`` (one of :data:`CAPABILITIES`)."""
        if capability not in CAPABILITIES:
            raise ValueError(f"unknown capability {capability!r} (one of {', '.join(CAPABILITIES)})")
        if capability == "known_minimum":
            return len(self.minima) > 0
        if capability == "stability_bound":
            return self.curvature is not None
        return getattr(type(self), capability) is not getattr(Problem, capability)

    # -- capabilities: the base offers none (see can) ----------------------------------------------------------
    def curve(self, params: np.ndarray, xs: np.ndarray) -> np.ndarray:
        """One-feature data: the model's output over feature values ``xs`` - the fit y(x), or P(class 1 | x)."""
        raise NotImplementedError(f"{self.name} has no fit curve")

    def predict(self, params: np.ndarray) -> np.ndarray:
        """Regression: the predicted target of every sample."""
        raise NotImplementedError(f"{self.name} predicts no target")

    def boundary(self, params: np.ndarray, x_range, y_range) -> tuple[np.ndarray, np.ndarray]:
        """A linear classifier: its decision boundary in the plane of the first two features, as (xs, ys)."""
        raise NotImplementedError(f"{self.name} has no straight decision boundary")

    def class_probabilities(self, params: np.ndarray, X: np.ndarray) -> np.ndarray:
        """A classifier: P(class | x) for rows of X, (m,) = P(class 1) for two classes, else (m, K)."""
        raise NotImplementedError(f"{self.name} gives no class probabilities")

    def sample_classes(self) -> np.ndarray:
        """A classifier: each training sample's class, 0..n_classes-1."""
        raise NotImplementedError(f"{self.name} has no classes")

    def accuracy(self, params: np.ndarray):
        """A classifier: the fraction of its samples whose most probable class is their own (per run)."""
        raise NotImplementedError(f"{self.name} classifies nothing")

    def hessian(self, params: np.ndarray) -> np.ndarray:
        """The analytic Hessian of the full loss (d, d) (without it, tools use differences of the gradient)."""
        raise NotImplementedError(f"{self.name} has no analytic Hessian")

    def per_sample_grads(self, params: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """Vectorised: the gradient of each sample's own loss, one row per index in ``idx`` (m, d)."""
        raise NotImplementedError(f"{self.name} has no vectorised per-sample gradients")

    @property
    def stability_bound(self) -> float | None:
        """The largest stable learning rate of plain full-batch gradient descent, 2/L, where L is known."""
        return 2.0 / self.curvature if self.curvature else None

    def on_samples(self, dataset) -> Problem:
        """A data problem: the same model (settings, class labels) on other samples, e.g. the held-out ones."""
        raise NotImplementedError(f"{self.name} has no samples")

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
    classifies: bool = False  # its targets are class labels: a validation split keeps every class in training
