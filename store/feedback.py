"""Production feedback events: bulk insert through Arrow, windows read back as Arrow.

Events arrive already redacted and quality-checked (``kitchen.analysis.feedback`` does both
before anything reaches the store); the store checks the shape and types, gives each event a
time-ordered id, and never uses ``executemany``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from store.db import Database, fetch_records
from store.errors import InvalidValueError
from store.ids import new_id, utcnow

SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("ts", pa.timestamp("us", tz="UTC")),
        ("model_name", pa.string()),
        ("model_version", pa.int32()),
        ("input", pa.string()),
        ("output", pa.string()),
        ("latency_ms", pa.float64()),
        ("user_signal", pa.float64()),
        ("label", pa.string()),
        ("features_json", pa.string()),
        ("quality_flags", pa.string()),
        ("redactions", pa.int32()),
        ("batch_id", pa.string()),
        ("source", pa.string()),
        ("ingested_at", pa.timestamp("us", tz="UTC")),
    ]
)
COLUMNS = tuple(SCHEMA.names)
_INSERT = f"INSERT INTO feedback_events SELECT {', '.join(COLUMNS)} FROM {{batch}}"


@dataclass(frozen=True, slots=True)
class FeedbackSummary:
    """The events of one model version (or of no named model): counts, time span, signal."""

    model_name: str | None
    model_version: int | None
    n: int
    first_ts: datetime
    last_ts: datetime
    flagged: int
    redacted: int
    mean_signal: float | None
    mean_latency_ms: float | None


def insert_feedback(
    db: Database,
    rows: Sequence[Mapping[str, Any]],
    *,
    batch_id: str | None = None,
    source: str | None = None,
) -> tuple[str, int]:
    """Store events; returns (batch id, how many).

    Each row needs ``ts`` (a datetime, an ISO 8601 string or Unix seconds), ``input`` and
    ``output``; ``model_name``, ``model_version``, ``latency_ms``, ``user_signal``, ``label``,
    ``features`` (a mapping), ``quality_flags`` (a list) and ``redactions`` are optional.

    Raises:
        InvalidValueError: a row lacks a field or has one of the wrong type (the message names
            the row and the field); nothing is stored.
    """
    batch = batch_id or new_id()
    if not rows:
        return batch, 0
    now = utcnow()
    columns: dict[str, list[Any]] = {name: [] for name in COLUMNS}
    for index, row in enumerate(rows):
        record = _record(row, index, batch, source, now)
        for name in COLUMNS:
            columns[name].append(record[name])
    table = pa.table(columns, schema=SCHEMA)
    name = "_feedback_batch"
    with db.transaction() as con:
        con.register(name, table)
        try:
            con.execute(_INSERT.format(batch=name))
        finally:
            con.unregister(name)
    return batch, len(rows)


def _record(
    row: Mapping[str, Any], index: int, batch: str, source: str | None, now: datetime
) -> dict[str, Any]:
    where = f"feedback event {index}"
    for required in ("ts", "input", "output"):
        if row.get(required) is None:
            raise InvalidValueError(f"{where} has no {required!r}")
    features = row.get("features")
    if features is not None and not isinstance(features, Mapping):
        raise InvalidValueError(f"{where}: 'features' must be a mapping, got {type(features)}")
    flags = row.get("quality_flags") or ()
    if isinstance(flags, str):
        flags = [f for f in flags.split(",") if f]
    return {
        "id": new_id(),
        "ts": parse_ts(row["ts"], where),
        "model_name": None if row.get("model_name") is None else str(row["model_name"]),
        "model_version": _int(row.get("model_version"), where, "model_version"),
        "input": str(row["input"]),
        "output": str(row["output"]),
        "latency_ms": _float(row.get("latency_ms"), where, "latency_ms"),
        "user_signal": _float(row.get("user_signal"), where, "user_signal"),
        "label": None if row.get("label") is None else str(row["label"]),
        "features_json": None
        if features is None
        else json.dumps(dict(features), sort_keys=True, default=str),
        "quality_flags": ",".join(sorted(str(f) for f in flags)),
        "redactions": _int(row.get("redactions"), where, "redactions") or 0,
        "batch_id": batch,
        "source": source,
        "ingested_at": now,
    }


def parse_ts(value: Any, where: str = "value") -> datetime:
    """A timestamp as an aware UTC datetime: a datetime (naive means UTC), an ISO 8601 string
    (a trailing ``Z`` allowed) or Unix seconds.

    Raises:
        InvalidValueError: anything else, naming ``where``.
    """
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return datetime.fromtimestamp(float(value), UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    raise InvalidValueError(
        f"{where}: 'ts' must be an ISO 8601 time or Unix seconds, got {value!r}"
    )


def _float(value: Any, where: str, field: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidValueError(f"{where}: {field!r} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise InvalidValueError(f"{where}: {field!r} must be finite, got {value!r}")
    return number


def _int(value: Any, where: str, field: str) -> int | None:
    number = _float(value, where, field)
    if number is None:
        return None
    if number != int(number):
        raise InvalidValueError(f"{where}: {field!r} must be a whole number, got {value!r}")
    return int(number)


def feedback_events(
    db: Database,
    *,
    model_name: str | None = None,
    model_version: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
    columns: Sequence[str] | None = None,
) -> pa.Table:
    """Events (optionally of one model / version, in ``[since, until)``) oldest first."""
    chosen = list(columns) if columns else list(COLUMNS)
    unknown = [c for c in chosen if c not in COLUMNS]
    if unknown:
        raise InvalidValueError(f"unknown feedback columns {unknown}; known: {COLUMNS}")
    where: list[str] = []
    params: list[Any] = []
    for clause, value in (
        ("model_name = ?", model_name),
        ("model_version = ?", model_version),
        ("ts >= ?", since),
        ("ts < ?", until),
    ):
        if value is not None:
            where.append(clause)
            params.append(value)
    sql = f"SELECT {', '.join(chosen)} FROM feedback_events"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY ts, id"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    with db.connection() as con:
        return con.sql(sql, params=params).to_arrow_table()


def feedback_summaries(db: Database) -> list[FeedbackSummary]:
    """Per model version: how many events, their time span, flagged and redacted counts, and
    the mean user signal and latency."""
    sql = """
    SELECT model_name, model_version, count(*) AS n, min(ts) AS first_ts, max(ts) AS last_ts,
           count(*) FILTER (WHERE quality_flags <> '') AS flagged,
           count(*) FILTER (WHERE redactions > 0) AS redacted,
           avg(user_signal) AS mean_signal, avg(latency_ms) AS mean_latency_ms
    FROM feedback_events
    GROUP BY model_name, model_version
    ORDER BY model_name NULLS LAST, model_version NULLS LAST
    """
    with db.connection() as con:
        return fetch_records(con, FeedbackSummary, sql)
