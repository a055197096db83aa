"""In-memory analysis port: feedback events given up front, analyses kept in a list."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from kitchen.ports.analyses import AnalysisInfo

_KINDS = ("drift", "drift_reference", "adversary", "xai", "attribution_drift")


class FakeAnalyses:
    """Serves ``events`` (rows in the store's layout) and records what is logged."""

    def __init__(self, events: Sequence[Mapping[str, Any]] = ()) -> None:
        self._events = [dict(e) for e in events]
        self.logged: list[tuple[AnalysisInfo, Any]] = []

    def feedback_events(
        self,
        *,
        model_name: str | None = None,
        model_version: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> pa.Table:
        from store.feedback import SCHEMA

        rows = sorted(self._events, key=lambda e: (e["ts"], e.get("id", "")))
        table = pa.Table.from_pylist(
            [{name: row.get(name) for name in SCHEMA.names} for row in rows], schema=SCHEMA
        )
        mask = pa.array([True] * table.num_rows, type=pa.bool_())
        for column, op, value in (
            ("model_name", pc.equal, model_name),
            ("model_version", pc.equal, model_version),
            ("ts", pc.greater_equal, since),
            ("ts", pc.less, until),
        ):
            if value is not None:
                mask = pc.and_(mask, op(table[column], value))
        table = table.filter(mask)
        return table.slice(0, limit) if limit is not None else table

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
        if kind not in _KINDS:
            raise ValueError(f"analysis kind must be one of {_KINDS}, got {kind!r}")
        # Round-trip through JSON, as the store does, so non-JSON results fail here too.
        info = AnalysisInfo(
            id=f"analysis-{len(self.logged)}",
            kind=kind,
            name=name,
            created_at=datetime.now(UTC),
            model_name=model_name,
            model_version=model_version,
            run_id=run_id,
            seed=seed,
            params=json.loads(json.dumps(dict(params), allow_nan=False)),
            summary=json.loads(json.dumps(dict(summary), allow_nan=False)),
        )
        stored = None if result is None else json.loads(json.dumps(result, allow_nan=False))
        self.logged.append((info, stored))
        return info.id

    def list_analyses(
        self,
        *,
        kind: str | None = None,
        model_name: str | None = None,
        model_version: int | None = None,
        run_id: str | None = None,
        limit: int = 100,
    ) -> list[AnalysisInfo]:
        found = [
            info
            for info, _ in reversed(self.logged)
            if (kind is None or info.kind == kind)
            and (model_name is None or info.model_name == model_name)
            and (model_version is None or info.model_version == model_version)
            and (run_id is None or info.run_id == run_id)
        ]
        return found[:limit]

    def analysis_result(self, analysis_id: str) -> Any:
        for info, result in self.logged:
            if info.id == analysis_id:
                return result
        raise KeyError(f"no analysis {analysis_id!r}")
