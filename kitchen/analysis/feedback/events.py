"""Validate production events, redact their PII and flag their quality: rows ready to store.

:func:`prepare_events` is what the engine's ``POST /v1/feedback`` route runs before anything
is stored, and what ``kitchen feedback ingest`` runs locally first so that a bad line in a big
file stops the ingest before its first batch is sent. The accepted fields and the user-signal
normalisation are documented in ``docs/feedback.md``.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kitchen.analysis.feedback.quality import DEFAULT_QUALITY, QualityConfig, quality_flags
from kitchen.analysis.feedback.redact import redact
from kitchen.errors import DataError
from store.errors import InvalidValueError
from store.feedback import parse_ts

FIELDS = (
    "ts",
    "input",
    "output",
    "model",
    "model_name",
    "model_version",
    "latency_ms",
    "latency_s",
    "user_signal",
    "rating",
    "label",
    "features",
)
FEATURE_PREFIX = "feature."
MAX_LISTED_ERRORS = 10

# Thumbs and words a feedback widget sends, as signals in [-1, 1].
_SIGNAL_WORDS = {
    **dict.fromkeys(("up", "thumbs_up", "thumbsup", "👍", "+1", "positive", "like", "good"), 1.0),
    **dict.fromkeys(("down", "thumbs_down", "thumbsdown", "👎", "-1", "negative", "dislike"), -1.0),
    **dict.fromkeys(("bad",), -1.0),
    **dict.fromkeys(("neutral", "none", "0"), 0.0),
}
_MODEL = re.compile(r"^(?P<name>[^@\s]+)@v?(?P<version>\d+)$")


@dataclass(frozen=True)
class PreparedEvents:
    """Events checked, redacted and flagged.

    Attributes:
        rows: Rows for ``Store.log_feedback`` (PII replaced, ``quality_flags`` and
            ``redactions`` filled).
        redacted_events: How many events had at least one span redacted.
        redactions: Spans redacted per PII kind (``email``, ``phone``, ``card``, ``ssn``).
        flagged: Events per quality flag.
        skipped: With ``skip_invalid``: one message per event left out (location and field).
        ignored_fields: Fields the events carried that Kitchen does not store.
        kept: The index (in the events given) of the event each row came from.
    """

    rows: list[dict[str, Any]]
    redacted_events: int
    redactions: Mapping[str, int]
    flagged: Mapping[str, int]
    skipped: list[str] = field(default_factory=list)
    ignored_fields: tuple[str, ...] = ()
    kept: tuple[int, ...] = ()


class EventError(DataError):
    """One event is invalid; the message names where it is and the field."""


def parse_model(value: str, where: str = "model") -> tuple[str, int | None]:
    """``"name@3"`` (or ``"name@v3"``) as ``("name", 3)``; a bare ``"name"`` as ``("name", None)``.

    Raises:
        EventError: an ``@`` without a whole version number after it.
    """
    text = value.strip()
    if "@" not in text:
        if not text:
            raise EventError(f"{where}: 'model' is empty")
        return text, None
    match = _MODEL.match(text)
    if match is None:
        raise EventError(
            f"{where}: 'model' must be NAME or NAME@VERSION (e.g. clf@2), got {value!r}"
        )
    return match["name"], int(match["version"])


def _number(value: Any, where: str, name: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise EventError(f"{where}: {name!r} must be a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise EventError(f"{where}: {name!r} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise EventError(f"{where}: {name!r} must be finite, got {value!r}")
    return number


def normalise_signal(value: Any, where: str = "event") -> float | None:
    """A user signal in [-1, 1]: booleans (true = 1), thumbs words (``up``/``down``, 👍/👎,
    ``+1``/``-1``, ``positive``/``negative``, ``like``/``dislike``) or a number in [-1, 1].

    Raises:
        EventError: anything else (a rating 1-5 belongs in the ``rating`` field).
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return 1.0 if value else -1.0
    if isinstance(value, str) and value.strip().lower() in _SIGNAL_WORDS:
        return _SIGNAL_WORDS[value.strip().lower()]
    number = _number(value, where, "user_signal")
    if number is None or not -1.0 <= number <= 1.0:
        raise EventError(
            f"{where}: 'user_signal' must be up/down, true/false or a number in [-1, 1], "
            f"got {value!r} (put a 1-5 rating in 'rating')"
        )
    return number


def rating_signal(value: Any, where: str = "event") -> float | None:
    """A 1-5 star rating as a signal in [-1, 1]: ``(rating - 3) / 2`` (1 → -1, 3 → 0, 5 → 1).

    Raises:
        EventError: not a number from 1 to 5.
    """
    number = _number(value, where, "rating")
    if number is None:
        return None
    if not 1.0 <= number <= 5.0:
        raise EventError(f"{where}: 'rating' must be from 1 to 5, got {value!r}")
    return (number - 3.0) / 2.0


def _features(event: Mapping[str, Any], where: str) -> dict[str, Any] | None:
    raw = event.get("features")
    if isinstance(raw, str) and raw.strip():
        try:
            raw = json.loads(raw)
        except ValueError:
            raise EventError(f"{where}: 'features' is not a JSON object: {raw[:40]!r}") from None
    if raw is not None and raw != "" and not isinstance(raw, Mapping):
        raise EventError(f"{where}: 'features' must be a mapping, got {type(raw).__name__}")
    found = {str(k): v for k, v in (raw or {}).items()}
    for key, value in event.items():
        if key.startswith(FEATURE_PREFIX) and len(key) > len(FEATURE_PREFIX):
            found[key[len(FEATURE_PREFIX) :]] = value
    for key, value in found.items():
        if isinstance(value, Mapping | list | tuple):
            raise EventError(f"{where}: feature {key!r} must be a number, text or bool")
        if isinstance(value, float) and not math.isfinite(value):
            found[key] = None
    return found or None


def _text(event: Mapping[str, Any], name: str, where: str) -> str:
    value = event.get(name)
    if value is None:
        raise EventError(f"{where}: {name!r} is missing")
    if isinstance(value, Mapping | list):
        raise EventError(f"{where}: {name!r} must be text, got {type(value).__name__}")
    return str(value)


def _model(event: Mapping[str, Any], where: str) -> tuple[str | None, int | None]:
    name = event.get("model_name")
    version = _number(event.get("model_version"), where, "model_version")
    if version is not None and (version != int(version) or version < 1):
        raise EventError(f"{where}: 'model_version' must be a whole number >= 1, got {version}")
    model = event.get("model")
    if model is not None and str(model).strip():
        if name is not None or version is not None:
            raise EventError(f"{where}: give 'model' or 'model_name'/'model_version', not both")
        return parse_model(str(model), where)
    if version is not None and name is None:
        raise EventError(f"{where}: 'model_version' needs 'model_name'")
    return (None if name is None else str(name)), None if version is None else int(version)


def validate_event(event: Mapping[str, Any], where: str) -> dict[str, Any]:
    """One event as a store row (not yet redacted or flagged).

    Raises:
        EventError: a required field is missing or a field has a bad value; the message starts
            with ``where`` and names the field.
    """
    if not isinstance(event, Mapping):
        raise EventError(f"{where}: an event must be an object, got {type(event).__name__}")
    if event.get("ts") is None or event.get("ts") == "":
        raise EventError(f"{where}: 'ts' is missing")
    try:
        ts = parse_ts(event["ts"], where)
    except InvalidValueError as error:
        raise EventError(str(error)) from None
    name, version = _model(event, where)
    latency = _number(event.get("latency_ms"), where, "latency_ms")
    latency_s = _number(event.get("latency_s"), where, "latency_s")
    if latency is not None and latency_s is not None:
        raise EventError(f"{where}: give 'latency_ms' or 'latency_s', not both")
    latency = latency if latency_s is None else latency_s * 1000.0
    if latency is not None and latency < 0:
        raise EventError(f"{where}: latency must be >= 0, got {latency}")
    signal = normalise_signal(event.get("user_signal"), where)
    rating = rating_signal(event.get("rating"), where)
    if signal is not None and rating is not None:
        raise EventError(f"{where}: give 'user_signal' or 'rating', not both")
    label = event.get("label")
    return {
        "ts": ts,
        "input": _text(event, "input", where),
        "output": _text(event, "output", where),
        "model_name": name,
        "model_version": version,
        "latency_ms": latency,
        "user_signal": signal if rating is None else rating,
        "label": None if label is None or label == "" else str(label),
        "features": _features(event, where),
    }


def _redact_row(row: dict[str, Any], counts: Counter[str]) -> int:
    """Redact the row's text in place; returns how many spans it replaced."""
    replaced = 0
    for name in ("input", "output", "label"):
        if row[name] is not None:
            found = redact(row[name])
            row[name] = found.text
            counts.update(found.counts)
            replaced += found.total
    for key, value in (row["features"] or {}).items():
        if isinstance(value, str):
            found = redact(value)
            row["features"][key] = found.text
            counts.update(found.counts)
            replaced += found.total
    return replaced


def prepare_events(
    events: Sequence[Mapping[str, Any]],
    source: str | None = None,
    *,
    locations: Sequence[str] | None = None,
    quality: QualityConfig = DEFAULT_QUALITY,
    skip_invalid: bool = False,
) -> PreparedEvents:
    """Validate, redact and quality-check ``events``.

    Args:
        events: Raw events (see ``docs/feedback.md`` for the fields).
        source: Where they came from (a file name); named in error messages when
            ``locations`` is not given.
        locations: One description per event for error messages (``"a.jsonl line 3"``).
        quality: Thresholds of the quality checks.
        skip_invalid: Leave invalid events out (listed in ``skipped``) instead of raising.

    Raises:
        EventError: some events are invalid (unless ``skip_invalid``); the message lists the
            first few, each with its location and field. Nothing is returned to store.
    """
    prefix = f"{source} " if source else ""
    rows: list[dict[str, Any]] = []
    errors: list[str] = []
    kept: list[int] = []
    ignored: set[str] = set()
    for index, event in enumerate(events):
        where = locations[index] if locations is not None else f"{prefix}event {index + 1}"
        try:
            row = validate_event(event, where)
        except EventError as error:
            errors.append(error.message)
            continue
        ignored.update(k for k in event if k not in FIELDS and not k.startswith(FEATURE_PREFIX))
        rows.append(row)
        kept.append(index)
    if errors and not skip_invalid:
        listed = "; ".join(errors[:MAX_LISTED_ERRORS])
        more = (
            f"; and {len(errors) - MAX_LISTED_ERRORS} more"
            if len(errors) > MAX_LISTED_ERRORS
            else ""
        )
        raise EventError(
            f"{len(errors)} of {len(events)} events are invalid, so none was stored: {listed}{more}"
        )
    redactions: Counter[str] = Counter()
    flagged: Counter[str] = Counter()
    redacted_events = 0
    for row in rows:
        row["redactions"] = _redact_row(row, redactions)
        redacted_events += row["redactions"] > 0
        row["quality_flags"] = quality_flags(row["output"], quality)
        flagged.update(row["quality_flags"])
    return PreparedEvents(
        rows=rows,
        redacted_events=redacted_events,
        redactions=dict(sorted(redactions.items())),
        flagged=dict(sorted(flagged.items())),
        skipped=errors,
        ignored_fields=tuple(sorted(ignored)),
        kept=tuple(kept),
    )
