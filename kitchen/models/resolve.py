"""Turn a recipe's ``model`` value into a local model folder."""

from __future__ import annotations

from pathlib import Path

from kitchen.models.tiny import TINY_MODEL_ID, ensure_tiny_model
from kitchen.ports.hub import Hub

__all__ = ["resolve_model"]


def resolve_model(model: str, *, home: Path, hub: Hub) -> Path:
    """Return the local folder for ``model``.

    Args:
        model: ``kitchen/tiny`` (built locally), a path to an existing local folder, or a hub
            repository id such as ``Qwen/Qwen3-0.6B``.
        home: The Kitchen home, where the tiny model is cached.
        hub: Fetches hub models (or finds them in its cache).

    Returns:
        A folder in ``from_pretrained`` layout.

    Raises:
        HubError: a hub model cannot be fetched (offline and not cached, unknown, gated).
    """
    if model == TINY_MODEL_ID:
        return ensure_tiny_model(home)
    # A local folder wins over a hub id of the same spelling: a user who has the files means them.
    local = Path(model).expanduser()
    if local.is_dir():
        return local
    return hub.snapshot(model)
