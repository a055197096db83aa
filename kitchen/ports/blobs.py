"""Blob store port: content-addressed files (checkpoints, models, reports)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True, slots=True)
class BlobRef:
    """A stored blob: its SHA-256 and size in bytes."""

    sha256: str
    size: int


class BlobStore(Protocol):
    """Stores bytes and folder trees by content."""

    def put_bytes(self, data: bytes) -> BlobRef: ...

    def put_tree(self, directory: Path) -> BlobRef:
        """Store every file under ``directory``; the ref names a manifest of them."""
        ...

    def materialize_tree(self, ref: str, destination: Path) -> Path:
        """Write the tree of manifest ``ref`` into ``destination`` and return it."""
        ...

    def get_bytes(self, ref: str) -> bytes: ...

    def exists(self, ref: str) -> bool: ...
