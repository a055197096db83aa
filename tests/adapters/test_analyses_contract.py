"""One contract for the analysis port, run against the fake, the store adapter (embedded runs)
and the engine adapter (workers, through the HTTP routes)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kitchen.adapters.duckdb.analyses import StoreAnalyses
from kitchen.adapters.fake.analyses import FakeAnalyses
from kitchen.engine.app import create_app
from kitchen.engine.client import EngineClient
from kitchen.engine.files import EngineInfo
from kitchen.engine.recording import EngineAnalyses
from kitchen.ports.analyses import AnalysisStore
from store import open_store

T0 = datetime(2026, 11, 1, tzinfo=UTC)
TOKEN = "contract-token-0123456789"


def _events(n: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"e{i:04d}",
            "ts": T0 + timedelta(hours=i),
            "model_name": "clf",
            "model_version": 1 + i % 2,
            "input": f"text {i}",
            "output": "ok",
            "latency_ms": float(i),
            "features_json": json.dumps({"length": i}),
            "quality_flags": "",
            "redactions": 0,
            "batch_id": "b",
        }
        for i in range(n)
    ]


@pytest.fixture(params=["fake", "store", "engine"])
def port(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AnalysisStore]:
    events = _events(10)
    if request.param == "fake":
        yield FakeAnalyses(events)
        return
    with open_store(tmp_path, background_flush=False, flush_interval_s=None) as store:
        rows = [{**e, "features": {"length": i}, "quality_flags": []} for i, e in enumerate(events)]
        store.log_feedback(rows)
        if request.param == "store":
            yield StoreAnalyses(store)
            return
        info = EngineInfo("127.0.0.1", 1, 0, TOKEN, 0.0, str(store.path))
        client = EngineClient(info)
        client._http.close()
        headers = {"Authorization": f"Bearer {TOKEN}"}
        app = create_app(store, TOKEN)
        with TestClient(app, base_url="http://testserver/v1", headers=headers) as http:
            client._http = http
            adapter = EngineAnalyses(client)
            adapter.PAGE = 4  # several pages for ten events
            yield adapter


def test_feedback_windows_and_filters(port: AnalysisStore) -> None:
    table = port.feedback_events()
    assert table.num_rows == 10
    assert table.column("input").to_pylist()[:2] == ["text 0", "text 1"]
    assert table.column("ts").to_pylist()[0] == T0
    window = port.feedback_events(since=T0 + timedelta(hours=2), until=T0 + timedelta(hours=5))
    assert window.column("input").to_pylist() == ["text 2", "text 3", "text 4"]
    assert port.feedback_events(model_version=2).num_rows == 5
    assert port.feedback_events(limit=3).num_rows == 3
    assert '"length": 7' in port.feedback_events().column("features_json").to_pylist()[7]


def test_analyses_round_trip(port: AnalysisStore) -> None:
    first = port.log_analysis(
        kind="drift",
        name="check",
        params={"window": "7d"},
        summary={"drifted": 2},
        result={"features": [1, 2]},
        model_name="clf",
        model_version=2,
        run_id=None,
        seed=3,
    )
    port.log_analysis(kind="xai", name="shap", params={}, summary={"n": 1})
    assert [a.kind for a in port.list_analyses()] == ["xai", "drift"]
    (drift,) = port.list_analyses(kind="drift", model_version=2)
    assert drift.id == first and drift.seed == 3 and drift.summary == {"drifted": 2}
    assert port.analysis_result(first) == {"features": [1, 2]}
    with pytest.raises(Exception, match="kind"):
        port.log_analysis(kind="vibes", name="x", params={}, summary={})
