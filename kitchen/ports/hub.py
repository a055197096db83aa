"""Hub port: resolve a model or dataset id to local files."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class Hub(Protocol):
    """Downloads (or finds in cache) repositories from a model hub."""

    def snapshot(
        self, repo_id: str, *, repo_type: str = "model", revision: str | None = None
    ) -> Path:
        """Return a local folder holding the repository's files.

        Raises:
            HubError: offline and not cached, unknown repo, or no access.
        """
        ...
