"""Ingest through the API writes what the embedded recorder writes; streams see the events."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from kitchen import events as ev
from kitchen.adapters.duckdb.metrics import StoreMetrics
from kitchen.adapters.duckdb.recorder import StoreRecorder
from kitchen.engine.app import EngineState
from kitchen.engine.wire import from_wire, to_wire
from store import Store
from tests.engine_service.conftest import Seeded


def _sequence(run_id: str, blob: str) -> list[ev.Event]:
    events: list[ev.Event] = [
        ev.RunStarted(run_id, "sft", {"lr": 0.01, "dataset": "arith"}, wall_time=1.0),
        ev.StageStarted(run_id, "train", "root/train", 1, wall_time=2.0),
    ]
    for step in range(1, 6):
        events += [
            ev.StageFinished(run_id, "optim_step", "root/train/optim_step", 2, 0.01, wall_time=3.0),
            ev.Metrics(run_id, step, {"train/loss": 1.0 / step}, wall_time=3.0 + step),
            ev.Progress(run_id, step, 5),
        ]
    events += [
        ev.Log(run_id, "info", "saved", stage="train", wall_time=9.0),
        ev.ArtifactSaved(run_id, "checkpoint", "ckpt-5", blob, 7, 5, meta={"k": 1}),
        ev.StageFinished(run_id, "train", "root/train", 1, 5.0, wall_time=10.0),
        ev.RunFinished(run_id, "succeeded", last_step=5, wall_time=11.0),
    ]
    return events


def _rows(store: Store, run_id: str) -> dict[str, Any]:
    store.flush()
    run = store.get_run(run_id)
    return {
        "status": run.status,
        "params": store.get_params(run_id),
        "curve": store.metric_curve(run_id, "train/loss").values,
        "stages": [
            (e.stage_path, e.stage, e.event, e.duration_s, e.detail_json)
            for e in store.stage_events(run_id)
        ],
        "logs": [(log.level, log.message, log.stage) for log in store.logs(run_id)],
        "artifacts": [
            (a.kind, a.name, a.sha256, a.meta_json) for a in store.list_artifacts(run_id)
        ],
        "lineage": [
            (e.src_kind, e.src_id, e.relation) for e in store.lineage("run", run_id).upstream
        ],
    }


def test_ingest_matches_the_embedded_recorder(client: TestClient, seeded: Seeded) -> None:
    store = seeded.store
    blob = store.blobs.put_bytes(b"weights").sha256
    via_api = store.create_run(recipe="sft").id
    embedded = store.create_run(recipe="sft").id

    events = _sequence(via_api, blob)
    # Two batches: the engine keeps the run's recorder between them (loop-stage summaries).
    for batch in (events[:7], events[7:]):
        wire = [to_wire(e) for e in batch]
        response = client.post(f"/v1/runs/{via_api}/events", json=wire)
        assert response.status_code == 200 and response.json() == {"accepted": len(batch)}

    recorder = StoreRecorder(store, StoreMetrics(store))
    for event in _sequence(embedded, blob):
        recorder(event)

    got, expected = _rows(store, via_api), _rows(store, embedded)
    assert got == expected
    assert got["status"] == "succeeded" and len(got["curve"]) == 5
    assert any("optim_step" in s[0] for s in got["stages"])


def _listen(client: TestClient, path: str, n: int, out: list[ev.Event]) -> None:
    response = client.get(path, params={"max_events": n})
    for block in response.text.split("\n\n"):
        data = [line[5:].strip() for line in block.splitlines() if line.startswith("data:")]
        if data:
            out.append(from_wire(json.loads("".join(data))))


def _wait_subscribers(app: FastAPI, n: int) -> None:
    state: EngineState = app.state.engine
    deadline = time.monotonic() + 5
    while state.hub.subscribers < n:
        assert time.monotonic() < deadline, "the stream never subscribed"
        time.sleep(0.01)


def test_streams_receive_ingested_events(client: TestClient, app: FastAPI, seeded: Seeded) -> None:
    store = seeded.store
    run_a = store.create_run(recipe="sft").id
    run_b = store.create_run(recipe="sft").id
    every: list[ev.Event] = []
    only_a: list[ev.Event] = []
    threads = [
        threading.Thread(target=_listen, args=(client, "/v1/events", 3, every)),
        threading.Thread(target=_listen, args=(client, f"/v1/runs/{run_a}/events", 2, only_a)),
    ]
    for thread in threads:
        thread.start()
    _wait_subscribers(app, 2)

    sent_a = [ev.Log(run_a, "info", "one"), ev.Metrics(run_a, 1, {"x": 1.0})]
    sent_b = [ev.Log(run_b, "info", "other")]
    client.post(f"/v1/runs/{run_b}/events", json=[to_wire(e) for e in sent_b])
    client.post(f"/v1/runs/{run_a}/events", json=[to_wire(e) for e in sent_a])
    for thread in threads:
        thread.join(10)
        assert not thread.is_alive()

    assert every == [*sent_b, *sent_a]
    assert only_a == sent_a
    state: EngineState = app.state.engine
    assert state.hub.subscribers == 0
