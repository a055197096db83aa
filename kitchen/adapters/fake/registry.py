"""In-memory model registry for tests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from kitchen.errors import NotFoundError
from kitchen.ports.registry import ModelVersionInfo


class FakeModelRegistry:
    """Versions count from 1 per name; aliases point at versions."""

    def __init__(self) -> None:
        self.versions: dict[str, list[ModelVersionInfo]] = {}
        self.aliases: dict[tuple[str, str], int] = {}

    def register(
        self, name: str, *, run_id: str, artifact_ref: str, metrics: Mapping[str, float]
    ) -> ModelVersionInfo:
        versions = self.versions.setdefault(name, [])
        info = ModelVersionInfo(name, len(versions) + 1, run_id, artifact_ref, dict(metrics))
        versions.append(info)
        return info

    def set_alias(self, name: str, alias: str, version: int) -> None:
        self._version(name, version)
        self.aliases[(name, alias)] = version

    def get(self, name: str, version_or_alias: str) -> ModelVersionInfo:
        if version_or_alias == "latest" and self.versions.get(name):
            info = self.versions[name][-1]
        elif version_or_alias.isdigit():
            info = self._version(name, int(version_or_alias))
        elif (name, version_or_alias) in self.aliases:
            info = self._version(name, self.aliases[(name, version_or_alias)])
        else:
            raise NotFoundError(f"model {name} has no alias @{version_or_alias}")
        aliases = tuple(a for (n, a), v in self.aliases.items() if n == name and v == info.version)
        return replace(info, aliases=aliases)

    def _version(self, name: str, version: int) -> ModelVersionInfo:
        versions = self.versions.get(name, [])
        if not 1 <= version <= len(versions):
            raise NotFoundError(f"model {name} has no version {version}")
        return versions[version - 1]
