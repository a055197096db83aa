"""Dataset source port: load examples from the hub or local files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from kitchen.types import Example


@dataclass(frozen=True, slots=True)
class DatasetSpec:
    """Where a dataset lives and how its fields map onto conversations.

    Attributes:
        source: ``kitchen/<name>`` for a shipped set, a local file path (.json, .jsonl, .csv,
            .parquet) or a hub dataset name.
        split: The training split.
        eval_split: The held-out split ('' to carve ``eval_fraction`` off the training split).
        fields: Renames from the file's column names to ``messages``, ``prompt``,
            ``completion`` (e.g. ``{"prompt": "question", "completion": "answer"}``).
        limit: Keep at most this many training examples (0 for all).
    """

    source: str
    split: str = "train"
    eval_split: str = "test"
    fields: Mapping[str, str] = field(default_factory=dict)
    limit: int = 0
    eval_limit: int = 0
    eval_fraction: float = 0.1
    seed: int = 0


@dataclass(frozen=True, slots=True)
class LoadedDataset:
    """The training and held-out examples of one dataset."""

    train: tuple[Example, ...]
    eval: tuple[Example, ...]
    fingerprint: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class LoadedRecords:
    """The raw rows of one dataset's training and held-out parts (same splits, carving and
    limits as :class:`LoadedDataset`), for data that is not a conversation: preference pairs,
    RL problems."""

    train: tuple[Mapping[str, Any], ...]
    eval: tuple[Mapping[str, Any], ...]
    fingerprint: str
    description: str = ""
    origin: str = ""


class DatasetSource(Protocol):
    """Loads a :class:`DatasetSpec` into examples, or into raw rows."""

    def load(self, spec: DatasetSpec) -> LoadedDataset: ...

    def load_records(self, spec: DatasetSpec) -> LoadedRecords:
        """The rows themselves; ``spec.fields`` is left to the caller's mapping."""
        ...
