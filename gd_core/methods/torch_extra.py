"""torch.optim's further algorithms - RAdam, Rprop, ASGD, Adafactor, LBFGS and Muon - as registry rows.

Each rule follows its class in torch/optim (torch 2.13, the single-tensor path ``foreach=False``) branch for
branch and, where it matters, in the same order of floating-point operations, so that float64 trajectories equal
PyTorch's (tests/golden/torch_optim.json). Rules take a leading run axis like the others, except LBFGS, whose
iterations and line search branch per run (its runs advance one by one).

Where torch keeps state per tensor (Adafactor's scale and factored moments, Muon's matrices), GD Lab cuts the flat
parameter vector into the tensors the problem declares (:attr:`gd_core.problems.Problem.tensors`): one vector for
the 2D functions and regressions, each layer's weight matrix and bias for the network, as ``nn.Linear`` holds them
(its weight is the transpose of W, fan_out x fan_in).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .. import stability
from ..optimizers import (
    BETA1,
    BETA2,
    MOMENTUM,
    WEIGHT_DECAY,
    AdamState,
    Explanation,
    OptimizerSpec,
    StepInputs,
    _adam_update,
    _eps,
    _lr,
    _zeros,
    decoupled_weight_decay,
    lerp,
    register,
)
from ..spec import MAX_MAGNITUDE, Param
from .line_search import strong_wolfe


def _torch_view(flat: np.ndarray, part: slice, shape: tuple[int, int]) -> np.ndarray:
    """A weight matrix W (fan_in x fan_out, row-major in the flat vector) as torch holds it: Wᵀ (fan_out x fan_in),
    with the run axis in front."""
    fan_in, fan_out = shape
    return np.swapaxes(flat[..., part].reshape(*flat.shape[:-1], fan_in, fan_out), -1, -2)


def _flat(matrix: np.ndarray) -> np.ndarray:
    """A torch-layout matrix (..., fan_out, fan_in) back to the flat layout of W (..., fan_in*fan_out)."""
    return np.swapaxes(matrix, -1, -2).reshape(*matrix.shape[:-2], -1)


def _norm(values: np.ndarray, axes) -> tuple[np.ndarray, float]:
    """(‖v‖₂ over ``axes``, kept, per run; √n of its size) - torch's ``v.norm(2)`` and ``v.numel() ** 0.5``."""
    n = int(np.prod([values.shape[a] for a in axes]))
    return np.sqrt((values * values).sum(axis=axes, keepdims=True)), n**0.5


# --- RAdam ------------------------------------------------------------------------------------------------------
class RAdamState(NamedTuple):
    count: int
    mu: Any
    nu: Any


def _radam_init(params, hp):
    return RAdamState(0, _zeros(params), _zeros(params))


def _rho(beta2, t):
    """(rho_inf, rho_t): the length of the simple moving average Adam's second moment approximates, at infinity and
    at step t."""
    rho_inf = 2 / (1 - beta2) - 1
    return rho_inf, np.float64(rho_inf - 2 * t * (beta2**t) / (1 - beta2**t))


def _radam_update(grad, state, params, lr, hp):
    """m, v as Adam; rho_t = rho_inf − 2t·beta2ᵗ/(1−beta2ᵗ). While rho_t <= 5 the variance of v is too large to
    trust: theta <- theta − gamma·m̂ (momentum SGD). After: theta <- theta − gamma·m̂·r_t·√(1−beta2ᵗ)/(√v + eps), with
    the rectification r_t = √((rho_t−4)(rho_t−2)rho_inf / ((rho_inf−4)(rho_inf−2)rho_t))."""
    beta1, beta2 = hp["beta1"], hp["beta2"]
    t = state.count + 1
    mu = lerp(state.mu, grad, 1 - beta1)
    nu = beta2 * state.nu + (1 - beta2) * grad * grad
    bias_correction2 = 1 - beta2**t
    m_hat = mu / (1 - beta1**t)
    rho_inf, rho_t = _rho(beta2, t)
    with np.errstate(invalid="ignore", divide="ignore"):
        rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        adaptive = bias_correction2**0.5 / (np.sqrt(nu) + hp["eps"])
        rectified = m_hat * lr * adaptive * rect
    step = np.where(rho_t > 5.0, rectified, m_hat * lr)
    return params - step, RAdamState(t, mu, nu)


def _explain_radam(q: StepInputs) -> Explanation:
    state, hp, t, lr = q.state, q.hp, q.t, q.lr
    rho_inf, rho_t = _rho(hp["beta2"], t)
    m_hat = state.mu / (1 - hp["beta1"] ** t)
    rows = [("m", state.mu), ("v", state.nu), ("m̂", m_hat), ("ρ∞", rho_inf), ("ρₜ", rho_t)]
    if np.all(rho_t > 5):
        rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        step = lr * rect * (1 - hp["beta2"] ** t) ** 0.5 / (np.sqrt(state.nu) + hp["eps"])
        return Explanation(rows + [("rₜ (rectification)", rect), ("step size γ·rₜ·√(1−β₂ᵗ)/(√v+ε)", step)],
                           step, m_hat)
    return Explanation(rows + [("ρₜ ≤ 5: momentum step γ·m̂", lr * m_hat)], lr, m_hat)


# --- Rprop ------------------------------------------------------------------------------------------------------
class RpropState(NamedTuple):
    count: int
    prev: Any  # the previous gradient (0 where its sign flipped)
    step_size: Any  # each parameter's own step size


def _rprop_init(params, hp):
    return RpropState(0, _zeros(params), _zeros(params) + hp["lr"])


def _rprop_update(grad, state, params, lr, hp):
    """s <- clamp(s·eta₊ if g·g_prev > 0, s·eta₋ if < 0, else s; step_size_min, step_size_max);
    where the sign flipped g <- 0; theta <- theta − sign(g)·s. The learning rate only sets the first step sizes
    (as torch's, a schedule changes nothing)."""
    sign = np.sign(grad * state.prev)
    factor = np.where(sign > 0, hp["eta_plus"], np.where(sign < 0, hp["eta_minus"], np.where(sign == 0, 1.0, sign)))
    step_size = np.clip(state.step_size * factor, hp["step_size_min"], hp["step_size_max"])
    grad = np.where(factor == hp["eta_minus"], 0.0, grad)
    return params - np.sign(grad) * step_size, RpropState(state.count + 1, grad, step_size)


def _explain_rprop(q: StepInputs) -> Explanation:
    state = q.state
    return Explanation([("g_prev (0 after a sign flip)", state.prev), ("step size s", state.step_size)],
                       state.step_size, np.sign(state.prev))


# --- ASGD -------------------------------------------------------------------------------------------------------
class ASGDState(NamedTuple):
    count: int
    eta: Any  # the step size of the next step
    mu: Any  # the averaging weight of the next step
    ax: Any  # the averaged parameters


def _asgd_init(params, hp):
    return ASGDState(0, hp["lr"], 1.0, _zeros(params))


def _asgd_update(grad, state, params, lr, hp):
    """theta <- theta·(1 − lambda·eta) − eta·g; the average ax <- ax + mu·(theta − ax) (ax = theta while mu = 1);
    then eta <- gamma/(1 + lambda·gamma·t)^alpha and mu <- 1/max(1, t − t0) for the next step."""
    t = state.count + 1
    eta, lambd = state.eta, hp["lambd"]
    params = params * (1 - lambd * eta)
    params = params - eta * grad
    ax = np.where(np.asarray(state.mu) != 1, state.ax + (params - state.ax) * state.mu, params)
    with np.errstate(over="ignore"):  # a huge alpha: eta underflows to 0 (Python's float ** would raise)
        eta = lr / np.power(1 + lambd * lr * t, hp["alpha"], dtype=float)
    mu = 1 / np.maximum(1, t - hp["t0"])
    return params, ASGDState(t, eta, mu if np.ndim(mu) else float(mu), ax)


def _explain_asgd(q: StepInputs) -> Explanation:
    state, eta = q.state, q.state_before.eta
    direction = q.grad + q.hp["lambd"] * q.params  # θ·(1 − λη) − η·g = θ − η·(g + λ·θ)
    return Explanation([("ηₜ", eta), ("g + lambd·θ", direction), ("next ηₜ = γ/(1+λγt)^α", state.eta),
                        ("next μₜ = 1/max(1, t−t₀)", state.mu), ("ax (average of θ)", state.ax)],
                       np.reshape(eta, np.shape(q.grad)[:-1] + (1,)), direction)


# --- Adafactor --------------------------------------------------------------------------------------------------
class AdafactorState(NamedTuple):
    count: int
    variance: Any  # the second moment of the vector tensors (flat; unused entries 0)
    row_vars: tuple  # per weight matrix: its row factor R (..., fan_out, 1)
    col_vars: tuple  # per weight matrix: its column factor C (..., 1, fan_in)
    tensors: tuple  # the problem's tensors (see Problem.tensors)


def _adafactor_init(params, hp, problem=None):
    tensors = problem.tensors if problem is not None else ((slice(0, params.shape[-1]), None),)
    lead = params.shape[:-1]
    rows = tuple(np.zeros((*lead, shape[1], 1)) for _, shape in tensors if shape is not None)
    cols = tuple(np.zeros((*lead, 1, shape[0])) for _, shape in tensors if shape is not None)
    return AdafactorState(0, _zeros(params), rows, cols, tensors)


def _as_is(value):
    return value


def _per_matrix(value):
    """A group's per-run value (R, 1) as (R, 1, 1), to scale each run's matrices (R, rows, columns); a value
    shared by every run as it is. (Adafactor in a group of runs on a network crashed: (R, 1) against matrices.)"""
    return np.expand_dims(value, -1) if np.ndim(value) else value


def _eps1(hp) -> float:
    return np.finfo(float).eps if hp["eps1"] is None else hp["eps1"]


def _adafactor_update(grad, state, params, lr, hp):
    """Per tensor: beta2_t = 1 − t^tau; rho_t = min(gamma, 1/√t); alpha_t = max(eps2, RMS(theta))·rho_t;
    theta <- theta·(1 − gamma·lambda); V = lerp(V, g², 1 − beta2_t) for a vector, or for a matrix the factored
    R = lerp(R, mean_cols(g²)), C = lerp(C, mean_rows(g²)), V = R·C / max(mean(R), eps1);
    U = g / max(√V, eps1); theta <- theta − alpha_t · U / max(1, RMS(U)/d)."""
    t = state.count + 1
    weight = t ** hp["beta2_decay"]  # 1 − beta2_t
    rho = np.minimum(lr, 1 / t**0.5)
    eps1 = _eps1(hp)
    out, variance = np.array(params, dtype=float), state.variance.copy()
    rows, cols = list(state.row_vars), list(state.col_vars)
    matrix = 0
    for part, shape in state.tensors:
        if shape is None:
            theta, g = params[..., part], grad[..., part]
            axes, lift = (-1,), _as_is
        else:
            theta, g = _torch_view(params, part, shape), _torch_view(grad, part, shape)
            axes, lift = (-2, -1), _per_matrix
        norm, root_n = _norm(theta, axes)
        alpha = np.maximum(lift(hp["eps2"]), norm / root_n) * lift(rho)
        if np.any(hp["weight_decay"]):
            theta = theta * (1 - lift(lr) * lift(hp["weight_decay"]))
        if shape is None:
            variance[..., part] = lerp(state.variance[..., part], g * g, weight)
            estimate = variance[..., part]
        else:
            row_mean = np.sqrt((g * g).sum(axis=-1, keepdims=True)) ** 2 / g.shape[-1]
            rows[matrix] = lerp(rows[matrix], row_mean, lift(weight))
            col_mean = np.sqrt((g * g).sum(axis=-2, keepdims=True)) ** 2 / g.shape[-2]
            cols[matrix] = lerp(cols[matrix], col_mean, lift(weight))
            estimate = rows[matrix] @ cols[matrix]
            estimate = estimate / np.maximum(rows[matrix].mean(axis=-2, keepdims=True), lift(eps1))
            matrix += 1
        update = 1 / np.sqrt(np.maximum(estimate, lift(eps1) * lift(eps1))) * g
        norm, root_n = _norm(update, axes)
        denom = np.maximum(1.0, norm / (root_n * lift(hp["d"])))
        theta = theta + (-alpha / denom) * update
        out[..., part] = theta if shape is None else _flat(theta)
    return out, AdafactorState(t, variance, tuple(rows), tuple(cols), state.tensors)


def _explain_adafactor(q: StepInputs) -> Explanation:
    state, hp, t = q.state, q.hp, q.t
    rows = [("1−β₂ₜ = t^τ", t ** hp["beta2_decay"]), ("ρₜ = min(γ, 1/√t)", np.minimum(q.lr, 1 / t**0.5))]
    if state.row_vars:
        rows += [("matrices (factored R·C)", len(state.row_vars))]
    vectors = np.zeros(np.shape(q.grad), dtype=bool)
    for part, shape in state.tensors:
        if shape is None:
            vectors[..., part] = True
    if vectors.any():
        rows += [("V (vectors' second moment)", np.where(vectors, state.variance, np.nan))]
    return Explanation(rows)


# --- LBFGS ------------------------------------------------------------------------------------------------------
class LBFGSState(NamedTuple):
    count: int  # steps (calls of torch's step)
    n_iter: int  # iterations over all steps (torch's state["n_iter"])
    func_evals: int
    d: Any  # the latest direction
    t: Any  # the latest step length
    old_dirs: tuple  # gradient differences y (newest last)
    old_stps: tuple  # steps s
    ro: tuple  # 1/(yᵀs)
    H_diag: Any  # the scale yᵀs/yᵀy of the initial inverse Hessian
    prev_flat_grad: Any
    prev_loss: Any
    trials: Any  # the params of every evaluation of the latest step, in order (k, d)


def _lbfgs_init(params, hp):
    return LBFGSState(0, 0, 0, None, None, (), (), (), 1, None, None, np.empty((0, params.shape[-1])))


def _two_loop(flat_grad, old_dirs, old_stps, ro, H_diag):
    """d = −H·g by the two-loop recursion over the stored pairs (s, y), H₀ = H_diag·I."""
    q = -flat_grad
    al = [0.0] * len(old_dirs)
    for i in range(len(old_dirs) - 1, -1, -1):
        al[i] = (old_stps[i] @ q) * ro[i]
        q = q + (-al[i]) * old_dirs[i]
    r = q * H_diag
    for i in range(len(old_dirs)):
        be_i = (old_dirs[i] @ r) * ro[i]
        r = r + (al[i] - be_i) * old_stps[i]
    return r


def _lbfgs_update(grad, state, params, lr, hp, objective):
    """Up to max_iter iterations per step: d = −H·g from the last history_size pairs (s, y) (two-loop recursion,
    H₀ = yᵀs/yᵀy·I; a pair is kept only when yᵀs > 1e-10), then theta <- theta + t·d with t = gamma (the first
    iteration ever: min(1, 1/‖g‖₁)·gamma) or a strong-Wolfe line search from it; stop on ‖g‖∞ <= tolerance_grad,
    gᵀd > −tolerance_change, a change below tolerance_change, or max_eval evaluations."""
    max_iter, tolerance_grad, tolerance_change = hp["max_iter"], hp["tolerance_grad"], hp["tolerance_change"]
    max_eval = hp["max_eval"] if hp["max_eval"] is not None else max_iter * 5 // 4
    loss, flat_grad = float(objective.loss), grad
    current_evals, func_evals, n_iter_total = 1, state.func_evals + 1, state.n_iter
    points = [params]

    def evaluate(point):
        points.append(point)
        return objective(point)

    d, t, H_diag = state.d, state.t, state.H_diag
    old_dirs, old_stps, ro = list(state.old_dirs), list(state.old_stps), list(state.ro)
    prev_flat_grad, prev_loss = state.prev_flat_grad, state.prev_loss
    x = params
    if np.abs(flat_grad).max() > tolerance_grad:
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            n_iter_total += 1
            if n_iter_total == 1:
                d, old_dirs, old_stps, ro, H_diag = -flat_grad, [], [], [], 1
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = y @ s
                if ys > 1e-10:
                    if len(old_dirs) == hp["history_size"]:
                        old_dirs.pop(0), old_stps.pop(0), ro.pop(0)
                    old_dirs.append(y), old_stps.append(s), ro.append(1.0 / ys)
                    H_diag = ys / (y @ y)
                d = _two_loop(flat_grad, old_dirs, old_stps, ro, H_diag)
            prev_flat_grad, prev_loss = flat_grad.copy(), loss
            t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr if n_iter_total == 1 else lr
            gtd = flat_grad @ d
            if gtd > -tolerance_change:  # not a descent direction
                break
            ls_func_evals = 0
            if hp["line_search"] == "strong_wolfe":
                loss, flat_grad, t, ls_func_evals = strong_wolfe(evaluate, x, t, d, loss, flat_grad, gtd,
                                                                 max_ls=max_eval - current_evals)
                x = x + t * d
                opt_cond = np.abs(flat_grad).max() <= tolerance_grad
            else:
                x = x + t * d
                if n_iter != max_iter:
                    loss, flat_grad = evaluate(x)
                    loss = float(loss)
                    opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            func_evals += ls_func_evals
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if np.abs(d * t).max() <= tolerance_change or abs(loss - prev_loss) < tolerance_change:
                break
    objective.count = current_evals - 1  # the first evaluation is the pipeline's own
    return x, LBFGSState(state.count + 1, n_iter_total, func_evals, d, t, tuple(old_dirs), tuple(old_stps),
                         tuple(ro), H_diag, prev_flat_grad, prev_loss, np.array(points))


def _explain_lbfgs(q: StepInputs) -> Explanation:
    state = q.state
    rows = [("evaluations in this step", len(state.trials)), ("pairs (s, y) kept", len(state.old_dirs)),
            ("H₀ = yᵀs/yᵀy", state.H_diag)]
    if state.d is not None:
        rows += [("last direction d", state.d), ("last step length t", state.t)]
    return Explanation(rows)


# --- Muon -------------------------------------------------------------------------------------------------------
#: The Newton-Schulz coefficients (a, b, c) and epsilon of torch.optim.Muon (Keller Jordan's quintic).
NS_COEFFICIENTS = (3.4445, -4.7750, 2.0315)


def bfloat16(values: np.ndarray) -> np.ndarray:
    """Round to bfloat16 (as float64 values): to float32 first, then the top 16 bits rounded to nearest, ties to
    even - exactly c10's float -> BFloat16 conversion (torch's double -> bfloat16 goes through float)."""
    bits = np.asarray(values, dtype=np.float32).view(np.uint32)
    rounded = ((bits + (((bits >> 16) & 1) + np.uint32(0x7FFF))) & np.uint32(0xFFFF0000)).view(np.float32)
    return np.where(np.isnan(values), np.nan, rounded).astype(float)


def _bf16_op(exact: np.ndarray) -> np.ndarray:
    """A bfloat16 op as torch computes it on a CPU: in float32 (opmath), rounded to bfloat16."""
    return bfloat16(np.asarray(exact, dtype=np.float32))


def _f32_matmul(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """A @ B of bfloat16 matrices summed in float32 as torch's CPU kernel sums (its BlasKernel ``sum``): four
    partial sums over k = 0, 1, 2, 3 (mod 4), the k beyond the last whole group of four added to the first, then
    the first plus the second, third and fourth. (The products of bfloat16 numbers are exact in float32.)"""
    f32 = np.float32
    A, B = A.astype(f32), B.astype(f32)
    k = A.shape[-1]
    whole = k - k % 4
    parts = np.zeros((*np.broadcast_shapes(A.shape[:-2], B.shape[:-2]), A.shape[-2], 4, B.shape[-1]), dtype=f32)
    for i in range(0, whole, 4):
        parts += A[..., :, i:i + 4, None] * B[..., None, i:i + 4, :]
    total = parts[..., 0, :]
    for i in range(whole, k):
        total = total + A[..., :, i, None] * B[..., None, i, :]
    for q in range(1, 4):
        total = total + parts[..., q, :]
    return total


def _bf16_addmm(beta, C, alpha, A, B) -> np.ndarray:
    """beta·C + alpha·(A @ B) on bfloat16 matrices as torch's CPU kernel computes it (measured against it): the
    sum of products in float32 (see _f32_matmul), alpha times it rounded to float32, beta·C added in one fused
    operation (one float32 rounding), the result rounded to bfloat16."""
    f32 = np.float32
    scaled = (f32(alpha) * _f32_matmul(A, B)).astype(float)
    return bfloat16(scaled + float(f32(beta)) * C)


def newton_schulz(G: np.ndarray, steps: int, coefficients=NS_COEFFICIENTS, eps: float = 1e-7) -> np.ndarray:
    """torch's ``_zeropower_via_newtonschulz``: an approximately orthogonal matrix with G's singular vectors,
    X ≈ U·S'·Vᵀ with S' near 1 (G = U·S·Vᵀ), in bfloat16 as torch computes it. X = G/‖G‖_F (wide: transposed
    when taller than wide), then ``steps`` times  A = X·Xᵀ;  B = b·A + c·A²;  X <- a·X + B·X."""
    a, b, c = coefficients
    X = bfloat16(G)
    tall = G.shape[-2] > G.shape[-1]
    if tall:
        X = np.swapaxes(X, -1, -2)
    norm = _bf16_op(np.sqrt((X.astype(np.float32) ** 2).sum(axis=(-2, -1), keepdims=True, dtype=np.float32)))
    X = _bf16_op(X.astype(np.float32) / np.maximum(norm, bfloat16(eps)).astype(np.float32))
    for _ in range(steps):
        gram = _bf16_addmm(0.0, np.zeros_like(X[..., :1, :1]), 1.0, X, np.swapaxes(X, -1, -2))
        gram_update = _bf16_addmm(b, gram, c, gram, gram)
        X = _bf16_addmm(a, X, 1.0, gram_update, X)
    return np.swapaxes(X, -1, -2) if tall else X


class MuonState(NamedTuple):
    count: int
    momentum_buffer: Any  # Muon's buffer B for the weight matrices (flat; 0 elsewhere)
    adamw: AdamState  # AdamW's moments for every other parameter (flat; 0 on the matrices)
    tensors: tuple


def _muon_init(params, hp, problem=None):
    return MuonState(0, _zeros(params), AdamState(0, _zeros(params), _zeros(params), _zeros(params)),
                     problem.tensors)


def _adjusted_lr(lr, adjust_lr_fn: str, shape) -> float:
    """torch's ``_adjust_lr`` for a weight of torch shape (A, B) = (fan_out, fan_in)."""
    A, B = shape
    ratio = (max(1, A / B)) ** 0.5 if adjust_lr_fn == "original" else 0.2 * max(A, B) ** 0.5
    return lr * ratio


def _muon_update(grad, state, params, lr, hp):
    """Weight matrices (torch layout G = ∂L/∂Wᵀ): B <- lerp(B, G, 1−mu); nesterov: G' = lerp(G, B, mu), else B;
    O = NS(G') (Newton-Schulz, see newton_schulz); theta <- theta·(1 − gamma·lambda) − gamma'·O with
    gamma' = gamma·√max(1, fan_out/fan_in). Every other parameter (the biases): AdamW with adamw_lr (scaled by the
    schedule as gamma is) and its own betas, eps and weight decay."""
    mu, out = hp["momentum"], np.array(params, dtype=float)
    buffer, others = state.momentum_buffer.copy(), np.ones(params.shape[-1], dtype=bool)
    for part, shape in state.tensors:
        if shape is None:
            continue
        others[part] = False
        g, theta = _torch_view(grad, part, shape), _torch_view(params, part, shape)
        b = lerp(_torch_view(state.momentum_buffer, part, shape), g, 1 - mu)
        buffer[..., part] = _flat(b)
        orthogonal = newton_schulz(lerp(g, b, mu) if hp["nesterov"] else b, hp["ns_steps"],
                                   (hp["ns_a"], hp["ns_b"], hp["ns_c"]), hp["eps"])
        theta = theta * (1 - lr * hp["weight_decay"])
        out[..., part] = _flat(theta + (-_adjusted_lr(lr, hp["adjust_lr_fn"], shape[::-1])) * orthogonal)
    adam_state = state.adamw
    if others.any():
        adamw_lr = hp["adamw_lr"] * (lr / hp["lr"])  # the schedule scales both rates alike, as torch's does
        adam_hp = {"beta1": hp["adamw_beta1"], "beta2": hp["adamw_beta2"], "eps": hp["adamw_eps"]}
        theta = decoupled_weight_decay(params[..., others], adamw_lr, hp["adamw_weight_decay"])
        sub = AdamState(adam_state.count, *(a[..., others] for a in adam_state[1:]))
        new, sub = _adam_update(grad[..., others], sub, theta, adamw_lr, adam_hp)
        out[..., others] = new
        moments = [a.copy() for a in adam_state[1:]]
        for full, part in zip(moments, sub[1:]):
            full[..., others] = part
        adam_state = AdamState(sub.count, *moments)
    return out, MuonState(state.count + 1, buffer, adam_state, state.tensors)


def _singular_values(M: np.ndarray) -> np.ndarray:
    """The singular values of matrices M (..., m, n); NaN for a matrix holding inf or NaN (a run that diverged:
    the SVD does not converge on them, LinAlgError)."""
    finite = np.isfinite(M).all(axis=(-2, -1))
    out = np.full(M.shape[:-2] + (min(M.shape[-2:]),), np.nan)
    if finite.any():
        out[finite] = np.linalg.svd(M[finite], compute_uv=False)
    return out


def _explain_muon(q: StepInputs) -> Explanation:
    state, hp = q.state, q.hp
    rows = [("B (momentum, matrices)", state.momentum_buffer)]
    for l, (part, shape) in enumerate((p for p in state.tensors if p[1] is not None), start=1):
        G = _torch_view(state.momentum_buffer, part, shape)
        O = newton_schulz(G, hp["ns_steps"], (hp["ns_a"], hp["ns_b"], hp["ns_c"]), hp["eps"])
        rows += [(f"σ(B of W{l})", _singular_values(G)), (f"σ(NS(B) of W{l}) ≈ 1", _singular_values(O))]
    rows += [("m (AdamW, biases)", state.adamw.mu), ("v (AdamW, biases)", state.adamw.nu)]
    return Explanation(rows)


def _unit(name: str, default: float, doc: str) -> Param:
    return Param(name, default, doc, low=0.0, high=1.0, high_open=True)


def _positive(name: str, default, doc: str, kind=float, high=MAX_MAGNITUDE, **more) -> Param:
    return Param(name, default, doc, kind=kind, low=0.0, high=high, **more)


def _adafactor_formula(hp: dict) -> str:
    decay = ";  θ ← θ·(1 − γλ)" if hp["weight_decay"] else ""
    return (f"ρₜ = min(γ, 1/√t);  αₜ = max(ε₂, RMS(θ))·ρₜ{decay}\n"
            "V ← lerp(V, g², t^τ)  (matrices: R·C/mean(R) from row and column means)\n"
            "U = g/max(√V, ε₁);  θ ← θ − αₜ·U/max(1, RMS(U)/d)")


def _lbfgs_formula(hp: dict) -> str:
    step = "t: a strong-Wolfe line search" if hp["line_search"] == "strong_wolfe" else "t = γ"
    return ("d = −H·g  (two-loop recursion over the last pairs s = Δθ, y = Δg;  H₀ = yᵀs/yᵀy)\n"
            f"θ ← θ + t·d,  {step};  up to max_iter iterations per step")


def _muon_formula(hp: dict) -> str:
    look = "G' = lerp(G, B, μ)" if hp["nesterov"] else "G' = B"
    decay = "W·(1 − γλ)" if hp["weight_decay"] else "W"
    scale = "√max(1, out/in)" if hp["adjust_lr_fn"] == "original" else "0.2·√max(out, in)"
    return (f"B ← μ·B + (1−μ)·G;  {look}\n"
            f"O = NS(G'):  X = G'/‖G'‖;  {hp['ns_steps']}×  A = XXᵀ,  X ← a·X + (b·A + c·A²)·X\n"
            f"W ← {decay} − γ·{scale}·O;   biases: AdamW(adamw_lr)")


ROWS = (
    OptimizerSpec(
        "radam", "RAdam", "Adam that takes momentum steps until its second moment is trustworthy, then rectifies "
                          "the adaptive rate: a warmup built into the rule.",
        "m, v as Adam;  ρₜ = ρ∞ − 2t·β₂ᵗ/(1−β₂ᵗ)\nρₜ ≤ 5: θ ← θ − γ·m̂\n"
        "ρₜ > 5: θ ← θ − γ·m̂·rₜ·√(1−β₂ᵗ)/(√v + ε)", "torch.optim.RAdam",
        (_lr(1e-3), BETA1, BETA2, _eps(1e-8), WEIGHT_DECAY,
         Param("decoupled_weight_decay", False, "Decay the parameters directly (RAdamW) instead of adding "
                                                "lambda*theta to the gradient.", kind=bool)),
        _radam_init, _radam_update, decay=lambda hp: "decoupled" if hp["decoupled_weight_decay"] else "l2",
        explain=_explain_radam, stability=stability.constant(stability.ADAPTIVE)),
    OptimizerSpec(
        "rprop", "Rprop", "Ignores the gradient's size: each parameter steps by its own step size, grown while its "
                          "gradient keeps its sign and shrunk when it flips.",
        "s ← s·η₊ if g·g_prev > 0, s·η₋ if < 0 (then g ← 0), clamped to [s_min, s_max]\nθ ← θ − sign(g)·s",
        "torch.optim.Rprop",
        (_lr(1e-2),
         Param("eta_minus", 0.5, "Factor eta- that shrinks a step size when its gradient changes sign.", low=0.0,
               low_open=True, high=1.0, high_open=True),
         Param("eta_plus", 1.2, "Factor eta+ that grows a step size while its gradient keeps its sign.", low=1.0,
               low_open=True, high=MAX_MAGNITUDE),
         _positive("step_size_min", 1e-6, "Smallest step size."),
         _positive("step_size_max", 50.0, "Largest step size.")),
        _rprop_init, _rprop_update, explain=_explain_rprop, stability=stability.constant(stability.SIGN)),
    OptimizerSpec(
        "asgd", "Averaged SGD", "SGD with a decaying step size that also keeps the running average of the iterates "
                                "(from step t0 on), the estimate averaging theory recommends.",
        "θ ← θ·(1 − λ·ηₜ) − ηₜ·g;  ax ← ax + μₜ·(θ − ax)\nηₜ₊₁ = γ/(1 + λ·γ·t)^α;  μₜ₊₁ = 1/max(1, t − t₀)",
        "torch.optim.ASGD",
        (_lr(1e-2), _positive("lambd", 1e-4, "Decay term lambda of the step size."),
         _positive("alpha", 0.75, "Power alpha of the step size's decay."),
         _positive("t0", 1e6, "Step t0 from which the average starts."), WEIGHT_DECAY),
        _asgd_init, _asgd_update, explain=_explain_asgd, stability=stability.constant(stability.DECAYING)),
    OptimizerSpec(
        "adafactor", "Adafactor", "Adam-like scaling without momentum whose second moment of a weight matrix is "
                                  "kept as row and column factors; steps relative to the parameters' size.",
        "ρₜ = min(γ, 1/√t);  αₜ = max(ε₂, RMS(θ))·ρₜ;  θ ← θ·(1 − γλ)\n"
        "V ← lerp(V, g², t^τ)  (matrices: R·C/mean(R) from row and column means)\n"
        "U = g/max(√V, ε₁);  θ ← θ − αₜ·U/max(1, RMS(U)/d)", "torch.optim.Adafactor",
        (_lr(1e-2),
         Param("beta2_decay", -0.8, "Decay tau of beta2: 1 - beta2_t = t^tau.", low=-MAX_MAGNITUDE, high=0.0),
         Param("eps1", None, "Floor eps1 of the root of the second moment (null: float64's machine epsilon, as "
                             "torch's None).", low=0.0, high=MAX_MAGNITUDE),
         _positive("eps2", 1e-3, "Floor eps2 of the parameters' RMS in the relative step size."),
         Param("d", 1.0, "Clipping threshold d of the update's RMS.", low=1.0, high=MAX_MAGNITUDE),
         Param("weight_decay", 0.0, "Decoupled weight decay lambda: theta shrinks by gamma*lambda each step.",
               low=0.0, high=MAX_MAGNITUDE)),
        _adafactor_init, _adafactor_update, decay="rule", needs=("tensors",), explain=_explain_adafactor,
        formula_for=_adafactor_formula, stability=stability.constant(stability.RELATIVE)),
    OptimizerSpec(
        "lbfgs", "L-BFGS", "A quasi-Newton method: builds an inverse-Hessian estimate from the last gradient changes "
                           "and evaluates the loss several times per step.",
        "d = −H·g  (two-loop recursion over the last pairs s = Δθ, y = Δg;  H₀ = yᵀs/yᵀy)\n"
        "θ ← θ + t·d,  t = γ or a strong-Wolfe line search;  up to max_iter iterations per step",
        "torch.optim.LBFGS",
        (_lr(1.0), Param("max_iter", 20, "Most iterations per step.", kind=int, low=1, high=10_000),
         Param("max_eval", None, "Most evaluations per step (null: max_iter*5/4, as torch's None).", kind=int,
               low=1, high=12_500),
         _positive("tolerance_grad", 1e-7, "Stop a step once the gradient's largest component is at most this."),
         _positive("tolerance_change", 1e-9, "Stop a step once the loss or the parameters change less than this."),
         Param("history_size", 100, "Pairs (s, y) kept for the inverse-Hessian estimate.", kind=int, low=1,
               high=10_000),
         Param("line_search", "none", "The step length: gamma itself, or a strong-Wolfe line search.", kind=str,
               choices=("none", "strong_wolfe"))),
        _lbfgs_init, _lbfgs_update, evaluates=True, vectorised=False, explain=_explain_lbfgs,
        formula_for=_lbfgs_formula, stability=stability.lbfgs),
    OptimizerSpec(
        "muon", "Muon (+ AdamW)", "Orthogonalises the momentum of each weight matrix (Newton-Schulz), so every "
                                  "direction of the layer moves alike; the biases take AdamW with their own rate.",
        "B ← μ·B + (1−μ)·G;  G' = lerp(G, B, μ) (nesterov) or B\n"
        "O = NS₅(G'):  X = G'/‖G'‖;  5×  A = XXᵀ,  X ← a·X + (b·A + c·A²)·X\n"
        "W ← W·(1 − γλ) − γ·√max(1, out/in)·O;   biases: AdamW(adamw_lr)",
        "torch.optim.Muon + torch.optim.AdamW",
        (_lr(1e-3), _positive("weight_decay", 0.1, "Decoupled weight decay lambda of the weight matrices."),
         Param("momentum", 0.95, MOMENTUM.doc, low=0.0, high=1.0, high_open=True),
         Param("nesterov", True, "Orthogonalise the Nesterov look-ahead lerp(G, B, mu) instead of B.", kind=bool),
         Param("ns_steps", 5, "Newton-Schulz iterations.", kind=int, low=0, high=99),
         Param("ns_a", NS_COEFFICIENTS[0], "Newton-Schulz coefficient a (of X).", low=-100.0, high=100.0),
         Param("ns_b", NS_COEFFICIENTS[1], "Newton-Schulz coefficient b (of X·Xᵀ·X).", low=-100.0, high=100.0),
         Param("ns_c", NS_COEFFICIENTS[2], "Newton-Schulz coefficient c (of (X·Xᵀ)²·X).", low=-100.0, high=100.0),
         _eps(1e-7),
         Param("adjust_lr_fn", "original", "Rate per matrix shape: sqrt(max(1, out/in)) (original) or "
                                           "0.2*sqrt(max(out, in)) (match_rms_adamw).", kind=str,
               choices=("original", "match_rms_adamw")),
         Param("adamw_lr", 1e-3, "Learning rate of AdamW on the biases.", low=0.0, low_open=True, high=MAX_MAGNITUDE,
               log=True),
         _unit("adamw_beta1", 0.9, "AdamW's beta1 on the biases."),
         _unit("adamw_beta2", 0.999, "AdamW's beta2 on the biases."),
         Param("adamw_eps", 1e-8, "AdamW's eps on the biases.", low=0.0, low_open=True, high=MAX_MAGNITUDE, log=True),
         _positive("adamw_weight_decay", 1e-2, "AdamW's decoupled weight decay on the biases.")),
        _muon_init, _muon_update, decay="rule", needs=("weight_matrices",), vectorised=False,
        explain=_explain_muon, formula_for=_muon_formula, stability=stability.constant(stability.ORTHOGONAL)),
)

register(ROWS)
