"""Event routes: ingest a batch of run events, and stream them live as server-sent events.

Ingest decodes and checks the whole batch before touching the store, so a malformed batch
writes nothing; a 422 names the bad field the way FastAPI's own validation does
(``["body", 3, "values", "loss"]``). Published events reach the streams after the store has
taken them, so a client that sees an event can read it back.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from kitchen.engine.app import EngineState, engine_state
from kitchen.engine.hub import OVERFLOW, Subscription
from kitchen.engine.wire import EVENT_TYPES, IngestResult, WireError, decode_batch

router = APIRouter(tags=["events"])
State = Annotated[EngineState, Depends(engine_state)]
# Comment lines keep idle streams open through proxies and let the server notice a gone client.
KEEPALIVE_S = 5.0

_BATCH_SCHEMA: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["type", "run_id"],
                        "properties": {
                            "type": {"type": "string", "enum": sorted(EVENT_TYPES)},
                            "run_id": {"type": "string"},
                        },
                        "additionalProperties": True,
                    },
                }
            }
        },
    }
}


def _invalid(loc: list[Any], msg: str) -> JSONResponse:
    return JSONResponse({"detail": [{"loc": loc, "msg": msg, "type": "value_error"}]}, 422)


@router.post(
    "/runs/{run_id}/events",
    response_model=IngestResult,
    openapi_extra=_BATCH_SCHEMA,
    responses={404: {"description": "No such run"}, 422: {"description": "Malformed event"}},
)
async def ingest(run_id: str, request: Request, state: State) -> IngestResult | JSONResponse:
    """Apply a JSON list of tagged events of one run to the store and publish them."""
    try:
        body = json.loads(await request.body())
    except ValueError as error:
        return _invalid(["body"], f"invalid JSON: {error}")
    if not isinstance(body, list):
        return _invalid(["body"], "expected a JSON list of events")
    try:
        events = decode_batch(body)
    except WireError as error:
        return _invalid(["body", *error.loc], error.message)
    for i, event in enumerate(events):
        if event.run_id != run_id:
            msg = f"event run_id {event.run_id!r} differs from the run in the path {run_id!r}"
            return _invalid(["body", i, "run_id"], msg)
    await run_in_threadpool(state.apply, run_id, events)
    state.hub.publish(events)
    return IngestResult(accepted=len(events))


async def _frames(
    request: Request, state: State, sub: Subscription, max_events: int | None
) -> AsyncIterator[str]:
    sent = 0
    try:
        # Sent at once so a client knows its subscription is live before it triggers events.
        yield ": subscribed\n\n"
        while max_events is None or sent < max_events:
            try:
                frame = await asyncio.wait_for(sub.queue.get(), KEEPALIVE_S)
            except TimeoutError:
                if sub.dropped:
                    yield OVERFLOW
                    return
                if await request.is_disconnected():
                    return
                yield ": keepalive\n\n"
                continue
            if frame is None:
                return
            yield frame
            sent += 1
            if sub.dropped and sub.queue.empty():
                yield OVERFLOW
                return
    finally:
        state.hub.unsubscribe(sub)


def _stream(
    request: Request, state: State, run_id: str | None, max_events: int | None
) -> StreamingResponse:
    sub = state.hub.subscribe(run_id)
    return StreamingResponse(
        _frames(request, state, sub, max_events),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


MaxEvents = Annotated[int | None, Query(ge=1, description="End the stream after this many")]


@router.get("/events", response_class=StreamingResponse)
async def all_events(request: Request, state: State, max_events: MaxEvents = None) -> Any:
    """Server-sent events: every event ingested from now on, of every run."""
    return _stream(request, state, None, max_events)


@router.get("/runs/{run_id}/events", response_class=StreamingResponse)
async def run_events(
    request: Request, state: State, run_id: str, max_events: MaxEvents = None
) -> Any:
    """Server-sent events: the events of one run ingested from now on.

    Raises:
        NotFoundError: no such run (404).
    """
    await run_in_threadpool(_exists, state, run_id)
    return _stream(request, state, run_id, max_events)


def _exists(state: EngineState, run_id: str) -> None:
    with state.lock:
        found = state.store.get_run(run_id).id
    if found != run_id:
        from kitchen.errors import NotFoundError

        raise NotFoundError(f"no run {run_id!r} (stream a full run id, not a prefix)")
