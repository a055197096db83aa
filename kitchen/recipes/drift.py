"""Drift: check a window of a model version's production feedback against its reference
sketch (``kitchen drift reference``) and store the report, as a run in the engine's queue."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from kitchen.analysis.drift.report import DriftThresholds
from kitchen.recipes.base import Recipe
from kitchen.stages.drift import DriftCheck
from kitchen.workflow import Step


class DriftConfig(BaseModel):
    """Knobs of the ``drift`` recipe (``kitchen run drift model=NAME version=V …``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str = Field("", description="model name of the feedback events (required)")
    version: int = Field(1, ge=0, description="model version; its stored reference is used")
    current_since: datetime | None = Field(
        None, description="start of the current window, ISO time (required)"
    )
    current_until: datetime | None = Field(
        None, description="end of the current window (unset: now)"
    )
    reference_since: datetime | None = Field(
        None, description="compare with this raw window instead of the stored sketch"
    )
    reference_until: datetime | None = Field(None, description="end of the raw reference window")
    thresholds: DriftThresholds = Field(
        default_factory=DriftThresholds, description="when features and the window drift"
    )
    embed: bool = Field(True, description="compare input and output texts as MiniLM embeddings")
    embed_sample: int = Field(256, ge=10, description="texts embedded per window")
    seed: int = Field(0, description="seed of every sample and permutation")
    threads: int = Field(1, ge=0, description="torch threads for the encoder (0: default)")
    experiment: str = Field("drift", description="experiment the run belongs to")
    name: str = Field("", description="run and analysis name ('' derives one)")


RECIPE = Recipe(
    name="drift",
    description="Check production feedback of a model version for drift; store the report",
    config_type=DriftConfig,
    workflow=(Step(DriftCheck()),),
)
