"""Artifacts: files and directory trees of a run, kept in the blob store and indexed here."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from store.blobs import BlobRef, BlobStore
from store.db import Database
from store.errors import InvalidValueError, NotFoundError
from store.ids import new_id, utcnow
from store.lineage import add_edge
from store.models import ARTIFACT_KINDS, Artifact, ArtifactKind, ArtifactLayout, Run
from store.runs import canonical_json


def log_artifact(
    db: Database,
    blobs: BlobStore,
    *,
    run_id: str | None,
    path: Path,
    kind: ArtifactKind,
    name: str | None = None,
    meta: Mapping[str, Any] | None = None,
) -> Artifact:
    """Store a file or a directory tree and record it as an artifact of a run.

    Args:
        db: The database.
        blobs: The blob store.
        run_id: The run that made it (adds a ``run -> artifact`` lineage edge), or ``None``
            for an artifact that no run made (an imported dataset).
        path: A file, or a directory (stored as a tree, e.g. a checkpoint).
        kind: What it is.
        name: A display name; the path's name when omitted.
        meta: Extra facts kept as JSON.

    Returns:
        The artifact record.

    Raises:
        NotFoundError: ``path`` does not exist, or ``run_id`` names no run.
    """
    meta_json = _check(db, run_id, kind, meta)
    if path.is_dir():
        ref = blobs.put_tree(path)
        layout: ArtifactLayout = "tree"
        size = blobs.read_manifest(ref.sha256).size
    elif path.is_file():
        ref, layout = blobs.put_file(path), "file"
        size = ref.size
    else:
        raise NotFoundError(f"no file or folder at {path}")
    return _record(db, blobs, run_id, ref, layout, size, kind, name or path.name, meta_json)


def log_artifact_bytes(
    db: Database,
    blobs: BlobStore,
    *,
    run_id: str | None,
    data: bytes,
    name: str,
    kind: ArtifactKind,
    meta: Mapping[str, Any] | None = None,
) -> Artifact:
    """Store ``data`` as a one-file artifact (a report, an eval table); see ``log_artifact``."""
    meta_json = _check(db, run_id, kind, meta)
    ref = blobs.put_bytes(data)
    return _record(db, blobs, run_id, ref, "file", ref.size, kind, name, meta_json)


def record_blob(
    db: Database,
    blobs: BlobStore,
    *,
    run_id: str | None,
    sha256: str,
    kind: ArtifactKind,
    name: str,
    meta: Mapping[str, Any] | None = None,
) -> Artifact:
    """Record a blob that is already in the blob store (a file or a tree manifest) as an
    artifact of a run, without copying it again.

    Raises:
        NotFoundError: the blob does not exist, or ``run_id`` names no run.
    """
    meta_json = _check(db, run_id, kind, meta)
    if not blobs.exists(sha256):
        raise NotFoundError(f"no blob {sha256} in the blob store")
    try:
        size = blobs.read_manifest(sha256).size
        layout: ArtifactLayout = "tree"
    except InvalidValueError:
        size, layout = blobs.path(sha256).stat().st_size, "file"
    return _record(db, blobs, run_id, BlobRef(sha256, size), layout, size, kind, name, meta_json)


def get_artifact(db: Database, artifact_id: str) -> Artifact:
    """The artifact with this id.

    Raises:
        NotFoundError: No such artifact.
    """
    with db.session() as session:
        artifact = session.get(Artifact, artifact_id)
    if artifact is None:
        raise NotFoundError(f"no artifact {artifact_id!r}")
    return artifact


def list_artifacts(
    db: Database, run_id: str, *, kind: ArtifactKind | None = None
) -> list[Artifact]:
    """A run's artifacts, oldest first, optionally of one kind."""
    with db.session() as session:
        query = select(Artifact).where(Artifact.run_id == run_id)
        if kind is not None:
            query = query.where(Artifact.kind == kind)
        return list(session.exec(query.order_by(col(Artifact.created_at), col(Artifact.id))))


def materialize_artifact(
    db: Database, blobs: BlobStore, artifact_id: str, dest: Path, *, link: bool = False
) -> Path:
    """Copy (or hard-link) an artifact out of the store.

    Args:
        db: The database.
        blobs: The blob store.
        artifact_id: The artifact.
        dest: For a tree, a new or empty folder; for a file, the file to write.
        link: Hard-link instead of copying where possible (never write to linked files).

    Returns:
        ``dest``.
    """
    artifact = get_artifact(db, artifact_id)
    if artifact.layout == "tree":
        return blobs.materialize_tree(artifact.sha256, dest, link=link)
    if dest.exists():
        raise InvalidValueError(f"{dest} exists already")
    dest.parent.mkdir(parents=True, exist_ok=True)
    with blobs.open(artifact.sha256) as source, dest.open("wb") as target:
        while chunk := source.read(1 << 20):
            target.write(chunk)
    return dest


def _check(db: Database, run_id: str | None, kind: str, meta: Mapping[str, Any] | None) -> str:
    # Runs before any blob is written, so a bad call leaves nothing behind. Returns meta as JSON.
    db.require_writable()
    meta_json = canonical_json(dict(meta or {}), "artifact meta")
    if kind not in ARTIFACT_KINDS:
        raise InvalidValueError(f"unknown artifact kind {kind!r}; one of {sorted(ARTIFACT_KINDS)}")
    if run_id is not None:
        with db.session() as session:
            if session.get(Run, run_id) is None:
                raise NotFoundError(f"no run {run_id!r}")
    return meta_json


def _record(
    db: Database,
    blobs: BlobStore,
    run_id: str | None,
    ref: BlobRef,
    layout: ArtifactLayout,
    size: int,
    kind: ArtifactKind,
    name: str,
    meta_json: str,
) -> Artifact:
    artifact = Artifact(
        id=new_id(),
        run_id=run_id,
        kind=kind,
        name=name,
        layout=layout,
        sha256=ref.sha256,
        size_bytes=size,
        uri=blobs.path(ref.sha256).relative_to(blobs.root.parent).as_posix(),
        meta_json=meta_json,
        created_at=utcnow(),
    )
    with db.session(write=True) as session:
        session.add(artifact)
        if run_id is not None:
            session.flush()
            add_edge(session, "run", run_id, "artifact", artifact.id, "produced")
    return artifact
