"""Analysis and evaluation runs executed by a real engine's workers: what a worker writes
through the analysis port and the eval artifacts reaches the engine's store."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from kitchen.engine.client import EngineClient
from kitchen.engine.files import pid_alive
from kitchen.engine.server import start_background, stop

T0 = datetime(2026, 11, 1, tzinfo=UTC)
SPLIT = T0 + timedelta(days=1)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineClient]:
    home: Path = tmp_path_factory.mktemp("engine-analyses")
    info = start_background(home, slots=1, grace_s=5.0)
    with EngineClient.for_home(home) as c:
        yield c
    stop(home)
    deadline = time.monotonic() + 10
    while pid_alive(info.pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def _finished(client: EngineClient, run_id: str, timeout_s: float = 120.0) -> str:
    deadline = time.monotonic() + timeout_s
    while True:
        status = client.run(run_id).run.status
        if status not in ("queued", "running") or time.monotonic() > deadline:
            return status
        time.sleep(0.2)


def _events(rng: np.random.Generator, n: int, start: datetime, shift: float) -> list[dict]:
    return [
        {
            "ts": (start + timedelta(seconds=30 * i)).isoformat(),
            "model": "clf@1",
            "input": f"order {i}: contact me at user{i}@example.com",
            "output": "positive" if rng.random() < 0.5 + shift / 2 else "negative",
            "latency_ms": float(rng.normal(100 + 60 * shift, 10)),
            "features": {"score": float(rng.normal(shift, 1))},
        }
        for i in range(n)
    ]


def test_feedback_then_a_drift_run_in_a_worker(client: EngineClient) -> None:
    rng = np.random.default_rng(3)
    before = client.ingest_feedback(_events(rng, 600, T0, 0.0), source="test")
    after = client.ingest_feedback(_events(rng, 600, SPLIT, 1.0), source="test")
    assert before.count == after.count == 600
    assert before.redactions == {"email": 600}
    stored = client.feedback_events(model_name="clf", limit=5)
    assert "[EMAIL]" in stored[0].input and "@example.com" not in stored[0].input

    run = client.submit(
        "drift",
        [
            "model=clf",
            "version=1",
            f"current_since={SPLIT.isoformat()}",
            f"reference_until={SPLIT.isoformat()}",
            "embed=false",
            "thresholds.drift_share=0.2",
            "threads=1",
        ],
    ).run_id
    assert _finished(client, run) == "succeeded", client.logs(run, tail=20)
    (analysis,) = client.analyses(kind="drift", run_id=run)
    assert analysis.model_name == "clf" and analysis.model_version == 1
    assert analysis.summary["drifted"] is True
    result = client.analysis(analysis.id).result
    drifted = {f["name"] for f in result["features"] if f["drifted"]}
    assert {"latency_ms", "features.score"} <= drifted


def test_an_eval_run_in_a_worker_stores_its_samples(client: EngineClient) -> None:
    run = client.submit("eval", ["task=arithmetic", "limit=6", "threads=1"]).run_id
    assert _finished(client, run) == "succeeded", client.logs(run, tail=20)
    (summary,) = client.evals(run)
    assert (summary.phase, summary.task, summary.n) == ("eval", "arithmetic", 6)
    samples = client.eval_samples(run)
    assert len(samples) == 6 and all(s.output_tokens for s in samples)


def test_an_attack_run_in_a_worker_stores_its_report(client: EngineClient) -> None:
    run = client.submit(
        "attack",
        [
            "model=kitchen/tiny",
            "task=arithmetic",
            "limit=4",
            'attacks=["word_shuffle"]',
            "severities=[0.5]",
            "threads=1",
        ],
    ).run_id
    assert _finished(client, run) == "succeeded", client.logs(run, tail=20)
    (analysis,) = client.analyses(kind="adversary", run_id=run)
    report = client.analysis(analysis.id).result
    assert report["n_examples"] == 4
    assert [a["name"] for a in report["attacks"]] == ["word_shuffle"]
