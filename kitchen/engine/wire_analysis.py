"""Wire models of the feedback and analysis routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class FeedbackIn(BaseModel):
    """Production events to ingest; the engine redacts PII and checks quality before storing.

    Each event is a mapping with ``input``, ``output`` and ``ts`` at least (see
    ``kitchen.analysis.feedback``); ``source`` names where they came from (a file, a service).
    """

    events: list[dict[str, Any]]
    source: str | None = None


class FeedbackIngestOut(BaseModel):
    """What an ingest stored: the batch, its size, and what redaction and the checks found."""

    batch_id: str
    count: int
    redacted_events: int
    redactions: dict[str, int] = Field(default_factory=dict)
    flagged: dict[str, int] = Field(default_factory=dict)


class FeedbackSummaryOut(BaseModel):
    """The events of one model version."""

    model_name: str | None
    model_version: int | None
    n: int
    first_ts: datetime
    last_ts: datetime
    flagged: int
    redacted: int
    mean_signal: float | None
    mean_latency_ms: float | None


class FeedbackEventOut(BaseModel):
    """One stored event (features decoded, quality flags as a list)."""

    id: str
    ts: datetime
    model_name: str | None = None
    model_version: int | None = None
    input: str
    output: str
    latency_ms: float | None = None
    user_signal: float | None = None
    label: str | None = None
    features: dict[str, Any] = Field(default_factory=dict)
    quality_flags: list[str] = Field(default_factory=list)
    redactions: int = 0
    batch_id: str
    source: str | None = None


class AnalysisIn(BaseModel):
    """An analysis computed by a command or a worker, to store."""

    kind: str
    name: str
    params: dict[str, Any] = Field(default_factory=dict)
    summary: dict[str, Any] = Field(default_factory=dict)
    result: Any = None
    model_name: str | None = None
    model_version: int | None = None
    run_id: str | None = None
    seed: int | None = None


class AnalysisOut(BaseModel):
    """One stored analysis (params and summary decoded); ``result`` only when asked for."""

    id: str
    kind: str
    name: str
    model_name: str | None = None
    model_version: int | None = None
    run_id: str | None = None
    created_at: datetime
    seed: int | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    summary: dict[str, Any] = Field(default_factory=dict)
    has_result: bool = False
    result: Any = None
