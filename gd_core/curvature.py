"""Second-order information about a problem's loss: Hessians, Hessian-vector products, the sharpness (the largest
Hessian eigenvalue) and the gradient noise scale.

* Hessians are analytic where a problem provides ``hessian(params)`` (the 2D functions, linear and logistic
  regression); otherwise they are central differences of the analytic gradient, one column per parameter:
  H[:, j] = (g(θ + h e_j) − g(θ − h e_j)) / 2h.
* A Hessian-vector product is ``hessian @ v`` where the Hessian is analytic, else the central difference
  H v ≈ (g(θ + h v) − g(θ − h v)) / 2h of the analytic gradient: two gradient passes, whatever the size.
* The sharpness λ_max(H) is exact (``numpy.linalg.eigvalsh``) for an analytic Hessian, and otherwise found by
  the Lanczos iteration on Hessian-vector products with full reorthogonalisation (exact in exact arithmetic once
  the Krylov space spans every direction; the top eigenvalue converges long before on larger networks).
* The gradient noise scale (McCandlish et al., "An Empirical Model of Large-Batch Training", 2018) is
  B_simple = tr(Σ) / |G|², with G the full gradient and Σ = (1/n) Σ_i (g_i − G)(g_i − G)ᵀ the covariance of the
  per-sample gradients g_i. A batch of B samples has gradient noise tr(Σ)/B, as large as the signal |G|² when B
  equals B_simple: below it a larger batch still speeds up the steps; above it, it mostly costs samples.
"""

from __future__ import annotations

import math

import numpy as np

from .differences import difference_step, finite_difference_hessian
from .problems import Problem

#: Without an analytic Hessian, up to this many parameters the sharpness comes from the dense finite-difference
#: Hessian (one batched gradient pass); above it, from Lanczos on Hessian-vector products.
MAX_DENSE_PARAMS = 100
#: Lanczos iterations for the sharpness (fewer when the problem has fewer parameters).
LANCZOS_STEPS = 40
#: Per-sample gradients are formed at most this many samples at a time ...
SAMPLE_CHUNK = 2048
#: ... and at most this many values (chunk x parameters) at once: 32 MB, whatever the network's size.
CHUNK_VALUES = 2**22


def _problem(config_or_problem) -> Problem:
    if isinstance(config_or_problem, Problem):
        return config_or_problem
    from .config import build_problem, validate
    return build_problem(validate(config_or_problem))


def _gradient(problem: Problem, params: np.ndarray) -> np.ndarray:
    return problem.full_loss_and_grad(params)[1]


def hessian(problem: Problem, params) -> np.ndarray:
    """The Hessian of the full loss at ``params`` (d, d): analytic where the problem has one, else central
    differences of the analytic gradient (symmetrised)."""
    params = np.asarray(params, dtype=float)
    if problem.can("hessian"):
        return np.asarray(problem.hessian(params), dtype=float)
    return finite_difference_hessian(lambda points: problem.full_loss_and_grad(points)[1], params)


def hvp(problem: Problem, params, vector) -> np.ndarray:
    """H v at ``params``: exact with an analytic Hessian, else a central difference of two gradients."""
    params, vector = np.asarray(params, dtype=float), np.asarray(vector, dtype=float)
    if problem.can("hessian"):
        return problem.hessian(params) @ vector
    h = difference_step(params, vector)
    both = problem.full_loss_and_grad(np.stack([params + h * vector, params - h * vector]))[1]
    return (both[0] - both[1]) / (2 * h)


def lanczos_extremes(matvec, d: int, steps: int, seed: int = 0) -> tuple[float, float]:
    """The smallest and largest Ritz values of a symmetric operator after ``steps`` Lanczos iterations (full
    reorthogonalisation; stops early when the Krylov space is exhausted)."""
    rng = np.random.default_rng(seed)
    q = rng.standard_normal(d)
    q /= np.linalg.norm(q)
    basis, alphas, betas = [q], [], []
    for k in range(min(steps, d)):
        w = matvec(basis[-1])
        alpha = float(basis[-1] @ w)
        alphas.append(alpha)
        Q = np.array(basis)
        w = w - Q.T @ (Q @ w)  # full reorthogonalisation, twice ("twice is enough")
        w = w - Q.T @ (Q @ w)
        beta = float(np.linalg.norm(w))
        if k == min(steps, d) - 1 or beta <= 1e-12 * max(1.0, abs(alpha)):
            break
        betas.append(beta)
        basis.append(w / beta)
    T = np.diag(alphas) + np.diag(betas[:len(alphas) - 1], 1) + np.diag(betas[:len(alphas) - 1], -1)
    ritz = np.linalg.eigvalsh(T)
    return float(ritz[0]), float(ritz[-1])


def sharpness(config_or_problem, params) -> float:
    """λ_max, the largest eigenvalue of the Hessian of the full training loss at ``params``.

    Plain gradient descent with learning rate η is stable on a quadratic only while η < 2/λ_max; full-batch
    training of networks tends to drive λ_max up to 2/η and hover there (the edge of stability)."""
    problem = _problem(config_or_problem)
    params = np.asarray(params, dtype=float)
    d = len(params)
    if problem.can("hessian") or d <= MAX_DENSE_PARAMS:
        return float(np.linalg.eigvalsh(hessian(problem, params))[-1])
    return lanczos_extremes(lambda v: hvp(problem, params, v), d, LANCZOS_STEPS)[1]


def per_sample_grads(problem: Problem, params, idx: np.ndarray) -> np.ndarray:
    """The gradient of each sample's own loss ℓ_i at ``params``, one row per index in ``idx`` (m, d):
    vectorised where the problem provides ``per_sample_grads``, else one single-sample pass each."""
    params = np.asarray(params, dtype=float)
    if problem.can("per_sample_grads"):
        return problem.per_sample_grads(params, idx)
    return np.array([problem.loss_and_grad(params, np.array([i]))[1] for i in idx])


def gradient_noise_scale(config_or_problem, params) -> float:
    """B_simple = tr(Σ) / |G|² over the training samples (see the module doc); inf where G = 0, NaN without
    samples (a function of x and y has no per-sample gradients)."""
    problem = _problem(config_or_problem)
    if problem.dataset is None:
        return math.nan
    params = np.asarray(params, dtype=float)
    G = _gradient(problem, params)
    n = problem.n_samples
    chunk = max(1, min(SAMPLE_CHUNK, CHUNK_VALUES // problem.n_params))
    spread = 0.0
    for start in range(0, n, chunk):
        g = per_sample_grads(problem, params, np.arange(start, min(n, start + chunk)))
        spread += float(((g - G) ** 2).sum())
    signal = float(G @ G)
    return spread / n / signal if signal > 0 else math.inf


def sharpness_work(problem: Problem) -> float:
    """The units of work (see :data:`gd_core.problems.base.MAX_PASS_WORK`) of one :func:`sharpness`: a pass per
    parameter for an analytic or dense Hessian (none where the Hessian is constant), else two per Lanczos step."""
    d = problem.n_params
    if problem.can("hessian"):
        return 0.0 if problem.curvature is not None else problem.pass_work * d
    passes = 2 * d if d <= MAX_DENSE_PARAMS else 2 * min(LANCZOS_STEPS, d)
    return problem.pass_work * passes


def noise_scale_work(problem: Problem) -> float:
    """The units of work of one :func:`gradient_noise_scale`: the full gradient and the per-sample gradients
    (two passes over the data, and their n x d values formed one by one)."""
    if problem.dataset is None:
        return 0.0
    return 2.0 * problem.pass_work + problem.n_samples * problem.n_params
