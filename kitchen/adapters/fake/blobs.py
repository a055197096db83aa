"""In-memory blob store for tests."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from kitchen.errors import NotFoundError
from kitchen.ports.blobs import BlobRef


class FakeBlobStore:
    """Keeps blobs in a dict; trees as a JSON manifest blob like the real store."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}

    def put_bytes(self, data: bytes) -> BlobRef:
        sha = hashlib.sha256(data).hexdigest()
        self.blobs[sha] = data
        return BlobRef(sha, len(data))

    def put_tree(self, directory: Path) -> BlobRef:
        manifest = {}
        total = 0
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            ref = self.put_bytes(path.read_bytes())
            manifest[path.relative_to(directory).as_posix()] = ref.sha256
            total += ref.size
        ref = self.put_bytes(json.dumps(manifest, sort_keys=True).encode())
        return BlobRef(ref.sha256, total)

    def materialize_tree(self, ref: str, destination: Path) -> Path:
        manifest = json.loads(self.get_bytes(ref))
        for rel, sha in manifest.items():
            target = destination / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(self.get_bytes(sha))
        return destination

    def get_bytes(self, ref: str) -> bytes:
        if ref not in self.blobs:
            raise NotFoundError(f"no blob {ref}")
        return self.blobs[ref]

    def exists(self, ref: str) -> bool:
        return ref in self.blobs
