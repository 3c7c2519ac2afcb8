"""The problem registry: name -> :class:`ProblemSpec`."""

from __future__ import annotations

from .base import Problem, ProblemSpec
from .functions2d import FUNCTION_SPECS, Function2D
from .regression import REGRESSION_SPECS, LinearRegression, LogisticRegression

PROBLEMS: dict[str, ProblemSpec] = {spec.name: spec for spec in (*REGRESSION_SPECS, *FUNCTION_SPECS)}

__all__ = ["PROBLEMS", "Problem", "ProblemSpec", "Function2D", "LinearRegression", "LogisticRegression"]
