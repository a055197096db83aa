"""The analysis port over an open store (embedded runs, and the engine itself)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pyarrow as pa

from kitchen.ports.analyses import AnalysisInfo
from store import Store
from store.models import Analysis


class StoreAnalyses:
    """Reads feedback from and writes analyses to ``store``."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def feedback_events(
        self,
        *,
        model_name: str | None = None,
        model_version: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> pa.Table:
        table: pa.Table = self._store.feedback_events(
            model_name=model_name,
            model_version=model_version,
            since=since,
            until=until,
            limit=limit,
        )
        return table

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
        found = self._store.log_analysis(
            kind=kind,
            name=name,
            params=params,
            summary=summary,
            result=result,
            model_name=model_name,
            model_version=model_version,
            run_id=run_id,
            seed=seed,
        )
        return found.id

    def list_analyses(
        self,
        *,
        kind: str | None = None,
        model_name: str | None = None,
        model_version: int | None = None,
        run_id: str | None = None,
        limit: int = 100,
    ) -> list[AnalysisInfo]:
        found = self._store.list_analyses(
            kind=kind,
            model_name=model_name,
            model_version=model_version,
            run_id=run_id,
            limit=limit,
        )
        return [analysis_info(a) for a in found]

    def analysis_result(self, analysis_id: str) -> Any:
        return self._store.analysis_result(analysis_id)


def analysis_info(found: Analysis) -> AnalysisInfo:
    """A stored analysis row as the port's record."""
    return AnalysisInfo(
        id=found.id,
        kind=found.kind,
        name=found.name,
        created_at=found.created_at,
        model_name=found.model_name,
        model_version=found.model_version,
        run_id=found.run_id,
        seed=found.seed,
        params=json.loads(found.params_json),
        summary=json.loads(found.summary_json),
    )
