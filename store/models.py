"""SQLModel table models: the typed records the store reads and writes.

The numbered SQL migrations are the source of truth for the schema; these classes mirror them
column for column (name, order, type, nullability, keys), and ``tests/store`` checks that they
agree. Models use their own SQLAlchemy registry so the store's tables never mix with tables that
other packages declare on ``SQLModel.metadata``.

Enumerated columns are plain VARCHAR in the database (see 0001_init.sql for why); here they are
typed with ``Literal`` aliases and checked by the store's write functions.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal, get_args

import sqlalchemy as sa
from sqlalchemy.orm import registry
from sqlmodel import AutoString, Field, SQLModel

RunStatus = Literal[
    "queued", "running", "paused", "succeeded", "failed", "cancelled", "interrupted"
]
StageEventKind = Literal["started", "finished", "failed", "skipped"]
ArtifactKind = Literal["checkpoint", "model", "dataset", "report", "eval", "other"]
ArtifactLayout = Literal["file", "tree"]
ModelStage = Literal["none", "staging", "production", "archived"]
LogLevel = Literal["debug", "info", "warning", "error", "critical"]

RUN_STATUSES: frozenset[str] = frozenset(get_args(RunStatus))
TERMINAL_STATUSES: frozenset[str] = frozenset({"succeeded", "failed", "cancelled"})
STAGE_EVENT_KINDS: frozenset[str] = frozenset(get_args(StageEventKind))
ARTIFACT_KINDS: frozenset[str] = frozenset(get_args(ArtifactKind))
MODEL_STAGES: frozenset[str] = frozenset(get_args(ModelStage))
LOG_LEVELS: frozenset[str] = frozenset(get_args(LogLevel))

STORE_REGISTRY = registry()

# Shorthands for the column types SQLModel would otherwise guess wrong: a Python int maps to
# INTEGER (32-bit) and a float to FLOAT (32-bit REAL) in DuckDB.
_BIGINT = sa.BigInteger
_DOUBLE = sa.Double


class StoreModel(SQLModel, registry=STORE_REGISTRY):
    """Base class of every store table; its ``metadata`` holds exactly the store's tables."""


class SchemaMigration(StoreModel, table=True):
    """One applied migration file."""

    __tablename__: ClassVar[str] = "schema_migrations"

    # autoincrement=False: SQLAlchemy would otherwise emit SERIAL, which DuckDB lacks.
    version: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    name: str
    checksum: str
    applied_at: datetime


class Experiment(StoreModel, table=True):
    """A named group of runs."""

    __tablename__: ClassVar[str] = "experiments"

    id: str = Field(primary_key=True)
    name: str = Field(unique=True)
    created_at: datetime


class Run(StoreModel, table=True):
    """One execution of a recipe: its config, status and timings."""

    __tablename__: ClassVar[str] = "runs"

    id: str = Field(primary_key=True)
    experiment_id: str
    name: str
    recipe: str
    status: RunStatus = Field(sa_type=AutoString)
    config_json: str
    config_hash: str
    seed: int | None = Field(default=None, sa_type=_BIGINT)
    git_commit: str | None = None
    env_json: str
    error_type: str | None = None
    error_message: str | None = None
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    last_step: int | None = Field(default=None, sa_type=_BIGINT)
    parent_run_id: str | None = None
    priority: int = Field(default=0, sa_column_kwargs={"server_default": sa.text("0")})


class Param(StoreModel, table=True):
    """One flattened config value of a run, JSON-encoded."""

    __tablename__: ClassVar[str] = "params"

    run_id: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    value_json: str


class Metric(StoreModel, table=True):
    """One metric point. Written only in bulk by ``MetricBuffer``; no key in the database."""

    __tablename__: ClassVar[str] = "metrics"
    # The ORM needs an identity; the table deliberately has no primary key (append-only).
    __mapper_args__: ClassVar[dict[str, object]] = {"primary_key": ["run_id", "key", "step"]}

    run_id: str
    key: str
    step: int = Field(sa_type=_BIGINT)
    value: float = Field(sa_type=_DOUBLE)
    wall_time: float = Field(sa_type=_DOUBLE)


class MetricSummary(StoreModel, table=True):
    """Last, min and max value of one metric of one run, kept current by every flush."""

    __tablename__: ClassVar[str] = "metric_summary"

    run_id: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    last_step: int = Field(sa_type=_BIGINT)
    last_value: float = Field(sa_type=_DOUBLE)
    last_wall_time: float = Field(sa_type=_DOUBLE)
    min_value: float | None = Field(default=None, sa_type=_DOUBLE)
    max_value: float | None = Field(default=None, sa_type=_DOUBLE)
    n_points: int = Field(sa_type=_BIGINT)


class EvalSample(StoreModel, table=True):
    """One scored sample of one evaluation of a run. Written only in bulk (``store.evals``)."""

    __tablename__: ClassVar[str] = "eval_samples"
    # Append-only with no key in the database, like metrics; the ORM needs an identity.
    __mapper_args__: ClassVar[dict[str, object]] = {
        "primary_key": ["run_id", "phase", "task", "step", "sample_id", "epoch"]
    }

    run_id: str
    phase: str
    task: str
    step: int = Field(sa_type=_BIGINT)
    sample_id: str
    epoch: int
    input: str
    target: str
    output: str
    score: float = Field(sa_type=_DOUBLE)
    answer: str | None = None
    explanation: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    latency_s: float | None = Field(default=None, sa_type=_DOUBLE)
    scores_json: str | None = None
    metadata_json: str | None = None


class FeedbackEvent(StoreModel, table=True):
    """One production event, redacted and quality-checked. Written only in bulk."""

    __tablename__: ClassVar[str] = "feedback_events"
    # Append-only with no key in the database (like metrics); the ORM needs an identity.
    __mapper_args__: ClassVar[dict[str, object]] = {"primary_key": ["id"]}

    id: str
    ts: datetime
    model_name: str | None = None
    model_version: int | None = None
    input: str
    output: str
    latency_ms: float | None = Field(default=None, sa_type=_DOUBLE)
    user_signal: float | None = Field(default=None, sa_type=_DOUBLE)
    label: str | None = None
    features_json: str | None = None
    quality_flags: str
    redactions: int
    batch_id: str
    source: str | None = None
    ingested_at: datetime


class Analysis(StoreModel, table=True):
    """One persisted analysis (drift, drift reference, adversary, explanation)."""

    __tablename__: ClassVar[str] = "analyses"

    id: str = Field(primary_key=True)
    kind: str
    model_name: str | None = None
    model_version: int | None = None
    run_id: str | None = None
    name: str
    created_at: datetime
    seed: int | None = Field(default=None, sa_type=_BIGINT)
    params_json: str
    summary_json: str
    result_ref: str | None = None


class StageEvent(StoreModel, table=True):
    """A stage of a run's workflow started, finished, failed or was skipped."""

    __tablename__: ClassVar[str] = "stage_events"
    __mapper_args__: ClassVar[dict[str, object]] = {"primary_key": ["run_id", "seq"]}

    run_id: str
    seq: int = Field(sa_type=_BIGINT)
    stage_path: str
    stage: str
    event: StageEventKind = Field(sa_type=AutoString)
    wall_time: float = Field(sa_type=_DOUBLE)
    duration_s: float | None = Field(default=None, sa_type=_DOUBLE)
    detail_json: str | None = None


class LogLine(StoreModel, table=True):
    """One log message of a run."""

    __tablename__: ClassVar[str] = "logs"
    __mapper_args__: ClassVar[dict[str, object]] = {"primary_key": ["run_id", "seq"]}

    run_id: str
    seq: int = Field(sa_type=_BIGINT)
    wall_time: float = Field(sa_type=_DOUBLE)
    level: LogLevel = Field(sa_type=AutoString)
    message: str
    stage: str | None = None


class Artifact(StoreModel, table=True):
    """A file or directory tree kept in the blob store; ``uri`` is relative to the home."""

    __tablename__: ClassVar[str] = "artifacts"

    id: str = Field(primary_key=True)
    run_id: str | None = Field(default=None, index=True)
    kind: ArtifactKind = Field(sa_type=AutoString)
    name: str
    layout: ArtifactLayout = Field(sa_type=AutoString)
    sha256: str
    size_bytes: int = Field(sa_type=_BIGINT)
    uri: str
    meta_json: str
    created_at: datetime


class Model(StoreModel, table=True):
    """A registered model name; its versions live in ``model_versions``."""

    __tablename__: ClassVar[str] = "models"

    name: str = Field(primary_key=True)
    description: str
    created_at: datetime


class ModelVersion(StoreModel, table=True):
    """One numbered version of a registered model, pointing at the run and artifact it came from."""

    __tablename__: ClassVar[str] = "model_versions"
    __table_args__ = (sa.UniqueConstraint("model_name", "version"),)

    id: str = Field(primary_key=True)
    model_name: str
    version: int
    run_id: str | None = None
    artifact_id: str | None = None
    metrics_json: str
    stage: ModelStage = Field(sa_type=AutoString)
    created_at: datetime


class ModelAlias(StoreModel, table=True):
    """A movable name (``@champion``) for one version of a model."""

    __tablename__: ClassVar[str] = "model_aliases"

    model_name: str = Field(primary_key=True)
    alias: str = Field(primary_key=True)
    version: int


class LineageEdge(StoreModel, table=True):
    """``dst`` was made from ``src``; the edges form a DAG."""

    __tablename__: ClassVar[str] = "lineage_edges"
    __table_args__ = (sa.Index("ix_lineage_edges_dst", "dst_kind", "dst_id"),)

    src_kind: str = Field(primary_key=True)
    src_id: str = Field(primary_key=True)
    dst_kind: str = Field(primary_key=True)
    dst_id: str = Field(primary_key=True)
    relation: str = Field(primary_key=True)
    created_at: datetime


TABLE_MODELS: tuple[type[StoreModel], ...] = (
    SchemaMigration,
    Experiment,
    Run,
    Param,
    Metric,
    MetricSummary,
    StageEvent,
    LogLine,
    Artifact,
    Model,
    ModelVersion,
    ModelAlias,
    LineageEdge,
    EvalSample,
    FeedbackEvent,
    Analysis,
)
