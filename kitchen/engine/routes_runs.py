"""Run-control routes (submit, cancel, resume) and the routes a worker records through.

A bad submission is a 422 whatever its cause, an unknown recipe included: the request body is
what is wrong, and the message names the recipe or the field (``learning_rate: …``).
"""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from kitchen.engine.app import EngineState, engine_state
from kitchen.engine.scheduler import Scheduler
from kitchen.engine.wire_runs import (
    AliasIn,
    ModelVersionOut,
    RegisterIn,
    ReopenIn,
    ResumeInfoOut,
    RunControlOut,
    SubmitIn,
)
from kitchen.errors import KitchenError, ResumeError
from kitchen.ports.registry import ModelVersionInfo

router = APIRouter(tags=["runs"])
State = Annotated[EngineState, Depends(engine_state)]


def _scheduler(state: EngineState) -> Scheduler:
    if state.scheduler is None:
        raise KitchenError("this engine runs no scheduler", title="No scheduler")
    return state.scheduler


@router.post("/runs", response_model=RunControlOut, status_code=201)
async def submit(body: SubmitIn, state: State) -> RunControlOut:
    """Validate a recipe and its overrides, record the run ``queued`` and queue it.

    Raises:
        ConfigError: a bad override (422, naming the field).
        RecipeNotFoundError: no such recipe (422).
    """
    return await run_in_threadpool(_submit, state, body)


def _submit(state: EngineState, body: SubmitIn) -> RunControlOut:
    from kitchen.adapters.duckdb.open import Recording
    from kitchen.launch import environment, plan

    scheduler = _scheduler(state)
    recipe, config = plan(body.recipe, overrides=body.overrides)
    with state.lock:
        run_id = Recording(state.store).create_run(
            recipe.name,
            config,
            experiment=str(getattr(config, "experiment", "default")),
            name=str(getattr(config, "name", "")),
            seed=int(getattr(config, "seed", 0)),
            env=environment(),
        )
    scheduler.submit(
        run_id, recipe=recipe.name, overrides=tuple(body.overrides), priority=body.priority
    )
    return RunControlOut(run_id=run_id, status="queued")


@router.post("/runs/{run_id}/cancel", response_model=RunControlOut)
def cancel(run_id: str, state: State) -> RunControlOut:
    """Cancel a run: a queued one at once, a running one at its next stage boundary.

    A running run's worker gets SIGINT, and SIGKILL after the grace period if it is still
    alive; the returned status is then ``running`` until the worker reports ``cancelled``.
    """
    scheduler = _scheduler(state)
    with state.lock:
        run = state.store.get_run(run_id)
    if run.status not in ("queued", "running"):
        # Ended already (its worker may still be exiting); only a queued resume can go.
        if scheduler.cancel(run.id, queued_only=True):
            return RunControlOut(run_id=run.id, status=run.status)
        raise ResumeError(f"run {run.id} is {run.status}; there is nothing to cancel")
    acted = scheduler.cancel(run.id)
    with state.lock:
        run = state.store.get_run(run.id)
        if acted == "dequeued" and run.status == "queued":
            state.store.set_run_status(
                run.id,
                "cancelled",
                error_type="RunCancelled",
                error_message="cancelled before it started",
            )
            run = state.store.get_run(run.id)
    return RunControlOut(run_id=run.id, status=run.status)


@router.post("/runs/{run_id}/resume", response_model=RunControlOut)
def resume(run_id: str, state: State, priority: int = 0) -> RunControlOut:
    """Queue a cancelled, failed or interrupted run to resume from its last checkpoint.

    Raises:
        ResumeError: it succeeded, is running, or has no checkpoint (409).
    """
    from kitchen.adapters.duckdb.open import Recording

    scheduler = _scheduler(state)
    with state.lock:
        record = Recording(state.store).resume_info(run_id)  # checks it is resumable
        status = state.store.get_run(record.run_id).status
    if status == "queued":
        raise ResumeError(f"run {record.run_id} is queued; it has not run yet")
    scheduler.submit(record.run_id, priority=priority, resume=True)
    # The stored status stays as it was until the worker starts the run again (``running``).
    return RunControlOut(run_id=record.run_id, status="queued")


@router.get("/runs/{run_id}/resume-info", response_model=ResumeInfoOut)
def resume_info(run_id: str, state: State) -> ResumeInfoOut:
    """What resuming the run needs: recipe, config and its last checkpoint (for workers)."""
    from kitchen.adapters.duckdb.open import Recording

    with state.lock:
        record = Recording(state.store).resume_info(run_id)
    data = dataclasses.asdict(record)
    return ResumeInfoOut.model_validate(data)


@router.post("/runs/{run_id}/reopen", response_model=RunControlOut)
def reopen(run_id: str, body: ReopenIn, state: State) -> RunControlOut:
    """Drop the run's metrics past its checkpoint's step, so the resumed history is unbroken."""
    with state.lock:
        run = state.store.get_run(run_id)
        state.store.truncate_metrics(run.id, after_step=body.step)
        state.store.log(run.id, "info", f"resuming from the checkpoint at step {body.step}")
    return RunControlOut(run_id=run.id, status=run.status)


@router.post("/models/{name}/versions", response_model=ModelVersionOut, status_code=201)
def register(name: str, body: RegisterIn, state: State) -> ModelVersionOut:
    """Register a version of ``name`` from a blob the run has logged as an artifact."""
    from kitchen.adapters.duckdb.registry import StoreRegistry

    with state.lock:
        info = StoreRegistry(state.store).register(
            name, run_id=body.run_id, artifact_ref=body.artifact_ref, metrics=body.metrics
        )
    return _version(info)


@router.get("/models/{name}/versions/{version_or_alias}", response_model=ModelVersionOut)
def get_version(name: str, version_or_alias: str, state: State) -> ModelVersionOut:
    """One version of a model, by number or alias."""
    from kitchen.adapters.duckdb.registry import StoreRegistry

    with state.lock:
        info = StoreRegistry(state.store).get(name, version_or_alias)
    return _version(info)


@router.put("/models/{name}/aliases/{alias}", response_model=ModelVersionOut)
def set_alias(name: str, alias: str, body: AliasIn, state: State) -> ModelVersionOut:
    """Point ``alias`` of model ``name`` at a version."""
    from kitchen.adapters.duckdb.registry import StoreRegistry

    with state.lock:
        registry = StoreRegistry(state.store)
        registry.set_alias(name, alias, body.version)
        info = registry.get(name, alias)
    return _version(info)


def _version(info: ModelVersionInfo) -> ModelVersionOut:
    data = dataclasses.asdict(info)
    return ModelVersionOut.model_validate(data)
