"""Content-addressed blob storage beside the DuckDB file.

A blob lives at ``<root>/<sha[:2]>/<sha>`` where ``sha`` is the SHA-256 of its bytes, so the
same content is stored once. Writes go to a temporary file in ``<root>/.tmp`` and are renamed
into place, so a crash never leaves a half-written blob under its final name. Blobs are made
read-only on disk because hard-linked copies share them.

A directory (a checkpoint: weights, config, tokenizer files) is stored as a *tree*: each file is
a blob, plus one JSON manifest blob listing ``relative path -> sha``. The manifest's ref names
the whole tree.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from store.errors import InvalidValueError, NotFoundError, ReadOnlyStoreError, UnsafePathError

TREE_FORMAT = "kitchen-tree/1"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class BlobRef:
    """Where a blob is: its SHA-256 (hex) and its size in bytes."""

    sha256: str
    size: int


@dataclass(frozen=True)
class TreeManifest:
    """The files of a stored directory tree.

    Attributes:
        files: ``{posix relative path: sha256}``, sorted by path.
        size: Total bytes of the files.
    """

    files: dict[str, str]
    size: int


class BlobStore:
    """Content-addressed files under ``root``.

    Args:
        root: The blob folder (``<home>/blobs``); created on first write.
        read_only: Refuse every write with ``ReadOnlyStoreError``.
    """

    def __init__(self, root: Path, *, read_only: bool = False) -> None:
        self.root = root
        self.read_only = read_only

    def path(self, sha256: str) -> Path:
        """Return where the blob ``sha256`` lives (whether or not it exists).

        Raises:
            UnsafePathError: ``sha256`` is not 64 lowercase hex characters, so it could name
                something outside the blob folder.
        """
        if not isinstance(sha256, str) or _SHA256.match(sha256) is None:
            raise UnsafePathError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        """Whether the blob is stored."""
        return self.path(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        """Open the blob for reading in binary mode.

        Raises:
            NotFoundError: No such blob.
        """
        try:
            return self.path(sha256).open("rb")
        except FileNotFoundError:
            raise NotFoundError(f"no blob {sha256} in {self.root}") from None

    def read_bytes(self, sha256: str) -> bytes:
        """Return the blob's content."""
        with self.open(sha256) as handle:
            return handle.read()

    def put_bytes(self, data: bytes) -> BlobRef:
        """Store ``data`` and return its ref; storing the same bytes again is a no-op."""
        sha = hashlib.sha256(data).hexdigest()
        if not self.exists(sha):
            with self._staging() as (handle, tmp):
                handle.write(data)
                self._commit(handle, tmp, sha)
        return BlobRef(sha, len(data))

    def put_file(self, path: Path) -> BlobRef:
        """Store a file's content, hashing while copying so it is read once.

        Raises:
            NotFoundError: ``path`` is not a file.
        """
        if not path.is_file():
            raise NotFoundError(f"not a file: {path}")
        digest = hashlib.sha256()
        size = 0
        with self._staging() as (handle, tmp), path.open("rb") as source:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                handle.write(chunk)
                size += len(chunk)
            sha = digest.hexdigest()
            if not self.exists(sha):
                self._commit(handle, tmp, sha)
        return BlobRef(sha, size)

    def put_tree(self, directory: Path) -> BlobRef:
        """Store every file under ``directory`` and a manifest of them.

        Symlinks to files are stored as the file they point to; empty directories are not kept.

        Returns:
            The manifest blob's ref, which names the tree.

        Raises:
            NotFoundError: ``directory`` is not a directory.
            InvalidValueError: It contains a symlink to a directory.
        """
        if not directory.is_dir():
            raise NotFoundError(f"not a directory: {directory}")
        files: dict[str, str] = {}
        total = 0
        for current, dirnames, filenames in os.walk(directory):
            for name in dirnames:
                if (Path(current) / name).is_symlink():
                    raise InvalidValueError(f"cannot store symlinked directory {current}/{name}")
            for name in filenames:
                full = Path(current) / name
                ref = self.put_file(full)
                files[full.relative_to(directory).as_posix()] = ref.sha256
                total += ref.size
        manifest = {"format": TREE_FORMAT, "files": dict(sorted(files.items())), "size": total}
        return self.put_bytes(json.dumps(manifest, sort_keys=True).encode())

    def read_manifest(self, manifest_sha: str) -> TreeManifest:
        """Load and check a tree manifest.

        Raises:
            InvalidValueError: The blob is not a tree manifest.
            UnsafePathError: A listed path is absolute or climbs out with ``..``.
        """
        try:
            raw = json.loads(self.read_bytes(manifest_sha))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise InvalidValueError(f"blob {manifest_sha} is not a tree manifest") from None
        if not isinstance(raw, dict) or raw.get("format") != TREE_FORMAT:
            raise InvalidValueError(f"blob {manifest_sha} is not a {TREE_FORMAT} manifest")
        files, size = raw.get("files"), raw.get("size")
        if not isinstance(files, dict) or not isinstance(size, int):
            raise InvalidValueError(f"manifest {manifest_sha} has no file list or size")
        for rel, sha in files.items():
            _check_relpath(rel)
            self.path(sha)
        return TreeManifest(files={str(k): str(v) for k, v in files.items()}, size=size)

    def materialize_tree(self, manifest_sha: str, dest: Path, *, link: bool = False) -> Path:
        """Recreate a stored tree at ``dest``.

        Args:
            manifest_sha: The tree's manifest blob.
            dest: A folder that does not exist yet or is empty.
            link: Hard-link the blobs instead of copying (falls back to copying across file
                systems). Linked files share the stored bytes: never write to them.

        Returns:
            ``dest``.

        Raises:
            InvalidValueError: ``dest`` exists and is not an empty folder.
            UnsafePathError: The manifest lists a path outside ``dest``.
        """
        manifest = self.read_manifest(manifest_sha)
        if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
            raise InvalidValueError(f"{dest} must be an empty or new folder")
        dest.mkdir(parents=True, exist_ok=True)
        root = dest.resolve()
        for rel, sha in manifest.files.items():
            target = (root / rel).resolve()
            # Checked again after resolving, in case a folder inside dest is a symlink.
            if not target.is_relative_to(root):
                raise UnsafePathError(f"manifest path {rel!r} leaves {dest}")
            target.parent.mkdir(parents=True, exist_ok=True)
            source = self.path(sha)
            if not source.is_file():
                raise NotFoundError(f"blob {sha} of {rel!r} is missing from {self.root}")
            if link:
                try:
                    os.link(source, target)
                    continue
                except OSError:
                    pass  # another file system, or links unsupported: copy instead
            shutil.copyfile(source, target)
        return dest

    @contextmanager
    def _staging(self) -> Iterator[tuple[BinaryIO, Path]]:
        if self.read_only:
            raise ReadOnlyStoreError(f"the blob store {self.root} is read-only")
        staging = self.root / ".tmp"
        staging.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=staging, prefix="blob-")
        tmp = Path(name)
        try:
            with os.fdopen(fd, "wb") as handle:
                yield handle, tmp
        finally:
            tmp.unlink(missing_ok=True)

    def _commit(self, handle: BinaryIO, tmp: Path, sha: str) -> None:
        handle.flush()
        os.fsync(handle.fileno())
        os.chmod(tmp, 0o444)
        final = self.path(sha)
        final.parent.mkdir(parents=True, exist_ok=True)
        # Atomic: readers see no file or the whole file, and a concurrent writer of the same
        # content replaces it with identical bytes.
        os.replace(tmp, final)


def _check_relpath(rel: object) -> None:
    if not isinstance(rel, str) or not rel or "\\" in rel or "\x00" in rel:
        raise UnsafePathError(f"bad manifest path {rel!r}")
    pure = PurePosixPath(rel)
    if pure.is_absolute() or any(part in ("", ".", "..") for part in rel.split("/")):
        raise UnsafePathError(f"manifest path {rel!r} is absolute or leaves its folder")
