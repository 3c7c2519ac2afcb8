"""Classic two-parameter test functions with analytic gradients (params ``x``, ``y``; no data)."""

from __future__ import annotations

import math

import numpy as np

from ..spec import MAX_MAGNITUDE, Param
from .base import Problem, ProblemSpec


def quadratic(x, y, kappa=10.0):
    """0.5*(x^2 + kappa*y^2); gradient (x, kappa*y); Hessian diag(1, kappa)."""
    return 0.5 * (x * x + kappa * y * y), (x, kappa * y)


def quadratic_hessian(x, y, kappa=10.0):
    return 1.0, 0.0, kappa


def rosenbrock(x, y):
    """(1-x)^2 + 100*(y-x^2)^2; gradient (-2(1-x) - 400x(y-x^2), 200(y-x^2))."""
    r = y - x * x
    return (1 - x) ** 2 + 100 * r * r, (-2 * (1 - x) - 400 * x * r, 200 * r)


def rosenbrock_hessian(x, y):
    """f_xx = 2 − 400(y − x²) + 800x², f_xy = −400x, f_yy = 200."""
    return 2 - 400 * (y - x * x) + 800 * x * x, -400 * x, 200.0


def beale(x, y):
    """(1.5-x+xy)^2 + (2.25-x+xy^2)^2 + (2.625-x+xy^3)^2; minimum 0 at (3, 0.5)."""
    a1, a2, a3 = 1.5 - x + x * y, 2.25 - x + x * y * y, 2.625 - x + x * y**3
    gx = 2 * (a1 * (y - 1) + a2 * (y * y - 1) + a3 * (y**3 - 1))
    gy = 2 * x * (a1 + 2 * a2 * y + 3 * a3 * y * y)
    return a1 * a1 + a2 * a2 + a3 * a3, (gx, gy)


def beale_hessian(x, y):
    """With a_k = c_k − x + x·y^k: f_xx = 2Σ(y^k − 1)², f_xy = 2Σ k·y^(k−1)·(x(y^k − 1) + a_k),
    f_yy = 2Σ ((k·x·y^(k−1))² + a_k·k(k−1)·x·y^(k−2))."""
    fxx = fxy = fyy = 0.0
    for k, c in ((1, 1.5), (2, 2.25), (3, 2.625)):
        a = c - x + x * y**k
        dy = k * x * y ** (k - 1)
        fxx = fxx + 2 * (y**k - 1) ** 2
        fxy = fxy + 2 * (dy * (y**k - 1) + a * k * y ** (k - 1))
        fyy = fyy + 2 * (dy * dy + (a * k * (k - 1) * x * y ** (k - 2) if k > 1 else 0.0))
    return fxx, fxy, fyy


def himmelblau(x, y):
    """(x^2+y-11)^2 + (x+y^2-7)^2; four minima of value 0."""
    a, b = x * x + y - 11, x + y * y - 7
    return a * a + b * b, (4 * x * a + 2 * b, 2 * a + 4 * y * b)


def himmelblau_hessian(x, y):
    """f_xx = 4a + 8x² + 2, f_xy = 4(x + y), f_yy = 4b + 8y² + 2 with a = x² + y − 11, b = x + y² − 7."""
    a, b = x * x + y - 11, x + y * y - 7
    return 4 * a + 8 * x * x + 2, 4 * (x + y), 4 * b + 8 * y * y + 2


def booth(x, y):
    """(x+2y-7)^2 + (2x+y-5)^2; minimum 0 at (1, 3); Hessian [[10, 8], [8, 10]]."""
    a, b = x + 2 * y - 7, 2 * x + y - 5
    return a * a + b * b, (2 * a + 4 * b, 4 * a + 2 * b)


def booth_hessian(x, y):
    return 10.0, 8.0, 10.0


def rastrigin(x, y):
    """20 + x^2 - 10cos(2 pi x) + y^2 - 10cos(2 pi y) (A = 10); many local minima, global 0 at (0, 0)."""
    tau = 2 * math.pi
    value = 20 + x * x - 10 * np.cos(tau * x) + y * y - 10 * np.cos(tau * y)
    return value, (2 * x + 10 * tau * np.sin(tau * x), 2 * y + 10 * tau * np.sin(tau * y))


def rastrigin_hessian(x, y):
    """f_xx = 2 + 10·(2π)²·cos 2πx, f_yy likewise in y, f_xy = 0."""
    tau = 2 * math.pi
    return 2 + 10 * tau * tau * np.cos(tau * x), 0.0, 2 + 10 * tau * tau * np.cos(tau * y)


def saddle(x, y):
    """x^2 - y^2: a saddle point at (0, 0), unbounded below along y."""
    return x * x - y * y, (2 * x, -2 * y)


def saddle_hessian(x, y):
    return 2.0, 0.0, -2.0


#: Each function's Hessian as (f_xx, f_xy, f_yy) of x and y.
HESSIANS = {quadratic: quadratic_hessian, rosenbrock: rosenbrock_hessian, beale: beale_hessian,
            himmelblau: himmelblau_hessian, booth: booth_hessian, rastrigin: rastrigin_hessian,
            saddle: saddle_hessian}


class Function2D(Problem):
    """A two-parameter function f(x, y). The variant is irrelevant: there are no samples (n = 1)."""

    param_names = ("x", "y")
    n_samples = 1

    def __init__(self, name, fn, bounds, start, minima, curvature=None, min_loss=0.0, **settings):
        self.name = name
        self._fn = fn
        self._settings = settings
        self.bounds = np.array(bounds, dtype=float)
        self.default_init = np.array(start, dtype=float)
        self.minima = np.array(minima, dtype=float).reshape(-1, 2)
        self.curvature = curvature
        self.min_loss = min_loss

    def loss_and_grad(self, params, idx=None):
        x, y = params[..., 0], params[..., 1]
        value, (gx, gy) = self._fn(x, y, **self._settings)
        grad = np.empty(params.shape)
        grad[..., 0] = gx
        grad[..., 1] = gy
        return value, grad

    def grid_loss(self, points):
        return self._fn(points[..., 0], points[..., 1], **self._settings)[0]

    def hessian(self, params):
        """The analytic Hessian [[f_xx, f_xy], [f_xy, f_yy]] at ``params`` (2,); inf or NaN where it leaves the float
        range (a far start: Python's float power raised OverflowError from Beale's y**k at y = 1e77)."""
        x, y = np.float64(params[0]), np.float64(params[1])
        with np.errstate(over="ignore", invalid="ignore"):
            fxx, fxy, fyy = HESSIANS[self._fn](x, y, **self._settings)
        return np.array([[fxx, fxy], [fxy, fyy]], dtype=float)


_HIMMELBLAU_MINIMA = [(3.0, 2.0), (-2.805118086952745, 3.131312518250573),
                      (-3.779310253377747, -3.283185991286170), (3.584428340330492, -1.848126526964404)]


def _spec(name, title, formula, fn, bounds, start, minima, curvature=None, min_loss=0.0, params=()):
    def build(config, dataset=None):
        settings = {p.name: config[p.name] for p in params}
        L = curvature(**settings) if callable(curvature) else curvature
        return Function2D(name, fn, bounds, start, minima, L, min_loss, **settings)
    return ProblemSpec(name, title, "function", formula, build, params)


FUNCTION_SPECS = (
    _spec("quadratic", "Quadratic bowl", "f = ½·(x² + κ·y²)", quadratic, [(-3, 3), (-3, 3)], (-2.5, 2.0),
          [(0, 0)], curvature=lambda kappa: max(1.0, kappa),
          params=(Param("kappa", 10.0, "Condition number kappa: the curvature along y relative to x.",
                        low=0.0, low_open=True, high=MAX_MAGNITUDE, log=True),)),
    _spec("rosenbrock", "Rosenbrock's valley", "f = (1 − x)² + 100·(y − x²)²", rosenbrock,
          [(-2, 2), (-1, 3)], (-1.2, 1.0), [(1, 1)]),
    _spec("beale", "Beale", "f = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²", beale,
          [(-4.5, 4.5), (-4.5, 4.5)], (1.0, 1.5), [(3, 0.5)]),
    _spec("himmelblau", "Himmelblau", "f = (x² + y − 11)² + (x + y² − 7)²", himmelblau,
          [(-5, 5), (-5, 5)], (0.0, 0.0), _HIMMELBLAU_MINIMA),
    _spec("booth", "Booth", "f = (x + 2y − 7)² + (2x + y − 5)²", booth, [(-10, 10), (-10, 10)], (-8.0, -6.0),
          [(1, 3)], curvature=18.0),
    _spec("rastrigin", "Rastrigin", "f = 20 + x² − 10·cos 2πx + y² − 10·cos 2πy", rastrigin,
          [(-5.12, 5.12), (-5.12, 5.12)], (2.6, -3.3), [(0, 0)]),
    _spec("saddle", "Saddle", "f = x² − y²", saddle, [(-2, 2), (-2, 2)], (-1.5, 0.01), [], min_loss=None),
)
