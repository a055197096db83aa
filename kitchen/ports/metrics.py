"""Metrics sink port: the training thread only appends; the sink batches writes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class MetricsSink(Protocol):
    """Receives scalar metrics keyed by run, name and step."""

    def log(self, run_id: str, step: int, values: Mapping[str, float]) -> None:
        """Buffer one step's values; must be cheap (microseconds)."""
        ...

    def flush(self) -> int:
        """Write what is buffered and return the number of points written."""
        ...
