"""The model-registry port over the store's models, versions and aliases."""

from __future__ import annotations

import json
from collections.abc import Mapping

from kitchen.errors import NotFoundError
from kitchen.ports.registry import ModelVersionInfo
from store import NotFoundError as StoreNotFound
from store import Store


class StoreRegistry:
    """Registers versions whose artifact is a blob the run already stored."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def register(
        self, name: str, *, run_id: str, artifact_ref: str, metrics: Mapping[str, float]
    ) -> ModelVersionInfo:
        artifact_id = self._artifact_id(run_id, artifact_ref)
        version = self._store.register_model_version(
            name, run_id=run_id, artifact_id=artifact_id, metrics=dict(metrics)
        )
        return ModelVersionInfo(name, version.version, run_id, artifact_ref, dict(metrics))

    def set_alias(self, name: str, alias: str, version: int) -> None:
        self._store.set_alias(name, alias, version)

    def get(self, name: str, version_or_alias: str) -> ModelVersionInfo:
        ref: int | str = int(version_or_alias) if version_or_alias.isdigit() else version_or_alias
        try:
            version = self._store.get_model_version(name, ref)
        except StoreNotFound as error:
            raise NotFoundError(str(error)) from None
        sha = ""
        if version.artifact_id:
            sha = self._store.get_artifact(version.artifact_id).sha256
        return ModelVersionInfo(
            name, version.version, version.run_id or "", sha, json.loads(version.metrics_json)
        )

    def _artifact_id(self, run_id: str, ref: str) -> str:
        # The run's recorder has logged the artifact (ArtifactSaved precedes registration).
        for artifact in reversed(self._store.list_artifacts(run_id)):
            if artifact.sha256 == ref:
                return artifact.id
        raise NotFoundError(f"run {run_id} has no artifact with blob {ref[:12]}")
