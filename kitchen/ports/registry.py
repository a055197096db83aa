"""Model registry port: named, versioned models with movable aliases."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ModelVersionInfo:
    """One registered version of a model."""

    name: str
    version: int
    run_id: str
    artifact_ref: str
    metrics: Mapping[str, float] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()


class ModelRegistry(Protocol):
    """Registers model versions and resolves ``name@alias`` or ``name/version``."""

    def register(
        self, name: str, *, run_id: str, artifact_ref: str, metrics: Mapping[str, float]
    ) -> ModelVersionInfo: ...

    def set_alias(self, name: str, alias: str, version: int) -> None: ...

    def get(self, name: str, version_or_alias: str) -> ModelVersionInfo: ...
