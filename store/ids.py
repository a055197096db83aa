"""Record ids and timestamps.

Ids are 32 lowercase hex characters laid out like a UUIDv7: 12 hex of milliseconds since the
epoch, then 20 random hex. They sort by creation time, and that matters for speed: metrics rows
for one run are appended close together in time, so DuckDB's per-row-group min/max statistics
on ``run_id`` stay narrow and a query for one run skips almost every row group of a large table.
A random (UUID4) id would spread every row group over the whole id space and force full scans.
"""

from __future__ import annotations

import re
import secrets
import time
from datetime import UTC, datetime

ID_PATTERN = re.compile(r"^[0-9a-f]{32}$")

_last_ms = 0


def new_id() -> str:
    """Return a new time-ordered 32-hex-character id.

    Returns:
        The id; ids made later in the same process compare greater.
    """
    global _last_ms
    # Never step back in time within one process, so ids from one writer stay ordered
    # even if the wall clock is adjusted.
    ms = max(time.time_ns() // 1_000_000, _last_ms)
    _last_ms = ms
    return f"{ms:012x}{secrets.token_hex(10)}"


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime (what every timestamp column holds)."""
    return datetime.now(UTC)
