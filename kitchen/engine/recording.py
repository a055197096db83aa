"""A worker's recording: the run's events, metrics and models go to the engine over HTTP.

Blobs are the exception: the worker writes them straight into ``<home>/blobs``, which is safe
beside the engine because blobs are content-addressed files placed by atomic renames.
Events are batched: a batch goes out when 1,000 metric points are buffered, ~200 ms after the
last send, and at once on a checkpoint or the run's end, so a checkpoint in the store always
has every metric logged before it (resume truncates after the checkpoint, never before).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
from pydantic import BaseModel

from kitchen import events as ev
from kitchen.adapters.duckdb.blobs import StoreBlobs
from kitchen.adapters.duckdb.open import ResumeRecord
from kitchen.context import Ports
from kitchen.engine.client import EngineClient
from kitchen.engine.wire_analysis import FeedbackEventOut
from kitchen.engine.wire_runs import ModelVersionOut
from kitchen.ports.analyses import AnalysisInfo
from kitchen.ports.registry import ModelVersionInfo
from store.blobs import BlobStore

MAX_POINTS = 1000
MAX_AGE_S = 0.2


class EventForwarder:
    """An event subscriber that sends a run's events to the engine in batches."""

    def __init__(self, client: EngineClient, run_id: str) -> None:
        self._client = client
        self._run_id = run_id
        self._events: list[ev.Event] = []
        self._points = 0
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="event-flush", daemon=True)
        self._ticker.start()

    def __call__(self, event: ev.Event) -> None:
        with self._lock:
            self._events.append(event)
            if isinstance(event, ev.Metrics):
                self._points += len(event.values)
            urgent = isinstance(event, ev.ArtifactSaved | ev.RunFinished | ev.RunStarted)
            if urgent or self._points >= MAX_POINTS:
                self._send()
        if isinstance(event, ev.RunFinished):
            self.close()

    def log_metrics(self, run_id: str, step: int, values: Mapping[str, float]) -> None:
        """Queue metric points logged through the port rather than as an event."""
        self(ev.Metrics(run_id, step, dict(values)))

    def flush(self) -> int:
        """Send what is buffered now; returns how many events went."""
        with self._lock:
            return self._send()

    def close(self) -> None:
        """Send the rest and stop the timer."""
        self._closed.set()
        self.flush()

    def _tick(self) -> None:
        while not self._closed.wait(MAX_AGE_S):
            try:
                self.flush()
            except Exception as error:  # a failed send is retried with the next batch
                print(f"event flush failed: {error}", flush=True)

    def _send(self) -> int:
        # Called with the lock held, so batches leave in order.
        if not self._events:
            return 0
        batch, self._events, self._points = self._events, [], 0
        try:
            self._client.ingest(self._run_id, batch)
        except BaseException:
            self._events[:0] = batch  # keep them for the next try
            raise
        return len(batch)


class EngineMetrics:
    """The metrics port of a worker: points travel with the events."""

    def __init__(self, forwarder: EventForwarder) -> None:
        self._forwarder = forwarder

    def log(self, run_id: str, step: int, values: Mapping[str, float]) -> None:
        self._forwarder.log_metrics(run_id, step, values)

    def flush(self) -> int:
        return self._forwarder.flush()


class EngineRegistry:
    """The model-registry port of a worker, through the engine's model routes."""

    def __init__(self, client: EngineClient, forwarder: EventForwarder) -> None:
        self._client = client
        self._forwarder = forwarder

    def register(
        self, name: str, *, run_id: str, artifact_ref: str, metrics: Mapping[str, float]
    ) -> ModelVersionInfo:
        # The engine looks the blob up among the run's artifacts: send the ArtifactSaved first.
        self._forwarder.flush()
        out = self._client.register_model(
            name, run_id=run_id, artifact_ref=artifact_ref, metrics=dict(metrics)
        )
        return _info(out)

    def set_alias(self, name: str, alias: str, version: int) -> None:
        self._client.set_alias(name, alias, version)

    def get(self, name: str, version_or_alias: str) -> ModelVersionInfo:
        return _info(self._client.model_version(name, version_or_alias))


def _info(out: ModelVersionOut) -> ModelVersionInfo:
    return ModelVersionInfo(
        out.name, out.version, out.run_id, out.artifact_ref, out.metrics, tuple(out.aliases)
    )


class EngineAnalyses:
    """The analysis port of a worker: feedback and analyses through the engine's routes."""

    PAGE = 50_000

    def __init__(self, client: EngineClient) -> None:
        self._client = client

    def feedback_events(
        self,
        *,
        model_name: str | None = None,
        model_version: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> pa.Table:
        from store.feedback import SCHEMA

        rows: list[dict[str, Any]] = []
        while limit is None or len(rows) < limit:
            want = self.PAGE if limit is None else min(self.PAGE, limit - len(rows))
            page = self._client.feedback_events(
                model_name=model_name,
                model_version=model_version,
                since=since,
                until=until,
                limit=want,
                offset=len(rows),
            )
            rows += [_store_row(event) for event in page]
            if len(page) < want:
                break
        return pa.Table.from_pylist(rows, schema=SCHEMA)

    def log_analysis(self, **fields: Any) -> str:
        return self._client.log_analysis(**fields).id

    def list_analyses(self, **filters: Any) -> list[AnalysisInfo]:
        return [
            AnalysisInfo(
                id=a.id,
                kind=a.kind,
                name=a.name,
                created_at=a.created_at,
                model_name=a.model_name,
                model_version=a.model_version,
                run_id=a.run_id,
                seed=a.seed,
                params=a.params,
                summary=a.summary,
            )
            for a in self._client.analyses(**filters)
        ]

    def analysis_result(self, analysis_id: str) -> Any:
        return self._client.analysis_result(analysis_id)


def _store_row(event: FeedbackEventOut) -> dict[str, Any]:
    """A feedback event from the wire in the store's column layout."""
    row = event.model_dump()
    row["features_json"] = (
        json.dumps(row.pop("features"), sort_keys=True) if event.features else None
    )
    row["quality_flags"] = ",".join(row["quality_flags"])
    row["ingested_at"] = None
    return row


class EngineRecording:
    """Records a run the engine has queued; ``kitchen.launch.run`` drives it.

    Args:
        client: A client of the engine that queued the run.
        run_id: The run, already created (``queued``) by the engine.
        home: The Kitchen home, for its blob folder.
    """

    def __init__(self, client: EngineClient, run_id: str, home: Path) -> None:
        self.client = client
        self.run_id = run_id
        self.blobs = StoreBlobs(BlobStore(home / "blobs"))
        self.forwarder: EventForwarder | None = None

    def create_run(
        self,
        recipe: str,
        config: BaseModel,
        *,
        experiment: str,
        name: str,
        seed: int,
        env: Mapping[str, Any],
    ) -> str:
        # The engine created the row when the run was submitted, from the same recipe and
        # overrides this worker has just validated again.
        return self.run_id

    def resume_info(self, run_id: str) -> ResumeRecord:
        out = self.client.resume_info(run_id)
        return ResumeRecord(
            run_id=out.run_id,
            recipe=out.recipe,
            config=out.config,
            checkpoint_ref=out.checkpoint_ref,
            position=tuple((int(a), int(b)) for a, b in out.position),
            snapshot=out.snapshot,
            step=out.step,
            pending=out.pending,
        )

    def reopen_run(self, record: ResumeRecord) -> None:
        self.client.reopen(record.run_id, record.step)

    def default_ports(self, config: BaseModel) -> Ports:
        from kitchen.adapters.real import real_ports

        forwarder = self._forwarder()
        return real_ports(
            config,
            blobs=self.blobs,
            metrics=EngineMetrics(forwarder),
            registry=EngineRegistry(self.client, forwarder),
            analyses=EngineAnalyses(self.client),
        )

    def recorder(self, ports: Ports) -> EventForwarder:
        return self._forwarder()

    def _forwarder(self) -> EventForwarder:
        if self.forwarder is None:
            self.forwarder = EventForwarder(self.client, self.run_id)
        return self.forwarder

    def close(self) -> None:
        """Send what is left (a crash may end the run without RunFinished)."""
        if self.forwarder is not None:
            self.forwarder.close()


__all__ = ["EngineMetrics", "EngineRecording", "EngineRegistry", "EventForwarder"]
