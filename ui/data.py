"""The TUI's data layer: engine calls in thread workers and one live event stream.

Screens never call the engine on the event loop. :func:`call` runs a blocking
:class:`~kitchen.engine.client.EngineClient` call in a Textual thread worker and hands the
result back on the loop (or shows the engine's error as a notification). :class:`EventPump`
reads the engine's event stream (all runs, one subscription) in a daemon thread and queues the
events; the app drains the queue at most ten times a second.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from textual.worker import Worker, get_current_worker

from kitchen import events as ev
from kitchen.engine.client import EngineClient
from kitchen.engine.files import EngineInfo
from kitchen.errors import KitchenError

if TYPE_CHECKING:
    from textual.dom import DOMNode

T = TypeVar("T")

QUEUE_CAP = 200_000
"""Events held between drains; a stalled UI drops the oldest rather than grow without end."""


def call(
    node: DOMNode,
    job: Callable[[], T],
    done: Callable[[T], Any],
    *,
    group: str = "engine",
    exclusive: bool = True,
    failed: Callable[[BaseException], Any] | None = None,
) -> Worker[None]:
    """Run ``job`` (a blocking engine call) in a thread worker; ``done(result)`` on the loop.

    Args:
        node: The widget or screen that owns the worker (it dies with it).
        job: The blocking call.
        done: Called on the event loop with the result, unless the worker was cancelled.
        group: Worker group; with ``exclusive`` a new call cancels the previous one.
        exclusive: Cancel earlier workers of ``group`` on ``node``.
        failed: Called on the loop with the error instead of the default notification.
    """
    app = node.app

    def deliver(callback: Callable[..., Any], value: Any) -> None:
        worker = get_current_worker()
        if worker.is_cancelled:
            return
        with contextlib.suppress(RuntimeError):  # the app is shutting down
            app.call_from_thread(callback, value)

    def work() -> None:
        try:
            result = job()
        except Exception as error:
            deliver(failed or app.report_error, error)  # type: ignore[attr-defined]
            return
        deliver(done, result)

    return node.run_worker(work, thread=True, group=group, exclusive=exclusive, exit_on_error=False)


class EventPump:
    """One event-stream subscription (all runs) read in a daemon thread.

    Reconnects after a failure (a restarted engine, a dropped connection) with a short back-off;
    :attr:`connected` says whether the stream is open now.
    """

    def __init__(self, info: EngineInfo, *, retry_s: float = 1.0) -> None:
        self.info = info
        self.retry_s = retry_s
        self.connected = False
        self.error = ""
        self._queue: deque[ev.Event] = deque(maxlen=QUEUE_CAP)
        self._stop = threading.Event()
        self._stream: Any = None
        self._thread = threading.Thread(target=self._run, name="kitchen-tui-events", daemon=True)
        self.opened = threading.Event()

    def start(self) -> None:
        """Start reading."""
        self._thread.start()

    def stop(self) -> None:
        """Stop reading and close the connection."""
        self._stop.set()
        stream = self._stream
        if stream is not None:
            with contextlib.suppress(Exception):
                stream.__exit__(None, None, None)

    def drain(self, limit: int = 50_000) -> list[ev.Event]:
        """The events that arrived since the last drain (at most ``limit``)."""
        out: list[ev.Event] = []
        queue = self._queue
        while queue and len(out) < limit:
            out.append(queue.popleft())
        return out

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with EngineClient(self.info) as client, client.stream() as stream:
                    self._stream = stream
                    self.connected, self.error = True, ""
                    self.opened.set()
                    for event in stream:
                        self._queue.append(event)
                        if self._stop.is_set():
                            break
            except KitchenError as error:
                self.error = error.message
            except Exception as error:
                self.error = str(error) or type(error).__name__
            finally:
                self._stream = None
                self.connected = False
            if self._stop.wait(self.retry_s):
                break
        self.connected = False

    def wait_connected(self, timeout_s: float = 5.0) -> bool:
        """Block until the stream is open (for tests and benchmarks)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.connected:
                return True
            time.sleep(0.01)
        return self.connected
