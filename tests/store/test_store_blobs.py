"""BlobStore: content addressing, dedup, path safety and directory trees."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from store import NotFoundError, ReadOnlyStoreError, UnsafePathError
from store.blobs import TREE_FORMAT, BlobStore
from store.errors import InvalidValueError


@pytest.fixture
def blobs(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path / "blobs")


def _stored_files(blobs: BlobStore) -> list[Path]:
    return [p for p in blobs.root.rglob("*") if p.is_file() and ".tmp" not in p.parts]


def test_put_bytes_is_content_addressed_and_deduplicated(blobs: BlobStore) -> None:
    ref = blobs.put_bytes(b"hello")
    assert ref.sha256 == hashlib.sha256(b"hello").hexdigest()
    assert ref.size == 5
    assert blobs.put_bytes(b"hello") == ref
    assert blobs.path(ref.sha256) == blobs.root / ref.sha256[:2] / ref.sha256
    assert _stored_files(blobs) == [blobs.path(ref.sha256)]
    assert blobs.read_bytes(ref.sha256) == b"hello"
    assert blobs.exists(ref.sha256)


def test_put_file_streams_and_matches_put_bytes(blobs: BlobStore, tmp_path: Path) -> None:
    data = bytes(range(256)) * 10_000  # several read chunks
    source = tmp_path / "weights.bin"
    source.write_bytes(data)
    ref = blobs.put_file(source)
    assert ref == blobs.put_bytes(data)
    with blobs.open(ref.sha256) as handle:
        assert handle.read() == data
    assert len(_stored_files(blobs)) == 1
    assert not any((blobs.root / ".tmp").iterdir())  # no temporary file left behind


@pytest.mark.parametrize(
    "bad", ["../../etc/passwd", "ab", "A" * 64, "g" * 64, "/" + "a" * 63, "a" * 65, ""]
)
def test_path_rejects_anything_but_a_sha256(blobs: BlobStore, bad: str) -> None:
    with pytest.raises(UnsafePathError):
        blobs.path(bad)


def test_missing_blob_is_not_found(blobs: BlobStore) -> None:
    with pytest.raises(NotFoundError):
        blobs.open("0" * 64)
    with pytest.raises(NotFoundError):
        blobs.put_file(Path("/nonexistent/file"))


def _make_tree(root: Path) -> Path:
    (root / "tokenizer").mkdir(parents=True)
    (root / "model.safetensors").write_bytes(b"\x00" * 1000)
    (root / "config.json").write_text('{"dim": 8}')
    (root / "tokenizer" / "vocab.json").write_text('{"a": 0}')
    (root / "tokenizer" / "copy.json").write_text('{"a": 0}')  # same content as vocab.json
    return root


def test_tree_round_trip(blobs: BlobStore, tmp_path: Path) -> None:
    source = _make_tree(tmp_path / "ckpt")
    ref = blobs.put_tree(source)
    manifest = blobs.read_manifest(ref.sha256)
    assert sorted(manifest.files) == [
        "config.json",
        "model.safetensors",
        "tokenizer/copy.json",
        "tokenizer/vocab.json",
    ]
    assert manifest.size == 1000 + 10 + 8 + 8
    assert len(_stored_files(blobs)) == 4  # 3 distinct contents + the manifest
    out = blobs.materialize_tree(ref.sha256, tmp_path / "out")
    for rel in manifest.files:
        assert (out / rel).read_bytes() == (source / rel).read_bytes()
    # The same tree again names the same manifest.
    assert blobs.put_tree(_make_tree(tmp_path / "again")) == ref


def test_materialize_with_hard_links(blobs: BlobStore, tmp_path: Path) -> None:
    ref = blobs.put_tree(_make_tree(tmp_path / "ckpt"))
    out = blobs.materialize_tree(ref.sha256, tmp_path / "linked", link=True)
    sha = blobs.read_manifest(ref.sha256).files["config.json"]
    assert (out / "config.json").stat().st_ino == blobs.path(sha).stat().st_ino


def test_materialize_refuses_a_non_empty_destination(blobs: BlobStore, tmp_path: Path) -> None:
    ref = blobs.put_tree(_make_tree(tmp_path / "ckpt"))
    dest = tmp_path / "busy"
    dest.mkdir()
    (dest / "something").write_text("x")
    with pytest.raises(InvalidValueError):
        blobs.materialize_tree(ref.sha256, dest)


@pytest.mark.parametrize(
    "rel", ["../escape.txt", "/etc/passwd", "a/../../b", "a//b", "./a", "a\\..\\b", ""]
)
def test_manifest_paths_cannot_escape(blobs: BlobStore, tmp_path: Path, rel: str) -> None:
    content = blobs.put_bytes(b"payload")
    manifest = {"format": TREE_FORMAT, "files": {rel: content.sha256}, "size": 7}
    evil = blobs.put_bytes(json.dumps(manifest).encode())
    with pytest.raises(UnsafePathError):
        blobs.materialize_tree(evil.sha256, tmp_path / "out")
    assert not (tmp_path / "escape.txt").exists()


def test_manifest_with_a_bad_blob_name_is_refused(blobs: BlobStore, tmp_path: Path) -> None:
    manifest = {"format": TREE_FORMAT, "files": {"a.txt": "../../x"}, "size": 1}
    evil = blobs.put_bytes(json.dumps(manifest).encode())
    with pytest.raises(UnsafePathError):
        blobs.materialize_tree(evil.sha256, tmp_path / "out")


def test_a_plain_blob_is_not_a_manifest(blobs: BlobStore, tmp_path: Path) -> None:
    ref = blobs.put_bytes(b"not json")
    with pytest.raises(InvalidValueError):
        blobs.materialize_tree(ref.sha256, tmp_path / "out")


def test_read_only_blob_store_refuses_writes(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs", read_only=True)
    with pytest.raises(ReadOnlyStoreError):
        blobs.put_bytes(b"x")
    assert not (tmp_path / "blobs").exists()
