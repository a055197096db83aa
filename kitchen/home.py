"""Where Kitchen keeps its store, blobs and model cache."""

from __future__ import annotations

import os
from pathlib import Path


def kitchen_home(explicit: Path | str | None = None) -> Path:
    """The Kitchen home: ``explicit``, else ``$KITCHEN_HOME``, else ``./.kitchen``."""
    if explicit is not None:
        path = Path(explicit)
    elif os.environ.get("KITCHEN_HOME"):
        path = Path(os.environ["KITCHEN_HOME"])
    else:
        path = Path.cwd() / ".kitchen"
    return path.expanduser().resolve()
