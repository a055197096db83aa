"""Fan-out of ingested events to live subscribers (the SSE streams).

Everything here runs on the server's event loop: ingest publishes after the store has taken a
batch, and each subscriber drains its own bounded queue; other threads (the scheduler, when it
records a run's end its worker could not report) go through :meth:`Hub.publish_threadsafe`.
A subscriber that falls more than ``maxsize`` events behind is dropped rather than allowed to
grow the engine's memory; its stream ends with an ``overflow`` message so the client knows to
re-read from the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Sequence

from kitchen import events as ev
from kitchen.engine.wire import to_wire

DEFAULT_QUEUE = 10_000
OVERFLOW = "event: overflow\ndata: {}\n\n"


class Subscription:
    """One live stream: the events of one run, or of all runs when ``run_id`` is None."""

    def __init__(self, run_id: str | None, maxsize: int) -> None:
        self.run_id = run_id
        # Items are ready-to-send SSE frames; None ends the stream.
        self.queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize)
        self.dropped = False


class Hub:
    """Keeps the subscriptions and hands each published event to the ones that want it."""

    def __init__(self, maxsize: int = DEFAULT_QUEUE) -> None:
        self._maxsize = maxsize
        self._subs: set[Subscription] = set()
        self._seq = 0
        self.closed = False
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def subscribers(self) -> int:
        """How many streams are open."""
        return len(self._subs)

    def subscribe(self, run_id: str | None = None) -> Subscription:
        """Open a subscription; events published from now on reach it."""
        sub = Subscription(run_id, self._maxsize)
        with contextlib.suppress(RuntimeError):  # outside a loop (tests): publish directly
            self._loop = asyncio.get_running_loop()
        if self.closed:
            sub.queue.put_nowait(None)
        else:
            self._subs.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        """Close a subscription (idempotent)."""
        self._subs.discard(sub)

    def publish(self, events: Sequence[ev.Event]) -> None:
        """Queue ``events`` for every subscriber interested in their run."""
        if not self._subs:
            return
        for event in events:
            self._seq += 1
            # Serialise once per event, not once per subscriber.
            frame = (
                f"id: {self._seq}\nevent: {type(event).__name__}\n"
                f"data: {json.dumps(to_wire(event), default=str)}\n\n"
            )
            for sub in list(self._subs):
                if sub.run_id is not None and sub.run_id != event.run_id:
                    continue
                try:
                    sub.queue.put_nowait(frame)
                except asyncio.QueueFull:
                    sub.dropped = True
                    self._subs.discard(sub)

    def publish_threadsafe(self, events: Sequence[ev.Event]) -> None:
        """:meth:`publish` from a thread other than the event loop's."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return  # nobody has ever subscribed: nobody to tell
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(self.publish, list(events))

    def close(self) -> None:
        """End every stream (engine shutting down)."""
        self.closed = True
        for sub in self._subs:
            try:
                sub.queue.put_nowait(None)
            except asyncio.QueueFull:
                sub.dropped = True
        self._subs.clear()
