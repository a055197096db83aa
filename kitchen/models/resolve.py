"""Turn a recipe's ``model`` value into a local model folder."""

from __future__ import annotations

import re
from pathlib import Path

from kitchen.errors import ConfigError
from kitchen.models.tiny import TINY_MODEL_ID, ensure_tiny_model
from kitchen.ports.blobs import BlobStore
from kitchen.ports.hub import Hub
from kitchen.ports.registry import ModelRegistry

__all__ = ["REGISTRY_PREFIX", "registered_identity", "resolve_model"]

REGISTRY_PREFIX = "models:/"
_REGISTERED = re.compile(r"^models:/(?P<name>[^@/]+)(?:@(?P<alias>[^/]+)|/(?P<version>\d+))?$")


def resolve_model(
    model: str,
    *,
    home: Path,
    hub: Hub,
    registry: ModelRegistry | None = None,
    blobs: BlobStore | None = None,
) -> Path:
    """Return the local folder for ``model``.

    Args:
        model: ``kitchen/tiny`` (built locally); a registered version, ``models:/NAME@ALIAS``
            or ``models:/NAME/VERSION`` (``models:/NAME`` is ``@latest``: e.g. DPO or RL on
            the model an SFT run registered); a path to an existing local folder; or a hub
            repository id such as ``Qwen/Qwen3-0.6B``.
        home: The Kitchen home, where the tiny model and registered versions are unpacked.
        hub: Fetches hub models (or finds them in its cache).
        registry: Finds registered versions (needed for ``models:/``).
        blobs: Holds their files (needed for ``models:/``).

    Returns:
        A folder in ``from_pretrained`` layout.

    Raises:
        ConfigError: a malformed ``models:/`` reference.
        NotFoundError: no such registered model or version.
        HubError: a hub model cannot be fetched (offline and not cached, unknown, gated).
    """
    if model == TINY_MODEL_ID:
        return ensure_tiny_model(home)
    if model.startswith(REGISTRY_PREFIX):
        return _registered(model, home, registry, blobs)
    # A local folder wins over a hub id of the same spelling: a user who has the files means them.
    local = Path(model).expanduser()
    if local.is_dir():
        return local
    return hub.snapshot(model)


def _registered(
    model: str, home: Path, registry: ModelRegistry | None, blobs: BlobStore | None
) -> Path:
    match = _REGISTERED.match(model)
    if match is None:
        raise ConfigError(
            f"model: {model!r} is not a registered-model reference; write "
            "models:/NAME, models:/NAME@ALIAS or models:/NAME/VERSION"
        )
    if registry is None or blobs is None:
        raise ConfigError(f"model: {model!r} needs the model registry, which this run lacks")
    name = match["name"]
    info = registry.get(name, match["version"] or match["alias"] or "latest")
    folder = home / "models" / "registered" / f"{info.name}-v{info.version}"
    if not (folder / "config.json").exists():
        blobs.materialize_tree(info.artifact_ref, folder)
    return folder


def registered_identity(model: str, registry: ModelRegistry) -> tuple[str, int | None]:
    """The registered name and version a ``models:/`` reference points at now (an alias
    resolved), or ``(model, None)`` for any other model reference."""
    match = _REGISTERED.match(model)
    if match is None:
        return model, None
    info = registry.get(match["name"], match["version"] or match["alias"] or "latest")
    return info.name, info.version
