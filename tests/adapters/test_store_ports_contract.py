"""One contract per store-backed port (blobs, metrics sink, model registry), run against the
in-memory fake and the DuckDB adapter."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kitchen.adapters.duckdb.blobs import StoreBlobs
from kitchen.adapters.duckdb.metrics import StoreMetrics
from kitchen.adapters.duckdb.registry import StoreRegistry
from kitchen.adapters.fake.blobs import FakeBlobStore
from kitchen.adapters.fake.metrics import FakeMetricsSink
from kitchen.adapters.fake.registry import FakeModelRegistry
from kitchen.errors import NotFoundError
from kitchen.ports.blobs import BlobStore
from kitchen.ports.metrics import MetricsSink
from kitchen.ports.registry import ModelRegistry
from store import Store, open_store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "home") as opened:
        yield opened


@pytest.fixture(params=["fake", "duckdb"])
def blobs(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BlobStore]:
    if request.param == "fake":
        yield FakeBlobStore()
    else:
        with open_store(tmp_path / "blob-home") as opened:
            yield StoreBlobs(opened.blobs)


def test_blobs_are_content_addressed(blobs: BlobStore) -> None:
    a = blobs.put_bytes(b"weights")
    b = blobs.put_bytes(b"weights")
    assert a == b and a.size == 7 and len(a.sha256) == 64
    assert blobs.get_bytes(a.sha256) == b"weights"
    assert blobs.exists(a.sha256) and not blobs.exists("0" * 64)


def test_trees_round_trip(blobs: BlobStore, tmp_path: Path) -> None:
    source = tmp_path / "ckpt"
    (source / "sub").mkdir(parents=True)
    (source / "model.safetensors").write_bytes(b"\x00" * 100)
    (source / "sub" / "state.json").write_text('{"step": 3}')
    ref = blobs.put_tree(source)
    assert ref.size >= 100
    out = blobs.materialize_tree(ref.sha256, tmp_path / "out")
    assert (out / "model.safetensors").read_bytes() == b"\x00" * 100
    assert (out / "sub" / "state.json").read_text() == '{"step": 3}'


def test_unknown_blob_is_not_found(blobs: BlobStore, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        blobs.get_bytes("f" * 64)
    with pytest.raises(NotFoundError):
        blobs.materialize_tree("f" * 64, tmp_path / "x")


def _run(store: Store) -> str:
    return store.create_run(recipe="sft").id


@pytest.fixture(params=["fake", "duckdb"])
def metrics(
    request: pytest.FixtureRequest, store: Store
) -> tuple[MetricsSink, str, Callable[[str], list[tuple[int, float]]]]:
    if request.param == "fake":
        fake = FakeMetricsSink()
        return fake, "run-1", lambda key: fake.series("run-1", key)
    run_id = _run(store)

    def read(key: str) -> list[tuple[int, float]]:
        curve = store.metric_curve(run_id, key)
        return list(zip(curve.steps, curve.values, strict=True))

    return StoreMetrics(store), run_id, read


def test_metrics_buffer_then_flush(metrics: Any) -> None:
    sink, run_id, read = metrics
    for step in range(1, 6):
        sink.log(run_id, step, {"train/loss": 1.0 / step, "train/lr": 0.1})
    assert sink.flush() == 10
    assert sink.flush() == 0
    assert read("train/loss") == [(s, 1.0 / s) for s in range(1, 6)]


@pytest.fixture(params=["fake", "duckdb"])
def registry(request: pytest.FixtureRequest, store: Store, tmp_path: Path) -> tuple[Any, str, str]:
    if request.param == "fake":
        return FakeModelRegistry(), "run-1", "a" * 64
    run_id = _run(store)
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "w.safetensors").write_bytes(b"w")
    artifact = store.log_artifact(run_id, folder, kind="model", name="final")
    return StoreRegistry(store), run_id, artifact.sha256


def test_registry_versions_and_aliases(registry: tuple[ModelRegistry, str, str]) -> None:
    reg, run_id, ref = registry
    v1 = reg.register("m", run_id=run_id, artifact_ref=ref, metrics={"eval/acc": 0.5})
    v2 = reg.register("m", run_id=run_id, artifact_ref=ref, metrics={"eval/acc": 0.7})
    assert (v1.version, v2.version) == (1, 2)
    assert reg.get("m", "latest").version == 2
    assert reg.get("m", "1").metrics == {"eval/acc": 0.5}
    reg.set_alias("m", "champion", 1)
    champion = reg.get("m", "champion")
    assert champion.version == 1 and champion.artifact_ref == ref and champion.run_id == run_id
    with pytest.raises(NotFoundError):
        reg.get("m", "7")
    with pytest.raises(NotFoundError):
        reg.get("m", "nobody")
