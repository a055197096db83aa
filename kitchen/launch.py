"""Run a recipe in this process: the embedded path behind ``kitchen run``.

Builds the ports, opens the store, records the run through its events, and turns every ending
(success, a user's mistake, cancellation, a bug) into a stored status.
"""

from __future__ import annotations

import json
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel

from kitchen import __version__
from kitchen.config import build_config
from kitchen.context import CancelToken, Ports, RunContext, RunMeta
from kitchen.errors import KitchenError, ResumeError, RunCancelled, RunPaused
from kitchen.events import EventBus, RunFinished, RunStarted, Subscriber
from kitchen.home import kitchen_home
from kitchen.ports.registry import ModelVersionInfo
from kitchen.recipes import get_recipe
from kitchen.recipes.base import Recipe
from kitchen.runner import ResumePoint, Runner
from kitchen.state import TrainState

if TYPE_CHECKING:
    from kitchen.adapters.duckdb.open import ResumeRecord
    from kitchen.ports.blobs import BlobStore


class RunRecording(Protocol):
    """Where a run is recorded: the store in this process, or the engine from a worker.

    :class:`kitchen.adapters.duckdb.open.Recording` is the embedded one and
    :class:`kitchen.engine.recording.EngineRecording` the worker's; :func:`run` drives either.
    """

    @property
    def blobs(self) -> BlobStore: ...

    def create_run(
        self,
        recipe: str,
        config: BaseModel,
        *,
        experiment: str,
        name: str,
        seed: int,
        env: Mapping[str, Any],
    ) -> str: ...

    def resume_info(self, run_id: str) -> ResumeRecord: ...

    def reopen_run(self, record: ResumeRecord) -> None: ...

    def default_ports(self, config: BaseModel) -> Ports: ...

    def recorder(self, ports: Ports) -> Subscriber: ...


RESUME_LOG_PREFIX = "resuming from the checkpoint at step "
"""The info line a run gets each time it goes on from a checkpoint; counting them tells how
often a run was resumed (the experiment runner's retry budget counts resumes)."""


def resume_log(step: int) -> str:
    """The log line of a run resumed from its checkpoint at ``step``."""
    return f"{RESUME_LOG_PREFIX}{step}"


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """How a run ended and its headline numbers."""

    run_id: str
    recipe: str
    status: str
    duration_s: float
    steps: int = 0
    final_loss: float = float("nan")
    baseline_metrics: Mapping[str, float] = field(default_factory=dict)
    eval_metrics: Mapping[str, float] = field(default_factory=dict)
    model_version: ModelVersionInfo | None = None
    tokens_seen: int = 0
    error: KitchenError | None = None


def plan(
    recipe_name: str,
    *,
    config_file: Path | None = None,
    overrides: Sequence[str] = (),
    config: Mapping[str, Any] | None = None,
) -> tuple[Recipe, BaseModel]:
    """Validate a recipe and its config without running anything (``--dry-run``).

    ``config`` is a mapping of values (a YAML file's content sent to the engine); the file and
    the overrides are merged over it.
    """
    recipe = get_recipe(recipe_name)
    built = build_config(recipe.config_type, base=config, file=config_file, overrides=overrides)
    return recipe, built


def run(
    recipe_name: str | None = None,
    *,
    config_file: Path | None = None,
    overrides: Sequence[str] = (),
    config: Mapping[str, Any] | None = None,
    resume: str | None = None,
    home: Path | str | None = None,
    subscribers: Sequence[Subscriber] = (),
    cancel: CancelToken | None = None,
    ports: Ports | None = None,
    recording: RunRecording | None = None,
) -> RunOutcome:
    """Run ``recipe_name`` (or resume run ``resume``) to the end, recording it in the store.

    Returns the outcome; a run that failed, was cancelled or paused is returned with ``error``
    set rather than raised, so callers can report it. Errors before a run exists (unknown recipe,
    invalid config, locked store) are raised.

    ``recording`` is where the run is recorded; by default the store of ``home``, opened in
    this process for the run (the engine's workers pass their engine-backed one).
    """
    root = kitchen_home(home)
    root.mkdir(parents=True, exist_ok=True)
    request = _Request(recipe_name, config_file, tuple(overrides), config, resume)
    if recording is not None:
        return _run_recorded(recording, root, request, subscribers, cancel, ports)
    from kitchen.adapters.duckdb.open import open_recording  # the store is opened lazily

    with open_recording(root) as opened:
        return _run_recorded(opened, root, request, subscribers, cancel, ports)


@dataclass(frozen=True)
class _Request:
    """What to run: a recipe with its config sources, or a run to resume."""

    recipe: str | None
    config_file: Path | None
    overrides: tuple[str, ...]
    config: Mapping[str, Any] | None
    resume: str | None


def _run_recorded(
    recording: RunRecording,
    root: Path,
    request: _Request,
    subscribers: Sequence[Subscriber],
    cancel: CancelToken | None,
    ports: Ports | None,
) -> RunOutcome:
    resume = request.resume
    resume_point: ResumePoint | None = None
    env = environment()
    if resume is not None:
        record = recording.resume_info(resume)
        recipe = get_recipe(record.recipe)
        config = build_config(recipe.config_type, base=record.config)
        run_id = record.run_id
        directory = root / "tmp" / f"resume-{run_id}"
        if directory.exists():
            shutil.rmtree(directory)
        recording.blobs.materialize_tree(record.checkpoint_ref, directory)
        resume_point = ResumePoint(record.position, directory, record.snapshot, record.pending)
        recording.reopen_run(record)
    else:
        if request.recipe is None:
            raise ResumeError("give a recipe name or a run id to resume")
        recipe, config = plan(
            request.recipe,
            config_file=request.config_file,
            overrides=request.overrides,
            config=request.config,
        )
        run_id = recording.create_run(
            recipe.name,
            config,
            experiment=str(getattr(config, "experiment", "default")),
            name=str(getattr(config, "name", "")),
            seed=int(getattr(config, "seed", 0)),
            env=env,
        )
    ports = ports or recording.default_ports(config)
    bus = EventBus((recording.recorder(ports), *subscribers))
    seed = int(getattr(config, "seed", 0))
    meta = RunMeta(run_id, recipe.name, seed, root, time.time(), resumed=resume is not None)
    ctx: RunContext[Any] = RunContext(config, ports, TrainState(), meta, bus)
    bus.emit(RunStarted(run_id, recipe.name, config.model_dump(mode="json"), resume is not None))
    try:
        return _execute(recipe, ctx, bus, cancel, resume_point)
    finally:
        if resume_point is not None:
            shutil.rmtree(resume_point.directory, ignore_errors=True)


def _execute(
    recipe: Recipe,
    ctx: RunContext[Any],
    bus: EventBus,
    cancel: CancelToken | None,
    resume_point: ResumePoint | None,
) -> RunOutcome:
    runner = Runner(recipe.workflow, cancel=cancel)
    started = time.perf_counter()
    final = ctx
    error: KitchenError | None = None
    status = "succeeded"
    try:
        final = runner.run(ctx, resume_point)
    except RunPaused as paused:
        status, error = "paused", paused
    except RunCancelled as cancelled:
        status, error = "cancelled", cancelled
    except KeyboardInterrupt:
        # A second Ctrl-C aborts mid-stage: still a cancellation, recorded as one.
        status, error = "cancelled", RunCancelled("aborted with Ctrl-C", run_id=ctx.meta.run_id)
    except KitchenError as failure:
        status, error = "failed", failure
    except BaseException as crash:
        # A bug, not a user's mistake: record it, then let the traceback through.
        last = runner.last_context or ctx
        bus.emit(
            RunFinished(
                ctx.meta.run_id, "failed", type(crash).__name__, str(crash), last.state.global_step
            )
        )
        raise
    last = final if status == "succeeded" else (runner.last_context or ctx)
    bus.emit(
        RunFinished(
            ctx.meta.run_id,
            status,  # type: ignore[arg-type]
            type(error).__name__ if error else "",
            error.message if error else "",
            last.state.global_step,
        )
    )
    state = last.state
    return RunOutcome(
        run_id=ctx.meta.run_id,
        recipe=recipe.name,
        status=status,
        duration_s=time.perf_counter() - started,
        steps=state.global_step,
        final_loss=state.last_loss,
        baseline_metrics=dict(state.baseline_metrics),
        eval_metrics=dict(state.eval_metrics),
        model_version=state.model_version,
        tokens_seen=state.tokens_seen,
        error=error,
    )


def environment() -> dict[str, Any]:
    """What the run ran on: versions, platform and the git commit of the working folder."""
    env: dict[str, Any] = {
        "kitchen": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "argv": sys.argv[1:],
    }
    for module in ("torch", "transformers"):
        mod = sys.modules.get(module)
        if mod is not None:
            env[module] = getattr(mod, "__version__", "?")
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=2, check=False
        ).stdout.strip()
    except OSError:
        commit = ""
    env["git_commit"] = commit
    clean: dict[str, Any] = json.loads(json.dumps(env, default=str))
    return clean
