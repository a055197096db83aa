"""Explain a model: SHAP, LIME, PDP/ICE, integrated gradients or occlusion over a table or
texts, stored as an ``xai`` analysis of the run with the spec that reproduces it."""

from __future__ import annotations

from pydantic import Field

from kitchen.analysis.xai.spec import ExplainSpec
from kitchen.recipes.base import Recipe
from kitchen.stages.explain import ExplainModel
from kitchen.workflow import Step


class ExplainConfig(ExplainSpec):
    """Knobs of the ``explain`` recipe: the :class:`ExplainSpec` plus where the run goes."""

    threads: int = Field(0, ge=0, description="CPU threads for torch (0: torch's default)")
    experiment: str = Field("default", description="experiment the run belongs to")
    name: str = Field("", description="run and analysis name ('' derives one)")


RECIPE = Recipe(
    name="explain",
    description="Explain a model (SHAP, LIME, PDP/ICE, integrated gradients, occlusion)",
    config_type=ExplainConfig,
    workflow=(Step(ExplainModel()),),
)
