"""The engine's HTTP API: a FastAPI app over one open store.

Every route needs the bearer token, the OpenAPI schema and docs included: a pure ASGI gate
checks it before any routing, so no route can be added without it. All store access goes
through :class:`EngineState` under one lock, because FastAPI runs sync endpoints on a thread
pool and a DuckDB connection must not be used from two threads at once.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Receive, Scope, Send

from kitchen import events as ev
from kitchen.adapters.duckdb.metrics import StoreMetrics
from kitchen.adapters.duckdb.recorder import StoreRecorder
from kitchen.engine.hub import Hub
from kitchen.errors import (
    ConfigError,
    DataError,
    KitchenError,
    RecipeNotFoundError,
    ResumeError,
    ServiceUnavailable,
    StatsError,
)
from kitchen.errors import NotFoundError as KitchenNotFound
from store import Store, StoreError
from store import errors as store_errors

if TYPE_CHECKING:
    from kitchen.engine.scheduler import Scheduler

UNAUTHORIZED = b'{"detail":"missing or wrong bearer token"}'


class EngineState:
    """What the routes share: the store and its lock, the recorders, the hub, activity."""

    def __init__(
        self, store: Store, hub: Hub, on_shutdown: Callable[[], None] | None = None
    ) -> None:
        self.store = store
        self.hub = hub
        self.lock = threading.Lock()
        self.started_at = time.time()
        self.pid = os.getpid()
        self.on_shutdown = on_shutdown
        # One recorder per run: it sums loop-stage timings until the run's RunFinished.
        self.recorders: dict[str, StoreRecorder] = {}
        self.active_requests = 0
        self.last_activity = time.monotonic()
        # Set by ``serve``: an app without one (tests, reads only) refuses run control.
        self.scheduler: Scheduler | None = None

    def idle_for(self) -> float:
        """Seconds since the last request ended; 0 while a request, stream or run is open."""
        if self.active_requests or self.hub.subscribers:
            return 0.0
        if self.scheduler is not None and (self.scheduler.running() or self.scheduler.queued()):
            return 0.0
        return time.monotonic() - self.last_activity

    def apply(self, run_id: str, events: Sequence[ev.Event]) -> None:
        """Record ``events`` of run ``run_id`` into the store.

        Raises:
            NotFoundError: no run has exactly this id.
        """
        with self.lock:
            recorder = self.recorders.get(run_id)
            if recorder is None:
                try:
                    found = self.store.get_run(run_id).id
                except (store_errors.NotFoundError, store_errors.AmbiguousIdError):
                    found = None
                # Ingest needs the full id: a prefix would silently write to another run.
                if found != run_id:
                    raise KitchenNotFound(f"no run {run_id!r}")
                recorder = StoreRecorder(self.store, StoreMetrics(self.store))
                self.recorders[run_id] = recorder
            _check_statuses(run_id, self.store.get_run(run_id).status, events)
            for event in events:
                if isinstance(event, ev.ArtifactSaved) and event.kind == "checkpoint":
                    # Durable before the checkpoint is: a crash right after must not lose the
                    # metrics it covers (resume truncates after the checkpoint, never before).
                    self.store.flush()
                recorder(event)
                if isinstance(event, ev.ArtifactSaved) and event.kind == "checkpoint":
                    self.store.flush()
                if isinstance(event, ev.RunFinished):
                    self.recorders.pop(run_id, None)

    def shutdown(self) -> None:
        """End the streams and ask the server to stop."""
        self.hub.close()
        if self.on_shutdown is not None:
            self.on_shutdown()


def _check_statuses(run_id: str, status: str, events: Sequence[ev.Event]) -> None:
    """Refuse, before anything of the batch is written, a batch whose status changes the run
    cannot make (a finished run starting again): a batch is applied whole or not at all."""
    from store.runs import check_transition

    for event in events:
        if isinstance(event, ev.RunStarted):
            check_transition(run_id, status, "running")
            status = "running"
        elif isinstance(event, ev.RunFinished):
            check_transition(run_id, status, event.status)
            status = event.status


class TokenGate:
    """ASGI middleware: 401 unless ``Authorization: Bearer <token>``; tracks activity."""

    def __init__(self, app: ASGIApp, token: str, state: EngineState) -> None:
        self.app = app
        self.token = token.encode()
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)  # lifespan: no client, nothing to check
            return
        header = dict(scope["headers"]).get(b"authorization", b"")
        scheme, _, given = header.partition(b" ")
        if scheme.lower() != b"bearer" or not secrets.compare_digest(given, self.token):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})  # policy violation
                return
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"www-authenticate", b"Bearer"),
                        (b"content-length", str(len(UNAUTHORIZED)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": UNAUTHORIZED})
            return
        self.state.active_requests += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.state.active_requests -= 1
            self.state.last_activity = time.monotonic()


_BEARER = HTTPBearer(auto_error=False)


def _declare_bearer(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)],
) -> None:
    # The gate has already checked the token; this dependency puts the scheme in the schema.
    return None


# Store errors a client caused, and the status each one maps to; anything else is a 500.
_STATUS: tuple[tuple[type[Exception], int], ...] = (
    (store_errors.NotFoundError, 404),
    (store_errors.AmbiguousIdError, 404),
    (KitchenNotFound, 404),
    # A submission's recipe or config is wrong: the body is invalid, whichever part.
    (ConfigError, 422),
    # Bad data in a request (a feedback event without its output, a bad timestamp…).
    (DataError, 422),
    # Too few shared samples to compare, or scores that are not numbers.
    (StatsError, 422),
    (RecipeNotFoundError, 422),
    (ResumeError, 409),
    (ServiceUnavailable, 503),
    # Before InvalidValueError, its base class.
    (store_errors.InvalidTransitionError, 409),
    (store_errors.InvalidValueError, 422),
    (store_errors.UnsafePathError, 422),
    (store_errors.AlreadyExistsError, 409),
    (store_errors.LineageCycleError, 409),
)


def _error_status(error: Exception) -> int:
    for cls, status in _STATUS:
        if isinstance(error, cls):
            return status
    return 500


def create_app(
    store: Store,
    token: str,
    *,
    hub: Hub | None = None,
    on_shutdown: Callable[[], None] | None = None,
) -> FastAPI:
    """The engine's API over ``store``.

    Args:
        store: The store, open read-write; the app never closes it.
        token: The bearer token every request must carry.
        hub: Where ingested events are published for the live streams.
        on_shutdown: Called by ``POST /v1/shutdown`` to stop the server.
    """
    from kitchen.demo import routes as demo_routes
    from kitchen.engine import (
        routes_analysis,
        routes_events,
        routes_read,
        routes_reports,
        routes_runs,
    )

    state = EngineState(store, hub or Hub(), on_shutdown)
    app = FastAPI(
        title="Kitchen engine",
        version="1",
        description="The one owner of a Kitchen store: reads, ingest and live events.",
        dependencies=[Depends(_declare_bearer)],
    )
    app.state.engine = state
    app.include_router(routes_read.router, prefix="/v1")
    app.include_router(routes_events.router, prefix="/v1")
    app.include_router(routes_runs.router, prefix="/v1")
    app.include_router(routes_reports.router, prefix="/v1")
    app.include_router(routes_analysis.router, prefix="/v1")
    app.include_router(demo_routes.router, prefix="/v1")

    @app.exception_handler(StoreError)
    @app.exception_handler(KitchenError)
    async def known_error(request: Request, error: Exception) -> JSONResponse:
        # The class name lets a client rebuild the error with its exit code.
        body = {"detail": str(error), "error_type": type(error).__name__}
        return JSONResponse(body, status_code=_error_status(error))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        # Never leak a traceback to a client; the server log has it.
        detail = f"internal error ({type(error).__name__}); see the engine log"
        return JSONResponse({"detail": detail}, status_code=500)

    app.add_middleware(TokenGate, token=token, state=state)
    return app


def engine_state(request: Request) -> EngineState:
    """The state of the app serving ``request`` (a route dependency)."""
    state: EngineState = request.app.state.engine
    return state
