"""An in-memory hub for tests: repository ids mapped to local folders."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from kitchen.errors import HubError

__all__ = ["FakeHub"]


class FakeHub:
    """Implements the Hub port over a fixed mapping; records every request in :attr:`calls`."""

    def __init__(
        self,
        models: Mapping[str, Path] | None = None,
        *,
        datasets: Mapping[str, Path] | None = None,
    ) -> None:
        """Configure the repositories it knows.

        Args:
            models: Model repository ids and the folders that hold their files.
            datasets: Dataset repository ids and their folders.
        """
        self._repos: dict[str, dict[str, Path]] = {
            "model": dict(models or {}),
            "dataset": dict(datasets or {}),
        }
        self.calls: list[tuple[str, str, str | None]] = []

    def snapshot(
        self, repo_id: str, *, repo_type: str = "model", revision: str | None = None
    ) -> Path:
        """Return the folder registered for ``repo_id``.

        Raises:
            HubError: the repository is not registered (as an unknown or uncached one would be).
        """
        self.calls.append((repo_id, repo_type, revision))
        folder = self._repos.get(repo_type, {}).get(repo_id)
        if folder is None:
            raise HubError(
                f"{repo_type} {repo_id!r} is not available from the fake hub",
                title="Unknown hub repository",
            )
        return Path(folder)
