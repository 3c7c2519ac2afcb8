"""A learning-rate sweep, or a batch-size scaling, in a process of its own: ``python -m gd_core.sweep_worker``.

Why a process and not a thread: a sweep advances many runs of tiny numpy arrays, and such calls never release
the GIL. On a thread of the window's process the window then waits for the GIL each time Qt calls into Python
while it draws - a convoy that stretched single frames to 0.3-0.5 s. A process of its own shares nothing and
can be stopped at once.

Protocol. Standard input: one JSON object ``{"problem": CONFIG, "jobs": [{"kind", "key", "label", "configs"}]}``
(``"hold": seconds`` makes the worker wait that long after each finished job - for tests that must stop a sweep
between two jobs on any machine). Standard output: one JSON object per line - ``{"progress": p}``, then for each
finished job ``{"progress": p, "job": i, "losses": [...]}`` (NaN where a run diverged), and last ``{"end": "done"}``
or ``{"end": "error", "message": ...}``.

Batch-size scaling (:mod:`gd_core.batch_scaling`): standard input ``{"task": "batch_scaling", "problem": CONFIG,
"plan": {"config", "target", "sizes", "lrs", "seeds", "epochs"}}``; standard output ``{"progress": p}`` lines, for
each batch size done ``{"progress": p, "point": {"batch_size", "samples_per_step", "lr", "steps", "epochs"}}``
(NaN as null) with ``"noise_scale"`` added for the full batch, then the same ``end`` line.
"""

from __future__ import annotations

import dataclasses
import json
import math
import sys
import time

from .batch_scaling import ScalingPlan, ScalingPoint, ScalingUpdate, run_scaling
from .config import build_problem, validate
from .errors import ConfigError
from .files import parse_json
from .sweep import SweepJob, run_sweep


def _emit(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def request_text(problem_config: dict, jobs: list[SweepJob], hold: float = 0.0) -> str:
    """The worker's standard input for a sweep of ``jobs`` on the problem of ``problem_config``."""
    request = {"problem": problem_config,
               "jobs": [{"kind": j.kind, "key": j.key, "label": j.label, "configs": j.configs} for j in jobs]}
    if hold:
        request["hold"] = hold
    return json.dumps(request)


def scaling_request_text(problem_config: dict, plan: ScalingPlan) -> str:
    """The worker's standard input for a batch-size scaling ``plan`` on the problem of ``problem_config``."""
    return json.dumps({"task": "batch_scaling", "problem": problem_config, "plan": dataclasses.asdict(plan)})


def _number(value) -> float:
    return math.nan if value is None else float(value)


def _json_number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def parse_line(line: str) -> dict:
    """One line of the worker's output, NaN restored in the losses and the scaling's numbers (a scaling point
    becomes a :class:`ScalingUpdate` under ``"update"``)."""
    message = parse_json(line, "sweep", "the sweep worker's output")
    if "losses" in message:
        message["losses"] = [_number(v) for v in message["losses"]]
    if "point" in message:
        point = ScalingPoint(**{k: int(v) if k == "batch_size" else _number(v) for k, v in message["point"].items()})
        noise = _number(message["noise_scale"]) if "noise_scale" in message else None
        message["update"] = ScalingUpdate(message["progress"], point, noise)
    return message


def _sweep(request: dict, problem) -> None:
    jobs = [SweepJob(j["kind"], j["key"], j["label"], j["configs"]) for j in request["jobs"]]
    hold = float(request.get("hold", 0.0))
    for update in run_sweep(jobs, problem):
        if update.job is None:
            _emit({"progress": update.progress})
            continue
        index = next(i for i, job in enumerate(jobs) if job is update.job)
        _emit({"progress": update.progress, "job": index, "losses": [_json_number(v) for v in update.losses]})
        time.sleep(hold)


def _scaling(request: dict, problem) -> None:
    plan = request["plan"]
    plan = ScalingPlan(plan["config"], float(plan["target"]), tuple(plan["sizes"]), tuple(plan["lrs"]),
                       int(plan["seeds"]), float(plan["epochs"]))
    for update in run_scaling(plan, problem):
        message = {"progress": update.progress}
        if update.point is not None:
            message["point"] = {k: v if k == "batch_size" else _json_number(v)
                                for k, v in dataclasses.asdict(update.point).items()}
        if update.noise_scale is not None:
            message["noise_scale"] = _json_number(update.noise_scale)
        _emit(message)


def main() -> int:
    try:
        request = parse_json(sys.stdin.read(), "sweep", "the sweep request")
        problem = build_problem(validate(request["problem"]))
        (_scaling if request.get("task") == "batch_scaling" else _sweep)(request, problem)
        _emit({"end": "done"})
    except ConfigError as error:
        _emit({"end": "error", "message": f"Not computed: {error}"})
    except Exception as error:  # reported in the window; a worker must not die silently
        _emit({"end": "error", "message": f"The sweep failed: {type(error).__name__}: {error}"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
