"""Read production events from JSONL, CSV or Parquet files, renaming columns on the way.

Every event keeps its location (``events.csv line 7``) so that a validation error names the
file and the line (or the Parquet row). ``--map field=column`` renames a column of the file to
one of the fields Kitchen reads (``input=prompt``) or to a feature (``feature.country=geo``).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kitchen.analysis.feedback.events import FEATURE_PREFIX, FIELDS, EventError

TEXT_FIELDS = ("input", "output")
FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}


@dataclass(frozen=True)
class EventFile:
    """The events of one file, each with where it came from."""

    path: Path
    events: list[dict[str, Any]]
    locations: list[str]


def parse_mapping(items: Sequence[str]) -> dict[str, str]:
    """``["input=prompt", "feature.geo=country"]`` as ``{"input": "prompt", ...}``.

    Raises:
        EventError: an item is not ``field=column`` or names a field Kitchen does not read.
    """
    mapping: dict[str, str] = {}
    for item in items:
        target, sep, column = item.partition("=")
        target, column = target.strip(), column.strip()
        if not sep or not target or not column:
            raise EventError(f"--map {item!r}: expected FIELD=COLUMN, e.g. input=prompt")
        if target not in FIELDS and not (
            target.startswith(FEATURE_PREFIX) and len(target) > len(FEATURE_PREFIX)
        ):
            raise EventError(
                f"--map {item!r}: {target!r} is not a field; use one of {', '.join(FIELDS)} "
                "or feature.NAME"
            )
        if target in mapping:
            raise EventError(f"--map {item!r}: {target!r} is mapped twice")
        mapping[target] = column
    return mapping


def _renamed(row: Mapping[str, Any], mapping: Mapping[str, str]) -> dict[str, Any]:
    moved = set(mapping.values())
    out = {k: v for k, v in row.items() if k not in moved}
    for target, column in mapping.items():
        if column in row:
            out[target] = row[column]
    return out


def _csv_value(value: str) -> Any:
    """A CSV feature cell as a number when it reads as one (CSV has no types)."""
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() and "." not in value and "e" not in value else number


def _csv_event(event: dict[str, Any]) -> dict[str, Any]:
    """CSV has no types and no nulls: an empty cell is an absent value, except in ``input``
    and ``output`` where it is empty text (a blank answer is flagged, not refused), and a
    feature cell that reads as a number is one."""
    out: dict[str, Any] = {}
    for key, value in event.items():
        if value == "" and key not in TEXT_FIELDS:
            continue
        if key.startswith(FEATURE_PREFIX) and value:
            value = _csv_value(value)
        out[key] = value
    return out


def _check_columns(path: Path, columns: Iterable[str], mapping: Mapping[str, str]) -> None:
    present = set(columns)
    for target, column in mapping.items():
        if column not in present:
            raise EventError(
                f"{path.name}: column {column!r} (mapped to {target!r}) is not in the file; "
                f"its columns are {', '.join(sorted(present)) or 'none'}"
            )


def _read_jsonl(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    events: list[dict[str, Any]] = []
    locations: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path.name} line {number}"
            try:
                value = json.loads(line)
            except ValueError as error:
                raise EventError(f"{where}: not valid JSON ({error})") from None
            if not isinstance(value, dict):
                raise EventError(f"{where}: expected a JSON object, got {type(value).__name__}")
            events.append(value)
            locations.append(where)
    return events, locations


def _read_csv(path: Path) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    events: list[dict[str, Any]] = []
    locations: list[str] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        for row in reader:
            where = f"{path.name} line {reader.line_num}"
            if None in row:
                raise EventError(f"{where}: more cells than the header has columns")
            events.append({k: v for k, v in row.items() if v is not None})
            locations.append(where)
    return events, locations, header


def _read_parquet(path: Path) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as error:  # pyarrow raises several types for a file that is not Parquet
        raise EventError(f"{path.name}: not a readable Parquet file ({error})") from None
    rows = table.to_pylist()
    locations = [f"{path.name} row {i + 1}" for i in range(len(rows))]
    return rows, locations, list(table.column_names)


def read_events(path: Path | str, mapping: Mapping[str, str] | None = None) -> EventFile:
    """The events of a ``.jsonl`` / ``.ndjson``, ``.csv`` or ``.parquet`` file, columns renamed
    by ``mapping`` (field → column).

    Raises:
        EventError: the file is missing, of an unknown type, malformed (naming the line), or
            lacks a mapped column.
    """
    file = Path(path)
    kind = FORMATS.get(file.suffix.lower())
    if kind is None:
        raise EventError(
            f"{file.name}: unknown file type {file.suffix!r}; use {', '.join(sorted(FORMATS))}"
        )
    if not file.is_file():
        raise EventError(f"{file}: no such file")
    mapping = dict(mapping or {})
    if kind == "jsonl":
        events, locations = _read_jsonl(file)
        _check_columns(file, {k for e in events for k in e}, mapping)
    else:
        reader = _read_csv if kind == "csv" else _read_parquet
        events, locations, columns = reader(file)
        _check_columns(file, columns, mapping)
    renamed = [_renamed(e, mapping) for e in events]
    if kind == "csv":
        renamed = [_csv_event(e) for e in renamed]
    return EventFile(file, renamed, locations)
