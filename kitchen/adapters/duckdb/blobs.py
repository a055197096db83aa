"""The blob-store port over ``store.blobs.BlobStore`` (content-addressed files)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from kitchen.errors import NotFoundError
from kitchen.ports.blobs import BlobRef
from store import StoreError
from store.blobs import BlobStore

T = TypeVar("T")


class StoreBlobs:
    """Adapts the store's blob folder to :class:`kitchen.ports.blobs.BlobStore`."""

    def __init__(self, blobs: BlobStore) -> None:
        self._blobs = blobs

    def put_bytes(self, data: bytes) -> BlobRef:
        ref = self._blobs.put_bytes(data)
        return BlobRef(ref.sha256, ref.size)

    def put_tree(self, directory: Path) -> BlobRef:
        ref = self._blobs.put_tree(directory)
        return BlobRef(ref.sha256, ref.size)

    def materialize_tree(self, ref: str, destination: Path) -> Path:
        return _lookup(ref, lambda: self._blobs.materialize_tree(ref, destination))

    def get_bytes(self, ref: str) -> bytes:
        return _lookup(ref, lambda: self._blobs.read_bytes(ref))

    def exists(self, ref: str) -> bool:
        try:
            return self._blobs.exists(ref)
        except StoreError:  # not even a well-formed sha: certainly absent
            return False


def _lookup(ref: str, read: Callable[[], T]) -> T:
    try:
        return read()
    except (StoreError, FileNotFoundError) as error:
        raise NotFoundError(f"no blob {ref}: {error}") from None
