"""A learning-rate sweep in a process of its own: ``python -m gd_core.sweep_worker``.

Why a process and not a thread: a sweep advances many runs of tiny numpy arrays, and such calls never release
the GIL. On a thread of the window's process the window then waits for the GIL each time Qt calls into Python
while it draws - a convoy that stretched single frames to 0.3-0.5 s. A process of its own shares nothing and
can be stopped at once.

Protocol. Standard input: one JSON object ``{"problem": CONFIG, "jobs": [{"kind", "key", "label", "configs"}]}``
(``"hold": seconds`` makes the worker wait that long after each finished job - for tests that must stop a sweep
between two jobs on any machine). Standard output: one JSON object per line - ``{"progress": p}``, then for each
finished job ``{"progress": p, "job": i, "losses": [...]}`` (NaN where a run diverged), and last ``{"end": "done"}``
or ``{"end": "error", "message": ...}``.
"""

from __future__ import annotations

import json
import math
import sys
import time

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


def parse_line(line: str) -> dict:
    """One line of the worker's output, NaN restored in the losses."""
    message = parse_json(line, "sweep", "the sweep worker's output")
    if "losses" in message:
        message["losses"] = [math.nan if v is None else float(v) for v in message["losses"]]
    return message


def main() -> int:
    try:
        request = parse_json(sys.stdin.read(), "sweep", "the sweep request")
        problem = build_problem(validate(request["problem"]))
        jobs = [SweepJob(j["kind"], j["key"], j["label"], j["configs"]) for j in request["jobs"]]
        hold = float(request.get("hold", 0.0))
        for update in run_sweep(jobs, problem):
            if update.job is None:
                _emit({"progress": update.progress})
                continue
            losses = [None if math.isnan(v) else float(v) for v in update.losses]
            index = next(i for i, job in enumerate(jobs) if job is update.job)
            _emit({"progress": update.progress, "job": index, "losses": losses})
            time.sleep(hold)
        _emit({"end": "done"})
    except ConfigError as error:
        _emit({"end": "error", "message": f"Not computed: {error}"})
    except Exception as error:  # reported in the window; a worker must not die silently
        _emit({"end": "error", "message": f"The sweep failed: {type(error).__name__}: {error}"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
