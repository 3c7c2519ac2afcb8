"""What each optimizer's registry row declares about its largest stable learning rate on a quadratic loss.

A row's ``stability(hp)`` returns a :class:`StabilityBound` - on a quadratic whose Hessian's largest eigenvalue is
L the rule is stable only for ``lr < factor/(L + shift)`` - or a sentence saying why it has no such bound. The
divergence message, the learning-rate panel and the sharpness view's edge of stability all read it, so none of
them quotes plain gradient descent's 2/L for a method it does not describe.
"""

from __future__ import annotations

from typing import NamedTuple


class StabilityBound(NamedTuple):
    """Stable on a quadratic only for ``lr < factor/(L + shift)``: ``shift`` is an L2 weight decay λ, which adds
    λ to every eigenvalue of the Hessian (g + λθ is the gradient of the loss plus λ/2·‖θ‖²); ``text`` is the
    bound as a formula of ``{L}`` ("2(1+μ)/{L}"), which :meth:`formula` fills in."""

    factor: float
    text: str
    shift: float = 0.0

    def rate(self, curvature: float) -> float:
        """The largest stable learning rate, factor/(L + shift)."""
        return self.factor / (curvature + self.shift)

    def formula(self) -> str:
        """The bound as text: "2/L", "2(1+μ)/(L+λ)"."""
        return self.text.format(L="(L+λ)" if self.shift else "L")


def gradient_descent(hp: dict) -> StabilityBound:
    """Plain gradient descent: on a quadratic, the error along an eigenvector of eigenvalue h is multiplied by
    (1 − lr·h) each step, which shrinks for every h in (0, L] only while |1 − lr·L| < 1: lr < 2/L."""
    return StabilityBound(2.0, "2/{L}", hp.get("weight_decay", 0.0))


def heavy_ball(hp: dict) -> StabilityBound | str:
    """Heavy-ball momentum μ with dampening τ (torch.optim.SGD): θₜ₊₁ = θₜ − lr·(1−τ)·gₜ + μ·(θₜ − θₜ₋₁). Along an
    eigenvector of eigenvalue h the error follows z² − (1 + μ − a)·z + μ with a = lr·(1−τ)·h, whose roots lie
    inside the unit circle (Jury's test, 0 <= μ < 1) exactly while 0 < a < 2(1+μ): lr < 2(1+μ)/((1−τ)·L).
    With μ = 0 torch keeps no velocity and ignores τ: plain gradient descent's 2/L."""
    mu, tau, decay = hp["momentum"], hp.get("dampening", 0.0), hp.get("weight_decay", 0.0)
    if not mu:
        return gradient_descent(hp)
    if tau >= 1:
        return "with dampening 1 no gradient enters its velocity after the first step"
    if tau:
        return StabilityBound(2 * (1 + mu) / (1 - tau), "2(1+μ)/((1−τ)·{L})", decay)
    return StabilityBound(2 * (1 + mu), "2(1+μ)/{L}", decay)


def nesterov(hp: dict) -> StabilityBound:
    """Nesterov momentum μ as torch.optim.SGD steps it (b ← μ·b + g; θ ← θ − lr·(g + μ·b)): along an eigenvector of
    eigenvalue h, with a = lr·h, the error follows z² − (1 + μ)(1 − a)·z + μ(1 − a), stable while
    a·(1 + 2μ) < 2(1 + μ): lr < 2(1+μ)/((1+2μ)·L)."""
    mu = hp["momentum"]
    return StabilityBound(2 * (1 + mu) / (1 + 2 * mu), "2(1+μ)/((1+2μ)·{L})", hp.get("weight_decay", 0.0))


def newton(hp: dict) -> str:
    """Newton's step (H + λ·I)⁻¹·g on a quadratic multiplies the error along an eigenvector of eigenvalue h by
    1 − lr·h/(h + λ): stable while lr < 2 undamped, lr < 2(1 + λ/L) with damping λ - no bound in L alone."""
    if hp["damping"]:
        return "it divides the gradient by the damped Hessian: on a quadratic it is stable for γ < 2(1 + λ/L)"
    return "it divides the gradient by the Hessian, so the curvature cancels: on a quadratic it is stable for γ < 2"


def line_search(hp: dict) -> StabilityBound | str:
    """Plain gradient descent: 2/L (:func:`gradient_descent`); with a line search, none."""
    return LINE_SEARCH if hp.get("line_search") is not None else gradient_descent(hp)


def lbfgs(hp: dict) -> str:
    return LINE_SEARCH if hp["line_search"] != "none" else QUASI_NEWTON


# why a row has no bound, as the divergence message says it after "<title> has no learning-rate bound like 2/L: "
ADAPTIVE = ("it divides each step by a running size of the gradient, so its steps scale with γ and not with the "
            "curvature - lower γ for shorter steps")
LINE_SEARCH = "a line search picks each step's length (γ is only its first trial)"
QUASI_NEWTON = "it scales the gradient by an estimate of the inverse Hessian, so the curvature largely cancels"
SIGN = "it ignores the gradient's size: each parameter steps by its own step size, started at γ"
ORTHOGONAL = "it orthogonalises each update, so a step's size is set by γ, not by the gradient or the curvature"
RELATIVE = "its steps are relative to the parameters' size (ρₜ = min(γ, 1/√t)), not set by the curvature"
DECAYING = ("its rate γₜ = γ/(1 + λγt)^α falls as it runs: the loss grows while γₜ is above plain gradient "
            "descent's 2/L and may come back after")
POLYAK = "its step (f − f*)/‖g‖² adapts to the curvature: on a convex loss it converges for γ < 2, whatever L"


#: What a row that declares nothing (a row added without ``stability``) is said to have.
UNDECLARED = "none is declared in its registry row"


def undeclared(hp: dict) -> str:
    """The ``stability`` of a row that declares none: no bound is quoted for it (the built-in rows all declare)."""
    return UNDECLARED


def constant(reason: str):
    """A row's ``stability`` that always gives ``reason`` (its rule has no bound like 2/L, whatever its settings)."""
    return lambda hp: reason


def words(title: str, bound: StabilityBound | str, curvature: float) -> str:
    """What ``bound`` (an optimizer's, titled ``title``) says on a quadratic loss whose Hessian's largest
    eigenvalue is ``curvature``: "Momentum (heavy ball) is stable on this quadratic loss only for learning rates
    below 2(1+μ)/L = 0.38", or "Adam has no learning-rate bound like 2/L: <why>"."""
    if bound == UNDECLARED:
        return f"no stability bound is known for {title}: {bound}"
    if isinstance(bound, str):
        return f"{title} has no learning-rate bound like 2/L: {bound}"
    return (f"{title} is stable on this quadratic loss only for learning rates below {bound.formula()} = "
            f"{bound.rate(curvature):.4g}")


def brief(bound: StabilityBound | str, curvature: float, lr: float) -> tuple[str, bool]:
    """The learning-rate panel's line and whether ``lr`` is at or above the bound: ("Stable below 2(1+μ)/L =
    0.38.", False), or ("No learning-rate bound like 2/L for this optimizer.", False) where it has none."""
    if isinstance(bound, str):
        return "No learning-rate bound like 2/L for this optimizer (hover for why).", False
    rate = bound.rate(curvature)
    over = lr >= rate
    return f"Stable below {bound.formula()} = {rate:.4g}" + (" - this rate is above it: expect divergence."
                                                             if over else "."), over
