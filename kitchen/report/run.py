"""Assemble a run's report from the store: header, config, metrics, curves, stages, evals,
lineage, model versions, and optionally a paired comparison with another run."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from kitchen.report.data import (
    CurveData,
    Edge,
    MetricRow,
    RunComparison,
    RunHeader,
    RunReport,
    StageTiming,
    VersionRow,
)
from kitchen.report.evals import collect_evals, last_steps, load_rows, paired, per_sample
from kitchen.report.numbers import paired_test
from kitchen.report.secrets import public_params
from store import Store
from store.models import Run

CURVE_POINTS = 300
MAX_CURVES = 12
# Curves worth a plot, in the order they are shown: (what the key's last part contains, ...).
_CURVE_ORDER = ("loss", "lr", "reward", "eval")


def collect_run(
    store: Store, run: Run, *, compare_to: Run | None = None, max_samples: int = 50
) -> RunReport:
    """Everything about ``run`` (and its comparison with ``compare_to``) as one record."""
    config = json.loads(run.config_json or "{}")
    params = store.get_params(run.id) or config
    public, dropped = public_params(params)
    evals = collect_evals(store, run.id, max_samples=max_samples)
    comparisons: list[RunComparison] = []
    note = None
    if compare_to is not None:
        comparisons = compare_runs(store, run, compare_to)
        if not comparisons:
            note = (
                f"{run.name} and {compare_to.name} share no evaluated task with per-sample results"
            )
    return RunReport(
        header=header(run, config, tuple(e.task for e in evals), experiment_name(store, run)),
        config=public,
        secrets_dropped=dropped,
        metrics=final_metrics(store, run.id),
        curves=curves(store, run.id),
        stages=stage_timings(store, run.id),
        evals=evals,
        lineage=lineage(store, run.id),
        models=model_versions(store, run.id),
        comparisons=comparisons,
        comparison_note=note,
    )


def header(run: Run, config: dict[str, Any], tasks: tuple[str, ...], experiment: str) -> RunHeader:
    """The run's identity and timings."""
    duration = None
    if run.started_at is not None and run.finished_at is not None:
        duration = (run.finished_at - run.started_at).total_seconds()
    error = None
    if run.error_type or run.error_message:
        error = f"{run.error_type or 'error'}: {run.error_message or ''}".rstrip(": ")
    dataset = config.get("dataset") or config.get("env") or config.get("task")
    return RunHeader(
        id=run.id,
        name=run.name,
        experiment=experiment,
        recipe=run.recipe,
        status=run.status,
        model=_text(config.get("model")),
        dataset=_text(dataset),
        tasks=tasks,
        seed=run.seed,
        created_at=_iso(run.created_at) or "",
        started_at=_iso(run.started_at),
        finished_at=_iso(run.finished_at),
        duration_s=duration,
        git_commit=run.git_commit,
        error=error,
    )


def final_metrics(store: Store, run_id: str) -> list[MetricRow]:
    """Last value of every metric; ``eval/x`` carries ``baseline/x`` beside it when logged."""
    values = store.last_values([run_id]).get(run_id, {})
    rows = []
    paired_baselines = set()
    for key in sorted(values):
        if key.startswith("eval/"):
            base_key = "baseline/" + key.removeprefix("eval/")
            if base_key in values:
                paired_baselines.add(base_key)
                base = values[base_key]
                rows.append(MetricRow(key, values[key], base, values[key] - base))
                continue
        rows.append(MetricRow(key, values[key]))
    return [r for r in rows if r.key not in paired_baselines]


def curve_rank(key: str) -> int | None:
    """Where a metric's plot goes (lower first), or None when it gets none."""
    if key.startswith("baseline/"):
        return None
    if key.startswith("eval/"):
        return _CURVE_ORDER.index("eval")
    last = key.rsplit("/", 1)[-1].lower()
    if "loss" in last:
        return 0
    if last in ("lr", "learning_rate") or last.endswith("_lr"):
        return 1
    if "reward" in last:
        return 2
    return None


def curves(store: Store, run_id: str) -> list[CurveData]:
    """Downsampled curves of the loss, learning rate, reward and eval metrics (2+ points)."""
    ranked = sorted(
        (rank, key) for key in store.metric_keys(run_id) if (rank := curve_rank(key)) is not None
    )
    out = []
    for _, key in ranked:
        found = store.metric_curves([run_id], key, max_points=CURVE_POINTS).get(run_id)
        if found is None or len(found.steps) < 2:
            continue  # one point is a number, not a curve: the metrics table has it
        out.append(
            CurveData(
                key, list(found.steps), list(found.values), found.total_points, found.downsampled
            )
        )
        if len(out) == MAX_CURVES:
            break
    return out


def stage_timings(store: Store, run_id: str) -> list[StageTiming]:
    """How each stage ended and how long it took, in order."""
    return [
        StageTiming(e.stage_path, e.stage, e.event, e.duration_s)
        for e in store.stage_events(run_id)
        if e.event != "started"
    ]


def lineage(store: Store, run_id: str) -> list[Edge]:
    """Edges upstream and downstream of the run."""
    graph = store.lineage("run", run_id)
    return [
        Edge(e.src_kind, e.src_id, e.dst_kind, e.dst_id, e.relation)
        for e in [*graph.upstream, *graph.downstream]
    ]


def model_versions(store: Store, run_id: str) -> list[VersionRow]:
    """Registered model versions made from the run."""
    out = []
    for summary in store.list_models():
        for version in store.list_model_versions(summary.name):
            if version.run_id == run_id:
                aliases = tuple(
                    sorted(a for a, v in summary.aliases.items() if v == version.version)
                )
                out.append(
                    VersionRow(
                        summary.name,
                        version.version,
                        version.stage,
                        aliases,
                        _iso(version.created_at) or "",
                    )
                )
    return out


def compare_runs(store: Store, run: Run, other: Run) -> list[RunComparison]:
    """Per task both runs evaluated: the paired test of their last evaluations' scores."""
    mine, _ = last_steps(store, run.id)
    theirs, _ = last_steps(store, other.id)
    out = []
    for task in sorted(set(mine) & set(theirs)):
        a = per_sample(load_rows(store, run.id, "eval", task, mine[task]))
        b = per_sample(load_rows(store, other.id, "eval", task, theirs[task]))
        first, second = paired(a, b)
        note = None if len(first) >= 2 else "fewer than 2 shared samples: no test"
        test = paired_test(first, second, (run.name, other.name))
        out.append(
            RunComparison(
                other_id=other.id,
                other_name=other.name,
                task=task,
                n_pairs=len(first),
                mean_this=_mean(first),
                mean_other=_mean(second),
                test=test,
                note=note,
            )
        )
    return out


def experiment_name(store: Store, run: Run) -> str:
    """The name of the run's experiment (the run record holds only its id)."""
    for experiment in store.list_experiments():
        if experiment.id == run.experiment_id:
            return experiment.name
    return run.experiment_id


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else json.dumps(value, default=str)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
