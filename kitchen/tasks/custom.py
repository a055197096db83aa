"""Custom tasks from data files: ``jsonl:PATH``, ``csv:PATH``, ``parquet:PATH``, ``json:PATH``
or a path ending in one of those suffixes.

Files are read by the HF adapter's local reader (:func:`kitchen.adapters.hf._records.read_local`),
so errors name the file and line. Columns map onto samples with ``fields``: ``input`` (text,
or a list of ``{role, content}`` messages), ``target`` (text, a number or a list of acceptable
answers), optional ``choices`` (a list, or JSON list text in a CSV cell; the target may then be
a letter, a 0-based index or the choice's text) and ``id``. Unmapped columns become metadata.
Without a mapping the first present of input/question/prompt/messages and
target/answer/completion/output is used.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kitchen.adapters.hf._records import LOCAL_SUFFIXES, Table, parse_messages, read_local
from kitchen.errors import ConfigError, DataError
from kitchen.scorers import get_scorer
from kitchen.tasks._types import GenerateConfig, Sample
from kitchen.tasks.solvers import (
    Solver,
    choice_letters,
    generate,
    multiple_choice,
    prompt_template,
    system_message,
)
from kitchen.tasks.task import Task
from kitchen.types import Message

__all__ = ["FIELD_KEYS", "file_task", "is_file_task", "rows_to_samples"]

FIELD_KEYS = ("input", "target", "choices", "id")
_PREFIXES = ("jsonl:", "json:", "csv:", "parquet:")
_FALLBACKS = {
    "input": ("input", "question", "prompt", "messages"),
    "target": ("target", "answer", "completion", "output"),
    "choices": ("choices",),
    "id": ("id",),
}


def is_file_task(name: str) -> bool:
    """Whether ``name`` names a data file rather than a registered task."""
    return name.startswith(_PREFIXES) or Path(name).suffix.lower() in LOCAL_SUFFIXES


def _path(name: str) -> Path:
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            path = Path(name[len(prefix) :]).expanduser()
            kind = "." + prefix[:-1]
            if path.suffix.lower() != kind:
                raise ConfigError(
                    f"task {name!r}: the file {path} does not end in {kind} as {prefix!r} says"
                )
            return path
    return Path(name).expanduser()


def _columns(fields: Mapping[str, str], table: Table) -> dict[str, str]:
    unknown = sorted(set(fields) - set(FIELD_KEYS))
    if unknown:
        raise ConfigError(
            f"fields: unknown key(s) {', '.join(unknown)}; use {', '.join(FIELD_KEYS)}"
        )
    has = f"it has: {', '.join(table.columns) or 'no fields'}"
    mapping: dict[str, str] = {}
    for key in FIELD_KEYS:
        if key in fields:
            if fields[key] not in table.columns:
                raise DataError(
                    f"{table.origin}: no field {fields[key]!r} (mapped to {key!r} by fields); {has}"
                )
            mapping[key] = fields[key]
            continue
        found = next((c for c in _FALLBACKS[key] if c in table.columns), None)
        if found is not None:
            mapping[key] = found
        elif key in ("input", "target"):
            raise DataError(
                f"{table.origin}: no {key} field (looked for {', '.join(_FALLBACKS[key])}); "
                f"{has}. Map yours with fields, e.g. fields={{'{key}': 'my_column'}}"
            )
    return mapping


def _cell(row: Mapping[str, Any], column: str, at: str) -> Any:
    value = row.get(column)
    if value is None or value == "":
        raise DataError(
            f"{at}: field {column!r} is missing or empty; the row has: {', '.join(row)}"
        )
    return value


def _json_list(value: Any, column: str, at: str) -> Any:
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            return json.loads(value)
        except json.JSONDecodeError as error:
            raise DataError(f"{at}: field {column!r} is not a JSON list: {error.msg}") from None
    return value


def _input(value: Any, column: str, at: str) -> str | tuple[Message, ...]:
    value = _json_list(value, column, at)
    if isinstance(value, list):
        return parse_messages(value, column, at)
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    raise DataError(f"{at}: field {column!r} must be text or a list of messages")


def _choices(value: Any, column: str, at: str) -> tuple[str, ...]:
    value = _json_list(value, column, at)
    if not isinstance(value, list | tuple) or len(value) < 2:
        raise DataError(
            f"{at}: field {column!r} must be a list of at least two choices "
            f"(JSON list text in a CSV cell), got {str(value)[:80]!r}"
        )
    return tuple(str(c) for c in value)


def _target(value: Any, choices: tuple[str, ...], column: str, at: str) -> str | tuple[str, ...]:
    value = _json_list(value, column, at)
    if not choices:
        if isinstance(value, list | tuple):
            if not value:
                raise DataError(f"{at}: field {column!r} is an empty list")
            return tuple(str(v) for v in value)
        return str(value)
    letters = choice_letters(len(choices))
    text = str(value).strip()
    if isinstance(value, int) or text.isdigit():
        index = int(text)
        if not 0 <= index < len(choices):
            raise DataError(
                f"{at}: field {column!r} is choice index {index}, outside 0..{len(choices) - 1}"
            )
        return letters[index]
    if len(text) == 1 and text.upper() in letters:
        return text.upper()
    if text in choices:
        return letters[choices.index(text)]
    raise DataError(
        f"{at}: field {column!r} is {text!r}: not a letter {letters[0]}-{letters[-1]}, a 0-based "
        "index or one of the choices"
    )


def rows_to_samples(table: Table, fields: Mapping[str, str] | None = None) -> list[Sample]:
    """The rows of ``table`` as samples (see the module docstring for the mapping).

    Raises:
        ConfigError: ``fields`` has an unknown key.
        DataError: a mapped field is absent from the file, or a row lacks a field or holds a
            bad value (naming the file, the row and the field).
    """
    if not table.rows:
        raise DataError(f"{table.origin}: holds no rows")
    cols = _columns(fields or {}, table)
    used = set(cols.values())
    samples = []
    for index, row in enumerate(table.rows):
        at = f"{table.origin}: {table.where(index)}"
        choices = (
            _choices(_cell(row, cols["choices"], at), cols["choices"], at)
            if ("choices" in cols)
            else ()
        )
        raw_id = row.get(cols.get("id", "id"))
        samples.append(
            Sample(
                id=str(raw_id) if raw_id not in (None, "") else f"{table.id_prefix}-{index}",
                input=_input(_cell(row, cols["input"], at), cols["input"], at),
                target=_target(_cell(row, cols["target"], at), choices, cols["target"], at),
                choices=choices,
                metadata={k: v for k, v in row.items() if k not in used},
            )
        )
    return samples


def file_task(
    name: str,
    *,
    fields: Mapping[str, str] | None = None,
    scorer: str | None = None,
    scorer_options: Mapping[str, Any] | None = None,
    template: str | None = None,
    system: str | None = None,
    epochs: int = 1,
    max_new_tokens: int = 256,
    temperature: float = 0.0,
    task_name: str | None = None,
) -> Task:
    """A task over a data file.

    Args:
        name: ``jsonl:PATH``, ``csv:PATH``, ``parquet:PATH``, ``json:PATH`` or a path with one
            of those suffixes.
        fields: Column names for ``input``, ``target``, ``choices`` and ``id``.
        scorer: A registered scorer (default ``choice`` when there are choices, else
            ``exact_match``).
        scorer_options: Options for the scorer.
        template: A prompt template with ``{input}`` and column names.
        system: A system message.
        epochs: Runs per sample.
        max_new_tokens: Generation budget.
        temperature: Sampling temperature (0 = greedy).
        task_name: The task's name (default: the file's stem).

    Raises:
        ConfigError: an option is invalid (unknown scorer, bad template).
        DataError: the file or a row is bad (see :func:`rows_to_samples`).
    """
    path = _path(name)
    samples = rows_to_samples(read_local(path), fields)
    has_choices = any(s.choices for s in samples)
    scorer_id = scorer or ("choice" if has_choices else "exact_match")
    try:
        primary = get_scorer(scorer_id, **dict(scorer_options or {}))
    except KeyError as error:
        raise ConfigError(f"scorer: {error.args[0]}") from None
    except TypeError as error:
        raise ConfigError(f"scorer_options for {scorer_id!r}: {error}") from None
    solver: list[Solver] = []
    if system:
        solver.append(system_message(system))
    if template:
        solver.append(prompt_template(template))
    if has_choices:
        solver.append(multiple_choice())
    solver.append(generate())
    return Task(
        name=task_name or path.stem,
        dataset=samples,
        solver=tuple(solver),
        scorer=primary,
        config=GenerateConfig(max_new_tokens=max_new_tokens, temperature=temperature),
        epochs=epochs,
        description=f"custom task from {path.name}",
        source=f"file {path}",
    )
