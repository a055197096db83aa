"""The metrics-sink port over the store's metric buffer (Arrow bulk inserts)."""

from __future__ import annotations

from collections.abc import Mapping

from store import Store


class StoreMetrics:
    """Appends go to the store's in-memory buffer; it flushes in bulk (size or time)."""

    def __init__(self, store: Store) -> None:
        self._buffer = store.metrics

    def log(self, run_id: str, step: int, values: Mapping[str, float]) -> None:
        self._buffer.append_many(run_id, step, values)

    def flush(self) -> int:
        return self._buffer.flush()
