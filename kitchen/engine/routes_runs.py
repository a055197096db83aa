"""Run-control routes (submit, check, cancel, pause, resume, delete) and the worker's routes.

A bad submission is a 422 whatever its cause, an unknown recipe included: the request body is
what is wrong, and the message names the recipe or the field (``learning_rate: …``).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from kitchen.engine.app import EngineState, engine_state
from kitchen.engine.scheduler import Scheduler
from kitchen.engine.wire_runs import (
    AliasIn,
    CheckOut,
    FieldErrorOut,
    ModelVersionOut,
    RegisterIn,
    ReopenIn,
    ResumeInfoOut,
    RunControlOut,
    SubmitIn,
)
from kitchen.errors import ResumeError, ServiceUnavailable
from kitchen.launch import resume_log
from kitchen.ports.registry import ModelVersionInfo

router = APIRouter(tags=["runs"])
State = Annotated[EngineState, Depends(engine_state)]


def _scheduler(state: EngineState) -> Scheduler:
    if state.scheduler is None:
        raise ServiceUnavailable("this engine runs no scheduler; it cannot run or control runs")
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
    recipe, config = plan(body.recipe, overrides=body.overrides, config=body.config)
    with state.lock:
        run_id = Recording(state.store).create_run(
            recipe.name,
            config,
            experiment=str(getattr(config, "experiment", "default")),
            name=str(getattr(config, "name", "")),
            seed=int(getattr(config, "seed", 0)),
            env={**environment(), "cwd": body.workdir or ""},
            priority=body.priority,
        )
    scheduler.submit(
        run_id,
        recipe=recipe.name,
        config=config.model_dump(mode="json"),
        priority=body.priority,
        workdir=body.workdir,
    )
    return RunControlOut(run_id=run_id, status="queued")


@router.post("/check", response_model=CheckOut)
def check(body: SubmitIn) -> CheckOut:
    """Check a recipe's config without queueing anything: every field error at once.

    Raises:
        RecipeNotFoundError: no such recipe (422).
    """
    from kitchen.config import build_config, field_errors
    from kitchen.recipes import get_recipe

    recipe = get_recipe(body.recipe)
    problems = field_errors(recipe.config_type, base=body.config, overrides=body.overrides)
    if problems:
        errors = [FieldErrorOut(field=f, message=m) for f, m in problems]
        return CheckOut(ok=False, errors=errors, config={})
    config = build_config(recipe.config_type, base=body.config, overrides=body.overrides)
    return CheckOut(ok=True, errors=[], config=config.model_dump(mode="json"))


@router.post("/runs/{run_id}/cancel", response_model=RunControlOut)
def cancel(run_id: str, state: State) -> RunControlOut:
    """Cancel a run: a queued one at once, a running one at its next stage boundary.

    A running run's worker gets SIGINT, and SIGKILL after the grace period if it is still
    alive; the returned status is then ``running`` until the worker reports ``cancelled``.
    """
    scheduler = _scheduler(state)
    with state.lock:
        run = state.store.get_run(run_id)
    if run.status == "paused":
        with state.lock:
            run = state.store.set_run_status(
                run.id,
                "cancelled",
                error_type="RunCancelled",
                error_message="cancelled while paused",
            )
        return RunControlOut(run_id=run.id, status=run.status)
    if run.status not in ("queued", "running"):
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


@router.post("/runs/{run_id}/pause", response_model=RunControlOut)
def pause(run_id: str, state: State) -> RunControlOut:
    """Pause a run: a queued one leaves the queue at once; a running one checkpoints at its
    next loop boundary, ends ``paused`` and frees its slot (the status stays ``running`` until
    its worker reports the pause).

    Raises:
        ResumeError: it is not queued or running, or its workflow cannot checkpoint (409).
    """
    scheduler = _scheduler(state)
    with state.lock:
        run = state.store.get_run(run_id)
    if run.status not in ("queued", "running"):
        raise ResumeError(f"run {run.id} is {run.status}; only a queued or running run can pause")
    _check_pausable(run.recipe)
    acted = scheduler.pause(run.id)
    with state.lock:
        run = state.store.get_run(run.id)
        if acted == "held" and run.status == "queued":
            run = state.store.set_run_status(run.id, "paused")
            state.store.log(run.id, "info", "paused before it started")
    return RunControlOut(run_id=run.id, status=run.status)


def _check_pausable(recipe_name: str) -> None:
    from kitchen.recipes import get_recipe
    from kitchen.runner import find_restorer

    if find_restorer(get_recipe(recipe_name).workflow) is None:
        raise ResumeError(
            f"recipe {recipe_name} has no checkpoint stage, so its runs cannot pause; "
            "cancel instead"
        )


@router.post("/runs/{run_id}/resume", response_model=RunControlOut)
def resume(run_id: str, state: State, priority: int = 0) -> RunControlOut:
    """Queue a paused, cancelled, failed or interrupted run to go on from its last checkpoint
    (a run paused before it started starts afresh). It is ``queued`` until a slot frees.

    Raises:
        ResumeError: it succeeded, is queued or running, or has no checkpoint (409).
    """
    from kitchen.adapters.duckdb.open import Recording

    scheduler = _scheduler(state)
    with state.lock:
        store = state.store
        run = store.get_run(run_id)
        if run.status in ("queued", "running"):
            raise ResumeError(f"run {run.id} is {run.status}; there is nothing to resume")
        fresh = run.status == "paused" and not store.list_artifacts(run.id, kind="checkpoint")
        if not fresh:
            Recording(store).resume_info(run.id)  # checks it is resumable
        config = json.loads(run.config_json)
        store.set_run_status(run.id, "queued")
    scheduler.submit(run.id, recipe=run.recipe, config=config, priority=priority, resume=not fresh)
    return RunControlOut(run_id=run.id, status="queued")


@router.delete("/runs/{run_id}", response_model=RunControlOut)
def delete(run_id: str, state: State) -> RunControlOut:
    """Delete a run that is not queued or running, with its metrics, logs and artifact rows.

    Raises:
        InvalidTransitionError: it is queued or running, or a model version came from it (409).
    """
    with state.lock:
        run = state.store.delete_run(run_id)
        state.recorders.pop(run.id, None)
    return RunControlOut(run_id=run.id, status="deleted")


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
        state.store.log(run.id, "info", resume_log(body.step))
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
