"""Write a folder through a scratch directory into the blob store (checkpoints, models)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kitchen.context import RunContext
from kitchen.ports.blobs import BlobRef


def store_tree(ctx: RunContext[Any], write: Callable[[Path], None]) -> BlobRef:
    """Let ``write`` fill a fresh folder under ``<home>/tmp``, store it by content, delete it."""
    scratch = ctx.meta.home / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        write(Path(tmp))
        return ctx.ports.blobs.put_tree(Path(tmp))
