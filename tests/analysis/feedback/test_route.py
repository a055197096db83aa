"""``POST /v1/feedback``: the engine redacts PII before it stores anything, all or nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kitchen.engine.app import create_app
from store import Store, open_store

TOKEN = "test-token-0123456789"
RAW = {
    "ts": "2024-05-01T12:00:00Z",
    "model": "clf@2",
    "input": "I am ann@corp.com, SSN 123-45-6789",
    "output": "I'm sorry, but I can't help with that. Call +1 415-555-2671.",
    "label": "card 4111 1111 1111 1111",
    "features": {"note": "reach me at ann@corp.com", "age": 41},
    "rating": 2,
}


@pytest.fixture
def store(_isolated_home: Path) -> Iterator[Store]:
    with open_store(_isolated_home, background_flush=False, flush_interval_s=None) as opened:
        yield opened


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    app = create_app(store, TOKEN)
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}) as test_client:
        yield test_client


def test_raw_pii_posted_is_stored_redacted(client: TestClient, store: Store) -> None:
    plain = {"ts": 1714564800, "input": "2+2?", "output": "4, the sum of two and two."}
    response = client.post("/v1/feedback", json={"events": [RAW, plain], "source": "svc"})
    assert response.status_code == 201, response.text
    out = response.json()
    assert out["count"] == 2 and out["redacted_events"] == 1
    assert out["redactions"] == {"card": 1, "email": 2, "phone": 1, "ssn": 1}
    assert out["flagged"] == {"refusal": 1}

    stored = client.get("/v1/feedback").json()
    first = next(e for e in stored if e["model_name"] == "clf")
    assert first["input"] == "I am [EMAIL], SSN [SSN]"
    assert first["output"] == "I'm sorry, but I can't help with that. Call [PHONE]."
    assert first["label"] == "card [CARD]"
    assert first["features"] == {"note": "reach me at [EMAIL]", "age": 41}
    assert first["quality_flags"] == ["refusal"] and first["redactions"] == 5
    assert first["user_signal"] == -0.5 and first["model_version"] == 2
    assert first["batch_id"] == out["batch_id"] and first["source"] == "svc"
    # Nothing of the originals is anywhere in the table.
    table = store.feedback_events()
    dump = str(table.to_pylist())
    for secret in ("ann@corp.com", "123-45-6789", "415-555-2671", "4111 1111"):
        assert secret not in dump
    summary = client.get("/v1/feedback/summary").json()
    assert {(s["model_name"], s["n"], s["redacted"], s["flagged"]) for s in summary} == {
        ("clf", 1, 1, 1),
        (None, 1, 0, 0),
    }


def test_a_bad_event_stores_nothing_and_names_the_field(client: TestClient) -> None:
    bad = {**RAW, "latency_ms": "slow"}
    response = client.post("/v1/feedback", json={"events": [RAW, bad]})
    assert response.status_code == 422
    assert "event 2: 'latency_ms' must be a number" in response.json()["detail"]
    assert client.get("/v1/feedback").json() == []
