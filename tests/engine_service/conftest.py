"""Fixtures for the engine service: a seeded store, the in-process app and its test client."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kitchen.engine.app import create_app
from store import Store, open_store

TOKEN = "test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@dataclass(frozen=True)
class Seeded:
    """Two finished runs: ``a`` succeeded with an artifact and a model, ``b`` failed."""

    store: Store
    a: str
    b: str
    artifact_id: str


def seed(store: Store) -> tuple[str, str, str]:
    """Fill ``store`` with two runs; returns their ids and run a's artifact id."""
    a = store.create_run(recipe="sft", experiment="exp", config={"lr": 0.1, "dataset": "arith"})
    store.set_run_status(a.id, "running")
    store.log_params(a.id, {"lr": 0.1, "dataset": "arith"})
    store.link("dataset", "arith", "run", a.id, "trained_on")
    for step in range(1, 21):
        store.log_metrics(a.id, step, {"train/loss": 2.0 / step, "lr": 0.1})
    artifact = store.log_artifact_bytes(a.id, b"weights", name="model.bin", kind="model")
    store.create_model("tiny")
    store.register_model_version("tiny", run_id=a.id, artifact_id=artifact.id)
    store.set_run_status(a.id, "succeeded")

    b = store.create_run(recipe="sft", experiment="exp", config={"lr": 0.2})
    store.set_run_status(b.id, "running")
    store.log_params(b.id, {"lr": 0.2})
    for step in range(1, 11):
        store.log_metrics(b.id, step, {"train/loss": 3.0 / step})
    store.set_run_status(b.id, "failed", error_type="TrainingError", error_message="NaN loss")
    store.flush()
    return a.id, b.id, artifact.id


@pytest.fixture
def home(_isolated_home: Path) -> Path:
    """The test's Kitchen home (also ``$KITCHEN_HOME``)."""
    return _isolated_home


@pytest.fixture
def seeded(home: Path) -> Iterator[Seeded]:
    """A seeded store, open read-write for the test (flushes on the caller's thread)."""
    with open_store(home, background_flush=False, flush_interval_s=None) as store:
        a, b, artifact_id = seed(store)
        yield Seeded(store, a, b, artifact_id)


@pytest.fixture
def app(seeded: Seeded) -> FastAPI:
    """The engine app over the seeded store."""
    return create_app(seeded.store, TOKEN)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An authorised in-process client (one event loop for all its requests)."""
    with TestClient(app, headers=AUTH) as test_client:
        yield test_client


def worker_pid(run_id: str) -> int | None:
    """The pid of the worker process running ``run_id``, found through /proc."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"kitchen.engine.worker" in cmdline and run_id.encode() in cmdline:
            return int(entry.name)
    return None
