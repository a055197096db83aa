"""Analysis port: read production feedback and store computed analyses (drift, adversary,
explainability) — what an analysis stage needs of the store, wherever the run executes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import pyarrow as pa


@dataclass(frozen=True, slots=True)
class AnalysisInfo:
    """A stored analysis without its full result."""

    id: str
    kind: str
    name: str
    created_at: datetime
    model_name: str | None = None
    model_version: int | None = None
    run_id: str | None = None
    seed: int | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    summary: Mapping[str, Any] = field(default_factory=dict)


class AnalysisWriter(Protocol):
    """Anything that stores an analysis: the port below, a ``store.Store``, an
    ``EngineClient``. What it returns differs (an id, a stored record); callers that need the
    id read ``getattr(returned, "id", returned)``."""

    def log_analysis(
        self,
        *,
        kind: str,
        name: str,
        params: Mapping[str, Any],
        summary: Mapping[str, Any],
        result: Any = None,
        model_name: str | None = None,
        model_version: int | None = None,
        run_id: str | None = None,
        seed: int | None = None,
    ) -> Any: ...


class AnalysisStore(Protocol):
    """Feedback events in, analyses out.

    ``feedback_events`` returns the store's columns (``store.feedback.COLUMNS``: id, ts,
    model_name, model_version, input, output, latency_ms, user_signal, label, features_json,
    quality_flags, redactions, batch_id, source, ingested_at) oldest first.
    """

    def feedback_events(
        self,
        *,
        model_name: str | None = None,
        model_version: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> pa.Table: ...

    def log_analysis(
        self,
        *,
        kind: str,
        name: str,
        params: Mapping[str, Any],
        summary: Mapping[str, Any],
        result: Any = None,
        model_name: str | None = None,
        model_version: int | None = None,
        run_id: str | None = None,
        seed: int | None = None,
    ) -> str:
        """Store one analysis; returns its id."""
        ...

    def list_analyses(
        self,
        *,
        kind: str | None = None,
        model_name: str | None = None,
        model_version: int | None = None,
        run_id: str | None = None,
        limit: int = 100,
    ) -> list[AnalysisInfo]:
        """Stored analyses, newest first."""
        ...

    def analysis_result(self, analysis_id: str) -> Any:
        """The full result of one analysis (None when it stored only a summary)."""
        ...
