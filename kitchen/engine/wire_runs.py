"""Wire records of the run-control and worker routes: submit, cancel, resume, models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class SubmitIn(BaseModel):
    """A run to queue: a recipe, ``key=value`` overrides and a priority (higher runs first)."""

    recipe: str
    overrides: list[str] = Field(default_factory=list)
    priority: int = 0


class RunControlOut(BaseModel):
    """The run a control request acted on, and its status afterwards."""

    run_id: str
    status: str


class ResumeInfoOut(BaseModel):
    """What a worker needs to resume a run (``kitchen.adapters.duckdb.open.ResumeRecord``)."""

    run_id: str
    recipe: str
    config: dict[str, Any]
    checkpoint_ref: str
    position: list[list[int]]
    snapshot: dict[str, Any]
    step: int


class ReopenIn(BaseModel):
    """Drop a run's metrics past ``step`` (its checkpoint) before it resumes."""

    step: int


class RegisterIn(BaseModel):
    """A model version made by a run from a blob it stored."""

    run_id: str
    artifact_ref: str
    metrics: dict[str, float] = Field(default_factory=dict)


class ModelVersionOut(BaseModel):
    """One registered model version (``kitchen.ports.registry.ModelVersionInfo``)."""

    name: str
    version: int
    run_id: str
    artifact_ref: str
    metrics: dict[str, float] = Field(default_factory=dict)
    aliases: list[str] = Field(default_factory=list)


class AliasIn(BaseModel):
    """Point an alias of a model at a version."""

    version: int
