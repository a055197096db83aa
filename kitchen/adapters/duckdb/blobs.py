"""The blob-store port over ``store.blobs.BlobStore`` (content-addressed files)."""

from __future__ import annotations

from pathlib import Path

from kitchen.ports.blobs import BlobRef
from store.blobs import BlobStore


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
        return self._blobs.materialize_tree(ref, destination)

    def get_bytes(self, ref: str) -> bytes:
        return self._blobs.read_bytes(ref)

    def exists(self, ref: str) -> bool:
        return self._blobs.exists(ref)
