"""Central differences of an analytic gradient: the Hessian where a problem has no analytic one (the curvature
tools, Newton's method on a batch). Pure numerics, below every other module of gd_core."""

from __future__ import annotations

import numpy as np


def difference_step(params: np.ndarray, direction: np.ndarray) -> float:
    """A central-difference step h for moving ``params`` along ``direction``: about the cube root of the machine
    epsilon relative to their size, the step that balances truncation (h²) and rounding (ε/h) errors."""
    scale = max(1.0, float(np.linalg.norm(params)))
    return 6e-6 * scale / max(float(np.linalg.norm(direction)), 1e-300)


def finite_difference_hessian(gradient, params: np.ndarray) -> np.ndarray:
    """Central differences of ``gradient`` (points (k, d) -> gradients (k, d)) at ``params`` (d,), symmetrised:
    H[:, j] = (g(θ + h e_j) − g(θ − h e_j)) / 2h, every column from one batched pass."""
    d = len(params)
    h = difference_step(params, np.ones(1))
    g_plus = gradient(params + h * np.eye(d))  # (d, d): one batched pass for all columns
    g_minus = gradient(params - h * np.eye(d))
    H = (g_plus - g_minus) / (2 * h)
    return 0.5 * (H + H.T)
