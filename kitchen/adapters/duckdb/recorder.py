"""Turns run events into store rows: status, params, stage events, logs, metrics, artifacts
and lineage.

Stages inside nested loops run once per step; storing two rows per stage per step would grow
the table by millions of rows on a long run, so those are summed per stage and written once
(count, total and mean duration) when the run ends. Outer stages are stored one row each.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from kitchen import events as ev
from kitchen.ports.metrics import MetricsSink
from store import Store

# Stages at this loop depth or deeper are summarised rather than stored per call.
SUMMARY_DEPTH = 2


class StoreRecorder:
    """An event subscriber that records one run into the store."""

    def __init__(self, store: Store, metrics: MetricsSink) -> None:
        self._store = store
        self._metrics = metrics
        self._summary: dict[str, list[float]] = {}

    def __call__(self, event: ev.Event) -> None:
        if isinstance(event, ev.Metrics):
            self._metrics.log(event.run_id, event.step, event.values)
        elif isinstance(event, ev.StageStarted | ev.StageFinished | ev.StageFailed):
            self._stage(event)
        elif isinstance(event, ev.Log):
            self._store.log(
                event.run_id,
                event.level,
                event.message,
                stage=event.stage or None,
                wall_time=event.wall_time,
            )
        elif isinstance(event, ev.ArtifactSaved):
            self._artifact(event)
        elif isinstance(event, ev.RunStarted):
            self._started(event)
        elif isinstance(event, ev.RunFinished):
            self._finished(event)
        elif isinstance(event, ev.ModelRegistered) and event.relation and event.parent:
            version = self._store.get_model_version(event.name, event.version)
            self._store.link("model", event.parent, "model_version", version.id, event.relation)

    def _started(self, event: ev.RunStarted) -> None:
        store = self._store
        store.set_run_status(event.run_id, "running")
        store.log_params(event.run_id, event.config)
        # Upstream lineage: what the run was made from.
        for kind, key, relation in (
            ("dataset", "dataset", "trained_on"),
            ("model", "model", "base_of"),
        ):
            source = event.config.get(key)
            if isinstance(source, str) and source:
                store.link(kind, source, "run", event.run_id, relation)

    def _stage(self, event: ev.StageStarted | ev.StageFinished | ev.StageFailed) -> None:
        # Failures are always stored one by one; routine calls of loop-body stages are summed.
        if isinstance(event, ev.StageFailed):
            self._store.log_stage_event(
                event.run_id,
                event.path,
                event.stage,
                "failed",
                wall_time=event.wall_time,
                detail={"error_type": event.error_type, "message": event.message},
            )
        elif event.depth >= SUMMARY_DEPTH:
            if isinstance(event, ev.StageFinished):
                self._summary.setdefault(event.stage, []).append(event.duration_s)
        elif isinstance(event, ev.StageStarted):
            self._store.log_stage_event(
                event.run_id, event.path, event.stage, "started", wall_time=event.wall_time
            )
        else:
            self._store.log_stage_event(
                event.run_id,
                event.path,
                event.stage,
                "finished",
                wall_time=event.wall_time,
                duration_s=event.duration_s,
            )

    def _artifact(self, event: ev.ArtifactSaved) -> None:
        self._store.record_blob_artifact(
            event.run_id,
            sha256=event.ref,
            kind=event.kind,
            name=event.name,
            meta={**event.meta, "step": event.step},
        )
        if event.kind == "eval" and "task" in event.meta:
            # An evaluation's per-sample rows: the blob holds them as a JSON list; the table
            # makes them queryable (compare, reports) without reading blobs again.
            rows = json.loads(self._store.blobs.read_bytes(event.ref))
            self._store.log_eval_samples(
                event.run_id,
                rows,
                phase=str(event.meta.get("phase", "eval")),
                task=str(event.meta["task"]),
                step=event.step,
            )

    def _finished(self, event: ev.RunFinished) -> None:
        for stage, durations in self._summary.items():
            total = sum(durations)
            detail: Mapping[str, Any] = {
                "calls": len(durations),
                "total_s": total,
                "mean_ms": 1000 * total / len(durations),
                "max_ms": 1000 * max(durations),
            }
            self._store.log_stage_event(
                event.run_id, f"*/{stage}", stage, "finished", duration_s=total, detail=detail
            )
        self._summary.clear()
        self._metrics.flush()
        self._store.set_run_status(
            event.run_id,
            event.status,
            error_type=event.error_type or None,
            error_message=event.message or None,
        )
