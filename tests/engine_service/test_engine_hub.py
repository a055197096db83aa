"""The hub: per-run filtering, slow subscribers dropped instead of growing memory, close."""

from __future__ import annotations

import asyncio

from kitchen import events as ev
from kitchen.engine.hub import Hub


def test_filter_overflow_and_close() -> None:
    async def scenario() -> None:
        hub = Hub(maxsize=2)
        every, only_a = hub.subscribe(), hub.subscribe("a")
        hub.publish([ev.Log("a", "info", "1"), ev.Log("b", "info", "2")])
        assert only_a.queue.qsize() == 1 and every.queue.qsize() == 2
        hub.publish([ev.Log("b", "info", "3")])  # `every` is full: dropped, not blocked
        assert every.dropped and hub.subscribers == 1
        hub.close()
        assert only_a.queue.get_nowait() is not None
        assert only_a.queue.get_nowait() is None  # end of stream
        assert hub.subscribe().queue.get_nowait() is None  # late subscribers end at once

    asyncio.run(scenario())
