"""The problem registry: name -> :class:`ProblemSpec`."""

from __future__ import annotations

from .base import Problem, ProblemSpec
from .functions2d import FUNCTION_SPECS, Function2D
from .mlp import MLP, MLP_SPEC
from .regression import REGRESSION_SPECS, LinearRegression, LogisticRegression

PROBLEMS: dict[str, ProblemSpec] = {spec.name: spec for spec in (*REGRESSION_SPECS, MLP_SPEC, *FUNCTION_SPECS)}

__all__ = ["PROBLEMS", "Problem", "ProblemSpec", "Function2D", "LinearRegression", "LogisticRegression", "MLP"]
