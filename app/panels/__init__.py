"""The settings panels of the left dock, each generated from gd_core's registries."""

from .learning_rate import LearningRatePanel
from .optimizer import OptimizerPanel
from .problem import ProblemPanel
from .run_settings import RunPanel
from .variant import VariantPanel

PANELS = (ProblemPanel, VariantPanel, OptimizerPanel, LearningRatePanel, RunPanel)

__all__ = ["PANELS", "LearningRatePanel", "OptimizerPanel", "ProblemPanel", "RunPanel", "VariantPanel"]
