"""Read routes: health, engine status, recipes, the runs table, one run, its logs and stage
events, curves, comparisons and models.

Each route takes the store lock for the few milliseconds its query needs and returns typed
records, so the OpenAPI schema documents exactly what the UIs get.
"""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from kitchen.engine.app import EngineState, engine_state
from kitchen.engine.wire import (
    ComparisonOut,
    CurveOut,
    EvalSampleOut,
    EvalSummaryOut,
    Health,
    LineageEdgeOut,
    LineageGraphOut,
    LineageNodeOut,
    Message,
    MetricPairOut,
    ModelOut,
    ParamDiffOut,
    RunCountOut,
    RunDetails,
    RunRecord,
    RunRowOut,
)
from kitchen.engine.wire_runs import (
    EngineStatusOut,
    GpuOut,
    LogOut,
    RecipeDetailOut,
    RecipeOut,
    StageEventOut,
)
from kitchen.queries import compare_scores_of, details_of
from store import Run
from store import errors as store_errors
from store.queries import DEFAULT_SUMMARY_KEYS

router = APIRouter()
State = Annotated[EngineState, Depends(engine_state)]
MaxPoints = Annotated[int, Query(ge=2, le=100_000, description="Downsample to this many points")]


def run_record(run: Run) -> RunRecord:
    """A store ``Run`` with its JSON columns decoded."""
    data = run.model_dump()
    data["config"] = json.loads(data.pop("config_json"))
    data["env"] = json.loads(data.pop("env_json"))
    return RunRecord.model_validate(data)


@router.get("/health", response_model=Health, tags=["engine"])
def health(state: State) -> Health:
    """The engine is up; which store it holds."""
    return Health(
        status="ok",
        pid=state.pid,
        store=str(state.store.path),
        started_at=state.started_at,
        uptime_s=time.time() - state.started_at,
        subscribers=state.hub.subscribers,
    )


@router.post("/shutdown", response_model=Message, tags=["engine"])
async def shutdown(state: State) -> Message:
    """Stop the engine after this answer (open streams end).

    Async on purpose: it closes the hub, which lives on the event loop.
    """
    state.shutdown()
    return Message(detail=f"engine {state.pid} is stopping")


@router.get("/runs", response_model=list[RunRowOut], tags=["runs"])
def runs(
    state: State,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
    status: Annotated[list[str] | None, Query()] = None,
    experiment: str | None = None,
    recipe: str | None = None,
    summary_keys: Annotated[list[str] | None, Query(description="Metrics to summarise")] = None,
) -> list[RunRowOut]:
    """One page of the runs table, newest first."""
    with state.lock:
        rows = state.store.runs_table(
            limit=limit,
            offset=offset,
            status=status,
            experiment=experiment,
            recipe=recipe,
            summary_keys=summary_keys or DEFAULT_SUMMARY_KEYS,
        )
    return [RunRowOut.model_validate(dataclasses.asdict(row)) for row in rows]


@router.get("/runs/{run_id}", response_model=RunDetails, tags=["runs"])
def run_details(state: State, run_id: str) -> RunDetails:
    """One run (id or unique prefix): record, params, last metrics, artifacts, lineage, models."""
    with state.lock:
        details = details_of(state.store, run_id)
    return RunDetails.model_validate(details)


@router.get("/runs/{run_id}/metrics", response_model=list[str], tags=["metrics"])
def metric_keys(state: State, run_id: str) -> list[str]:
    """The metric keys a run has logged."""
    with state.lock:
        run = state.store.get_run(run_id)
        return state.store.metric_keys(run.id)


@router.get("/runs/{run_id}/metrics/{key:path}", response_model=CurveOut, tags=["metrics"])
def metric_curve(state: State, run_id: str, key: str, max_points: MaxPoints = 1000) -> CurveOut:
    """One metric of one run over steps."""
    with state.lock:
        run = state.store.get_run(run_id)
        curve = state.store.metric_curve(run.id, key, max_points=max_points)
    return CurveOut.model_validate(dataclasses.asdict(curve))


@router.get("/curves", response_model=dict[str, CurveOut], tags=["metrics"])
def curves(
    state: State,
    run_ids: Annotated[list[str], Query(min_length=1)],
    key: str,
    max_points: MaxPoints = 1000,
) -> dict[str, CurveOut]:
    """One metric over several runs, keyed by run id."""
    with state.lock:
        ids = [state.store.get_run(run_id).id for run_id in run_ids]
        found = state.store.metric_curves(ids, key, max_points=max_points)
    return {rid: CurveOut.model_validate(dataclasses.asdict(c)) for rid, c in found.items()}


@router.get("/compare", response_model=ComparisonOut, tags=["runs"])
def compare(state: State, a: str, b: str) -> ComparisonOut:
    """Two runs' params and final metrics side by side."""
    with state.lock:
        found = state.store.compare_runs(state.store.get_run(a).id, state.store.get_run(b).id)
    return ComparisonOut(
        a=run_record(found.a),
        b=run_record(found.b),
        params=[ParamDiffOut(key=p.key, a=p.a, b=p.b, differs=p.differs) for p in found.params],
        metrics=[MetricPairOut(key=m.key, a=m.a, b=m.b, delta=m.delta) for m in found.metrics],
    )


@router.get("/compare/scores", tags=["evals"])
def compare_scores(state: State, a: str, b: str, task: str | None = None) -> dict[str, Any]:
    """Two runs' last evaluations of the same task compared sample by sample: McNemar for
    0/1 scores (else paired t or Wilcoxon), a paired bootstrap, and a verdict."""
    with state.lock:
        return compare_scores_of(state.store, a, b, task=task)


@router.get("/runs/{run_id}/evals", response_model=list[EvalSummaryOut], tags=["evals"])
def eval_summaries(state: State, run_id: str) -> list[EvalSummaryOut]:
    """Every evaluation a run stored, baseline first."""
    with state.lock:
        run = state.store.get_run(run_id)
        found = state.store.eval_summaries(run.id)
    return [EvalSummaryOut.model_validate(dataclasses.asdict(s)) for s in found]


@router.get("/runs/{run_id}/samples", response_model=list[EvalSampleOut], tags=["evals"])
def eval_samples(
    state: State,
    run_id: str,
    phase: str | None = None,
    task: str | None = None,
    step: int | None = None,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 1000,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[EvalSampleOut]:
    """A page of a run's scored samples, in task, step, sample and epoch order."""
    with state.lock:
        run = state.store.get_run(run_id)
        table = state.store.eval_samples(run.id, phase=phase, task=task, step=step)
    rows = table.slice(offset, limit).to_pylist()
    out = []
    for row in rows:
        row["scores"] = json.loads(row.pop("scores_json") or "{}")
        row["metadata"] = json.loads(row.pop("metadata_json") or "{}")
        row.pop("run_id")
        out.append(EvalSampleOut.model_validate(row))
    return out


@router.get("/models", response_model=list[ModelOut], tags=["models"])
def models(state: State) -> list[ModelOut]:
    """The registered models with their newest versions and aliases."""
    with state.lock:
        found = state.store.list_models()
    return [ModelOut.model_validate(dataclasses.asdict(m)) for m in found]


@router.get("/engine", response_model=EngineStatusOut, tags=["engine"])
def engine_status(state: State) -> EngineStatusOut:
    """The queue, the running runs, the slots, and the machine's CPU, memory and GPUs."""
    from kitchen.engine.machine import machine_load

    scheduler = state.scheduler
    load = machine_load()
    return EngineStatusOut(
        pid=state.pid,
        store=str(state.store.path),
        uptime_s=time.time() - state.started_at,
        slots=scheduler.slots if scheduler else 0,
        running=scheduler.running() if scheduler else [],
        queued=scheduler.queued() if scheduler else [],
        cpu_percent=load.cpu_percent,
        memory_used_bytes=load.memory_used_bytes,
        memory_total_bytes=load.memory_total_bytes,
        process_rss_bytes=load.process_rss_bytes,
        gpus=[GpuOut.model_validate(dataclasses.asdict(g)) for g in load.gpus],
    )


@router.get("/recipes", response_model=list[RecipeOut], tags=["recipes"])
def recipes() -> list[RecipeOut]:
    """The recipes this engine can run."""
    from kitchen.recipes import recipe_names

    return [RecipeOut(name=n, description=d) for n, d in recipe_names().items()]


@router.get("/recipes/{name}", response_model=RecipeDetailOut, tags=["recipes"])
def recipe(name: str) -> RecipeDetailOut:
    """A recipe's stage tree, config schema and defaults (what ``kitchen describe`` shows).

    Raises:
        RecipeNotFoundError: no such recipe (404).
    """
    from kitchen.errors import NotFoundError, RecipeNotFoundError
    from kitchen.recipes import get_recipe
    from kitchen.recipes.base import describe_json

    try:
        found = get_recipe(name)
    except RecipeNotFoundError as error:
        raise NotFoundError(error.message) from None
    return RecipeDetailOut.model_validate(describe_json(found))


Tail = Annotated[int, Query(ge=1, le=10_000, description="At most this many lines")]


@router.get("/runs/{run_id}/logs", response_model=list[LogOut], tags=["runs"])
def logs(state: State, run_id: str, tail: Tail = 200, after_seq: int = -1) -> list[LogOut]:
    """A run's last ``tail`` log lines, oldest first (after ``after_seq`` when given)."""
    with state.lock:
        run = state.store.get_run(run_id)
        lines = state.store.logs(run.id, after_seq=after_seq, limit=tail, tail=after_seq < 0)
    return [
        LogOut(
            seq=line.seq,
            time=datetime.fromtimestamp(line.wall_time, UTC),
            level=line.level,
            stage=line.stage or "",
            message=line.message,
        )
        for line in lines
    ]


@router.get("/runs/{run_id}/stages", response_model=list[StageEventOut], tags=["runs"])
def stage_events(state: State, run_id: str) -> list[StageEventOut]:
    """A run's stage events in order (loop-body stages summed per run, failures one by one)."""
    with state.lock:
        run = state.store.get_run(run_id)
        found = state.store.stage_events(run.id)
    out = []
    for event in found:
        detail = json.loads(event.detail_json) if event.detail_json else {}
        error = detail.get("message") if event.event == "failed" else None
        out.append(
            StageEventOut(
                seq=event.seq,
                time=datetime.fromtimestamp(event.wall_time, UTC),
                stage=event.stage,
                path=event.stage_path,
                depth=event.stage_path.count("/"),
                event=event.event,
                duration_s=event.duration_s,
                error=error,
            )
        )
    return out


@router.get("/run-counts", response_model=list[RunCountOut], tags=["runs"])
def run_counts(state: State) -> list[RunCountOut]:
    """Runs grouped by status, recipe and experiment (one grouped query, any store size)."""
    with state.lock:
        found = state.store.run_counts()
    return [RunCountOut.model_validate(dataclasses.asdict(c)) for c in found]


@router.get("/models/{model}/lineage", response_model=LineageGraphOut, tags=["models"])
def model_lineage(
    state: State,
    model: str,
    max_depth: Annotated[int, Query(ge=1, le=32)] = 8,
) -> LineageGraphOut:
    """The lineage DAG around every version of ``model``, its nodes named.

    Raises:
        NotFoundError: no such model (404).
    """
    with state.lock:
        versions = state.store.list_model_versions(model)
        if not versions:
            raise store_errors.NotFoundError(f"no model {model!r}")
        edges: dict[tuple[str, str, str], None] = {}
        nodes: dict[str, tuple[str, str]] = {}
        for version in versions:
            nodes[f"model_version:{version.id}"] = ("model_version", version.id)
            graph = state.store.lineage("model_version", version.id, max_depth=max_depth)
            for edge in [*graph.upstream, *graph.downstream]:
                src, dst = f"{edge.src_kind}:{edge.src_id}", f"{edge.dst_kind}:{edge.dst_id}"
                nodes[src] = (edge.src_kind, edge.src_id)
                nodes[dst] = (edge.dst_kind, edge.dst_id)
                edges[(src, dst, edge.relation)] = None
        labels = {v.id: f"{v.model_name} v{v.version}" for v in versions}
        out_nodes = [
            LineageNodeOut(kind=kind, id=node_id, label=_node_label(state, kind, node_id, labels))
            for kind, node_id in nodes.values()
        ]
    return LineageGraphOut(
        model=model,
        nodes=out_nodes,
        edges=[LineageEdgeOut(src=s, dst=d, relation=r) for s, d, r in edges],
    )


def _node_label(state: EngineState, kind: str, node_id: str, versions: dict[str, str]) -> str:
    """A readable name for a lineage node; its id when the store no longer has it."""
    try:
        if kind == "model_version":
            return versions.get(node_id) or node_id[:12]
        if kind == "run":
            run = state.store.get_run(node_id)
            return run.name or run.id[:12]
        if kind == "artifact":
            return state.store.get_artifact(node_id).name
    except (store_errors.NotFoundError, store_errors.AmbiguousIdError):
        return node_id[:12]
    return node_id
