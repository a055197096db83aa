"""`kitchen drift reference|check` while a real engine serves the home: the events go in
through the engine, the CLI reads and writes through it, and what it stored is the engine's."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from kitchen.cli.drift import drift_app
from kitchen.engine.client import EngineClient
from kitchen.engine.files import pid_alive, read_engine
from kitchen.engine.server import start_background, stop
from store import open_store

from .test_drift_report import T0, _events

runner = CliRunner()
SPLIT = (T0 + timedelta(days=1)).isoformat()
SHIFTED = {"latency_ms", "features.score", "features.country"}


def _wire(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events as JSON can carry them (ISO times)."""
    return [{**e, "ts": e["ts"].isoformat()} for e in events]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Path]:
    """A home served by a detached engine, with a reference day and a shifted day of events."""
    home = tmp_path / "home"
    info = start_background(home, slots=1, grace_s=5.0)
    try:
        rng = np.random.default_rng(5)
        with EngineClient.for_home(home) as client:
            before = client.ingest_feedback(_wire(_events(rng, 1500, T0, 0.0)), source="test")
            shifted = _events(rng, 600, T0 + timedelta(days=1), 0.6)
            after = client.ingest_feedback(_wire(shifted), source="test")
            assert (before.count, after.count) == (1500, 600)
        yield home
    finally:
        stop(home)
        deadline = time.monotonic() + 10
        while pid_alive(info.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not pid_alive(info.pid), f"engine {info.pid} outlived its test"


def drift(*args: str) -> tuple[int, str]:
    result = runner.invoke(drift_app, list(args))
    return result.exit_code, result.output


def test_reference_and_check_go_through_the_serving_engine(served: Path) -> None:
    home = str(served)
    engine = read_engine(served)
    assert engine is not None
    code, out = drift(
        "reference", "--model", "m", "--version", "2", "--until", SPLIT,
        "--no-embed", "--json", "--home", home,
    )  # fmt: skip
    assert code == 0, out
    reference = json.loads(out)
    assert reference["n_events"] == 1500

    code, out = drift(
        "check", "--model", "m", "--version", "2", "--current-since", SPLIT,
        "--drift-share", "0.3", "--no-embed", "--json", "--home", home,
    )  # fmt: skip
    assert code == 0, out
    data = json.loads(out)
    assert data["drifted"] is True
    assert set(data["drifted_features"]) >= SHIFTED
    assert "features.stable" not in data["drifted_features"]
    assert data["analysis_id"]

    # The same engine still serves the home: the CLI used it, it did not start another.
    assert read_engine(served) == engine
    with EngineClient.for_home(served) as client:
        (stored,) = client.analyses(kind="drift", model_name="m", model_version=2)
        (sketch,) = client.analyses(kind="drift_reference", model_name="m", model_version=2)
        assert stored.id == data["analysis_id"] and sketch.id == reference["analysis_id"]
        assert stored.summary["drifted"] is True
        result = client.analysis_result(stored.id)
    assert result["features"] == data["features"]
    drifted = {f["name"] for f in result["features"] if f["drifted"]}
    assert drifted >= SHIFTED and "features.stable" not in drifted


def test_a_table_check_reads_through_the_engine_and_embedded_is_refused(served: Path) -> None:
    home = str(served)
    code, out = drift(
        "check", "--model", "m", "--version", "2", "--current-since", SPLIT,
        "--reference-until", SPLIT, "--no-embed", "--no-save", "--fail-on-drift",
        "--drift-share", "0.3", "--home", home,
    )  # fmt: skip
    assert code == 1, out  # drifted, and asked to fail on drift
    assert "latency_ms" in out and "DRIFT" in out and "raw reference window" in out

    # While an engine serves the home, --embedded may not open the store behind its back.
    code, out = drift(
        "reference", "--model", "m", "--version", "2", "--until", SPLIT,
        "--no-embed", "--embedded", "--home", home,
    )  # fmt: skip
    engine = read_engine(served)
    assert engine is not None
    assert code != 0 and f"the engine (pid {engine.pid}" in out, out

    with EngineClient.for_home(served) as client:
        assert client.analyses(kind="drift") == []  # --no-save stored nothing
        assert client.analyses(kind="drift_reference") == []  # the refused one neither
    stop(served)
    deadline = time.monotonic() + 10
    while pid_alive(engine.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    with open_store(served, read_only=True) as store:
        assert store.list_analyses() == []
        assert sum(s.n for s in store.feedback_summaries()) == 2100
