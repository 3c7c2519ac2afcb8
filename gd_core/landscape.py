"""Loss surfaces for plotting: contour grids over a pair of parameters, and the stability bound."""

from __future__ import annotations

import numpy as np

from .problems import Problem


def loss_grid(problem: Problem, x_range, y_range, resolution: int = 120, pair=(0, 1), anchor=None):
    """The full loss on a resolution x resolution grid over two parameters, the others held at ``anchor``.

    Returns ``(xs, ys, Z)`` with ``Z[i, j]`` the loss at parameter ``pair[0] = xs[j]``, ``pair[1] = ys[i]``.
    Linear regression evaluates it from sufficient statistics: O(d^2) per point, whatever the dataset size.
    """
    xs = np.linspace(*x_range, resolution)
    ys = np.linspace(*y_range, resolution)
    base = problem.default_init if anchor is None else np.asarray(anchor, dtype=float)
    points = np.broadcast_to(base, (resolution, resolution, problem.n_params)).copy()
    points[:, :, pair[0]] = xs[None, :]
    points[:, :, pair[1]] = ys[:, None]
    return xs, ys, problem.grid_loss(points)


def stability_bound(problem: Problem) -> float | None:
    """2/L, the largest stable learning rate of plain full-batch gradient descent on a quadratic loss
    (L = largest Hessian eigenvalue); None where the loss is not quadratic."""
    return problem.stability_bound


def display_surface(Z: np.ndarray) -> np.ndarray:
    """A loss grid mapped for colouring: log10(1 + (Z - min Z)) - even spacing of colour across decades, so
    narrow valleys (Rosenbrock, Beale) and wide bowls both show their shape. Non-finite values become the max."""
    finite = np.isfinite(Z)
    if not finite.any():
        return np.zeros_like(Z, dtype=float)
    low = Z[finite].min()
    out = np.log10(1.0 + (np.where(finite, Z, Z[finite].max()) - low))
    return out


def contour_levels(surface: np.ndarray, count: int = 12) -> np.ndarray:
    """``count`` evenly spaced iso-levels strictly inside the range of a display surface."""
    low, high = float(surface.min()), float(surface.max())
    if not high > low:
        return np.empty(0)
    return np.linspace(low, high, count + 2)[1:-1]


def display_stride(n_rows: int, max_points: int) -> int:
    """Every how many rows to draw so that at most about ``max_points`` are drawn (1 = every row)."""
    return max(1, -(-n_rows // max_points))
