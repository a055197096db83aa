"""Artifacts: files and trees are stored once, listed per run and copied back out."""

from __future__ import annotations

from pathlib import Path

import pytest

from store import InvalidValueError, NotFoundError, Store


def test_file_and_tree_artifacts_round_trip(store: Store, tmp_path: Path) -> None:
    run = store.create_run(recipe="r")
    report = store.log_artifact_bytes(run.id, b"# report", name="report.md", kind="report")
    ckpt = tmp_path / "step-100"
    (ckpt / "sub").mkdir(parents=True)
    (ckpt / "model.safetensors").write_bytes(b"w" * 64)
    (ckpt / "sub" / "state.json").write_text("{}")
    tree = store.log_artifact(run.id, ckpt, kind="checkpoint", meta={"step": 100})
    assert tree.layout == "tree" and tree.size_bytes == 66 and tree.name == "step-100"
    assert report.layout == "file" and report.size_bytes == 8
    assert (store.home / tree.uri).is_file()  # uri is relative to the home
    assert [a.id for a in store.list_artifacts(run.id)] == [report.id, tree.id]
    assert [a.id for a in store.list_artifacts(run.id, kind="checkpoint")] == [tree.id]
    out = store.materialize_artifact(tree.id, tmp_path / "restored")
    assert (out / "sub" / "state.json").read_text() == "{}"
    copy = store.materialize_artifact(report.id, tmp_path / "r.md")
    assert copy.read_bytes() == b"# report"
    with pytest.raises(InvalidValueError):
        store.materialize_artifact(report.id, copy)
    assert [e.dst_id for e in store.lineage("run", run.id).downstream] == [report.id, tree.id]


def test_artifact_checks_happen_before_any_blob_is_written(store: Store, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        store.log_artifact_bytes("0" * 32, b"data", name="x", kind="other")
    with pytest.raises(InvalidValueError):
        store.log_artifact_bytes(None, b"data", name="x", kind="weights")  # type: ignore[arg-type]
    assert not store.blobs.root.exists() or not any(store.blobs.root.rglob("??/*"))
    with pytest.raises(NotFoundError):
        store.log_artifact(None, tmp_path / "missing", kind="other")
    with pytest.raises(NotFoundError):
        store.get_artifact("0" * 32)


def test_dataset_without_a_run(store: Store) -> None:
    dataset = store.log_artifact_bytes(None, b"a,b\n1,2\n", name="train.csv", kind="dataset")
    assert dataset.run_id is None
    assert store.get_artifact(dataset.id).sha256 == dataset.sha256
