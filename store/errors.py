"""The store's error hierarchy.

Every error the store raises on purpose is a ``StoreError``. Where an error replaces a builtin
(a missing record is a ``LookupError``, a bad argument a ``ValueError``), it inherits that builtin
too, so callers that only know the builtin still catch it. Each class carries a short ``title``
the CLI and UIs can show above the message.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar


class StoreError(Exception):
    """Base class for every error raised by the Kitchen store."""

    title: ClassVar[str] = "Store error"


class NotFoundError(StoreError, LookupError):
    """A record, blob or store that was asked for does not exist."""

    title = "Not found"


class AmbiguousIdError(StoreError, LookupError):
    """An id prefix matches more than one record.

    Attributes:
        prefix: The prefix that was looked up.
        candidates: Some of the ids it matches (at most a handful).
    """

    title = "Ambiguous id"

    def __init__(self, prefix: str, candidates: list[str]) -> None:
        shown = ", ".join(candidates)
        super().__init__(f"id prefix {prefix!r} matches several records: {shown}; type more of it")
        self.prefix = prefix
        self.candidates = candidates


class AlreadyExistsError(StoreError, ValueError):
    """A record with the same unique key already exists."""

    title = "Already exists"


class InvalidValueError(StoreError, ValueError):
    """An argument is outside what the store accepts (unknown status, bad name, ...)."""

    title = "Invalid value"


class UnsafePathError(InvalidValueError):
    """A blob hash or manifest path would resolve outside the folder it must stay in."""

    title = "Unsafe path"


class InvalidTransitionError(InvalidValueError):
    """A run cannot move from its current status to the requested one."""

    title = "Invalid status change"


class LineageCycleError(StoreError, ValueError):
    """Adding a lineage edge would make the lineage graph cyclic."""

    title = "Lineage cycle"


class StoreLockedError(StoreError):
    """Another process holds the DuckDB file, so it cannot be opened here.

    Attributes:
        path: The DuckDB file.
        pid: The holder's process id when DuckDB reports it, else ``None``.
    """

    title = "Store in use"

    def __init__(self, path: Path, pid: int | None = None) -> None:
        holder = f" (pid {pid})" if pid is not None else ""
        super().__init__(
            f"cannot open {path}: another Kitchen process{holder} is using it. "
            "DuckDB allows one writer per file; go through the running engine, or stop it first."
        )
        self.path = path
        self.pid = pid


class ReadOnlyStoreError(StoreError, PermissionError):
    """A write was attempted on a store opened read-only."""

    title = "Store is read-only"


class SchemaVersionError(StoreError):
    """The file's schema does not match the migrations this version of Kitchen ships."""

    title = "Schema version mismatch"


class StoreClosedError(StoreError):
    """The store was used after ``close()``."""

    title = "Store closed"
