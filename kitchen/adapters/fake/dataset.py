"""An in-memory dataset source for tests: named lists of examples, no files."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence

from kitchen.errors import ConfigError, DataError
from kitchen.ports.dataset import DatasetSpec, LoadedDataset, LoadedRecords
from kitchen.types import Example

__all__ = ["FakeDatasetSource"]

Splits = Mapping[str, Sequence[Example]]


class FakeDatasetSource:
    """Implements the DatasetSource port over examples held in memory.

    A source is either a flat sequence (its training split; evaluation is carved off) or a
    mapping of split names to sequences, like a hub dataset. ``spec.fields`` is ignored: the
    examples are conversations already.
    """

    def __init__(self, sources: Mapping[str, Sequence[Example] | Splits]) -> None:
        """Register the sources by name (what ``DatasetSpec.source`` will say)."""
        self._sources: dict[str, Splits] = {}
        for name, value in sources.items():
            self._sources[name] = value if isinstance(value, Mapping) else {"train": value}

    def load(self, spec: DatasetSpec) -> LoadedDataset:
        """Load ``spec`` with the same split, carve and limit rules as the real source.

        Raises:
            ConfigError: a limit or fraction is out of range, or ``eval_split`` equals ``split``.
            DataError: the source or split is unknown, or the split is empty.
        """
        if spec.limit < 0 or spec.eval_limit < 0 or not 0.0 <= spec.eval_fraction < 1.0:
            raise ConfigError("limit, eval_limit or eval_fraction is out of range")
        if spec.eval_split and spec.eval_split == spec.split:
            raise ConfigError(f"eval_split: equals split ({spec.split!r})")
        splits = self._sources.get(spec.source)
        if splits is None:
            raise DataError(
                f"dataset: no fake source {spec.source!r}; have: {sorted(self._sources)}"
            )
        if spec.split not in splits:
            raise DataError(f"dataset {spec.source!r} has no split {spec.split!r}")
        rows = list(splits[spec.split])
        if not rows:
            raise DataError(f"dataset {spec.source!r} split {spec.split!r} holds no rows")
        if spec.eval_split in splits:
            train, held_out = rows, list(splits[spec.eval_split])
            if spec.eval_limit:
                held_out = held_out[: spec.eval_limit]
        else:
            train, held_out = _carve(rows, spec)
        if spec.limit:
            train = train[: spec.limit]
        return LoadedDataset(
            train=tuple(train),
            eval=tuple(held_out),
            fingerprint=_fingerprint(train, held_out),
            description=f"fake {spec.source}: {len(train)} train, {len(held_out)} eval",
        )

    def load_records(self, spec: DatasetSpec) -> LoadedRecords:
        """The examples of :meth:`load` as rows (``id``, ``messages``)."""
        loaded = self.load(spec)
        return LoadedRecords(
            train=tuple(_row(e) for e in loaded.train),
            eval=tuple(_row(e) for e in loaded.eval),
            fingerprint=loaded.fingerprint,
            description=loaded.description,
            origin=f"fake {spec.source}",
        )


def _row(example: Example) -> dict[str, object]:
    return {
        "id": example.id,
        "messages": [{"role": m.role, "content": m.content} for m in example.messages],
    }


def _carve(rows: list[Example], spec: DatasetSpec) -> tuple[list[Example], list[Example]]:
    n = len(rows)
    n_eval = 0
    if spec.eval_fraction > 0 and n > 1:
        n_eval = max(1, min(round(n * spec.eval_fraction), n - 1))
    if spec.eval_limit:
        n_eval = min(n_eval, spec.eval_limit)
    order = list(range(n))
    random.Random(spec.seed).shuffle(order)
    held = set(order[:n_eval])
    return [r for i, r in enumerate(rows) if i not in held], [rows[i] for i in sorted(held)]


def _fingerprint(train: Sequence[Example], held_out: Sequence[Example]) -> str:
    # repr of frozen dataclasses of strings is stable across runs and platforms.
    return hashlib.sha256(repr((tuple(train), tuple(held_out))).encode()).hexdigest()
