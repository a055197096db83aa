"""Hub port over ``huggingface_hub.snapshot_download``.

Transfers use the fastest path the installed hub offers: ``huggingface_hub`` 1.x and later
download through Xet (``hf_xet``) on their own and ignore ``hf_transfer`` (setting its variable
only prints a deprecation warning), so the variable is set only for the 0.x series, and only
when ``hf_transfer`` is importable.

Offline mode (``HF_HUB_OFFLINE=1``, read at each call) means cache only; every failure is a
:class:`~kitchen.errors.HubError` that says what to do.
"""

from __future__ import annotations

import importlib.util
import os
from importlib import metadata
from pathlib import Path

from kitchen.errors import HubError

__all__ = ["HFHub", "hub_offline"]

_TRUE = {"1", "true", "yes", "on"}


def hub_offline() -> bool:
    """Whether ``HF_HUB_OFFLINE`` (or ``TRANSFORMERS_OFFLINE``) asks for offline mode."""
    flags = (os.environ.get("HF_HUB_OFFLINE", ""), os.environ.get("TRANSFORMERS_OFFLINE", ""))
    return any(flag.strip().lower() in _TRUE for flag in flags)


def _enable_fast_transfer() -> None:
    try:
        major = int(metadata.version("huggingface_hub").split(".")[0])
    except (metadata.PackageNotFoundError, ValueError):
        return
    if major >= 1 or importlib.util.find_spec("hf_transfer") is None:
        return
    os.environ.setdefault("HF_HUB_ENABLE_HF_TRANSFER", "1")
    from huggingface_hub import constants

    # 0.x reads the variable once at import; the module constant is what downloads consult.
    enabled = os.environ["HF_HUB_ENABLE_HF_TRANSFER"].strip().lower() in _TRUE
    constants.HF_HUB_ENABLE_HF_TRANSFER = enabled  # type: ignore[attr-defined]  # gone in 1.x


class HFHub:
    """Finds repositories in the Hugging Face cache, downloading them when online."""

    def __init__(
        self,
        *,
        cache_dir: Path | None = None,
        offline: bool | None = None,
        token: str | None = None,
        endpoint: str | None = None,
    ) -> None:
        """Configure the hub.

        Args:
            cache_dir: The hub cache (default: ``HF_HUB_CACHE``, under ``HF_HOME``).
            offline: Force cache-only (True) or allow downloads (False); None follows
                ``HF_HUB_OFFLINE`` at each call.
            token: An access token for gated or private repositories (default: the logged-in
                token or ``HF_TOKEN``).
            endpoint: Another hub endpoint (a mirror); default ``HF_ENDPOINT`` or huggingface.co.
        """
        self.cache_dir = cache_dir
        self.offline = offline
        self.token = token
        self.endpoint = endpoint

    def snapshot(
        self, repo_id: str, *, repo_type: str = "model", revision: str | None = None
    ) -> Path:
        """Return a local folder holding the repository's files.

        Args:
            repo_id: ``owner/name`` on the hub.
            repo_type: ``"model"``, ``"dataset"`` or ``"space"``.
            revision: A branch, tag or commit (default: the main branch).

        Raises:
            HubError: offline and not cached, unknown or gated repository, unknown revision,
                network failure with nothing cached.
        """
        from huggingface_hub import constants, errors, snapshot_download

        offline = hub_offline() if self.offline is None else self.offline
        if not offline:
            _enable_fast_transfer()
        what = f"{repo_type} {repo_id!r}"
        try:
            folder = snapshot_download(
                repo_id,
                repo_type=repo_type,
                revision=revision,
                cache_dir=self.cache_dir,
                token=self.token,
                endpoint=self.endpoint,
                local_files_only=offline,
            )
        except errors.GatedRepoError as error:
            raise HubError(
                f"{what} is gated: accept its terms on the hub page, then log in with "
                "`hf auth login` or set HF_TOKEN",
                title="No access to hub repository",
            ) from error
        except errors.RepositoryNotFoundError as error:
            raise HubError(
                f"{what} was not found on the hub (or it is private): check the name, or log "
                "in with `hf auth login` if it is yours",
                title="Unknown hub repository",
            ) from error
        except errors.RevisionNotFoundError as error:
            raise HubError(f"{what} has no revision {revision!r}") from error
        except errors.HFValidationError as error:
            raise HubError(f"{repo_id!r} is not a valid hub repository id: {error}") from error
        except errors.LocalEntryNotFoundError as error:
            # huggingface_hub may itself be offline: it read HF_HUB_OFFLINE when imported.
            offline = offline or bool(getattr(constants, "HF_HUB_OFFLINE", False))
            raise HubError(self._not_cached(repo_id, repo_type, offline, error)) from error
        except (errors.HfHubHTTPError, errors.OfflineModeIsEnabled) as error:
            raise HubError(f"the hub refused or failed the download of {what}: {error}") from error
        return Path(folder)

    def _not_cached(self, repo_id: str, repo_type: str, offline: bool, error: Exception) -> str:
        what = f"{repo_type} {repo_id!r}"
        cache = self.cache_dir or os.environ.get("HF_HUB_CACHE") or "the Hugging Face cache"
        if offline:
            flag = "" if repo_type == "model" else f" --repo-type {repo_type}"
            return (
                f"{what} is not in the local cache ({cache}) and HF_HUB_OFFLINE=1: run once "
                f"with network access (unset HF_HUB_OFFLINE) or `hf download {repo_id}{flag}`, "
                "or use a local folder instead"
            )
        return (
            f"could not reach the hub to fetch {what}, and it is not in the local cache "
            f"({cache}): check the network or proxy settings ({error})"
        )
