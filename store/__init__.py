"""Kitchen's store: one DuckDB file per Kitchen home, content-addressed blobs beside it.

Open one with ``open_store(home)``; the ``Store`` it returns holds the only connection and
offers every operation as a method. Records come back typed: SQLModel rows (``Run``,
``Artifact``, ``ModelVersion`` ...; all in ``store.models``) and frozen query results
(``RunRow``, ``Curve`` ...; all in ``store.records``).

This package imports neither ``kitchen`` nor torch, transformers, textual or streamlit. The
errors are imported eagerly (they are light); every other name is resolved on first use, so
``import store`` stays cheap for a CLI that may never touch the database.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from store.errors import (
    AlreadyExistsError,
    AmbiguousIdError,
    InvalidTransitionError,
    InvalidValueError,
    LineageCycleError,
    NotFoundError,
    ReadOnlyStoreError,
    SchemaVersionError,
    StoreClosedError,
    StoreError,
    StoreLockedError,
    UnsafePathError,
)

if TYPE_CHECKING:
    from store.blobs import BlobRef
    from store.models import Artifact, ModelVersion, Run
    from store.records import Curve, LineageGraph, ModelSummary, RunComparison, RunRow
    from store.store import Store, open_store

_LAZY = {
    "BlobRef": "store.blobs",
    "Artifact": "store.models",
    "ModelVersion": "store.models",
    "Run": "store.models",
    "Curve": "store.records",
    "LineageGraph": "store.records",
    "ModelSummary": "store.records",
    "RunComparison": "store.records",
    "RunRow": "store.records",
    "Store": "store.store",
    "open_store": "store.store",
}

__all__ = [
    "AlreadyExistsError",
    "AmbiguousIdError",
    "Artifact",
    "BlobRef",
    "Curve",
    "InvalidTransitionError",
    "InvalidValueError",
    "LineageCycleError",
    "LineageGraph",
    "ModelSummary",
    "ModelVersion",
    "NotFoundError",
    "ReadOnlyStoreError",
    "Run",
    "RunComparison",
    "RunRow",
    "SchemaVersionError",
    "Store",
    "StoreClosedError",
    "StoreError",
    "StoreLockedError",
    "UnsafePathError",
    "open_store",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'store' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
