"""In-memory metrics sink for tests."""

from __future__ import annotations

from collections.abc import Mapping


class FakeMetricsSink:
    """Buffers points in a list and 'writes' them to another list on flush."""

    def __init__(self) -> None:
        self.buffer: list[tuple[str, str, int, float]] = []
        self.written: list[tuple[str, str, int, float]] = []

    def log(self, run_id: str, step: int, values: Mapping[str, float]) -> None:
        self.buffer.extend((run_id, key, step, float(v)) for key, v in values.items())

    def flush(self) -> int:
        count = len(self.buffer)
        self.written.extend(self.buffer)
        self.buffer.clear()
        return count

    def series(self, run_id: str, key: str) -> list[tuple[int, float]]:
        """The flushed points of one metric, in logging order."""
        return [(s, v) for r, k, s, v in self.written if r == run_id and k == key]
