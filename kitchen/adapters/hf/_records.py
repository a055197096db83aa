"""Reading local data files into row tables, and turning rows into conversations.

Every error names the file (or hub split), the row's line or number and the field, so a user
can open the file at the right place. Local files are read directly (json, csv from the standard
library; parquet through pyarrow) rather than through ``datasets``: that keeps line numbers and
writes nothing into the ``datasets`` cache.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kitchen.errors import ConfigError, DataError
from kitchen.types import Example, Message, Role

Row = Mapping[str, Any]
LOCAL_SUFFIXES = (".jsonl", ".json", ".csv", ".parquet")
_ROLES: tuple[Role, ...] = ("system", "user", "assistant")
_FIELD_KEYS = ("messages", "prompt", "completion", "id")
# Column pairs recognised without a fields mapping, as (prompt, completion).
ALIASES: tuple[tuple[str, str], ...] = (
    ("prompt", "completion"),
    ("question", "answer"),
    ("instruction", "output"),
    ("prompt", "response"),
)


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of one file or split, with how to name them in messages."""

    origin: str
    columns: tuple[str, ...]
    rows: Sequence[Row]
    where: Callable[[int], str]
    id_prefix: str = "row"


def read_local(path: Path) -> Table:
    """Read a .jsonl, .json, .csv or .parquet file.

    Raises:
        DataError: the file is missing, of another type, or malformed (with its line).
    """
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "does not exist"
        raise DataError(f"dataset file {path} {what}", title="Dataset file not found")
    suffix = path.suffix.lower()
    if suffix not in LOCAL_SUFFIXES:
        raise DataError(
            f"{path}: unsupported file type {suffix!r}; use {', '.join(LOCAL_SUFFIXES)}"
        )
    if suffix == ".parquet":
        return _read_parquet(path)
    try:
        if suffix == ".csv":
            return _read_csv(path)
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise DataError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from error
    if suffix == ".jsonl":
        return _read_jsonl(path, text)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data":  # .json files often hold JSON Lines
            return _read_jsonl(path, text)
        raise DataError(f"{path}: line {error.lineno} is not valid JSON: {error.msg}") from error
    return _read_json_document(path, document)


def _table(path: Path, rows: list[Row], where: Callable[[int], str]) -> Table:
    columns = tuple(dict.fromkeys(key for row in rows for key in row))
    return Table(str(path), columns, rows, where, id_prefix=path.stem)


def _read_jsonl(path: Path, text: str) -> Table:
    rows: list[Row] = []
    lines: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(f"{path}: line {number} is not valid JSON: {error.msg}") from error
        if not isinstance(row, dict):
            raise DataError(f"{path}: line {number} is a JSON {type(row).__name__}, not an object")
        rows.append(row)
        lines.append(number)
    return _table(path, rows, lambda i: f"line {lines[i]}")


def _read_json_document(path: Path, data: Any) -> Table:
    if isinstance(data, dict):
        # {"data": [...]}: the one list of records in the document, as `datasets` reads it.
        lists = [value for value in data.values() if isinstance(value, list)]
        if len(lists) != 1:
            raise DataError(
                f"{path}: expected a list of records, or an object holding exactly one list; "
                f"found an object with keys: {', '.join(data)}"
            )
        data = lists[0]
    if not isinstance(data, list):
        raise DataError(f"{path}: expected a list of records, found a JSON {type(data).__name__}")
    for index, row in enumerate(data):
        if not isinstance(row, dict):
            raise DataError(
                f"{path}: item {index + 1} is a JSON {type(row).__name__}, not an object"
            )
    return _table(path, data, lambda i: f"item {i + 1}")


def _read_csv(path: Path) -> Table:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows: list[Row] = []
        lines: list[int] = []
        try:
            for row in reader:
                rows.append(row)
                lines.append(reader.line_num)  # a quoted field may span lines: its last line
        except csv.Error as error:
            # line_num counts the lines read before the bad one.
            at = reader.line_num + 1
            raise DataError(f"{path}: near line {at}, not valid CSV: {error}") from error
        columns = tuple(reader.fieldnames or ())
    return Table(str(path), columns, rows, lambda i: f"line {lines[i]}", id_prefix=path.stem)


def _read_parquet(path: Path) -> Table:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise DataError(f"{path}: not a readable parquet file: {error}") from error
    rows = table.to_pylist()
    return Table(str(path), tuple(table.column_names), rows, lambda i: f"row {i + 1}", path.stem)


@dataclass(frozen=True, slots=True)
class FieldMap:
    """Which columns hold the conversation: ``messages``, or ``prompt`` + ``completion``."""

    messages: str = ""
    prompt: str = ""
    completion: str = ""
    id: str = "id"
    extra_input: str = ""  # Alpaca's optional "input", appended to the instruction


def resolve_fields(fields: Mapping[str, str], table: Table) -> FieldMap:
    """Decide which columns to read, from the user's mapping or the column names.

    Raises:
        ConfigError: the mapping has a key other than messages, prompt, completion or id.
        DataError: a named column is missing, or the columns fit no known layout (or several).
    """
    unknown = sorted(set(fields) - set(_FIELD_KEYS))
    if unknown:
        raise ConfigError(
            f"dataset_fields: unknown key(s) {', '.join(unknown)}; use {', '.join(_FIELD_KEYS)}"
        )
    cols = set(table.columns)
    has = f"it has: {', '.join(table.columns) or 'no fields'}"
    for key, column in fields.items():
        if key != "id" and column not in cols:
            raise DataError(
                f"{table.origin}: no field {column!r} (mapped to {key!r} by dataset_fields); {has}"
            )
    id_column = fields.get("id", "id")
    if "messages" in fields or (
        "messages" in cols and not fields.keys() & {"prompt", "completion"}
    ):
        return FieldMap(messages=fields.get("messages", "messages"), id=id_column)
    if fields.keys() & {"prompt", "completion"}:
        prompt, completion = fields.get("prompt", "prompt"), fields.get("completion", "completion")
        for key, column in (("prompt", prompt), ("completion", completion)):
            if column not in cols:
                raise DataError(f"{table.origin}: no {key} field {column!r}; {has}")
        return FieldMap(prompt=prompt, completion=completion, id=id_column)
    matches = [pair for pair in ALIASES if set(pair) <= cols]
    if len(matches) > 1:
        names = " or ".join("/".join(pair) for pair in matches)
        raise DataError(f"{table.origin}: ambiguous fields ({names}); set dataset_fields")
    if not matches:
        raise DataError(
            f"{table.origin}: found no 'messages' field and no prompt/completion pair "
            f"({', '.join('/'.join(p) for p in ALIASES)}); {has}. Map yours with dataset_fields, "
            "e.g. dataset_fields.prompt=question dataset_fields.completion=answer"
        )
    prompt, completion = matches[0]
    extra = "input" if prompt == "instruction" and "input" in cols else ""
    return FieldMap(prompt=prompt, completion=completion, id=id_column, extra_input=extra)


def to_example(row: Row, fmap: FieldMap, table: Table, index: int) -> Example:
    """Turn one row into an :class:`Example` (raises DataError naming the row and field)."""
    at = f"{table.origin}: {table.where(index)}"
    raw_id = row.get(fmap.id)
    example_id = str(raw_id) if raw_id not in (None, "") else f"{table.id_prefix}-{index}"
    if fmap.messages:
        return Example(_messages(row, fmap.messages, at), id=example_id)
    prompt = _text(row, fmap.prompt, at)
    if fmap.extra_input and str(row.get(fmap.extra_input) or "").strip():
        prompt = f"{prompt}\n\n{row[fmap.extra_input]}"
    completion = _text(row, fmap.completion, at)
    return Example((Message("user", prompt), Message("assistant", completion)), id=example_id)


def _text(row: Row, column: str, at: str) -> str:
    if column not in row or row[column] is None:
        raise DataError(f"{at}: field {column!r} is missing; the row has: {', '.join(row)}")
    value = row[column]
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    raise DataError(f"{at}: field {column!r} must be text, got {type(value).__name__}")


def _messages(row: Row, column: str, at: str) -> tuple[Message, ...]:
    if column not in row or row[column] is None:
        raise DataError(f"{at}: field {column!r} is missing; the row has: {', '.join(row)}")
    value = row[column]
    if isinstance(value, str):  # CSV cells hold the list as JSON text
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise DataError(f"{at}: field {column!r} is not a JSON list: {error.msg}") from error
    if not isinstance(value, list) or not value:
        raise DataError(f"{at}: field {column!r} must be a non-empty list of messages")
    return parse_messages(value, column, at)


def parse_messages(value: Sequence[Any], column: str, at: str) -> tuple[Message, ...]:
    """A list of ``{role, content}`` objects as messages.

    Raises:
        DataError: naming ``at`` (the row), ``column`` and the index of the bad message.
    """
    if not value:
        raise DataError(f"{at}: field {column!r} is an empty list of messages")
    messages = []
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise DataError(f"{at}: {column}[{i}] must be an object with role and content")
        role, content = item.get("role"), item.get("content")
        if role not in _ROLES:
            raise DataError(f"{at}: {column}[{i}].role must be one of {_ROLES}, got {role!r}")
        if not isinstance(content, str):
            raise DataError(f"{at}: {column}[{i}].content must be text, got {content!r}")
        messages.append(Message(role, content))
    return tuple(messages)
