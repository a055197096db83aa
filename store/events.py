"""Stage events and log lines of runs: buffered, numbered per run, bulk-inserted via Arrow.

Both are appended far less often than metrics but still in bursts (a chatty stage logs every
step), so they are buffered in column lists and written as one Arrow table per flush. Each run's
events and logs carry a ``seq`` that increases by one per row, so a UI can ask for "everything
after the last line I showed". Counters resume from the table's maximum the first time a run is
seen, so a restarted engine continues the numbering.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any, get_args

import pyarrow as pa

from store.db import Database, fetch_records
from store.errors import InvalidValueError
from store.models import (
    LOG_LEVELS,
    STAGE_EVENT_KINDS,
    LogLevel,
    LogLine,
    StageEvent,
    StageEventKind,
)
from store.runs import canonical_json

DEFAULT_FLUSH_ROWS = 1024
_LEVELS: tuple[str, ...] = get_args(LogLevel)  # least to most severe

# Column order matches the tables, so a batch inserts with SELECT *.
_SCHEMAS = {
    "stage_events": pa.schema(
        [
            ("run_id", pa.string()),
            ("seq", pa.int64()),
            ("stage_path", pa.string()),
            ("stage", pa.string()),
            ("event", pa.string()),
            ("wall_time", pa.float64()),
            ("duration_s", pa.float64()),
            ("detail_json", pa.string()),
        ]
    ),
    "logs": pa.schema(
        [
            ("run_id", pa.string()),
            ("seq", pa.int64()),
            ("wall_time", pa.float64()),
            ("level", pa.string()),
            ("message", pa.string()),
            ("stage", pa.string()),
        ]
    ),
}


class EventBuffer:
    """Buffers stage events and log lines and writes them in bulk.

    Args:
        db: The store's database.
        flush_rows: Flush once this many rows (events and logs together) are buffered.
        max_age_s: Also flush, on the next append, once the oldest buffered row is this old.
    """

    def __init__(
        self, db: Database, *, flush_rows: int = DEFAULT_FLUSH_ROWS, max_age_s: float | None = 1.0
    ) -> None:
        self._db = db
        self._flush_rows = flush_rows
        self._max_age_s = max_age_s
        self._lock = threading.Lock()
        self._rows: dict[str, list[tuple[Any, ...]]] = {"stage_events": [], "logs": []}
        self._next_seq: dict[tuple[str, str], int] = {}
        self._oldest = 0.0

    def stage_event(
        self,
        run_id: str,
        stage_path: str,
        stage: str,
        event: StageEventKind,
        *,
        wall_time: float | None = None,
        duration_s: float | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """Buffer a stage event.

        Args:
            run_id: The run.
            stage_path: Where the stage sits in the workflow (``"train/epoch[2]/optim_step"``).
            stage: The stage's name.
            event: ``started``, ``finished``, ``failed`` or ``skipped``.
            wall_time: Unix seconds; now when omitted.
            duration_s: How long the stage took (for ``finished``/``failed``).
            detail: Extra facts (an error message, counts), kept as JSON.
        """
        if event not in STAGE_EVENT_KINDS:
            raise InvalidValueError(f"unknown stage event {event!r}")
        detail_json = None if detail is None else canonical_json(dict(detail), "detail")
        wall = time.time() if wall_time is None else wall_time
        self._add("stage_events", run_id, (stage_path, stage, event, wall, duration_s, detail_json))

    def log(
        self,
        run_id: str,
        level: LogLevel | str,
        message: str,
        *,
        stage: str | None = None,
        wall_time: float | None = None,
    ) -> None:
        """Buffer a log line.

        Args:
            run_id: The run.
            level: ``debug``, ``info``, ``warning``, ``error`` or ``critical`` (any case).
            message: The text.
            stage: The stage that logged it.
            wall_time: Unix seconds; now when omitted.
        """
        normal = level.lower()
        if normal not in LOG_LEVELS:
            raise InvalidValueError(f"unknown log level {level!r}; one of {sorted(LOG_LEVELS)}")
        wall = time.time() if wall_time is None else wall_time
        self._add("logs", run_id, (wall, normal, message, stage))

    def flush(self) -> int:
        """Write every buffered event and log line; returns how many rows were written."""
        with self._lock:
            batches, self._rows = self._rows, {"stage_events": [], "logs": []}
            written = 0
            with self._db.transaction() as con:
                for table, rows in batches.items():
                    if not rows:
                        continue
                    columns = list(zip(*rows, strict=True))
                    arrow = pa.Table.from_arrays(
                        [
                            pa.array(c, t)
                            for c, t in zip(columns, _SCHEMAS[table].types, strict=True)
                        ],
                        schema=_SCHEMAS[table],
                    )
                    con.register("_event_batch", arrow)
                    try:
                        con.execute(f"INSERT INTO {table} SELECT * FROM _event_batch")
                    finally:
                        con.unregister("_event_batch")
                    written += len(rows)
            return written

    def _add(self, table: str, run_id: str, rest: tuple[Any, ...]) -> None:
        if not isinstance(run_id, str) or not run_id:
            raise InvalidValueError(f"run_id must be a non-empty str, got {run_id!r}")
        with self._lock:
            rows = self._rows[table]
            seq = self._next_seq.get((table, run_id))
            if seq is None:
                seq = self._max_seq(table, run_id) + 1
            self._next_seq[(table, run_id)] = seq + 1
            if not rows and not any(self._rows.values()):
                self._oldest = time.monotonic()
            rows.append((run_id, seq, *rest))
            pending = sum(len(r) for r in self._rows.values())
            due = pending >= self._flush_rows or (
                self._max_age_s is not None and time.monotonic() - self._oldest >= self._max_age_s
            )
        if due:
            self.flush()

    def _max_seq(self, table: str, run_id: str) -> int:
        with self._db.connection() as con:
            row = con.execute(
                f"SELECT coalesce(max(seq), -1) FROM {table} WHERE run_id = ?", [run_id]
            ).fetchall()  # fetchall, not fetchone: no cursor stays open on the connection
        return -1 if not row else int(row[0][0])


def stage_events(db: Database, run_id: str) -> list[StageEvent]:
    """A run's stage events in the order they happened."""
    with db.connection() as con:
        return fetch_records(
            con,
            StageEvent,
            f"SELECT {_columns('stage_events')} FROM stage_events WHERE run_id = ? ORDER BY seq",
            [run_id],
        )


def logs(
    db: Database,
    run_id: str,
    *,
    after_seq: int = -1,
    limit: int = 1000,
    min_level: LogLevel | None = None,
    tail: bool = False,
) -> list[LogLine]:
    """A run's log lines after ``after_seq``, oldest first.

    Args:
        db: The database.
        run_id: The run.
        after_seq: Only lines numbered above this (pass the last ``seq`` shown to tail).
        limit: At most this many lines.
        min_level: Only lines at this level or above.
        tail: The last ``limit`` lines rather than the first.
    """
    wanted = list(_LEVELS[_LEVELS.index(min_level) :] if min_level is not None else _LEVELS)
    order = "DESC" if tail else "ASC"
    with db.connection() as con:
        lines = fetch_records(
            con,
            LogLine,
            f"SELECT {_columns('logs')} FROM logs "
            "WHERE run_id = ? AND seq > ? AND list_contains(?, level) "
            f"ORDER BY seq {order} LIMIT ?",
            [run_id, after_seq, wanted, limit],
        )
    return lines[::-1] if tail else lines


def _columns(table: str) -> str:
    return ", ".join(_SCHEMAS[table].names)
