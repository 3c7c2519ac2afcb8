"""One training step, written once: sample -> gradient -> gradient stages -> update -> record.

A step t (0-based) of a run: ``lr = schedule(lr0, t)``; draw the step's samples; ``batch_loss, g`` on them at
the current params (one evaluation of the batch objective); pass g through the gradient stages in order -
:func:`coordinate_mask`, :func:`gradient_noise`, :func:`clip_by_norm`, each present only when configured, in
the spirit of optax's ``chain``; update with the optimizer's whole step (its weight-decay stage, then its rule,
see :func:`gd_core.optimizers.update_with_decay`); evaluate the full objective at the new params and record
the row, then each recorder's column.

:class:`StepLoop` runs that step for one run (:class:`gd_core.trainer.Trainer`, params (d,)) and for R runs at
once (:class:`gd_core.many.TrainerGroup`, params (R, d)) alike: the stages take either shape. The latest step is
published as a :class:`StepRecord`.

Extension points: a stage is ``stage(grad, params, lr) -> grad``; a :class:`Recorder` adds a History column
measured from each step's record; an optimizer row with ``evaluates=True`` gets an :class:`Objective` to
evaluate the step's batch loss and gradient at trial points (line search, several evaluations per step), and
``evaluations`` counts every evaluation a method made.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from .differences import finite_difference_hessian


@dataclass(frozen=True)
class StepRecord:
    """The latest step of a run, as views read it (arrays get a leading run axis in a group).

    ``step`` is the update's number t (the History row it produced); ``lr`` its rate; ``params_before`` and
    ``params`` the parameters before and after it; ``indices`` its samples (None: all of them);
    ``batch_loss`` and ``batch_grad`` the loss and gradient of those samples at ``params_before``; ``grad`` the
    gradient the update used (after the coordinate mask, noise and clipping; before weight decay);
    ``full_grad_before`` and ``full_grad`` the full objective's gradient before and after; ``state_before`` and
    ``state`` the optimizer's state before and after the update, ``optimizer`` the optimizer that made it and
    ``hparams`` the hyperparameters it used (a one-cycle schedule sets the momentum of each step).
    """

    step: int
    lr: Any
    params_before: np.ndarray
    params: np.ndarray
    indices: np.ndarray | None
    batch_loss: Any
    batch_grad: np.ndarray
    grad: np.ndarray
    full_grad_before: np.ndarray
    full_grad: np.ndarray
    state_before: Any
    state: Any
    optimizer: Any
    hparams: dict

    @property
    def update(self) -> np.ndarray:
        """The step theta_t - theta_{t-1}."""
        return self.params - self.params_before


class Recorder(NamedTuple):
    """A History column measured at every step: ``measure(record: StepRecord)`` -> a float (per run in a group).

    Row 0 (the start, before any step) holds ``start(params)`` where given, else NaN."""

    column: str
    measure: Callable[[StepRecord], Any]
    start: Callable[[np.ndarray], Any] | None = None


class Objective:
    """The loss and gradient of this step's samples at any params, for methods that evaluate more than once per
    step (line search, L-BFGS) or need curvature (Newton); ``count`` says how many gradient evaluations it made
    (a method that evaluates a group's runs apart may set it per run).

    ``loss`` is the batch loss at the step's params, which the pipeline evaluated already (with the gradient the
    rule is given): using it costs nothing."""

    __slots__ = ("_gradient", "idx", "count", "loss", "_problem")

    def __init__(self, gradient: Callable, idx, loss=None, problem=None):
        self._gradient, self.idx, self.count, self.loss, self._problem = gradient, idx, 0, loss, problem

    def __call__(self, params: np.ndarray):
        self.count += 1
        return self._gradient(params, self.idx)

    def hessian(self, params: np.ndarray) -> np.ndarray:
        """The Hessian of the step's objective at ``params`` (d,): the problem's (analytic where it has one) when
        the step sees every sample, else central differences of the batch gradient. It counts as d evaluations
        (d Hessian-vector products build it, each about the cost of a gradient)."""
        self.count += params.shape[-1]
        if self.idx is None and self._problem is not None and self._problem.can("hessian"):
            return np.asarray(self._problem.hessian(params), dtype=float)
        return finite_difference_hessian(lambda points: self._gradient(points, self.idx)[1], params)


# --- gradient stages: stage(grad, params, lr) -> grad; runs=None for one run, else the (R,) slot of each run ----
def coordinate_mask(sampler, n_params: int, slots: np.ndarray | None = None) -> Callable:
    """Coordinate descent: keep one uniformly chosen component g_j of each run's gradient, zero the others (runs
    that share a seed share j: ``slots`` maps each run to its generator)."""
    if slots is None:
        def mask(grad, params, lr):
            j = int(sampler.next_coordinate(n_params))
            masked = np.zeros_like(grad)
            masked[j] = grad[j]
            return masked
        return mask
    runs = np.arange(len(slots))

    def mask_runs(grad, params, lr):
        j = np.reshape(sampler.next_coordinate(n_params), -1)[slots]
        masked = np.zeros_like(grad)
        masked[runs, j] = grad[runs, j]
        return masked
    return mask_runs


def gradient_noise(std, rngs: list, slots: np.ndarray | None = None) -> Callable:
    """g <- g + sigma*xi with xi ~ N(0, I) from the run's own generator (``std`` sigma: a float or (R, 1))."""
    if slots is None:
        rng = rngs[0]
        return lambda grad, params, lr: grad + std * rng.standard_normal(grad.shape)
    return lambda grad, params, lr: grad + std * np.stack([rng.standard_normal(grad.shape[1]) for rng in rngs])[slots]


def clip_by_norm(max_norm: float, runs: int | None = None) -> Callable:
    """g <- g * min(1, c / (||g|| + 1e-6)): the global norm clipped to c, as torch's clip_grad_norm_."""
    if runs is None:
        return lambda grad, params, lr: grad * min(1.0, max_norm / (math.sqrt(grad @ grad) + 1e-6))
    return lambda grad, params, lr: grad * np.minimum(1.0, max_norm / (norms(grad) + 1e-6))[:, None]


def norms(vectors: np.ndarray) -> np.ndarray:
    """The Euclidean norm of each row of (R, d) (vecdot: one call, where squaring then summing are two)."""
    return np.sqrt(np.vecdot(vectors, vectors))


def gradient_stages(config: dict, sampler, n_params: int, noise_std, noise_rngs: list,
                    slots: np.ndarray | None = None) -> list[Callable]:
    """The stages a resolved config asks for, in order: coordinate mask, gradient noise, clipping."""
    stages = []
    if config["variant"] == "coordinate":
        stages.append(coordinate_mask(sampler, n_params, slots))
    if np.any(noise_std):
        stages.append(gradient_noise(noise_std, noise_rngs, slots))
    if config["clip_norm"] is not None:
        stages.append(clip_by_norm(config["clip_norm"], None if slots is None else len(slots)))
    return stages


#: The floating-point errors a step may raise without a warning: a run's overflow, 0/0 and x/0 give inf and NaN
#: as in torch's arithmetic, and the row where they appear ends the run as diverged (``_check_rows``).
QUIET_STEPS = {"over": "ignore", "invalid": "ignore", "divide": "ignore"}


class StepLoop:
    """The step loop shared by one run and a group of runs (see the module doc).

    A subclass sets ``problem``, ``sampler``, ``history``, ``params``, ``state``, ``optimizer`` (its ``spec``,
    ``hparams`` and whole ``step``), ``schedule``, ``lr0``, ``stages``, ``recorders``, ``runs`` (None for one
    run, else R), ``gradient`` (the batch loss and gradient, ``problem.loss_and_grad`` unless runs share draws)
    and ``has_data``, then calls :meth:`_start`; it decides when rows end runs in ``_check_rows`` and says whether
    every run has ended in ``done``.
    """

    runs: int | None = None
    latest: StepRecord | None = None

    def advance(self, max_steps: int | None = None, time_budget: float | None = None) -> int:
        """Run up to ``max_steps`` steps (None: until every run ended) or for ``time_budget`` seconds; return the
        steps done (a group copies a run that ended out into its ``histories``)."""
        if self.done:
            return 0
        deadline = None if time_budget is None else time.perf_counter() + time_budget
        # IEEE arithmetic, as torch computes: a diverging run overflows, an eps of 0 over a zero gradient divides
        # by zero (Adafactor's 1/sqrt(V)); the non-finite row that follows is reported by _check_rows (diverged)
        with np.errstate(**QUIET_STEPS):
            return self._steps(max_steps, deadline)

    def _start(self) -> None:
        """Evaluate and record row 0 (the start); check it (a start where the loss is not finite diverges)."""
        self.step, self.samples_seen, self.evaluations = 0, 0, 0
        with np.errstate(**QUIET_STEPS):
            loss, grad = self.problem.full_loss_and_grad(self.params)
            grad_norm = math.sqrt(grad @ grad) if self.runs is None else norms(grad)
        self._full = (loss, grad)
        self._set_limits(loss)
        lr = self.schedule(self.lr0, 0)
        self.history.append(0, 0, lr, math.nan, loss, grad_norm, self.params, evaluations=0)
        self._measure_now(self.recorders)
        self._check_rows(loss, grad_norm, lr)

    def _measure_now(self, recorders) -> None:
        """Set the latest row's value of each of ``recorders`` that has a ``start`` (measured from the params
        alone): row 0, or the row at which a recorder was added."""
        for recorder in recorders:
            if recorder.start is not None:
                with np.errstate(over="ignore", invalid="ignore"):
                    self.history.put(recorder.column, recorder.start(self.params))

    def _steps(self, max_steps: int | None, deadline: float | None) -> int:
        """Run up to ``max_steps`` steps (None: until every run ended) or until ``deadline``; return steps done.

        The per-step hot path: everything looked up once, the common end checks inlined for one run (see
        bench/core_speed.py)."""
        problem, sampler, history, recorders = self.problem, self.sampler, self.history, self.recorders
        optimizer = self.optimizer
        update, hparams, evaluates = optimizer.step, optimizer.hparams, optimizer.evaluates
        schedule, lr0, n, gradient, stages = self.schedule, self.lr0, problem.n_samples, self.gradient, self.stages
        constant_lr = schedule.spec.name == "constant"
        # a schedule that cycles momentum (one-cycle) sets the optimizer's momentum, or Adam's beta1, every step
        cycled = next((k for k in ("momentum", "beta1") if k in hparams), None) if schedule.sets_momentum else None
        base_hparams = hparams
        draw = sampler.next_indices if self.has_data else None
        single = self.runs is None
        limit, tolerance, max_total = self._quick_checks()
        params, state = self.params, self.state
        full_loss, full_grad = self._full
        step, samples_seen, evaluations, done = self.step, self.samples_seen, self.evaluations, 0
        while max_steps is None or done < max_steps:
            lr = lr0 if constant_lr else schedule(lr0, step)
            if cycled is not None:
                hparams = {**base_hparams, cycled: schedule.momentum(step)}
            idx = draw() if draw is not None else None
            if idx is None:  # every sample: the full gradient the previous row recorded
                batch_loss, batch_grad = full_loss, full_grad
                used = n
            else:
                batch_loss, batch_grad = gradient(params, idx)
                used = idx.shape[-1]
            evaluations += 1
            grad = batch_grad
            for stage in stages:
                grad = stage(grad, params, lr)
            before, full_before, state_before = params, full_grad, state
            if evaluates:
                objective = Objective(gradient, idx, batch_loss, problem)
                params, state = update(grad, state, params, lr, hparams, objective=objective)
                evaluations += objective.count
            else:
                params, state = update(grad, state, params, lr, hparams)
            full_loss, full_grad = problem.full_loss_and_grad(params)
            grad_norm = math.sqrt(full_grad @ full_grad) if single else norms(full_grad)
            step += 1
            samples_seen += used
            history.append(step, samples_seen, lr, batch_loss, full_loss, grad_norm, params, grad, evaluations)
            done += 1
            if recorders:
                record = StepRecord(step, lr, before, params, idx, batch_loss, batch_grad, grad, full_before,
                                    full_grad, state_before, state, optimizer, hparams)
                for recorder in recorders:
                    history.put(recorder.column, recorder.measure(record))
            if single:
                peak, lowest = abs(full_loss), grad_norm
            else:  # a group's common row: one reduction each, the exact per-run checks only when one may end
                peak = np.abs(full_loss).max()
                lowest = grad_norm.min() if tolerance is not None else math.inf
            if not peak <= limit or (tolerance is not None and lowest <= tolerance) \
                    or max_total is None or step >= max_total:
                self.step, self.samples_seen = step, samples_seen
                if self._check_rows(full_loss, grad_norm, lr):
                    break
            if deadline is not None and time.perf_counter() >= deadline:
                break
        self.params, self.state, self._full = params, state, (full_loss, full_grad)
        self.step, self.samples_seen, self.evaluations = step, samples_seen, evaluations
        if done:
            self.latest = StepRecord(step, lr, before, params, idx, batch_loss, batch_grad, grad, full_before,
                                     full_grad, state_before, state, optimizer, hparams)
        return done

    @property
    def fraction_done(self) -> float:
        """How much of the run's length (steps or epochs) is done, 0..1 (1 once every run has ended)."""
        if self.done:
            return 1.0
        if self._max_samples is not None:
            return min(1.0, self.samples_seen / self._max_samples)
        return min(1.0, self.step / self._max_steps)

    # -- what a subclass decides -----------------------------------------------------------------------------
    def _set_limits(self, initial_loss) -> None:
        raise NotImplementedError

    def _quick_checks(self) -> tuple[float, float | None, int | None]:
        """(loss limit, tolerance, step budget) of the inlined check of a common row: ``_check_rows`` runs only
        when some run's |loss| exceeds the limit (or is NaN), some gradient norm is within the tolerance, or the
        budget (None: check every row) is reached."""
        raise NotImplementedError

    def _check_rows(self, loss, grad_norm, lr) -> bool:
        """Set the statuses of runs that end at the latest row; True when every run has ended."""
        raise NotImplementedError
