"""Wire records of the run-control and worker routes: submit, cancel, pause, resume, models."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class SubmitIn(BaseModel):
    """A run to queue: a recipe, its config and a priority (higher runs first).

    ``config`` holds values as a YAML config file would (``kitchen run sft my.yaml`` sends the
    file's content); ``overrides`` (``key=value``) are merged over it. ``workdir`` is the
    submitter's folder: the run's worker starts there, so relative paths mean what they meant
    to the submitter.
    """

    recipe: str
    overrides: list[str] = Field(default_factory=list)
    config: dict[str, Any] | None = None
    priority: int = 0
    workdir: str | None = None


class FieldErrorOut(BaseModel):
    """One problem of a config: the field (dotted) and what is wrong with it."""

    field: str
    message: str


class CheckOut(BaseModel):
    """A config checked without queueing anything: its problems, or the resolved values."""

    ok: bool
    errors: list[FieldErrorOut]
    config: dict[str, Any]


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
    pending: bool = False


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


class LogOut(BaseModel):
    """One log line of a run."""

    seq: int
    time: datetime
    level: str
    stage: str
    message: str


class StageEventOut(BaseModel):
    """A stage of a run starting, finishing or failing."""

    seq: int
    time: datetime
    stage: str
    path: str
    depth: int
    event: Literal["started", "finished", "failed"]
    duration_s: float | None
    error: str | None


class GpuOut(BaseModel):
    """One GPU as the engine sees it."""

    index: int
    name: str
    memory_used_bytes: int
    memory_total_bytes: int
    utilization_percent: float | None


class EngineStatusOut(BaseModel):
    """The engine's queue, slots and the machine's load."""

    pid: int
    store: str
    uptime_s: float
    slots: int
    running: list[str]
    queued: list[str]
    cpu_percent: float
    memory_used_bytes: int
    memory_total_bytes: int
    process_rss_bytes: int
    gpus: list[GpuOut]


class RecipeOut(BaseModel):
    """A recipe's name and what it does."""

    name: str
    description: str


class RecipeDetailOut(BaseModel):
    """A recipe's stage tree (``kitchen describe``), config schema and defaults."""

    name: str
    description: str
    stages: list[dict[str, Any]]
    config_schema: dict[str, Any]
    defaults: dict[str, Any]
