"""The engine API in-process: auth on every route, reads equal the store, errors map cleanly."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Route

from kitchen.queries import details_of
from tests.engine_service.conftest import Seeded


def _routes(routes: Sequence[BaseRoute], prefix: str = "") -> list[tuple[str, str]]:
    """Every (method, path) of ``routes``, descending into included routers."""
    found = []
    for route in routes:
        if isinstance(route, Route):
            for method in sorted(route.methods or {"GET"}):
                if method != "HEAD":
                    found.append((method, re.sub(r"\{[^}]+\}", "x", prefix + route.path)))
        else:
            # FastAPI keeps an included router as one entry wrapping the router and its prefix.
            context = route.include_context  # type: ignore[attr-defined]
            found += _routes(context.included_router.routes, prefix + context.prefix)
    return found


def test_every_route_needs_the_token(app: FastAPI) -> None:
    routes = _routes(app.routes)
    assert len(routes) >= 16
    assert ("GET", "/openapi.json") in routes and ("POST", "/v1/runs/x/events") in routes
    bare = TestClient(app)
    for method, path in routes:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}):
            response = bare.request(method, path, headers=headers)
            assert response.status_code == 401, (method, path, headers)
            assert response.headers["www-authenticate"] == "Bearer"


def test_health(client: TestClient, seeded: Seeded) -> None:
    health = client.get("/v1/health").json()
    assert health["status"] == "ok" and health["store"] == str(seeded.store.path)


def test_openapi_schema_is_typed(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert {"RunRowOut", "RunDetails", "CurveOut", "ComparisonOut"} <= set(
        schema["components"]["schemas"]
    )
    assert "HTTPBearer" in schema["components"]["securitySchemes"]


def test_runs_table_equals_the_store(client: TestClient, seeded: Seeded) -> None:
    rows = client.get("/v1/runs", params={"summary_keys": ["train/loss"]}).json()
    expected = seeded.store.runs_table(summary_keys=["train/loss"])
    assert [r["id"] for r in rows] == [r.id for r in expected] == [seeded.b, seeded.a]
    assert rows[1]["metrics"] == {"train/loss": pytest.approx(0.1)}
    failed = client.get("/v1/runs", params={"status": "failed"}).json()
    assert [r["id"] for r in failed] == [seeded.b]
    assert client.get("/v1/runs", params={"limit": 1, "offset": 1}).json()[0]["id"] == seeded.a


def test_run_details_equal_the_cli_query(client: TestClient, seeded: Seeded) -> None:
    got = client.get(f"/v1/runs/{seeded.a[:-3]}").json()
    expected = json.loads(json.dumps(details_of(seeded.store, seeded.a), default=str))
    assert got["run"]["id"] == seeded.a
    assert got["params"] == expected["params"] and got["metrics"] == expected["metrics"]
    assert got["artifacts"] == expected["artifacts"] and got["lineage"] == expected["lineage"]
    assert got["models"] == [{"name": "tiny", "version": 1, "aliases": []}]
    assert got["run"]["config"] == {"lr": 0.1, "dataset": "arith"}


def test_curves_keys_compare_models(client: TestClient, seeded: Seeded) -> None:
    assert client.get(f"/v1/runs/{seeded.a}/metrics").json() == ["lr", "train/loss"]
    curve = client.get(f"/v1/runs/{seeded.a}/metrics/train/loss", params={"max_points": 5})
    assert curve.json() == dataclasses.asdict(
        seeded.store.metric_curve(seeded.a, "train/loss", max_points=5)
    )
    both = client.get("/v1/curves", params={"run_ids": [seeded.a, seeded.b], "key": "train/loss"})
    assert both.json()[seeded.b]["values"][0] == 3.0
    compared = client.get("/v1/compare", params={"a": seeded.a, "b": seeded.b}).json()
    lr = next(p for p in compared["params"] if p["key"] == "lr")
    assert lr == {"key": "lr", "a": 0.1, "b": 0.2, "differs": True}
    models = client.get("/v1/models").json()
    assert [(m["name"], m["latest_version"]) for m in models] == [("tiny", 1)]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/runs/nope"),
        ("GET", "/v1/runs/nope/metrics"),
        ("GET", "/v1/runs/nope/metrics/train/loss"),
        ("GET", "/v1/curves?run_ids=nope&key=loss"),
        ("GET", "/v1/compare?a=nope&b=nope"),
        ("GET", "/v1/runs/nope/events"),
        ("POST", "/v1/runs/nope/events"),
        ("GET", "/v1/runs/nope/logs"),
        ("GET", "/v1/runs/nope/stages"),
        ("DELETE", "/v1/runs/nope"),
        ("GET", "/v1/recipes/nope"),
    ],
)
def test_unknown_run_is_404(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, json=[])
    assert response.status_code == 404
    assert "nope" in response.json()["detail"]


def test_ingest_needs_the_full_run_id(client: TestClient, seeded: Seeded) -> None:
    response = client.post(f"/v1/runs/{seeded.a[:8]}/events", json=[])
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        (b"{not json", ["body"]),
        (b'{"type": "Log"}', ["body"]),
        (b'[{"type": "Metrics", "run_id": "RUN", "step": "x", "values": {}}]', ["body", 0, "step"]),
        (
            b'[{"type": "Metrics", "run_id": "other", "step": 1, "values": {}}]',
            ["body", 0, "run_id"],
        ),
        (b'[{"type": "Bogus", "run_id": "RUN"}]', ["body", 0, "type"]),
    ],
)
def test_malformed_ingest_is_422_naming_the_field(
    client: TestClient, seeded: Seeded, body: bytes, loc: list[object]
) -> None:
    response = client.post(
        f"/v1/runs/{seeded.a}/events",
        content=body.replace(b"RUN", seeded.a.encode()),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


def test_bad_query_is_422_naming_the_parameter(client: TestClient) -> None:
    response = client.get("/v1/runs", params={"limit": 0})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "limit"]


def test_store_refusal_maps_to_409(client: TestClient, seeded: Seeded) -> None:
    # A succeeded run cannot start again: the store says so, the API answers 409, no traceback.
    event = {"type": "RunFinished", "run_id": seeded.a, "status": "failed"}
    response = client.post(f"/v1/runs/{seeded.a}/events", json=[event])
    assert response.status_code == 409
    assert "succeeded" in response.json()["detail"]


def test_a_batch_with_a_refused_status_writes_nothing(client: TestClient, seeded: Seeded) -> None:
    before = seeded.store.metric_curve(seeded.a, "train/loss").total_points
    batch = [
        {"type": "Metrics", "run_id": seeded.a, "step": 99, "values": {"train/loss": 0.5}},
        {"type": "Log", "run_id": seeded.a, "level": "info", "message": "late line"},
        {"type": "RunStarted", "run_id": seeded.a, "recipe": "sft", "config": {}},
    ]
    response = client.post(f"/v1/runs/{seeded.a}/events", json=batch)
    assert response.status_code == 409
    seeded.store.flush()
    assert seeded.store.metric_curve(seeded.a, "train/loss").total_points == before
    assert not any(line.message == "late line" for line in seeded.store.logs(seeded.a))


def test_logs_tail_and_stage_events(client: TestClient, seeded: Seeded) -> None:
    store = seeded.store
    for i in range(30):
        store.log(seeded.b, "info", f"line {i}", stage="train")
    store.log_stage_event(seeded.b, "epochs[0]/train", "train", "started")
    store.log_stage_event(
        seeded.b, "epochs[0]/train", "train", "failed", detail={"message": "NaN loss"}
    )
    store.flush()
    lines = client.get(f"/v1/runs/{seeded.b}/logs", params={"tail": 5}).json()
    assert [line["message"] for line in lines] == [f"line {i}" for i in range(25, 30)]
    after = client.get(f"/v1/runs/{seeded.b}/logs", params={"after_seq": lines[-2]["seq"]}).json()
    assert [line["message"] for line in after] == ["line 29"]
    stages = client.get(f"/v1/runs/{seeded.b}/stages").json()
    assert [(e["event"], e["depth"], e["error"]) for e in stages] == [
        ("started", 1, None),
        ("failed", 1, "NaN loss"),
    ]


def test_recipes_and_the_config_check(client: TestClient) -> None:
    assert {"name": "sft", "description": client.get("/v1/recipes").json()[0]["description"]} in (
        client.get("/v1/recipes").json()
    )
    detail = client.get("/v1/recipes/sft").json()
    assert detail["defaults"]["epochs"] == 20
    assert "learning_rate" in detail["config_schema"]["properties"]
    assert any(stage["name"] == "forward_backward" for stage in detail["stages"])

    ok = client.post("/v1/check", json={"recipe": "sft", "overrides": ["epochs=3"]}).json()
    assert ok["ok"] and ok["config"]["epochs"] == 3
    bad = client.post(
        "/v1/check",
        json={"recipe": "sft", "config": {"epochz": 1, "learning_rate": "x"}, "overrides": []},
    ).json()
    assert not bad["ok"]
    fields = {e["field"]: e["message"] for e in bad["errors"]}
    assert "epochs" in fields["epochz"]  # the suggestion
    assert "float" in fields["learning_rate"]
    unknown = client.post("/v1/check", json={"recipe": "nope"})
    assert unknown.status_code == 422 and "nope" in unknown.json()["detail"]


def test_engine_status_without_a_scheduler(client: TestClient) -> None:
    status = client.get("/v1/engine").json()
    assert status["slots"] == 0 and status["running"] == [] and status["queued"] == []
    assert status["memory_total_bytes"] > status["memory_used_bytes"] > 0
    assert status["process_rss_bytes"] > 0


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/v1/runs"), ("POST", "/v1/runs/RUN/pause"), ("POST", "/v1/runs/RUN/resume")],
)
def test_run_control_without_a_scheduler_is_503(
    client: TestClient, seeded: Seeded, method: str, path: str
) -> None:
    body = {"recipe": "sft", "overrides": ["max_steps=1"]}
    response = client.request(method, path.replace("RUN", seeded.b), json=body)
    assert response.status_code == 503
    assert "scheduler" in response.json()["detail"]


def test_delete_a_run_keeps_runs_that_made_models(client: TestClient, seeded: Seeded) -> None:
    kept = client.delete(f"/v1/runs/{seeded.a}")
    assert kept.status_code == 409 and "tiny v1" in kept.json()["detail"]
    gone = client.delete(f"/v1/runs/{seeded.b}")
    assert gone.status_code == 200 and gone.json()["status"] == "deleted"
    assert client.get(f"/v1/runs/{seeded.b}").status_code == 404
    assert client.get(f"/v1/runs/{seeded.b}/metrics").status_code == 404
    assert seeded.store.metric_keys(seeded.b) == []
    assert [r["id"] for r in client.get("/v1/runs").json()] == [seeded.a]
