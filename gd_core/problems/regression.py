"""Linear and logistic regression on a dataset: params are one weight per feature, then the bias."""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError
from ..geometry import decision_line
from ..spec import Param
from .base import ELEMENTWISE_WORK, Problem, ProblemSpec, check_pass_work, log1pexp, sigmoid


def _weight_names(n_features: int) -> tuple[str, ...]:
    return ("w",) if n_features == 1 else tuple(f"w{j + 1}" for j in range(n_features))


#: The highest polynomial degree (x^15 of data within ±10 is 1e15: GD on such features is hopeless anyway).
MAX_DEGREE = 15


def polynomial_features(x: np.ndarray, degree: int) -> np.ndarray:
    """The columns x, x², ..., x^k of one input x (n,): (n, k)."""
    return x[:, None] ** np.arange(1, degree + 1)


class _Regression(Problem):
    def __init__(self, dataset, degree: int = 1):
        self.dataset = dataset
        self.degree = degree
        self.n_samples = dataset.n_samples
        features = dataset.X
        if degree > 1:
            if dataset.n_features != 1:
                raise ConfigError("degree", f"polynomial features need data with one input; this data has "
                                            f"{dataset.n_features} (use degree 1)")
            features = polynomial_features(dataset.X[:, 0], degree)
        self.A = np.column_stack([features, np.ones(self.n_samples)])  # design matrix [X, 1] (or [x..x^k, 1])
        self.y = dataset.y
        self.param_names = (*_weight_names(features.shape[1]), "b")
        self.default_init = np.zeros(self.n_params)

    @property
    def tensors(self):
        """The weights as a 1 x p matrix and the bias as a vector: torch's ``nn.Linear(p, 1)``."""
        features = self.n_params - 1
        return ((slice(0, features), (features, 1)), (slice(features, features + 1), None))

    def _bounds_around(self, center):
        half = np.maximum(2.0, 1.25 * np.abs(center))
        return np.column_stack([center - half, center + half])

    def _batch(self, idx):
        return (self.A, self.y) if idx is None else (self.A.take(idx, axis=0), self.y.take(idx))


class LinearRegression(_Regression):
    """Mean squared error L(w, b) = mean((X·w + b − y)²), exactly torch.nn.MSELoss of the affine model.
    With ``degree`` k > 1 (one input x) the features are x, x², ..., x^k: the fit is w1·x + ... + wk·x^k + b.

    With A = [X, 1] and theta = (w, b) the full loss is a quadratic form in the sufficient statistics
    C = AᵀA/n and a = Aᵀy/n: L(theta) = L* + (theta − theta*)ᵀ C (theta − theta*), gradient 2·C·(theta − theta*),
    Hessian 2C, so the full loss, its gradient and every contour grid cost O(d²) per point, independent of n.
    theta* = argmin (least squares) and L* are found once, which also keeps the form free of cancellation.
    """

    name = "linear_regression"

    def __init__(self, dataset, degree: int = 1):
        super().__init__(dataset, degree)
        n = self.n_samples
        self.C = self.A.T @ self.A / n
        self.pass_work = float(self.n_params ** 2)  # the full loss from sufficient statistics, whatever n
        self.theta_star = np.linalg.lstsq(self.A, self.y, rcond=None)[0]
        residual = self.A @ self.theta_star - self.y
        self.min_loss = float(residual @ residual / n)
        self.minima = self.theta_star[None, :].copy()
        self.curvature = float(2.0 * np.linalg.eigvalsh(self.C)[-1])
        self.bounds = self._bounds_around(self.theta_star)

    def on_samples(self, dataset):
        return LinearRegression(dataset, self.degree)

    def predict(self, params):
        """The prediction X·w + b of every sample."""
        return self.A @ params

    def loss_and_grad(self, params, idx=None):
        if idx is None:
            return self.full_loss_and_grad(params)
        A, y = self.A.take(idx, axis=0), self.y.take(idx)  # take: a quarter of the cost of A[idx]
        m = y.shape[-1]
        if params.ndim == 1:  # the common case, kept free of axis bookkeeping (it is the per-step hot path)
            r = A @ params - y
            return (r @ r) / m, (2.0 / m) * (r @ A)
        if idx.ndim == 2:  # one batch per run: A (R, m, d); batched matmul is ~4x faster than einsum here
            r = (A @ params[:, :, None])[..., 0] - y
            return np.vecdot(r, r) / m, (2.0 / m) * (r[:, None, :] @ A)[:, 0]
        r = params @ A.T - y  # one batch shared by every run, the residuals (R, m) run by run (C order: ~15% faster
        return np.vecdot(r, r) / m, (2.0 / m) * (r @ A)  # than (m, R) and its transpose); vecdot: one call, not two

    def full_loss_and_grad(self, params):
        delta = params - self.theta_star
        if params.ndim == 1:
            c_delta = self.C @ delta
            return self.min_loss + delta @ c_delta, 2.0 * c_delta
        c_delta = delta @ self.C
        return self.min_loss + np.vecdot(delta, c_delta), 2.0 * c_delta

    def full_loss(self, params):
        delta = params - self.theta_star
        return self.min_loss + ((delta @ self.C) * delta).sum(axis=-1)

    def grid_loss(self, points):
        return self.full_loss(points)

    def curve(self, params, xs):
        """The fitted line w·x + b (degree k: the polynomial w1·x + ... + wk·x^k + b) over ``xs`` (one input)."""
        xs = np.asarray(xs, dtype=float)
        return polynomial_features(xs.reshape(-1), self.degree).reshape(*xs.shape, self.degree) @ params[:-1] \
            + params[-1]

    def hessian(self, params):
        """2C, the same everywhere: the loss is quadratic."""
        return 2.0 * self.C

    def per_sample_grads(self, params, idx):
        """∇ℓ_i = 2·(a_i·θ − y_i)·a_i for each sample i in ``idx``."""
        A = self.A.take(idx, axis=0)
        return 2.0 * (A @ params - self.y.take(idx))[:, None] * A


SEPARABLE = "the classes are separable: the loss has no minimum; it approaches 0 as |w| grows"
QUASI_SEPARABLE = ("the classes are separable except for samples on the separating line: the loss has no "
                   "minimum; it keeps decreasing as |w| grows")
NOT_SETTLED = "Newton's method found no minimum of the loss in 100 steps"


def logistic_minimum(A: np.ndarray, y: np.ndarray, iterations: int = 100) -> tuple[np.ndarray | None, str | None]:
    """The minimiser of L(θ) = mean(log(1 + e^z) − y·z), z = Aθ, by damped Newton from 0; or (None, why not).

    The minimiser exists unless the classes are (quasi-)separable. Separation is decided by a certificate, not
    by a small gradient (which fools any absolute test: on separable data the loss is 1e-12 after a few dozen
    steps): an iterate θ with s_i·(a_i·θ) > 0 for every sample (s_i = ±1 the class) separates the classes, and
    then L(tθ) -> 0 as t -> ∞ while L > 0 everywhere. The test allows for the rounding of a_i·θ, so a margin it
    accepts is positive in exact arithmetic. On overlapping classes no θ separates, L is strictly convex along
    the data and Newton's method converges (quadratically near the minimum) to steps below 1e-10·|θ|.
    Classes that overlap only on the separating line (quasi-complete separation) have no minimum either; Newton's
    iterates then grow without settling, and the answer says so."""
    n, d = A.shape
    signs = 2.0 * y - 1.0
    rounding = 4.0 * d * np.finfo(float).eps * np.abs(A)

    def loss(theta):
        z = A @ theta
        return float((log1pexp(z) - y * z).mean())

    theta = np.zeros(d)
    current = loss(theta)
    for _ in range(iterations):
        z = A @ theta
        if np.all(signs * z > rounding @ np.abs(theta)):
            return None, SEPARABLE
        # σ(z) − y and σ(z)(1 − σ(z)) from σ(±z): 1 − σ(z) would round to 0 for z > 37 and hide the gradient
        # of samples already well classified (all there is to see under quasi-complete separation)
        p, q = sigmoid(z), sigmoid(-z)
        grad = A.T @ np.where(y == 1, -q, p) / n
        hess = (A * (p * q)[:, None]).T @ A / n
        step = np.linalg.lstsq(hess, grad, rcond=None)[0]  # least squares: a constant or repeated feature
        if not np.all(np.isfinite(step)):                  # leaves a line of minimisers, not an error
            break
        if np.abs(step).max() <= 1e-10 * max(1.0, np.abs(theta).max()):
            theta = theta - step
            return (None, QUASI_SEPARABLE) if _quasi_separating(A, signs, theta) else (theta, None)
        t = 1.0  # backtrack while the loss rises (beyond rounding): far from the minimum a full step may overshoot
        while t > 1e-9 and not loss(theta - t * step) <= current + 1e-12 * abs(current):
            t /= 2
        theta = theta - t * step
        current = loss(theta)
    return None, NOT_SETTLED


def _quasi_separating(A: np.ndarray, signs: np.ndarray, theta: np.ndarray) -> bool:
    """Whether Newton's settled point is a stall on quasi-separable classes rather than a minimum.

    Newton's method stalls once the samples it classifies well have σ(−margin) below the rounding of the
    Hessian (margin s_i·(a_i·θ) > ~35). Let N be the samples with margin at most 25. If some direction v has
    A_N·v = 0 and a positive margin on every other sample, the loss is constant along v on N and strictly
    decreasing on the rest: no minimum. Otherwise the settled point is stationary for the loss of N up to terms
    below e^-25, which is strictly convex on the span of A_N, so it is the minimiser. v is tried as θ's
    component in the null space of A_N: along it Newton's iterates grew."""
    near = signs * (A @ theta) <= 25.0
    if near.all():
        return False
    v = theta
    if near.any():  # v = θ minus its part in the row space of A_N
        _, sv, vt = np.linalg.svd(A[near], full_matrices=False)
        row_space = vt[sv > max(A[near].shape) * np.finfo(float).eps * sv[0]]
        v = theta - row_space.T @ (row_space @ theta)
    far = ~near
    rounding = 4.0 * A.shape[1] * np.finfo(float).eps * (np.abs(A[far]) @ np.abs(v))
    substantial = np.linalg.norm(v) > 1e-8 * np.linalg.norm(theta)  # not just the rounding of the projection
    return bool(substantial and np.all(signs[far] * (A[far] @ v) > rounding))


class LogisticRegression(_Regression):
    """Mean binary cross-entropy on logits z = X·w + b, exactly torch.nn.BCEWithLogitsLoss:
    L = mean(log(1 + e^z) − y·z), gradient Aᵀ(σ(z) − y)/m. Labels: the two target values mapped to 0 and 1.

    When the classes are separable the loss has no minimum (it approaches 0 as |w| grows): ``minima`` is then
    empty, ``min_loss`` None and ``no_minimum`` says why (see :func:`logistic_minimum`).
    """

    name = "logistic_regression"
    _MAX_ELEMENTS = 4_000_000  # grid evaluation works in chunks of at most this many logits

    def __init__(self, dataset, labels: tuple[float, float] | None = None):
        per_sample = dataset.n_features + 1 + ELEMENTWISE_WORK
        self.pass_work = check_pass_work(dataset.n_samples, per_sample, "logistic regression")
        values = np.unique(dataset.y) if labels is None else np.array(labels)
        if len(values) != 2:
            raise ConfigError("data", f"logistic_regression needs targets with exactly two values (class labels); "
                                      f"this data has {len(values)} distinct target values")
        dataset = type(dataset)(dataset.X, (dataset.y == values[1]).astype(float), dataset.feature_names,
                                dataset.target_name)
        super().__init__(dataset)
        self.labels = tuple(float(v) for v in values)
        self.n_classes = 2
        self.theta_star, self.no_minimum = logistic_minimum(self.A, self.y)
        center = self.theta_star if self.theta_star is not None else np.zeros(self.n_params)
        self.minima = np.empty((0, self.n_params)) if self.theta_star is None else self.theta_star[None, :]
        self.min_loss = None if self.theta_star is None else float(self.full_loss(self.theta_star))
        self.bounds = self._bounds_around(center)

    def loss_and_grad(self, params, idx=None):
        A, y = self._batch(idx)
        if idx is not None and idx.ndim == 2:  # one batch per run: A (R, m, d)
            z = (A @ params[:, :, None])[..., 0]
            m = z.shape[1]
            return (log1pexp(z) - y * z).sum(axis=1) / m, ((sigmoid(z) - y)[:, None, :] @ A)[:, 0] / m
        z = A @ params.T
        if params.ndim == 2:
            y = y[:, None]
        m = len(A)
        loss = (log1pexp(z) - y * z).sum(axis=0) / m
        return loss, ((sigmoid(z) - y).T @ A) / m

    def full_loss(self, params):
        z = self.A @ params.T
        y = self.y if params.ndim == 1 else self.y[:, None]
        return (log1pexp(z) - y * z).sum(axis=0) / self.n_samples

    def hessian(self, params):
        """Aᵀ diag(p(1 − p)) A / n with p = σ(Aθ)."""
        p = sigmoid(self.A @ params)
        return (self.A * (p * (1 - p))[:, None]).T @ self.A / self.n_samples

    def per_sample_grads(self, params, idx):
        """∇ℓ_i = (σ(a_i·θ) − y_i)·a_i for each sample i in ``idx``."""
        A = self.A.take(idx, axis=0)
        return (sigmoid(A @ params) - self.y.take(idx))[:, None] * A

    def sample_classes(self):
        """0 for the first label, 1 for the second."""
        return self.y.astype(int)

    def on_samples(self, dataset):
        """The held-out samples keep the training samples' labels (they may hold only one class)."""
        return LogisticRegression(dataset, self.labels)

    def accuracy(self, params):
        """The fraction of samples on their class's side of the boundary: (a_i·θ > 0) == y_i."""
        z = self.A @ np.asarray(params).T
        y = self.y if z.ndim == 1 else self.y[:, None]
        return ((z > 0) == (y == 1)).mean(axis=0)

    def curve(self, params, xs):
        """P(label = 1) = sigma(w·x + b) over ``xs`` (one-feature data)."""
        return sigmoid(params[0] * np.asarray(xs) + params[-1])

    def boundary(self, params, x_range, y_range):
        """The decision boundary w·x + b = 0 in the plane of the first two features (the others at their means),
        clipped to the box, as (xs, ys)."""
        X = self.dataset.X
        bias = params[-1] + (X[:, 2:].mean(axis=0) @ params[2:-1] if X.shape[1] > 2 else 0.0)
        if not np.all(np.isfinite(params)):
            return np.empty(0), np.empty(0)
        return decision_line(params[:2], bias, x_range, y_range)

    def grid_loss(self, points):
        flat = points.reshape(-1, self.n_params)
        chunk = max(1, self._MAX_ELEMENTS // self.n_samples)
        out = np.concatenate([self.full_loss(flat[i:i + chunk]) for i in range(0, len(flat), chunk)])
        return out.reshape(points.shape[:-1])


REGRESSION_SPECS = (
    ProblemSpec("linear_regression", "Linear regression (MSE)", "data", "L = mean((X·w + b − y)²)",
                lambda config, dataset: LinearRegression(dataset, config.get("degree", 1)), default_data="linear",
                data_tasks=("regression", "classification"),
                params=(Param("degree", 1, "Polynomial degree k of the fit for one-input data: "
                                           "w1·x + ... + wk·x^k + b (1: a straight line).", kind=int, low=1,
                              high=MAX_DEGREE),)),
    ProblemSpec("logistic_regression", "Logistic regression (cross-entropy)", "data",
                "L = mean(log(1 + e^z) − y·z),  z = X·w + b",
                lambda config, dataset: LogisticRegression(dataset), default_data="blobs",
                data_tasks=("classification",), classifies=True),
)
