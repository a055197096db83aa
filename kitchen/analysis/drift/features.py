"""Drift features of a window of feedback events.

Every event contributes:

- ``latency_ms``, ``user_signal`` (numeric) and ``label`` (categorical);
- ``input.chars``, ``input.words``, ``output.chars``, ``output.words``: text lengths in
  characters and whitespace-separated words, so a change in what users send or what the model
  answers shows up even without embeddings;
- the ``input`` and ``output`` texts themselves, compared as MiniLM embeddings (the output
  column is "model output drift");
- each key of its ``features`` object as ``features.<key>``: numeric when every present value
  is a number (booleans excluded), categorical otherwise (values as text; booleans as
  ``true``/``false``).

A missing value (no latency, no such key) is NaN for numeric features and None for categorical
ones; it is counted, not compared.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kitchen.analysis.drift.stats import FloatArray

FEATURE_PREFIX = "features."
BUILTIN_NUMERIC = ("latency_ms", "user_signal")
BUILTIN_CATEGORICAL = ("label",)
TEXT_COLUMNS = ("input", "output")


@dataclass(frozen=True)
class FeatureSet:
    """The raw feature values of one window, by kind."""

    n_events: int
    numeric: Mapping[str, FloatArray] = field(default_factory=dict)
    categorical: Mapping[str, Sequence[str | None]] = field(default_factory=dict)
    text: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def names(self) -> list[str]:
        """Every feature, in report order: numeric, categorical, then text columns."""
        return [*self.numeric, *self.categorical, *self.text]


def features_of_events(events: Any) -> FeatureSet:
    """The features of a window as ``Store.feedback_events`` returns it (a ``pyarrow.Table``)
    or as the engine client does (rows with a ``features`` mapping, models or dicts)."""
    import pyarrow as pa

    if isinstance(events, pa.Table):
        return _from_table(events)
    rows = [_row_dict(row) for row in events]
    return _from_rows(rows)


def _row_dict(row: Any) -> dict[str, Any]:
    if isinstance(row, Mapping):
        return dict(row)
    dump = getattr(row, "model_dump", None)
    if dump is None:
        raise TypeError(f"a feedback event must be a mapping or a model, got {type(row)}")
    found: dict[str, Any] = dump()
    return found


def _from_rows(rows: list[dict[str, Any]]) -> FeatureSet:
    features = []
    for row in rows:
        value = row.get("features")
        if value is None and row.get("features_json"):
            value = json.loads(row["features_json"])
        features.append(value or {})
    inputs = [str(row.get("input") or "") for row in rows]
    outputs = [str(row.get("output") or "") for row in rows]
    numeric: dict[str, FloatArray] = {
        name: _floats(row.get(name) for row in rows) for name in BUILTIN_NUMERIC
    }
    labels = [None if row.get("label") is None else str(row["label"]) for row in rows]
    return _assemble(len(rows), numeric, labels, inputs, outputs, _split_features(features))


def _from_table(table: Any) -> FeatureSet:
    import pyarrow as pa

    names = set(table.column_names)
    n = table.num_rows

    def column(name: str) -> Any:
        return table.column(name) if name in names else pa.nulls(n)

    numeric = {
        name: column(name).cast(pa.float64()).to_numpy(zero_copy_only=False).astype(np.float64)
        for name in BUILTIN_NUMERIC
    }
    labels = column("label").cast(pa.string()).to_pylist()
    inputs = [s or "" for s in column("input").cast(pa.string()).to_pylist()]
    outputs = [s or "" for s in column("output").cast(pa.string()).to_pylist()]
    split = _features_arrow(column("features_json"))
    if split is None:
        parsed = [json.loads(s) if s else {} for s in column("features_json").to_pylist()]
        split = _split_features(parsed)
    return _assemble(n, numeric, labels, inputs, outputs, split)


Split = tuple[dict[str, FloatArray], dict[str, list[str | None]]]


def _assemble(
    n: int,
    numeric: dict[str, FloatArray],
    labels: list[str | None],
    inputs: list[str],
    outputs: list[str],
    split: Split,
) -> FeatureSet:
    for name, texts in (("input", inputs), ("output", outputs)):
        numeric[f"{name}.chars"] = np.fromiter((len(t) for t in texts), np.float64, len(texts))
        numeric[f"{name}.words"] = np.fromiter(
            (len(t.split()) for t in texts), np.float64, len(texts)
        )
    extra_numeric, extra_categorical = split
    numeric.update({FEATURE_PREFIX + k: v for k, v in extra_numeric.items()})
    categorical: dict[str, list[str | None]] = {"label": labels}
    categorical.update({FEATURE_PREFIX + k: v for k, v in extra_categorical.items()})
    # A feature with no value in the window says nothing about drift: leave it out.
    numeric = {k: v for k, v in numeric.items() if np.isfinite(v).any()}
    categorical = {k: v for k, v in categorical.items() if any(x is not None for x in v)}
    columns: dict[str, Sequence[str]] = {"input": inputs, "output": outputs} if n else {}
    return FeatureSet(n, numeric, categorical, columns)


def _floats(values: Iterable[Any]) -> FloatArray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _category(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)


def _split_features(rows: Sequence[Mapping[str, Any]]) -> Split:
    """Numeric and categorical columns of the events' ``features`` objects."""
    keys: dict[str, None] = {}
    for row in rows:
        keys.update(dict.fromkeys(row))
    numeric: dict[str, FloatArray] = {}
    categorical: dict[str, list[str | None]] = {}
    for key in sorted(keys):
        values = [row.get(key) for row in rows]
        present = [v for v in values if v is not None]
        if present and all(_is_number(v) for v in present):
            numeric[key] = _floats(values)
        else:
            categorical[key] = [None if v is None else _category(v) for v in values]
    return numeric, categorical


def _features_arrow(column: Any) -> Split | None:
    """:func:`_split_features` through Arrow's JSON reader (fast on big windows); None when a
    key holds mixed or nested values, which the Python path handles."""
    import pyarrow as pa
    import pyarrow.json as pa_json

    strings = column.cast(pa.string()).to_pylist()
    if not strings:
        return {}, {}
    body = "\n".join(s if s else "{}" for s in strings).encode()
    try:
        table = pa_json.read_json(io.BytesIO(body))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.num_rows != len(strings):
        return None
    numeric: dict[str, FloatArray] = {}
    categorical: dict[str, list[str | None]] = {}
    for key in sorted(table.column_names):
        values = table.column(key)
        kind = values.type
        if pa.types.is_null(kind):
            continue
        if pa.types.is_integer(kind) or pa.types.is_floating(kind):
            numeric[key] = values.cast(pa.float64()).to_numpy(zero_copy_only=False)
        elif pa.types.is_boolean(kind):
            categorical[key] = [
                None if v is None else ("true" if v else "false") for v in values.to_pylist()
            ]
        elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
            categorical[key] = values.to_pylist()
        else:
            return None
    return numeric, categorical
