"""Optimizers as pure update rules, one registry row each, matching torch.optim step for step.

An optimizer is a pair of pure functions (as in optax): ``init(params) -> state`` and
``update(grad, state, params, lr) -> (new_params, new_state)``; the state is a small NamedTuple of arrays.
``lr`` is the already-scheduled learning rate of this step. Arrays may carry a leading run axis ``(R, d)``;
hyperparameters and ``lr`` are then floats or ``(R, 1)`` arrays, so many runs advance in one numpy pass.

Every rule follows the algorithm box and the implementation of the torch.optim class named in its row
(``torch.optim.SGD``, ``Adagrad``, ``RMSprop``, ``Adam``, ``AdamW``, ``Adamax``, ``NAdam``, ``Adadelta``), in
the same order of floating-point operations where that matters, so a float64 trajectory equals PyTorch's.
Weight decay is a stage chained before the rule (:func:`update_with_decay`): L2 added to the gradient
(``g <- g + lambda*theta``) except in AdamW, where it is decoupled (``theta <- theta*(1 - gamma*lambda)``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np

from . import stability
from .files import quote
from .spec import MAX_MAGNITUDE, Param, check_params
from .stability import StabilityBound


def _lr(default: float) -> Param:
    return Param("lr", default, "Learning rate gamma: the size of each step.", low=0.0, low_open=True,
                 high=MAX_MAGNITUDE, log=True)


def _eps(default: float) -> Param:
    return Param("eps", default, "Small constant added to the denominator for numerical stability.",
                 low=0.0, low_open=True, high=MAX_MAGNITUDE, log=True)


WEIGHT_DECAY = Param("weight_decay", 0.0, "L2 penalty lambda: adds lambda*theta to the gradient.", low=0.0,
                     high=MAX_MAGNITUDE)
MOMENTUM = Param("momentum", 0.9, "Momentum mu: the fraction of the previous velocity kept each step.",
                 low=0.0, high=1.0, high_open=True)
BETA1 = Param("beta1", 0.9, "Decay rate beta1 of the running mean of gradients (first moment).",
              low=0.0, high=1.0, high_open=True)
BETA2 = Param("beta2", 0.999, "Decay rate beta2 of the running mean of squared gradients (second moment).",
              low=0.0, high=1.0, high_open=True)


class SGDState(NamedTuple):
    count: int
    velocity: Any  # momentum buffer b; unused by plain SGD


class AdagradState(NamedTuple):
    count: int
    sum_sq: Any  # running sum of squared gradients


class RMSpropState(NamedTuple):
    count: int
    square_avg: Any
    grad_avg: Any  # only used when centered
    velocity: Any  # only used when momentum > 0


class AdamState(NamedTuple):
    count: int
    mu: Any  # first moment m
    nu: Any  # second moment v
    nu_max: Any  # running max of v (AMSGrad)


class AdamaxState(NamedTuple):
    count: int
    mu: Any
    inf_norm: Any  # exponentially weighted infinity norm u


class NAdamState(NamedTuple):
    count: int
    mu: Any
    nu: Any
    mu_product: Any  # prod_{i<=t} mu_i of the momentum schedule


class AdadeltaState(NamedTuple):
    count: int
    square_avg: Any
    acc_delta: Any


def _nonzero(value) -> bool:
    """Some run's value is not 0 (value: a float or an (R, 1) column)."""
    return bool(np.any(value)) if isinstance(value, np.ndarray) else value != 0


def _all_nonzero(value) -> bool:
    """Every run's value is not 0."""
    return bool(np.all(value)) if isinstance(value, np.ndarray) else value != 0


def lerp(start, end, weight):
    """start + weight*(end - start), computed as torch.lerp does: for |weight| >= 1/2 as
    end - (end - start)*(1 - weight), which keeps the result exact at weight 1 (e.g. Adam with beta1 = 0)."""
    if not isinstance(weight, np.ndarray):
        if abs(weight) < 0.5:
            return start + weight * (end - start)
        return end - (end - start) * (1 - weight)
    return np.where(np.abs(weight) < 0.5, start + weight * (end - start), end - (end - start) * (1 - weight))


# --- shared pieces of the rules (as optax's update_moment / bias_correction), used by the updates and by the
# explanations alike, so that what the panel shows is what the rule computed -----------------------------------
def first_moment(moment, grad, decay):
    """m <- decay*m + (1-decay)*g, in torch.lerp's form (exact at decay 0)."""
    return lerp(moment, grad, 1 - decay)


def second_moment(moment, grad, decay):
    """v <- decay*v + (1-decay)*g^2 (torch: ``mul_(decay).addcmul_(g, g, value=1-decay)``)."""
    return decay * moment + (1 - decay) * grad * grad


def bias_correction(decay, count):
    """1 - decay^t: a running mean started at 0 divided by it is unbiased (m-hat = m/(1 - beta1^t))."""
    return 1 - decay**count


def adam_denominator(second, count, hp):
    """sqrt(v)/sqrt(1 - beta2^t) + eps: Adam's denominator, sqrt(v-hat) + eps in torch's order of operations."""
    return np.sqrt(second) / bias_correction(hp["beta2"], count) ** 0.5 + hp["eps"]


def nadam_momentum(count, hp):
    """NAdam's momentum schedule mu_t = beta1*(1 - 0.5*0.96^(t*psi))."""
    return hp["beta1"] * (1.0 - 0.5 * 0.96 ** (count * hp["momentum_decay"]))


def adagrad_rate(lr, count, hp):
    """AdaGrad's decayed rate gamma/(1 + (t-1)*eta)."""
    return lr / (1 + (count - 1) * hp["lr_decay"])


def rmsprop_denominator(square_avg, grad_avg, hp):
    """sqrt(v~) + eps with v~ = v (centered: v - g-bar^2)."""
    if hp["centered"]:
        return np.sqrt(square_avg - grad_avg * grad_avg) + hp["eps"]
    return np.sqrt(square_avg) + hp["eps"]


# --- weight decay: a stage before the rule, as torch.optim applies it --------------------------------------------
def l2_weight_decay(grad, params, lr, weight_decay):
    """g <- g + lambda*theta: the L2 penalty folded into the gradient (torch.optim's ``weight_decay``)."""
    return grad + weight_decay * params


def decoupled_weight_decay(params, lr, weight_decay):
    """theta <- theta*(1 - gamma*lambda) before the rule: decay decoupled from the gradient (AdamW)."""
    return params * (1 - lr * weight_decay)


def decay_mode(spec: OptimizerSpec, hparams: dict) -> str:
    """How ``spec`` applies weight decay with these hyperparameters: "l2", "decoupled" or "rule"."""
    return spec.decay(hparams) if callable(spec.decay) else spec.decay


def update_with_decay(spec: OptimizerSpec, hparams: dict) -> Callable:
    """The optimizer's whole update ``(grad, state, params, lr, hp) -> (params, state)``: its weight-decay stage
    (:func:`l2_weight_decay`, or :func:`decoupled_weight_decay` where the row says so) chained before its rule;
    the bare rule when lambda is 0 (for every run of a group) or when the rule decays by itself ("rule")."""
    rule = spec.update
    decay = decay_mode(spec, hparams)
    if decay == "rule" or not _nonzero(hparams.get("weight_decay", 0.0)):
        return rule
    if decay == "decoupled":
        def update(grad, state, params, lr, hp, **extra):
            return rule(grad, state, decoupled_weight_decay(params, lr, hp["weight_decay"]), lr, hp, **extra)
    else:
        def update(grad, state, params, lr, hp, **extra):
            return rule(l2_weight_decay(grad, params, lr, hp["weight_decay"]), state, params, lr, hp, **extra)
    return update


def _zeros(params):
    return np.zeros_like(params, dtype=float)


# --- SGD family -----------------------------------------------------------------------------------------------
def _sgd_init(params, hp):
    return SGDState(0, _zeros(params))


def _plain_update(grad, state, params, lr, hp):
    """theta <- theta - gamma*g."""
    return params - lr * grad, SGDState(state.count + 1, state.velocity)


def _momentum_update(grad, state, params, lr, hp, nesterov=False):
    """b <- g at t=1, else mu*b + (1-tau)*g; theta <- theta - gamma*(g + mu*b if nesterov else b).

    With mu = 0 torch.optim.SGD keeps no buffer and steps along g itself (dampening then changes nothing):
    such runs store b = g, so the rule theta <- theta - gamma*b still reads true. Nesterov needs mu > 0 and
    no dampening (its row refuses mu = 0, as torch does)."""
    mu = hp["momentum"]
    if state.count == 0:
        velocity = grad.copy()
    else:
        velocity = mu * state.velocity + (1.0 - hp.get("dampening", 0.0)) * grad
        if not _all_nonzero(mu):
            velocity = np.where(np.asarray(mu) != 0, velocity, grad)
    direction = grad + mu * velocity if nesterov else velocity
    return params - lr * direction, SGDState(state.count + 1, velocity)


def _nesterov_update(grad, state, params, lr, hp):
    return _momentum_update(grad, state, params, lr, hp, nesterov=True)


# --- adaptive methods -----------------------------------------------------------------------------------------
def _adagrad_init(params, hp):
    return AdagradState(0, np.full_like(params, hp["initial_accumulator_value"], dtype=float))


def _adagrad_update(grad, state, params, lr, hp):
    """G <- G + g^2; theta <- theta - gamma/(1+(t-1)*eta) * g/(sqrt(G) + eps)."""
    count = state.count + 1
    clr = adagrad_rate(lr, count, hp)
    sum_sq = state.sum_sq + grad * grad
    return params - clr * (grad / (np.sqrt(sum_sq) + hp["eps"])), AdagradState(count, sum_sq)


def _rmsprop_init(params, hp):
    return RMSpropState(0, _zeros(params), _zeros(params), _zeros(params))


def _rmsprop_update(grad, state, params, lr, hp):
    """v <- alpha*v + (1-alpha)*g^2 (centered: minus the squared running mean of g);
    b <- mu*b + g/(sqrt(v)+eps); theta <- theta - gamma*b   (mu = 0: theta <- theta - gamma*g/(sqrt(v)+eps))."""
    alpha = hp["alpha"]
    square_avg = second_moment(state.square_avg, grad, alpha)
    grad_avg = first_moment(state.grad_avg, grad, alpha) if hp["centered"] else state.grad_avg
    avg = rmsprop_denominator(square_avg, grad_avg, hp)
    velocity = state.velocity
    if _nonzero(hp["momentum"]):
        velocity = hp["momentum"] * velocity + grad / avg
        new_params = params - lr * velocity
    else:
        new_params = params - lr * (grad / avg)
    return new_params, RMSpropState(state.count + 1, square_avg, grad_avg, velocity)


def _adam_init(params, hp):
    return AdamState(0, _zeros(params), _zeros(params), _zeros(params))


def _adam_update(grad, state, params, lr, hp, amsgrad=False):
    """m <- beta1*m + (1-beta1)*g; v <- beta2*v + (1-beta2)*g^2;
    theta <- theta - gamma/(1-beta1^t) * m/(sqrt(v)/sqrt(1-beta2^t) + eps)   (AMSGrad: v replaced by max_{i<=t} v_i;
    AdamW's decay comes before, see update_with_decay)."""
    count = state.count + 1
    mu = first_moment(state.mu, grad, hp["beta1"])
    nu = second_moment(state.nu, grad, hp["beta2"])
    nu_max = np.maximum(state.nu_max, nu) if amsgrad else state.nu_max
    step_size = lr / bias_correction(hp["beta1"], count)
    denom = adam_denominator(nu_max if amsgrad else nu, count, hp)
    return params - step_size * (mu / denom), AdamState(count, mu, nu, nu_max)


def _amsgrad_update(grad, state, params, lr, hp):
    return _adam_update(grad, state, params, lr, hp, amsgrad=True)


def _adamw_update(grad, state, params, lr, hp):
    return _adam_update(grad, state, params, lr, hp, amsgrad=hp["amsgrad"])


def _adamax_init(params, hp):
    return AdamaxState(0, _zeros(params), _zeros(params))


def _adamax_update(grad, state, params, lr, hp):
    """m <- beta1*m + (1-beta1)*g; u <- max(beta2*u, |g| + eps); theta <- theta - gamma/(1-beta1^t) * m/u."""
    count = state.count + 1
    mu = first_moment(state.mu, grad, hp["beta1"])
    inf_norm = np.maximum(hp["beta2"] * state.inf_norm, np.abs(grad) + hp["eps"])
    clr = lr / bias_correction(hp["beta1"], count)
    return params - clr * (mu / inf_norm), AdamaxState(count, mu, inf_norm)


def _nadam_init(params, hp):
    return NAdamState(0, _zeros(params), _zeros(params), 1.0)


def _nadam_update(grad, state, params, lr, hp):
    """mu_t = beta1*(1 - 0.5*0.96^(t*psi)); m, v as in Adam;
    theta <- theta - gamma*[(1-mu_t)/(1-prod_{i<=t} mu_i) * g + mu_{t+1}/(1-prod_{i<=t+1} mu_i) * m]
    / (sqrt(v/(1-beta2^t)) + eps)."""
    count = state.count + 1
    mu_t, mu_next = nadam_momentum(count, hp), nadam_momentum(count + 1, hp)
    mu_product = state.mu_product * mu_t
    mu = first_moment(state.mu, grad, hp["beta1"])
    nu = second_moment(state.nu, grad, hp["beta2"])
    denom = np.sqrt(nu / bias_correction(hp["beta2"], count)) + hp["eps"]
    params = params + (-lr * (1.0 - mu_t) / (1.0 - mu_product)) * (grad / denom)
    params = params + (-lr * mu_next / (1.0 - mu_product * mu_next)) * (mu / denom)
    return params, NAdamState(count, mu, nu, mu_product)


def _adadelta_init(params, hp):
    return AdadeltaState(0, _zeros(params), _zeros(params))


def _adadelta_update(grad, state, params, lr, hp):
    """v <- rho*v + (1-rho)*g^2; dx = sqrt(u + eps)/sqrt(v + eps) * g; u <- rho*u + (1-rho)*dx^2;
    theta <- theta - gamma*dx."""
    rho, eps = hp["rho"], hp["eps"]
    square_avg = second_moment(state.square_avg, grad, rho)
    delta = np.sqrt(state.acc_delta + eps) / np.sqrt(square_avg + eps) * grad
    acc_delta = second_moment(state.acc_delta, delta, rho)
    return params - lr * delta, AdadeltaState(state.count + 1, square_avg, acc_delta)


# --- explanations: each rule's quantities, computed from its real state by the helpers the rule uses ----------
class StepInputs(NamedTuple):
    """What an explanation reads about one update: its number ``t`` (1-based), rate ``lr``, the gradient ``grad``
    and parameters ``params`` the rule saw (after the weight-decay stage), the optimizer ``state_before`` and
    ``state`` after the update, and the hyperparameters ``hp`` it used."""

    t: int
    lr: Any
    grad: Any
    params: Any
    state_before: Any
    state: Any
    hp: dict


@dataclass(frozen=True)
class Explanation:
    """The named quantities of one update, in the order of the rule, and the update they make:
    ``theta_after = params - step_size * direction`` (``params`` as the rule saw them, see :class:`StepInputs`).
    ``step_size`` and ``direction`` are None where the update is not one rate times one direction (L-BFGS's
    inner iterations, Adafactor's per-tensor rates, Muon's orthogonalised matrices)."""

    rows: list[tuple[str, Any]]
    step_size: Any = None
    direction: Any = None


def _plain_explain(q: StepInputs) -> Explanation:
    return Explanation([], q.lr, q.grad)


def _momentum_explain(q: StepInputs) -> Explanation:
    return Explanation([("b (velocity)", q.state.velocity)], q.lr, q.state.velocity)


def _nesterov_explain(q: StepInputs) -> Explanation:
    look_ahead = q.grad + q.hp["momentum"] * q.state.velocity
    return Explanation([("b (velocity)", q.state.velocity), ("g + μ·b", look_ahead)], q.lr, look_ahead)


def _adagrad_explain(q: StepInputs) -> Explanation:
    rate = adagrad_rate(q.lr, q.t, q.hp)
    step = rate / (np.sqrt(q.state.sum_sq) + q.hp["eps"])
    return Explanation([("G (Σ g²)", q.state.sum_sq), ("γ' = γ/(1+(t−1)η)", rate), ("step size γ'/(√G+ε)", step)],
                       step, q.grad)


def _rmsprop_explain(q: StepInputs) -> Explanation:
    state = q.state
    denom = rmsprop_denominator(state.square_avg, state.grad_avg, q.hp)
    rows = [("v (mean g²)", state.square_avg)]
    if q.hp["centered"]:
        rows += [("ḡ (mean g)", state.grad_avg)]
    rows += [("√ṽ + ε", denom)]
    if _nonzero(q.hp["momentum"]):
        return Explanation(rows + [("b (velocity)", state.velocity)], q.lr, state.velocity)
    return Explanation(rows + [("step size γ/(√ṽ+ε)", q.lr / denom)], q.lr / denom, q.grad)


def _adam_explain(q: StepInputs, amsgrad: bool = False) -> Explanation:
    state, hp = q.state, q.hp
    corrected_1, corrected_2 = bias_correction(hp["beta1"], q.t), bias_correction(hp["beta2"], q.t)
    m_hat = state.mu / corrected_1
    v_hat = (state.nu_max if amsgrad else state.nu) / corrected_2
    step = q.lr / (np.sqrt(v_hat) + hp["eps"])
    rows = [("m", state.mu), ("v", state.nu)] + ([("v_max = max(v_max, v)", state.nu_max)] if amsgrad else [])
    rows += [("1−β₁ᵗ", corrected_1), ("1−β₂ᵗ", corrected_2), ("m̂ = m/(1−β₁ᵗ)", m_hat),
             ("v̂ = " + ("v_max" if amsgrad else "v") + "/(1−β₂ᵗ)", v_hat), ("step size γ/(√v̂+ε)", step)]
    return Explanation(rows, step, m_hat)


def _amsgrad_explain(q: StepInputs) -> Explanation:
    return _adam_explain(q, amsgrad=True)


def _adamw_explain(q: StepInputs) -> Explanation:
    return _adam_explain(q, amsgrad=q.hp["amsgrad"])


def _adamax_explain(q: StepInputs) -> Explanation:
    corrected = bias_correction(q.hp["beta1"], q.t)
    step = q.lr / (corrected * q.state.inf_norm)
    return Explanation([("m", q.state.mu), ("u (inf-norm)", q.state.inf_norm), ("1−β₁ᵗ", corrected),
                        ("step size γ/((1−β₁ᵗ)u)", step)], step, q.state.mu)


def _nadam_explain(q: StepInputs) -> Explanation:
    state, hp = q.state, q.hp
    mu_t, mu_next, product = nadam_momentum(q.t, hp), nadam_momentum(q.t + 1, hp), state.mu_product
    v_hat = state.nu / bias_correction(hp["beta2"], q.t)
    step = q.lr / (np.sqrt(v_hat) + hp["eps"])
    direction = (1.0 - mu_t) / (1.0 - product) * q.grad + mu_next / (1.0 - product * mu_next) * state.mu
    return Explanation([("μₜ", mu_t), ("∏ᵢ₌₁ᵗ μᵢ", product), ("m", state.mu), ("v", state.nu),
                        ("v̂ = v/(1−β₂ᵗ)", v_hat), ("m̂ (Nesterov)", direction), ("step size γ/(√v̂+ε)", step)],
                       step, direction)


def _adadelta_explain(q: StepInputs) -> Explanation:
    eps = q.hp["eps"]
    delta = np.sqrt(q.state_before.acc_delta + eps) / np.sqrt(q.state.square_avg + eps) * q.grad
    return Explanation([("v (mean g²)", q.state.square_avg), ("u (mean Δ², before)", q.state_before.acc_delta),
                        ("Δ = √(u+ε)/√(v+ε)·g", delta), ("u (mean Δ²)", q.state.acc_delta)], q.lr, delta)


# --- the rule as text, for the hyperparameters that change it ------------------------------------------------
ADAM_MOMENTS = "m ← β₁·m + (1−β₁)·g;  v ← β₂·v + (1−β₂)·g²"
ADAM_STEP = "m̂ = m/(1−β₁ᵗ);  v̂ = v/(1−β₂ᵗ);  θ ← θ − γ·m̂/(√v̂ + ε)"
AMSGRAD_RULE = (f"{ADAM_MOMENTS};  v_max ← max(v_max, v)\n"
                "θ ← θ − γ/(1−β₁ᵗ) · m/(√(v_max/(1−β₂ᵗ)) + ε)")


def _momentum_formula(hp: dict) -> str:
    if not hp["momentum"]:
        return "θ ← θ − γ·g   (μ = 0: no velocity)"
    return f"b ← μ·b + {'(1−τ)·g' if hp['dampening'] else 'g'}   (b₁ = g)\nθ ← θ − γ·b"


def _adagrad_formula(hp: dict) -> str:
    rate = "γ/(1+(t−1)·η)" if hp["lr_decay"] else "γ"
    return f"G ← G + g²\nθ ← θ − {rate} · g/(√G + ε)"


def _rmsprop_formula(hp: dict) -> str:
    mean = "v ← α·v + (1−α)·g²" + ("; ḡ ← α·ḡ + (1−α)·g;  ṽ = v − ḡ²" if hp["centered"] else "")
    scaled = f"g/({'√ṽ' if hp['centered'] else '√v'} + ε)"
    return mean + "\n" + (f"b ← μ·b + {scaled};  θ ← θ − γ·b" if hp["momentum"] else f"θ ← θ − γ·{scaled}")


def _adamw_formula(hp: dict) -> str:
    return AMSGRAD_RULE if hp["amsgrad"] else f"{ADAM_MOMENTS}\n{ADAM_STEP}"


# --- the registry ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OptimizerSpec:
    """A registry row, everything about one optimizer: name, title, a one-line doc, its update rule as text, the
    torch.optim class it equals, its hyperparameters (Params: defaults, ranges, docs), ``init(params, hp)`` of its
    state, its bare ``update`` rule (:func:`update_with_decay` chains the weight decay before it) and
    ``explain(StepInputs) -> Explanation``, the named quantities of an update for the update-rule panel. The CLI,
    the panels, the tooltips, sweeps and the tests read these rows; a new optimizer is one more row."""

    name: str
    title: str
    doc: str
    formula: str
    torch: str
    params: tuple[Param, ...]
    init: Callable = field(repr=False)
    update: Callable = field(repr=False)  # the bare rule; update_with_decay chains the weight decay before it
    # the named quantities of an update: ``explain(StepInputs) -> Explanation``; None: the panel shows t, the
    # rate, g and the update only
    explain: Callable | None = field(default=None, repr=False)
    # how weight_decay applies: "l2" (to the gradient), "decoupled" (to the parameters), "rule" (the rule itself
    # does, where torch decays between its own steps), or a function of the hyperparameters giving one of them
    decay: str | Callable[[dict], str] = "l2"
    # the rule takes ``objective=`` (a pipeline.Objective) to evaluate the step's batch at trial points (line
    # search, Hessians); a function of the hyperparameters where only some settings do
    evaluates: bool | Callable[[dict], bool] = False
    # what the rule needs from the problem (see :data:`NEEDS`); ``init`` then gets ``problem=``
    needs: tuple[str, ...] = ()
    # whether the rule takes a leading run axis; runs of a row without it advance one by one
    vectorised: bool = True
    # the rule as text for given hyperparameters, where some of them change it (a line search on or off, RMSprop
    # centred or with momentum, a momentum of 0); None: ``formula`` always. Weight decay is not part of it
    # (see gd_core.update_rule) unless the rule decays by itself (decay="rule").
    formula_for: Callable[[dict], str] | None = field(default=None, repr=False)
    # what the rule's stability on a quadratic loss is, for given hyperparameters: a StabilityBound (stable only
    # for lr < factor/(L + shift)) or why it has none (see gd_core.stability); every built-in row declares it
    stability: Callable[[dict], StabilityBound | str] = field(default=stability.undeclared, repr=False)
    # what its steps used, in words, for a message about the run (a divergence): ``used(hparams, lr) -> str``;
    # None: "learning rate 0.1" - a rule whose lr means something else (Newton's scale of its step) says so
    used: Callable[[dict, float], str] | None = field(default=None, repr=False)

    def defaults(self) -> dict:
        return {p.name: p.default for p in self.params}

    def origin(self) -> str:
        """Where its rule and defaults come from, as a sentence: "Same rule and defaults as torch.optim.Adam." -
        or, for a method torch.optim has no class for, its reference (``torch`` then names it)."""
        return f"Same rule and defaults as {self.torch}." if self.torch.startswith("torch.optim.") else f"{self.torch}."

    def rule(self, hparams: dict) -> str:
        """The update rule these hyperparameters make, as text (``formula`` names every variant at once)."""
        return self.formula_for({**self.defaults(), **hparams}) if self.formula_for else self.formula

    def stability_bound(self, hparams: dict) -> StabilityBound | str:
        """Its bound on a quadratic with these hyperparameters, or why it has none (see :mod:`gd_core.stability`)."""
        return self.stability({**self.defaults(), **hparams})

    def step_words(self, hparams: dict, lr: float) -> str:
        """What its steps used, for a message: "learning rate 0.1", or the rule's own words (:attr:`used`)."""
        return self.used({**self.defaults(), **hparams}, lr) if self.used else f"learning rate {lr:.4g}"

    def uses_objective(self, hparams: dict) -> bool:
        return bool(self.evaluates(hparams) if callable(self.evaluates) else self.evaluates)


#: What a rule may need from its problem: the capability, and what it is for the message that refuses a problem
#: without it.
NEEDS = {
    "tensors": (lambda problem: True, "its parameter tensors"),  # every problem has them (one vector at least)
    "weight_matrices": (lambda problem: any(shape is not None for _, shape in problem.tensors),
                        "weight matrices (a network's layers)"),
    "min_loss": (lambda problem: problem.min_loss is not None, "the minimum value f* of the loss"),
}


def check_needs(name: str, problem) -> None:
    """Refuse (``ConfigError`` on optimizer.name) an optimizer whose rule needs what ``problem`` lacks."""
    from .errors import ConfigError

    for need in OPTIMIZERS[name].needs:
        has, what = NEEDS[need]
        if not has(problem):
            why = f" ({problem.no_minimum})" if need == "min_loss" and problem.no_minimum else ""
            raise ConfigError("optimizer.name", f"{name} needs {what}, and this problem has none known{why}; "
                                                f"choose a problem that has them, or another optimizer")


ADAPTIVE = stability.constant(stability.ADAPTIVE)

OPTIMIZERS: dict[str, OptimizerSpec] = {s.name: s for s in (
    OptimizerSpec(
        "plain", "Plain gradient descent", "Steps against the gradient, scaled by the learning rate.",
        "θ ← θ − γ·g", "torch.optim.SGD(lr, weight_decay)",
        (_lr(1e-3), WEIGHT_DECAY), _sgd_init, _plain_update, _plain_explain, stability=stability.gradient_descent),
    OptimizerSpec(
        "momentum", "Momentum (heavy ball)",
        "Accumulates a velocity that keeps moving in persistent directions and damps oscillation.",
        "b ← μ·b + (1−τ)·g   (b₁ = g;  μ = 0: b = g)\nθ ← θ − γ·b",
        "torch.optim.SGD(lr, momentum, dampening, weight_decay)",
        (_lr(1e-3), MOMENTUM,
         Param("dampening", 0.0, "Dampening tau: scales the new gradient's share of the velocity by (1 - tau).",
               low=0.0, high=1.0), WEIGHT_DECAY),
        _sgd_init, _momentum_update, _momentum_explain, formula_for=_momentum_formula,
        stability=stability.heavy_ball),
    OptimizerSpec(
        "nesterov", "Nesterov momentum", "Momentum that steps with the gradient plus a look-ahead along the velocity.",
        "b ← μ·b + g   (b₁ = g)\nθ ← θ − γ·(g + μ·b)", "torch.optim.SGD(lr, momentum, nesterov=True, weight_decay)",
        (_lr(1e-3), Param("momentum", 0.9, "Momentum mu (above 0: Nesterov's look-ahead needs a velocity).",
                          low=0.0, low_open=True, high=1.0, high_open=True), WEIGHT_DECAY),
        _sgd_init, _nesterov_update, _nesterov_explain, stability=stability.nesterov),
    OptimizerSpec(
        "adagrad", "AdaGrad", "Divides each parameter's step by the root of its summed squared gradients.",
        "G ← G + g²\nθ ← θ − γ/(1+(t−1)·η) · g/(√G + ε)", "torch.optim.Adagrad",
        (_lr(1e-2), Param("lr_decay", 0.0, "Learning-rate decay eta: the rate is gamma/(1 + (t-1)*eta).", low=0.0,
                          high=MAX_MAGNITUDE),
         WEIGHT_DECAY,
         Param("initial_accumulator_value", 0.0, "Starting value of the sum of squared gradients G.", low=0.0,
               high=MAX_MAGNITUDE),
         _eps(1e-10)),
        _adagrad_init, _adagrad_update, _adagrad_explain, formula_for=_adagrad_formula, stability=ADAPTIVE),
    OptimizerSpec(
        "rmsprop", "RMSprop", "Divides each step by a running root-mean-square of recent gradients.",
        "v ← α·v + (1−α)·g²   (centered: ṽ = v − ḡ², ḡ ← α·ḡ + (1−α)·g)\n"
        "b ← μ·b + g/(√ṽ + ε);  θ ← θ − γ·b", "torch.optim.RMSprop",
        (_lr(1e-2), Param("alpha", 0.99, "Smoothing constant alpha of the running mean of squared gradients.",
                          low=0.0, high=1.0, high_open=True),
         _eps(1e-8), WEIGHT_DECAY,
         Param("momentum", 0.0, "Momentum mu applied to the scaled step (0 turns it off).",
               low=0.0, high=1.0, high_open=True),
         Param("centered", False, "Normalise by the variance of the gradient instead of its raw second moment.",
               kind=bool)),
        _rmsprop_init, _rmsprop_update, _rmsprop_explain, formula_for=_rmsprop_formula, stability=ADAPTIVE),
    OptimizerSpec(
        "adam", "Adam", "Momentum on the gradient, divided by a running RMS, both bias-corrected.",
        f"{ADAM_MOMENTS}\n{ADAM_STEP}", "torch.optim.Adam",
        (_lr(1e-3), BETA1, BETA2, _eps(1e-8), WEIGHT_DECAY), _adam_init, _adam_update, _adam_explain,
        stability=ADAPTIVE),
    OptimizerSpec(
        "amsgrad", "AMSGrad", "Adam that never lets the second moment shrink: it divides by the running maximum.",
        AMSGRAD_RULE, "torch.optim.Adam(amsgrad=True)",
        (_lr(1e-3), BETA1, BETA2, _eps(1e-8), WEIGHT_DECAY), _adam_init, _amsgrad_update, _amsgrad_explain,
        stability=ADAPTIVE),
    OptimizerSpec(
        "adamw", "AdamW", "Adam with weight decay applied to the parameters directly, not through the gradient.",
        "θ ← θ·(1 − γ·λ)\nm ← β₁·m + (1−β₁)·g;  v ← β₂·v + (1−β₂)·g²\nθ ← θ − γ·m̂/(√v̂ + ε)",
        "torch.optim.AdamW",
        (_lr(1e-3), BETA1, BETA2, _eps(1e-8),
         Param("weight_decay", 1e-2, "Decoupled weight decay lambda: shrinks theta by gamma*lambda each step.",
               low=0.0, high=MAX_MAGNITUDE),
         Param("amsgrad", False, "Use the running maximum of the second moment (AMSGrad).", kind=bool)),
        _adam_init, _adamw_update, _adamw_explain, decay="decoupled", formula_for=_adamw_formula,
        stability=ADAPTIVE),
    OptimizerSpec(
        "adamax", "Adamax", "Adam with the infinity norm in place of the root-mean-square.",
        "m ← β₁·m + (1−β₁)·g;  u ← max(β₂·u, |g| + ε)\nθ ← θ − γ/(1−β₁ᵗ) · m/u", "torch.optim.Adamax",
        (_lr(2e-3), BETA1, BETA2, _eps(1e-8), WEIGHT_DECAY), _adamax_init, _adamax_update,
        _adamax_explain, stability=ADAPTIVE),
    OptimizerSpec(
        "nadam", "NAdam", "Adam with Nesterov momentum: the step looks ahead along the momentum.",
        "μₜ = β₁·(1 − ½·0.96^(t·ψ));  m, v as Adam\n"
        "θ ← θ − γ·[(1−μₜ)/(1−∏ᵢ₌₁ᵗ μᵢ)·g + μₜ₊₁/(1−∏ᵢ₌₁ᵗ⁺¹ μᵢ)·m] / (√(v/(1−β₂ᵗ)) + ε)", "torch.optim.NAdam",
        (_lr(2e-3), BETA1, BETA2, _eps(1e-8), WEIGHT_DECAY,
         Param("momentum_decay", 4e-3, "Momentum decay psi of the schedule mu_t.", low=0.0,
               high=MAX_MAGNITUDE)),
        _nadam_init, _nadam_update, _nadam_explain, stability=ADAPTIVE),
    OptimizerSpec(
        "adadelta", "Adadelta", "Scales each step by the ratio of RMS past updates to RMS gradients; needs no tuning.",
        "v ← ρ·v + (1−ρ)·g²;  Δ = √(u+ε)/√(v+ε) · g;  u ← ρ·u + (1−ρ)·Δ²\nθ ← θ − γ·Δ", "torch.optim.Adadelta",
        (_lr(1.0), Param("rho", 0.9, "Decay rate rho of the running means of g^2 and of squared updates.",
                         low=0.0, high=1.0),
         _eps(1e-6), WEIGHT_DECAY),
        _adadelta_init, _adadelta_update, _adadelta_explain, stability=ADAPTIVE),
)}


@dataclass(frozen=True)
class Optimizer:
    """An optimizer with its hyperparameters bound: ``init(params)`` and ``update(grad, state, params, lr)``."""

    spec: OptimizerSpec
    hparams: dict
    problem: Any = None  # what the rule's ``needs`` are read from (see bind)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def evaluates(self) -> bool:
        """Whether its update takes an ``objective`` (see OptimizerSpec.evaluates)."""
        return self.spec.uses_objective(self.hparams)

    def bind(self, problem) -> Optimizer:
        """This optimizer on ``problem``: rules that need something of the problem (weight matrices, its minimum
        value) read it at ``init``."""
        return Optimizer(self.spec, self.hparams, problem)

    def init(self, params: np.ndarray):
        if self.spec.needs:
            return self.spec.init(params, self.hparams, problem=self.problem)
        return self.spec.init(params, self.hparams)

    @cached_property
    def step(self) -> Callable:
        """The whole update ``(grad, state, params, lr, hparams)``: weight decay, then the rule."""
        return update_with_decay(self.spec, self.hparams)

    def update(self, grad: np.ndarray, state, params: np.ndarray, lr):
        return self.step(grad, state, params, lr, self.hparams)


def stability_of(optimizer: dict) -> StabilityBound | str:
    """What the registry row of ``optimizer`` (a validated config's ``optimizer``: name and hyperparameters)
    declares of its stability on a quadratic loss: its bound, or why it has none (see :mod:`gd_core.stability`)."""
    return OPTIMIZERS[optimizer["name"]].stability_bound({k: v for k, v in optimizer.items() if k != "name"})


def make_optimizer(name: str, **hparams) -> Optimizer:
    """Build a registered optimizer, validating its hyperparameters (``ConfigError`` on a bad one)."""
    from .errors import ConfigError

    if name not in OPTIMIZERS:
        raise ConfigError("optimizer.name", f"unknown optimizer {quote(name)} "
                                            f"(allowed: {', '.join(OPTIMIZERS)})")
    spec = OPTIMIZERS[name]
    return Optimizer(spec, check_params(spec.params, hparams, "optimizer.", name))


# --- an update with its numbers, for the update-rule panel -------------------------------------------------------
def step_inputs(record) -> StepInputs:
    """The :class:`StepInputs` of a :class:`gd_core.pipeline.StepRecord`: the weight-decay stage applied to the
    gradient or the parameters as the update applied it."""
    optimizer, hp, lr = record.optimizer, record.hparams, record.lr
    grad, params = record.grad, record.params_before
    if _nonzero(hp.get("weight_decay", 0.0)):
        decay = decay_mode(optimizer.spec, hp)
        if decay == "decoupled":
            params = decoupled_weight_decay(params, lr, hp["weight_decay"])
        elif decay == "l2":
            grad = l2_weight_decay(grad, params, lr, hp["weight_decay"])
    return StepInputs(record.state.count, lr, grad, params, record.state_before, record.state, hp)


def explain(record) -> list[tuple[str, object]]:
    """The named quantities of a StepRecord's update as (symbol, value) rows - t, the rate, the gradient, the
    weight-decay stage where there is one, then the optimizer row's own explanation, and last the update Δθ
    itself; values are per-parameter arrays or scalars (with a leading run axis in a group).

    Quantities that overflow (a run gone far out, a huge rate) are shown as they come out - inf or NaN, as the
    step itself computed them - without a warning."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        inputs = step_inputs(record)
        rows: list[tuple[str, object]] = [("t", inputs.t), ("γₜ", inputs.lr), ("g", record.grad)]
        if inputs.grad is not record.grad:
            rows.append(("g + λ·θ", inputs.grad))
        if inputs.params is not record.params_before:
            rows.append(("θ·(1 − γ·λ)", inputs.params))
        if record.optimizer.spec.explain is not None:
            rows += record.optimizer.spec.explain(inputs).rows
    return rows + [("Δθ (update)", record.update)]


# --- rows from the method modules (torch.optim's further algorithms, classical methods) ---------------------------
def register(rows) -> None:
    """Add registry rows (a method module calls this at import)."""
    for row in rows:
        OPTIMIZERS[row.name] = row


from .methods import classical, torch_extra  # noqa: E402,F401 (they register their rows)
