"""Classical methods no torch.optim class covers, for teaching: damped Newton, the Polyak step, nonlinear conjugate
gradients (Polak-Ribière+) and the Armijo backtracking line search of plain gradient descent.

They read more than the gradient: the step's batch loss, trial points, the Hessian (through the pipeline's
:class:`gd_core.pipeline.Objective`, which counts every evaluation), or the minimum value f* (from the problem).
The trial points of a step are kept in the state (``trials``, (k, d)) so that views can draw them.

Hessians: analytic for the 2D functions and the regressions (:mod:`gd_core.curvature`); for the network, the
exact Hessian by central differences of its analytic (backpropagated) gradient - not the Gauss-Newton matrix, so
Newton's method there sees the negative curvature too (and, undamped, steps towards saddle points).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, NamedTuple

import numpy as np

from .. import stability
from ..optimizers import OPTIMIZERS, Explanation, OptimizerSpec, StepInputs, _lr, _plain_update, _sgd_init, register
from ..spec import MAX_MAGNITUDE, Param
from .line_search import strong_wolfe

#: Backtracking gives up after this many trials (the step is then 0: the parameters stay).
MAX_TRIALS = 60


def _sum_sq(vectors: np.ndarray) -> np.ndarray:
    """‖v‖² of each run's vector (kept as the last axis)."""
    return (vectors * vectors).sum(axis=-1, keepdims=True)


def lr_column(lr, shape) -> np.ndarray:
    """The rate of each run, shaped like a per-run scalar (lr: a float or an (R, 1) column)."""
    return np.broadcast_to(np.asarray(lr, dtype=float).reshape(-1) if np.ndim(lr) else lr, shape)


# --- Armijo backtracking, the line search of plain gradient descent ----------------------------------------------
class ArmijoState(NamedTuple):
    count: int
    velocity: Any  # unused (plain gradient descent's state has it)
    step_size: Any  # the accepted step gamma_t of the latest step, per run (0: none accepted)
    trials: Any  # every trial point of the latest step (k, d); a group: (k, R, d), NaN once a run has accepted


def _plain_init(params, hp):
    if hp.get("line_search") is None:
        return _sgd_init(params, hp)
    return ArmijoState(0, np.zeros_like(params, dtype=float), np.zeros(params.shape[:-1]),
                       np.empty((0, *params.shape)))


def armijo(grad, state, params, lr, hp, objective):
    """gamma_t = gamma·shrinkᵏ for the first k = 0, 1, ... with L(theta − gamma_t·g) <= L(theta) − c·gamma_t·‖g‖²
    (sufficient decrease along −g); theta <- theta − gamma_t·g. L is the step's batch loss (plus the L2 penalty
    lambda/2·‖theta‖² when weight_decay is set, whose gradient the rule is given). Each run of a group backtracks on
    its own; a run with no accepted trial in MAX_TRIALS keeps its parameters."""
    c, shrink = hp["line_search"]["c"], hp["line_search"]["shrink"]
    decay = hp.get("weight_decay", 0.0)
    runs = params.shape[:-1]

    def value(points, loss):
        loss = np.reshape(loss, runs)
        return loss + 0.5 * decay * _sum_sq(points)[..., 0] if np.any(decay) else loss

    start = value(params, objective.loss)
    slope = _sum_sq(grad)[..., 0]
    step = lr_column(lr, runs).copy()
    accepted, counts = np.zeros(runs, dtype=bool), np.zeros(runs, dtype=int)
    new, trials = params.copy(), []
    for _ in range(MAX_TRIALS):
        trial = params - step[..., None] * grad
        trials.append(np.where(accepted[..., None], np.nan, trial))
        counts += ~accepted
        ok = value(trial, objective(trial)[0]) <= start - c * step * slope
        new = np.where((ok & ~accepted)[..., None], trial, new)
        accepted |= ok
        if accepted.all():
            break
        step = np.where(accepted, step, step * shrink)
    step = np.where(accepted, step, 0.0)
    objective.count = counts if runs else int(counts)
    return new, ArmijoState(state.count + 1, state.velocity, step, np.array(trials))


def _plain_step(grad, state, params, lr, hp, objective=None):
    """theta <- theta − gamma·g; with a line search, gamma_t from :func:`armijo`."""
    if hp.get("line_search") is None:
        return _plain_update(grad, state, params, lr, hp)
    return armijo(grad, state, params, lr, hp, objective)


def _explain_plain(q: StepInputs) -> Explanation:
    state = q.state
    if not isinstance(state, ArmijoState):
        return Explanation([], q.lr, q.grad)
    step = np.reshape(state.step_size, np.shape(q.grad)[:-1] + (1,))
    return Explanation([("trials k", int(np.sum(~np.isnan(state.trials[..., 0])))),
                        ("accepted γₜ = γ·shrinkᵏ⁻¹", state.step_size),
                        ("decrease asked c·γₜ·‖g‖²",
                         q.hp["line_search"]["c"] * state.step_size * np.sum(q.grad * q.grad, axis=-1))],
                       step, q.grad)


LINE_SEARCH = Param(
    "line_search", None, "Armijo backtracking: try gamma, then shrink it until the loss decreases enough.",
    kind=dict, fields=(
        Param("c", 1e-4, "Sufficient decrease c: accept when L(theta - t*g) <= L(theta) - c*t*|g|^2.", low=0.0,
              low_open=True, high=1.0, high_open=True),
        Param("shrink", 0.5, "Factor that shrinks a rejected trial step.", low=0.0, low_open=True, high=1.0,
              high_open=True)))


# --- Newton -----------------------------------------------------------------------------------------------------
class NewtonState(NamedTuple):
    count: int
    eigenvalues: Any  # of the Hessian at the latest step's parameters, ascending
    direction: Any  # (H + lambda·I)⁻¹·g


def _newton_init(params, hp):
    return NewtonState(0, np.full(params.shape[-1], np.nan), np.zeros_like(params, dtype=float))


def _newton_update(grad, state, params, lr, hp, objective):
    """theta <- theta − gamma·(H + lambda·I)⁻¹·g with H the Hessian of the step's loss at theta (see the module
    doc). On a quadratic, gamma = 1 and lambda = 0 reach its stationary point in one step."""
    H = objective.hessian(params)
    d = len(params)
    with np.errstate(all="ignore"):
        system = H + hp["damping"] * np.eye(d)
        if np.all(np.isfinite(system)):
            try:
                direction = np.linalg.solve(system, grad)
            except np.linalg.LinAlgError:  # singular: the least-norm solution
                direction = np.linalg.lstsq(system, grad, rcond=None)[0]
            eigenvalues = np.linalg.eigvalsh(H)
        else:  # a diverging run: let the loss report it
            direction, eigenvalues = np.full(d, np.nan), np.full(d, np.nan)
    return params - lr * direction, NewtonState(state.count + 1, eigenvalues, direction)


def _explain_newton(q: StepInputs) -> Explanation:
    state = q.state
    rows = [("λ(H) (eigenvalues)", state.eigenvalues)]
    if q.hp["damping"]:
        rows += [("λ(H) + damping", state.eigenvalues + q.hp["damping"])]
    return Explanation(rows + [(f"{_inverse(q.hp)}·g", state.direction)], q.lr, state.direction)


# --- Polyak -----------------------------------------------------------------------------------------------------
class PolyakState(NamedTuple):
    count: int
    f_star: float  # the problem's minimum value
    step_size: Any  # gamma·(f − f*)/‖g‖² of the latest step


def _polyak_init(params, hp, problem=None):
    return PolyakState(0, float(problem.min_loss), np.zeros(params.shape[:-1]))


def _polyak_update(grad, state, params, lr, hp, objective):
    """theta <- theta − gamma·(f − f*)/‖g‖²·g, with f the step's loss and f* the minimum (no step where g = 0;
    a loss below f*, as a batch's can be, takes no step). On a μ-strongly convex, L-smooth loss it shrinks
    ‖theta − theta*‖² by at least the factor 1 − μ/(4L) each step (gamma = 1)."""
    gap = np.maximum(np.reshape(objective.loss, params.shape[:-1]) - state.f_star, 0.0)
    norm_sq = _sum_sq(grad)[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(norm_sq > 0, lr_column(lr, gap.shape) * gap / norm_sq, 0.0)
    return params - step[..., None] * grad, PolyakState(state.count + 1, state.f_star, step)


def _explain_polyak(q: StepInputs) -> Explanation:
    step = q.state.step_size
    return Explanation([("f*", q.state.f_star), ("step size γ·(f − f*)/‖g‖²", step)],
                       np.reshape(step, np.shape(q.grad)[:-1] + (1,)), q.grad)


# --- nonlinear conjugate gradients ------------------------------------------------------------------------------
class CGState(NamedTuple):
    count: int
    direction: Any  # the latest direction d
    grad: Any  # the gradient it was taken at
    step_length: Any  # the latest line search's t
    slope: Any  # gᵀd of the latest step
    beta: Any  # the latest Polak-Ribière+ coefficient (0: a restart along −g)
    trials: Any  # every point the latest line search evaluated (k, d)


def _cg_init(params, hp):
    return CGState(0, None, None, None, None, 0.0, np.empty((0, params.shape[-1])))


def _cg_update(grad, state, params, lr, hp, objective):
    """beta = max(0, gᵀ(g − g_prev)/‖g_prev‖²) (Polak-Ribière+); d = −g + beta·d_prev (−g at the start, or when d
    would not descend); theta <- theta + t·d with t from a strong-Wolfe line search (c1, c2) starting at
    gamma·min(1, 1/‖g‖₁) on the first step and at t_prev·(g_prevᵀd_prev)/(gᵀd) after (Nocedal & Wright 3.60)."""
    beta = 0.0
    if state.direction is None or not state.grad @ state.grad:
        direction = -grad
    else:
        beta = max(0.0, float(grad @ (grad - state.grad)) / float(state.grad @ state.grad))
        direction = -grad + beta * state.direction
        if grad @ direction >= 0:
            direction, beta = -grad, 0.0
    slope = float(grad @ direction)
    if not slope < 0:  # a zero gradient: nothing to do
        return params, CGState(state.count + 1, direction, grad, 0.0, slope, beta, np.array([params]))
    if state.direction is None or not state.step_length:
        t = min(1.0, 1.0 / float(np.abs(grad).sum())) * lr
    else:
        t = state.step_length * state.slope / slope
    trials = [params]

    def evaluate(point):
        trials.append(point)
        return objective(point)

    _, _, t, _ = strong_wolfe(evaluate, params, t, direction, float(objective.loss), grad, slope, hp["c1"],
                              hp["c2"], hp["tolerance_change"], hp["max_ls"])
    return params + t * direction, CGState(state.count + 1, direction, grad, t, slope, beta, np.array(trials))


def _explain_cg(q: StepInputs) -> Explanation:
    state = q.state
    return Explanation([("β (Polak-Ribière+)", state.beta), ("d", state.direction),
                        ("line search t", state.step_length), ("evaluations in this step", len(state.trials))],
                       state.step_length, -state.direction)


ARMIJO_TEXT = "line search: γₜ = γ·shrinkᵏ, the first k with L(θ − γₜ·g) ≤ L(θ) − c·γₜ·‖g‖²"
PLAIN_TEXT = OPTIMIZERS["plain"].formula


def _inverse(hp: dict) -> str:
    """The inverse the rule applies, as its formula and its row of numbers write it (λ: the damping)."""
    return "(H + λI)⁻¹" if hp["damping"] else "H⁻¹"


def _newton_formula(hp: dict) -> str:
    return f"θ ← θ − γ·{_inverse(hp)}·g   (H: the Hessian of the step's loss)"


def _newton_used(hp: dict, lr: float) -> str:
    """What a Newton step used: not a learning rate of gradient descent's meaning - γ scales the step to the local
    quadratic model's minimum, and the damping λ shortens it where the Hessian is nearly singular."""
    return f"Newton steps γ·{_inverse(hp)}·g with γ = {lr:.4g}, damping λ = {hp['damping']:g}"


ROWS = (
    replace(OPTIMIZERS["plain"], params=(*OPTIMIZERS["plain"].params, LINE_SEARCH), init=_plain_init,
            update=_plain_step, evaluates=lambda hp: hp.get("line_search") is not None, explain=_explain_plain,
            formula=f"{PLAIN_TEXT}\n{ARMIJO_TEXT}",
            formula_for=lambda hp: f"{PLAIN_TEXT}\n{ARMIJO_TEXT}" if hp.get("line_search") else PLAIN_TEXT,
            stability=stability.line_search),
    OptimizerSpec(
        "newton", "Newton's method (damped)", "Steps to the minimum of the local quadratic model: the gradient "
                                              "scaled by the inverse Hessian. One step on a quadratic.",
        "θ ← θ − γ·(H + λI)⁻¹·g   (H: the Hessian of the step's loss)", "Newton-Raphson; no torch.optim class",
        (_lr(1.0), Param("damping", 0.0, "Damping lambda added to the Hessian's diagonal (Levenberg): shorter, "
                                         "safer steps, towards gradient descent with rate 1/lambda.", low=0.0,
                         high=MAX_MAGNITUDE)),
        _newton_init, _newton_update, evaluates=True, vectorised=False, explain=_explain_newton,
        formula_for=_newton_formula, stability=stability.newton, used=_newton_used),
    OptimizerSpec(
        "polyak", "Polyak step size", "Gradient descent whose step size is the gap to the known minimum over the "
                                      "squared gradient norm: no rate to tune, where f* is known.",
        "θ ← θ − γ·(f − f*)/‖g‖²·g", "Polyak 1969; no torch.optim class",
        (_lr(1.0),), _polyak_init, _polyak_update, evaluates=True, needs=("min_loss",), explain=_explain_polyak,
        stability=stability.constant(stability.POLYAK)),
    OptimizerSpec(
        "cg", "Conjugate gradients (PR+)", "Nonlinear conjugate gradients: each direction mixes the new gradient "
                                           "with the previous direction (Polak-Ribière+), and a line search picks "
                                           "the step.",
        "β = max(0, gᵀ(g − g_prev)/‖g_prev‖²);  d ← −g + β·d\nθ ← θ + t·d,  t: strong-Wolfe line search",
        "Fletcher-Reeves 1964, Polak-Ribière 1969; no torch.optim class",
        (_lr(1.0),
         Param("c1", 1e-4, "Sufficient-decrease constant c1 of the line search.", low=0.0, low_open=True, high=1.0,
               high_open=True),
         Param("c2", 0.1, "Curvature constant c2 of the line search (0.1: close to an exact search).", low=0.0,
               low_open=True, high=1.0, high_open=True),
         Param("max_ls", 25, "Most evaluations of a line search.", kind=int, low=1, high=1000),
         Param("tolerance_change", 1e-9, "The line search stops once its bracket is narrower than this.", low=0.0,
               high=MAX_MAGNITUDE)),
        _cg_init, _cg_update, evaluates=True, vectorised=False, explain=_explain_cg,
        stability=stability.constant(stability.LINE_SEARCH)),
)

register(ROWS)
