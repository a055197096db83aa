"""``POST /v1/demo/seed``: the engine seeds its own store with demo data.

The engine is the one writer of its store, so ``kitchen demo seed`` (and ``seed_demo`` given an
``EngineClient``) asks it to do the seeding. Models are trained and analyses computed outside
the engine's lock; each store call takes the lock, so reads keep being served meanwhile.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from kitchen.demo.seed import DEFAULT_EVENTS, DEFAULT_RUNS, DEFAULT_SEED, SeedSummary
from kitchen.engine.app import EngineState, engine_state
from store import Store

router = APIRouter(tags=["demo"])
State = Annotated[EngineState, Depends(engine_state)]


class SeedIn(BaseModel):
    """What to seed (see :func:`kitchen.demo.seed_demo`)."""

    runs: int = Field(DEFAULT_RUNS, ge=0, le=1000)
    events: int = Field(DEFAULT_EVENTS, ge=200, le=1_000_000)
    seed: int = DEFAULT_SEED
    end: datetime | None = None
    embed: bool = False


class LockedStore:
    """A store whose every method call holds ``lock`` (the engine's), and nothing else."""

    def __init__(self, store: Store, lock: threading.Lock) -> None:
        self._store = store
        self._lock = lock

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._store, name)
        if not callable(found):
            return found

        def locked(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return found(*args, **kwargs)

        return locked


@router.post("/demo/seed", status_code=201)
async def seed(body: SeedIn, state: State) -> dict[str, Any]:
    """Fill the engine's store with demo runs, models, feedback and analyses."""
    from kitchen.demo.seed import _seed_store, default_end

    def work() -> SeedSummary:
        store = cast(Store, LockedStore(state.store, state.lock))
        end = body.end or default_end()
        return _seed_store(
            store, runs=body.runs, events=body.events, seed=body.seed, end=end, embed=body.embed
        )

    return (await run_in_threadpool(work)).to_dict()
