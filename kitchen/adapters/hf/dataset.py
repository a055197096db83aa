"""Dataset source over shipped sets, local files and the Hugging Face hub (``datasets``).

Sources, by the shape of ``DatasetSpec.source``:

- ``kitchen/<name>``: a shipped set, ``<name>_<split>.jsonl`` beside :mod:`kitchen.data`.
- a path ending in .jsonl, .json, .csv or .parquet (or any existing file): a local file. Its
  held-out part is ``eval_split`` when that names another file, else ``eval_fraction`` of the
  rows carved off with ``seed``.
- anything else: a hub dataset id, optionally ``owner/name:config``, loaded with
  ``datasets.load_dataset``. Offline, a dataset that ``datasets`` has not cached is looked up in
  the hub cache (``hf download --repo-type dataset``) through the Hub port.

Whatever the source, a missing ``eval_split`` falls back to carving. Rows become conversations
by the rules of :func:`kitchen.adapters.hf._records.resolve_fields`: a ``messages`` column, or a
prompt/completion pair (named by ``fields`` or recognised: prompt/completion,
question/answer, instruction/output (+ optional input), prompt/response, when exactly one fits).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Mapping, Sequence
from pathlib import Path

from kitchen.adapters.hf._records import (
    LOCAL_SUFFIXES,
    Table,
    read_local,
    resolve_fields,
    to_example,
)
from kitchen.data import DATA_DIR, shipped_datasets, shipped_path
from kitchen.errors import ConfigError, DataError, HubError
from kitchen.ports.dataset import DatasetSpec, LoadedDataset, LoadedRecords
from kitchen.ports.hub import Hub
from kitchen.types import Example

__all__ = ["HFDatasetSource", "carve_indices", "fingerprint_examples"]

SHIPPED_PREFIX = "kitchen/"


class HFDatasetSource:
    """Implements the DatasetSource port."""

    def __init__(self, *, hub: Hub | None = None, cache_dir: Path | None = None) -> None:
        """Configure hub access.

        Args:
            hub: Finds cached hub datasets when ``datasets`` cannot reach the hub (default:
                :class:`~kitchen.adapters.hf.hub.HFHub`).
            cache_dir: The ``datasets`` cache (default: ``HF_DATASETS_CACHE``).
        """
        self.hub = hub
        self.cache_dir = cache_dir

    def load(self, spec: DatasetSpec) -> LoadedDataset:
        """Load the training and held-out examples of ``spec``.

        Raises:
            ConfigError: a limit or fraction is out of range, or ``eval_split`` equals ``split``.
            DataError: a file is missing or malformed, or a field is missing (naming file, line
                and field).
            HubError: a hub dataset cannot be fetched.
        """
        train, held_out = self._tables(spec)
        return _assemble(spec, train, held_out)

    def load_records(self, spec: DatasetSpec) -> LoadedRecords:
        """The rows of ``spec``'s training and held-out parts, as mappings.

        Raises:
            The same errors as :meth:`load`.
        """
        train, held_out = self._tables(spec)
        train_idx, eval_idx, eval_table, eval_note = _indices(spec, train, held_out)
        train_rows = tuple(dict(train.rows[i]) for i in train_idx)
        eval_rows = tuple(dict(eval_table.rows[i]) for i in eval_idx)
        digest = hashlib.sha256()
        for part, rows in (("train", train_rows), ("eval", eval_rows)):
            digest.update(part.encode())
            for row in rows:
                digest.update(json.dumps(row, sort_keys=True, default=str).encode() + b"\n")
        return LoadedRecords(
            train=train_rows,
            eval=eval_rows,
            fingerprint=digest.hexdigest(),
            description=(
                f"{spec.source}: {len(train_rows)} train rows from {train.origin}, "
                f"{len(eval_rows)} eval rows from {eval_note}"
            ),
            origin=train.origin,
        )

    def _tables(self, spec: DatasetSpec) -> tuple[Table, Table | None]:
        _check(spec)
        source = spec.source
        if source.startswith(SHIPPED_PREFIX):
            return _shipped(spec)
        if _is_local(source):
            train = read_local(Path(source).expanduser())
            held_out = None  # carved off below unless eval_split names another file
            if _is_local(spec.eval_split):
                held_out = read_local(Path(spec.eval_split).expanduser())
            return train, held_out
        return self._hub(spec)

    def _hub(self, spec: DatasetSpec) -> tuple[Table, Table | None]:
        import datasets
        from datasets.exceptions import DatasetNotFoundError, FileNotFoundDatasetsError

        repo, _, config = spec.source.partition(":")
        try:
            try:
                splits = datasets.load_dataset(repo, config or None, cache_dir=self.cache_dir)
            except ConnectionError:
                # Offline, or the hub is unreachable: the repo may still be in the hub cache.
                folder = self._hub_port().snapshot(repo, repo_type="dataset")
                splits = datasets.load_dataset(
                    str(folder), config or None, cache_dir=self.cache_dir
                )
        except DatasetNotFoundError as error:
            raise HubError(f"dataset {repo!r} was not found on the hub: {error}") from error
        except FileNotFoundDatasetsError as error:  # the repository holds no data files
            raise DataError(f"dataset {spec.source!r}: {error}") from error
        except ValueError as error:  # e.g. "BuilderConfig 'x' not found. Available: [...]"
            raise DataError(f"dataset {spec.source!r}: {error}") from error
        if spec.split not in splits:
            raise DataError(
                f"dataset {spec.source!r} has no split {spec.split!r}; it has: {', '.join(splits)}"
            )

        def table(name: str) -> Table:
            data = splits[name]
            where = f"dataset {spec.source!r} split {name!r}"
            prefix = f"{repo.rsplit('/', 1)[-1]}-{name}"
            return Table(where, tuple(data.column_names), data, lambda i: f"row {i + 1}", prefix)

        held_out = table(spec.eval_split) if spec.eval_split in splits else None
        return table(spec.split), held_out

    def _hub_port(self) -> Hub:
        if self.hub is None:
            from kitchen.adapters.hf.hub import HFHub

            self.hub = HFHub()
        return self.hub


def _check(spec: DatasetSpec) -> None:
    for name, value in (("limit", spec.limit), ("eval_limit", spec.eval_limit)):
        if value < 0:
            raise ConfigError(f"{name}: must be >= 0 (0 = all), got {value}")
    if not 0.0 <= spec.eval_fraction < 1.0:
        raise ConfigError(f"eval_fraction: must be in [0, 1), got {spec.eval_fraction}")
    if spec.eval_split and spec.eval_split == spec.split:
        raise ConfigError(f"eval_split: equals split ({spec.split!r}); evaluation would leak")


def _is_local(source: str) -> bool:
    if not source:
        return False
    path = Path(source).expanduser()
    return (
        path.suffix.lower() in LOCAL_SUFFIXES
        or path.is_file()
        or source.startswith((".", "/", "~"))
    )


def _shipped(spec: DatasetSpec) -> tuple[Table, Table | None]:
    name = spec.source.removeprefix(SHIPPED_PREFIX)
    if name not in shipped_datasets():
        raise DataError(
            f"dataset: no shipped set {spec.source!r}; shipped: "
            + ", ".join(SHIPPED_PREFIX + n for n in shipped_datasets()),
            title="Unknown dataset",
        )
    found = (p.name[len(name) + 1 : -len(".jsonl")] for p in DATA_DIR.glob(f"{name}_*.jsonl"))
    # "x_mini_train.jsonl" belongs to a set "x_mini", not to a split "mini_train" of "x".
    splits = sorted(split for split in found if "_" not in split)
    if spec.split not in splits:
        raise DataError(
            f"dataset: shipped set {spec.source!r} has no split {spec.split!r}; "
            f"it has: {', '.join(splits)}"
        )
    train = read_local(shipped_path(f"{name}_{spec.split}.jsonl"))
    if spec.eval_split not in splits:
        return train, None  # carve a held-out part off the training split
    return train, read_local(shipped_path(f"{name}_{spec.eval_split}.jsonl"))


def carve_indices(n: int, spec: DatasetSpec) -> tuple[list[int], list[int]]:
    """Split ``range(n)`` into (train, eval) indices, seeded; eval_limit caps the eval share.

    Rows not needed for evaluation stay in training, and both lists keep the file order.
    """
    n_eval = round(n * spec.eval_fraction) if n > 1 else 0
    if spec.eval_fraction > 0 and n > 1:
        n_eval = max(1, min(n_eval, n - 1))
    if spec.eval_limit:
        n_eval = min(n_eval, spec.eval_limit)
    order = list(range(n))
    random.Random(spec.seed).shuffle(order)
    return sorted(order[n_eval:]), sorted(order[:n_eval])


def fingerprint_examples(train: Sequence[Example], held_out: Sequence[Example]) -> str:
    """SHA-256 of the examples' ids and messages: equal content, equal fingerprint."""
    digest = hashlib.sha256()
    for part, examples in (("train", train), ("eval", held_out)):
        digest.update(part.encode())
        for ex in examples:
            record = [ex.id, [[m.role, m.content] for m in ex.messages]]
            digest.update(json.dumps(record, ensure_ascii=False).encode() + b"\n")
    return digest.hexdigest()


def _convert(
    table: Table, indices: Sequence[int], fields: Mapping[str, str]
) -> tuple[Example, ...]:
    if not table.rows:
        return ()
    fmap = resolve_fields(fields, table)
    return tuple(to_example(table.rows[i], fmap, table, i) for i in indices)


def _indices(
    spec: DatasetSpec, train: Table, held_out: Table | None
) -> tuple[list[int], list[int], Table, str]:
    """Which rows train and which evaluate (carved off ``train`` when there is no held-out
    table), with the limits applied, the table the eval rows come from and how to name it."""
    if len(train.rows) == 0:
        raise DataError(f"{train.origin}: holds no rows")
    if held_out is None:
        train_idx, eval_idx = carve_indices(len(train.rows), spec)
        eval_table, eval_note = (
            train,
            f"{spec.eval_fraction:.0%} of {spec.split} (seed {spec.seed})",
        )
    else:
        train_idx, eval_idx = list(range(len(train.rows))), list(range(len(held_out.rows)))
        eval_table, eval_note = held_out, held_out.origin
        if spec.eval_limit:
            eval_idx = eval_idx[: spec.eval_limit]
    if spec.limit:
        train_idx = train_idx[: spec.limit]
    return train_idx, eval_idx, eval_table, eval_note


def _assemble(spec: DatasetSpec, train: Table, held_out: Table | None) -> LoadedDataset:
    train_idx, eval_idx, eval_table, eval_note = _indices(spec, train, held_out)
    train_examples = _convert(train, train_idx, spec.fields)
    eval_examples = _convert(eval_table, eval_idx, spec.fields)
    return LoadedDataset(
        train=train_examples,
        eval=eval_examples,
        fingerprint=fingerprint_examples(train_examples, eval_examples),
        description=(
            f"{spec.source}: {len(train_examples)} train from {train.origin}, "
            f"{len(eval_examples)} eval from {eval_note}"
        ),
    )
