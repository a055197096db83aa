"""Model registry: named models, numbered versions, movable aliases and lifecycle stages.

A version points at the run and artifact it came from; registering one also adds a lineage
edge from that artifact (or run). Aliases (``@champion``) move between versions of a model;
``latest`` always means the highest version and cannot be taken as an alias.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import cast

from sqlalchemy import func
from sqlmodel import Session, col, select

from store.db import Database
from store.errors import AlreadyExistsError, InvalidValueError, NotFoundError
from store.ids import new_id, utcnow
from store.lineage import add_edge
from store.models import (
    MODEL_STAGES,
    Artifact,
    Model,
    ModelAlias,
    ModelStage,
    ModelVersion,
    Run,
)
from store.records import ModelSummary
from store.runs import canonical_json

LATEST = "latest"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$")
_ALIAS = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")


def create_model(db: Database, name: str, description: str = "") -> Model:
    """Register a model name.

    Raises:
        InvalidValueError: The name is empty or has characters outside ``[A-Za-z0-9._/-]``.
        AlreadyExistsError: The name is taken.
    """
    _check_name(name)
    with db.session(write=True) as session:
        if session.get(Model, name) is not None:
            raise AlreadyExistsError(f"model {name!r} exists already")
        model = Model(name=name, description=description, created_at=utcnow())
        session.add(model)
        return model


def register_version(
    db: Database,
    model_name: str,
    *,
    run_id: str | None = None,
    artifact_id: str | None = None,
    metrics: Mapping[str, float] | None = None,
    stage: ModelStage = "none",
) -> ModelVersion:
    """Add the next version of a model (creating the model on first use).

    Args:
        db: The database.
        model_name: The model.
        run_id: The run that trained it.
        artifact_id: The artifact holding its weights; its run is used when ``run_id`` is
            omitted.
        metrics: Headline metrics to keep with the version.
        stage: Its initial stage.

    Returns:
        The version, numbered one above the model's highest.
    """
    _check_name(model_name)
    _check_stage(stage)
    metrics_json = canonical_json(dict(metrics or {}), "metrics")
    with db.session(write=True) as session:
        if artifact_id is not None:
            artifact = session.get(Artifact, artifact_id)
            if artifact is None:
                raise NotFoundError(f"no artifact {artifact_id!r}")
            run_id = run_id or artifact.run_id
        if run_id is not None and session.get(Run, run_id) is None:
            raise NotFoundError(f"no run {run_id!r}")
        if session.get(Model, model_name) is None:
            session.add(Model(name=model_name, description="", created_at=utcnow()))
        highest = session.exec(
            select(func.max(ModelVersion.version)).where(ModelVersion.model_name == model_name)
        ).one()
        version = ModelVersion(
            id=new_id(),
            model_name=model_name,
            version=(highest or 0) + 1,
            run_id=run_id,
            artifact_id=artifact_id,
            metrics_json=metrics_json,
            stage=stage,
            created_at=utcnow(),
        )
        session.add(version)
        session.flush()
        if artifact_id is not None:
            add_edge(session, "artifact", artifact_id, "model_version", version.id, "registered")
        elif run_id is not None:
            add_edge(session, "run", run_id, "model_version", version.id, "registered")
        return version


def set_alias(db: Database, model_name: str, alias: str, version: int) -> ModelAlias:
    """Point ``alias`` at ``version``, moving it if it pointed elsewhere.

    Raises:
        InvalidValueError: The alias is malformed or reserved (``latest``).
        NotFoundError: The version does not exist.
    """
    alias = _check_alias(alias)
    with db.session(write=True) as session:
        _version(session, model_name, version)
        row = session.get(ModelAlias, (model_name, alias))
        if row is None:
            row = ModelAlias(model_name=model_name, alias=alias, version=version)
        else:
            row.version = version
        session.add(row)
        return row


def remove_alias(db: Database, model_name: str, alias: str) -> None:
    """Delete an alias.

    Raises:
        NotFoundError: The model has no such alias.
    """
    alias = _check_alias(alias)
    with db.session(write=True) as session:
        row = session.get(ModelAlias, (model_name, alias))
        if row is None:
            raise NotFoundError(f"model {model_name!r} has no alias @{alias}")
        session.delete(row)


def set_stage(
    db: Database, model_name: str, version: int, stage: ModelStage, *, archive_others: bool = False
) -> ModelVersion:
    """Move a version to ``stage``.

    Args:
        db: The database.
        model_name: The model.
        version: The version number.
        stage: The new stage.
        archive_others: Move every other version in the same stage to ``archived`` (what
            promoting a new production model usually means).

    Returns:
        The updated version.
    """
    _check_stage(stage)
    with db.session(write=True) as session:
        row = _version(session, model_name, version)
        if archive_others and stage != "archived":
            others = session.exec(
                select(ModelVersion).where(
                    ModelVersion.model_name == model_name,
                    ModelVersion.stage == stage,
                    ModelVersion.version != version,
                )
            )
            for other in others:
                other.stage = "archived"
                session.add(other)
        row.stage = stage
        session.add(row)
        return row


def get_model_version(db: Database, model_name: str, ref: int | str) -> ModelVersion:
    """Resolve a version number, ``"3"``, an alias (``"champion"`` or ``"@champion"``) or
    ``"latest"`` to a version.

    Raises:
        NotFoundError: The model, version or alias does not exist.
    """
    with db.session() as session:
        if isinstance(ref, int) or ref.isdigit():
            return _version(session, model_name, int(ref))
        if ref == LATEST:
            row = session.exec(
                select(ModelVersion)
                .where(ModelVersion.model_name == model_name)
                .order_by(col(ModelVersion.version).desc())
            ).first()
            if row is None:
                raise NotFoundError(f"model {model_name!r} has no versions")
            return row
        alias = session.get(ModelAlias, (model_name, ref.removeprefix("@")))
        if alias is None:
            raise NotFoundError(f"model {model_name!r} has no alias @{ref.removeprefix('@')}")
        return _version(session, model_name, alias.version)


def list_versions(db: Database, model_name: str) -> list[ModelVersion]:
    """A model's versions, lowest first."""
    with db.session() as session:
        query = select(ModelVersion).where(ModelVersion.model_name == model_name)
        return list(session.exec(query.order_by(col(ModelVersion.version))))


def list_models(db: Database) -> list[ModelSummary]:
    """Every model with its latest version, aliases and staged versions, by name."""
    with db.session() as session:
        models = list(session.exec(select(Model).order_by(col(Model.name))))
        versions = list(session.exec(select(ModelVersion).order_by(col(ModelVersion.version))))
        aliases = list(session.exec(select(ModelAlias).order_by(col(ModelAlias.alias))))
    summaries = []
    for model in models:
        mine = [v for v in versions if v.model_name == model.name]
        stages: dict[ModelStage, list[int]] = {}
        for v in mine:
            if v.stage != "none":
                stages.setdefault(v.stage, []).append(v.version)
        summaries.append(
            ModelSummary(
                name=model.name,
                description=model.description,
                created_at=model.created_at,
                latest_version=mine[-1].version if mine else None,
                versions=len(mine),
                aliases={a.alias: a.version for a in aliases if a.model_name == model.name},
                stages=stages,
            )
        )
    return summaries


def version_metrics(version: ModelVersion) -> dict[str, float]:
    """The headline metrics stored with a version."""
    return cast(dict[str, float], json.loads(version.metrics_json))


def _version(session: Session, model_name: str, version: int) -> ModelVersion:
    row = session.exec(
        select(ModelVersion).where(
            ModelVersion.model_name == model_name, ModelVersion.version == version
        )
    ).first()
    if row is None:
        raise NotFoundError(f"model {model_name!r} has no version {version}")
    return row


def _check_name(name: str) -> None:
    if _NAME.match(name) is None:
        raise InvalidValueError(f"bad model name {name!r}: use letters, digits and ._/-")


def _check_alias(alias: str) -> str:
    bare = alias.removeprefix("@")
    if _ALIAS.match(bare) is None or bare == LATEST:
        raise InvalidValueError(
            f"bad alias {alias!r}: a letter then letters, digits, _ or -; 'latest' is reserved"
        )
    return bare


def _check_stage(stage: str) -> None:
    if stage not in MODEL_STAGES:
        raise InvalidValueError(f"unknown model stage {stage!r}; one of {sorted(MODEL_STAGES)}")
